"""Keep every reason given at the floor analysable, and time pauses and machine stops."""
from __future__ import annotations

from central.models import Station
from central.reasons import EXPECTED_CATEGORIES, STOPS, record_reason, record_stop_mark
from central.recorder import handles
from edge.contract import Event


@handles(*sorted(set(EXPECTED_CATEGORIES) | set(STOPS)))
def record_reason_and_stops(event: Event) -> None:
    """Write the reason occurrence (unknown code rejects the event) and the stop/start mark."""
    station = Station.get_or_none(Station.code == event.station)
    record_reason(event, station)
    record_stop_mark(event)
