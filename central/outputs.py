"""Outputs reported on work orders: new batches entering stock at their provisional cost, in sets.

Outputs of many events are booked together: one read of the work orders, items, recipe lines
and existing batch codes, one insert each of batches, cost layers, balances, ledger rows and
output rows. The value is the provisional unit cost (``settlement.provisional_costs``) × the
quantity; settlement at completion replaces it. Nothing reads the work order's other outputs,
so the ten thousandth output costs what the first did.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from central import consumption, costing, lifecycle, settlement
from central.catalog import check_code, default_location, get_item, get_locations
from central.db import database, insert_dicts
from central.errors import Conflict, ValidationError
from central.inventory import Actor, check_unit, default_expiry, write_moves
from central.models import Batch, CostLayer, Item, RecipeOutput, WorkOrder, WorkOrderOutput, utcnow
from central.models.production import OUTPUT_KINDS
from central.quantities import ZERO, check_positive, exact


@dataclass
class Output:
    """One batch a work order produced."""

    work_order: str
    item: str
    kind: str
    batch: str
    qty: Decimal
    actor: Actor
    unit: str | None = None
    location: str | None = None
    reason: str | None = None


def report_output(number: str, *, item: str, kind: str, batch: str, qty: Decimal, actor: Actor,
                  unit: str | None = None, location: str | None = None, reason: str | None = None) -> WorkOrderOutput:
    """A work order produced a batch of one of its outputs; it enters stock at its provisional cost."""
    return report_outputs([Output(number, item, kind, batch, qty, actor, unit, location, reason)])[0]


def _check(output: Output) -> None:
    output.qty = check_positive("qty", output.qty)
    if output.kind not in OUTPUT_KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(OUTPUT_KINDS)}, got {output.kind!r}")
    if output.kind == "scrap" and not output.reason:
        raise ValidationError("reason", "is required when kind is scrap")
    check_code("batch", output.batch)


def report_outputs(outputs: list[Output], answer: bool = True) -> list[WorkOrderOutput]:
    """Book several outputs in one transaction and in sets; returns their output rows (when ``answer``)."""
    for output in outputs:
        _check(output)
    codes = [o.batch for o in outputs]
    if len(set(codes)) != len(codes):
        twice = sorted({c for c in codes if codes.count(c) > 1})[0]
        raise Conflict("batch", f"batch {twice} already exists: output batch codes must be new")
    with database.atomic():
        wos = lifecycle.work_orders({o.work_order for o in outputs})
        items = {i.code: i for i in Item.select().where(Item.code.in_({o.item for o in outputs}))}
        taken = Batch.select(Batch.code).where(Batch.code.in_(codes)).order_by(Batch.code).first()
        if taken is not None:
            raise Conflict("batch", f"batch {taken.code} already exists: output batch codes must be new")
        lines = {(line.recipe_id, line.item_id): line for line in RecipeOutput.select().where(
            RecipeOutput.recipe.in_({wo.recipe_id for wo in wos.values()}))}
        places = get_locations({o.location for o in outputs if o.location})
        unit_costs: dict[int, dict[int, Decimal]] = {}
        rows = []
        for output in outputs:
            wo = wos[output.work_order]
            item = items.get(output.item) or get_item(output.item)
            check_unit(item, output.unit)
            line = lines.get((wo.recipe_id, item.id))
            if line is None or line.kind != output.kind:
                if not output.actor.is_fact:
                    raise Conflict("item", f"{item.code} is not a {output.kind} output of recipe {wo.recipe.code}")
                output.actor.flag("not_in_recipe", f"{output.kind} output {item.code} of {wo.number} is not in its "
                                  f"recipe as {output.kind}", subject=wo.number)
            lifecycle.open_for_fact(wo, output.actor, f"report output {output.batch}")
            if not output.location and "" not in places:
                places[""] = default_location("finished")
            place = places[output.location or ""]
            if wo.id not in unit_costs:
                unit_costs[wo.id] = settlement.provisional_costs(wo)
            unit = unit_costs[wo.id].get(item.id, ZERO) if output.kind != "scrap" else ZERO
            rows.append((output, wo, item, place, unit, exact(output.qty * unit)))
        batches = _new_batches(rows)
        moves = []
        layers = []
        for output, wo, item, place, unit, value in rows:
            batch = batches[output.batch]
            base = {"item": item, "batch": batch, "location": place, "work_order": wo.id, "reason": output.reason,
                    "actor": output.actor}
            moves.append({**base, "kind": "output", "qty": output.qty, "value": value})
            if item.costing == "fifo" and item.batch_tracked:  # a new batch: a new layer, nothing to fill
                layers.append({"item": item.id, "batch": batch.id, "qty_in": output.qty, "qty": output.qty,
                               "value": value, "unit_cost": unit, "created_at": utcnow()})
            else:
                revaluation = costing.add(item, batch if item.batch_tracked else None, output.qty, value)
                if revaluation:
                    moves.append({**base, "kind": "revaluation", "qty": ZERO, "value": revaluation})
        insert_dicts(CostLayer, layers)
        write_moves(moves, outputs[0].actor, balances={}, complete=all(item.batch_tracked for _, _, item, *_ in rows))
        insert_dicts(WorkOrderOutput, [
            {"work_order": wo.id, "batch": batches[o.batch].id, "item": item.id, "kind": o.kind, "qty": o.qty,
             "location": place.id, "reason": o.reason, "operator": o.actor.operator, "event_id": o.actor.event_id,
             "at": o.actor.when(), "value": value} for o, wo, item, place, unit, value in rows])
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for output, wo, item, place, unit, value in rows:
            totals[wo.id] += value
        lifecycle.add_to_costs(WorkOrder.output_value, totals)
        consumption.book_parked(codes)
        done = {wo.id: (wo, o.actor) for o, wo, *_ in rows if wo.status == "done"}
        for wo, actor in done.values():  # outputs after completion: top the backflush up, settle again
            consumption.backflush(wo, actor)
        lifecycle.after_facts([wo for wo, _ in done.values()])
        if not answer:
            return []
        made = {r.batch_id: r for r in WorkOrderOutput.select().where(
            WorkOrderOutput.batch.in_([b.id for b in batches.values()]))}
        return [made[batches[o.batch].id] for o in outputs]


def _new_batches(rows) -> dict[str, Batch]:
    """Create the output batches in one insert (expiry from the item's shelf life) and read them back."""
    values = []
    for output, wo, item, place, unit, value in rows:
        at = output.actor.at or utcnow()
        values.append({"code": output.batch, "item": item.id, "expiry": default_expiry(item, at), "unit_cost": unit,
                       "status": "released", "created_at": at})
    insert_dicts(Batch, values)
    return {b.code: b for b in Batch.select().where(Batch.code.in_([v["code"] for v in values]))}
