"""Pages for items and locations: lists with filters and keyset pages, records, create and edit."""
from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from central import catalog
from central.errors import ShopfloorError
from central.auth import require_role
from central.models import (Batch, CostLayer, Item, Location, Recipe, RecipeInput, RecipeOutput, StockBalance)
from central.models.stock import COSTING_METHODS, LOCATION_ROLES
from central.quantities import parse_decimal
from central.web.blueprint import web
from central.web.paging import keyset
from central.web.people import show_error

WRITERS = ("supervisor", "planner")
RECENT_BATCHES = 10
ITEM_KINDS = {"made": "made here (a recipe's output)", "material": "used by a recipe, not made here",
              "unused": "in no recipe"}


def can_write() -> bool:
    """Whether the signed-in person may add and change catalogue records (the template shows the links)."""
    return g.user is not None and g.user.role in ("admin", *WRITERS)


def record_form(form: FlaskForm, save, *, noun: str, verb: str, detail: str, title: str, back: str):
    """A create or edit page of a catalogue record: on a valid post ``save()`` (returning the code) runs the
    domain change; a domain error goes next to its field with what was typed kept; else the form again."""
    if form.validate_on_submit():
        try:
            code = save()
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"{noun} {code} {verb}.", "ok")
            return redirect(url_for(detail, code=code))
    return render_template("catalog/form.html", form=form, title=title, back=back)


# --- items ---------------------------------------------------------------------------------------

class ItemForm(FlaskForm):
    """An item: code (fixed once created), unit, tracking, costing, GTIN, shelf life, standard cost."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])
    unit = StringField("Unit (kg, pcs, l, ...)", validators=[DataRequired(), Length(max=16)])
    batch_tracked = BooleanField("Batch-tracked (stock kept per batch)", default=True)
    costing = SelectField("Costing", choices=[("fifo", "FIFO"), ("average", "Weighted average")], default="fifo")
    gtin = StringField("GTIN (8, 12, 13 or 14 digits)", validators=[Optional(), Length(max=14)])
    shelf_life_days = IntegerField("Shelf life in days", validators=[Optional(), NumberRange(1, 36500)])
    standard_cost = StringField("Standard cost per unit (until the first receipt)", validators=[Optional(), Length(max=24)])
    active = BooleanField("Active", default=True)


def _item_data(form: ItemForm) -> dict:
    data = {"name": form.name.data or "", "unit": (form.unit.data or "").strip(),
            "batch_tracked": form.batch_tracked.data, "costing": form.costing.data,
            "gtin": (form.gtin.data or "").strip() or None, "shelf_life_days": form.shelf_life_days.data,
            "active": form.active.data}
    if (form.standard_cost.data or "").strip():
        data["standard_cost"] = form.standard_cost.data.strip()
    return data


@web.get("/items")
def items():
    """Items by code; filters: text, kind, costing, tracked, active; keyset pages."""
    args = request.args
    rows = Item.select()
    q = args.get("q", "").strip()
    if q:
        rows = rows.where(Item.code.contains(q) | Item.name.contains(q) | (Item.gtin == q))
    if args.get("costing") in COSTING_METHODS:
        rows = rows.where(Item.costing == args["costing"])
    if args.get("tracked") in ("yes", "no"):
        rows = rows.where(Item.batch_tracked == (args["tracked"] == "yes"))
    if args.get("active", "yes") in ("yes", "no"):
        rows = rows.where(Item.active == (args.get("active", "yes") == "yes"))
    made = RecipeOutput.select(RecipeOutput.id).where(RecipeOutput.item == Item.id, RecipeOutput.kind != "scrap")
    used = RecipeInput.select(RecipeInput.id).where(RecipeInput.item == Item.id)
    kind = args.get("kind")
    if kind == "made":
        rows = rows.where(pw.fn.EXISTS(made))
    elif kind == "material":
        rows = rows.where(pw.fn.EXISTS(used) & ~pw.fn.EXISTS(made))
    elif kind == "unused":
        rows = rows.where(~pw.fn.EXISTS(used) & ~pw.fn.EXISTS(made)
                          & ~pw.fn.EXISTS(RecipeOutput.select(RecipeOutput.id).where(RecipeOutput.item == Item.id)))
    page = keyset(rows, [Item.code, Item.id])
    return render_template("catalog/items.html", page=page, q=q, kinds=ITEM_KINDS, args=args, can_write=can_write())


def _on_hand(item: Item) -> tuple[list[tuple], object, object]:
    """Quantity per location (not zero), the total quantity and the value of the item's open cost layers."""
    # Grouped by the location's id alone, so the (item, location, batch) index gives the groups in order.
    sums = {loc: total for loc, total in StockBalance.select(StockBalance.location, pw.fn.SUM(StockBalance.qty))
            .where(StockBalance.item == item.id).group_by(StockBalance.location).tuples() if total}
    names = Location.select(Location.id, Location.code, Location.name).where(Location.id.in_(list(sums))) if sums else []
    field = StockBalance.qty
    rows = sorted((loc.code, loc.name, field.python_value(sums[loc.id])) for loc in names)
    total = sum((r[2] for r in rows), field.python_value(0))
    value = (CostLayer.select(pw.fn.SUM(CostLayer.value))
             .where(CostLayer.item == item.id, CostLayer.is_open == True).scalar())  # noqa: E712
    return rows, total, CostLayer.value.python_value(value or 0)


