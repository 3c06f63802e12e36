"""Serial shipping container codes handed out for logistic labels, one row a pallet."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow


class SsccLabel(BaseModel):
    """An SSCC given to one logistic unit: its serial reference is this row's id, never reused."""

    sscc = pw.CharField(max_length=18, unique=True)
    batch = pw.CharField(max_length=64, null=True, index=True)
    dispatch = pw.CharField(max_length=128, null=True, index=True)
    created_by = pw.CharField(max_length=64)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "sscc_label"
