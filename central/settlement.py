"""What a work order's outputs are worth: provisional cost when reported, settled cost at completion.

Cost = value of the materials consumed (issued and backflushed) + labour and overhead (minutes
per stage × the work centre's rates per minute, kept on the stage at the first settlement;
actual minutes once a stage has both times, standard minutes before). At settlement it is split
over the main, co- and by-product batches by the cost shares the recipe had when the work order
was made (kept on the work order, so a late fact settles it the same way after the recipe
changes; renormalised over the outputs actually reported), then by quantity within an output.
Scrap carries no value; cost no valued output can carry is the scrap loss. Splits are exact to
the micro-unit, so output value + scrap loss = cost, always.

An output enters stock when it is reported, at a **provisional** unit cost (``provisional_costs``):
what the same output cost on the latest settled work order of the recipe, else the recipe's
standard cost rolled up from its inputs' current costs and its routing's standard minutes.
Nothing is re-divided while the work order runs, so an event's cost does not grow with the
work order's history. ``settle`` runs once when the work order completes, and again for each
fact that arrives after that: it computes every output's value from scratch and books the
difference from what the output carries now, the part of the batch still in stock as one
revaluation of that batch (ledger and cost layer), the part already gone as the work order's
variance.
"""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from peewee import Case, fn

from central import costing
from central.db import insert_dicts
from central.models import (Batch, Item, RecipeInput, RecipeOutput, StockBalance, StockMove, WorkCentre, WorkOrder,
                            WorkOrderOutput, WorkOrderStage, utcnow)
from central.quantities import ZERO, exact, raw, split

VALUED_KINDS = ("main", "co", "by")
CHUNK = 500  # rows per bulk statement


def material_cost(wo: WorkOrder) -> Decimal:
    """Value of everything issued or backflushed into the work order."""
    total = StockMove.select(fn.SUM(StockMove.value)).where(
        StockMove.work_order == wo.id, StockMove.kind.in_(("issue", "backflush"))).scalar()
    return -(StockMove.value.from_units(total) or ZERO)


def _stage_rate(stage: WorkOrderStage) -> Decimal:
    """The rate kept at the first settlement; before it, the work centre's rate now."""
    if stage.rate is not None:
        return stage.rate
    return (stage.work_centre.labour_rate or ZERO) + (stage.work_centre.overhead_rate or ZERO)


def _keep_rates(wo: WorkOrder) -> None:
    """Keep each stage's present rate, once: later settlements (late facts) price it the same way."""
    for stage in (WorkOrderStage.select(WorkOrderStage, WorkCentre).join(WorkCentre)
                  .where(WorkOrderStage.work_order == wo.id, WorkOrderStage.rate.is_null())):
        WorkOrderStage.update(rate=_stage_rate(stage)).where(WorkOrderStage.id == stage.id).execute()


def conversion_cost(wo: WorkOrder) -> Decimal:
    """Labour and overhead of the work order's stages, at the work centres' rates per minute."""
    total = ZERO
    for stage in WorkOrderStage.select(WorkOrderStage, WorkCentre).join(WorkCentre).where(WorkOrderStage.work_order == wo.id):
        minutes = stage.standard_minutes
        if stage.started_at and stage.completed_at and stage.completed_at > stage.started_at:
            minutes = exact(Decimal((stage.completed_at - stage.started_at).total_seconds()) / 60)
        total += exact(minutes * _stage_rate(stage))
    return total


def standard_unit_cost(wo: WorkOrder) -> Decimal:
    """Standard cost of one unit of main output: inputs per unit at their current cost, plus the
    routing's standard minutes at the work centres' rates spread over the planned quantity."""
    total = ZERO
    for line in RecipeInput.select(RecipeInput, Item).join(Item).where(RecipeInput.recipe == wo.recipe_id):
        total += line.qty_per_unit * costing.unit_cost(line.item, None)
    minutes = ZERO
    for stage in WorkOrderStage.select(WorkOrderStage, WorkCentre).join(WorkCentre).where(WorkOrderStage.work_order == wo.id):
        minutes += stage.standard_minutes * _stage_rate(stage)
    if wo.planned_qty:
        total += minutes / wo.planned_qty
    return total


def provisional_costs(wo: WorkOrder) -> dict[int, Decimal]:
    """The unit cost each output item of ``wo`` enters stock at until the work order is settled.

    Fixed when the work order's first output is reported, so every output of one work order
    enters at the same cost, and later outputs read one column. Per valued output of the recipe:
    its unit cost on the latest settled work order of the recipe; failing that, the standard
    unit cost × its cost share, per unit of its expected yield (zero when the recipe gives no
    yield for a co- or by-product). Scrap: zero.
    """
    if wo.provisional_costs:
        return {int(k): Decimal(v) for k, v in json.loads(wo.provisional_costs).items()}
    costs = _provisional_costs(wo)
    wo.provisional_costs = json.dumps({str(k): str(v) for k, v in costs.items()})
    WorkOrder.update(provisional_costs=wo.provisional_costs).where(WorkOrder.id == wo.id).execute()
    return costs


