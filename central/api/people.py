"""JSON API for operators, skills, certifications, machines, skill requirements and stage assignments."""
from __future__ import annotations

from flask import g, jsonify, request

from central import certification as certs
from central import operators as ops
from central import requirements as reqs
from central.api.blueprint import api, json_body, page_args
from central.assignment import Assigner, assign_operator, assignment_dict, list_assignments, unassign_operator
from central.auth import require_role
from central.errors import ValidationError
from central.people_import import import_certifications, import_operators
from central.api.schemas import Code, Id, Query, Text  # noqa: F401


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

class StagePath(Query):
    number: Code
    seq: Id

class AssignmentPath(Query):
    number: Code
    seq: Id
    badge: Code


WRITERS = ("supervisor",)


def _active_arg() -> bool | None:
    raw = request.args.get("active")
    return None if raw in (None, "") else ops.check_bool("active", raw)


@api.get("/operators")
def operators_list():
    """Operators by badge; ``?active=true|false``, ``?q=`` searches badge and name."""
    limit, offset = page_args()
    rows = ops.list_operators(active=_active_arg(), search=request.args.get("q", ""), limit=limit, offset=offset)
    return jsonify({"operators": [ops.operator_dict(o) for o in rows]})


@api.post("/operators")
@require_role(*WRITERS)
def operators_create():
    """Register an operator: ``{"badge", "name", "active"}``."""
    body = json_body()
    operator = ops.create_operator(body.get("badge"), body.get("name", ""), body.get("active", True))
    return jsonify(ops.operator_dict(operator)), 201


@api.get("/operators/<badge>")
def operators_get(path: OperatorPath):
    """One operator with their certifications."""
    badge = path.badge
    operator = ops.get_operator(badge)
    return jsonify({**ops.operator_dict(operator),
                    "certifications": [certs.certification_dict(c) for c in certs.list_certifications(badge=badge)]})


@api.patch("/operators/<badge>")
@require_role(*WRITERS)
def operators_update(path: OperatorPath):
    """Change ``name`` or ``active``."""
    badge = path.badge
    return jsonify(ops.operator_dict(ops.update_operator(badge, json_body())))


def _csv_upload() -> tuple[bytes, str]:
    """The CSV from a ``file`` form field or the raw body, and the ``mode``."""
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    if not data:
        raise ValidationError("file", "send the CSV as the request body or as form field 'file'")
    return data, request.args.get("mode") or request.form.get("mode") or "valid"


def _import_response(result):
    status = 400 if result.errors and result.mode == "all" else 200
    return jsonify(result.to_json()), status


@api.post("/operators/import")
@require_role(*WRITERS)
def operators_import():
    """CSV ``badge,name,active``; ``?mode=valid`` imports good rows, ``?mode=all`` all or nothing."""
    data, mode = _csv_upload()
    return _import_response(import_operators(data, mode))


@api.get("/skills")
def skills_list():
    """Every skill."""
    return jsonify({"skills": [ops.skill_dict(s) for s in ops.list_skills()]})


@api.post("/skills")
@require_role(*WRITERS)
def skills_create():
    """Add a skill: ``{"code", "name"}``."""
    body = json_body()
    return jsonify(ops.skill_dict(ops.create_skill(body.get("code"), body.get("name", "")))), 201


@api.get("/certifications")
def certifications_list():
    """Certifications; ``?badge=``, ``?skill=``, ``?valid_on=YYYY-MM-DD``."""
    limit, offset = page_args()
    valid_on = ops.check_date("valid_on", request.args.get("valid_on"), required=False)
    rows = certs.list_certifications(badge=request.args.get("badge"), skill=request.args.get("skill"),
                                     valid_on=valid_on, limit=limit, offset=offset)
    return jsonify({"certifications": [certs.certification_dict(c) for c in rows]})


@api.get("/certifications/expiring")
def certifications_expiring():
    """Certifications of active operators expiring in the next ``?days=30`` days, soonest first."""
    raw = request.args.get("days", str(certs.EXPIRING_DAYS))
    if not raw.isdigit():
        raise ValidationError("days", f"must be a whole number, got {raw!r}")
    rows = certs.expiring_certifications(days=int(raw))
    return jsonify({"days": int(raw), "certifications": [certs.certification_dict(c) for c in rows]})


