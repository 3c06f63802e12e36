"""JSON API for maintenance set-up: assets (and their history), areas and lines, technicians
with schedules, teams, contractors, templates with versions, and assignment rules."""
from __future__ import annotations

import json
from typing import Literal

from flask import current_app, g, jsonify
from pydantic import Field

from central.api.blueprint import api
from central.api.schemas import (Code, DateTime, DecimalOut, Id, Money, Out, PageQuery, Query, Strict, Text, TimeOut, Whole,
                                 answers, page_of)
from central.auth import require_role
from central.checklists import STEP_KINDS
from central.customfields import FIELD_KINDS
from central.maintenance import assets, assignment, contractors, staff, templates
from central.maintenance.checks import check_datetime
from central.maintenance.history import history
from central.models.maintenance import CRITICALITIES, MWO_TYPES, PRIORITIES

PLANNERS = ("planner", "supervisor")


class CodePath(Query):
    code: Code


# --- areas, lines and assets ------------------------------------------------------------------------

class AreaCreate(Strict):
    code: Code
    name: Text(128) = ""


class LineCreate(AreaCreate):
    area: Code = Field(description="the area the line is in")


class LineOut(Out):
    code: Code
    name: str
    area: Code


class AreaOut(Out):
    code: Code
    name: str
    lines: list[LineOut]


class AreaList(Out):
    areas: list[AreaOut]


class AssetChange(Strict):
    name: Text(128) | None = None
    machine: Code | None = Field(None, description="the machine this asset is (one asset per machine)")
    area: Code | None = None
    line: Code | None = Field(None, description="a line sets the area too")
    location: Text(128) | None = None
    criticality: Literal[CRITICALITIES] = Field(None, description="leave out to keep as it is (a new asset: medium)")
    active: bool = Field(None, description="in service (leave out to keep as it is)")


class AssetCreate(AssetChange):
    code: Code


class AssetOut(Out):
    code: Code
    name: str
    machine: Code | None
    area: Code | None
    line: Code | None
    location: str
    criticality: Literal[CRITICALITIES]
    active: bool


AssetPage = page_of("assets", AssetOut)


class AssetQuery(PageQuery):
    area: Code | None = None
    q: Text(64, description="code, name or location contains") | None = None
    active: bool | None = True


class HistoryWorkOrder(Out):
    number: Code
    title: str
    type: Literal[MWO_TYPES]
    status: str
    created_at: TimeOut
    done_at: TimeOut | None


class HistoryRequest(Out):
    number: Code
    status: str
    description: str
    created_at: TimeOut


class HistoryStop(Out):
    at: TimeOut
    station: str
    reason: str
    minutes: DecimalOut | None


class HistoryPart(Out):
    at: TimeOut
    work_order: Code
    item: Code
    batch: Code | None
    qty: DecimalOut
    value: DecimalOut


class CostOut(Out):
    labour: DecimalOut
    parts: DecimalOut
    contractors: DecimalOut
    total: DecimalOut


class AssetHistoryOut(Out):
    asset: AssetOut
    counts: dict[str, int] = Field(description="work orders by status")
    cost: CostOut
    work_orders: list[HistoryWorkOrder] = Field(description="the latest 100")
    requests: list[HistoryRequest] = Field(description="the latest 100")
    downtime: list[HistoryStop] = Field(description="the latest 100 stops of the asset's machine")
    parts: list[HistoryPart] = Field(description="the latest 100")


def cost_dict(cost: dict) -> dict:
    """A cost breakdown as JSON strings."""
    return {k: str(v) for k, v in cost.items()}


@api.get("/maintenance/areas", responses=answers((200, AreaList)))
def maintenance_areas_list():
    """Areas with their lines."""
    lines: dict[int, list] = {}
    for line in assets.list_lines():
        lines.setdefault(line.area_id, []).append({"code": line.code, "name": line.name, "area": line.area.code})
    return jsonify({"areas": [{"code": a.code, "name": a.name, "lines": lines.get(a.id, [])}
                              for a in assets.list_areas()]})


@api.post("/maintenance/areas", responses=answers((201, AreaOut), 409))
@require_role(*PLANNERS)
def maintenance_areas_create(body: AreaCreate):
    """Add an area."""
    area = assets.create_area(body.code, body.name)
    return jsonify({"code": area.code, "name": area.name, "lines": []}), 201


