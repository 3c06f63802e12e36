"""What the batch pages read: batches by filter, one batch's home page, its status history.

Queries, not caches: every figure comes from the batch, its balances, the ledger and the genealogy.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import peewee as pw

from central.catalog import get_batch, get_item
from central.errors import ValidationError
from central.inventory import STATUS_CHANGES
from central.models import (Batch, BatchStatusChange, Flag, Item, Location, SsccLabel, StockBalance, StockMove,
                            WorkOrder, WorkOrderInput, WorkOrderOutput, utcnow)
from central.models.stock import BATCH_STATUSES

EXPIRY_FILTERS = {"expired": "expired", "30": "expires within 30 days", "90": "expires within 90 days",
                  "none": "no expiry date"}


@dataclass(frozen=True)
class BatchFilter:
    """What the batch list is narrowed to; every field optional."""

    item: str = ""
    status: str = ""
    expiry: str = ""
    text: str = ""

    @classmethod
    def from_args(cls, args) -> "BatchFilter":
        """From a page's query arguments; an unknown status or expiry choice names its field."""
        def arg(name: str, limit: int = 64) -> str:
            return "".join(c for c in (args.get(name) or "") if c.isprintable()).strip()[:limit]

        f = cls(item=arg("item"), status=arg("status"), expiry=arg("expiry"), text=arg("text", 200))
        if f.status and f.status not in BATCH_STATUSES:
            raise ValidationError("status", f"must be one of {', '.join(BATCH_STATUSES)}")
        if f.expiry and f.expiry not in EXPIRY_FILTERS:
            raise ValidationError("expiry", f"must be one of {', '.join(EXPIRY_FILTERS)}")
        return f


def batches(f: BatchFilter, today: date | None = None) -> pw.ModelSelect:
    """Batches (with their items) matching the filter; the caller orders and pages them by id."""
    query = Batch.select(Batch, Item).join(Item)
    if f.item:
        query = query.where(Batch.item == get_item(f.item).id)
    if f.status:
        query = query.where(Batch.status == f.status)
    today = today or utcnow().date()
    if f.expiry == "expired":
        query = query.where(Batch.expiry < today)
    elif f.expiry in ("30", "90"):
        query = query.where(Batch.expiry >= today, Batch.expiry <= today + timedelta(days=int(f.expiry)))
    elif f.expiry == "none":
        query = query.where(Batch.expiry.is_null())
    if f.text:
        # a code that starts with the text (a range on the unique index), or the supplier's lot exactly
        prefix = (Batch.code >= f.text) & (Batch.code < f.text + "\U0010ffff") & \
            (pw.fn.SUBSTR(Batch.code, 1, len(f.text)) == f.text)
        query = query.where(prefix | (Batch.supplier_lot == f.text))
    return query


def on_hand(batch_ids: list[int]) -> dict[int, list[tuple[str, object]]]:
    """Per batch: (location code, quantity) where it has stock now."""
    out: dict[int, list] = {}
    rows = (StockBalance.select(StockBalance.batch, Location.code, StockBalance.qty).join(Location)
            .where(StockBalance.batch.in_(batch_ids), StockBalance.qty != 0).order_by(Location.code).tuples())
    for batch_id, location, qty in rows:
        out.setdefault(batch_id, []).append((location, qty))
    return out


def overview(code: str) -> dict:
    """Everything the batch's home page shows: facts, stock now, origin, use, history, flags, labels."""
    batch = get_batch(code)
    item = batch.item
    stock = on_hand([batch.id]).get(batch.id, [])
    made = (WorkOrderOutput.select(WorkOrderOutput, WorkOrder).join(WorkOrder)
            .where(WorkOrderOutput.batch == batch.id).first())
    receipt = (StockMove.select().where(StockMove.batch == batch.id, StockMove.kind == "receipt")
               .order_by(StockMove.id).first())
    used_in = list(WorkOrderInput.select(WorkOrderInput.qty, WorkOrder.number, WorkOrder.status).join(WorkOrder)
                   .where(WorkOrderInput.batch == batch.id, WorkOrderInput.qty > 0)
                   .order_by(WorkOrder.number).limit(50).dicts())
    dispatched = list(StockMove.select(StockMove.reference, StockMove.qty, StockMove.at)
                      .where(StockMove.batch == batch.id, StockMove.kind == "dispatch")
                      .order_by(StockMove.at.desc()).limit(50).dicts())
    history = list(BatchStatusChange.select().where(BatchStatusChange.batch == batch.id)
                   .order_by(BatchStatusChange.at.desc(), BatchStatusChange.id.desc()).limit(100))
    flags = list(Flag.select().where(Flag.subject == batch.code, Flag.resolved_at.is_null())
                 .order_by(Flag.created_at.desc()).limit(20))
    pallets = list(SsccLabel.select().where(SsccLabel.batch == batch.code).order_by(SsccLabel.id.desc()).limit(20))
    today = utcnow().date()
    return {"batch": batch, "item": item, "stock": stock, "total": sum((q for _, q in stock), start=0),
            "made": made, "receipt": receipt, "used_in": used_in, "dispatched": dispatched,
            "history": history, "flags": flags, "pallets": pallets,
            "expired": batch.expiry is not None and batch.expiry < today,
            "next_statuses": sorted(STATUS_CHANGES[batch.status]) if batch.status in STATUS_CHANGES else []}


def status_history(code: str) -> list[dict]:
    """A batch's status changes, newest first: from, to, who, when, why."""
    batch = get_batch(code)
    return [{"from": c.from_status, "to": c.to_status, "by": c.changed_by, "at": c.at.isoformat(),
             "reason": c.reason}
            for c in BatchStatusChange.select().where(BatchStatusChange.batch == batch.id)
            .order_by(BatchStatusChange.at.desc(), BatchStatusChange.id.desc())]
