"""JSON API for items, locations, batches, stock on hand, the ledger and stock operations."""
from __future__ import annotations

from datetime import timezone
from typing import Annotated, Literal
from uuid import UUID

from flask import g, jsonify
from pydantic import ConfigDict, Field

from central import catalog, consumption, inventory, stockview
from central.api.blueprint import api
from central.api.schemas import (Code, Unit, Date, DateOut, DateTime, DecimalOut, Money, Out, PageQuery, Qty, Query,
                                 SignedQty, Strict, Text, TimeOut, Whole, answers, follow, link, page_of, with_links)
from central.auth import require_role
from central.inventory import Actor
from central.models import Batch, Item, Location, StockBalance
from central.models.ledger import MOVE_KINDS
from central.models.stock import BATCH_STATUSES, COSTING_METHODS, LOCATION_ROLES

MASTER = ("supervisor", "planner")
MOVERS = ("supervisor", "planner", "operator")


# --- schemas: items ---------------------------------------------------------------------------

Gtin = Annotated[str, Field(pattern=r"^([0-9]{8}|[0-9]{12,14})$", strict=True,
                            description="GTIN-8, -12, -13 or -14 with a valid check digit")]
ShelfLife = Field(None, description="days; items with a shelf life are picked FEFO")
Days = Whole(1, 36500)


class ItemPath(Query):
    code: Code


class ItemQuery(PageQuery):
    q: Text(64, description="code or name contains") | None = None


class ItemChange(Strict):
    """The fields of an item that can be changed."""

    name: Text(128) = ""
    unit: Unit = Field(description="unit of measure")
    batch_tracked: bool = Field(True, description="stock is kept per batch")
    costing: Literal[COSTING_METHODS] = Field("fifo", description="how issues are valued")
    gtin: Gtin | None = None
    shelf_life_days: Days | None = ShelfLife
    standard_cost: Money | None = Field(None, description="cost per unit used until the first receipt")
    active: bool = True


class ItemCreate(ItemChange):
    code: Code = Field(description="item code, unique")


class ItemUpdate(ItemChange):
    """Only the fields sent change; unit, costing and tracking are fixed once the item has stock moves."""

    unit: Unit | None = Field(None, description="unit of measure")
    batch_tracked: bool | None = None
    costing: Literal[COSTING_METHODS] | None = None
    name: Text(128) | None = None
    active: bool | None = None


class ItemOut(Out):
    model_config = with_links(
        GetItem=follow("items_get", "code"),
        UpdateItem=follow("items_update", "code"),
        ItemBatches=follow("batches_list", "item", "code"),
        ReceiveItem=link("stock_receive", "a goods receipt of this item",
                         body={"item": "$response.body#/code", "qty": "1"}))

    code: Code
    name: str
    unit: Unit
    batch_tracked: bool
    costing: Literal[COSTING_METHODS]
    gtin: str | None
    shelf_life_days: int | None
    last_cost: DecimalOut
    active: bool


ItemPage = page_of("items", ItemOut)


def actor(allow_negative: bool = False) -> Actor:
    """The logged-in person, with the override flag of the request body."""
    return Actor(user=g.user.username, allow_negative=allow_negative)


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

@api.get("/items", responses=answers((200, ItemPage)))
def items_list(query: ItemQuery):
    """Items by code."""
    rows = Item.select().order_by(Item.code)
    if query.q:
        rows = rows.where(Item.code.contains(query.q) | Item.name.contains(query.q))
    return _page("items", [item_dict(i) for i in rows.limit(query.limit).offset(query.offset)], rows.count(),
                 query.limit, query.offset)


@api.post("/items", responses=answers((201, ItemOut), 409))
@require_role(*MASTER)
def items_create(body: ItemCreate):
    """Create an item."""
    return jsonify(item_dict(catalog.create_item(body.model_dump(exclude_unset=True)))), 201


@api.get("/items/<code>", responses=answers((200, ItemOut), 404))
def items_get(path: ItemPath):
    """One item."""
    return jsonify(item_dict(catalog.get_item(path.code, "code")))


