"""JSON API for maintenance driven by the floor: preventive schedules, their calendar and
overrides, a scheduler pass, machine reliability (MTBF, MTTR, availability), the Pareto of
failures by machine, and technicians' notifications."""
from __future__ import annotations

from typing import Literal

from flask import Response, g, jsonify
from pydantic import ConfigDict, Field

from central.analysis import pareto_csv, pareto_json
from central.api.blueprint import api
from central.api.schemas import (Code, Date, DateOut, DateTime, DecimalOut, Money, Out, Qty, Query, Strict, Text, TimeOut,
                                 answers)
from central.auth import require_role
from central.errors import Forbidden
from central.maintenance import counters, reliability, schedules, staff
from central.maintenance.assets import get_asset
from central.maintenance.scheduler import run_pass
from central.models import Notification, utcnow
from central.models.maintenance_floor import CYCLE_SOURCES, SCHEDULE_TRIGGERS

PLANNERS = ("planner", "supervisor")
SUPERVISORS = ("supervisor",)


def _user() -> str:
    return g.user.username


class ScheduleCodePath(Query):
    code: Code


# --- schedules -------------------------------------------------------------------------------------

class ScheduleCreate(Strict):
    code: Code
    asset: Code
    template: Code = Field(description="the template each work order is made from")
    trigger: Literal[SCHEDULE_TRIGGERS] = Field(description="days, cycles or run_hours")
    interval: Qty = Field(description="every how many days (whole), cycles or run-hours; above zero")
    lead: Money = Field("0", description="open the work this many days, cycles or hours before it is due")
    floating: bool = Field(False, description="days only: the next due date runs from the last completion")
    cycle_source: Literal[CYCLE_SOURCES] = Field("outputs", description="cycles from reported outputs or counter readings")
    safety_critical: bool = Field(False, description="once overdue, stations refuse to start production on the machine")
    name: Text(128) = ""
    starts_at: DateTime | None = Field(None, description="days only: the first due time (default now + interval)")


class ScheduleUpdate(Strict):
    name: Text(128) | None = None
    template: Code | None = None
    interval: Qty | None = None
    lead: Money | None = None
    floating: bool | None = None
    cycle_source: Literal[CYCLE_SOURCES] | None = None
    safety_critical: bool | None = None
    active: bool | None = None
    due_at: DateTime | None = Field(None, description="days only: move the next due time")


class MaintenanceScheduleOut(Out):
    code: Code
    name: str
    asset: Code
    template: Code
    trigger: Literal[SCHEDULE_TRIGGERS]
    interval: DecimalOut
    lead: DecimalOut
    floating: bool
    cycle_source: Literal[CYCLE_SOURCES]
    safety_critical: bool
    active: bool
    counter: DecimalOut | None = Field(description="cycles or run-hours on the machine now (none for days)")
    due_at: TimeOut | None = Field(description="days: when the next work is due")
    due_value: DecimalOut | None = Field(description="cycles and run-hours: the count the next work is due at")
    remaining: DecimalOut | None = Field(description="days, cycles or hours until due; negative when overdue")
    overdue: bool
    open_work_order: Code | None
    last_done_at: TimeOut | None
    occurrences: int = Field(description="work orders the schedule has made")
    problem: str | None = Field(description="why the scheduler cannot evaluate it (flagged)")


class MaintenanceScheduleList(Out):
    schedules: list[MaintenanceScheduleOut]


class ScheduleQuery(Query):
    asset: Code | None = None
    active: bool | None = None


class OverrideBody(Strict):
    reason: Text(500, min_length=1)


class OverrideOut(Out):
    schedule: Code
    period: int
    reason: str
    by: str
    at: TimeOut


def _schedule(code: str) -> dict:
    s = schedules.get_schedule(code)
    counter = counters.counters_by_asset([s.asset_id]).get(s.asset_id)
    return schedules.schedule_dict(s, counter)


@api.get("/maintenance/schedules", responses=answers((200, MaintenanceScheduleList)))
def maintenance_schedules_list(query: ScheduleQuery):
    """Preventive schedules with their counter and next due."""
    rows = schedules.list_schedules(asset=query.asset, active=query.active)
    by_asset = counters.counters_by_asset({s.asset_id for s in rows})
    now = utcnow()
    return jsonify({"schedules": [schedules.schedule_dict(s, by_asset.get(s.asset_id), now) for s in rows]})


