"""Work orders: creation, status, material issues, outputs, stage times and completion.

Each public function is one transaction. Whatever order the facts of a work order arrive in,
the end state is the same: genealogy links are derived from the work order's consumptions and
outputs (``genealogy.relink``), costs are re-settled after every change (``settlement.settle``),
and backflush tops up to what the reported output requires.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from peewee import fn

from central import genealogy, settlement
from central.catalog import check_code, default_location, get_item, get_location
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.inventory import Actor, Pick, check_unit, ensure_batch, receive_into, take_out
from central.lookup import by_code
from central.models import (Batch, Item, RecipeInput, RecipeOutput, RecipeStage, StockMove, WorkOrder,
                            WorkOrderOutput, WorkOrderStage)
from central.models.production import OUTPUT_KINDS, WORK_ORDER_STATUSES
from central.quantities import ZERO, check_positive, exact, parse_decimal
from central.recipes import get_recipe, parse_stages

TRANSITIONS = {
    "draft": {"released", "cancelled"},
    "released": {"draft", "in_progress", "paused", "done", "cancelled"},
    "in_progress": {"paused", "done", "cancelled"},
    "paused": {"in_progress", "done", "cancelled"},
    "done": set(),
    "cancelled": set(),
}
CLOSED = ("done", "cancelled")


def get_work_order(number: str, field: str = "work_order") -> WorkOrder:
    """The work order with this number, or NotFound naming ``field``."""
    return by_code(WorkOrder.number, number, field, "work order")


def create_work_order(data: dict) -> WorkOrder:
    """Create a work order from a recipe; its routing is copied from the recipe unless given."""
    number = check_code("number", data.get("number"))
    status = data.get("status", "draft")
    if status not in ("draft", "released"):
        raise ValidationError("status", f"a new work order is draft or released, got {status!r}")
    priority = data.get("priority", 5)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 9:
        raise ValidationError("priority", f"must be a whole number 1 (most urgent) to 9, got {priority!r}")
    due = data.get("due")
    if due is not None:
        try:
            due = date.fromisoformat(due) if isinstance(due, str) else None
        except ValueError:
            due = None
        if due is None:
            raise ValidationError("due", f"must be a date YYYY-MM-DD, got {data.get('due')!r}")
    planned = parse_decimal("planned_qty", data.get("planned_qty"), positive=True)
    with database.atomic():
        if WorkOrder.select().where(WorkOrder.number == number).exists():
            raise Conflict("number", f"work order {number!r} already exists")
        recipe = get_recipe(data.get("recipe"))
        if not recipe.active:
            raise Conflict("recipe", f"recipe {recipe.code} is not active")
        if "stages" in data:
            if not isinstance(data["stages"], list):
                raise ValidationError("stages", "must be a list")
            stages = parse_stages(data["stages"])
        else:
            stages = [{"seq": s.seq, "work_centre": s.work_centre_id, "standard_minutes": s.standard_minutes,
                       "skill": s.skill_id} for s in RecipeStage.select().where(RecipeStage.recipe == recipe.id)]
        wo = WorkOrder.create(number=number, recipe=recipe.id, planned_qty=planned, due=due, priority=priority,
                              status=status)
        if stages:
            WorkOrderStage.insert_many([{**s, "work_order": wo.id} for s in stages]).execute()
        return wo


def set_status(number: str, status: str, actor: Actor) -> WorkOrder:
    """Change a work order's status by hand; a change the rules do not allow is a 409."""
    if status not in WORK_ORDER_STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(WORK_ORDER_STATUSES)}, got {status!r}")
    if status == "done":
        return complete(number, actor)
    with database.atomic():
        wo = get_work_order(number)
        if status not in TRANSITIONS[wo.status]:
            raise Conflict("status", f"work order {number} is {wo.status}; it cannot become {status}")
        _set(wo, status, actor)
        return get_work_order(number)


def _set(wo: WorkOrder, status: str, actor: Actor) -> None:
    changes = {"status": status}
    if status == "in_progress" and wo.started_at is None:
        changes["started_at"] = actor.when()
    if status == "done":
        changes["completed_at"] = actor.when()
    WorkOrder.update(**changes).where(WorkOrder.id == wo.id).execute()
    for name, value in changes.items():
        setattr(wo, name, value)


def _open_for_fact(wo: WorkOrder, actor: Actor, what: str) -> None:
    """Facts on a work order that is not running are recorded, and flagged; a person gets a 409."""
    if wo.status in ("released", "in_progress", "paused"):
        if wo.status == "released":
            _set(wo, "in_progress", actor)
        return
    if not actor.is_fact:
        raise Conflict("work_order", f"work order {wo.number} is {wo.status}: cannot {what}")
    actor.flag("work_order_state", f"{what} on work order {wo.number}, which is {wo.status}", subject=wo.number)


