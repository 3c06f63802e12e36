"""JSON API for items, locations, batches, stock on hand, the ledger and stock operations."""
from __future__ import annotations

from flask import g, jsonify, request

from central import catalog, consumption, inventory, stockview
from central.api import inputs
from central.api.blueprint import api, json_body, page_args
from central.api.openapi import documented
from central.auth import require_role
from central.inventory import Actor
from central.models import Batch, Item, Location, StockBalance
from central.models.stock import BATCH_STATUSES

MASTER = ("supervisor", "planner")
MOVERS = ("supervisor", "planner", "operator")
PAGE = {"limit": ("integer", False, "page size, 1-500 (default 50)"), "offset": ("integer", False, "rows to skip")}
ITEM_BODY = {
    "code": ("code", True, "item code"), "name": ("string", False, ""), "unit": ("code", True, "unit of measure"),
    "batch_tracked": ("boolean", False, "default true"), "costing": ("string", False, "fifo (default) or average"),
    "gtin": ("string", False, "GTIN-8/12/13/14 with a valid check digit"),
    "shelf_life_days": ("integer", False, "days; items with a shelf life are picked FEFO"),
    "standard_cost": ("decimal", False, "cost per unit used until the first receipt"),
}
MOVE_BODY = {
    "item": ("code", False, "item code (picked FIFO, or FEFO with a shelf life, when no batch is given)"),
    "batch": ("code", False, "batch code"), "qty": ("decimal", True, "quantity in the item's unit, > 0"),
    "unit": ("code", False, "checked against the item's unit"), "location": ("code", False, "location code"),
    "allow_negative": ("boolean", False, "override the refusal to take stock below zero"),
}


def actor() -> Actor:
    """The logged-in person, with the override flag of the request body."""
    body = request.get_json(silent=True) or {}
    return Actor(user=g.user.username, allow_negative=inputs.flag(body, "allow_negative") if isinstance(body, dict) else False)


def item_dict(i: Item) -> dict:
    """An item as JSON."""
    return {"code": i.code, "name": i.name, "unit": i.unit, "batch_tracked": i.batch_tracked, "costing": i.costing,
            "gtin": i.gtin, "shelf_life_days": i.shelf_life_days, "last_cost": str(i.last_cost), "active": i.active}


def location_dict(loc: Location) -> dict:
    """A location as JSON."""
    return {"code": loc.code, "name": loc.name, "role": loc.role, "active": loc.active}


def batch_dict(b: Batch) -> dict:
    """A batch as JSON (with its item's code and unit)."""
    return {"code": b.code, "item": b.item.code, "unit": b.item.unit, "status": b.status,
            "expiry": b.expiry.isoformat() if b.expiry else None, "supplier": b.supplier,
            "supplier_lot": b.supplier_lot, "unit_cost": str(b.unit_cost), "created_at": b.created_at.isoformat()}


def _page(name: str, rows: list, total: int, limit: int, offset: int):
    return jsonify({name: rows, "total": total, "limit": limit, "offset": offset})


# --- items and locations -----------------------------------------------------------------------

@api.get("/items")
@documented(query={"q": ("string", False, "code or name contains"), **PAGE})
def items_list():
    """Items by code."""
    limit, offset = page_args()
    query = Item.select().order_by(Item.code)
    if request.args.get("q"):
        q = request.args["q"]
        query = query.where(Item.code.contains(q) | Item.name.contains(q))
    return _page("items", [item_dict(i) for i in query.limit(limit).offset(offset)], query.count(), limit, offset)


@api.post("/items")
@require_role(*MASTER)
@documented(body=ITEM_BODY)
def items_create():
    """Create an item."""
    return jsonify(item_dict(catalog.create_item(json_body()))), 201


@api.get("/items/<code>")
def items_get(code):
    """One item."""
    return jsonify(item_dict(catalog.get_item(code, "code")))


@api.patch("/items/<code>")
@require_role(*MASTER)
@documented(body={k: v for k, v in ITEM_BODY.items() if k != "code"})
def items_update(code):
    """Change an item; unit, costing and tracking are fixed once it has stock moves."""
    return jsonify(item_dict(catalog.update_item(code, json_body())))


@api.get("/locations")
@documented(query=PAGE)
def locations_list():
    """Locations by code."""
    limit, offset = page_args()
    query = Location.select().order_by(Location.code)
    return _page("locations", [location_dict(x) for x in query.limit(limit).offset(offset)], query.count(), limit, offset)


