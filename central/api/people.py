"""JSON API for operators, skills, certifications, machines, skill requirements and stage assignments."""
from __future__ import annotations

from typing import Literal

from flask import g, jsonify, request
from pydantic import Field

from central import certification as certs
from central import operators as ops
from central import requirements as reqs
from central.api.blueprint import api
from central.api.schemas import (Code, Date, DateOut, Id, Out, PageQuery, Query, Strict, Text, TimeOut, answers,
                                 link, with_links)
from central.assignment import Assigner, assign_operator, assignment_dict, list_assignments, unassign_operator
from central.auth import require_role
from central.errors import ValidationError
from central.operators import MAX_LEVEL
from central.people_import import MODES, import_certifications, import_operators

WRITERS = ("supervisor",)
def Level(default: int | None = 1):  # noqa: N802  (a field declaration)
    return Field(default, ge=1, le=MAX_LEVEL, description=f"1 to {MAX_LEVEL}")


class OperatorPath(Query):
    badge: Code


class CertificationPath(Query):
    cert_id: Id


class WorkCentrePath(Query):
    code: Code


class MachinePath(Query):
    code: Code


class WorkOrderPath(Query):
    number: Code


class StagePath(WorkOrderPath):
    seq: Id


class AssignmentPath(StagePath):
    badge: Code


class OperatorQuery(PageQuery):
    active: bool | None = None
    q: Text(64, description="badge or name contains") | None = None


class OperatorCreate(Strict):
    badge: Code
    name: Text(200) = ""
    active: bool = True


class OperatorUpdate(Strict):
    badge: Code | None = Field(None, description="cannot change; accepted only when it is the same")
    name: Text(200) | None = None
    active: bool | None = None


class OperatorOut(Out):
    model_config = with_links(
        GetOperator=link("operators_get", parameters={"badge": "$response.body#/badge"}),
        UpdateOperator=link("operators_update", parameters={"badge": "$response.body#/badge"}))

    badge: Code
    name: str
    active: bool


class Operators(Out):
    operators: list[OperatorOut]


class CertificationOut(Out):
    model_config = with_links(
        GetCertification=link("certifications_get", parameters={"cert_id": "$response.body#/id"}),
        UpdateCertification=link("certifications_update", parameters={"cert_id": "$response.body#/id"}))

    id: int
    badge: Code
    operator: str
    skill: Code
    level: int
    issued: DateOut
    expires: DateOut | None
    issued_by: str


class OperatorDetail(OperatorOut):
    certifications: list[CertificationOut]


class ImportQuery(Query):
    mode: Literal[MODES] = Field("valid", description="valid: import the good rows; all: all or nothing")


class ImportProblem(Out):
    line: int
    field: str | None
    message: str


class ImportResult(Out):
    mode: Literal[MODES]
    imported: int
    errors: list[ImportProblem]


def _csv_body(columns: str) -> dict:
    return {"requestBody": {"required": True, "description": f"CSV with the header {columns}", "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}, "mode": {"type": "string", "enum": list(MODES)}},
            "required": ["file"]}}}}}


class SkillCreate(Strict):
    code: Code
    name: Text(200) = ""


class SkillOut(Out):
    code: Code
    name: str


class Skills(Out):
    skills: list[SkillOut]


class CertificationQuery(PageQuery):
    badge: Code | None = None
    skill: Code | None = None
    valid_on: Date | None = Field(None, description="only those valid on this day")


class Certifications(Out):
    certifications: list[CertificationOut]


class ExpiringQuery(Query):
    days: int = Field(certs.EXPIRING_DAYS, ge=0, le=3650, description="how many days ahead")


class Expiring(Certifications):
    days: int


class CertificationCreate(Strict):
    badge: Code
    skill: Code
    level: int = Level()
    issued: Date
    expires: Date | None = Field(None, description="last valid day; none: does not expire")
    issued_by: Text(200) = ""


class CertificationUpdate(Strict):
    level: int | None = Level(None)
    issued: Date | None = None
    expires: Date | None = None
    issued_by: Text(200) | None = None


class SkillNeed(Strict):
    skill: Code
    min_level: int = Level()


class SkillNeeds(Strict):
    skills: list[SkillNeed] = Field(max_length=100)


class Requirement(Out):
    skill: Code
    min_level: int
    source: str


class WorkCentreSkills(Out):
    work_centre: Code
    skills: list[Requirement]


class MachineCreate(Strict):
    code: Code
    name: Text(200) = ""
    work_centre: Code | None = None
    active: bool = True
    skills: list[SkillNeed] | None = Field(None, max_length=100)