def apply_status_fact(number: str, status: str, actor: Actor, reason: str | None = None) -> WorkOrder:
    """A station paused or resumed a work order: applied when the rules allow, else flagged."""
    with database.atomic():
        wo = get_work_order(number)
        if status in TRANSITIONS[wo.status]:
            _set(wo, status, actor)
        elif wo.status != status:
            actor.flag("work_order_state", f"work order {number} was reported {status} while {wo.status}"
                       f"{' (' + reason + ')' if reason else ''}", subject=number)
        return wo


def _refresh(wo: WorkOrder) -> None:
    genealogy.relink(wo)
    settlement.settle(wo)


# --- material --------------------------------------------------------------------------------

def issue_material(number: str, *, qty: Decimal, actor: Actor, batch: str | None = None, item: str | None = None,
                   unit: str | None = None, location: str | None = None) -> list[Pick]:
    """Put a scanned batch (or an item, picked FIFO/FEFO) into a work order."""
    qty = check_positive("qty", qty)
    with database.atomic():
        wo = get_work_order(number)
        the_batch = Batch.get_or_none(Batch.code == batch) if batch else None
        if batch and the_batch is None:
            if not actor.is_fact:
                raise NotFound("batch", f"no batch {batch!r}")
            if not item:
                actor.flag("unknown_batch", f"batch {batch} issued to {number} is unknown and no item was given: "
                           "nothing booked", subject=batch)
                return []
            # the receipt may simply not have arrived yet: book against a placeholder the receipt fills
            the_batch = ensure_batch(get_item(item), batch, at=actor.at)
            actor.flag("unknown_batch", f"batch {batch} issued to {number} was not known yet: booked against a "
                       "placeholder batch", subject=batch)
        the_item = the_batch.item if the_batch else get_item(item)
        if item and the_item.code != item:
            raise ValidationError("item", f"batch {batch} is of item {the_item.code}, not {item}")
        check_unit(the_item, unit)
        _open_for_fact(wo, actor, f"issue {the_item.code}")
        in_recipe = RecipeInput.select().where(RecipeInput.recipe == wo.recipe_id, RecipeInput.item == the_item.id).exists()
        if not in_recipe:
            if not actor.is_fact:
                raise Conflict("item", f"item {the_item.code} is not an input of recipe {wo.recipe.code}")
            actor.flag("not_in_recipe", f"item {the_item.code} issued to {number} is not in its recipe", subject=number)
        place = get_location(location) if location else None
        picks = take_out(qty=qty, actor=actor, kind="issue", item=the_item, batch=the_batch, location=place,
                         work_order=wo.id)
        _refresh(wo)
        return picks


def backflush(wo: WorkOrder, actor: Actor) -> list[Pick]:
    """Deduct the backflushed inputs up to what the reported main output requires (a top-up: safe to repeat)."""
    made = (WorkOrderOutput.select(fn.SUM(WorkOrderOutput.qty)).where(
        WorkOrderOutput.work_order == wo.id, WorkOrderOutput.kind == "main").scalar())
    made = WorkOrderOutput.qty.from_units(made) or ZERO
    inputs = list(RecipeInput.select(RecipeInput, Item).join(Item).where(
        RecipeInput.recipe == wo.recipe_id, RecipeInput.mode == "backflush"))
    if not inputs or made <= 0:
        return []
    used = dict(StockMove.select(StockMove.item, fn.SUM(StockMove.qty)).where(
        StockMove.work_order == wo.id, StockMove.kind.in_(("issue", "backflush")),
        StockMove.item.in_([i.item_id for i in inputs])).group_by(StockMove.item).tuples())
    picks = []
    for line in inputs:
        consumed = -(StockMove.qty.from_units(used.get(line.item_id)) or ZERO)
        missing = exact(line.qty_per_unit * made) - consumed
        if missing > 0:
            picks += take_out(qty=missing, actor=actor, kind="backflush", item=line.item, work_order=wo.id)
    return picks


# --- outputs ---------------------------------------------------------------------------------

