"""Flag every event done by an operator who was not certified for the station at the event's time."""
from __future__ import annotations

from central.certification import missing_requirements, station_requirements
from central.flags import raise_flag
from central.models import Station
from central.recorder import handles
from edge.contract import EVENT_TYPES, Event


@handles(*EVENT_TYPES)
def check_operator_certified(event: Event) -> None:
    """Raise ``uncertified_operator`` when the event's operator lacked a skill the station requires."""
    if event.operator is None:
        return
    station = Station.get_or_none(Station.code == event.station)
    if station is None:
        return
    requirements = station_requirements(station, [event.data.get("machine")])
    problems = missing_requirements(event.operator, requirements, event.at)
    if problems:
        raise_flag("uncertified_operator", f"{event.type} at {event.station} by {event.operator}: " + "; ".join(problems),
                   event_id=event.id, subject=event.operator)
