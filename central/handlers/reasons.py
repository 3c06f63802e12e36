"""Keep every reason given at the floor analysable, time pauses and machine stops, check stage overruns."""
from __future__ import annotations

from central.models import Station
from central.overrun import check_stage_event, close_on_delay_reason
from central.reasons import EXPECTED_CATEGORIES, STOPS, event_reason, record_reason, record_stop_marks
from central.recorder import handles, handles_batch
from edge.contract import Event


@handles(*sorted(EXPECTED_CATEGORIES))
def record_reason_occurrence(event: Event) -> None:
    """Write the reason occurrence (an unknown code rejects the event)."""
    if event_reason(event) is None:
        return
    record_reason(event, Station.get_or_none(Station.code == event.station))


@handles_batch(*sorted(STOPS))
def record_stops_and_starts(events: list[Event]) -> None:
    """Write the stop/start marks of a batch and settle the minutes of the stops they bound."""
    record_stop_marks(events)


@handles("stage.started", "stage.completed", "delay.reported")
def check_stage_overrun(event: Event) -> None:
    """Flag a stage that overran without a delay reason; a delay reason closes that flag."""
    if event.type == "delay.reported":
        close_on_delay_reason(event)
    else:
        check_stage_event(event)
