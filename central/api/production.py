"""JSON API for recipes and work orders: create, list, status changes, issues, outputs, completion."""
from __future__ import annotations

from flask import jsonify, request

from central import production, recipes
from central.api import inputs
from central.api.blueprint import api, json_body, page_args
from central.api.stock import documented  # noqa: F401
from central.api.stock import MASTER, MOVERS, PAGE, _picks, actor
from central.auth import require_role
from central.errors import ValidationError
from central.models import (Item, Recipe, RecipeInput, RecipeOutput, RecipeStage, WorkCentre, WorkOrder,
                            WorkOrderOutput, WorkOrderStage)
from central.models.production import WORK_ORDER_STATUSES
from central.api.schemas import Code, Id, Query, Text  # noqa: F401


class WorkOrderPath(Query):
    number: Code

class RecipePath(Query):
    code: Code



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
           "status": wo.status, "started_at": wo.started_at.isoformat() if wo.started_at else None,
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


STAGES = ("array", False, "routing stages: {seq, work_centre, standard_minutes, skill}")


@api.get("/recipes")
@documented(query=PAGE)
def recipes_list():
    """Recipes by code."""
    limit, offset = page_args()
    query = Recipe.select().order_by(Recipe.code)
    return jsonify({"recipes": [recipe_dict(r) for r in query.limit(limit).offset(offset)], "total": query.count(),
                    "limit": limit, "offset": offset})


@api.post("/recipes")
@require_role(*MASTER)
@documented(body={"code": ("code", True, ""), "name": ("string", False, ""),
                  "inputs": ("array", False, "{item, qty_per_unit, mode: scanned|backflush, unit}"),
                  "outputs": ("array", True, "{item, kind: main|co|by|scrap, cost_share (percent; all add up to 100), qty_per_unit}"),
                  "stages": STAGES})
def recipes_create():
    """Create a recipe (bill of materials) with its outputs and routing."""
    return jsonify(recipe_dict(recipes.create_recipe(json_body()))), 201


@api.get("/recipes/<code>")
def recipes_get(path: RecipePath):
    """One recipe."""
    code = path.code
    return jsonify(recipe_dict(recipes.get_recipe(code, "code")))


@api.get("/work-orders")
@documented(query={"status": ("string", False, ", ".join(WORK_ORDER_STATUSES) + "; several comma-separated"),
                   "recipe": ("code", False, ""), **PAGE})
def work_orders_list():
    """Work orders by priority then due date, filtered by status or recipe."""
    limit, offset = page_args()
    query = WorkOrder.select(WorkOrder, Recipe).join(Recipe)
    if request.args.get("status"):
        wanted = request.args["status"].split(",")
        bad = [s for s in wanted if s not in WORK_ORDER_STATUSES]
        if bad:
            raise ValidationError("status", f"unknown status {bad[0]!r}")
        query = query.where(WorkOrder.status.in_(wanted))
    if request.args.get("recipe"):
        query = query.where(Recipe.code == request.args["recipe"])
    rows = query.order_by(WorkOrder.priority, WorkOrder.due.is_null(), WorkOrder.due, WorkOrder.number)
    return jsonify({"work_orders": [work_order_dict(w) for w in rows.limit(limit).offset(offset)],
                    "total": query.count(), "limit": limit, "offset": offset})


@api.post("/work-orders")
@require_role(*MASTER)
@documented(body={"number": ("code", True, ""), "recipe": ("code", True, ""), "planned_qty": ("decimal", True, "> 0"),
                  "due": ("date", False, ""), "priority": ("integer", False, "1 (most urgent) to 9, default 5"),
                  "status": ("string", False, "draft (default) or released"),
                  "stages": ("array", False, "routing; default: the recipe's")})
def work_orders_create():
    """Create a work order from a recipe."""
    wo = production.create_work_order(json_body())
    return jsonify(work_order_dict(wo, detail=True)), 201


@api.get("/work-orders/<number>")
def work_orders_get(path: WorkOrderPath):
    """One work order with its stages, outputs and costs."""
    number = path.number
    return jsonify(work_order_dict(production.get_work_order(number, "number"), detail=True))


@api.post("/work-orders/<number>/status")
@require_role(*MASTER)
@documented(body={"status": ("string", True, ", ".join(WORK_ORDER_STATUSES))})
def work_orders_status(path: WorkOrderPath):
    """Change the status (draft → released → in_progress ⇄ paused → done; cancelled until done)."""
    number = path.number
    body = json_body()
    wo = production.set_status(number, body.get("status"), actor())
    return jsonify(work_order_dict(wo, detail=True))


@api.post("/work-orders/<number>/issues")
@require_role(*MOVERS)
@documented(body={"batch": ("code", False, "batch scanned"), "item": ("code", False, "item, picked FIFO/FEFO"),
                  "qty": ("decimal", True, "> 0"), "unit": ("code", False, ""), "location": ("code", False, ""),
                  "allow_negative": ("boolean", False, "")})
def work_orders_issue(path: WorkOrderPath):
    """Issue material to the work order."""
    number = path.number
    body = json_body()
    picks = production.issue_material(number, qty=inputs.decimal(body, "qty", positive=True), actor=actor(),
                                      batch=inputs.code(body, "batch", required=False),
                                      item=inputs.code(body, "item", required=False),
                                      unit=inputs.code(body, "unit", required=False),
                                      location=inputs.code(body, "location", required=False))
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/work-orders/<number>/outputs")
@require_role(*MOVERS)
@documented(body={"item": ("code", True, ""), "kind": ("string", True, "main, co, by or scrap"),
                  "batch": ("code", True, "new batch code"), "qty": ("decimal", True, "> 0"),
                  "unit": ("code", False, ""), "location": ("code", False, "default: the finished-goods location"),
                  "reason": ("code", False, "required for scrap")})
def work_orders_output(path: WorkOrderPath):
    """Report an output batch of the work order."""
    number = path.number
    body = json_body()
    out = production.report_output(number, item=inputs.code(body, "item"), kind=body.get("kind"),
                                   batch=inputs.code(body, "batch"), qty=inputs.decimal(body, "qty", positive=True),
                                   actor=actor(), unit=inputs.code(body, "unit", required=False),
                                   location=inputs.code(body, "location", required=False),
                                   reason=inputs.code(body, "reason", required=False))
    return jsonify({"batch": out.batch.code, "item": out.item.code, "kind": out.kind, "qty": str(out.qty),
                    "value": str(out.value)}), 201


@api.post("/work-orders/<number>/complete")
@require_role(*MOVERS)
@documented(body={"allow_negative": ("boolean", False, "let backflush take stock below zero")})
def work_orders_complete(path: WorkOrderPath):
    """Complete: backflush unscanned inputs, mark done, settle costs."""
    number = path.number
    return jsonify(work_order_dict(production.complete(number, actor()), detail=True))

