"""Stages that ran past their standard time by more than the margin must have a delay reason.

The station asks for the reason when it happens; central checks again from the stored stage
times, whichever of start, completion and delay report arrives first, and raises a
``delay_reason_missing`` flag that closes itself when the delay reason arrives.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app, has_app_context

from central.flags import raise_flag
from central.models import Flag, ReasonEvent, Station, WorkOrder, WorkOrderStage, utcnow
from central.production import stage_at
from edge.contract import Event

MARGIN_KEY = "reasons.delay_margin_percent"
DEFAULT_MARGIN_PERCENT = 20
FLAG_KIND = "delay_reason_missing"


def delay_margin_percent() -> Decimal:
    """How far past standard minutes (in %) a stage may run before a delay reason is due."""
    value = DEFAULT_MARGIN_PERCENT
    if has_app_context():
        value = current_app.config["SHOPFLOOR"].get(MARGIN_KEY, DEFAULT_MARGIN_PERCENT)
    return Decimal(str(value))


def overrun_limit(standard_minutes: Decimal, margin_percent: Decimal | None = None) -> Decimal:
    """Minutes after which a stage needs a delay reason: standard × (1 + margin/100)."""
    margin = delay_margin_percent() if margin_percent is None else margin_percent
    return standard_minutes * (1 + margin / 100)


def _subject(number: str, seq: int) -> str:
    return f"{number}/{seq}"


def check_stage_event(event: Event) -> None:
    """On a stage start or completion: flag the stage if it overran and no delay reason is on record."""
    number, seq = event.data["work_order"], event.data.get("stage")
    if seq is None:  # the station did not know the routing: the stage at its work centre (central.production)
        wo = WorkOrder.get_or_none(WorkOrder.number == number)
        station = Station.get_or_none(Station.code == event.station)
        stage = stage_at(wo.id, station.work_centre_id if station else None,
                         event.at.replace(tzinfo=None) if event.type == "stage.completed" else None) if wo else None
        seq = stage.seq if stage is not None else None
    else:
        stage = (WorkOrderStage.select().join(WorkOrder)
                 .where(WorkOrder.number == number, WorkOrderStage.seq == seq).first())
    if stage is None or not stage.standard_minutes:
        return
    at = event.at.replace(tzinfo=None)
    start, end = stage.started_at, stage.completed_at
    if event.type == "stage.started":
        start = min(start or at, at)
    else:
        end = max(end or at, at)
    if start is None or end is None:
        return
    minutes = _minutes(start, end)
    limit = overrun_limit(stage.standard_minutes)
    if minutes <= limit:
        return
    subject = _subject(number, seq)
    explained = ReasonEvent.select().where(ReasonEvent.work_order == number, ReasonEvent.stage == seq,
                                           ReasonEvent.event_type == "delay.reported").exists()
    already = Flag.select().where(Flag.kind == FLAG_KIND, Flag.subject == subject, Flag.resolved_at.is_null()).exists()
    if not explained and not already:
        raise_flag(FLAG_KIND, f"stage {seq} of {number} took {minutes:.1f} min, more than {limit:.1f} "
                              f"(standard {stage.standard_minutes.normalize()} + margin), and no delay reason was given",
                   event_id=event.id, subject=subject)


def close_on_delay_reason(event: Event) -> int:
    """A delay reason arrived: close the stage's open ``delay_reason_missing`` flags; returns how many."""
    subject = _subject(event.data["work_order"], event.data["stage"])
    return (Flag.update(resolved_at=utcnow(), resolved_by="central",
                        resolution=f"delay reason {event.data['reason']} reported (event {event.id})")
            .where(Flag.kind == FLAG_KIND, Flag.subject == subject, Flag.resolved_at.is_null()).execute())


def _minutes(start: datetime, end: datetime) -> Decimal:
    return Decimal(int((end - start).total_seconds())) / 60
