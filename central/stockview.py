"""Read models of stock: on hand per item, batch and location with value, and the ledger."""
from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from peewee import JOIN, fn

from central.catalog import get_batch, get_item, get_location
from central.errors import ValidationError
from central.lifecycle import get_work_order
from central.models.ledger import MOVE_KINDS
from central.models import Batch, CostLayer, Item, Location, StockBalance, StockMove, WorkOrder
from central.quantities import exact

_q = StockBalance.qty


def _unit_costs(rows: list[StockBalance]) -> dict[tuple, Decimal]:
    """Cost per unit for each (item, batch) on the page: the batch's open layers (FIFO, tracked),
    else the item's open layers without batch (average pool, untracked FIFO)."""
    batch_ids = {r.batch_id for r in rows if r.batch_id and r.item.costing == "fifo"}
    item_ids = {r.item_id for r in rows if not (r.batch_id and r.item.costing == "fifo")}
    costs: dict[tuple, Decimal] = {}
    if batch_ids:
        for batch_id, qty, value in (CostLayer.select(CostLayer.batch, fn.SUM(CostLayer.qty), fn.SUM(CostLayer.value))
                                     .where(CostLayer.batch.in_(batch_ids), CostLayer.is_open == True)  # noqa: E712
                                     .group_by(CostLayer.batch).tuples()):
            costs[("b", batch_id)] = (_q.from_units(value) / _q.from_units(qty)) if qty else None
    if item_ids:
        for item_id, qty, value in (CostLayer.select(CostLayer.item, fn.SUM(CostLayer.qty), fn.SUM(CostLayer.value))
                                    .where(CostLayer.item.in_(item_ids), CostLayer.batch.is_null(),
                                           CostLayer.is_open == True)  # noqa: E712
                                    .group_by(CostLayer.item).tuples()):
            costs[("i", item_id)] = (_q.from_units(value) / _q.from_units(qty)) if qty else None
    return costs