@api.post("/certifications")
@require_role(*WRITERS)
def certifications_create():
    """Certify: ``{"badge", "skill", "level", "issued", "expires", "issued_by"}``."""
    body = json_body()
    cert = certs.issue_certification(body.get("badge"), body.get("skill"), level=body.get("level", 1),
                                     issued=body.get("issued"), expires=body.get("expires"),
                                     issued_by=body.get("issued_by", ""))
    return jsonify(certs.certification_dict(certs.get_certification(cert.id))), 201


@api.get("/certifications/<int:cert_id>")
def certifications_get(path: CertificationPath):
    """One certification."""
    cert_id = path.cert_id
    return jsonify(certs.certification_dict(certs.get_certification(cert_id)))


@api.patch("/certifications/<int:cert_id>")
@require_role(*WRITERS)
def certifications_update(path: CertificationPath):
    """Change ``level``, ``issued``, ``expires`` or ``issued_by``."""
    cert_id = path.cert_id
    certs.update_certification(cert_id, json_body())
    return jsonify(certs.certification_dict(certs.get_certification(cert_id)))


@api.post("/certifications/import")
@require_role(*WRITERS)
def certifications_import():
    """CSV ``badge,skill,level,issued,expires,issued_by``; ``?mode=valid|all``."""
    data, mode = _csv_upload()
    return _import_response(import_certifications(data, mode))


@api.get("/work-centres/<code>/skills")
def work_centre_skills_get(path: WorkCentrePath):
    """The skills a work centre requires."""
    code = path.code
    centre = reqs.get_work_centre(code)
    return jsonify({"work_centre": code, "skills": [r.to_dict() for r in reqs.work_centre_requirements(centre.id)]})


@api.put("/work-centres/<code>/skills")
@require_role(*WRITERS)
def work_centre_skills_put(path: WorkCentrePath):
    """Replace them: ``{"skills": [{"skill", "min_level"}]}``."""
    code = path.code
    rows = reqs.set_work_centre_skills(code, json_body().get("skills"))
    return jsonify({"work_centre": code, "skills": [r.to_dict() for r in rows]})


@api.get("/machines")
def machines_list():
    """Every machine with the skills it requires."""
    return jsonify({"machines": [reqs.machine_dict(m) for m in reqs.list_machines()]})


@api.post("/machines")
@require_role(*WRITERS)
def machines_create():
    """Add a machine: ``{"code", "name", "work_centre", "active", "skills"}``."""
    body = json_body()
    machine = reqs.create_machine(body.get("code"), body.get("name", ""), body.get("work_centre"),
                                  body.get("active", True), body.get("skills"))
    return jsonify(reqs.machine_dict(reqs.get_machine(machine.code))), 201


@api.patch("/machines/<code>")
@require_role(*WRITERS)
def machines_update(path: MachinePath):
    """Change ``name``, ``work_centre``, ``active``; ``skills`` replaces its requirements."""
    code = path.code
    reqs.update_machine(code, json_body())
    return jsonify(reqs.machine_dict(reqs.get_machine(code)))


@api.get("/work-orders/<number>/assignments")
def assignments_list(path: WorkOrderPath):
    """Operators assigned to the work order's stages, with any override and its reason."""
    number = path.number
    return jsonify({"work_order": number, "assignments": [assignment_dict(a) for a in list_assignments(number)]})


@api.post("/work-orders/<number>/stages/<int:seq>/assignments")
@require_role("supervisor", "planner")
def assignments_create(path: StagePath):
    """Assign ``{"operator": badge}``; not certified is 409 unless a supervisor sends ``override_reason``."""
    number = path.number
    seq = path.seq
    body = json_body()
    row = assign_operator(number, seq, body.get("operator"), Assigner(g.user.username, g.user.role),
                          override_reason=body.get("override_reason"))
    return jsonify(assignment_dict(row)), 201


@api.delete("/work-orders/<number>/stages/<int:seq>/assignments/<badge>")
@require_role("supervisor", "planner")
def assignments_delete(path: AssignmentPath):
    """Take an operator off a stage."""
    number = path.number
    seq = path.seq
    badge = path.badge
    unassign_operator(number, seq, badge)
    return "", 204
