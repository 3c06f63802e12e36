"""The lifecycle of a maintenance work order and its log.

open → assigned → in_progress → done, with on_hold (a reason is required) and cancelled
(a reason is required) on the way; a work order that requires sign-off is signed off by a
supervisor after it is done. Every change writes a line of the work order's log.
"""
from __future__ import annotations

from datetime import datetime

import peewee as pw

from central.db import database
from central.errors import Conflict, NotFound
from central.flags import raise_flag
from central.maintenance.checks import check_description, transaction
from central.models import Assignee, LogEntry, MaintenanceWorkOrder, TimeEntry, utcnow

OPEN_STATUSES = ("open", "assigned", "in_progress", "on_hold")
# which statuses each action may leave from
ALLOWED = {
    "start": ("open", "assigned", "on_hold"),
    "hold": ("open", "assigned", "in_progress"),
    "resume": ("on_hold",),
    "complete": ("open", "assigned", "in_progress"),
    "cancel": ("open", "assigned", "in_progress", "on_hold"),
}


def get_work_order(number: str, field: str = "work_order", *, lock: bool = False) -> MaintenanceWorkOrder:
    """The maintenance work order with this number; NotFound naming ``field``."""
    query = MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.number == number)
    if lock and isinstance(database.obj, pw.PostgresqlDatabase):
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(field, f"no maintenance work order {number!r}")
    return row


def write_log(wo: MaintenanceWorkOrder, kind: str, text: str, by: str, at: datetime | None = None) -> LogEntry:
    """Append a line to the work order's log."""
    return LogEntry.create(work_order=wo.id, kind=kind, text=text, by=by, at=at or utcnow())


def add_note(number: str, text, *, by: str) -> LogEntry:
    """A technician's note on the work order."""
    text = check_description("text", text)
    with transaction():
        return write_log(get_work_order(number), "note", text, by)


def flag_work_order(wo: MaintenanceWorkOrder, message: str, by: str) -> None:
    """Mark the work order flagged, log why, and put it on the supervisors' flag list."""
    MaintenanceWorkOrder.update(flagged=True).where(MaintenanceWorkOrder.id == wo.id).execute()
    wo.flagged = True
    write_log(wo, "flag", message, by)
    raise_flag("maintenance", f"{wo.number}: {message}", subject=wo.number)


def _check(wo: MaintenanceWorkOrder, action: str) -> None:
    if wo.status not in ALLOWED[action]:
        raise Conflict("status", f"{wo.number} is {wo.status.replace('_', ' ')}; it cannot {action} "
                                 f"(only from {', '.join(s.replace('_', ' ') for s in ALLOWED[action])})")


def set_status(wo: MaintenanceWorkOrder, status: str, by: str, note: str = "", **extra) -> MaintenanceWorkOrder:
    """Change the status (no rule check: callers check), log it, and return the row as changed."""
    changes = {"status": status, **extra}
    MaintenanceWorkOrder.update(**changes).where(MaintenanceWorkOrder.id == wo.id).execute()
    write_log(wo, "status", f"{wo.status.replace('_', ' ')} → {status.replace('_', ' ')}{': ' + note if note else ''}", by)
    for key, value in changes.items():
        setattr(wo, key, value)
    return wo


def start(number: str, *, by: str) -> MaintenanceWorkOrder:
    """Work begins (the first timer started does this too)."""
    with transaction():
        wo = get_work_order(number, lock=True)
        _check(wo, "start")
        return set_status(wo, "in_progress", by, started_at=wo.started_at or utcnow())


def hold(number: str, reason, *, by: str) -> MaintenanceWorkOrder:
    """Put work on hold (waiting for parts, for the line to stop...): a reason is required."""
    return _stop_work(number, "hold", "on_hold", "hold_reason", reason, by)


def resume(number: str, *, by: str) -> MaintenanceWorkOrder:
    """Take work off hold: back to in progress if it had started, else assigned or open."""
    with transaction():
        wo = get_work_order(number, lock=True)
        _check(wo, "resume")
        staffed = Assignee.select().where(Assignee.work_order == wo.id, Assignee.active == True).exists()  # noqa: E712
        back = "in_progress" if wo.started_at else ("assigned" if staffed else "open")
        return set_status(wo, back, by, hold_reason=None)


def cancel(number: str, reason, *, by: str) -> MaintenanceWorkOrder:
    """Cancel work that will not be done: a reason is required; time and parts booked stay booked."""
    return _stop_work(number, "cancel", "cancelled", "cancel_reason", reason, by)


def _stop_work(number: str, action: str, status: str, reason_field: str, reason, by: str) -> MaintenanceWorkOrder:
    """Hold or cancel: the reason is required, running timers stop, the reason is kept and logged."""
    reason = check_description("reason", reason, max_length=500)
    with transaction():
        wo = get_work_order(number, lock=True)
        _check(wo, action)
        stop_running_timers(wo, by)
        changed = set_status(wo, status, by, reason, **{reason_field: reason})
        if status == "cancelled":
            from central.maintenance.schedules import work_cancelled

            work_cancelled(changed)  # still due: the schedule makes new work on its next pass
        return changed


def stop_running_timers(wo: MaintenanceWorkOrder, by: str, at: datetime | None = None) -> int:
    """Close every running timer on the work order; returns how many."""
    from central.maintenance.worklog import close_entry

    running = list(TimeEntry.select().where(TimeEntry.work_order == wo.id, TimeEntry.ended_at.is_null()))
    for entry in running:
        close_entry(entry, at or utcnow(), by)
    return len(running)
