"""What is recorded on a maintenance work order: custom field values, checklist results, the
technician log (time, notes, status changes), parts used and contractors."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.fields import FixedDecimalField
from central.models.maintenance import Contractor, MaintenanceWorkOrder, Technician
from central.models.stock import Batch, Item, Location

CHECK_RESULTS = ("done", "pass", "fail", "reading")
LOG_KINDS = ("note", "status", "assignment", "flag")


class FieldValue(BaseModel):
    """The value of one custom field of the work order's template version, as text."""

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="field_values", on_delete="CASCADE")
    name = pw.CharField(max_length=64)
    value = pw.TextField()
    set_by = pw.CharField(max_length=64, default="")
    set_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("work_order", "name"), True),)


class CheckResult(BaseModel):
    """One checklist step done once: ticked, passed, failed or read; ``ok`` false flags the work order."""

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="check_results", on_delete="CASCADE")
    step = pw.IntegerField()  # index in the template version's checklist, from 0
    result = pw.CharField(max_length=16)
    reading = FixedDecimalField(null=True)
    ok = pw.BooleanField(default=True)
    note = pw.TextField(default="")
    by = pw.CharField(max_length=64, default="")
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("work_order", "step"), True),)


class TimeEntry(BaseModel):
    """Time a technician spent on a work order; open (``ended_at`` empty) while the clock runs."""

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="time_entries", on_delete="CASCADE")
    technician = pw.ForeignKeyField(Technician, backref="time_entries", on_delete="RESTRICT")
    started_at = pw.DateTimeField()
    ended_at = pw.DateTimeField(null=True)
    minutes = FixedDecimalField(null=True)
    hourly_rate = FixedDecimalField(default=0)  # the technician's rate when the time was booked
    cost = FixedDecimalField(null=True)  # minutes × rate, set when the entry is closed
    note = pw.TextField(default="")
    entered_by = pw.CharField(max_length=64, default="")

    class Meta:
        indexes = ((("technician", "ended_at"), False),)


class LogEntry(BaseModel):
    """A line of the work order's log: a note, a status change, an assignment or a flag."""

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="log", on_delete="CASCADE")
    kind = pw.CharField(max_length=16, default="note")
    text = pw.TextField()
    by = pw.CharField(max_length=64, default="")
    at = pw.DateTimeField(default=utcnow)


class PartUse(BaseModel):
    """A part issued from stock to a work order: one row per batch and location taken from.

    ``value`` is what the stock ledger booked for it (FIFO or average), so parts cost equals the ledger.
    """

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="parts", on_delete="RESTRICT")
    item = pw.ForeignKeyField(Item, on_delete="RESTRICT")
    batch = pw.ForeignKeyField(Batch, null=True, on_delete="RESTRICT")
    location = pw.ForeignKeyField(Location, on_delete="RESTRICT")
    qty = FixedDecimalField()
    value = FixedDecimalField()
    flagged = pw.BooleanField(default=False)  # taken although the stock was not there
    by = pw.CharField(max_length=64, default="")
    at = pw.DateTimeField(default=utcnow)


class ContractorJob(BaseModel):
    """A contractor engaged on a work order at an agreed price."""

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="contractor_jobs", on_delete="CASCADE")
    contractor = pw.ForeignKeyField(Contractor, backref="jobs", on_delete="RESTRICT")
    agreed_price = FixedDecimalField()
    scope = pw.TextField(default="")
    added_by = pw.CharField(max_length=64, default="")
    added_at = pw.DateTimeField(default=utcnow)
