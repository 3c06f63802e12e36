"""JSON API for maintenance work: work orders (lifecycle, assignees, time, checklist, fields,
parts, contractors, cost), a technician's list, open work by asset, and work requests."""
from __future__ import annotations

from typing import Literal

from flask import g, jsonify
from pydantic import Field

from central.api.blueprint import api
from central.api.maintenance_setup import CostOut
from central.api.schemas import (Code, DateTime, DecimalOut, Money, Out, PageQuery, Qty, Query, Strict, Text,
                                 TimeOut, Whole, answers, link, page_of, with_links)
from central.auth import require_role
from central.errors import Forbidden
from central.maintenance import assignment, breakdowns, lifecycle, requests, staff, worklog
from central.maintenance.workorders import (create_work_order, my_work, open_by_asset, search_query,
                                            work_order_dict)
from central.models.maintenance import MWO_SOURCES, MWO_STATUSES, MWO_TYPES, PRIORITIES, REQUEST_STATUSES

PLANNERS = ("planner", "supervisor")
SUPERVISORS = ("supervisor",)
WORKERS = ("technician", "supervisor")


class NumberPath(Query):
    number: Code


# --- response shapes -------------------------------------------------------------------------------

class TemplateRef(Out):
    code: Code
    version: int


class MaintenanceWorkOrderOut(Out):
    model_config = with_links(
        GetWorkOrder=link("maintenance_work_orders_get", parameters={"number": "$response.body#/number"}),
        StartWorkOrder=link("maintenance_work_orders_start", parameters={"number": "$response.body#/number"}))

    number: Code
    asset: Code
    type: Literal[MWO_TYPES]
    priority: Literal[PRIORITIES]
    status: Literal[MWO_STATUSES]
    title: str
    description: str
    hold_reason: str | None
    cancel_reason: str | None
    due: TimeOut | None
    source: Literal[MWO_SOURCES]
    template: TemplateRef | None
    parent: Code | None = Field(description="the work order whose failed check opened this one")
    required_skill: Code | None
    requires_signoff: bool
    signed_off_by: str | None
    signed_off_at: TimeOut | None
    flagged: bool
    created_by: str
    created_at: TimeOut
    started_at: TimeOut | None
    done_at: TimeOut | None
    failure: Code | None = Field(description="failure code (reason catalogue) given when corrective work was finished")
    cause: Code | None = Field(description="cause code")
    remedy: Code | None = Field(description="remedy code")


class AssigneeOut(Out):
    technician: Code
    name: str
    rule: int | None = Field(description="id of the rule that assigned, none when a person did")
    why: str
    assigned_by: str
    assigned_at: TimeOut


class FieldOut(Out):
    name: str
    label: str
    kind: str
    required: bool
    unit: str | None = None
    min: str | None = None
    max: str | None = None
    choices: list[str] | None = None
    value: str | None


class StepOut(Out):
    step: int
    text: str
    kind: str
    unit: str | None = None
    min: str | None = None
    max: str | None = None
    result: str | None
    reading: DecimalOut | None
    ok: bool | None
    by: str | None


class TimeEntryOut(Out):
    technician: Code
    started_at: TimeOut
    ended_at: TimeOut | None
    minutes: DecimalOut | None
    cost: DecimalOut | None
    note: str


class PartOut(Out):
    item: Code
    batch: Code | None
    location: Code
    qty: DecimalOut
    value: DecimalOut = Field(description="what the stock ledger booked (FIFO or average cost)")
    flagged: bool = Field(description="more was used than stock showed")


class ContractorJobOut(Out):
    contractor: Code
    company: str
    agreed_price: DecimalOut
    scope: str


class LogOut(Out):
    at: TimeOut
    kind: str
    text: str
    by: str


class DowntimeOut(Out):
    machine: str
    station: Code
    operator: str | None
    reason: Code
    note: str
    down_at: TimeOut
    up_at: TimeOut | None
    minutes: DecimalOut | None = Field(description="how long it was down, once it runs again")


class WorkOrderFullOut(MaintenanceWorkOrderOut):
    assignees: list[AssigneeOut]
    fields: list[FieldOut]
    checklist: list[StepOut]
    time: list[TimeEntryOut]
    parts: list[PartOut]
    contractors: list[ContractorJobOut]
    log: list[LogOut]
    cost: CostOut = Field(description="labour (closed time × rate) + parts + contractors")
    downtime: list[DowntimeOut] = Field(description="the down reports from the stations linked to a breakdown")


WorkOrderPage = page_of("work_orders", MaintenanceWorkOrderOut)


def _full(number: str):
    return jsonify(work_order_dict(lifecycle.get_work_order(number), full=True))


def _user() -> str:
    return g.user.username


