"""Read models of the event log: the filtered log, and one event with what it booked and raised."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import peewee as pw
from peewee import JOIN

from central.errors import NotFound, ValidationError
from central.models import Batch, EventRecord, Flag, Item, Location, StockMove, WorkOrder
from edge.contract import EVENT_TYPES


def events(*, type: str | None = None, station: str | None = None, operator: str | None = None,  # noqa: A002
           work_order: str | None = None, batch: str | None = None, since: datetime | None = None,
           until: datetime | None = None, flagged: bool = False) -> pw.ModelSelect:
    """Logged events matching the filters, for paging newest first by (time, id).

    ``since`` and ``until`` are moments (naive UTC) of the station clock: at or after, before.
    """
    query = EventRecord.select()
    if type:
        if type not in EVENT_TYPES:
            raise ValidationError("type", f"is not an event type: {type!r}")
        query = query.where(EventRecord.type == type)
    for column, value in ((EventRecord.station, station), (EventRecord.operator, operator),
                          (EventRecord.work_order, work_order), (EventRecord.batch, batch)):
        if value:
            query = query.where(column == value.strip())
    if since is not None:
        query = query.where(EventRecord.at >= since)
    if until is not None:
        query = query.where(EventRecord.at < until)
    if flagged:
        query = query.where(EventRecord.flagged == True)  # noqa: E712
    return query


def data_of(row: EventRecord) -> dict:
    """The event's ``data`` as the station sent it."""
    return json.loads(row.payload).get("data") or {}


@dataclass
class EventView:
    """One event: its envelope, its data, the ledger rows it booked and the flags it raised."""

    row: EventRecord
    envelope: dict
    data: dict
    moves: list[StockMove]
    flags: list[Flag]


def event_view(event_id: str) -> EventView:
    """The event with this id; NotFound for an id that is not a logged event."""
    try:
        key = UUID(str(event_id))
    except ValueError:
        raise NotFound("id", f"no event {event_id!r}") from None
    row = EventRecord.get_or_none(EventRecord.id == key)
    if row is None:
        raise NotFound("id", f"no event {event_id!r}")
    body = json.loads(row.payload)
    data = body.pop("data", None) or {}
    moves = list(StockMove.select(StockMove, Item, Batch, Location, WorkOrder).join(Item).switch(StockMove)
                 .join(Batch, JOIN.LEFT_OUTER).switch(StockMove).join(Location, JOIN.LEFT_OUTER).switch(StockMove)
                 .join(WorkOrder, JOIN.LEFT_OUTER).where(StockMove.event_id == key).order_by(StockMove.id).limit(1000))
    flags = list(Flag.select().where(Flag.event == key).order_by(Flag.id))
    return EventView(row, body, data, moves, flags)


def event_types() -> list[str]:
    """Every event type of the contract, by name."""
    return sorted(EVENT_TYPES)