@api.patch("/items/<code>", responses=answers((200, ItemOut), 404, 409))
@require_role(*MASTER)
def items_update(path: ItemPath, body: ItemUpdate):
    """Change an item; unit, costing and tracking are fixed once it has stock moves."""
    return jsonify(item_dict(catalog.update_item(path.code, body.model_dump(exclude_unset=True))))


# --- schemas: locations, batches, stock ------------------------------------------------------------

class LocationCreate(Strict):
    code: Code
    name: Text(128) = ""
    role: Literal[LOCATION_ROLES] = "storage"


class LocationOut(Out):
    code: Code
    name: str
    role: Literal[LOCATION_ROLES]
    active: bool


LocationPage = page_of("locations", LocationOut)


class LocationPath(Query):
    code: Code


class LocationUpdate(Strict):
    """Only the fields sent change; the code never does."""

    name: Text(128) | None = None
    role: Literal[LOCATION_ROLES] | None = None
    active: bool | None = None


class BatchQuery(PageQuery):
    item: Code | None = Field(None, description="item code")
    status: Literal[BATCH_STATUSES] | None = None
    location: Code | None = Field(None, description="only batches with stock here")


class BatchPath(Query):
    code: Code


class StockRow(Out):
    item: Code
    batch: Code | None
    status: Literal[BATCH_STATUSES] | None
    expiry: DateOut | None
    location: Code
    qty: DecimalOut
    unit: Unit
    unit_cost: DecimalOut
    value: DecimalOut


class BatchOut(Out):
    model_config = with_links(
        GetBatch=follow("batches_get", "code"),
        TraceBatch=follow("batches_trace", "code"),
        BatchRecord=follow("batches_record", "code"))

    code: Code
    item: Code
    unit: Unit
    status: Literal[BATCH_STATUSES]
    expiry: DateOut | None
    supplier: str | None
    supplier_lot: str | None
    unit_cost: DecimalOut
    created_at: TimeOut


class BatchDetail(BatchOut):
    stock: list[StockRow]


BatchPage = page_of("batches", BatchOut)


class BatchStatusChange(Strict):
    status: Literal[BATCH_STATUSES] = Field(description="blocked goes back through quarantine")
    reason: Text(500) | None = None


class StockQuery(PageQuery):
    item: Code | None = None
    location: Code | None = None
    batch: Code | None = None
    include_zero: bool = Field(False, description="also rows at zero")


StockPage = page_of("stock", StockRow)


class ValuationQuery(Query):
    item: Code | None = None


class ValuationRow(Out):
    item: Code
    unit: Unit
    qty: DecimalOut
    value: DecimalOut
    ledger_qty: DecimalOut
    ledger_value: DecimalOut


class Valuation(Out):
    valuation: list[ValuationRow]


class LedgerQuery(PageQuery):
    item: Code | None = None
    batch: Code | None = None
    work_order: Code | None = None
    kind: Literal[MOVE_KINDS] | None = None
    location: Code | None = None
    event: UUID | None = Field(None, description="rows booked by this event")
    since: DateTime | None = Field(None, description="rows at or after this time")
    until: DateTime | None = Field(None, description="rows before this time")


class Move(Out):
    id: int
    at: TimeOut
    kind: Literal[MOVE_KINDS]
    item: Code
    batch: Code | None
    location: Code | None
    qty: DecimalOut
    value: DecimalOut
    work_order: Code | None
    reason: str | None
    reference: str | None
    user: str | None
    operator: str | None
    event_id: str | None


LedgerPage = page_of("moves", Move)


class Receipt(Strict):
    item: Code
    batch: Code | None = Field(None, description="required for batch-tracked items")
    qty: Qty
    unit: Unit | None = Field(None, description="checked against the item's unit")
    location: Code | None = Field(None, description="default: the receiving location")
    unit_cost: Money | None = Field(None, description="default: the item's last cost")
    expiry: Date | None = Field(None, description="default: today + the item's shelf life")
    supplier: Code | None = None
    supplier_lot: Text(128) | None = None
    reference: Text(128) | None = Field(None, description="purchase order")
    status: Literal["released", "quarantine"] = "released"


class ReceiptOut(Out):
    batch: BatchOut | None
    stock: list[StockRow]


ITEM_OR_BATCH = ConfigDict(extra="forbid", strict=True, json_schema_extra={
    "anyOf": [{"required": ["item"], "properties": {"item": {"type": "string"}}},
              {"required": ["batch"], "properties": {"batch": {"type": "string"}}}]})


