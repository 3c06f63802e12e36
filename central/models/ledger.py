"""The append-only stock ledger and the work-order inputs that carry genealogy."""
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
                   (("work_order", "kind"), False), (("item", "at", "id"), False),
                   (("location", "at", "id"), False))


class WorkOrderInput(BaseModel):
    """Genealogy, inputs side: how much of a batch a work order consumed (net of issues and backflush).

    With ``WorkOrderOutput`` (the work order → the batches it made) this stores genealogy
    linearly: a work order with I input batches and O output batches has I + O rows, and a
    batch's parents are the inputs of the work order that made it.
    """

    work_order = pw.ForeignKeyField(WorkOrder, on_delete="CASCADE")
    batch = pw.ForeignKeyField(Batch, on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    qty = FixedDecimalField(default=0)

    class Meta:
        indexes = ((("work_order", "batch"), True),)  # plus the foreign keys' own: by batch, the forward step


class ParkedIssue(BaseModel):
    """A station's material issue that named a batch central does not know yet.

    Its receipt (or the output that makes it) may simply arrive later: the issue waits here
    and is booked, with its own event's time and operator, the moment the batch appears.
    """

    batch_code = pw.CharField(max_length=64, index=True)
    work_order = pw.ForeignKeyField(WorkOrder, on_delete="CASCADE")
    item = pw.CharField(max_length=64, null=True)  # as the station named it, checked when the batch appears
    unit = pw.CharField(max_length=16, null=True)
    qty = FixedDecimalField()
    operator = pw.CharField(max_length=64, null=True)
    event_id = pw.UUIDField(unique=True)
    at = pw.DateTimeField()
    created_at = pw.DateTimeField(default=utcnow)