class MachineUpdate(Strict):
    name: Text(200) | None = None
    work_centre: Code | None = None
    active: bool | None = None
    skills: list[SkillNeed] | None = Field(None, max_length=100, description="replaces its requirements")


class MachineOut(Out):
    code: Code
    name: str
    active: bool
    work_centre: Code | None
    skills: list[Requirement]


class Machines(Out):
    machines: list[MachineOut]


class AssignmentIn(Strict):
    operator: Code = Field(description="badge")
    override_reason: Text(500, min_length=1) | None = Field(
        None, description="supervisor only: assign although the operator is not certified")


class AssignmentOut(Out):
    stage: int
    badge: Code
    operator: str
    assigned_at: TimeOut
    assigned_by: str
    problems: list[str]
    override_reason: str | None
    overridden_by: str | None


class Assignments(Out):
    work_order: Code
    assignments: list[AssignmentOut]


@api.get("/operators", responses=answers((200, Operators)))
def operators_list(query: OperatorQuery):
    """Operators by badge; ``active`` true or false; ``q`` searches badge and name."""
    rows = ops.list_operators(active=query.active, search=query.q or "", limit=query.limit, offset=query.offset)
    return jsonify({"operators": [ops.operator_dict(o) for o in rows]})


@api.post("/operators", responses=answers((201, OperatorOut), 409))
@require_role(*WRITERS)
def operators_create(body: OperatorCreate):
    """Register an operator."""
    return jsonify(ops.operator_dict(ops.create_operator(body.badge, body.name, body.active))), 201


@api.get("/operators/<badge>", responses=answers((200, OperatorDetail), 404))
def operators_get(path: OperatorPath):
    """One operator with their certifications."""
    operator = ops.get_operator(path.badge)
    return jsonify({**ops.operator_dict(operator),
                    "certifications": [certs.certification_dict(c) for c in certs.list_certifications(badge=path.badge)]})


@api.patch("/operators/<badge>", responses=answers((200, OperatorOut), 404))
@require_role(*WRITERS)
def operators_update(path: OperatorPath, body: OperatorUpdate):
    """Change ``name`` or ``active`` (the badge never changes)."""
    return jsonify(ops.operator_dict(ops.update_operator(path.badge, body.model_dump(exclude_none=True))))


def _csv_upload(query: ImportQuery) -> tuple[bytes, str]:
    """The CSV from a ``file`` form field or the raw body, and the ``mode``."""
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    if not data:
        raise ValidationError("file", "send the CSV as the request body or as form field 'file'")
    return data, request.form.get("mode") or query.mode


def _import_response(result):
    status = 400 if result.errors and result.mode == "all" else 200
    return jsonify(result.to_json()), status


@api.post("/operators/import", responses=answers((200, ImportResult)), openapi_extensions=_csv_body("badge,name,active"))
@require_role(*WRITERS)
def operators_import(query: ImportQuery):
    """Import operators from CSV ``badge,name,active``; ``mode=valid`` imports good rows, ``all`` all or nothing."""
    return _import_response(import_operators(*_csv_upload(query)))


@api.get("/skills", responses=answers((200, Skills)))
def skills_list():
    """Every skill."""
    return jsonify({"skills": [ops.skill_dict(s) for s in ops.list_skills()]})


@api.post("/skills", responses=answers((201, SkillOut), 409))
@require_role(*WRITERS)
def skills_create(body: SkillCreate):
    """Add a skill."""
    return jsonify(ops.skill_dict(ops.create_skill(body.code, body.name))), 201


@api.get("/certifications", responses=answers((200, Certifications)))
def certifications_list(query: CertificationQuery):
    """Certifications; filter by ``badge``, ``skill``, ``valid_on``."""
    rows = certs.list_certifications(badge=query.badge, skill=query.skill, valid_on=query.valid_on,
                                     limit=query.limit, offset=query.offset)
    return jsonify({"certifications": [certs.certification_dict(c) for c in rows]})


@api.get("/certifications/expiring", responses=answers((200, Expiring)))
def certifications_expiring(query: ExpiringQuery):
    """Certifications of active operators expiring in the next ``days`` days, soonest first."""
    rows = certs.expiring_certifications(days=query.days)
    return jsonify({"days": query.days, "certifications": [certs.certification_dict(c) for c in rows]})


