"""Registering stations: each has a code (its MQTT identity), a site, a kind and a work centre."""
from __future__ import annotations

from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.models import Station, WorkCentre
from central.models.stations import STATION_KINDS
from central.operators import check_changes
from central.requirements import get_work_centre
from edge.contract import code as check_code


def _code(field: str, value) -> str:
    try:
        return check_code(value)
    except ValueError as exc:
        raise ValidationError(field, str(exc)) from None


def _work_centre(value) -> WorkCentre | None:
    return get_work_centre(value) if value not in (None, "") else None


def register_station(code: str, site: str, *, name: str = "", kind: str = "production",
                     work_centre: str | None = None) -> Station:
    """Create a station; its code becomes its MQTT user name and the station part of its topics."""
    code, site = _code("code", code), _code("site", site)
    if kind not in STATION_KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(STATION_KINDS)}, got {kind!r}")
    with database.atomic():
        if Station.select().where(Station.code == code).exists():
            raise Conflict("code", f"station {code!r} already exists")
        return Station.create(code=code, site=site, name=name, kind=kind, work_centre=_work_centre(work_centre))


def update_station(code: str, **changes) -> Station:
    """Change a station's name, kind, work centre or active flag."""
    check_changes(changes, {"name", "kind", "work_centre", "active"}, "cannot be changed")
    with database.atomic():
        station = Station.get_or_none(Station.code == code)
        if station is None:
            raise NotFound("code", f"no station {code!r}")
        if "kind" in changes and changes["kind"] not in STATION_KINDS:
            raise ValidationError("kind", f"must be one of {', '.join(STATION_KINDS)}")
        if "active" in changes and not isinstance(changes["active"], bool):
            raise ValidationError("active", "must be true or false")
        if "work_centre" in changes:
            changes["work_centre"] = _work_centre(changes["work_centre"])
        for name, value in changes.items():
            setattr(station, name, value)
        station.save()
        return station


def station_json(station: Station) -> dict:
    """A station as the API shows it."""
    return {
        "code": station.code, "site": station.site, "name": station.name, "kind": station.kind,
        "work_centre": station.work_centre.code if station.work_centre_id else None,
        "active": station.active, "status": station.status, "last_seq": station.last_seq,
        "last_seen_at": station.last_seen_at.isoformat() + "Z" if station.last_seen_at else None,
        "status_at": station.status_at.isoformat() + "Z" if station.status_at else None,
        "queue_depth": station.queue_depth, "dead_letters": station.dead_letters,
        "config_version": station.config_version,
    }
