"""Work orders: creation, status, stage times and completion; material and outputs live beside it.

Each public function is one transaction. Whatever order the facts of a work order arrive in,
the end state is the same: genealogy is the sum of its consumptions and its outputs
(``genealogy``), outputs enter stock at a provisional cost and the work order is settled once
when it completes, and again for each fact that arrives after that (``settlement``), and
backflush tops up to what the reported output requires. Material issues are in
``consumption``, outputs in ``outputs``; their functions are re-exported here.
"""
from __future__ import annotations

from datetime import date

from central import settlement
from central.catalog import check_code
from central.consumption import backflush, issue_material  # noqa: F401  (re-exported)
from central.db import database, lock_row
from central.errors import Conflict, NotFound, ValidationError
from central.inventory import Actor
from central.lifecycle import CLOSED, TRANSITIONS, get_work_order, open_for_fact, set_status as _set  # noqa: F401
from central.models import RecipeStage, WorkOrder, WorkOrderOutput, WorkOrderStage
from central.models.production import WORK_ORDER_STATUSES
from central.operators import check_text
from central.outputs import report_output  # noqa: F401  (re-exported)
from central.quantities import parse_decimal
from central.recipes import get_recipe, parse_stages


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
                              status=status, cost_shares=settlement.recipe_shares(recipe.id))
        if stages:
            WorkOrderStage.insert_many([{**s, "work_order": wo.id} for s in stages]).execute()
        return wo


def set_status(number: str, status: str, actor: Actor, reason: str | None = None) -> WorkOrder:
    """Change a work order's status by hand; a change the rules do not allow is a 409.

    ``reason`` (up to 500 characters) says why it is paused or cancelled; the work order keeps it
    until its status changes again.
    """
    if status not in WORK_ORDER_STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(WORK_ORDER_STATUSES)}, got {status!r}")
    reason = check_text("reason", reason, 500) or None
    if status == "done":
        return complete(number, actor)
    with database.atomic():
        wo = lock_row(get_work_order(number))
        if status not in TRANSITIONS[wo.status]:
            raise Conflict("status", f"work order {number} is {wo.status}; it cannot become {status}")
        _set(wo, status, actor, reason)
        return get_work_order(number)


def apply_status_fact(number: str, status: str, actor: Actor, reason: str | None = None) -> WorkOrder:
    """A station paused or resumed a work order: applied when the rules allow, else flagged."""
    with database.atomic():
        wo = lock_row(get_work_order(number))
        if status in TRANSITIONS[wo.status]:
            _set(wo, status, actor, reason)
        elif wo.status != status:
            actor.flag("work_order_state", f"work order {number} was reported {status} while {wo.status}"
                       f"{' (' + reason + ')' if reason else ''}", subject=number)
        return wo


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
        open_for_fact(wo, actor, f"{'start' if started else 'end'} stage {seq}")
        at = actor.when()
        if started and (stage.started_at is None or at < stage.started_at):
            stage.started_at, stage.started_by = at, actor.operator or actor.user
        if not started and (stage.completed_at is None or at > stage.completed_at):
            stage.completed_at, stage.completed_by = at, actor.operator or actor.user
        stage.save()
        if wo.status == "done":  # a stage time after completion changes the conversion cost
            settlement.settle(WorkOrder.get_by_id(wo.id))
        return stage


def complete(number: str, actor: Actor) -> WorkOrder:
    """Close a work order: backflush unscanned inputs, mark it done and settle its costs."""
    with database.atomic():
        wo = lock_row(get_work_order(number))
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
        settlement.settle(WorkOrder.get_by_id(wo.id))
        return get_work_order(number)
