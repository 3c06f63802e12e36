"""Read models of work orders: the filtered list, and everything one work order's page shows.

Queries, not caches: each call reads the tables as they are. The list returns a query for the
caller to page by key (newest first, by id); the detail reads each part in one query.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import peewee as pw
from peewee import JOIN, fn

from central import settlement
from central.assignment import list_assignments
from central.catalog import get_item
from central.errors import ValidationError
from central.lifecycle import get_work_order
from central.lookup import by_code
from central.models import (Batch, EventRecord, Flag, Item, Location, Recipe, RecipeInput, Skill,
                            StageAssignment, StockMove, WorkCentre, WorkOrder, WorkOrderInput, WorkOrderOutput,
                            WorkOrderStage)
from central.models.production import WORK_ORDER_STATUSES
from central.quantities import ZERO, exact

_qty = StockMove.qty


def parse_day(name: str, value) -> date | None:
    """An optional date YYYY-MM-DD from a filter; ValidationError naming ``name`` otherwise."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(name, f"must be a date YYYY-MM-DD, got {value!r}") from None


def work_orders(*, status: str | None = None, item: str | None = None, recipe: str | None = None,
                work_centre: str | None = None, due_from=None, due_to=None, number: str | None = None) -> pw.ModelSelect:
    """Work orders (with recipe and item) matching the filters; unknown codes are NotFound naming the filter.

    ``status`` may list several, comma-separated; ``work_centre`` keeps those with a stage there;
    ``number`` matches any part of the number, ignoring case; the due range includes both ends.
    """
    query = (WorkOrder.select(WorkOrder, Recipe, Item).join(Recipe).join(Item, on=(Recipe.item == Item.id)))
    if status:
        wanted = [s for s in status.split(",") if s]
        for s in wanted:
            if s not in WORK_ORDER_STATUSES:
                raise ValidationError("status", f"must be one of {', '.join(WORK_ORDER_STATUSES)}, got {s!r}")
        query = query.where(WorkOrder.status.in_(wanted))
    if item:
        query = query.where(Recipe.item == get_item(item).id)
    if recipe:
        query = query.where(WorkOrder.recipe == by_code(Recipe.code, recipe, "recipe", "recipe").id)
    if work_centre:
        centre = by_code(WorkCentre.code, work_centre, "work_centre", "work centre")
        query = query.where(fn.EXISTS(WorkOrderStage.select(WorkOrderStage.id).where(
            WorkOrderStage.work_order == WorkOrder.id, WorkOrderStage.work_centre == centre.id)))
    start, end = parse_day("due_from", due_from), parse_day("due_to", due_to)
    if start and end and end < start:
        raise ValidationError("due_to", "is before the start of the range")
    if start:
        query = query.where(WorkOrder.due >= start)
    if end:
        query = query.where(WorkOrder.due <= end)
    if number:
        query = query.where(fn.LOWER(WorkOrder.number).contains(number.strip().lower()))
    return query


@dataclass
class Stage:
    """A routing stage as the page shows it: times, who, actual minutes, and who is assigned."""

    row: WorkOrderStage
    minutes: Decimal | None
    assignments: list[StageAssignment] = field(default_factory=list)


@dataclass
class Input:
    """One input item: what the recipe plans for the work order, what was issued, from which batches."""

    item: Item
    mode: str | None  # scanned or backflush; None for an item the recipe does not name
    per_unit: Decimal | None
    planned: Decimal | None
    needed: Decimal | None  # for the main output reported so far
    issued: Decimal = ZERO
    batches: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class Output:
    """An output batch with its value now and the labels printed for it."""

    row: WorkOrderOutput
    labels: list[EventRecord] = field(default_factory=list)


@dataclass
class Costs:
    """The work order's costs: provisional while it runs, settled at completion (and after late facts)."""

    settled: bool
    materials: Decimal
    conversion: Decimal
    cost: Decimal
    outputs: Decimal
    scrap_loss: Decimal
    variance: Decimal
    provisional_unit_costs: list[tuple[Item, Decimal]]
    main_unit_cost: Decimal | None


@dataclass
class WorkOrderView:
    """Everything the work order's page shows."""

    wo: WorkOrder
    item: Item
    reported: Decimal  # main output reported
    stages: list[Stage]
    inputs: list[Input]
    outputs: list[Output]
    costs: Costs
    flags: list[Flag]


def _stages(wo: WorkOrder) -> list[Stage]:
    rows = list(WorkOrderStage.select(WorkOrderStage, WorkCentre, Skill).join(WorkCentre).switch(WorkOrderStage)
                .join(Skill, JOIN.LEFT_OUTER).where(WorkOrderStage.work_order == wo.id).order_by(WorkOrderStage.seq))
    by_stage: dict[int, list[StageAssignment]] = {}
    for a in list_assignments(wo.number):
        by_stage.setdefault(a.stage_id, []).append(a)
    out = []
    for s in rows:
        minutes = None
        if s.started_at and s.completed_at and s.completed_at > s.started_at:
            minutes = exact(Decimal((s.completed_at - s.started_at).total_seconds()) / 60)
        out.append(Stage(s, minutes, by_stage.get(s.id, [])))
    return out


