"""JSON API for recipes and work orders: create, list, status changes, issues, outputs, completion."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from flask import jsonify
from pydantic import ConfigDict, Field

from central import production, recipes
from central.api.blueprint import api
from central.api.schemas import (Code, Unit, Date, DateOut, DecimalOut, Money, Out, PageQuery, Qty, Query, Strict, Text,
                                 TimeOut, Whole, answers, follow, link, page_of, with_links)
from central.api.stock import ITEM_OR_BATCH, MASTER, MOVERS, Picks, _picks, actor
from central.auth import require_role
from central.models import (Item, Recipe, RecipeInput, RecipeOutput, RecipeStage, WorkCentre, WorkOrder,
                            WorkOrderOutput, WorkOrderStage)
from central.models.production import INPUT_MODES, OUTPUT_KINDS, WORK_ORDER_STATUSES

# --- schemas ---------------------------------------------------------------------------------------


class RecipePath(Query):
    code: Code


class WorkOrderPath(Query):
    number: Code


class StageIn(Strict):
    seq: Whole(1, 999) = Field(description="order of the stage in the routing")
    work_centre: Code
    standard_minutes: Money = Field(Decimal(0), description="minutes per unit of the work order")
    skill: Code | None = Field(None, description="skill an operator needs here")


class RecipeInputIn(Strict):
    item: Code
    qty_per_unit: Qty
    mode: Literal[INPUT_MODES] = Field("scanned", description="scanned at the station or backflushed at completion")
    unit: Unit | None = Field(None, description="checked against the item's unit")


class RecipeOutputIn(Strict):
    item: Code
    kind: Literal[OUTPUT_KINDS]
    cost_share: Money = Field(Decimal(0), description="percent of the cost; all shares add up to 100; scrap 0")
    qty_per_unit: Qty | None = None


class RecipeCreate(Strict):
    code: Code
    name: Text(128) = ""
    item: Code | None = Field(None, description="the main output (checked when given)")
    inputs: list[RecipeInputIn] = Field([], max_length=1000)
    outputs: list[RecipeOutputIn] = Field(min_length=1, max_length=100)
    stages: list[StageIn] = Field([], max_length=100)


class RecipeUpdate(Strict):
    """The whole recipe but its code: inputs, outputs and stages replace the old ones."""

    name: Text(128) = ""
    item: Code | None = Field(None, description="the main output (checked when given)")
    active: bool = True
    inputs: list[RecipeInputIn] = Field([], max_length=1000)
    outputs: list[RecipeOutputIn] = Field(min_length=1, max_length=100)
    stages: list[StageIn] = Field([], max_length=100)


class StageOut(Out):
    seq: int
    work_centre: Code
    standard_minutes: DecimalOut
    skill: Code | None


class WorkOrderStageOut(StageOut):
    started_at: TimeOut | None
    started_by: str | None
    completed_at: TimeOut | None
    completed_by: str | None


class RecipeInputOut(Out):
    item: Code
    unit: Unit
    qty_per_unit: DecimalOut
    mode: Literal[INPUT_MODES]


class RecipeOutputOut(Out):
    item: Code
    kind: Literal[OUTPUT_KINDS]
    cost_share: DecimalOut
    qty_per_unit: DecimalOut | None


class RecipeOut(Out):
    model_config = with_links(
        GetRecipe=follow("recipes_get", "code"),
        PlanWorkOrder=link("work_orders_create", "a work order for 10 units of this recipe",
                           body={"number": "WO-$response.body#/code", "recipe": "$response.body#/code",
                                 "planned_qty": "10"}))

    code: Code
    name: str
    item: Code
    active: bool
    inputs: list[RecipeInputOut]
    outputs: list[RecipeOutputOut]
    stages: list[StageOut]


RecipePage = page_of("recipes", RecipeOut)


class WorkOrderQuery(PageQuery):
    status: str | None = Field(None, pattern="^(" + "|".join(WORK_ORDER_STATUSES) + ")(,(" + "|".join(WORK_ORDER_STATUSES) + "))*$",
                               description=", ".join(WORK_ORDER_STATUSES) + "; several comma-separated")
    recipe: Code | None = None


class WorkOrderCreate(Strict):
    number: Code
    recipe: Code
    planned_qty: Qty
    due: Date | None = None
    priority: Whole(1, 9) = Field(5, description="1 (most urgent) to 9")
    status: Literal["draft", "released"] = "draft"
    stages: list[StageIn] | None = Field(None, max_length=100, description="routing; default: the recipe's")


class WorkOrderCosts(Out):
    materials: DecimalOut
    conversion: DecimalOut
    outputs: DecimalOut
    scrap_loss: DecimalOut
    variance: DecimalOut


class WorkOrderOutputOut(Out):
    batch: Code
    item: Code
    kind: Literal[OUTPUT_KINDS]
    qty: DecimalOut
    value: DecimalOut
    location: Code
    at: TimeOut


class WorkOrderOut(Out):
    number: Code
    recipe: Code
    item: Code
    planned_qty: DecimalOut
    due: DateOut | None
    priority: int
    status: Literal[WORK_ORDER_STATUSES]
    status_reason: str | None = Field(None, description="why it is paused, or was cancelled")
    started_at: TimeOut | None
    completed_at: TimeOut | None
    costs: WorkOrderCosts


_WO_LINKS = dict(
    GetWorkOrder=follow("work_orders_get", "number"),
    ReleaseWorkOrder=link("work_orders_status", parameters={"number": "$response.body#/number"},
                          body={"status": "released"}),
    IssueToWorkOrder=link("work_orders_issue", parameters={"number": "$response.body#/number"},
                          body={"item": "$response.body#/item", "qty": "1"}),
    ReportOutput=link("work_orders_output", parameters={"number": "$response.body#/number"},
                      body={"item": "$response.body#/item", "kind": "main", "batch": "FG-$response.body#/number",
                            "qty": "1"}),
    CompleteWorkOrder=link("work_orders_complete", parameters={"number": "$response.body#/number"}, body={}),
    Assignments=follow("assignments_list", "number"))


class WorkOrderDetail(WorkOrderOut):
    model_config = with_links(**_WO_LINKS)

    stages: list[WorkOrderStageOut]
    outputs: list[WorkOrderOutputOut]


WorkOrderPage = page_of("work_orders", WorkOrderOut)


class WorkOrderStatusChange(Strict):
    status: Literal[WORK_ORDER_STATUSES] = Field(description="draft → released → in_progress ⇄ paused → done; "
                                                             "cancelled until done")
    reason: Text(500) | None = Field(None, description="why it is paused or cancelled; kept until the next change")


class WorkOrderIssue(Strict):
    model_config = ITEM_OR_BATCH

    batch: Code | None = Field(None, description="batch scanned")
    item: Code | None = Field(None, description="item, picked FIFO/FEFO")
    qty: Qty
    unit: Unit | None = None
    location: Code | None = None
    allow_negative: bool = False


class WorkOrderOutputIn(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={
        "anyOf": [{"properties": {"kind": {"enum": [k for k in OUTPUT_KINDS if k != "scrap"]}}},
                  {"required": ["reason"], "properties": {"reason": {"type": "string"}}}]})

    item: Code
    kind: Literal[OUTPUT_KINDS]
    batch: Code = Field(description="new batch code")
    qty: Qty
    unit: Unit | None = None
    location: Code | None = Field(None, description="default: the finished-goods location")
    reason: Code | None = Field(None, description="required for scrap")


class ReportedOutput(Out):
    model_config = with_links(
        GetOutputBatch=follow("batches_get", "code", "batch"),
        TraceOutputBatch=follow("batches_trace", "code", "batch"))

    batch: Code
    item: Code
    kind: Literal[OUTPUT_KINDS]
    qty: DecimalOut
    value: DecimalOut


class CompleteBody(Strict):
    allow_negative: bool = Field(False, description="let backflush take stock below zero")


def _stage_dict(s) -> dict:
    out = {"seq": s.seq, "work_centre": s.work_centre.code, "standard_minutes": str(s.standard_minutes),
           "skill": s.skill.code if s.skill_id else None}
    if isinstance(s, WorkOrderStage):
        out.update(started_at=s.started_at.isoformat() if s.started_at else None, started_by=s.started_by,
                   completed_at=s.completed_at.isoformat() if s.completed_at else None, completed_by=s.completed_by)
    return out


def recipe_dict(r: Recipe) -> dict:
    """A recipe with inputs, outputs and routing."""
    return {
        "code": r.code, "name": r.name, "item": r.item.code, "active": r.active,
        "inputs": [{"item": i.item.code, "unit": i.item.unit, "qty_per_unit": str(i.qty_per_unit), "mode": i.mode}
                   for i in RecipeInput.select(RecipeInput, Item).join(Item).where(RecipeInput.recipe == r.id).order_by(RecipeInput.id)],
        "outputs": [{"item": o.item.code, "kind": o.kind, "cost_share": str(o.cost_share),
                     "qty_per_unit": str(o.qty_per_unit) if o.qty_per_unit is not None else None}
                    for o in RecipeOutput.select(RecipeOutput, Item).join(Item).where(RecipeOutput.recipe == r.id).order_by(RecipeOutput.id)],
        "stages": [_stage_dict(s) for s in RecipeStage.select(RecipeStage, WorkCentre).join(WorkCentre)
                   .where(RecipeStage.recipe == r.id).order_by(RecipeStage.seq)],
    }


def work_order_dict(wo: WorkOrder, detail: bool = False) -> dict:
    """A work order; with ``detail`` also its stages and output batches."""
    out = {"number": wo.number, "recipe": wo.recipe.code, "item": wo.recipe.item.code,
           "planned_qty": str(wo.planned_qty), "due": wo.due.isoformat() if wo.due else None, "priority": wo.priority,
           "status": wo.status, "status_reason": wo.status_reason, "started_at": wo.started_at.isoformat() if wo.started_at else None,
           "completed_at": wo.completed_at.isoformat() if wo.completed_at else None,
           "costs": {"materials": str(wo.input_cost), "conversion": str(wo.conversion_cost),
                     "outputs": str(wo.output_value), "scrap_loss": str(wo.scrap_loss), "variance": str(wo.variance)}}
    if detail:
        out["stages"] = [_stage_dict(s) for s in WorkOrderStage.select(WorkOrderStage, WorkCentre).join(WorkCentre)
                         .where(WorkOrderStage.work_order == wo.id).order_by(WorkOrderStage.seq)]
        out["outputs"] = [{"batch": o.batch.code, "item": o.item.code, "kind": o.kind, "qty": str(o.qty),
                           "value": str(o.value), "location": o.location.code, "at": o.at.isoformat()}
                          for o in WorkOrderOutput.select().where(WorkOrderOutput.work_order == wo.id).order_by(WorkOrderOutput.id)]
    return out


@api.get("/recipes", responses=answers((200, RecipePage)))
def recipes_list(query: PageQuery):
    """Recipes by code."""
    rows = Recipe.select().order_by(Recipe.code)
    return jsonify({"recipes": [recipe_dict(r) for r in rows.limit(query.limit).offset(query.offset)],
                    "total": rows.count(), "limit": query.limit, "offset": query.offset})


@api.post("/recipes", responses=answers((201, RecipeOut), 404, 409))
@require_role(*MASTER)
def recipes_create(body: RecipeCreate):
    """Create a recipe (bill of materials) with its outputs and routing."""
    return jsonify(recipe_dict(recipes.create_recipe(body.model_dump(mode="json", exclude_none=True)))), 201


@api.get("/recipes/<code>", responses=answers((200, RecipeOut), 404))
def recipes_get(path: RecipePath):
    """One recipe."""
    return jsonify(recipe_dict(recipes.get_recipe(path.code, "code")))


@api.put("/recipes/<code>", responses=answers((200, RecipeOut), 404, 409))
@require_role(*MASTER)
def recipes_update(path: RecipePath, body: RecipeUpdate):
    """Replace a recipe's lines (refused while a work order that is not done or cancelled uses it)."""
    return jsonify(recipe_dict(recipes.update_recipe(path.code, body.model_dump(mode="json", exclude_none=True))))


