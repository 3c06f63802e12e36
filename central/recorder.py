"""Record station events exactly once and apply each through its domain handler.

Events are facts: a handler records what happened even when it breaks a rule and raises a
flag. Only what is malformed, unknown or unauthorised is rejected, and a rejected event
leaves nothing behind (each event runs in its own savepoint inside the batch transaction).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from central.db import database
from central.errors import ShopfloorError
from central.models import EventRecord, Station, utcnow
from edge.contract import ContractError, Event, EVENT_TYPES, raw_id, validate_event

log = logging.getLogger("shopfloor.recorder")

Handler = Callable[[Event], None]
_HANDLERS: dict[str, list[Handler]] = {}


def handles(*type_names: str) -> Callable[[Handler], Handler]:
    """Register a domain handler for one or more event types (several may handle one type)."""
    def register(fn: Handler) -> Handler:
        for name in type_names:
            if name not in EVENT_TYPES:
                raise ValueError(f"{fn.__qualname__} handles unknown event type {name!r}")
            _HANDLERS.setdefault(name, []).append(fn)
        return fn
    return register


def handlers_for(type_name: str) -> list[Handler]:
    """The handlers registered for an event type, importing the domain handler modules first."""
    import central.handlers  # noqa: F401  (registers every domain's handlers)

    return _HANDLERS.get(type_name, [])


@dataclass
class Outcome:
    """What happened to a batch of events: ids accepted, and rejections with their reason."""

    accepted: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    applied: int = 0  # accepted and new (not duplicates)

    def reject(self, event_id: str | None, error: str) -> None:
        """Note one rejection."""
        self.rejected.append({"id": event_id, "error": error})


def record_raw(raws: list[Any], *, site: str, station: str) -> Outcome:
    """Validate raw event dicts published by ``site``/``station`` and record them in one transaction."""
    outcome = Outcome()
    events: list[Event] = []
    for raw in raws:
        try:
            event = validate_event(raw)
        except ContractError as exc:
            outcome.reject(raw_id(raw), str(exc))
            continue
        if event.station != station or event.site != site:
            outcome.reject(event.id, f"station: event is from {event.site}/{event.station} "
                                     f"but was published by {site}/{station}")
            continue
        events.append(event)
    if events:
        record(events, outcome)
    return outcome


def record(events: list[Event], outcome: Outcome | None = None) -> Outcome:
    """Record validated events of one station; duplicates are accepted again, never re-applied."""
    outcome = outcome or Outcome()
    station_code = events[0].station
    with database.atomic():
        station = Station.get_or_none(Station.code == station_code)
        if station is None or not station.active or station.site != events[0].site:
            for e in events:
                outcome.reject(e.id, f"station: {e.site}/{e.station} is not a registered, active station")
            return outcome
        ids = [e.id for e in events]
        seen = {str(r.id) for r in EventRecord.select(EventRecord.id).where(EventRecord.id.in_(ids))}
        for event in sorted(events, key=lambda e: e.seq):
            if event.id in seen:
                outcome.accepted.append(event.id)
                continue
            try:
                with database.atomic():
                    _apply(event)
            except ShopfloorError as exc:
                outcome.reject(event.id, str(exc))
                continue
            seen.add(event.id)
            outcome.accepted.append(event.id)
            outcome.applied += 1
        top_seq = max((e.seq for e in events if e.id in seen), default=0)
        Station.update(last_seen_at=utcnow(), last_seq=max(station.last_seq, top_seq)).where(
            Station.id == station.id).execute()
    return outcome


def _apply(event: Event) -> None:
    EventRecord.insert(
        id=event.id, type=event.type, site=event.site, station=event.station, seq=event.seq,
        at=event.at.replace(tzinfo=None), operator=event.operator,
        payload=json.dumps(event.to_wire(), separators=(",", ":")),
    ).execute()
    for handler in handlers_for(event.type):
        handler(event)
