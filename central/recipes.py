"""Recipes: inputs per unit of the main output, outputs with cost shares, and the routing."""
from __future__ import annotations

from decimal import Decimal

from central.catalog import check_code, get_item
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.lookup import by_code
from central.models import Recipe, RecipeInput, RecipeOutput, RecipeStage, Skill, WorkCentre
from central.models.production import INPUT_MODES, OUTPUT_KINDS
from central.quantities import ZERO, parse_decimal


def get_recipe(code: str, field: str = "recipe") -> Recipe:
    """The recipe with this code, or NotFound naming ``field``."""
    return by_code(Recipe.code, code, field, "recipe")


def _list(data: dict, name: str, required: bool) -> list[dict]:
    value = data.get(name, [])
    if not isinstance(value, list) or (required and not value):
        raise ValidationError(name, "must be a non-empty list" if required else "must be a list")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise ValidationError(f"{name}[{i}]", "must be an object")
    return value


def parse_stages(raw: list[dict], field: str = "stages") -> list[dict]:
    """Routing stages: seq, work_centre code, standard_minutes, optional skill code."""
    stages, seen = [], set()
    for i, s in enumerate(raw):
        f = f"{field}[{i}]"
        seq = s.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ValidationError(f"{f}.seq", f"must be a whole number >= 1, got {seq!r}")
        if seq in seen:
            raise ValidationError(f"{f}.seq", f"stage {seq} appears twice")
        seen.add(seq)
        centre = WorkCentre.get_or_none(WorkCentre.code == s.get("work_centre"))
        if centre is None:
            raise NotFound(f"{f}.work_centre", f"no work centre {s.get('work_centre')!r}")
        skill = None
        if s.get("skill") is not None:
            skill = Skill.get_or_none(Skill.code == s["skill"])
            if skill is None:
                raise NotFound(f"{f}.skill", f"no skill {s['skill']!r}")
        minutes = parse_decimal(f"{f}.standard_minutes", s.get("standard_minutes", "0"), non_negative=True)
        stages.append({"seq": seq, "work_centre": centre.id, "standard_minutes": minutes,
                       "skill": skill.id if skill else None})
    return stages


def _lines(data: dict) -> tuple[list[dict], list[dict], list[dict], object]:
    """Check a recipe's inputs, outputs and stages; the rows to insert and the main output item."""
    inputs = []
    for i, entry in enumerate(_list(data, "inputs", required=False)):
        item = get_item(entry.get("item"), f"inputs[{i}].item")
        mode = entry.get("mode", "scanned")
        if mode not in INPUT_MODES:
            raise ValidationError(f"inputs[{i}].mode", f"must be one of {', '.join(INPUT_MODES)}, got {mode!r}")
        if entry.get("unit") is not None and entry["unit"] != item.unit:
            raise ValidationError(f"inputs[{i}].unit", f"item {item.code} is kept in {item.unit}, got {entry['unit']!r}")
        qty = parse_decimal(f"inputs[{i}].qty_per_unit", entry.get("qty_per_unit"), positive=True)
        inputs.append({"item": item.id, "qty_per_unit": qty, "mode": mode})
    if len({r["item"] for r in inputs}) != len(inputs):
        seen: set[int] = set()
        for i, r in enumerate(inputs):
            if r["item"] in seen:
                raise ValidationError(f"inputs[{i}].item", "this item is already an input")
            seen.add(r["item"])
    outputs, total, mains = [], ZERO, []
    for i, entry in enumerate(_list(data, "outputs", required=True)):
        item = get_item(entry.get("item"), f"outputs[{i}].item")
        kind = entry.get("kind")
        if kind not in OUTPUT_KINDS:
            raise ValidationError(f"outputs[{i}].kind", f"must be one of {', '.join(OUTPUT_KINDS)}, got {kind!r}")
        share = parse_decimal(f"outputs[{i}].cost_share", entry.get("cost_share", "0"), non_negative=True)
        if kind == "scrap" and share != 0:
            raise ValidationError(f"outputs[{i}].cost_share", "scrap carries no value: must be 0")
        per_unit = entry.get("qty_per_unit")
        per_unit = parse_decimal(f"outputs[{i}].qty_per_unit", per_unit, positive=True) if per_unit is not None else None
        if kind == "main":
            mains.append(item)
        total += share
        outputs.append({"item": item.id, "kind": kind, "cost_share": share, "qty_per_unit": per_unit})
    if len(mains) != 1:
        raise ValidationError("outputs", f"must have exactly one main output, got {len(mains)}")
    if total != Decimal(100):
        raise ValidationError("outputs", f"cost shares add up to {total.normalize():f} %, they must add up to 100 %")
    if len({o["item"] for o in outputs}) != len(outputs):
        raise ValidationError("outputs", "an item appears twice among the outputs")
    stages = parse_stages(_list(data, "stages", required=False))
    main = mains[0]
    if data.get("item") is not None and data["item"] != main.code:
        raise ValidationError("item", f"must be the main output {main.code}, got {data['item']!r}")
    return inputs, outputs, stages, main


