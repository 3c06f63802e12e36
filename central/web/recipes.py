"""Pages for recipes: list, record, and one editor for inputs, outputs (cost shares) and routing stages.

The editor needs no script: it offers blank rows below the filled ones, and "More rows" adds
blank rows without saving. A row with no item (or no work centre, for a stage) is left out.
"""
from __future__ import annotations

import re

import peewee as pw
from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from central import operators as ops
from central import recipes
from central.auth import require_role
from central.errors import ShopfloorError
from central.models import (Item, Recipe, RecipeInput, RecipeOutput, RecipeStage, Skill, WorkCentre, WorkOrder)
from central.models.production import INPUT_MODES, OUTPUT_KINDS
from central.web.blueprint import web
from central.web.catalog import can_write
from central.web.paging import keyset
from central.web.people import show_error

WRITERS = ("supervisor", "planner")
BLANK_ROWS = 2
KIND_NAMES = {"main": "main output", "co": "co-product", "by": "by-product", "scrap": "scrap"}
MODE_NAMES = {"scanned": "scanned at the station", "backflush": "backflushed at completion"}


class InputRow(Form):
    """An input: item, quantity per unit of the main output, scanned or backflushed."""

    item = StringField("Item", validators=[Length(max=64)])
    qty_per_unit = StringField("Quantity per unit", validators=[Length(max=24)])
    mode = SelectField("Taken", choices=[(m, MODE_NAMES[m]) for m in INPUT_MODES], default="scanned")


class OutputRow(Form):
    """An output: item, kind, share of the cost in percent, expected quantity per unit."""

    item = StringField("Item", validators=[Length(max=64)])
    kind = SelectField("Kind", choices=[(k, KIND_NAMES[k]) for k in OUTPUT_KINDS], default="co")
    cost_share = StringField("Cost share %", validators=[Length(max=24)])
    qty_per_unit = StringField("Expected per unit", validators=[Length(max=24)])


class StageRow(Form):
    """A routing stage: sequence, work centre, standard minutes per unit, the skill it needs."""

    seq = IntegerField("Sequence", validators=[Optional(), NumberRange(1, 999)])
    work_centre = SelectField("Work centre", choices=[])
    standard_minutes = StringField("Standard minutes", validators=[Length(max=24)])
    skill = SelectField("Skill", choices=[])


class RecipeForm(FlaskForm):
    """A whole recipe; the lines are lists of rows."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])
    active = BooleanField("Active (work orders can be made from it)", default=True)
    inputs = FieldList(FormField(InputRow))
    outputs = FieldList(FormField(OutputRow))
    stages = FieldList(FormField(StageRow))


def _fill(form: RecipeForm, recipe: Recipe | None) -> None:
    """Rows: the recipe's on a first view, then blank ones (more when asked); choices of the selects."""
    if not form.is_submitted() and recipe is not None:
        for i in RecipeInput.select(RecipeInput, Item).join(Item).where(RecipeInput.recipe == recipe.id).order_by(RecipeInput.id):
            form.inputs.append_entry({"item": i.item.code, "qty_per_unit": _plain(i.qty_per_unit), "mode": i.mode})
        for o in RecipeOutput.select(RecipeOutput, Item).join(Item).where(RecipeOutput.recipe == recipe.id).order_by(RecipeOutput.id):
            form.outputs.append_entry({"item": o.item.code, "kind": o.kind, "cost_share": _plain(o.cost_share),
                                       "qty_per_unit": _plain(o.qty_per_unit)})
        for s in (RecipeStage.select(RecipeStage, WorkCentre).join(WorkCentre).where(RecipeStage.recipe == recipe.id)
                  .order_by(RecipeStage.seq)):
            form.stages.append_entry({"seq": s.seq, "work_centre": s.work_centre.code,
                                      "standard_minutes": _plain(s.standard_minutes),
                                      "skill": s.skill.code if s.skill_id else ""})
    blank = BLANK_ROWS if not form.is_submitted() else (BLANK_ROWS if "more" in request.form else 0)
    for _ in range(blank):
        form.inputs.append_entry({"mode": "scanned"})
        form.outputs.append_entry({"kind": "main" if not form.outputs.entries else "co"})
        last = max([e.form.seq.data or 0 for e in form.stages] or [0])
        form.stages.append_entry({"seq": last + 10})
    centres = [("", "—")] + [(c, f"{c} {n}".strip()) for c, n in
                             WorkCentre.select(WorkCentre.code, WorkCentre.name).order_by(WorkCentre.code).tuples()]
    skills = [("", "none")] + [(s.code, f"{s.code} {s.name}".strip()) for s in ops.list_skills()]
    for entry in form.stages:
        entry.form.work_centre.choices = centres
        entry.form.skill.choices = skills


