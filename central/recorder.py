"""Record station events exactly once and apply each through its domain handler.

Events are facts: a handler records what happened even when it breaks a rule and raises a
flag. Only what is malformed, unknown or unauthorised is rejected, and a rejected event
leaves nothing behind: the log rows of a batch are written together, and the handlers run in
a savepoint, replayed one event per savepoint when one of them rejects.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

import peewee as pw

from central.db import database, insert_rows
from central.errors import ShopfloorError
from central.models import EventRecord, Station, utcnow
from edge.contract import ContractError, Event, EVENT_TYPES, raw_id, rejection, validate_event

log = logging.getLogger("shopfloor.recorder")

Handler = Callable[[Event], None]
BatchHandler = Callable[[list[Event]], None]
_HANDLERS: dict[str, list[Handler]] = {}
_BATCH_HANDLERS: dict[BatchHandler, frozenset[str]] = {}
_SET_HANDLERS: dict[Handler, BatchHandler] = {}  # a per-event handler → the set version that replaces it in a batch


def handles(*type_names: str) -> Callable[[Handler], Handler]:
    """Register a domain handler for one or more event types (several may handle one type)."""
    def register(fn: Handler) -> Handler:
        for name in type_names:
            if name not in EVENT_TYPES:
                raise ValueError(f"{fn.__qualname__} handles unknown event type {name!r}")
            _HANDLERS.setdefault(name, []).append(fn)
        return fn
    return register


def handles_batch(*type_names: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register a set-based step that gets, once per batch, the new accepted events of these types.

    It runs after every event's own handlers, in the batch transaction, with the events in
    ``seq`` order. It cannot reject an event: whatever may reject belongs in a per-event handler.
    """
    def register(fn: BatchHandler) -> BatchHandler:
        for name in type_names:
            if name not in EVENT_TYPES:
                raise ValueError(f"{fn.__qualname__} handles unknown event type {name!r}")
        _BATCH_HANDLERS[fn] = frozenset(type_names)
        return fn
    return register


def handles_set(per_event: Handler) -> Callable[[BatchHandler], BatchHandler]:
    """Register the set version of a per-event handler: in a batch it gets all those events at once.

    Consecutive events it covers are gathered (in ``seq`` order) and handed over together
    before the next event that needs its own handler, so the batch keeps its order around
    anything else. Set versions run in the order they were registered. When one raises
    ``ShopfloorError`` the batch is replayed event by event with the per-event handler, so the
    set version may simply raise on the first bad event.
    """
    def register(fn: BatchHandler) -> BatchHandler:
        _SET_HANDLERS[per_event] = fn
        return fn
    return register


def _apply_in_sets(events: list[Event]) -> None:
    """Run every handler of ``events``, the ones with a set version gathered into sets."""
    gathered: dict[BatchHandler, list[Event]] = {fn: [] for fn in _SET_HANDLERS.values()}

    def flush() -> None:
        for fn, chosen in gathered.items():
            if chosen:
                fn(list(chosen))
                chosen.clear()

    for event in events:
        handlers = handlers_for(event.type)
        if not any(h in _SET_HANDLERS for h in handlers):
            flush()
        for handler in handlers:
            if handler in _SET_HANDLERS:
                gathered[_SET_HANDLERS[handler]].append(event)
            else:
                handler(event)
    flush()


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
    applied_types: set[str] = field(default_factory=set)  # the types of those

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
    """Record validated events of one station; duplicates are accepted again, never re-applied.

    One query finds the ids already recorded, one bulk INSERT (in chunks) writes the log rows
    of the new ones, then the handlers run, all in one savepoint. When a handler raises
    ``ShopfloorError`` that savepoint is rolled back and the events are applied again each in
    a savepoint of its own: a rejected one is rolled back and its log row deleted, so it
    leaves nothing, and the others are applied as if it had never come. An id given twice in one batch is
    applied once (the lower ``seq`` wins) and both copies get the same answer.
    """
    outcome = outcome or Outcome()
    station_code = events[0].station
    with database.atomic():
        lock_stations([station_code])  # before the ids are looked up: another worker may be recording them
        station = Station.get_or_none(Station.code == station_code)
        if station is None or not station.active or station.site != events[0].site:
            for e in events:
                outcome.reject(e.id, f"station: {e.site}/{e.station} is not a registered, active station")
            return outcome
        ordered = sorted(events, key=lambda e: e.seq)
        known = _recorded_ids([e.id for e in ordered])
        fresh: dict[str, Event] = {}
        for event in ordered:
            if event.id not in known and event.id not in fresh:
                fresh[event.id] = event
        _insert_records(list(fresh.values()))
        handled = [e for e in fresh.values() if handlers_for(e.type)]
        errors: dict[str, str] = {}
        try:
            with database.atomic():  # the usual case: nothing is rejected, one savepoint for all
                _apply_in_sets(handled)
        except ShopfloorError:
            errors = _apply_one_by_one(handled)
        import central.handlers  # noqa: F401  (registers the batch steps too)

        applied = [e for e in fresh.values() if e.id not in errors]
        for step, types in _BATCH_HANDLERS.items():
            chosen = [e for e in applied if e.type in types]
            if chosen:
                step(chosen)
        for event in ordered:
            if event.id in errors:
                outcome.reject(event.id, errors[event.id])
            else:
                outcome.accepted.append(event.id)
        outcome.applied += len(applied)
        outcome.applied_types.update(e.type for e in applied)
        top_seq = max((e.seq for e in ordered if e.id not in errors), default=0)
        Station.update(last_seen_at=utcnow(), last_seq=max(station.last_seq, top_seq)).where(
            Station.id == station.id).execute()
    return outcome


