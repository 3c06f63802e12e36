"""Work centres: code, name, and the labour and overhead rates per minute that costing charges a stage."""
from __future__ import annotations

from decimal import Decimal

import peewee as pw

from central.db import database
from central.errors import Conflict
from central.models import Machine, Station, WorkCentre
from central.operators import check_changes, check_code, check_text
from central.quantities import parse_decimal
from central.requirements import get_work_centre, work_centre_requirements

__all__ = ["create_work_centre", "update_work_centre", "get_work_centre", "list_work_centres", "work_centre_dict"]

RATE_FIELDS = ("labour_rate", "overhead_rate")


def _rate(field: str, value) -> Decimal | None:
    """A cost per minute of zero or more; empty means none (costing counts it as zero)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_decimal(field, value, non_negative=True)


def create_work_centre(data: dict) -> WorkCentre:
    """Add a work centre: ``code`` (required), ``name``, ``labour_rate`` and ``overhead_rate`` per minute."""
    check_changes(data, {"code", "name", *RATE_FIELDS}, "is not a field of a work centre")
    code = check_code("code", data.get("code"))
    fields = {"name": check_text("name", data.get("name")), **{f: _rate(f, data.get(f)) for f in RATE_FIELDS}}
    with database.atomic():
        if WorkCentre.select().where(WorkCentre.code == code).exists():
            raise Conflict("code", f"work centre {code!r} already exists")
        return WorkCentre.create(code=code, **fields)


def update_work_centre(code: str, changes: dict) -> WorkCentre:
    """Change a work centre's name or rates (the code never changes: stations and events name it).

    A new rate costs the stages of work orders settled from now on; settled work orders keep their costs.
    """
    check_changes(changes, {"name", *RATE_FIELDS}, "cannot be changed")
    fields = {}
    if "name" in changes:
        fields["name"] = check_text("name", changes["name"])
    for f in RATE_FIELDS:
        if f in changes:
            fields[f] = _rate(f, changes[f])
    with database.atomic():
        centre = get_work_centre(code)
        if fields:
            WorkCentre.update(**fields).where(WorkCentre.id == centre.id).execute()
        return WorkCentre.get_by_id(centre.id)


def list_work_centres(q: str | None = None) -> pw.ModelSelect:
    """Work centres (a query: callers order and page it); ``q`` matches code or name."""
    rows = WorkCentre.select()
    if q:
        rows = rows.where(WorkCentre.code.contains(q) | WorkCentre.name.contains(q))
    return rows


def _d(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def work_centre_dict(centre: WorkCentre, *, detail: bool = False) -> dict:
    """The JSON shape of a work centre; with ``detail`` also its machines, stations and required skills."""
    out = {"code": centre.code, "name": centre.name,
           "labour_rate": _d(centre.labour_rate), "overhead_rate": _d(centre.overhead_rate)}
    if detail:
        out["skills"] = [r.to_dict() for r in work_centre_requirements(centre.id)]
        out["machines"] = [m for (m,) in Machine.select(Machine.code).where(Machine.work_centre == centre.id)
                           .order_by(Machine.code).tuples()]
        out["stations"] = [s for (s,) in Station.select(Station.code).where(Station.work_centre == centre.id)
                           .order_by(Station.code).tuples()]
    return out