@api.post("/maintenance/schedules", responses=answers((201, MaintenanceScheduleOut), 404, 409))
@require_role(*PLANNERS)
def maintenance_schedules_create(body: ScheduleCreate):
    """A new preventive schedule on an asset."""
    values = body.model_dump(exclude_unset=True)
    s = schedules.create_schedule(by=_user(), **values)
    return jsonify(_schedule(s.code)), 201


@api.get("/maintenance/schedules/<code>", responses=answers((200, MaintenanceScheduleOut), 404))
def maintenance_schedules_get(path: ScheduleCodePath):
    """One schedule with where it stands."""
    return jsonify(_schedule(path.code))


@api.patch("/maintenance/schedules/<code>", responses=answers((200, MaintenanceScheduleOut), 404))
@require_role(*PLANNERS)
def maintenance_schedules_update(path: ScheduleCodePath, body: ScheduleUpdate):
    """Change a schedule (``active: false`` stops it)."""
    schedules.update_schedule(path.code, body.model_dump(exclude_unset=True), by=_user())
    return jsonify(_schedule(path.code))


@api.post("/maintenance/schedules/<code>/override", responses=answers((201, OverrideOut), 404, 409))
@require_role(*SUPERVISORS)
def maintenance_schedules_override(path: ScheduleCodePath, body: OverrideBody):
    """Let production start although the safety-critical work is overdue, until it is done; the reason is kept."""
    row = schedules.override(path.code, body.reason, by=_user())
    return jsonify({"schedule": path.code, "period": row.period, "reason": row.reason, "by": row.by,
                    "at": row.at.isoformat() + "Z"}), 201


class SchedulerPassOut(Out):
    made: list[Code] = Field(description="work orders made by this pass")
    skipped: bool = Field(description="another scheduler held the lock")


@api.post("/maintenance/scheduler/run", responses=answers((200, SchedulerPassOut)))
@require_role(*PLANNERS)
def maintenance_scheduler_run():
    """Run one scheduler pass now (the scheduler process does this every minute)."""
    made = run_pass()
    return jsonify({"made": made or [], "skipped": made is None})


# --- calendar ----------------------------------------------------------------------------------------

class CalendarQuery(Query):
    weeks: int = Field(8, ge=1, le=52, description="how many weeks ahead")


class CalendarEntry(Out):
    day: DateOut
    schedule: Code
    name: str
    asset: Code
    trigger: Literal[SCHEDULE_TRIGGERS]
    kind: Literal["due", "planned", "estimated", "overdue"] = Field(
        description="due: the next work of a days schedule; planned: later dates; estimated: from the counter's rate")
    safety_critical: bool
    work_order: Code | None


class UndatedSchedule(Out):
    schedule: Code
    name: str
    asset: Code
    trigger: Literal[SCHEDULE_TRIGGERS]
    safety_critical: bool
    work_order: Code | None
    remaining: str = Field(description="what is left until due, with its unit")


class CalendarOut(Out):
    since: DateOut = Field(alias="from")
    until: DateOut
    weeks: int
    entries: list[CalendarEntry]
    undated: list[UndatedSchedule] = Field(description="cycle and run-hour schedules whose counter has not moved yet")


@api.get("/maintenance/calendar", responses=answers((200, CalendarOut)))
def maintenance_calendar(query: CalendarQuery):
    """Preventive work coming in the next weeks, by day."""
    cal = schedules.calendar(weeks=query.weeks)
    return jsonify({"from": cal["from"].isoformat(), "until": cal["until"].isoformat(), "weeks": cal["weeks"],
                    "entries": [dict(e, day=e["day"].isoformat()) for e in cal["entries"]], "undated": cal["undated"]})


# --- reliability ------------------------------------------------------------------------------------

class ReliabilityPeriodQuery(Query):
    since: Date | None = Field(None, description="first day (default 29 days before today)")
    until: Date | None = Field(None, description="last day (default today)")


class ReliabilityRow(Out):
    asset: Code
    name: str
    failures: int = Field(description="breakdown work orders opened in the period")
    downtime_hours: DecimalOut
    mttr_hours: DecimalOut | None = Field(description="mean time to repair: downtime per failure")
    mtbf_hours: DecimalOut | None = Field(description="mean time between failures: running time per failure")
    availability: DecimalOut | None = Field(description="running time / period, in %")


class ReliabilityOut(Out):
    since: DateOut
    until: DateOut
    machines: list[ReliabilityRow]


def _period(query: ReliabilityPeriodQuery):
    return reliability.period({"since": query.since.isoformat() if query.since else "",
                               "until": query.until.isoformat() if query.until else ""})


