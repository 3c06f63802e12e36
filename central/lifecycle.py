"""A work order's status as facts and people move it: the rules every production function shares."""
from __future__ import annotations

from decimal import Decimal

from central import settlement
from central.errors import Conflict
from central.inventory import Actor
from central.lookup import by_code
from central.models import WorkOrder
from central.quantities import raw

TRANSITIONS = {
    "draft": {"released", "cancelled"},
    "released": {"draft", "in_progress", "paused", "done", "cancelled"},
    "in_progress": {"paused", "done", "cancelled"},
    "paused": {"in_progress", "done", "cancelled"},
    "done": set(),
    "cancelled": set(),
}
CLOSED = ("done", "cancelled")
RUNNING = ("released", "in_progress", "paused")


def get_work_order(number: str, field: str = "work_order") -> WorkOrder:
    """The work order with this number, or NotFound naming ``field``."""
    return by_code(WorkOrder.number, number, field, "work order")


def work_orders(numbers: set[str], field: str = "work_order") -> dict[str, WorkOrder]:
    """The work orders with these numbers, read in one query; NotFound naming ``field`` for one that is not."""
    found = {wo.number: wo for wo in WorkOrder.select().where(WorkOrder.number.in_(list(numbers)))} if numbers else {}
    for number in sorted(numbers - set(found)):
        get_work_order(number, field)  # raises NotFound with the usual message
    return found


def set_status(wo: WorkOrder, status: str, actor: Actor, reason: str | None = None) -> None:
    """Write a status change (and its start or completion time) and update ``wo`` to match.

    ``reason`` says why it was paused or cancelled; any other change clears it.
    """
    changes = {"status": status, "status_reason": (reason or None) if status in ("paused", "cancelled") else None}
    if status == "in_progress" and wo.started_at is None:
        changes["started_at"] = actor.when()
    if status == "done":
        changes["completed_at"] = actor.when()
    WorkOrder.update(**changes).where(WorkOrder.id == wo.id).execute()
    for name, value in changes.items():
        setattr(wo, name, value)


def open_for_fact(wo: WorkOrder, actor: Actor, what: str) -> None:
    """Facts on a work order that is not running are recorded, and flagged; a person gets a 409.

    The first fact on a released work order puts it in progress.
    """
    if wo.status in RUNNING:
        if wo.status == "released":
            set_status(wo, "in_progress", actor)
        return
    if not actor.is_fact:
        raise Conflict("work_order", f"work order {wo.number} is {wo.status}: cannot {what}")
    actor.flag("work_order_state", f"{what} on work order {wo.number}, which is {wo.status}", subject=wo.number)


def add_to_costs(column, totals: dict[int, Decimal]) -> None:
    """Add per-work-order amounts to a running cost column (``input_cost``, ``output_value``).

    Settlement recomputes both from the ledger; until then they say how far the work order is.
    """
    for wo_id, amount in totals.items():
        if amount:
            WorkOrder.update({column: column + raw(column.db_value(amount))}).where(WorkOrder.id == wo_id).execute()


def after_facts(wos) -> None:
    """A fact arrived after completion: settle each such work order again (once, however many facts)."""
    for wo in {w.id: w for w in wos}.values():
        if wo.status == "done":
            settlement.settle(WorkOrder.get_by_id(wo.id))
