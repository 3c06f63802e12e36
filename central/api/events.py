"""The event log, flags and stations over JSON."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Literal
from uuid import UUID

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field

from central.api.blueprint import api
from central.api.schemas import Code, DateTime, Id, Out, PageQuery, Query, Strict, Text, TimeOut, answers, link, with_links
from central.auth import require_role
from central.errors import NotFound
from central.flags import resolve_flag
from central.models import EventRecord, Flag, Station
from central.models.eventlog import FLAG_SEVERITIES
from central.models.stations import STATION_KINDS
from central.stations import register_station, station_json, update_station
from edge.contract import json_schema as event_json_schema


class EventPath(Query):
    event_id: UUID = Field(description="the event's id (a UUID, made at the station)")


class FlagPath(Query):
    flag_id: Id


class StationPath(Query):
    code: Code


class EventQuery(PageQuery):
    station: Code | None = None
    type: Code | None = Field(None, description="event type, e.g. material.issued")
    operator: Code | None = None
    since: DateTime | None = Field(None, description="events at or after this time")
    until: DateTime | None = Field(None, description="events before this time")
    flagged: bool = Field(False, description="only events that raised a flag")
    work_order: Code | None = Field(None, description="events whose data names this work order")
    batch: Code | None = Field(None, description="events whose data names this batch")


class EventOut(BaseModel):
    """An event as the station sent it (its ``data`` per type: docs/events.md), with what central noted."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})
    id: str
    type: str
    received_at: TimeOut
    flagged: bool


class EventPage(Out):
    items: list[EventOut]
    total: int = Field(ge=0)
    limit: int
    offset: int


class FlagOut(Out):
    model_config = with_links(ResolveFlag=link("resolve", parameters={"flag_id": "$response.body#/id"},
                                               body={"resolution": "checked"}))

    id: int
    kind: str
    severity: Literal[FLAG_SEVERITIES]
    message: str
    subject: str | None
    event: str | None
    created_at: TimeOut
    resolved_at: TimeOut | None
    resolved_by: str | None
    resolution: str | None


class EventDetail(EventOut):
    flags: list[FlagOut]


class FlagQuery(PageQuery):
    open: bool = Field(False, description="only unresolved flags")
    kind: Text(64) | None = None
    subject: Text(128) | None = None
    severity: Literal[FLAG_SEVERITIES] | None = None


class FlagPage(Out):
    items: list[FlagOut]
    total: int = Field(ge=0)
    limit: int
    offset: int


class FlagResolution(Strict):
    resolution: Text(500, min_length=1, description="what was done")


class StationCreate(Strict):
    code: Code = Field(description="also its MQTT user name and part of its topics")
    site: Code
    name: Text(128) = ""
    kind: Literal[STATION_KINDS] = "production"
    work_centre: Code | None = None


class StationUpdate(Strict):
    name: Text(128) | None = None
    kind: Literal[STATION_KINDS] | None = None
    work_centre: Code | None = None
    active: bool | None = None


class StationOut(Out):
    code: Code
    site: Code
    name: str
    kind: Literal[STATION_KINDS]
    work_centre: Code | None
    active: bool
    status: Literal["online", "offline"] | None = Field(
        None, description="from the station's retained status message and last will; null before it has published one")
    last_seq: int | None
    last_seen_at: TimeOut | None
    status_at: TimeOut | None = Field(None, description="when central last read the station's status")
    queue_depth: int | None = Field(None, description="events in its outbox waiting for an ack, as its status last said")
    dead_letters: int | None = Field(None, description="events central rejected that it keeps, as its status last said")
    config_version: str | None = Field(None, description="digest of the config head it holds, as its status last said")


class Stations(Out):
    items: list[StationOut]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _event_json(row: EventRecord) -> dict:
    body = json.loads(row.payload)
    body["received_at"] = row.received_at.isoformat() + "Z"
    body["flagged"] = row.flagged
    return body