def _provisional_costs(wo: WorkOrder) -> dict[int, Decimal]:
    lines = list(RecipeOutput.select().where(RecipeOutput.recipe == wo.recipe_id))
    costs: dict[int, Decimal] = {}
    standard = None
    for line in lines:
        if line.kind not in VALUED_KINDS or not line.cost_share:
            costs[line.item_id] = ZERO
        elif line.settled_unit_cost is not None:
            costs[line.item_id] = line.settled_unit_cost
        else:
            if standard is None:
                standard = standard_unit_cost(wo)
            per_unit = line.qty_per_unit if line.qty_per_unit else (Decimal(1) if line.kind == "main" else None)
            costs[line.item_id] = exact(standard * line.cost_share / 100 / per_unit) if per_unit else ZERO
    return costs


def recipe_shares(recipe_id: int) -> str:
    """The cost shares of a recipe's valued outputs as a work order keeps them: JSON {item id: percent}."""
    rows = RecipeOutput.select(RecipeOutput.item, RecipeOutput.cost_share).where(
        RecipeOutput.recipe == recipe_id, RecipeOutput.kind.in_(VALUED_KINDS)).order_by(RecipeOutput.id).tuples()
    return json.dumps({str(item): format(share.normalize(), "f") for item, share in rows if share})


def _shares(wo: WorkOrder) -> dict[int, Decimal]:
    """The shares the work order was made with; the recipe's present ones for one made before they were kept."""
    kept = wo.cost_shares if wo.cost_shares is not None else recipe_shares(wo.recipe_id)
    return {int(item): Decimal(share) for item, share in json.loads(kept).items()}


def settle(wo: WorkOrder) -> None:
    """Value every output batch of ``wo`` from scratch and book the differences (in sets)."""
    _keep_rates(wo)
    materials, conversion = material_cost(wo), conversion_cost(wo)
    cost = materials + conversion
    outputs = list(WorkOrderOutput.select(WorkOrderOutput, Item, Batch).join(Item, on=WorkOrderOutput.item == Item.id)
                   .switch(WorkOrderOutput).join(Batch).where(WorkOrderOutput.work_order == wo.id)
                   .order_by(Batch.code))  # by code, not arrival: the cent left over by a split lands the same
    shares = _shares(wo)
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
    now = utcnow()
    for start in range(0, len(changed), CHUNK):
        variance += _book(wo, changed[start:start + CHUNK], new_values, now)
    _remember_unit_costs(wo, valued, new_values)
    WorkOrder.update(input_cost=materials, conversion_cost=conversion, output_value=output_value,
                     scrap_loss=cost - output_value, variance=variance, settled_at=now).where(WorkOrder.id == wo.id).execute()


def _book(wo: WorkOrder, changed: list[WorkOrderOutput], new_values: dict[int, Decimal], now) -> Decimal:
    """Book the new values of some outputs: revaluations for what is in stock; returns the variance."""
    on_hand = dict(StockBalance.select(StockBalance.batch, fn.SUM(StockBalance.qty)).where(
        StockBalance.batch.in_([o.batch_id for o in changed])).group_by(StockBalance.batch).tuples())
    deltas, in_stock = [], []
    for o in changed:
        delta = new_values[o.id] - o.value
        here = StockBalance.qty.from_units(on_hand.get(o.batch_id)) or ZERO
        portion = min(max(here, ZERO), o.qty) / o.qty
        deltas.append(delta)
        in_stock.append(delta if portion == 1 else exact(delta * portion))
    applied = costing.revalue_batches([(o.item, o.batch, d) for o, d in zip(changed, in_stock)])
    moves = [{"at": now, "kind": "revaluation", "item": o.item_id, "batch": o.batch_id, "location": None, "qty": ZERO,
              "value": a, "work_order": wo.id, "reference": f"settlement of {wo.number}"}
             for o, a in zip(changed, applied) if a]
    insert_dicts(StockMove, moves)
    v, u = WorkOrderOutput.value, Batch.unit_cost
    WorkOrderOutput.update(value=Case(WorkOrderOutput.id, [(raw(o.id), raw(v.db_value(new_values[o.id]))) for o in changed])).where(
        WorkOrderOutput.id.in_([o.id for o in changed])).execute()
    Batch.update(unit_cost=Case(Batch.id, [(raw(o.batch_id), raw(u.db_value(exact(new_values[o.id] / o.qty)))) for o in changed])).where(
        Batch.id.in_([o.batch_id for o in changed])).execute()
    return sum((d - a for d, a in zip(deltas, applied)), ZERO)


def _remember_unit_costs(wo: WorkOrder, valued: list[WorkOrderOutput], new_values: dict[int, Decimal]) -> None:
    """Each valued output's settled unit cost becomes the recipe's next provisional cost."""
    qty: dict[int, Decimal] = defaultdict(Decimal)
    value: dict[int, Decimal] = defaultdict(Decimal)
    for o in valued:
        qty[o.item_id] += o.qty
        value[o.item_id] += new_values[o.id]
    for item_id, q in qty.items():
        if q > 0:
            RecipeOutput.update(settled_unit_cost=exact(value[item_id] / q)).where(
                RecipeOutput.recipe == wo.recipe_id, RecipeOutput.item == item_id).execute()
