"""Material into work orders: scanned issues (in sets), issues parked until their batch is known, backflush.

An issue names a batch (or only an item, picked FIFO/FEFO). Issues of many events are booked
together: one read of the work orders, batches, recipe lines and balances, one costing pass
per item, one ledger insert, one upsert of the work orders' inputs (genealogy). Nothing here
re-reads a work order's history, so an issue costs the same on the first and the ten
thousandth fact of a work order.

A station may scan a batch whose receipt, or the output that makes it, has not reached
central yet. Its issue is parked (``ParkedIssue``) and booked with its own time and operator
the moment the batch appears, so stock, cost and genealogy end the same whatever order the
facts arrived in.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from central import genealogy, inventory, lifecycle
from central.catalog import get_item, get_locations
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.inventory import Actor, Pick, check_unit, check_usable, cost_picks, take_out, write_moves
from central.models import (Batch, Flag, Item, ParkedIssue, RecipeInput, StockMove, WorkOrder,
                            WorkOrderOutput, utcnow)
from central.quantities import ZERO, check_positive, exact


@dataclass
class Issue:
    """One material issue into a work order: a batch, or an item to pick FIFO/FEFO."""

    work_order: str
    qty: Decimal
    actor: Actor
    batch: str | None = None
    item: str | None = None
    unit: str | None = None
    location: str | None = None
    parked: bool = False  # booked now that its batch is known; its work order was checked when it came


def issue_material(number: str, *, qty: Decimal, actor: Actor, batch: str | None = None, item: str | None = None,
                   unit: str | None = None, location: str | None = None) -> list[Pick]:
    """Put a scanned batch (or an item, picked FIFO/FEFO) into a work order."""
    return issue_materials([Issue(number, qty, actor, batch, item, unit, location)])[0]


def issue_materials(issues: list[Issue]) -> list[list[Pick]]:
    """Book several issues in one transaction and in sets; returns each one's picks ([] when parked)."""
    for issue in issues:
        issue.qty = check_positive("qty", issue.qty)
    with database.atomic():
        wos = lifecycle.work_orders({i.work_order for i in issues})
        batches = _batches({i.batch for i in issues if i.batch})
        named = [i.item for i in issues if i.item and not (i.batch and i.batch in batches)]
        items = {it.code: it for it in Item.select().where(Item.code.in_(named))} if named else {}
        places = get_locations({i.location for i in issues if i.location})
        in_recipe = set(RecipeInput.select(RecipeInput.recipe, RecipeInput.item).where(
            RecipeInput.recipe.in_({wo.recipe_id for wo in wos.values()})).tuples())
        results: list[list[Pick]] = [[] for _ in issues]
        scanned, picked, consumed_value = [], [], defaultdict(Decimal)
        for n, issue in enumerate(issues):
            wo = wos[issue.work_order]
            batch = batches.get(issue.batch) if issue.batch else None
            if issue.batch and batch is None:
                if not issue.actor.is_fact:
                    raise NotFound("batch", f"no batch {issue.batch!r}")
                lifecycle.open_for_fact(wo, issue.actor, f"issue batch {issue.batch}")
                _park(issue, wo)
                continue
            item = batch.item if batch is not None else (items.get(issue.item) or get_item(issue.item))
            _check_item(issue, item, batch)
            if not issue.parked:
                lifecycle.open_for_fact(wo, issue.actor, f"issue {item.code}")
            if (wo.recipe_id, item.id) not in in_recipe:
                if not issue.actor.is_fact:
                    raise Conflict("item", f"item {item.code} is not an input of recipe {wo.recipe.code}")
                issue.actor.flag("not_in_recipe", f"item {item.code} issued to {wo.number} is not in its recipe",
                                 subject=wo.number)
            place = places[issue.location] if issue.location else None
            if batch is not None:
                check_usable(batch, issue.actor)
                scanned.append((n, wo, item, batch, place))
            else:
                picked.append((n, wo, item, place))
        if scanned:
            balances = inventory.load_batch_balances(list({b.id for _, _, _, b, _ in scanned}))
            plans = inventory.plan_batch_picks([(item, b, place, issues[n].qty) for n, _, item, b, place in scanned],
                                               balances)
            by_item: dict[int, list[Pick]] = defaultdict(list)
            for (n, wo, item, b, place), picks in zip(scanned, plans):
                results[n] = picks
                by_item[item.id].extend(picks)
            for picks in by_item.values():
                cost_picks(picks[0].item, picks)
            moves = [{"item": p.item, "batch": p.batch, "location": p.location, "qty": -p.qty, "value": -p.value,
                      "kind": "issue", "work_order": wo.id, "actor": issues[n].actor}
                     for (n, wo, *_), picks in zip(scanned, plans) for p in picks]
            known = {(b.item_id, b.batch_id, b.location_id): b for rows in balances.values() for b in reversed(rows)}
            write_moves(moves, issues[scanned[0][0]].actor, balances=known)
        for n, wo, item, place in picked:  # FIFO over the item's batches: after the scanned ones, one at a time
            results[n] = take_out(qty=issues[n].qty, actor=issues[n].actor, kind="issue", item=item, location=place,
                                  work_order=wo.id)
        touched = [(n, wo) for n, wo, *_ in scanned] + [(n, wo) for n, wo, *_ in picked]
        genealogy.add_inputs([(wo.id, p.batch.id if p.batch else None, p.item.id, p.qty)
                              for n, wo in touched for p in results[n]])
        for n, wo in touched:
            consumed_value[wo.id] += sum((p.value for p in results[n]), ZERO)
        lifecycle.add_to_costs(WorkOrder.input_cost, consumed_value)
        lifecycle.after_facts([wo for _, wo in touched])
        return results


