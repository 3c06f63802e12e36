"""Breakdowns from the floor: a ``machine.down`` opens a corrective work order (or is linked to the
one open on the machine), ``machine.up`` closes the downtime and records it on the work order, and
a technician's badge at the station starts and finishes the repair. Finishing corrective work
takes failure, cause and remedy codes from the reason catalogue.

These run inside the ingest's transaction (events are facts: what cannot be applied as a rule
says is recorded and flagged, never refused) or, for people, in a transaction of their own.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import peewee as pw

from central.db import database
from central.errors import Conflict, NotFound, ShopfloorError, ValidationError
from central.flags import raise_flag, resolve_flag
from central.maintenance import counters
from central.maintenance.checks import transaction
from central.maintenance.lifecycle import OPEN_STATUSES, flag_work_order, get_work_order, set_status, write_log
from central.maintenance.workorders import create_work_order
from central.models import (Asset, Assignee, Downtime, EventRecord, Flag, MaintenanceWorkOrder, ReasonCode, Technician,
                            TimeEntry)
from central.models.reference import Operator
from edge.contract import Event

CODE_CATEGORIES = {"failure": "failure", "cause": "cause", "remedy": "remedy"}
#: A breakdown's priority by the asset's criticality.
PRIORITY_BY_CRITICALITY = {"critical": "urgent", "high": "urgent", "medium": "high", "low": "normal"}


def open_breakdown(asset: Asset) -> MaintenanceWorkOrder | None:
    """The open breakdown work order of an asset, if any (the oldest)."""
    wo = MaintenanceWorkOrder
    return (wo.select().where(wo.asset == asset.id, wo.source == "breakdown", wo.status.in_(OPEN_STATUSES))
            .order_by(wo.id).first())


def _lock_asset(asset: Asset) -> None:
    """Hold the asset's row until the transaction ends (PostgreSQL), so two workers given down
    reports of one machine from two stations open one work order, not two. SQLite's writing
    transactions hold the whole database already."""
    if isinstance(database.obj, pw.PostgresqlDatabase):
        list(Asset.select(Asset.id).where(Asset.id == asset.id).for_update().tuples())


def _by(event: Event) -> str:
    return f"{event.operator or 'station'}@{event.station}"


def machine_down(event: Event) -> Downtime:
    """Record a down report; open the breakdown work order or link the report to the open one."""
    at = counters.naive(event.at)
    reason, note = event.data["reason"], event.data.get("note") or ""
    machine, why = counters.machine_of(event)
    asset = counters.asset_of(machine)
    row = dict(down_event=event.id, machine=machine.code if machine else (event.data.get("machine") or ""),
               station=event.station, operator=event.operator, reason=reason, note=note, down_at=at)
    if machine is not None:
        counters.mark_down(machine, at)
    if asset is None or not asset.active:
        problem = why or (f"machine {machine.code} has no asset in maintenance" if asset is None
                          else f"asset {asset.code} is retired")
        raise_flag("unknown_machine", f"machine.down at {event.station} ({reason}): {problem}; no work order opened",
                   event_id=event.id, subject=row["machine"] or event.station)
        return Downtime.create(**row)
    _lock_asset(asset)
    wo = open_breakdown(asset)
    described = ReasonCode.select(ReasonCode.description).where(ReasonCode.code == reason).scalar() or ""
    if wo is None:
        text = (f"{machine.code} reported down at station {event.station} by {event.operator or 'the station'} "
                f"at {at.isoformat(timespec='seconds')}Z: {reason}" + (f" ({described})" if described else "")
                + (f"\n\n{note}" if note else ""))
        wo = create_work_order(asset=asset.code, title=f"Breakdown: {machine.code} down, {reason}"[:200],
                               description=text, type="corrective",
                               priority=PRIORITY_BY_CRITICALITY.get(asset.criticality, "high"),
                               source="breakdown", by=_by(event), at=at)
    else:
        write_log(wo, "note", f"down reported again at {event.station} by {event.operator or 'the station'} "
                              f"({reason}{': ' + note if note else ''}): linked", _by(event), at)
    down = Downtime.create(**row, asset=asset.id, work_order=wo.id)
    _close_with_earlier_up(down, machine)
    return down


def _close_with_earlier_up(down: Downtime, machine) -> None:
    """An up that arrived before its down (the station's messages crossed) closes it now.

    Such an up was recorded and flagged ``up_without_down``; the first one after the down's time
    closes it and its flag is resolved, so arrival order changes nothing once both are in.
    """
    used = Downtime.select(Downtime.up_event).where(Downtime.up_event.is_null(False))
    orphan = (Flag.select(Flag.id, EventRecord.id.alias("up_id"), EventRecord.at.alias("up_at"))
              .join(EventRecord, on=(Flag.event == EventRecord.id))
              .where(Flag.kind == "up_without_down", Flag.subject == machine.code, Flag.resolved_at.is_null(),
                     EventRecord.at >= down.down_at, EventRecord.id.not_in(used))
              .order_by(EventRecord.at).limit(1).namedtuples().first())
    if orphan is None:
        return
    minutes = (Decimal(int((orphan.up_at - down.down_at).total_seconds() * 1000)) / 60000).quantize(Decimal("0.01"))
    Downtime.update(up_event=orphan.up_id, up_at=orphan.up_at, minutes=minutes).where(Downtime.id == down.id).execute()
    counters.mark_up(machine, orphan.up_at)  # it has run again since then
    resolve_flag(orphan.id, by="breakdown", resolution=f"its down report arrived later (at {down.station})")


def machine_ups(events: list[Event]) -> None:
    """The ``machine.up`` events of a batch: the stations' machines are read once.

    An up from a station without a machine that names none has nothing to close (its downs were
    flagged as of an unknown machine) and is only recorded.
    """
    machines = counters.station_machines({e.station for e in events if not e.data.get("machine")})
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        if not event.data.get("machine") and not machines.get(event.station):
            continue
        machine_up(event, machines)


def machine_up(event: Event, machines=None) -> int:
    """Close the machine's open downtime (every report of it up to ``at``) and record it on the work order."""
    at = counters.naive(event.at)
    machine, why = counters.machine_of(event, machines)
    if machine is None:
        raise_flag("unknown_machine", f"machine.up at {event.station}: {why}", event_id=event.id,
                   subject=event.data.get("machine") or event.station)
        return 0
    counters.mark_up(machine, at)
    rows = list(Downtime.select().where(Downtime.machine == machine.code, Downtime.up_at.is_null(),
                                        Downtime.down_at <= at).order_by(Downtime.down_at))
    if not rows:
        raise_flag("up_without_down", f"machine.up of {machine.code} at {event.station}: no open down report",
                   event_id=event.id, subject=machine.code, severity="info")
        return 0
    logged = set()
    for d in rows:
        minutes = (Decimal(int((at - d.down_at).total_seconds() * 1000)) / 60000).quantize(Decimal("0.01"))
        Downtime.update(up_event=event.id, up_at=at, minutes=minutes).where(Downtime.id == d.id).execute()
        if d.work_order_id and d.work_order_id not in logged:
            logged.add(d.work_order_id)
            wo = MaintenanceWorkOrder.get_by_id(d.work_order_id)
            write_log(wo, "downtime", f"{machine.code} running again (up at {event.station}): down "
                                      f"{minutes.normalize():f} min since {d.down_at.isoformat(timespec='seconds')}Z",
                      _by(event), at)
    return len(rows)


def _station_work_order(event: Event) -> MaintenanceWorkOrder | None:
    """The work order a technician's scan is about: the one named, else the machine's open breakdown."""
    number = event.data.get("work_order")
    if number:
        return MaintenanceWorkOrder.get_or_none(MaintenanceWorkOrder.number == number)
    machine, _ = counters.machine_of(event)
    asset = counters.asset_of(machine)
    return open_breakdown(asset) if asset is not None else None


def _technician(badge: str | None) -> Technician | None:
    if not badge:
        return None
    return (Technician.select().join(Operator, on=(Technician.operator == Operator.id))
            .where(Operator.badge == badge).first())


def repair_started(event: Event) -> None:
    """A technician's badge at the station: the work starts, their timer runs from the scan."""
    wo, tech, by, at = _station_work_order(event), _technician(event.operator), _by(event), counters.naive(event.at)
    if wo is None:
        raise_flag("maintenance_scan", f"repair started at {event.station} by {event.operator}: no open breakdown "
                                       f"work order {event.data.get('work_order') or 'for the machine'}",
                   event_id=event.id, subject=event.operator or event.station)
        return
    if wo.status not in OPEN_STATUSES:
        flag_work_order(wo, f"repair started at {event.station} by {event.operator} but the work is {wo.status}", by)
        return
    if tech is None:
        flag_work_order(wo, f"badge {event.operator} started the repair at {event.station}: not a technician's badge", by)
        if wo.status != "in_progress":
            set_status(wo, "in_progress", by, f"started at {event.station}", started_at=wo.started_at or at)
        return
    if not Assignee.select().where(Assignee.work_order == wo.id, Assignee.technician == tech.id,
                                   Assignee.active == True).exists():  # noqa: E712
        from central.maintenance.assignment import _add

        _add(wo, tech, by=by, why=f"scanned in at {event.station}", at=at)
        wo = MaintenanceWorkOrder.get_by_id(wo.id)
    if wo.status == "on_hold":
        set_status(wo, "in_progress", by, f"resumed at {event.station}", hold_reason=None)
    from central.maintenance.worklog import start_timer

    start_timer(wo.number, tech.code, by=by, at=at)


def repair_finished(event: Event) -> None:
    """The technician's badge again: timer stops, codes are kept, the work is done if nothing is missing.

    A required field or an unanswered checklist step leaves it in progress with a note and a flag
    (the repair is a fact; the paperwork is finished on the work order's page).
    """
    wo, tech, by, at = _station_work_order(event), _technician(event.operator), _by(event), counters.naive(event.at)
    if wo is None:
        raise_flag("maintenance_scan", f"repair finished at {event.station} by {event.operator}: no open breakdown "
                                       f"work order {event.data.get('work_order') or 'for the machine'}",
                   event_id=event.id, subject=event.operator or event.station)
        return
    if wo.status not in OPEN_STATUSES:
        write_log(wo, "note", f"repair finished again at {event.station} by {event.operator} ({wo.status} already)", by, at)
        return
    codes = {}
    for name in CODE_CATEGORIES:
        value = event.data.get(name)
        if value:
            problem = _code_problem(name, value)
            if problem:
                flag_work_order(wo, f"{event.station}: {problem}", by)
            else:
                codes[f"{name}_code"] = value
    if codes:
        MaintenanceWorkOrder.update(**codes).where(MaintenanceWorkOrder.id == wo.id).execute()
        write_log(wo, "codes", ", ".join(f"{k.split('_')[0]} {v}" for k, v in codes.items()), by, at)
    if tech is not None:
        for entry in TimeEntry.select().where(TimeEntry.work_order == wo.id, TimeEntry.technician == tech.id,
                                              TimeEntry.ended_at.is_null()):
            from central.maintenance.worklog import close_entry

            close_entry(entry, at, by)
    if event.data.get("note"):
        write_log(wo, "note", event.data["note"], by, at)
    from central.maintenance.worklog import complete

    try:
        with database.atomic():
            complete(wo.number, by=by, at=at)
    except ShopfloorError as exc:
        wo = MaintenanceWorkOrder.get_by_id(wo.id)
        flag_work_order(wo, f"repair finished at {event.station} by {event.operator}, not done yet: {exc.message}", by)


def _code_problem(name: str, value: str) -> str | None:
    """Why ``value`` is not a usable code of the category ``name``, or None."""
    row = ReasonCode.get_or_none(ReasonCode.code == value)
    if row is None:
        return f"{name} code {value!r} is not in the catalogue"
    if row.category != CODE_CATEGORIES[name]:
        return f"{value} is a {row.category} code, not a {name} code"
    if not row.active:
        return f"{name} code {value} is deactivated"
    return None


def finish(number: str, *, failure=None, cause=None, remedy=None, by: str, at: datetime | None = None):
    """Complete work with its failure, cause and remedy codes (each optional, checked against the catalogue)."""
    from central.maintenance.worklog import complete

    values = {"failure": failure, "cause": cause, "remedy": remedy}
    codes = {}
    for name, value in values.items():
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if not value:
            continue
        if not isinstance(value, str):
            raise ValidationError(name, f"must be a reason code, got {type(value).__name__}")
        problem = _code_problem(name, value)
        if problem and ReasonCode.get_or_none(ReasonCode.code == value) is None:
            raise NotFound(name, problem)
        if problem:  # a code of the catalogue, of another category or deactivated
            raise Conflict(name, problem)
        codes[f"{name}_code"] = value
    with transaction():
        wo = get_work_order(number, lock=True)
        if codes:
            if wo.status not in ("open", "assigned", "in_progress"):
                raise Conflict("status", f"{wo.number} is {wo.status.replace('_', ' ')}; it cannot complete")
            MaintenanceWorkOrder.update(**codes).where(MaintenanceWorkOrder.id == wo.id).execute()
            write_log(wo, "codes", ", ".join(f"{k.split('_')[0]} {v}" for k, v in codes.items()), by, at)
        return complete(number, by=by, at=at)


def downtime_rows(wo: MaintenanceWorkOrder) -> list[Downtime]:
    """The down reports linked to a work order, in time order."""
    return list(Downtime.select().where(Downtime.work_order == wo.id).order_by(Downtime.down_at))


def downtime_dict(d: Downtime) -> dict:
    """The JSON shape of a down report."""
    return {"machine": d.machine, "station": d.station, "operator": d.operator, "reason": d.reason, "note": d.note,
            "down_at": d.down_at.isoformat() + "Z", "up_at": d.up_at.isoformat() + "Z" if d.up_at else None,
            "minutes": f"{d.minutes.normalize():f}" if d.minutes is not None else None}