class StockMoveBody(Strict):
    model_config = ITEM_OR_BATCH

    item: Code | None = Field(None, description="item code (picked FIFO, or FEFO with a shelf life, when no batch is given)")
    batch: Code | None = None
    qty: Qty
    unit: Unit | None = Field(None, description="checked against the item's unit")
    allow_negative: bool = Field(False, description="override the refusal to take stock below zero")


class IssueBody(StockMoveBody):
    location: Code | None = None
    reference: Text(128) | None = Field(None, description="what it was issued for")


class TransferBody(StockMoveBody):
    from_location: Code | None = Field(None, description="default: wherever the stock is")
    to_location: Code


class AdjustmentBody(StockMoveBody):
    qty: SignedQty = Field(description="+ found, - missing")
    location: Code
    reason: Code = Field(description="why the count changed")


class ScrapBody(StockMoveBody):
    location: Code | None = None
    reason: Code = Field(description="scrap reason code")


class DispatchBody(StockMoveBody):
    location: Code | None = None
    reference: Text(128, min_length=1) = Field(description="customer or order the goods went to")


class Pick(Out):
    item: Code
    batch: Code | None
    location: Code
    qty: DecimalOut
    value: DecimalOut


class Picks(Out):
    picks: list[Pick]


class StockRows(Out):
    stock: list[StockRow]


@api.get("/locations", responses=answers((200, LocationPage)))
def locations_list(query: PageQuery):
    """Locations by code."""
    rows = Location.select().order_by(Location.code)
    return _page("locations", [location_dict(x) for x in rows.limit(query.limit).offset(query.offset)], rows.count(),
                 query.limit, query.offset)


@api.post("/locations", responses=answers((201, LocationOut), 409))
@require_role(*MASTER)
def locations_create(body: LocationCreate):
    """Create a location."""
    return jsonify(location_dict(catalog.create_location(body.model_dump(exclude_unset=True)))), 201


@api.get("/locations/<code>", responses=answers((200, LocationOut), 404))
def locations_get(path: LocationPath):
    """One location."""
    return jsonify(location_dict(catalog.get_location(path.code, "code")))


@api.patch("/locations/<code>", responses=answers((200, LocationOut), 404))
@require_role(*MASTER)
def locations_update(path: LocationPath, body: LocationUpdate):
    """Change a location's name, role or active flag."""
    return jsonify(location_dict(catalog.update_location(path.code, body.model_dump(exclude_none=True))))


# --- batches ---------------------------------------------------------------------------------------

@api.get("/batches", responses=answers((200, BatchPage), 404))
def batches_list(query: BatchQuery):
    """Batches, newest first, filtered by item, status or location."""
    rows = Batch.select(Batch, Item).join(Item)
    if query.item:
        rows = rows.where(Batch.item == catalog.get_item(query.item).id)
    if query.status:
        rows = rows.where(Batch.status == query.status)
    if query.location:
        here = catalog.get_location(query.location)
        rows = rows.where(Batch.id.in_(StockBalance.select(StockBalance.batch).where(
            StockBalance.location == here.id, StockBalance.qty != 0)))
    page = rows.order_by(Batch.id.desc()).limit(query.limit).offset(query.offset)
    return _page("batches", [batch_dict(b) for b in page], rows.count(), query.limit, query.offset)


@api.get("/batches/<code>", responses=answers((200, BatchDetail), 404))
def batches_get(path: BatchPath):
    """One batch with where its stock is."""
    batch = catalog.get_batch(path.code, "code")
    stock, _ = stockview.on_hand(batch=path.code, limit=500)
    return jsonify({**batch_dict(batch), "stock": stock})


@api.post("/batches/<code>/status", responses=answers((200, BatchOut), 404, 409))
@require_role(*MASTER)
def batches_status(path: BatchPath, body: BatchStatusChange):
    """Release, quarantine or block a batch (blocked goes back through quarantine)."""
    return jsonify(batch_dict(inventory.set_batch_status(path.code, body.status, actor(), body.reason)))


# --- stock -------------------------------------------------------------------------------------