def _batches(codes: set[str]) -> dict[str, Batch]:
    if not codes:
        return {}
    return {b.code: b for b in Batch.select(Batch, Item).join(Item).where(Batch.code.in_(list(codes)))}


def _check_item(issue: Issue, item: Item, batch: Batch | None) -> None:
    """The item named must be the batch's, in its unit; a parked issue is booked anyway and flagged."""
    try:
        if issue.item and batch is not None and item.code != issue.item:
            raise ValidationError("item", f"batch {batch.code} is of item {item.code}, not {issue.item}")
        check_unit(item, issue.unit)
    except ValidationError as exc:
        if not issue.parked:
            raise
        issue.actor.flag("parked_issue_mismatch", f"issue of batch {batch.code} to {issue.work_order}: {exc}; "
                         "booked as the batch is", subject=batch.code)


# --- parked issues ---------------------------------------------------------------------------------

def _park(issue: Issue, wo: WorkOrder) -> None:
    ParkedIssue.create(batch_code=issue.batch, work_order=wo.id, item=issue.item, unit=issue.unit, qty=issue.qty,
                       operator=issue.actor.operator, event_id=issue.actor.event_id, at=issue.actor.when())
    issue.actor.flag("unknown_batch", f"batch {issue.batch} issued to {wo.number} is not known yet: the issue is "
                     "booked when its receipt or output arrives", subject=issue.batch)


def book_parked(codes: list[str]) -> int:
    """Book the parked issues of batches that now exist; returns how many were booked.

    Called by whatever creates batches (goods receipt, reported outputs), in its transaction.
    Their "not known yet" flags are closed.
    """
    parked = list(ParkedIssue.select(ParkedIssue, WorkOrder).join(WorkOrder)
                  .where(ParkedIssue.batch_code.in_(codes)).order_by(ParkedIssue.at, ParkedIssue.id)) if codes else []
    if not parked:
        return 0
    ParkedIssue.delete().where(ParkedIssue.id.in_([p.id for p in parked])).execute()
    issue_materials([Issue(p.work_order.number, p.qty, Actor(operator=p.operator, event_id=str(p.event_id), at=p.at),
                           batch=p.batch_code, item=p.item, unit=p.unit, parked=True) for p in parked])
    Flag.update(resolved_at=utcnow(), resolved_by="system", resolution="the batch arrived; the issue is booked").where(
        Flag.kind == "unknown_batch", Flag.subject.in_(codes), Flag.resolved_at.is_null(),
        Flag.event.in_([str(p.event_id) for p in parked])).execute()
    return len(parked)


def receive(**kwargs) -> Batch | None:
    """Goods receipt (``inventory.receive``) that also books the issues parked for its batch."""
    with database.atomic():
        batch = inventory.receive(**kwargs)
        if batch is not None:
            book_parked([batch.code])
        return batch


# --- backflush ---------------------------------------------------------------------------------------

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
    genealogy.add_inputs([(wo.id, p.batch.id if p.batch else None, p.item.id, p.qty) for p in picks])
    return picks
