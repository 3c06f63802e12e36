"""Production: recipes (inputs, outputs, routing), work orders, their stages and reported outputs."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.fields import FixedDecimalField
from central.models.reference import Skill, WorkCentre
from central.models.stock import Batch, Item, Location

INPUT_MODES = ("scanned", "backflush")
OUTPUT_KINDS = ("main", "co", "by", "scrap")
WORK_ORDER_STATUSES = ("draft", "released", "in_progress", "paused", "done", "cancelled")


class Recipe(BaseModel):
    """A bill of materials: what goes in per unit of the main output and what comes out."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")  # the main output
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class RecipeInput(BaseModel):
    """One input of a recipe: quantity per unit of main output, scanned at the station or backflushed."""

    recipe = pw.ForeignKeyField(Recipe, backref="inputs", on_delete="CASCADE")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    qty_per_unit = FixedDecimalField()
    mode = pw.CharField(max_length=16, default="scanned")


class RecipeOutput(BaseModel):
    """One output of a recipe with its kind and the percentage of the cost it carries."""

    recipe = pw.ForeignKeyField(Recipe, backref="outputs", on_delete="CASCADE")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    kind = pw.CharField(max_length=8)
    cost_share = FixedDecimalField(default=0)  # percent; the shares of a recipe add up to 100
    qty_per_unit = FixedDecimalField(null=True)  # expected yield per unit of main output
    settled_unit_cost = FixedDecimalField(null=True)  # from the latest settled work order: the next provisional cost


class RecipeStage(BaseModel):
    """A routing stage of a recipe, copied onto each work order made from it."""

    recipe = pw.ForeignKeyField(Recipe, backref="stages", on_delete="CASCADE")
    seq = pw.IntegerField()
    work_centre = pw.ForeignKeyField(WorkCentre, on_delete="RESTRICT")
    standard_minutes = FixedDecimalField(default=0)
    skill = pw.ForeignKeyField(Skill, null=True, on_delete="RESTRICT")


class WorkOrder(BaseModel):
    """An order to make a quantity of a recipe's main output, with its settled costs."""

    number = pw.CharField(max_length=64, unique=True)
    recipe = pw.ForeignKeyField(Recipe, on_delete="RESTRICT")
    planned_qty = FixedDecimalField()
    due = pw.DateField(null=True, index=True)
    priority = pw.IntegerField(default=5)
    status = pw.CharField(max_length=16, default="draft", index=True)
    created_at = pw.DateTimeField(default=utcnow)
    started_at = pw.DateTimeField(null=True)
    completed_at = pw.DateTimeField(null=True)
    input_cost = FixedDecimalField(default=0)  # materials consumed
    conversion_cost = FixedDecimalField(default=0)  # labour + overhead
    output_value = FixedDecimalField(default=0)  # allocated to main, co- and by-product batches
    scrap_loss = FixedDecimalField(default=0)  # cost no valued output carries
    variance = FixedDecimalField(default=0)  # settlement of output already gone from stock
    settled_at = pw.DateTimeField(null=True)  # last settlement (at completion, again for each late fact)
    provisional_costs = pw.TextField(null=True)  # JSON {item id: unit cost}, fixed at the first output
    status_reason = pw.CharField(max_length=500, null=True)  # why it is paused, or was cancelled
    cost_shares = pw.TextField(null=True)  # JSON {item id: percent}: the recipe's when the work order was made


class WorkOrderStage(BaseModel):
    """A routing stage of one work order, with when it started and ended and by whom."""

    work_order = pw.ForeignKeyField(WorkOrder, backref="stages", on_delete="CASCADE")
    seq = pw.IntegerField()
    work_centre = pw.ForeignKeyField(WorkCentre, on_delete="RESTRICT")
    standard_minutes = FixedDecimalField(default=0)
    skill = pw.ForeignKeyField(Skill, null=True, on_delete="RESTRICT")
    started_at = pw.DateTimeField(null=True)
    started_by = pw.CharField(max_length=64, null=True, index=True)  # an operator's recent work: by badge
    completed_at = pw.DateTimeField(null=True)
    completed_by = pw.CharField(max_length=64, null=True, index=True)
    rate = FixedDecimalField(null=True)  # labour + overhead per minute, kept at the work order's first settlement

    class Meta:
        indexes = ((("work_order", "seq"), True),)


class WorkOrderOutput(BaseModel):
    """A batch a work order produced, with the value settlement gave it (zero for scrap)."""

    work_order = pw.ForeignKeyField(WorkOrder, backref="outputs", on_delete="RESTRICT")
    batch = pw.ForeignKeyField(Batch, unique=True, on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    kind = pw.CharField(max_length=8)
    qty = FixedDecimalField()
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    value = FixedDecimalField(default=0)  # provisional until the work order is settled
    reason = pw.CharField(max_length=64, null=True)
    operator = pw.CharField(max_length=64, null=True, index=True)
    event_id = pw.UUIDField(null=True)
    at = pw.DateTimeField(default=utcnow)
