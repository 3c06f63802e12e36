"""Reason occurrences, one row each, so analysis is one GROUP BY; and stop/start marks for durations."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel
from central.models.eventlog import EventRecord
from central.models.fields import FixedDecimalField
from central.models.reference import ReasonCode, WorkCentre

STOP_KINDS = ("stop", "start")


class ReasonEvent(BaseModel):
    """One reason given at the floor: which code, where, when, by whom, how much, how long.

    ``minutes`` of a pause or a machine stop is filled in from the stored stop/start marks
    (see ``StopMark``) and stays empty while the stop is still open.
    """

    event = pw.ForeignKeyField(EventRecord, unique=True, backref="reason_rows", on_delete="CASCADE")
    reason = pw.ForeignKeyField(ReasonCode, backref="occurrences", on_delete="RESTRICT")
    category = pw.CharField(max_length=16, index=True)
    event_type = pw.CharField(max_length=64)
    at = pw.DateTimeField(index=True)
    station = pw.CharField(max_length=64)
    work_centre = pw.ForeignKeyField(WorkCentre, null=True, backref="reason_rows", on_delete="SET NULL")
    work_order = pw.CharField(max_length=64, null=True, index=True)
    stage = pw.IntegerField(null=True)
    item = pw.CharField(max_length=64, null=True, index=True)
    operator = pw.CharField(max_length=64, null=True, index=True)
    qty = FixedDecimalField(null=True)
    minutes = FixedDecimalField(null=True)


class StopMark(BaseModel):
    """A stop (pause, machine down) or a start (resume, machine up) on one scope, by event time.

    ``scope`` names what stopped: ``wo:<work order>`` or ``machine:<station>/<machine>``.
    Durations are computed from these marks ordered by ``at``, so arrival order never matters.
    """

    event = pw.ForeignKeyField(EventRecord, unique=True, backref="stop_marks", on_delete="CASCADE")
    scope = pw.CharField(max_length=160)
    kind = pw.CharField(max_length=8)
    at = pw.DateTimeField()
    seq = pw.BigIntegerField()

    class Meta:
        indexes = ((("scope", "at"), False),)
