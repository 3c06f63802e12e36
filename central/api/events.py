"""The event log, flags and stations over JSON."""
from __future__ import annotations

import json
from datetime import datetime

from flask import g, jsonify, request

from central.api.blueprint import api, json_body, page_args
from central.auth import require_role
from central.errors import NotFound, ValidationError
from central.flags import resolve_flag
from central.models import EventRecord, Flag, Station
from central.stations import register_station, station_json, update_station
from central.api.schemas import Code, Id, Query, Text  # noqa: F401


class EventPath(Query):
    event_id: Text(64, min_length=1)

class FlagPath(Query):
    flag_id: Id

class StationPath(Query):
    code: Code



def _time_arg(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(name, f"must be an ISO 8601 time, got {raw!r}") from None
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)


def _event_json(row: EventRecord) -> dict:
    body = json.loads(row.payload)
    body["received_at"] = row.received_at.isoformat() + "Z"
    body["flagged"] = row.flagged
    return body


@api.get("/events")
def list_events():
    """Events as stations sent them, newest first; filter by station, type, operator, since, until."""
    limit, offset = page_args()
    query = EventRecord.select()
    for name in ("station", "type", "operator"):
        if request.args.get(name):
            query = query.where(getattr(EventRecord, name) == request.args[name])
    if (since := _time_arg("since")) is not None:
        query = query.where(EventRecord.at >= since)
    if (until := _time_arg("until")) is not None:
        query = query.where(EventRecord.at < until)
    if request.args.get("flagged") in ("true", "1"):
        query = query.where(EventRecord.flagged == True)  # noqa: E712
    total = query.count()
    rows = query.order_by(EventRecord.at.desc(), EventRecord.seq.desc()).limit(limit).offset(offset)
    return jsonify({"total": total, "limit": limit, "offset": offset, "items": [_event_json(r) for r in rows]})


@api.get("/events/<event_id>")
def get_event(path: EventPath):
    """One event by id, with the flags it raised."""
    event_id = path.event_id
    row = EventRecord.get_or_none(EventRecord.id == event_id) if len(event_id) <= 64 else None
    if row is None:
        raise NotFound("id", f"no event {event_id!r}")
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


@api.get("/flags")
def list_flags():
    """Flags for supervisors, newest first; ``open=true`` for unresolved only; filter by kind, subject."""
    limit, offset = page_args()
    query = Flag.select()
    if request.args.get("open") in ("true", "1"):
        query = query.where(Flag.resolved_at.is_null())
    for name in ("kind", "subject", "severity"):
        if request.args.get(name):
            query = query.where(getattr(Flag, name) == request.args[name])
    total = query.count()
    rows = query.order_by(Flag.created_at.desc(), Flag.id.desc()).limit(limit).offset(offset)
    return jsonify({"total": total, "limit": limit, "offset": offset, "items": [_flag_json(f) for f in rows]})


@api.post("/flags/<int:flag_id>/resolve")
@require_role("supervisor")
def resolve(path: FlagPath):
    """Close a flag with what was done (supervisor)."""
    flag_id = path.flag_id
    body = json_body()
    resolution = body.get("resolution")
    if not isinstance(resolution, str):
        raise ValidationError("resolution", "is required: say what was done")
    return jsonify(_flag_json(resolve_flag(flag_id, by=g.user.username, resolution=resolution)))


@api.get("/stations")
def list_stations():
    """Every registered station."""
    return jsonify({"items": [station_json(s) for s in Station.select().order_by(Station.code)]})


@api.post("/stations")
@require_role("admin")
def create_station():
    """Register a station (admin): code, site, name, kind (production or goods_in), work_centre."""
    body = json_body()
    for name in ("code", "site"):
        if name not in body:
            raise ValidationError(name, "is required")
    extra = set(body) - {"code", "site", "name", "kind", "work_centre"}
    if extra:
        raise ValidationError(sorted(extra)[0], "is not a station field")
    station = register_station(body["code"], body["site"], name=str(body.get("name", "")),
                               kind=body.get("kind", "production"), work_centre=body.get("work_centre"))
    return jsonify(station_json(station)), 201


@api.patch("/stations/<code>")
@require_role("admin")
def patch_station(path: StationPath):
    """Change a station's name, kind, work centre or active flag (admin)."""
    code = path.code
    return jsonify(station_json(update_station(code, **json_body())))