@api.post("/locations")
@require_role(*MASTER)
@documented(body={"code": ("code", True, ""), "name": ("string", False, ""),
                  "role": ("string", False, "receiving, storage, production, finished or dispatch")})
def locations_create():
    """Create a location."""
    return jsonify(location_dict(catalog.create_location(json_body()))), 201


# --- batches ---------------------------------------------------------------------------------------

@api.get("/batches")
@documented(query={"item": ("code", False, "item code"), "status": ("string", False, ", ".join(BATCH_STATUSES)),
                   "location": ("code", False, "only batches with stock here"), **PAGE})
def batches_list():
    """Batches, newest first, filtered by item, status or location."""
    limit, offset = page_args()
    query = Batch.select(Batch, Item).join(Item)
    if request.args.get("item"):
        query = query.where(Batch.item == catalog.get_item(request.args["item"]).id)
    if request.args.get("status"):
        status = request.args["status"]
        if status not in BATCH_STATUSES:
            from central.errors import ValidationError
            raise ValidationError("status", f"must be one of {', '.join(BATCH_STATUSES)}")
        query = query.where(Batch.status == status)
    if request.args.get("location"):
        here = catalog.get_location(request.args["location"])
        query = query.where(Batch.id.in_(StockBalance.select(StockBalance.batch).where(
            StockBalance.location == here.id, StockBalance.qty != 0)))
    rows = query.order_by(Batch.id.desc()).limit(limit).offset(offset)
    return _page("batches", [batch_dict(b) for b in rows], query.count(), limit, offset)


@api.get("/batches/<code>")
def batches_get(code):
    """One batch with where its stock is."""
    batch = catalog.get_batch(code, "code")
    stock, _ = stockview.on_hand(batch=code, limit=500)
    return jsonify({**batch_dict(batch), "stock": stock})


@api.post("/batches/<code>/status")
@require_role(*MASTER)
@documented(body={"status": ("string", True, "released, quarantine or blocked"), "reason": ("string", False, "")})
def batches_status(code):
    """Release, quarantine or block a batch (blocked goes back through quarantine)."""
    body = json_body()
    batch = inventory.set_batch_status(code, body.get("status"), actor(), inputs.text(body, "reason"))
    return jsonify(batch_dict(batch))


# --- stock -------------------------------------------------------------------------------------

@api.get("/stock")
@documented(query={"item": ("code", False, ""), "location": ("code", False, ""), "batch": ("code", False, ""),
                   "include_zero": ("boolean", False, "also rows at zero"), **PAGE})
def stock_on_hand():
    """Stock on hand per item, batch and location, with its value."""
    limit, offset = page_args()
    rows, total = stockview.on_hand(item=request.args.get("item"), location=request.args.get("location"),
                                    batch=request.args.get("batch"), include_zero=inputs.query_flag("include_zero"),
                                    limit=limit, offset=offset)
    return _page("stock", rows, total, limit, offset)


@api.get("/stock/valuation")
@documented(query={"item": ("code", False, "")})
def stock_valuation():
    """Per item: quantity and value on hand next to the ledger's sums."""
    return jsonify({"valuation": stockview.valuation(request.args.get("item"))})


@api.get("/stock/ledger")
@documented(query={"item": ("code", False, ""), "batch": ("code", False, ""), "work_order": ("code", False, ""),
                   "kind": ("string", False, "receipt, issue, backflush, output, transfer, adjustment, scrap, dispatch, revaluation"),
                   **PAGE})
def stock_ledger():
    """The stock ledger, newest first."""
    limit, offset = page_args()
    rows, total = stockview.ledger(item=request.args.get("item"), batch=request.args.get("batch"),
                                   work_order=request.args.get("work_order"), kind=request.args.get("kind"),
                                   limit=limit, offset=offset)
    return _page("moves", rows, total, limit, offset)


@api.post("/stock/receipts")
@require_role(*MOVERS)
@documented(body={"item": ("code", True, ""), "batch": ("code", False, "required for batch-tracked items"),
                  "qty": ("decimal", True, "> 0"), "unit": ("code", False, ""), "location": ("code", False, "default: the receiving location"),
                  "unit_cost": ("decimal", False, ">= 0"), "expiry": ("date", False, "default: today + shelf life"),
                  "supplier": ("code", False, ""), "supplier_lot": ("string", False, ""), "reference": ("string", False, "purchase order"),
                  "status": ("string", False, "released (default) or quarantine")})