@api.get("/maintenance/reliability", responses=answers((200, ReliabilityOut)))
def maintenance_reliability(query: ReliabilityPeriodQuery):
    """MTBF, MTTR and availability of every machine asset over a period."""
    p = _period(query)
    return jsonify({"since": p.since.isoformat(), "until": p.until.isoformat(),
                    "machines": reliability.reliability_json(reliability.reliability(p))})


class CountersOut(Out):
    output_cycles: DecimalOut
    counter_cycles: DecimalOut
    last_reading: DecimalOut | None
    resets: int
    run_hours: DecimalOut
    down: bool


class AssetReliabilityOut(Out):
    since: DateOut
    until: DateOut
    reliability: ReliabilityRow
    counters: CountersOut | None = Field(description="the machine's running totals (none for an asset without a machine)")
    schedules: list[MaintenanceScheduleOut]


@api.get("/maintenance/assets/<code>/reliability", responses=answers((200, AssetReliabilityOut), 404))
def maintenance_assets_reliability(path: ScheduleCodePath, query: ReliabilityPeriodQuery):
    """One asset: MTBF, MTTR, availability, its machine's counters and its schedules with their next due."""
    asset = get_asset(path.code)
    p = _period(query)
    counter = counters.counters_by_asset([asset.id]).get(asset.id)
    return jsonify({"since": p.since.isoformat(), "until": p.until.isoformat(),
                    "reliability": reliability.reliability_json(reliability.reliability(p, assets=[asset]))[0],
                    "counters": counters.counter_dict(counter, utcnow()) if asset.machine_id else None,
                    "schedules": schedules.asset_schedules(asset)})


class FailureParetoQuery(ReliabilityPeriodQuery):
    measure: Literal["count", "minutes"] = Field("count", description="count of work orders or minutes of downtime")
    format: Literal["json", "csv"] = "json"


class FailureParetoRow(Out):
    code: str = Field(description="asset / failure code")
    category: str
    description: str
    count: int
    qty: DecimalOut
    minutes: DecimalOut
    share: DecimalOut
    cumulative: DecimalOut


class FailureParetoOut(Out):
    model_config = ConfigDict(extra="forbid", openapi_extra={
        "description": "the Pareto; with format=csv the same rows as CSV",
        "content": {"text/csv": {"schema": {"type": "string"}}}})

    measure: str
    filter: dict
    total: DecimalOut
    rows: list[FailureParetoRow]


@api.get("/maintenance/failure-pareto", responses=answers((200, FailureParetoOut)))
def maintenance_failure_pareto(query: FailureParetoQuery):
    """Corrective work finished in the period by machine and failure code, largest first (or as CSV)."""
    result = reliability.failure_pareto(_period(query), query.measure)
    if query.format == "csv":
        return Response(pareto_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=failure-pareto.csv"})
    return jsonify(pareto_json(result))


# --- notifications -----------------------------------------------------------------------------------

class NotificationOut(Out):
    id: int
    work_order: Code | None
    text: str
    created_at: TimeOut
    read_at: TimeOut | None


class NotificationList(Out):
    notifications: list[NotificationOut]
    unread: int


class NotificationQuery(Query):
    unread: bool = Field(False, description="only those not read yet")


def _me():
    me = staff.technician_of(g.user)
    if me is None:
        raise Forbidden("technician", "your login is not a technician's")
    return me


@api.get("/maintenance/notifications", responses=answers((200, NotificationList)))
def maintenance_notifications(query: NotificationQuery):
    """The signed-in technician's notifications, newest first (the latest 100)."""
    me = _me()
    rows = Notification.select().where(Notification.technician == me.id)
    if query.unread:
        rows = rows.where(Notification.read_at.is_null())
    unread = Notification.select().where(Notification.technician == me.id, Notification.read_at.is_null()).count()
    return jsonify({"unread": unread, "notifications": [
        {"id": n.id, "work_order": n.work_order.number if n.work_order_id else None, "text": n.text,
         "created_at": n.created_at.isoformat() + "Z", "read_at": n.read_at.isoformat() + "Z" if n.read_at else None}
        for n in rows.order_by(Notification.id.desc()).limit(100)]})


class NotificationsReadOut(Out):
    read: int


@api.post("/maintenance/notifications/read", responses=answers((200, NotificationsReadOut)))
def maintenance_notifications_read():
    """Mark every notification of the signed-in technician read."""
    me = _me()
    n = (Notification.update(read_at=utcnow())
         .where(Notification.technician == me.id, Notification.read_at.is_null()).execute())
    return jsonify({"read": n})

