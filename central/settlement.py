"""Cost settlement of a work order: what its outputs are worth.

Cost = value of the materials consumed (issued and backflushed) + labour and overhead (minutes
per stage × the work centre's rates per minute; actual minutes once a stage has both times,
standard minutes before). It is split over the main, co- and by-product batches by the
recipe's cost shares (renormalised over the outputs actually reported), then by quantity within
an output. Scrap carries no value; cost no valued output can carry is the scrap loss. Splits are
exact to the micro-unit, so output value + scrap loss = cost, always.

Settlement runs again after every fact of the work order, so a late consumption re-values the
outputs: the part of an output batch still in stock is revalued in its cost layer (and the
ledger); the part already gone is recorded as the work order's variance.
"""
from __future__ import annotations

from decimal import Decimal

from peewee import Case, fn

from central import costing
from central.models import (Batch, Item, RecipeOutput, StockBalance, StockMove, WorkCentre, WorkOrder,
                            WorkOrderOutput, WorkOrderStage, utcnow)
from central.quantities import ZERO, exact, raw, split

VALUED_KINDS = ("main", "co", "by")


def material_cost(wo: WorkOrder) -> Decimal:
    """Value of everything issued or backflushed into the work order."""
    total = StockMove.select(fn.SUM(StockMove.value)).where(
        StockMove.work_order == wo.id, StockMove.kind.in_(("issue", "backflush"))).scalar()
    return -(StockMove.value.from_units(total) or ZERO)


def conversion_cost(wo: WorkOrder) -> Decimal:
    """Labour and overhead of the work order's stages, at the work centres' rates per minute."""
    total = ZERO
    for stage in WorkOrderStage.select(WorkOrderStage, WorkCentre).join(WorkCentre).where(WorkOrderStage.work_order == wo.id):
        minutes = stage.standard_minutes
        if stage.started_at and stage.completed_at and stage.completed_at > stage.started_at:
            minutes = exact(Decimal((stage.completed_at - stage.started_at).total_seconds()) / 60)
        rate = (stage.work_centre.labour_rate or ZERO) + (stage.work_centre.overhead_rate or ZERO)
        total += exact(minutes * rate)
    return total


def settle(wo: WorkOrder) -> None:
    """Recompute the value of every output batch of ``wo`` and book the differences."""
    materials, conversion = material_cost(wo), conversion_cost(wo)
    cost = materials + conversion
    outputs = list(WorkOrderOutput.select(WorkOrderOutput, Item, Batch).join(Item, on=WorkOrderOutput.item == Item.id)
                   .switch(WorkOrderOutput).join(Batch).where(WorkOrderOutput.work_order == wo.id).order_by(WorkOrderOutput.id))
    shares = dict(RecipeOutput.select(RecipeOutput.item, RecipeOutput.cost_share).where(
        RecipeOutput.recipe == wo.recipe_id, RecipeOutput.kind.in_(VALUED_KINDS)).tuples())
    valued = [o for o in outputs if o.kind in VALUED_KINDS and shares.get(o.item_id, 0)]
    items = sorted({o.item_id for o in valued})
    new_values = {o.id: ZERO for o in outputs}
    if items:
        per_item = dict(zip(items, split(cost, [shares[i] for i in items])))
        for item_id in items:
            rows = [o for o in valued if o.item_id == item_id]
            for o, part in zip(rows, split(per_item[item_id], [o.qty for o in rows])):
                new_values[o.id] = part
    output_value = sum(new_values.values(), ZERO)
    variance = wo.variance
    changed = [o for o in outputs if new_values[o.id] != o.value]
    if changed:
        on_hand = dict(StockBalance.select(StockBalance.batch, fn.SUM(StockBalance.qty)).where(
            StockBalance.batch.in_([o.batch_id for o in changed])).group_by(StockBalance.batch).tuples())
        moves = []
        for o in changed:
            delta = new_values[o.id] - o.value
            here = StockBalance.qty.from_units(on_hand.get(o.batch_id)) or ZERO
            portion = min(max(here, ZERO), o.qty) / o.qty
            in_stock = delta if portion == 1 else exact(delta * portion)
            applied = costing.revalue(o.item, o.batch, in_stock)
            variance += delta - applied
            if applied:
                moves.append({"at": utcnow(), "kind": "revaluation", "item": o.item_id, "batch": o.batch_id,
                              "location": None, "qty": ZERO, "value": applied, "work_order": wo.id,
                              "reference": f"settlement of {wo.number}"})
        if moves:
            StockMove.insert_many(moves).execute()
        ids = [o.id for o in changed]
        v = WorkOrderOutput.value
        WorkOrderOutput.update(value=Case(WorkOrderOutput.id, [(raw(o.id), raw(v.db_value(new_values[o.id]))) for o in changed])).where(
            WorkOrderOutput.id.in_(ids)).execute()
        u = Batch.unit_cost
        Batch.update(unit_cost=Case(Batch.id, [(raw(o.batch_id), raw(u.db_value(exact(new_values[o.id] / o.qty)))) for o in changed])).where(
            Batch.id.in_([o.batch_id for o in changed])).execute()
    WorkOrder.update(input_cost=materials, conversion_cost=conversion, output_value=output_value,
                     scrap_loss=cost - output_value, variance=variance).where(WorkOrder.id == wo.id).execute()
