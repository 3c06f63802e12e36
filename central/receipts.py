"""Goods receipts of many events at once: new batches into stock in sets, parked issues booked.

A goods-in station's backlog is mostly new batches of FIFO items. Those are written together:
one read of the items, locations and existing codes, one insert each of batches, cost layers,
balances and ledger rows, one update of each item's last price. A receipt that tops up a batch
central already has, or of an item kept at weighted average or without batches, goes through
``inventory.receive`` on its own, after the others, in the order given.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from central import consumption, inventory
from central.catalog import default_location, get_item, get_locations
from central.db import database, insert_dicts
from central.errors import ValidationError
from central.inventory import Actor, check_unit, default_expiry, write_moves
from central.models import Batch, CostLayer, Item, utcnow
from central.models.stock import BATCH_STATUSES
from central.quantities import check_positive, exact


@dataclass
class Receipt:
    """One goods receipt, as ``inventory.receive`` takes it."""

    item: str
    qty: Decimal
    actor: Actor
    batch: str | None = None
    location: str | None = None
    unit_cost: Decimal | None = None
    unit: str | None = None
    expiry: date | None = None
    supplier: str | None = None
    supplier_lot: str | None = None
    status: str = "released"
    reference: str | None = None

    def one_by_one(self) -> Batch | None:
        """This receipt through ``inventory.receive``."""
        return inventory.receive(item=self.item, qty=self.qty, actor=self.actor, batch=self.batch,
                                 location=self.location, unit_cost=self.unit_cost, unit=self.unit, expiry=self.expiry,
                                 supplier=self.supplier, supplier_lot=self.supplier_lot, status=self.status,
                                 reference=self.reference)


def receive_all(receipts: list[Receipt]) -> None:
    """Book the receipts in one transaction, new FIFO batches in sets; then the issues parked for them."""
    with database.atomic():
        items = {i.code: i for i in Item.select().where(Item.code.in_({r.item for r in receipts}))}
        codes = [r.batch for r in receipts if r.batch]
        known = {b.code for b in Batch.select(Batch.code).where(Batch.code.in_(codes))} if codes else set()
        fast, slow, seen = [], [], set()
        for r in receipts:
            item = items.get(r.item) or get_item(r.item)
            if item.costing == "fifo" and item.batch_tracked and r.batch and r.batch not in known and r.batch not in seen:
                seen.add(r.batch)
                fast.append((r, item))
            else:
                slow.append(r)
        if fast:
            _receive_new_batches(fast)
        for r in slow:
            r.one_by_one()
        consumption.book_parked(codes)


def _receive_new_batches(rows: list[tuple[Receipt, Item]]) -> None:
    places = get_locations({r.location for r, _ in rows if r.location})
    batches, layers, priced = [], [], {}
    for r, item in rows:
        if r.unit_cost is None:  # no price given: the last price paid, as inventory.receive does
            r.unit_cost = priced.get(item.id, item.last_cost)
        r.qty = check_positive("qty", r.qty)
        check_unit(item, r.unit)
        if r.unit_cost < 0:
            raise ValidationError("unit_cost", f"must not be negative, got {r.unit_cost}")
        if r.status not in BATCH_STATUSES:
            raise ValidationError("status", f"must be one of {', '.join(BATCH_STATUSES)}, got {r.status!r}")
        at = r.actor.at or utcnow()
        expiry = r.expiry or default_expiry(item, at)
        batches.append({"code": r.batch, "item": item.id, "expiry": expiry, "supplier": r.supplier,
                        "supplier_lot": r.supplier_lot, "unit_cost": r.unit_cost, "status": r.status, "created_at": at})
        priced[item.id] = r.unit_cost
    insert_dicts(Batch, batches)
    made = {b.code: b for b in Batch.select().where(Batch.code.in_([b["code"] for b in batches]))}
    moves = []
    for r, item in rows:
        batch = made[r.batch]
        value = exact(r.qty * r.unit_cost)
        place = places[r.location] if r.location else places.setdefault("", default_location("receiving"))
        layers.append({"item": item.id, "batch": batch.id, "qty_in": r.qty, "qty": r.qty, "value": value,
                       "unit_cost": r.unit_cost, "created_at": utcnow()})
        moves.append({"item": item, "batch": batch, "location": place, "kind": "receipt", "qty": r.qty, "value": value,
                      "reference": r.reference, "actor": r.actor})
    insert_dicts(CostLayer, layers)
    write_moves(moves, rows[0][0].actor, balances={}, complete=True)
    for item_id, cost in priced.items():
        Item.update(last_cost=cost).where(Item.id == item_id).execute()