def lock_stations(codes) -> None:
    """Lock these stations' rows until the transaction ends, in code order (PostgreSQL).

    Everything an ingest worker writes for a station happens under its row's lock, taken
    before the event log is read: a second worker given the same events (a station's resend
    reaching another member of the shared subscription) waits, then finds them recorded. Taking
    all the batch's stations at once and in one order means two workers never hold one each
    while waiting for the other's. SQLite needs nothing here: a writing transaction there
    holds the whole database (the ingest begins its transactions IMMEDIATE).
    """
    codes = sorted(set(codes))
    if not codes or not isinstance(database.obj, pw.PostgresqlDatabase):
        return
    list(Station.select(Station.id).where(Station.code.in_(codes)).order_by(Station.code).for_update().tuples())


def _apply_one_by_one(events: list[Event]) -> dict[str, str]:
    """Run each event's handlers in its own savepoint; a rejected event's log row is deleted too.

    Returns the rejected ids with their reason.
    """
    errors: dict[str, str] = {}
    for event in events:
        try:
            with database.atomic():
                for handler in handlers_for(event.type):
                    handler(event)
        except ShopfloorError as exc:
            EventRecord.delete().where(EventRecord.id == event.id).execute()
            errors[event.id] = rejection(event.type, exc.field, exc.message)
    return errors


_RECORD_FIELDS = ("id", "type", "site", "station", "seq", "at", "operator", "payload", "received_at", "flagged",
                  "work_order", "batch")


def _recorded_ids(ids: list[str]) -> set[str]:
    """The ids among ``ids`` (canonical UUID text, as validated) that are already in the event log.

    Compared as 32 hex digits, the form SQLite stores and PostgreSQL accepts, so no id needs a
    ``uuid.UUID`` object on the way in or out.
    """
    table = EventRecord._meta.table_name.join(database.quote)
    column = EventRecord.id.column_name.join(database.quote)
    hex_to_id = {i.replace("-", ""): i for i in ids}
    keys = list(hex_to_id)
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        cursor = database.execute_sql(
            f"SELECT {column} FROM {table} WHERE {column} IN ({', '.join([database.param] * len(chunk))})", chunk)
        found.update(hex_to_id[str(row_id).replace("-", "")] for (row_id,) in cursor.fetchall())
    return found


def _insert_records(events: list[Event]) -> None:
    """Write the log rows of ``events`` in bulk (``central.db.insert_rows``), not a statement per row."""
    received = utcnow()
    insert_rows(EventRecord, _RECORD_FIELDS, [
        (e.id, e.type, e.site, e.station, e.seq, e.at.replace(tzinfo=None), e.operator,
         json.dumps(e.to_wire(), separators=(",", ":")), received, False, _text(e.data.get("work_order")),
         _text(e.data.get("batch"))) for e in events])


def _text(value) -> str | None:
    """A code from an event's data, kept in its own indexed column of the log (None when it has none)."""
    return value if isinstance(value, str) else None
