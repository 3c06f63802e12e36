"""Preventive maintenance schedules: every N days (fixed dates or floating from the last
completion), every N cycles or every N run-hours of the asset's machine, each with a lead time
and a template.

``evaluate`` is one scheduler pass: it reads the active schedules and their machines' running
totals (one query each), and opens a work order for each one that is due, never a second while
the previous is open. A work order is made under the schedule's row lock and numbered
``(schedule, n)`` with a unique index, so a pass that is killed, restarted or run twice at once
makes each due work order exactly once. Completing the work resets the schedule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import peewee as pw

from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.flags import raise_flag
from central.maintenance import counters
from central.maintenance.assets import get_asset
from central.maintenance.checks import check_choice, check_datetime, check_description, insert_new, transaction
from central.maintenance.lifecycle import write_log
from central.maintenance.templates import get_template
from central.maintenance.workorders import create_work_order
from central.models import (Asset, BlockOverride, MachineCounter, MaintenanceSchedule, MaintenanceTemplate,
                            MaintenanceWorkOrder, ScheduleRun, utcnow)
from central.models.maintenance_floor import CYCLE_SOURCES, SCHEDULE_TRIGGERS
from central.operators import check_bool, check_code, check_text

UNITS = {"days": "days", "cycles": "cycles", "run_hours": "run-hours"}
FIELDS = {"name", "template", "interval", "lead", "floating", "cycle_source", "safety_critical", "active", "due_at"}


def _number(field: str, value, *, whole: bool = False, positive: bool = True) -> Decimal:
    """A number from a form or JSON: refused naming the field when it is not one, or not above zero."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError(field, "is required: a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(field, f"must be a number, got {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise ValidationError(field, "must be a finite number")
    if positive and number <= 0:
        raise ValidationError(field, f"must be greater than zero, got {number}")
    if not positive and number < 0:
        raise ValidationError(field, f"must not be negative, got {number}")
    if whole and number != number.to_integral_value():
        raise ValidationError(field, f"must be a whole number of days, got {number}")
    if number > Decimal(10) ** 9:
        raise ValidationError(field, f"must be at most 1000000000, got {number}")
    return number


def get_schedule(code: str, field: str = "schedule") -> MaintenanceSchedule:
    """The schedule with this code; NotFound naming ``field``."""
    row = MaintenanceSchedule.get_or_none(MaintenanceSchedule.code == code)
    if row is None:
        raise NotFound(field, f"no maintenance schedule {code!r}")
    return row


def create_schedule(*, code, asset, template, trigger, interval, lead=0, floating=False, cycle_source="outputs",
                    safety_critical=False, name="", starts_at=None, by: str, now: datetime | None = None
                    ) -> MaintenanceSchedule:
    """A new schedule; it counts from now (cycles and run-hours) or from ``starts_at`` (days)."""
    now = now or utcnow()
    code = check_code("code", code)
    trigger = check_choice("trigger", trigger, SCHEDULE_TRIGGERS)
    interval = _number("interval", interval, whole=trigger == "days")
    lead = _number("lead", lead or 0, positive=False)
    if lead >= interval:
        raise ValidationError("lead", f"must be less than the interval ({interval.normalize():f} {UNITS[trigger]})")
    source = check_choice("cycle_source", cycle_source or "outputs", CYCLE_SOURCES)
    floating = check_bool("floating", floating)
    if floating and trigger != "days":
        raise ValidationError("floating", "only a schedule in days floats from the last completion")
    first = check_datetime("starts_at", starts_at)
    with transaction():
        the_asset = get_asset(check_code("asset", asset))
        if not the_asset.active:
            raise ValidationError("asset", f"asset {the_asset.code} is retired")
        if trigger != "days" and not the_asset.machine_id:
            raise ValidationError("asset", f"asset {the_asset.code} has no machine: cycles and run-hours come "
                                           f"from its machine's stations")
        tmpl = get_template(check_code("template", template))
        if not tmpl.active:
            raise ValidationError("template", f"template {tmpl.code} is retired")
        baseline = Decimal(0)
        if trigger != "days":
            counter = counters.ensure_counters([the_asset.machine_id], now)[the_asset.machine_id]
            baseline = counters.value(counter, trigger, source, now)
        due_at = (first or now + timedelta(days=int(interval))) if trigger == "days" else None
        return insert_new(MaintenanceSchedule, code, "schedule", name=check_text("name", name, 128) or tmpl.name,
                          asset=the_asset.id, template=tmpl.id, trigger=trigger, interval=interval, lead=lead,
                          floating=floating, cycle_source=source, safety_critical=check_bool("safety_critical",
                                                                                              safety_critical),
                          due_at=due_at, baseline=baseline, created_by=by, created_at=now)


def update_schedule(code: str, changes: dict, *, by: str) -> MaintenanceSchedule:
    """Change a schedule's name, template, interval, lead, safety flag, active flag or next due time."""
    unknown = set(changes) - FIELDS
    if unknown:
        raise ValidationError(sorted(unknown)[0], "is not a field of a schedule that can be changed")
    with transaction():
        row = get_schedule(code)
        if isinstance(database.obj, pw.PostgresqlDatabase):
            row = MaintenanceSchedule.select().where(MaintenanceSchedule.id == row.id).for_update().get()
        values: dict = {}
        if "name" in changes:
            values["name"] = check_text("name", changes["name"], 128)
        if "template" in changes:
            tmpl = get_template(check_code("template", changes["template"]))
            if not tmpl.active:
                raise ValidationError("template", f"template {tmpl.code} is retired")
            values["template"] = tmpl.id
        interval = _number("interval", changes["interval"], whole=row.trigger == "days") if "interval" in changes else row.interval
        lead = _number("lead", changes["lead"], positive=False) if "lead" in changes else row.lead
        if lead >= interval:
            raise ValidationError("lead", f"must be less than the interval ({interval.normalize():f} {UNITS[row.trigger]})")
        values.update(interval=interval, lead=lead, problem=None)
        if "floating" in changes:
            values["floating"] = check_bool("floating", changes["floating"])
            if values["floating"] and row.trigger != "days":
                raise ValidationError("floating", "only a schedule in days floats from the last completion")
        if "cycle_source" in changes:
            values["cycle_source"] = check_choice("cycle_source", changes["cycle_source"], CYCLE_SOURCES)
        for flag in ("safety_critical", "active"):
            if flag in changes:
                values[flag] = check_bool(flag, changes[flag])
        if "due_at" in changes:
            if row.trigger != "days":
                raise ValidationError("due_at", "only a schedule in days has a due time; the others follow the counter")
            values["due_at"] = check_datetime("due_at", changes["due_at"], required=True)
            values["overdue_since"] = None
        MaintenanceSchedule.update(**values).where(MaintenanceSchedule.id == row.id).execute()
        return get_schedule(code)


def list_schedules(*, asset: str | None = None, active: bool | None = None) -> list[MaintenanceSchedule]:
    """Schedules by asset then code."""
    query = (MaintenanceSchedule.select(MaintenanceSchedule, Asset, MaintenanceTemplate).join(Asset)
             .switch(MaintenanceSchedule).join(MaintenanceTemplate).order_by(Asset.code, MaintenanceSchedule.code))
    if asset:
        query = query.where(Asset.code == asset)
    if active is not None:
        query = query.where(MaintenanceSchedule.active == active)
    return list(query)


# --- where a schedule stands ----------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """A schedule at one moment: its counter, when or at what count it is due, whether work is to be made."""

    value: Decimal | None  # the counter now (cycles or run-hours), None for days
    due_at: datetime | None  # days: the due time
    due_value: Decimal | None  # cycles and run-hours: the count it is due at
    remaining: Decimal  # days, cycles or hours until due (negative: overdue)
    make: bool  # within the lead time (or past due)
    overdue: bool


def standing(s: MaintenanceSchedule, counter: MachineCounter | None, now: datetime) -> Standing:
    """Where ``s`` stands at ``now``."""
    if s.trigger == "days":
        remaining = Decimal(str(round((s.due_at - now).total_seconds() / 86400, 3)))
        return Standing(None, s.due_at, None, remaining, remaining <= s.lead, now >= s.due_at)
    value = counters.value(counter, s.trigger, s.cycle_source, now)
    due_value = s.baseline + s.interval
    remaining = due_value - value
    return Standing(value, None, due_value, remaining, remaining <= s.lead, remaining <= 0)


def _rows(asset_ids=None) -> list:
    """The active schedules with their asset and their machine's counter, as light named tuples
    (model objects for a thousand joined rows cost ten times the query)."""
    S, C = MaintenanceSchedule, MachineCounter
    query = (S.select(S.id, S.code, S.asset, Asset.code.alias("asset_code"), Asset.active.alias("asset_active"),
                      S.trigger, S.interval, S.lead, S.due_at, S.baseline, S.cycle_source, S.overdue_since,
                      S.open_work_order, S.problem, C.output_cycles, C.counter_cycles, C.run_seconds,
                      C.running_since, C.down)
             .join(Asset).join(C, pw.JOIN.LEFT_OUTER, on=(C.machine == Asset.machine))
             .where(S.active == True))  # noqa: E712
    if asset_ids is not None:
        query = query.where(S.asset.in_(list(asset_ids)))
    return list(query.namedtuples())


def evaluate(now: datetime | None = None, *, asset_ids=None, by: str = "scheduler") -> list[str]:
    """One pass: open the work that is due (within its lead time) and note what became overdue.

    Returns the numbers of the work orders made. Runs inside the caller's transaction when there
    is one (the ingest), else in its own.
    """
    now = now or utcnow()
    with transaction():
        if asset_ids is not None and not asset_ids:
            return []
        made: list[str] = []
        for s in _rows(asset_ids):
            if s.interval <= 0 or (s.trigger == "days" and s.due_at is None):
                _problem(s, f"interval {s.interval.normalize():f} is not above zero" if s.interval <= 0
                         else "it has no due time")
                continue
            if not s.asset_active:
                continue
            counter = s if s.trigger != "days" and s.run_seconds is not None else None
            st = standing(s, counter, now)
            if st.overdue and s.overdue_since is None:
                since = s.due_at if s.trigger == "days" else now
                MaintenanceSchedule.update(overdue_since=since).where(MaintenanceSchedule.id == s.id).execute()
            if st.make and s.open_work_order is None:
                number = _make(s.id, st, now, by)
                if number:
                    made.append(number)
        return made


def _problem(s, problem: str) -> None:
    """A schedule the scheduler cannot evaluate: recorded on it and flagged once."""
    if s.problem == problem:
        return
    MaintenanceSchedule.update(problem=problem).where(MaintenanceSchedule.id == s.id).execute()
    raise_flag("maintenance_schedule", f"schedule {s.code} on {s.asset_code} is not evaluated: {problem}",
               subject=s.code)


def _make(schedule_id: int, st: Standing, now: datetime, by: str) -> str | None:
    """Open the schedule's next work order, under its row lock; None when another pass made it already."""
    query = MaintenanceSchedule.select().where(MaintenanceSchedule.id == schedule_id)
    if isinstance(database.obj, pw.PostgresqlDatabase):
        query = query.for_update()
    s = query.get()
    if s.open_work_order_id is not None:
        return None
    number = s.occurrences + 1
    unit = UNITS[s.trigger]
    if s.trigger == "days":
        due, what = s.due_at, f"due {s.due_at.date().isoformat()}"
    else:
        due = None
        what = (f"due at {st.due_value.normalize():f} {unit} (now {st.value.normalize():f}; every "
                f"{s.interval.normalize():f})")
    wo = create_work_order(asset=s.asset.code, template=s.template.code, type="preventive", due=due,
                           description=f"Preventive maintenance from schedule {s.code} ({s.name}), {what}.",
                           source="preventive", by=by, at=now)
    ScheduleRun.create(schedule=s.id, number=number, work_order=wo.id, due_at=due, due_value=st.due_value,
                       made_by=by, created_at=now)
    MaintenanceSchedule.update(occurrences=number, open_work_order=wo.id).where(MaintenanceSchedule.id == s.id).execute()
    write_log(wo, "schedule", f"made by schedule {s.code} (#{number}), {what}", by, now)
    return wo.number


def _schedule_of(wo: MaintenanceWorkOrder) -> MaintenanceSchedule | None:
    run = ScheduleRun.get_or_none(ScheduleRun.work_order == wo.id)
    return MaintenanceSchedule.get_by_id(run.schedule_id) if run is not None else None


def work_done(wo: MaintenanceWorkOrder, at: datetime) -> None:
    """The schedule's work is done: the counter starts again (days: the next date is set)."""
    s = _schedule_of(wo)
    if s is None or s.open_work_order_id != wo.id:
        return
    values: dict = {"open_work_order": None, "last_done_at": at, "overdue_since": None, "period": s.period + 1}
    if s.trigger == "days":
        step = timedelta(days=int(s.interval))
        if s.floating:
            values["due_at"] = at + step
        else:
            due = s.due_at + step
            while due <= at:  # whole periods missed while the work was late are skipped, not stacked
                due += step
            values["due_at"] = due
    else:
        counter = counters.ensure_counters([s.asset.machine_id], at)[s.asset.machine_id]
        values["baseline"] = counters.value(counter, s.trigger, s.cycle_source, at)
    MaintenanceSchedule.update(**values).where(MaintenanceSchedule.id == s.id).execute()
    write_log(wo, "schedule", f"schedule {s.code} starts again: next "
                              + (values["due_at"].date().isoformat() if "due_at" in values else
                                 f"at {(values['baseline'] + s.interval).normalize():f} {UNITS[s.trigger]}"), "scheduler", at)


def work_cancelled(wo: MaintenanceWorkOrder) -> None:
    """The schedule's work was cancelled: it is still due, so the next pass makes new work."""
    s = _schedule_of(wo)
    if s is not None and s.open_work_order_id == wo.id:
        MaintenanceSchedule.update(open_work_order=None).where(MaintenanceSchedule.id == s.id).execute()


# --- safety blocks -----------------------------------------------------------------------------

def override(code: str, reason, *, by: str, at: datetime | None = None) -> BlockOverride:
    """A supervisor lets production start on the machine although the safety-critical work is overdue
    (until that work is done); the reason is required and kept."""
    reason = check_description("reason", reason, max_length=500)
    with transaction():
        s = get_schedule(check_code("schedule", code))
        if not s.safety_critical:
            raise Conflict("schedule", f"schedule {s.code} is not safety-critical: it blocks nothing")
        if BlockOverride.select().where(BlockOverride.schedule == s.id, BlockOverride.period == s.period).exists():
            raise Conflict("schedule", f"schedule {s.code} is overridden already until its work is done")
        row = BlockOverride.create(schedule=s.id, period=s.period, reason=reason, by=by, at=at or utcnow())
        raise_flag("maintenance_override", f"{by} let production run on {s.asset.code} with safety-critical "
                                           f"schedule {s.code} overdue: {reason}", subject=s.code, severity="info")
        if s.open_work_order_id:
            write_log(MaintenanceWorkOrder.get_by_id(s.open_work_order_id), "override",
                      f"production allowed by {by} before this work is done: {reason}", by)
        return row


def blocks(now: datetime | None = None, *, asset_ids=None) -> list[dict]:
    """Safety-critical schedules overdue now and not overridden: what keeps production from starting."""
    now = now or utcnow()
    s = MaintenanceSchedule
    overridden = BlockOverride.select(BlockOverride.id).where(BlockOverride.schedule == s.id,
                                                              BlockOverride.period == s.period)
    query = (s.select(s, Asset).join(Asset)
             .where(s.active == True, s.safety_critical == True, ~pw.fn.EXISTS(overridden),  # noqa: E712
                    ((s.trigger == "days") & (s.due_at <= now)) | (s.overdue_since.is_null(False))))
    if asset_ids is not None:
        query = query.where(s.asset.in_(list(asset_ids)))
    out = []
    for row in query:
        wo = MaintenanceWorkOrder.get_by_id(row.open_work_order_id) if row.open_work_order_id else None
        out.append({"schedule": row.code, "name": row.name, "asset": row.asset.code,
                    "since": (row.due_at if row.trigger == "days" else row.overdue_since),
                    "work_order": wo.number if wo else None})
    return out


# --- the calendar and an asset's counters ------------------------------------------------------

def schedule_dict(s: MaintenanceSchedule, counter: MachineCounter | None = None, now: datetime | None = None) -> dict:
    """The JSON shape of a schedule with where it stands."""
    now = now or utcnow()
    st = standing(s, counter, now) if s.interval > 0 and (s.trigger != "days" or s.due_at) else None
    wo = MaintenanceWorkOrder.get_by_id(s.open_work_order_id) if s.open_work_order_id else None
    plain = lambda d: None if d is None else f"{d.normalize():f}"  # noqa: E731
    return {"code": s.code, "name": s.name, "asset": s.asset.code, "template": s.template.code, "trigger": s.trigger,
            "interval": plain(s.interval), "lead": plain(s.lead), "floating": s.floating,
            "cycle_source": s.cycle_source, "safety_critical": s.safety_critical, "active": s.active,
            "counter": plain(st.value) if st else None, "due_at": s.due_at.isoformat() + "Z" if s.due_at else None,
            "due_value": plain(st.due_value) if st else None, "remaining": plain(st.remaining) if st else None,
            "overdue": bool(st and st.overdue), "open_work_order": wo.number if wo else None,
            "last_done_at": s.last_done_at.isoformat() + "Z" if s.last_done_at else None,
            "occurrences": s.occurrences, "problem": s.problem}


def asset_schedules(asset: Asset, now: datetime | None = None) -> list[dict]:
    """An asset's schedules with their counter and next due, for its page and the API."""
    now = now or utcnow()
    counter = counters.counters_by_asset([asset.id]).get(asset.id)
    return [schedule_dict(s, counter, now) for s in list_schedules(asset=asset.code)]


def _estimate(s: MaintenanceSchedule, st: Standing, now: datetime) -> datetime | None:
    """When a counter schedule will be due, at the rate its counter grew since it last started again."""
    if st.remaining <= 0:
        return now
    since = s.last_done_at or s.created_at
    hours = Decimal(str(max((now - since).total_seconds(), 0) / 3600))
    grown = st.value - s.baseline
    if hours <= 0 or grown <= 0:
        return None
    return now + timedelta(hours=float(st.remaining * hours / grown))


def calendar(now: datetime | None = None, *, weeks: int = 8) -> dict:
    """Preventive work coming in the next ``weeks`` weeks: by day and by asset.

    Days schedules give their dates (fixed ones every interval; floating ones assume the work is
    done on the day it is due); cycle and run-hour schedules are estimated from how fast their
    counter grew since they last started again. Schedules whose counter has not moved have no date.
    """
    now = now or utcnow()
    end = now + timedelta(weeks=weeks)
    schedules = list_schedules(active=True)
    by_asset_counter = counters.counters_by_asset({s.asset_id for s in schedules if s.trigger != "days"})
    entries, undated = [], []
    for s in schedules:
        if s.interval <= 0 or (s.trigger == "days" and s.due_at is None):
            continue
        st = standing(s, by_asset_counter.get(s.asset_id), now)
        wo = MaintenanceWorkOrder.get_by_id(s.open_work_order_id) if s.open_work_order_id else None
        base = {"schedule": s.code, "name": s.name, "asset": s.asset.code, "trigger": s.trigger,
                "safety_critical": s.safety_critical, "work_order": wo.number if wo else None}
        if s.trigger == "days":
            due, step, first = s.due_at, timedelta(days=int(s.interval)), True
            while due <= end:
                if due >= now - timedelta(days=1) or first:
                    entries.append(dict(base, day=due.date(), kind="overdue" if due < now else "due" if first else "planned"))
                due, first = due + step, False
                base = dict(base, work_order=None)
        else:
            when = _estimate(s, st, now)
            if when is None:
                undated.append(dict(base, remaining=f"{st.remaining.normalize():f} {UNITS[s.trigger]}"))
            elif when <= end:
                entries.append(dict(base, day=when.date(), kind="overdue" if st.overdue else "estimated"))
    entries.sort(key=lambda e: (e["day"], e["asset"], e["schedule"]))
    days: dict[date, list] = {}
    assets: dict[str, dict[int, list]] = {}
    for e in entries:
        days.setdefault(e["day"], []).append(e)
        week = max((e["day"] - now.date()).days // 7, 0)
        assets.setdefault(e["asset"], {}).setdefault(week, []).append(e)
    return {"from": now.date(), "until": end.date(), "weeks": weeks, "days": days, "by_asset": assets,
            "undated": undated, "entries": entries}