@api.get("/stock", responses=answers((200, StockPage), 404))
def stock_on_hand(query: StockQuery):
    """Stock on hand per item, batch and location, with its value."""
    rows, total = stockview.on_hand(item=query.item, location=query.location, batch=query.batch,
                                    include_zero=query.include_zero, limit=query.limit, offset=query.offset)
    return _page("stock", rows, total, query.limit, query.offset)


@api.get("/stock/valuation", responses=answers((200, Valuation), 404))
def stock_valuation(query: ValuationQuery):
    """Per item: quantity and value on hand next to the ledger's sums."""
    return jsonify({"valuation": stockview.valuation(query.item)})


def _utc(moment):
    """A moment from a query as the database stores it: naive UTC."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@api.get("/stock/ledger", responses=answers((200, LedgerPage), 404))
def stock_ledger(query: LedgerQuery):
    """The stock ledger, newest first."""
    rows, total = stockview.ledger(item=query.item, batch=query.batch, work_order=query.work_order, kind=query.kind,
                                   location=query.location, event=str(query.event) if query.event else None,
                                   since=_utc(query.since), until=_utc(query.until),
                                   limit=query.limit, offset=query.offset)
    return _page("moves", rows, total, query.limit, query.offset)


@api.post("/stock/receipts", responses=answers((201, ReceiptOut), 404, 409))
@require_role(*MOVERS)
def stock_receive(body: Receipt):
    """Goods receipt: a new batch (or more of one) into stock at its cost."""
    batch = consumption.receive(
        item=body.item, qty=body.qty, actor=actor(), batch=body.batch, location=body.location,
        unit_cost=body.unit_cost, unit=body.unit, expiry=body.expiry, supplier=body.supplier,
        supplier_lot=body.supplier_lot, status=body.status, reference=body.reference)
    rows, _ = stockview.on_hand(batch=batch.code if batch else None, item=None if batch else body.item, limit=500)
    return jsonify({"batch": batch_dict(batch) if batch else None, "stock": rows}), 201


def _picks(picks) -> list[dict]:
    return [{"item": p.item.code, "batch": p.batch.code if p.batch else None, "location": p.location.code,
             "qty": str(p.qty), "value": str(p.value)} for p in picks]


def _move_args(body: StockMoveBody) -> dict:
    return {"qty": body.qty, "actor": actor(body.allow_negative), "item": body.item, "batch": body.batch,
            "unit": body.unit}


@api.post("/stock/issues", responses=answers((201, Picks), 404, 409))
@require_role(*MOVERS)
def stock_issue(body: IssueBody):
    """Issue stock: the batch given, or the item's batches FIFO (FEFO with a shelf life)."""
    picks = inventory.issue(**_move_args(body), location=body.location, reference=body.reference)
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/stock/transfers", responses=answers((201, Picks), 404, 409))
@require_role(*MOVERS)
def stock_transfer(body: TransferBody):
    """Move stock to another location."""
    picks = inventory.transfer(**_move_args(body), from_location=body.from_location, to_location=body.to_location)
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/stock/adjustments", responses=answers((201, StockRows), 404, 409))
@require_role(*MASTER)
def stock_adjust(body: AdjustmentBody):
    """Correct a count at one location (signed quantity, valued at the current cost)."""
    inventory.adjust(**_move_args(body), location=body.location, reason=body.reason)
    rows, _ = stockview.on_hand(batch=body.batch, item=None if body.batch else body.item, location=body.location,
                                include_zero=True, limit=500)
    return jsonify({"stock": rows}), 201


@api.post("/stock/scrap", responses=answers((201, Picks), 404, 409))
@require_role(*MOVERS)
def stock_scrap(body: ScrapBody):
    """Write stock off as scrap; its value is lost."""
    picks = inventory.scrap(**_move_args(body), reason=body.reason, location=body.location)
    return jsonify({"picks": _picks(picks)}), 201


@api.post("/stock/dispatches", responses=answers((201, Picks), 404, 409))
@require_role(*MOVERS)
def stock_dispatch(body: DispatchBody):
    """Ship stock to a customer: where finished goods went, for the forward trace."""
    picks = inventory.dispatch(**_move_args(body), reference=body.reference, location=body.location)
    return jsonify({"picks": _picks(picks)}), 201
