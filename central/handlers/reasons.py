"""Keep every reason given at the floor analysable, time pauses and machine stops, check stage overruns."""
from __future__ import annotations

from central.models import Station
from central.overrun import check_stage_event, close_on_delay_reason
from central.reasons import EXPECTED_CATEGORIES, STOPS, record_reason, record_stop_mark
from central.recorder import handles
from edge.contract import Event


@handles(*sorted(set(EXPECTED_CATEGORIES) | set(STOPS)))
def record_reason_and_stops(event: Event) -> None:
    """Write the reason occurrence (unknown code rejects the event) and the stop/start mark."""
    station = Station.get_or_none(Station.code == event.station)
    record_reason(event, station)
    record_stop_mark(event)


@handles("stage.started", "stage.completed", "delay.reported")
def check_stage_overrun(event: Event) -> None:
    """Flag a stage that overran without a delay reason; a delay reason closes that flag."""
    if event.type == "delay.reported":
        close_on_delay_reason(event)
    else:
        check_stage_event(event)
