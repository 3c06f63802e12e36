"""Maintenance driven by the floor: machine downtime, machine counters, preventive schedules and
what they made, overrides of a safety block, and technicians' notifications."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.eventlog import EventRecord
from central.models.fields import FixedDecimalField
from central.models.maintenance import Asset, MaintenanceTemplate, MaintenanceWorkOrder, Technician
from central.models.people import Machine

SCHEDULE_TRIGGERS = ("days", "cycles", "run_hours")
CYCLE_SOURCES = ("outputs", "counter")


class Downtime(BaseModel):
    """One ``machine.down`` report: which machine, where, by whom, why, and when it ran again.

    ``asset`` is empty when the report named a machine central cannot place (recorded and
    flagged). ``work_order`` is the breakdown work order the report opened or was linked to.
    """

    down_event = pw.ForeignKeyField(EventRecord, unique=True, backref="downtimes", on_delete="CASCADE")
    asset = pw.ForeignKeyField(Asset, null=True, backref="downtimes", on_delete="SET NULL")
    machine = pw.CharField(max_length=64, default="")
    station = pw.CharField(max_length=64)
    operator = pw.CharField(max_length=64, null=True)
    reason = pw.CharField(max_length=64)
    note = pw.TextField(default="")
    down_at = pw.DateTimeField()
    up_event = pw.ForeignKeyField(EventRecord, null=True, backref="closed_downtimes", on_delete="SET NULL")
    up_at = pw.DateTimeField(null=True)
    minutes = FixedDecimalField(null=True)
    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, null=True, backref="downtimes", on_delete="SET NULL")

    class Meta:
        indexes = ((("machine", "up_at"), False), (("asset", "down_at"), False))


class MachineCounter(BaseModel):
    """Running totals per machine, so a schedule reads one row, never a sum over history.

    ``output_cycles``: quantities of outputs reported at the machine's stations; ``counter_cycles``:
    what ``machine.counter`` readings added (a reading below the last one is a counter reset: the
    new reading counts from zero, nothing is subtracted). Run time is ``run_seconds`` plus, while
    the machine runs (``running_since`` set), the time since then.
    """

    machine = pw.ForeignKeyField(Machine, unique=True, backref="counter", on_delete="CASCADE")
    output_cycles = FixedDecimalField(default=0)
    counter_cycles = FixedDecimalField(default=0)
    last_reading = FixedDecimalField(null=True)
    last_reading_at = pw.DateTimeField(null=True)
    resets = pw.IntegerField(default=0)
    run_seconds = pw.BigIntegerField(default=0)
    running_since = pw.DateTimeField(null=True)
    down = pw.BooleanField(default=False)
    changed_at = pw.DateTimeField(default=utcnow)


class MaintenanceSchedule(BaseModel):
    """Preventive work on an asset every ``interval`` days, cycles or run-hours, made from a template.

    Days: ``due_at`` is the due time of the pending occurrence (fixed dates advance by the
    interval; floating ones run from the last completion). Cycles and run-hours: due when the
    machine's counter reaches ``baseline + interval``; completion sets ``baseline`` to the counter.
    The work order is opened ``lead`` (days, cycles or hours) before it is due, never while the
    previous one is open. ``period`` counts completions (an override holds for one period).
    """

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    asset = pw.ForeignKeyField(Asset, backref="schedules", on_delete="RESTRICT")
    template = pw.ForeignKeyField(MaintenanceTemplate, backref="schedules", on_delete="RESTRICT")
    trigger = pw.CharField(max_length=16)
    interval = FixedDecimalField()
    floating = pw.BooleanField(default=False)
    cycle_source = pw.CharField(max_length=16, default="outputs")
    lead = FixedDecimalField(default=0)
    safety_critical = pw.BooleanField(default=False)
    active = pw.BooleanField(default=True)
    due_at = pw.DateTimeField(null=True)
    baseline = FixedDecimalField(default=0)
    overdue_since = pw.DateTimeField(null=True)
    period = pw.IntegerField(default=0)
    occurrences = pw.IntegerField(default=0)
    open_work_order = pw.ForeignKeyField(MaintenanceWorkOrder, null=True, on_delete="SET NULL")
    last_done_at = pw.DateTimeField(null=True)
    problem = pw.TextField(null=True)  # why the scheduler cannot evaluate it (flagged once)
    created_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "maintenance_schedule"


class ScheduleRun(BaseModel):
    """One work order a schedule made; (schedule, number) is unique, so no due work is made twice."""

    schedule = pw.ForeignKeyField(MaintenanceSchedule, backref="runs", on_delete="CASCADE")
    number = pw.IntegerField()
    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, unique=True, backref="schedule_runs", on_delete="CASCADE")
    due_at = pw.DateTimeField(null=True)
    due_value = FixedDecimalField(null=True)
    made_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("schedule", "number"), True),)


class BlockOverride(BaseModel):
    """A supervisor let production start on a machine whose safety-critical work is overdue, with a reason."""

    schedule = pw.ForeignKeyField(MaintenanceSchedule, backref="overrides", on_delete="CASCADE")
    period = pw.IntegerField()
    reason = pw.TextField()
    by = pw.CharField(max_length=64)
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("schedule", "period"), True),)


class Notification(BaseModel):
    """A message to a technician (new work assigned to them); read on *My work* or by the API."""

    technician = pw.ForeignKeyField(Technician, backref="notifications", on_delete="CASCADE")
    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, null=True, backref="notifications", on_delete="CASCADE")
    text = pw.TextField()
    created_at = pw.DateTimeField(default=utcnow)
    read_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("technician", "read_at"), False),)