def stock_receive():
    """Goods receipt: a new batch (or more of one) into stock at its cost."""
    body = json_body()
    batch = consumption.receive(
        item=inputs.code(body, "item"), qty=inputs.decimal(body, "qty", positive=True), actor=actor(),
        batch=inputs.code(body, "batch", required=False), location=inputs.code(body, "location", required=False),
        unit_cost=inputs.decimal(body, "unit_cost", required=False, non_negative=True),
        unit=inputs.code(body, "unit", required=False), expiry=inputs.iso_date(body, "expiry"),
        supplier=inputs.code(body, "supplier", required=False), supplier_lot=inputs.text(body, "supplier_lot"),
        status=body.get("status", "released"), reference=inputs.text(body, "reference", max_length=128))
    rows, _ = stockview.on_hand(batch=batch.code if batch else None, item=None if batch else body["item"], limit=500)
    return jsonify({"batch": batch_dict(batch) if batch else None, "stock": rows}), 201


def _picks(picks) -> list[dict]:
    return [{"item": p.item.code, "batch": p.batch.code if p.batch else None, "location": p.location.code,
             "qty": str(p.qty), "value": str(p.value)} for p in picks]


def _move_args(body: dict) -> dict:
    return {"qty": inputs.decimal(body, "qty", positive=True), "actor": actor(),
            "item": inputs.code(body, "item", required=False), "batch": inputs.code(body, "batch", required=False),
            "unit": inputs.code(body, "unit", required=False)}


@api.post("/stock/issues")
@require_role(*MOVERS)
@documented(body={**MOVE_BODY, "reference": ("string", False, "what it was issued for")})
def stock_issue():
    """Issue stock: the batch given, or the item's batches FIFO (FEFO with a shelf life)."""
    body = json_body()
    picks = inventory.issue(**_move_args(body), location=inputs.code(body, "location", required=False),
                            reference=inputs.text(body, "reference", max_length=128))
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/stock/transfers")
@require_role(*MOVERS)
@documented(body={**{k: v for k, v in MOVE_BODY.items() if k != "location"},
                  "from_location": ("code", False, "default: wherever the stock is"), "to_location": ("code", True, "")})
def stock_transfer():
    """Move stock to another location."""
    body = json_body()
    picks = inventory.transfer(**_move_args(body), from_location=inputs.code(body, "from_location", required=False),
                               to_location=inputs.code(body, "to_location"))
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/stock/adjustments")
@require_role(*MASTER)
@documented(body={**MOVE_BODY, "qty": ("decimal", True, "signed: + found, - missing; not zero"),
                  "location": ("code", True, ""), "reason": ("code", True, "why the count changed")})
def stock_adjust():
    """Correct a count at one location (signed quantity, valued at the current cost)."""
    body = json_body()
    inventory.adjust(qty=inputs.decimal(body, "qty", signed=True), actor=actor(), location=inputs.code(body, "location"),
                     reason=inputs.code(body, "reason"), item=inputs.code(body, "item", required=False),
                     batch=inputs.code(body, "batch", required=False), unit=inputs.code(body, "unit", required=False))
    rows, _ = stockview.on_hand(batch=body.get("batch"), item=None if body.get("batch") else body.get("item"),
                                location=body["location"], include_zero=True, limit=500)
    return jsonify({"stock": rows}), 201


@api.post("/stock/scrap")
@require_role(*MOVERS)
@documented(body={**MOVE_BODY, "reason": ("code", True, "scrap reason code")})
def stock_scrap():
    """Write stock off as scrap; its value is lost."""
    body = json_body()
    picks = inventory.scrap(**_move_args(body), reason=inputs.code(body, "reason"),
                            location=inputs.code(body, "location", required=False))
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/stock/dispatches")
@require_role(*MOVERS)
@documented(body={**MOVE_BODY, "reference": ("string", True, "customer or order the goods went to")})
def stock_dispatch():
    """Ship stock to a customer: where finished goods went, for the forward trace."""
    body = json_body()
    picks = inventory.dispatch(**_move_args(body), reference=inputs.text(body, "reference", required=True, max_length=128),
                               location=inputs.code(body, "location", required=False))
    return jsonify({"picks": _picks(picks)}), 201