def report_output(number: str, *, item: str, kind: str, batch: str, qty: Decimal, actor: Actor,
                  unit: str | None = None, location: str | None = None, reason: str | None = None) -> WorkOrderOutput:
    """A work order produced a batch of one of its outputs; it enters stock and is costed by settlement."""
    qty = check_positive("qty", qty)
    if kind not in OUTPUT_KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(OUTPUT_KINDS)}, got {kind!r}")
    if kind == "scrap" and not reason:
        raise ValidationError("reason", "is required when kind is scrap")
    check_code("batch", batch)
    with database.atomic():
        wo = get_work_order(number)
        the_item = get_item(item)
        check_unit(the_item, unit)
        if Batch.select().where(Batch.code == batch).exists():
            raise Conflict("batch", f"batch {batch} already exists: output batch codes must be new")
        line = RecipeOutput.get_or_none(RecipeOutput.recipe == wo.recipe_id, RecipeOutput.item == the_item.id)
        if line is None or line.kind != kind:
            if not actor.is_fact:
                raise Conflict("item", f"{the_item.code} is not a {kind} output of recipe {wo.recipe.code}")
            actor.flag("not_in_recipe", f"{kind} output {the_item.code} of {number} is not in its recipe as {kind}",
                       subject=number)
        _open_for_fact(wo, actor, f"report output {batch}")
        place = get_location(location) if location else default_location("finished")
        new = ensure_batch(the_item, batch, at=actor.at)
        receive_into(the_item, new, place, qty, ZERO, kind="output", actor=actor, work_order=wo.id, reason=reason)
        output = WorkOrderOutput.create(work_order=wo.id, batch=new.id, item=the_item.id, kind=kind, qty=qty,
                                        location=place.id, reason=reason, operator=actor.operator,
                                        event_id=actor.event_id, at=actor.when())
        if wo.status == "done":
            backflush(wo, actor)
        _refresh(wo)
        return WorkOrderOutput.get_by_id(output.id)


# --- stages and completion ----------------------------------------------------------------------

def stage_at(work_order_id: int, work_centre_id: int | None, completed_at=None) -> WorkOrderStage | None:
    """The stage an event without a stage number means: the first not yet completed at the station's work
    centre (any work centre when None), or the one completed at ``completed_at``; else the last one there."""
    query = WorkOrderStage.select().where(WorkOrderStage.work_order == work_order_id)
    if work_centre_id is not None:
        query = query.where(WorkOrderStage.work_centre == work_centre_id)
    stages = list(query.order_by(WorkOrderStage.seq))
    return next((s for s in stages if s.completed_at is None or s.completed_at == completed_at),
                stages[-1] if stages else None)


def record_stage(number: str, seq: int | None, *, started: bool, actor: Actor,
                 work_centre_id: int | None = None) -> WorkOrderStage | None:
    """A stage started or ended: keep the earliest start and the latest end, and who did it.

    Without ``seq`` (a station that did not know the work order's routing) the stage is the first
    one not yet completed at ``work_centre_id``, the station's work centre.
    """
    with database.atomic():
        wo = get_work_order(number)
        if seq is None:
            stage = stage_at(wo.id, work_centre_id)
            seq = stage.seq if stage is not None else "at this work centre"
        else:
            stage = WorkOrderStage.get_or_none(WorkOrderStage.work_order == wo.id, WorkOrderStage.seq == seq)
        if stage is None:
            if not actor.is_fact:
                raise NotFound("stage", f"work order {number} has no stage {seq}")
            actor.flag("unknown_stage", f"work order {number} has no stage {seq}", subject=number)
            return None
        _open_for_fact(wo, actor, f"{'start' if started else 'end'} stage {seq}")
        at = actor.when()
        if started and (stage.started_at is None or at < stage.started_at):
            stage.started_at, stage.started_by = at, actor.operator or actor.user
        if not started and (stage.completed_at is None or at > stage.completed_at):
            stage.completed_at, stage.completed_by = at, actor.operator or actor.user
        stage.save()
        settlement.settle(wo)
        return stage


def complete(number: str, actor: Actor) -> WorkOrder:
    """Close a work order: backflush unscanned inputs, mark it done and settle its costs."""
    with database.atomic():
        wo = get_work_order(number)
        if wo.status in CLOSED or wo.status == "draft":
            if not actor.is_fact:
                raise Conflict("status", f"work order {number} is {wo.status}; it cannot become done")
            actor.flag("work_order_state", f"work order {number} was completed while {wo.status}", subject=number)
            if wo.status != "done":
                return wo
        else:
            _set(wo, "done", actor)
        if not WorkOrderOutput.select().where(WorkOrderOutput.work_order == wo.id).exists():
            actor.flag("no_output", f"work order {number} was completed with no output reported", subject=number)
        backflush(wo, actor)
        _refresh(wo)
        return get_work_order(number)