def on_hand(*, item: str | None = None, location: str | None = None, batch: str | None = None,
            include_zero: bool = False, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Stock on hand per item, batch and location, with its value; and how many rows match."""
    query = (StockBalance.select(StockBalance, Item, Location, Batch).join(Item).switch(StockBalance)
             .join(Location).switch(StockBalance).join(Batch, JOIN.LEFT_OUTER))
    if item:
        query = query.where(StockBalance.item == get_item(item).id)
    if location:
        query = query.where(StockBalance.location == get_location(location).id)
    if batch:
        query = query.where(StockBalance.batch == get_batch(batch).id)
    if not include_zero:
        query = query.where(StockBalance.qty != 0)
    total = query.count()
    rows = list(query.order_by(Item.code, Batch.code, Location.code).limit(limit).offset(offset))
    costs = _unit_costs(rows)
    out = []
    for r in rows:
        key = ("b", r.batch_id) if r.batch_id and r.item.costing == "fifo" else ("i", r.item_id)
        unit = costs.get(key)
        if unit is None:
            unit = r.batch.unit_cost if r.batch_id else r.item.last_cost
        out.append({"item": r.item.code, "batch": r.batch.code if r.batch_id else None,
                    "status": r.batch.status if r.batch_id else None,
                    "expiry": r.batch.expiry.isoformat() if r.batch_id and r.batch.expiry else None,
                    "location": r.location.code, "qty": str(r.qty), "unit": r.item.unit,
                    "unit_cost": str(exact(unit)), "value": str(exact(r.qty * unit))})
    return out, total


def valuation(item: str | None = None) -> list[dict]:
    """Per item: quantity on hand, value of its cost layers, and the ledger's sums (always equal)."""
    items = Item.select().order_by(Item.code)
    if item:
        items = items.where(Item.id == get_item(item).id)
    ids = [i.id for i in items]
    qty = dict(StockBalance.select(StockBalance.item, fn.SUM(StockBalance.qty)).where(StockBalance.item.in_(ids))
               .group_by(StockBalance.item).tuples())
    layers = dict(CostLayer.select(CostLayer.item, fn.SUM(CostLayer.value)).where(
        CostLayer.item.in_(ids), CostLayer.is_open == True).group_by(CostLayer.item).tuples())  # noqa: E712
    ledger = {i: (q, v) for i, q, v in StockMove.select(StockMove.item, fn.SUM(StockMove.qty), fn.SUM(StockMove.value))
              .where(StockMove.item.in_(ids)).group_by(StockMove.item).tuples()}
    return [{"item": i.code, "unit": i.unit, "qty": str(_q.from_units(qty.get(i.id, 0))),
             "value": str(_q.from_units(layers.get(i.id, 0))),
             "ledger_qty": str(_q.from_units(ledger.get(i.id, (0, 0))[0])),
             "ledger_value": str(_q.from_units(ledger.get(i.id, (0, 0))[1]))} for i in items]


def ledger(*, item: str | None = None, batch: str | None = None, work_order: str | None = None,
           kind: str | None = None, location: str | None = None, event: str | None = None, since=None, until=None,
           limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Ledger rows, newest first, filtered as ``ledger_rows`` filters them."""
    query = ledger_rows(item=item, batch=batch, location=location, work_order=work_order, event=event, kind=kind,
                        since=since, until=until)
    total = query.count()
    rows = query.order_by(StockMove.id.desc()).limit(limit).offset(offset)
    return [{"id": m.id, "at": m.at.isoformat(), "kind": m.kind, "item": m.item.code,
             "batch": m.batch.code if m.batch_id else None, "location": m.location.code if m.location_id else None,
             "qty": str(m.qty), "value": str(m.value), "work_order": m.work_order.number if m.work_order_id else None,
             "reason": m.reason, "reference": m.reference, "user": m.user, "operator": m.operator,
             "event_id": str(m.event_id) if m.event_id else None} for m in rows], total


# --- pages: keyset-paged queries (the caller orders and pages them by key) -------------------------


def on_hand_rows(*, item: str | None = None, location: str | None = None, batch: str | None = None,
                 status: str | None = None, include_zero: bool = False):
    """Balances (with item, location, batch) matching the filters, for paging by (item id, balance id)."""
    query = (StockBalance.select(StockBalance, Item, Location, Batch).join(Item).switch(StockBalance)
             .join(Location).switch(StockBalance).join(Batch, JOIN.LEFT_OUTER))
    if item:
        query = query.where(StockBalance.item == get_item(item).id)
    if location:
        query = query.where(StockBalance.location == get_location(location, "location").id)
    if batch:
        query = query.where(StockBalance.batch == get_batch(batch).id)
    if status:
        query = query.where(Batch.status == status)
    if not include_zero:
        query = query.where(StockBalance.qty != 0)
    return query


def with_values(rows: list[StockBalance]) -> list[tuple[StockBalance, Decimal, Decimal]]:
    """Each balance with its unit cost and value (open cost layers, as ``on_hand`` values them)."""
    costs = _unit_costs(rows)
    out = []
    for r in rows:
        key = ("b", r.batch_id) if r.batch_id and r.item.costing == "fifo" else ("i", r.item_id)
        unit = costs.get(key)
        if unit is None:
            unit = r.batch.unit_cost if r.batch_id else r.item.last_cost
        out.append((r, exact(unit), exact(r.qty * unit)))
    return out


def item_totals(item_ids) -> list[tuple[Item, Decimal, Decimal]]:
    """Per item: the quantity on hand (every location) and the value of its open cost layers."""
    ids = sorted(set(item_ids))
    if not ids:
        return []
    qty = dict(StockBalance.select(StockBalance.item, fn.SUM(StockBalance.qty)).where(StockBalance.item.in_(ids))
               .group_by(StockBalance.item).tuples())
    value = dict(CostLayer.select(CostLayer.item, fn.SUM(CostLayer.value)).where(
        CostLayer.item.in_(ids), CostLayer.is_open == True).group_by(CostLayer.item).tuples())  # noqa: E712
    return [(i, _q.from_units(qty.get(i.id, 0)), _q.from_units(value.get(i.id, 0)))
            for i in Item.select().where(Item.id.in_(ids)).order_by(Item.code)]


def cost_layers(item: str, batch: str | None = None, *, closed: bool = False):
    """The cost layers behind an item's (or one batch's) value, for paging oldest first by id: open ones, or
    all with ``closed``."""
    query = CostLayer.select(CostLayer, Batch).join(Batch, JOIN.LEFT_OUTER).where(CostLayer.item == get_item(item).id)
    if batch:
        query = query.where(CostLayer.batch == get_batch(batch).id)
    if not closed:
        query = query.where(CostLayer.is_open == True)  # noqa: E712
    return query


def open_layers_total(item: str, batch: str | None = None) -> tuple[Decimal, Decimal]:
    """Quantity and value of the open cost layers of an item (or one batch)."""
    query = CostLayer.select(fn.SUM(CostLayer.qty), fn.SUM(CostLayer.value)).where(
        CostLayer.item == get_item(item).id, CostLayer.is_open == True)  # noqa: E712
    if batch:
        query = query.where(CostLayer.batch == get_batch(batch).id)
    qty, value = query.tuples().first() or (None, None)
    return _q.from_units(qty or 0), _q.from_units(value or 0)


def ledger_rows(*, item: str | None = None, batch: str | None = None, location: str | None = None,
                work_order: str | None = None, event: str | None = None, kind: str | None = None,
                since=None, until=None):
    """Ledger rows (with item, batch, location, work order) matching the filters, for paging by (time, id).

    ``since`` and ``until`` are moments (naive UTC): rows at or after ``since`` and before ``until``.
    """
    query = (StockMove.select(StockMove, Item, Batch, Location, WorkOrder).join(Item).switch(StockMove)
             .join(Batch, JOIN.LEFT_OUTER).switch(StockMove).join(Location, JOIN.LEFT_OUTER).switch(StockMove)
             .join(WorkOrder, JOIN.LEFT_OUTER))
    if item:
        query = query.where(StockMove.item == get_item(item).id)
    if batch:
        query = query.where(StockMove.batch == get_batch(batch).id)
    if location:
        query = query.where(StockMove.location == get_location(location, "location").id)
    if work_order:
        query = query.where(StockMove.work_order == get_work_order(work_order).id)
    if event:
        query = query.where(StockMove.event_id == _event_id(event))
    if kind:
        if kind not in MOVE_KINDS:
            raise ValidationError("kind", f"must be one of {', '.join(MOVE_KINDS)}, got {kind!r}")
        query = query.where(StockMove.kind == kind)
    if since is not None:
        query = query.where(StockMove.at >= since)
    if until is not None:
        query = query.where(StockMove.at < until)
    return query


def _event_id(value: str):
    try:
        return UUID(str(value).strip())
    except ValueError:
        raise ValidationError("event", f"must be an event id (a UUID), got {value!r}") from None
