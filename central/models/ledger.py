"""The append-only stock ledger and the batch links of genealogy."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.fields import FixedDecimalField
from central.models.production import WorkOrder
from central.models.stock import Batch, Item, Location

MOVE_KINDS = ("receipt", "issue", "backflush", "output", "transfer", "adjustment", "scrap", "dispatch", "revaluation")


class StockMove(BaseModel):
    """One change of stock: signed quantity and value. Rows are only ever added.

    A revaluation has quantity zero and changes value only (settlement of an output batch,
    a negative layer filled at a different cost).
    """

    at = pw.DateTimeField(default=utcnow, index=True)
    kind = pw.CharField(max_length=16, index=True)
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    batch = pw.ForeignKeyField(Batch, null=True, on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, null=True, on_delete="RESTRICT")
    qty = FixedDecimalField()
    value = FixedDecimalField()
    work_order = pw.ForeignKeyField(WorkOrder, null=True, on_delete="RESTRICT")
    reason = pw.CharField(max_length=64, null=True)
    reference = pw.CharField(max_length=128, null=True)  # customer, purchase order, note
    user = pw.CharField(max_length=64, null=True)  # the person (API) ...
    operator = pw.CharField(max_length=64, null=True)  # ... or the operator at a station
    event_id = pw.UUIDField(null=True, index=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("item", "batch", "location"), False), (("batch", "kind"), False),
                   (("work_order", "kind"), False))


class BatchLink(BaseModel):
    """Genealogy: ``qty`` of batch ``parent`` went into the work order that made batch ``child``."""

    parent = pw.ForeignKeyField(Batch, on_delete="RESTRICT")
    child = pw.ForeignKeyField(Batch, on_delete="RESTRICT")
    work_order = pw.ForeignKeyField(WorkOrder, null=True, on_delete="CASCADE")
    qty = FixedDecimalField()

    class Meta:
        indexes = ((("parent", "child"), False), (("child", "parent"), False), (("work_order",), False))