@api.post("/certifications", responses=answers((201, CertificationOut), 404))
@require_role(*WRITERS)
def certifications_create(body: CertificationCreate):
    """Certify an operator for a skill at a level, from a day, optionally until a day."""
    cert = certs.issue_certification(body.badge, body.skill, level=body.level, issued=body.issued,
                                     expires=body.expires, issued_by=body.issued_by)
    return jsonify(certs.certification_dict(certs.get_certification(cert.id))), 201


@api.get("/certifications/<int:cert_id>", responses=answers((200, CertificationOut), 404))
def certifications_get(path: CertificationPath):
    """One certification."""
    return jsonify(certs.certification_dict(certs.get_certification(path.cert_id)))


@api.patch("/certifications/<int:cert_id>", responses=answers((200, CertificationOut), 404))
@require_role(*WRITERS)
def certifications_update(path: CertificationPath, body: CertificationUpdate):
    """Change ``level``, ``issued``, ``expires`` or ``issued_by``."""
    certs.update_certification(path.cert_id, body.model_dump(exclude_unset=True))
    return jsonify(certs.certification_dict(certs.get_certification(path.cert_id)))


@api.post("/certifications/import", responses=answers((200, ImportResult)),
          openapi_extensions=_csv_body("badge,skill,level,issued,expires,issued_by"))
@require_role(*WRITERS)
def certifications_import(query: ImportQuery):
    """Import certifications from CSV ``badge,skill,level,issued,expires,issued_by``; ``mode=valid|all``."""
    return _import_response(import_certifications(*_csv_upload(query)))


@api.get("/work-centres/<code>/skills", responses=answers((200, WorkCentreSkills), 404))
def work_centre_skills_get(path: WorkCentrePath):
    """The skills a work centre requires."""
    centre = reqs.get_work_centre(path.code)
    return jsonify({"work_centre": path.code,
                    "skills": [r.to_dict() for r in reqs.work_centre_requirements(centre.id)]})


@api.put("/work-centres/<code>/skills", responses=answers((200, WorkCentreSkills), 404))
@require_role(*WRITERS)
def work_centre_skills_put(path: WorkCentrePath, body: SkillNeeds):
    """Replace the skills a work centre requires."""
    rows = reqs.set_work_centre_skills(path.code, [s.model_dump() for s in body.skills])
    return jsonify({"work_centre": path.code, "skills": [r.to_dict() for r in rows]})


@api.get("/machines", responses=answers((200, Machines)))
def machines_list():
    """Every machine with the skills it requires."""
    return jsonify({"machines": [reqs.machine_dict(m) for m in reqs.list_machines()]})


@api.post("/machines", responses=answers((201, MachineOut), 404, 409))
@require_role(*WRITERS)
def machines_create(body: MachineCreate):
    """Add a machine, optionally in a work centre and with the skills it requires."""
    skills = [s.model_dump() for s in body.skills] if body.skills is not None else None
    machine = reqs.create_machine(body.code, body.name, body.work_centre, body.active, skills)
    return jsonify(reqs.machine_dict(reqs.get_machine(machine.code))), 201


@api.patch("/machines/<code>", responses=answers((200, MachineOut), 404))
@require_role(*WRITERS)
def machines_update(path: MachinePath, body: MachineUpdate):
    """Change ``name``, ``work_centre``, ``active``; ``skills`` replaces its requirements."""
    reqs.update_machine(path.code, body.model_dump(exclude_unset=True))
    return jsonify(reqs.machine_dict(reqs.get_machine(path.code)))


@api.get("/work-orders/<number>/assignments", responses=answers((200, Assignments), 404))
def assignments_list(path: WorkOrderPath):
    """Operators assigned to the work order's stages, with any override and its reason."""
    return jsonify({"work_order": path.number,
                    "assignments": [assignment_dict(a) for a in list_assignments(path.number)]})


@api.post("/work-orders/<number>/stages/<int:seq>/assignments", responses=answers((201, AssignmentOut), 404, 409))
@require_role("supervisor", "planner")
def assignments_create(path: StagePath, body: AssignmentIn):
    """Assign an operator; not certified is 409 unless a supervisor sends ``override_reason``."""
    row = assign_operator(path.number, path.seq, body.operator, Assigner(g.user.username, g.user.role),
                          override_reason=body.override_reason)
    return jsonify(assignment_dict(row)), 201


@api.delete("/work-orders/<number>/stages/<int:seq>/assignments/<badge>", responses=answers((204, None), 404))
@require_role("supervisor", "planner")
def assignments_delete(path: AssignmentPath):
    """Take an operator off a stage."""
    unassign_operator(path.number, path.seq, path.badge)
    return "", 204