def _plain(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _wanted(form: RecipeForm) -> tuple[dict, dict[str, list[int]]]:
    """The filled rows as the domain wants them, and each list's row numbers on the form (from 0)."""
    rows: dict[str, list[int]] = {"inputs": [], "outputs": [], "stages": []}
    data: dict = {"name": form.name.data or "", "active": form.active.data, "inputs": [], "outputs": [], "stages": []}
    for n, e in enumerate(form.inputs):
        f = e.form
        if (f.item.data or "").strip():
            data["inputs"].append({"item": f.item.data.strip(), "qty_per_unit": (f.qty_per_unit.data or "").strip() or None,
                                   "mode": f.mode.data})
            rows["inputs"].append(n)
    for n, e in enumerate(form.outputs):
        f = e.form
        if (f.item.data or "").strip():
            out = {"item": f.item.data.strip(), "kind": f.kind.data,
                   "cost_share": (f.cost_share.data or "").strip() or "0"}
            if (f.qty_per_unit.data or "").strip():
                out["qty_per_unit"] = f.qty_per_unit.data.strip()
            data["outputs"].append(out)
            rows["outputs"].append(n)
    for n, e in enumerate(form.stages):
        f = e.form
        if f.work_centre.data:
            data["stages"].append({"seq": f.seq.data, "work_centre": f.work_centre.data,
                                   "standard_minutes": (f.standard_minutes.data or "").strip() or "0",
                                   "skill": f.skill.data or None})
            rows["stages"].append(n)
    return data, rows


def _show_error(form: RecipeForm, exc: ShopfloorError, rows: dict[str, list[int]]) -> None:
    """Put the error on the row and field it names (``outputs[1].cost_share``), else on its list or field."""
    match = re.fullmatch(r"(inputs|outputs|stages)\[(\d+)\](?:\.(\w+))?", exc.field or "")
    if match and int(match.group(2)) < len(rows[match.group(1)]):
        entry = getattr(form, match.group(1))[rows[match.group(1)][int(match.group(2))]].form
        name = match.group(3)
        target = entry[name] if name in entry._fields else next(iter(entry))
        target.errors = list(target.errors) + [exc.message]
    elif (exc.field or "").split("[")[0] in ("inputs", "outputs", "stages"):
        getattr(form, exc.field.split("[")[0]).errors.append(exc.message)
    elif exc.field == "item":
        form.outputs.errors.append(exc.message)
    else:
        show_error(form, exc)


def _editor(recipe: Recipe | None):
    form = RecipeForm()
    _fill(form, recipe)
    if recipe is not None:
        form.code.render_kw = {"readonly": True}
        if not form.is_submitted():
            form.code.data, form.name.data, form.active.data = recipe.code, recipe.name, recipe.active
    if "more" not in request.form and form.validate_on_submit():
        data, rows = _wanted(form)
        try:
            if recipe is None:
                saved = recipes.create_recipe({"code": form.code.data.strip(), **data})
            else:
                saved = recipes.update_recipe(recipe.code, data)
        except ShopfloorError as exc:
            _show_error(form, exc, rows)
        else:
            flash(f"Recipe {saved.code} {'added' if recipe is None else 'saved'}.", "ok")
            return redirect(url_for("web.recipe_detail", code=saved.code))
    busy = recipes.open_work_orders(recipe) if recipe is not None else []
    return render_template("recipes/form.html", form=form, recipe=recipe, busy=busy,
                           title="New recipe" if recipe is None else f"Recipe {recipe.code}",
                           items=[c for (c,) in Item.select(Item.code).where(Item.active == True)  # noqa: E712
                                  .order_by(Item.code).limit(2000).tuples()])


@web.get("/recipes")
def recipes_list():
    """Recipes by code; filters: text, output item, active; keyset pages."""
    args = request.args
    rows = Recipe.select(Recipe, Item).join(Item)
    q = args.get("q", "").strip()
    if q:
        rows = rows.where(Recipe.code.contains(q) | Recipe.name.contains(q))
    item = args.get("item", "").strip()
    if item:
        rows = rows.where(Item.code == item)
    if args.get("active", "yes") in ("yes", "no"):
        rows = rows.where(Recipe.active == (args.get("active", "yes") == "yes"))
    page = keyset(rows, [Recipe.code, Recipe.id])
    ids = [r.id for r in page.rows]
    counts: dict[tuple[str, int], int] = {}
    if ids:
        for table, name in ((RecipeInput, "inputs"), (RecipeOutput, "outputs"), (RecipeStage, "stages")):
            for rid, n in table.select(table.recipe, pw.fn.COUNT(table.id)).where(table.recipe.in_(ids)).group_by(table.recipe).tuples():
                counts[(name, rid)] = n
    return render_template("recipes/list.html", page=page, q=q, item=item, args=args, counts=counts,
                           can_write=can_write())


@web.get("/recipes/<code>")
def recipe_detail(code):
    """A recipe: inputs, outputs with cost shares, routing, and the latest work orders made from it."""
    recipe = recipes.get_recipe(code, "code")
    inputs = list(RecipeInput.select(RecipeInput, Item).join(Item).where(RecipeInput.recipe == recipe.id).order_by(RecipeInput.id))
    outputs = list(RecipeOutput.select(RecipeOutput, Item).join(Item).where(RecipeOutput.recipe == recipe.id).order_by(RecipeOutput.id))
    stages = list(RecipeStage.select(RecipeStage, WorkCentre, Skill).join(WorkCentre).switch(RecipeStage)
                  .join(Skill, pw.JOIN.LEFT_OUTER).where(RecipeStage.recipe == recipe.id).order_by(RecipeStage.seq))
    orders = list(WorkOrder.select().where(WorkOrder.recipe == recipe.id).order_by(WorkOrder.id.desc()).limit(10))
    return render_template("recipes/detail.html", recipe=recipe, main=Item.get_by_id(recipe.item_id), inputs=inputs,
                           outputs=outputs, stages=stages, orders=orders, kinds=KIND_NAMES, modes=MODE_NAMES,
                           can_write=can_write())


@web.route("/recipes/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def recipe_new():
    """Write a new recipe."""
    return _editor(None)


@web.route("/recipes/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def recipe_edit(code):
    """Change a recipe's lines (refused while an open work order uses it)."""
    return _editor(recipes.get_recipe(code, "code"))
