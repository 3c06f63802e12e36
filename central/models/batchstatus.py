"""The history of a batch's status: who released, quarantined or blocked it, when and why."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.stock import Batch


class BatchStatusChange(BaseModel):
    """One change of a batch's status, with the person (or operator) who made it and the reason given."""

    batch = pw.ForeignKeyField(Batch, backref="status_changes", on_delete="CASCADE")
    from_status = pw.CharField(max_length=16)
    to_status = pw.CharField(max_length=16)
    reason = pw.TextField(default="")
    changed_by = pw.CharField(max_length=64)
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "batch_status_change"
        indexes = ((("batch", "at"), False),)