def _technician(code: str | None) -> str:
    """The technician acting: named in the body (supervisors), else the caller's own."""
    if code and (g.user.role in ("admin", "supervisor")):
        return code
    me = staff.technician_of(g.user)
    if me is None:
        raise Forbidden("technician", "this login is not a technician's")
    if code and code != me.code:
        raise Forbidden("technician", "only a supervisor books time for someone else")
    return me.code


# --- work orders -------------------------------------------------------------------------------------

class MaintenanceWorkOrderQuery(PageQuery):
    q: Text(100, description="number (exact), asset code (exact), or text in title or description") | None = None
    asset: Code | None = None
    area: Code | None = None
    status: Literal[("open",) + MWO_STATUSES] | None = Field(None, description="open = any status not done or cancelled")


class MaintenanceWorkOrderCreate(Strict):
    asset: Code
    title: Text(200) | None = Field(None, description="default: the template's title, else the description's first line")
    description: Text(5000) = ""
    type: Literal[MWO_TYPES] | None = None
    priority: Literal[PRIORITIES] | None = None
    due: DateTime | None = None
    template: Code | None = Field(None, description="take title, type, priority, fields and checklist from its current version")
    required_skill: Code | None = None
    requires_signoff: bool | None = None
    auto_assign: bool = Field(True, description="apply the assignment rules")


class Reason(Strict):
    reason: Text(500, min_length=1)


class AssignBody(Strict):
    technician: Code
    why: Text(500) = ""


class TechnicianPath(NumberPath):
    technician: Code


class TimerBody(Strict):
    technician: Code | None = Field(None, description="default: the caller's technician")
    note: Text(1000) = ""


class TimeBody(Strict):
    technician: Code | None = Field(None, description="default: the caller's technician")
    started_at: DateTime
    minutes: Qty | None = Field(None, description="minutes, or send ended_at")
    ended_at: DateTime | None = None
    note: Text(1000) = ""


class NoteBody(Strict):
    text: Text(5000, min_length=1)


class FieldsBody(Strict):
    values: dict[Text(64), Text(2000) | float | int | bool | None] = Field(
        max_length=50, description="field name → value (numbers, choices, true/false, dates YYYY-MM-DD)")


class CheckPath(NumberPath):
    step: Whole(0, 1000) = Field(description="checklist step, from 0")


class CheckBody(Strict):
    result: Literal["done", "pass", "fail"] | None = Field(None, description="tick steps: done; pass/fail steps: pass or fail")
    reading: Text(40) | float | int | None = Field(None, description="reading steps: the number read")
    note: Text(1000) = ""
    follow_up: bool = Field(False, description="a failed step or a reading outside limits opens a follow-up work order")


class PartBody(Strict):
    qty: Qty
    item: Code | None = None
    batch: Code | None = None
    code: Text(200) | None = Field(None, description="a scanned code: batch, item or GS1 element string")
    location: Code | None = None
    unit: Code | None = None


class ContractorBody(Strict):
    contractor: Code
    agreed_price: Money
    scope: Text(1000) = ""


class SignoffBody(Strict):
    required: bool


@api.get("/maintenance/work-orders", responses=answers((200, WorkOrderPage)))
def maintenance_work_orders_list(query: MaintenanceWorkOrderQuery):
    """Search maintenance work orders by number, asset and text, newest first."""
    rows = search_query(text=query.q or "", asset=query.asset, status=query.status, area=query.area)
    page = rows.limit(query.limit).offset(query.offset)
    return jsonify({"work_orders": [work_order_dict(w) for w in page], "total": rows.count(),
                    "limit": query.limit, "offset": query.offset})


@api.post("/maintenance/work-orders", responses=answers((201, WorkOrderFullOut), 404))
@require_role(*PLANNERS)
def maintenance_work_orders_create(body: MaintenanceWorkOrderCreate):
    """Open a maintenance work order; the assignment rules pick who does it."""
    values = body.model_dump(exclude_unset=True)
    auto = values.pop("auto_assign", True)
    wo = create_work_order(by=_user(), auto=auto, **values)
    return jsonify(work_order_dict(wo, full=True)), 201