@web.get("/items/<code>")
def item_detail(code):
    """An item: its facts, stock on hand, recipes that use and make it, its latest batches."""
    item = catalog.get_item(code, "code")
    on_hand, total, value = _on_hand(item)
    makes = list(RecipeOutput.select(RecipeOutput, Recipe).join(Recipe)
                 .where(RecipeOutput.item == item.id).order_by(Recipe.code))
    uses = list(RecipeInput.select(RecipeInput, Recipe).join(Recipe)
                .where(RecipeInput.item == item.id).order_by(Recipe.code))
    batches = list(Batch.select().where(Batch.item == item.id).order_by(Batch.id.desc()).limit(RECENT_BATCHES))
    return render_template("catalog/item.html", item=item, on_hand=on_hand, total=total, value=value, makes=makes,
                           uses=uses, batches=batches, can_write=can_write())


@web.route("/items/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def item_new():
    """Add an item."""
    form = ItemForm()
    return record_form(form, lambda: catalog.create_item({"code": form.code.data.strip(), **_item_data(form)}).code,
                       noun="Item", verb="added", detail="web.item_detail", title="New item", back=url_for("web.items"))


@web.route("/items/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def item_edit(code):
    """Change an item (unit, costing and tracking are fixed once it has stock moves)."""
    item = catalog.get_item(code, "code")
    form = ItemForm(data={"code": item.code, "name": item.name, "unit": item.unit, "batch_tracked": item.batch_tracked,
                          "costing": item.costing, "gtin": item.gtin or "", "shelf_life_days": item.shelf_life_days,
                          "standard_cost": f"{item.last_cost.normalize():f}" if item.last_cost else "",
                          "active": item.active})
    form.code.render_kw = {"readonly": True}

    def save():
        data = _item_data(form)
        if data.get("standard_cost") is not None and parse_decimal("standard_cost", data["standard_cost"]) == item.last_cost:
            del data["standard_cost"]  # unchanged: the latest receipt's cost stays as it is
        catalog.update_item(code, data)
        return code

    return record_form(form, save, noun="Item", verb="saved", detail="web.item_detail", title=f"Item {code}",
                       back=url_for("web.item_detail", code=code))


# --- locations -----------------------------------------------------------------------------------

class LocationForm(FlaskForm):
    """A location: code (fixed once created), name, role, active."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])
    role = SelectField("Role", choices=[(r, r.replace("_", " ")) for r in LOCATION_ROLES], default="storage")
    active = BooleanField("Active", default=True)


@web.get("/locations")
def locations():
    """Locations by code; filters: text, role, active; keyset pages."""
    args = request.args
    rows = Location.select()
    q = args.get("q", "").strip()
    if q:
        rows = rows.where(Location.code.contains(q) | Location.name.contains(q))
    if args.get("role") in LOCATION_ROLES:
        rows = rows.where(Location.role == args["role"])
    if args.get("active", "yes") in ("yes", "no"):
        rows = rows.where(Location.active == (args.get("active", "yes") == "yes"))
    page = keyset(rows, [Location.code, Location.id])
    return render_template("catalog/locations.html", page=page, q=q, role_options=[(r, r) for r in LOCATION_ROLES],
                           args=args, can_write=can_write())


@web.get("/locations/<code>")
def location_detail(code):
    """A location and what is there now (item, batch, quantity), by keyset pages."""
    location = catalog.get_location(code, "code")
    rows = (StockBalance.select(StockBalance, Item, Batch).join(Item).switch(StockBalance)
            .join(Batch, pw.JOIN.LEFT_OUTER).where(StockBalance.location == location.id, StockBalance.qty != 0))
    page = keyset(rows, [StockBalance.id])
    return render_template("catalog/location.html", location=location, page=page, can_write=can_write())


@web.route("/locations/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def location_new():
    """Add a location."""
    form = LocationForm()
    return record_form(form, lambda: catalog.create_location({"code": form.code.data.strip(), "name": form.name.data or "",
                                                             "role": form.role.data, "active": form.active.data}).code,
                       noun="Location", verb="added", detail="web.location_detail", title="New location",
                       back=url_for("web.locations"))


@web.route("/locations/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def location_edit(code):
    """Change a location's name, role or active flag."""
    loc = catalog.get_location(code, "code")
    form = LocationForm(data={"code": loc.code, "name": loc.name, "role": loc.role, "active": loc.active})
    form.code.render_kw = {"readonly": True}

    def save():
        catalog.update_location(code, {"name": form.name.data or "", "role": form.role.data, "active": form.active.data})
        return code

    return record_form(form, save, noun="Location", verb="saved", detail="web.location_detail",
                       title=f"Location {code}", back=url_for("web.location_detail", code=code))