@api.get("/work-orders", responses=answers((200, WorkOrderPage)))
def work_orders_list(query: WorkOrderQuery):
    """Work orders by priority then due date, filtered by status or recipe."""
    rows = WorkOrder.select(WorkOrder, Recipe).join(Recipe)
    if query.status:
        rows = rows.where(WorkOrder.status.in_(query.status.split(",")))
    if query.recipe:
        rows = rows.where(Recipe.code == query.recipe)
    ordered = rows.order_by(WorkOrder.priority, WorkOrder.due.is_null(), WorkOrder.due, WorkOrder.number)
    return jsonify({"work_orders": [work_order_dict(w) for w in ordered.limit(query.limit).offset(query.offset)],
                    "total": rows.count(), "limit": query.limit, "offset": query.offset})


@api.post("/work-orders", responses=answers((201, WorkOrderDetail), 404, 409))
@require_role(*MASTER)
def work_orders_create(body: WorkOrderCreate):
    """Create a work order from a recipe."""
    wo = production.create_work_order(body.model_dump(mode="json", exclude_none=True))
    return jsonify(work_order_dict(wo, detail=True)), 201


@api.get("/work-orders/<number>", responses=answers((200, WorkOrderDetail), 404))
def work_orders_get(path: WorkOrderPath):
    """One work order with its stages, outputs and costs."""
    return jsonify(work_order_dict(production.get_work_order(path.number, "number"), detail=True))