@api.get("/maintenance/work-orders/<number>", responses=answers((200, WorkOrderFullOut), 404))
def maintenance_work_orders_get(path: NumberPath):
    """A work order with assignees, fields, checklist, time, parts, contractors, log and cost."""
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/start", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_work_orders_start(path: NumberPath):
    """Work begins."""
    lifecycle.start(path.number, by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/hold", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_work_orders_hold(path: NumberPath, body: Reason):
    """Put work on hold with a reason; running timers stop."""
    lifecycle.hold(path.number, body.reason, by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/resume", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_work_orders_resume(path: NumberPath):
    """Take work off hold."""
    lifecycle.resume(path.number, by=_user())
    return _full(path.number)


class MaintenanceCompleteBody(Strict):
    failure: Code | None = Field(None, description="failure code (category failure)")
    cause: Code | None = Field(None, description="cause code (category cause)")
    remedy: Code | None = Field(None, description="remedy code (category remedy)")


@api.post("/maintenance/work-orders/<number>/complete", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_work_orders_complete(path: NumberPath, body: MaintenanceCompleteBody):
    """Work is done: required fields filled and every checklist step answered; corrective work
    takes failure, cause and remedy codes from the reason catalogue."""
    breakdowns.finish(path.number, **body.model_dump(exclude_none=True), by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/cancel", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_work_orders_cancel(path: NumberPath, body: Reason):
    """Cancel work with a reason."""
    lifecycle.cancel(path.number, body.reason, by=_user())
    return _full(path.number)


@api.put("/maintenance/work-orders/<number>/requires-signoff", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_work_orders_require_signoff(path: NumberPath, body: SignoffBody):
    """Require (or stop requiring) a supervisor's sign-off after done."""
    worklog.require_signoff(path.number, body.required, by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/sign-off", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_work_orders_sign_off(path: NumberPath):
    """Sign off done work that requires it."""
    worklog.sign_off(path.number, by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/assignees", responses=answers((201, WorkOrderFullOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_assignees_add(path: NumberPath, body: AssignBody):
    """Put a technician on the work order."""
    assignment.assign(path.number, body.technician, by=_user(), why=body.why)
    return _full(path.number), 201


@api.post("/maintenance/work-orders/<number>/reassign", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_assignees_reassign(path: NumberPath, body: AssignBody):
    """Give the work to this technician instead of everyone on it now."""
    assignment.reassign(path.number, body.technician, by=_user(), why=body.why)
    return _full(path.number)


@api.delete("/maintenance/work-orders/<number>/assignees/<technician>", responses=answers((204, None), 404))
@require_role(*SUPERVISORS)
def maintenance_assignees_remove(path: TechnicianPath):
    """Take a technician off the work order."""
    assignment.unassign(path.number, path.technician, by=_user())
    return "", 204


@api.post("/maintenance/work-orders/<number>/timer/start", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_timer_start(path: NumberPath, body: TimerBody):
    """Start a technician's timer (any other timer of theirs stops); the work goes in progress."""
    worklog.start_timer(path.number, _technician(body.technician), by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/timer/stop", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_timer_stop(path: NumberPath, body: TimerBody):
    """Stop the technician's running timer on this work order."""
    worklog.stop_timer(path.number, _technician(body.technician), note=body.note, by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/time", responses=answers((201, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_time_add(path: NumberPath, body: TimeBody):
    """Enter time afterwards: a start and minutes or an end."""
    worklog.add_time(path.number, _technician(body.technician), started_at=body.started_at, minutes=body.minutes,
                     ended_at=body.ended_at, note=body.note, by=_user())
    return _full(path.number), 201


@api.post("/maintenance/work-orders/<number>/notes", responses=answers((201, WorkOrderFullOut), 404))
@require_role(*WORKERS)
def maintenance_notes_add(path: NumberPath, body: NoteBody):
    """Add a note to the log."""
    lifecycle.add_note(path.number, body.text, by=_user())
    return _full(path.number), 201


@api.put("/maintenance/work-orders/<number>/fields", responses=answers((200, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_fields_set(path: NumberPath, body: FieldsBody):
    """Fill in custom fields; each value is checked against the template version's definition."""
    values = {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in body.values.items()}
    worklog.set_fields(path.number, values, by=_user())
    return _full(path.number)


@api.post("/maintenance/work-orders/<number>/checklist/<int:step>", responses=answers((201, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_checklist_answer(path: CheckPath, body: CheckBody):
    """Answer a checklist step once; a failure flags the work order (and may open a follow-up)."""
    worklog.record_check(path.number, path.step, result=body.result, reading=body.reading, note=body.note,
                         follow_up=body.follow_up, by=_user())
    return _full(path.number), 201


@api.post("/maintenance/work-orders/<number>/parts", responses=answers((201, WorkOrderFullOut), 404, 409))
@require_role(*WORKERS)
def maintenance_parts_issue(path: NumberPath, body: PartBody):
    """Issue a part from stock (same stock functions and ledger as production); a shortfall is booked and flagged."""
    item, batch = body.item, body.batch
    if body.code:
        scanned = worklog.resolve_part(body.code)
        item, batch = (None, scanned.batch) if scanned.batch else (scanned.item, None)
    worklog.issue_part(path.number, qty=body.qty, item=item, batch=batch, location=body.location, unit=body.unit,
                       by=_user())
    return _full(path.number), 201


@api.post("/maintenance/work-orders/<number>/contractors", responses=answers((201, WorkOrderFullOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_contractors_engage(path: NumberPath, body: ContractorBody):
    """Engage a contractor on the work order at an agreed price."""
    worklog.add_contractor(path.number, body.contractor, agreed_price=body.agreed_price, scope=body.scope, by=_user())
    return _full(path.number), 201


class MyWorkOut(Out):
    technician: Code
    work_orders: list[MaintenanceWorkOrderOut]


class OpenByAssetRow(Out):
    code: Code
    name: str
    criticality: str
    open: int
    urgent: int
    flagged: int
    oldest: TimeOut


class OpenByAsset(Out):
    assets: list[OpenByAssetRow]


class AreaQuery(Query):
    area: Code | None = None


@api.get("/maintenance/my-work", responses=answers((200, MyWorkOut)))
@require_role(*WORKERS)
def maintenance_my_work():
    """The caller's open work, urgent first, then by due date."""
    me = staff.technician_of(g.user)
    if me is None:
        raise Forbidden("technician", "this login is not a technician's")
    return jsonify({"technician": me.code, "work_orders": [work_order_dict(w) for w in my_work(me)]})


@api.get("/maintenance/open-by-asset", responses=answers((200, OpenByAsset)))
def maintenance_open_by_asset(query: AreaQuery):
    """Open work grouped by asset, oldest first."""
    rows = open_by_asset(area=query.area)
    return jsonify({"assets": [{**r, "open": int(r["open"]), "urgent": int(r["urgent"] or 0),
                                "flagged": int(r["flagged"] or 0), "oldest": _iso(r["oldest"])} for r in rows]})


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value).replace(" ", "T")


# --- requests ------------------------------------------------------------------------------------------

class RequestOut(Out):
    model_config = with_links(
        GetRequest=link("maintenance_requests_get", parameters={"number": "$response.body#/number"}))

    number: Code
    asset: Code
    description: str
    status: Literal[REQUEST_STATUSES]
    work_order: Code | None
    decision: str | None
    created_at: TimeOut
    decided_at: TimeOut | None
    reporter: str
    reported_by: str | None
    decided_by: str | None


RequestPage = page_of("requests", RequestOut)


class RequestQuery(PageQuery):
    status: Literal[REQUEST_STATUSES] | None = None
    asset: Code | None = None


class RequestCreate(Strict):
    asset: Code
    description: Text(2000, min_length=1)


class ApproveBody(Strict):
    title: Text(200) | None = None
    type: Literal[MWO_TYPES] | None = None
    priority: Literal[PRIORITIES] | None = None
    template: Code | None = None
    required_skill: Code | None = None
    due: DateTime | None = None


class MergeBody(Strict):
    into: Code = Field(description="an open work order on the same asset")


@api.get("/maintenance/requests", responses=answers((200, RequestPage)))
def maintenance_requests_list(query: RequestQuery):
    """Work requests; new ones oldest first, decided ones newest first."""
    rows = requests.requests_query(status=query.status, asset=query.asset)
    return jsonify({"requests": [requests.request_dict(r) for r in rows.limit(query.limit).offset(query.offset)],
                    "total": rows.count(), "limit": query.limit, "offset": query.offset})


@api.post("/maintenance/requests", responses=answers((201, RequestOut), 404))
def maintenance_requests_create(body: RequestCreate):
    """Report a problem with an asset (any signed-in caller)."""
    row = requests.submit_request(asset=body.asset, description=body.description,
                                  reporter=g.user.full_name or g.user.username, user=g.user.username)
    return jsonify(requests.request_dict(requests.get_request(row.number))), 201


@api.get("/maintenance/requests/<number>", responses=answers((200, RequestOut), 404))
def maintenance_requests_get(path: NumberPath):
    """One work request."""
    return jsonify(requests.request_dict(requests.get_request(path.number)))


@api.post("/maintenance/requests/<number>/approve", responses=answers((200, RequestOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_requests_approve(path: NumberPath, body: ApproveBody):
    """Turn the request into a work order (once); it goes through the assignment rules."""
    return jsonify(requests.request_dict(requests.approve(path.number, by=_user(), **body.model_dump(exclude_unset=True))))


@api.post("/maintenance/requests/<number>/merge", responses=answers((200, RequestOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_requests_merge(path: NumberPath, body: MergeBody):
    """Attach the request to open work on the same asset."""
    return jsonify(requests.request_dict(requests.merge(path.number, body.into, by=_user())))


@api.post("/maintenance/requests/<number>/reject", responses=answers((200, RequestOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_requests_reject(path: NumberPath, body: Reason):
    """Turn the request down with a reason the reporter sees."""
    return jsonify(requests.request_dict(requests.reject(path.number, body.reason, by=_user())))