@api.post("/maintenance/lines", responses=answers((201, LineOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_lines_create(body: LineCreate):
    """Add a line in an area."""
    line = assets.create_line(body.code, body.area, body.name)
    return jsonify({"code": line.code, "name": line.name, "area": body.area}), 201


@api.get("/maintenance/assets", responses=answers((200, AssetPage)))
def maintenance_assets_list(query: AssetQuery):
    """Assets by code, filtered by area, text and whether in service."""
    rows = assets.list_assets(area=query.area, search=query.q or "", active=query.active)
    page = rows[query.offset: query.offset + query.limit]
    return jsonify({"assets": [assets.asset_dict(a) for a in page], "total": len(rows), "limit": query.limit,
                    "offset": query.offset})


@api.post("/maintenance/assets", responses=answers((201, AssetOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_assets_create(body: AssetCreate):
    """Add an asset."""
    values = body.model_dump(exclude_unset=True)
    return jsonify(assets.asset_dict(assets.create_asset(values.pop("code"), **values))), 201


@api.get("/maintenance/assets/<code>", responses=answers((200, AssetOut), 404))
def maintenance_assets_get(path: CodePath):
    """One asset."""
    return jsonify(assets.asset_dict(assets.get_asset(path.code)))


@api.patch("/maintenance/assets/<code>", responses=answers((200, AssetOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_assets_update(path: CodePath, body: AssetChange):
    """Change an asset; only the fields sent change (send null to clear machine, area or line)."""
    return jsonify(assets.asset_dict(assets.update_asset(path.code, body.model_dump(exclude_unset=True))))


@api.get("/maintenance/assets/<code>/history", responses=answers((200, AssetHistoryOut), 404))
def maintenance_assets_history(path: CodePath):
    """An asset's history: work orders, requests, downtime, parts used, and its maintenance cost."""
    h = history(path.code)
    return jsonify({
        "asset": assets.asset_dict(h["asset"]), "counts": h["counts"], "cost": cost_dict(h["cost"]),
        "work_orders": [{"number": w.number, "title": w.title, "type": w.wo_type, "status": w.status,
                         "created_at": w.created_at.isoformat(), "done_at": w.done_at.isoformat() if w.done_at else None}
                        for w in h["work_orders"]],
        "requests": [{"number": r.number, "status": r.status, "description": r.description,
                      "created_at": r.created_at.isoformat()} for r in h["requests"]],
        "downtime": [{"at": d["at"].isoformat(), "station": d["station"], "reason": d["reason"],
                      "minutes": str(d["minutes"]) if d["minutes"] is not None else None} for d in h["downtime"]],
        "parts": [{"at": p.at.isoformat(), "work_order": p.work_order.number, "item": p.item.code,
                   "batch": p.batch.code if p.batch_id else None, "qty": str(p.qty), "value": str(p.value)}
                  for p in h["parts"]]})


# --- technicians, schedules and teams ---------------------------------------------------------------

class TechnicianChange(Strict):
    name: Text(128) | None = None
    user: Code | None = Field(None, description="a login with the technician (or supervisor) role")
    operator: Code | None = Field(None, description="an operator badge: its certifications are the skills")
    hourly_rate: Money | None = None
    active: bool | None = None


class TechnicianCreate(TechnicianChange):
    code: Code


class TechnicianOut(Out):
    code: Code
    name: str
    user: str | None
    operator: str | None
    hourly_rate: DecimalOut
    active: bool


class TechnicianList(Out):
    technicians: list[TechnicianOut]


class ShiftCreate(Strict):
    weekday: Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    start: Text(5) = Field(description="HH:MM on the clocks of the site's time zone (site.timezone)")
    end: Text(5) = Field(description="HH:MM, the same zone; before the start means the next day")


class OnCallCreate(Strict):
    starts_at: DateTime
    ends_at: DateTime


class ShiftOut(Out):
    id: Id
    weekday: Whole(0, 6) = Field(description="0 is Monday")
    text: str
    start_minute: int
    minutes: int
    zone: str = Field(description="the IANA time zone its times are in")


class OnCallOut(Out):
    id: Id
    starts_at: TimeOut
    ends_at: TimeOut


class ScheduleOut(Out):
    technician: Code
    shifts: list[ShiftOut]
    on_call: list[OnCallOut] = Field(description="periods that end after a day ago")


class TeamCreate(Strict):
    code: Code
    name: Text(128) = ""
    members: list[Code] = Field(default_factory=list, max_length=200)


class TeamMembers(Strict):
    members: list[Code] = Field(max_length=200)


class TeamOut(Out):
    code: Code
    name: str
    members: list[Code]


class TeamList(Out):
    teams: list[TeamOut]


def _schedule(code: str) -> dict:
    shifts, on_call = staff.schedule_of(code)
    return {"technician": code,
            "shifts": [{"id": s.id, "weekday": s.weekday, "text": staff.shift_text(s), "start_minute": s.start_minute,
                        "minutes": s.minutes, "zone": s.zone} for s in shifts],
            "on_call": [{"id": c.id, "starts_at": c.starts_at.isoformat(), "ends_at": c.ends_at.isoformat()}
                        for c in on_call]}


@api.get("/maintenance/technicians", responses=answers((200, TechnicianList)))
def maintenance_technicians_list():
    """Technicians by code."""
    return jsonify({"technicians": [staff.technician_dict(t) for t in staff.list_technicians()]})


@api.post("/maintenance/technicians", responses=answers((201, TechnicianOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_technicians_create(body: TechnicianCreate):
    """Add a technician."""
    values = body.model_dump(exclude_unset=True)
    return jsonify(staff.technician_dict(staff.create_technician(values.pop("code"), **values))), 201


@api.patch("/maintenance/technicians/<code>", responses=answers((200, TechnicianOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_technicians_update(path: CodePath, body: TechnicianChange):
    """Change a technician; only the fields sent change."""
    return jsonify(staff.technician_dict(staff.update_technician(path.code, body.model_dump(exclude_unset=True))))


@api.get("/maintenance/technicians/<code>/schedule", responses=answers((200, ScheduleOut), 404))
def maintenance_schedule_get(path: CodePath):
    """A technician's weekly shifts and on-call periods."""
    return jsonify(_schedule(path.code))


@api.post("/maintenance/technicians/<code>/shifts", responses=answers((201, ScheduleOut), 404))
@require_role(*PLANNERS)
def maintenance_shifts_create(path: CodePath, body: ShiftCreate):
    """Add a weekly shift."""
    staff.add_shift(path.code, body.weekday, body.start, body.end, current_app.config["SHOPFLOOR"]["site.timezone"])
    return jsonify(_schedule(path.code)), 201


@api.post("/maintenance/technicians/<code>/on-call", responses=answers((201, ScheduleOut), 404))
@require_role(*PLANNERS)
def maintenance_on_call_create(path: CodePath, body: OnCallCreate):
    """Add an on-call period."""
    staff.add_on_call(path.code, check_datetime("starts_at", body.starts_at), check_datetime("ends_at", body.ends_at))
    return jsonify(_schedule(path.code)), 201


class ShiftPath(CodePath):
    shift_id: Id


class OnCallPath(CodePath):
    period_id: Id


@api.delete("/maintenance/technicians/<code>/shifts/<int:shift_id>", responses=answers((204, None), 404))
@require_role(*PLANNERS)
def maintenance_shifts_delete(path: ShiftPath):
    """Remove one of a technician's weekly shifts."""
    staff.remove_schedule(path.code, "shift", path.shift_id)
    return "", 204


@api.delete("/maintenance/technicians/<code>/on-call/<int:period_id>", responses=answers((204, None), 404))
@require_role(*PLANNERS)
def maintenance_on_call_delete(path: OnCallPath):
    """Remove one of a technician's on-call periods."""
    staff.remove_schedule(path.code, "on_call", path.period_id)
    return "", 204


def _team_dict(team, members) -> dict:
    return {"code": team.code, "name": team.name, "members": [m.code for m in members]}


@api.get("/maintenance/teams", responses=answers((200, TeamList)))
def maintenance_teams_list():
    """Teams with their members."""
    return jsonify({"teams": [_team_dict(t, m) for t, m in staff.list_teams()]})


@api.post("/maintenance/teams", responses=answers((201, TeamOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_teams_create(body: TeamCreate):
    """Add a team."""
    team = staff.create_team(body.code, body.name, body.members)
    return jsonify(_team_dict(team, staff.team_members(team))), 201


@api.put("/maintenance/teams/<code>/members", responses=answers((200, TeamOut), 404))
@require_role(*PLANNERS)
def maintenance_teams_members(path: CodePath, body: TeamMembers):
    """Replace a team's members."""
    team = staff.set_team_members(path.code, body.members)
    return jsonify(_team_dict(team, staff.team_members(team)))


# --- contractors --------------------------------------------------------------------------------------

class ContractorChange(Strict):
    company: Text(128, min_length=1) | None = None
    trade: Text(64) | None = None
    contact: Text(128) | None = None
    phone: Text(64) | None = None
    email: Text(128) | None = None
    hourly_rate: Money | None = None
    callout_fee: Money | None = None
    active: bool | None = None


class ContractorCreate(ContractorChange):
    code: Code
    company: Text(128, min_length=1)


class ContractorOut(Out):
    code: Code
    company: str
    trade: str
    contact: str
    phone: str
    email: str
    hourly_rate: DecimalOut | None
    callout_fee: DecimalOut | None
    active: bool


class ContractorList(Out):
    contractors: list[ContractorOut]


class ContractorQuery(Query):
    trade: Text(64) | None = None
    active: bool | None = None


@api.get("/maintenance/contractors", responses=answers((200, ContractorList)))
def maintenance_contractors_list(query: ContractorQuery):
    """The contractor directory, by company."""
    rows = contractors.list_contractors(trade=query.trade, active=query.active)
    return jsonify({"contractors": [contractors.contractor_dict(c) for c in rows]})


@api.post("/maintenance/contractors", responses=answers((201, ContractorOut), 409))
@require_role(*PLANNERS)
def maintenance_contractors_create(body: ContractorCreate):
    """Add a contractor."""
    values = body.model_dump(exclude_unset=True)
    return jsonify(contractors.contractor_dict(contractors.create_contractor(values.pop("code"), **values))), 201


@api.patch("/maintenance/contractors/<code>", responses=answers((200, ContractorOut), 404))
@require_role(*PLANNERS)
def maintenance_contractors_update(path: CodePath, body: ContractorChange):
    """Change a contractor; only the fields sent change."""
    return jsonify(contractors.contractor_dict(contractors.update_contractor(path.code,
                                                                            body.model_dump(exclude_unset=True))))


# --- templates ----------------------------------------------------------------------------------------

Limit = Text(24, description="a decimal number, e.g. -20 or 6.5") | float | int


class FieldSpec(Strict):
    name: Text(64, min_length=1) = Field(description="lower-case letters, digits and _")
    label: Text(128) = ""
    kind: Literal[FIELD_KINDS] = "text"
    required: bool = False
    unit: Text(16) | None = None
    min: Limit | None = Field(None, description="numbers: the lowest allowed")
    max: Limit | None = Field(None, description="numbers: the highest allowed")
    choices: list[Text(64)] | None = Field(None, max_length=100, description="choice fields: the choices")


class StepSpec(Strict):
    text: Text(300, min_length=1)
    kind: Literal[STEP_KINDS] = "tick"
    unit: Text(16) | None = None
    min: Limit | None = Field(None, description="readings: the lowest within limits")
    max: Limit | None = Field(None, description="readings: the highest within limits")


class TemplateSave(Strict):
    name: Text(128) = ""
    title: Text(200, min_length=1)
    type: Literal[MWO_TYPES] = "corrective"
    priority: Literal[PRIORITIES] = "normal"
    description: Text(5000) = ""
    requires_signoff: bool = False
    fields: list[FieldSpec] = Field(default_factory=list, max_length=50)
    checklist: list[StepSpec] = Field(default_factory=list, max_length=100)


class FieldSpecOut(Out):
    name: str
    label: str
    kind: Literal[FIELD_KINDS]
    required: bool
    unit: str | None = None
    min: str | None = None
    max: str | None = None
    choices: list[str] | None = None


class StepSpecOut(Out):
    text: str
    kind: Literal[STEP_KINDS]
    unit: str | None = None
    min: str | None = None
    max: str | None = None


class TemplateVersionOut(Out):
    template: Code
    version: int = Field(ge=1)
    title: str
    type: Literal[MWO_TYPES]
    priority: Literal[PRIORITIES]
    description: str
    fields: list[FieldSpecOut]
    checklist: list[StepSpecOut]
    requires_signoff: bool
    created_by: str
    created_at: TimeOut


class TemplateOut(Out):
    code: Code
    name: str
    current_version: int
    active: bool


class TemplateList(Out):
    templates: list[TemplateOut]


class VersionPath(CodePath):
    version: Id


def _template_dict(t) -> dict:
    return {"code": t.code, "name": t.name, "current_version": t.current_version, "active": t.active}


@api.get("/maintenance/templates", responses=answers((200, TemplateList)))
def maintenance_templates_list():
    """Templates by code."""
    return jsonify({"templates": [_template_dict(t) for t in templates.list_templates()]})


@api.put("/maintenance/templates/<code>", responses=answers((201, TemplateVersionOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_templates_save(path: CodePath, body: TemplateSave):
    """Create a template or save a new version of it; work orders keep the version they were made from."""
    spec = json.loads(body.model_dump_json())
    return jsonify(templates.version_dict(templates.save_template(path.code, spec, by=_user()))), 201


@api.get("/maintenance/templates/<code>", responses=answers((200, TemplateVersionOut), 404))
def maintenance_templates_get(path: CodePath):
    """The current version of a template."""
    return jsonify(templates.version_dict(templates.current_version(templates.get_template(path.code))))


class TemplateSwitch(Strict):
    active: bool = Field(description="false retires the template: no new work orders from it")


@api.patch("/maintenance/templates/<code>", responses=answers((200, TemplateOut), 404))
@require_role(*PLANNERS)
def maintenance_templates_switch(path: CodePath, body: TemplateSwitch):
    """Retire a template or bring it back."""
    return jsonify(_template_dict(templates.set_template_active(path.code, body.active)))


@api.get("/maintenance/templates/<code>/versions/<int:version>", responses=answers((200, TemplateVersionOut), 404))
def maintenance_templates_version(path: VersionPath):
    """One version of a template, as work orders made from it see it."""
    return jsonify(templates.version_dict(templates.get_version(path.code, path.version)))


# --- rules ----------------------------------------------------------------------------------------------

class RuleChange(Strict):
    name: Text(128, min_length=1) | None = None
    position: Whole(0, 100000) | None = Field(None, description="lower positions are tried first")
    area: Code | None = None
    asset: Code | None = None
    type: Literal[MWO_TYPES] | None = None
    skill: Code | None = Field(None, description="matches work that requires this skill")
    technician: Code | None = None
    team: Code | None = None
    active: bool | None = None


class RuleCreate(RuleChange):
    name: Text(128, min_length=1)


class RuleOut(Out):
    id: Id
    name: str
    position: int
    area: Code | None
    asset: Code | None
    type: Literal[MWO_TYPES] | None
    skill: Code | None
    technician: Code | None
    team: Code | None
    active: bool


class RuleList(Out):
    rules: list[RuleOut]


class RulePath(Query):
    rule_id: Id


@api.get("/maintenance/rules", responses=answers((200, RuleList)))
def maintenance_rules_list():
    """Assignment rules in the order they are tried."""
    return jsonify({"rules": [assignment.rule_dict(r) for r in assignment.list_rules()]})


@api.post("/maintenance/rules", responses=answers((201, RuleOut), 404))
@require_role(*PLANNERS)
def maintenance_rules_create(body: RuleCreate):
    """Add an assignment rule (to one technician or one team, who must be active)."""
    return jsonify(assignment.rule_dict(assignment.create_rule(**body.model_dump(exclude_unset=True)))), 201


@api.patch("/maintenance/rules/<int:rule_id>", responses=answers((200, RuleOut), 404))
@require_role(*PLANNERS)
def maintenance_rules_update(path: RulePath, body: RuleChange):
    """Change a rule; only the fields sent change."""
    return jsonify(assignment.rule_dict(assignment.update_rule(path.rule_id, body.model_dump(exclude_unset=True))))


@api.delete("/maintenance/rules/<int:rule_id>", responses=answers((204, None), 404))
@require_role(*PLANNERS)
def maintenance_rules_delete(path: RulePath):
    """Remove a rule; assignments it made keep their reason."""
    assignment.delete_rule(path.rule_id)
    return "", 204


def _user() -> str:
    return g.user.username