def _inputs(wo: WorkOrder, reported: Decimal) -> list[Input]:
    lines: dict[int, Input] = {}
    for line in (RecipeInput.select(RecipeInput, Item).join(Item).where(RecipeInput.recipe == wo.recipe_id)
                 .order_by(RecipeInput.id)):
        lines[line.item_id] = Input(line.item, line.mode, line.qty_per_unit, exact(line.qty_per_unit * wo.planned_qty),
                                    exact(line.qty_per_unit * reported))
    issued = (StockMove.select(StockMove.item, fn.SUM(StockMove.qty)).where(
        StockMove.work_order == wo.id, StockMove.kind.in_(("issue", "backflush"))).group_by(StockMove.item).tuples())
    for item_id, total in issued:
        if item_id not in lines:
            lines[item_id] = Input(Item.get_by_id(item_id), None, None, None, None)
        lines[item_id].issued = -(_qty.from_units(total) or ZERO)
    for item_id, code, qty in (WorkOrderInput.select(WorkOrderInput.item, Batch.code, WorkOrderInput.qty).join(Batch)
                               .where(WorkOrderInput.work_order == wo.id).order_by(Batch.code).tuples()):
        if item_id in lines and qty:
            lines[item_id].batches.append((code, qty))
    return list(lines.values())


def _outputs(wo: WorkOrder) -> list[Output]:
    rows = list(WorkOrderOutput.select(WorkOrderOutput, Batch, Item, Location).join(Batch).switch(WorkOrderOutput)
                .join(Item, on=(WorkOrderOutput.item == Item.id)).switch(WorkOrderOutput).join(Location)
                .where(WorkOrderOutput.work_order == wo.id).order_by(WorkOrderOutput.at, WorkOrderOutput.id))
    out = {o.batch.code: Output(o) for o in rows}
    if out:
        for label in (EventRecord.select().where(EventRecord.type == "label.printed", EventRecord.batch.in_(list(out)))
                      .order_by(EventRecord.at)):
            out[label.batch].labels.append(label)
    return list(out.values())


def label_copies(label: EventRecord) -> tuple[int, bool, str]:
    """A label.printed event's copies, whether it was a reprint, and its template."""
    data = json.loads(label.payload).get("data", {})
    return data.get("copies", 1), bool(data.get("reprint")), data.get("template", "")


def _costs(wo: WorkOrder, outputs: list[Output]) -> Costs:
    settled = wo.settled_at is not None
    materials = wo.input_cost
    conversion = wo.conversion_cost if settled else settlement.conversion_cost(wo)
    provisional = []
    if wo.provisional_costs:
        costs = {int(k): Decimal(v) for k, v in json.loads(wo.provisional_costs).items()}
        items = {i.id: i for i in Item.select().where(Item.id.in_(list(costs)))}
        provisional = [(items[i], c) for i, c in costs.items() if i in items]
    main_qty = sum((o.row.qty for o in outputs if o.row.kind == "main"), ZERO)
    main_value = sum((o.row.value for o in outputs if o.row.kind == "main"), ZERO)
    return Costs(settled, materials, conversion, materials + conversion, wo.output_value, wo.scrap_loss, wo.variance,
                 provisional, exact(main_value / main_qty) if main_qty else None)


def _flags(wo: WorkOrder) -> list[Flag]:
    """Flags naming the work order, and flags raised by its events; newest first."""
    about = Flag.select().where(Flag.subject == wo.number)
    by_events = (Flag.select().join(EventRecord).where(EventRecord.work_order == wo.number, Flag.subject != wo.number))
    flags = list(about.order_by(Flag.id.desc()).limit(100)) + list(by_events.order_by(Flag.id.desc()).limit(100))
    return sorted(flags, key=lambda f: f.id, reverse=True)


def work_order_view(number: str) -> WorkOrderView:
    """The work order's page: stages, inputs planned against issued, outputs with labels, costs, flags."""
    wo = get_work_order(number, "number")
    recipe = Recipe.get_by_id(wo.recipe_id)
    item = Item.get_by_id(recipe.item_id)
    outputs = _outputs(wo)
    reported = sum((o.row.qty for o in outputs if o.row.kind == "main"), ZERO)
    return WorkOrderView(wo, item, reported, _stages(wo), _inputs(wo, reported), outputs, _costs(wo, outputs),
                         _flags(wo))


def recipe_choices() -> list[tuple[str, str]]:
    """Active recipes for a new work order: (code, "code — name (item)")."""
    rows = (Recipe.select(Recipe, Item).join(Item).where(Recipe.active == True).order_by(Recipe.code))  # noqa: E712
    return [(r.code, f"{r.code} — {r.name or r.item.name} ({r.item.code})") for r in rows]

