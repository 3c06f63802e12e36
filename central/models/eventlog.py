"""The raw event log (kept forever: the permanent batch record) and flags for supervisors."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow

FLAG_SEVERITIES = ("info", "warning", "critical")


class EventRecord(BaseModel):
    """One event exactly as a station sent it, stored once by its id."""

    id = pw.UUIDField(primary_key=True)
    type = pw.CharField(max_length=64, index=True)
    site = pw.CharField(max_length=64)
    station = pw.CharField(max_length=64, index=True)
    seq = pw.BigIntegerField()
    at = pw.DateTimeField(index=True)
    operator = pw.CharField(max_length=64, null=True, index=True)
    payload = pw.TextField()  # the event's wire JSON, verbatim
    received_at = pw.DateTimeField(default=utcnow)
    flagged = pw.BooleanField(default=False)
    work_order = pw.CharField(max_length=64, null=True, index=True)  # data.work_order, for the event log's filter
    batch = pw.CharField(max_length=64, null=True, index=True)  # data.batch: a batch's labels and events

    class Meta:
        indexes = ((("station", "seq"), False), (("at", "id"), False), (("type", "at", "id"), False),
                   (("flagged", "at", "id"), False),
                   (("station", "type", "seq"), False))  # a station's latest event of a type (the live board)


class Flag(BaseModel):
    """Something a supervisor must look at: a fact that broke a rule, recorded anyway."""

    event = pw.ForeignKeyField(EventRecord, null=True, backref="flags", on_delete="CASCADE")
    kind = pw.CharField(max_length=64, index=True)
    severity = pw.CharField(max_length=16, default="warning")
    message = pw.TextField()
    subject = pw.CharField(max_length=128, default="", index=True)  # e.g. a batch or work order code
    created_at = pw.DateTimeField(default=utcnow, index=True)
    resolved_at = pw.DateTimeField(null=True)
    resolved_by = pw.CharField(max_length=64, null=True)
    resolution = pw.TextField(null=True)
