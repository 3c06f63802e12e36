"""Flag every event done by an operator who was not certified for the station at the event's time."""
from __future__ import annotations

from central.certification import HeldCertifications, station_requirements
from central.flags import raise_flag
from central.models import Station
from central.recorder import handles_batch
from edge.contract import EVENT_TYPES, Event


@handles_batch(*EVENT_TYPES)
def check_operators_certified(events: list[Event]) -> None:
    """Raise ``uncertified_operator`` for each event whose operator lacked a skill the station requires.

    Once per batch: the stations, what each station (and machine named) requires, and the
    operators' certifications are read once, and every event is judged by its own day.
    """
    # a technician's scans at a station (maintenance.*) are repairs, not production: the station's skills do not apply
    done = [e for e in events if e.operator is not None and not e.type.startswith("maintenance.")]
    if not done:
        return
    stations = {s.code: s for s in Station.select().where(Station.code.in_({e.station for e in done}))}
    needs: dict[tuple[str, str | None], list] = {}
    for e in done:
        key = (e.station, e.data.get("machine"))
        if key not in needs:
            station = stations.get(e.station)
            needs[key] = station_requirements(station, [key[1]]) if station is not None else []
    skill_ids = {r.skill_id for requirements in needs.values() for r in requirements}
    if not skill_ids:
        return
    held = HeldCertifications({e.operator for e in done}, skill_ids)
    for e in done:
        problems = held.problems(e.operator, needs[(e.station, e.data.get("machine"))], e.at)
        if problems:
            raise_flag("uncertified_operator", f"{e.type} at {e.station} by {e.operator}: " + "; ".join(problems),
                       event_id=e.id, subject=e.operator)