@api.post("/work-orders/<number>/status", responses=answers((200, WorkOrderDetail), 404, 409))
@require_role(*MASTER)
def work_orders_status(path: WorkOrderPath, body: WorkOrderStatusChange):
    """Change the status (draft → released → in_progress ⇄ paused → done; cancelled until done)."""
    return jsonify(work_order_dict(production.set_status(path.number, body.status, actor(), body.reason), detail=True))


@api.post("/work-orders/<number>/issues", responses=answers((201, Picks), 404, 409))
@require_role(*MOVERS)
def work_orders_issue(path: WorkOrderPath, body: WorkOrderIssue):
    """Issue material to the work order."""
    picks = production.issue_material(path.number, qty=body.qty, actor=actor(body.allow_negative), batch=body.batch,
                                      item=body.item, unit=body.unit, location=body.location)
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/work-orders/<number>/outputs", responses=answers((201, ReportedOutput), 404, 409))
@require_role(*MOVERS)
def work_orders_output(path: WorkOrderPath, body: WorkOrderOutputIn):
    """Report an output batch of the work order."""
    out = production.report_output(path.number, item=body.item, kind=body.kind, batch=body.batch, qty=body.qty,
                                   actor=actor(), unit=body.unit, location=body.location, reason=body.reason)
    return jsonify({"batch": out.batch.code, "item": out.item.code, "kind": out.kind, "qty": str(out.qty),
                    "value": str(out.value)}), 201


@api.post("/work-orders/<number>/complete", responses=answers((200, WorkOrderDetail), 404, 409))
@require_role(*MOVERS)
def work_orders_complete(path: WorkOrderPath, body: CompleteBody):
    """Complete: backflush unscanned inputs, mark done, settle costs."""
    return jsonify(work_order_dict(production.complete(path.number, actor(body.allow_negative)), detail=True))