@api.get("/events", responses=answers((200, EventPage)))
def list_events(query: EventQuery):
    """Events as stations sent them, newest first; filter by station, type, operator, work order, batch, since, until."""
    rows = EventRecord.select()
    for name in ("station", "type", "operator", "work_order", "batch"):
        if getattr(query, name):
            rows = rows.where(getattr(EventRecord, name) == getattr(query, name))
    if query.since is not None:
        rows = rows.where(EventRecord.at >= _utc(query.since))
    if query.until is not None:
        rows = rows.where(EventRecord.at < _utc(query.until))
    if query.flagged:
        rows = rows.where(EventRecord.flagged == True)  # noqa: E712
    total = rows.count()
    page = rows.order_by(EventRecord.at.desc(), EventRecord.seq.desc()).limit(query.limit).offset(query.offset)
    return jsonify({"total": total, "limit": query.limit, "offset": query.offset, "items": [_event_json(r) for r in page]})


@api.get("/events/schema.json", responses={200: {
    "description": "the event contract as JSON Schema 2020-12 (docs/events.md describes the same)",
    "content": {"application/json": {"schema": {"type": "object"}}}}})
def events_schema():
    """The station event contract as JSON Schema: envelope and each type's data."""
    return jsonify(event_json_schema())


@api.get("/events/<event_id>", responses=answers((200, EventDetail), 404))
def get_event(path: EventPath):
    """One event by id, with the flags it raised."""
    row = EventRecord.get_or_none(EventRecord.id == str(path.event_id))
    if row is None:
        raise NotFound("id", f"no event {str(path.event_id)!r}")
    body = _event_json(row)
    body["flags"] = [_flag_json(f) for f in row.flags]
    return jsonify(body)


def _flag_json(flag: Flag) -> dict:
    return {
        "id": flag.id, "kind": flag.kind, "severity": flag.severity, "message": flag.message,
        "subject": flag.subject, "event": str(flag.event_id) if flag.event_id else None,
        "created_at": flag.created_at.isoformat() + "Z",
        "resolved_at": flag.resolved_at.isoformat() + "Z" if flag.resolved_at else None,
        "resolved_by": flag.resolved_by, "resolution": flag.resolution,
    }


@api.get("/flags", responses=answers((200, FlagPage)))
def list_flags(query: FlagQuery):
    """Flags for supervisors, newest first; ``open=true`` for unresolved only; filter by kind, subject, severity."""
    rows = Flag.select()
    if query.open:
        rows = rows.where(Flag.resolved_at.is_null())
    for name in ("kind", "subject", "severity"):
        if getattr(query, name):
            rows = rows.where(getattr(Flag, name) == getattr(query, name))
    total = rows.count()
    page = rows.order_by(Flag.created_at.desc(), Flag.id.desc()).limit(query.limit).offset(query.offset)
    return jsonify({"total": total, "limit": query.limit, "offset": query.offset, "items": [_flag_json(f) for f in page]})


@api.post("/flags/<int:flag_id>/resolve", responses=answers((200, FlagOut), 404))
@require_role("supervisor")
def resolve(path: FlagPath, body: FlagResolution):
    """Close a flag with what was done (supervisor)."""
    return jsonify(_flag_json(resolve_flag(path.flag_id, by=g.user.username, resolution=body.resolution)))


@api.get("/stations", responses=answers((200, Stations)))
def list_stations():
    """Every registered station."""
    return jsonify({"items": [station_json(s) for s in Station.select().order_by(Station.code)]})


@api.post("/stations", responses=answers((201, StationOut), 404, 409))
@require_role("admin")
def create_station(body: StationCreate):
    """Register a station (admin): code, site, name, kind (production or goods_in), work_centre."""
    station = register_station(body.code, body.site, name=body.name, kind=body.kind, work_centre=body.work_centre)
    return jsonify(station_json(station)), 201


@api.patch("/stations/<code>", responses=answers((200, StationOut), 404))
@require_role("admin")
def patch_station(path: StationPath, body: StationUpdate):
    """Change a station's name, kind, work centre or active flag (admin)."""
    return jsonify(station_json(update_station(path.code, **body.model_dump(exclude_unset=True))))