def _insert_lines(recipe: Recipe, inputs: list[dict], outputs: list[dict], stages: list[dict]) -> None:
    for table, rows in ((RecipeInput, inputs), (RecipeOutput, outputs), (RecipeStage, stages)):
        if rows:
            table.insert_many([{**r, "recipe": recipe.id} for r in rows]).execute()


def create_recipe(data: dict) -> Recipe:
    """Create a recipe with its inputs, outputs (shares adding up to 100 %) and stages, all or nothing."""
    code = check_code("code", data.get("code"))
    with database.atomic():
        if Recipe.select().where(Recipe.code == code).exists():
            raise Conflict("code", f"recipe {code!r} already exists")
        inputs, outputs, stages, main = _lines(data)
        recipe = Recipe.create(code=code, name=str(data.get("name", ""))[:128], item=main.id)
        _insert_lines(recipe, inputs, outputs, stages)
        return recipe


def open_work_orders(recipe: Recipe) -> list[str]:
    """Numbers of the work orders made from ``recipe`` that are not done or cancelled."""
    from central.models import WorkOrder

    return [n for (n,) in WorkOrder.select(WorkOrder.number).where(
        WorkOrder.recipe == recipe.id, WorkOrder.status.not_in(("done", "cancelled")))
        .order_by(WorkOrder.number).limit(6).tuples()]


def update_recipe(code: str, data: dict) -> Recipe:
    """Replace a recipe's name, active flag, inputs, outputs and stages, all or nothing.

    Open work orders read their recipe's inputs (backflush) and cost shares (settlement), so a
    recipe that one of them uses is refused until it is done or cancelled.
    """
    with database.atomic():
        recipe = get_recipe(code, "code")
        busy = open_work_orders(recipe)
        if busy:
            more = ", ..." if len(busy) > 5 else ""
            raise Conflict("code", f"recipe {code} is used by open work orders {', '.join(busy[:5])}{more}: "
                                   "complete or cancel them first, or make a new recipe")
        inputs, outputs, stages, main = _lines(data)
        settled = dict(RecipeOutput.select(RecipeOutput.item, RecipeOutput.settled_unit_cost)
                       .where(RecipeOutput.recipe == recipe.id).tuples())
        for row in outputs:
            row["settled_unit_cost"] = settled.get(row["item"])
        fields = {"item": main.id}
        if "name" in data:
            fields["name"] = str(data["name"] or "")[:128]
        if "active" in data:
            if not isinstance(data["active"], bool):
                raise ValidationError("active", "must be true or false")
            fields["active"] = data["active"]
        Recipe.update(**fields).where(Recipe.id == recipe.id).execute()
        for table in (RecipeInput, RecipeOutput, RecipeStage):
            table.delete().where(table.recipe == recipe.id).execute()
        _insert_lines(recipe, inputs, outputs, stages)
        return Recipe.get_by_id(recipe.id)
