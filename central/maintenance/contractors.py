"""The contractor directory: company, trade, contact and rates."""
from __future__ import annotations

from central.errors import ValidationError
from central.lookup import by_code
from central.maintenance.checks import insert_new, transaction
from central.models import Contractor
from central.operators import check_bool, check_changes, check_code, check_text
from central.quantities import parse_decimal

FIELDS = {"company", "trade", "contact", "phone", "email", "hourly_rate", "callout_fee", "active"}


def get_contractor(code: str, field: str = "contractor") -> Contractor:
    """The contractor with this code; NotFound naming ``field``."""
    return by_code(Contractor.code, code, field, "contractor")


def _fields(values: dict) -> dict:
    out: dict = {}
    for key, limit in (("company", 128), ("trade", 64), ("contact", 128), ("phone", 64), ("email", 128)):
        if key in values:
            out[key] = check_text(key, values[key], limit)
    if "company" in out and not out["company"]:
        raise ValidationError("company", "is required")
    if out.get("email") and "@" not in out["email"]:
        raise ValidationError("email", f"is not an e-mail address: {out['email']!r}")
    for key in ("hourly_rate", "callout_fee"):
        if key in values:
            out[key] = None if values[key] in (None, "") else parse_decimal(key, values[key], non_negative=True)
    if "active" in values:
        out["active"] = check_bool("active", values["active"])
    return out


def create_contractor(code, **values) -> Contractor:
    """Add a contractor to the directory."""
    check_changes(values, FIELDS, "is not a field of a contractor")
    code = check_code("code", code)
    if not values.get("company"):
        raise ValidationError("company", "is required")
    with transaction():
        insert_new(Contractor, code, "contractor", **_fields(values))
        return get_contractor(code)


def update_contractor(code: str, changes: dict) -> Contractor:
    """Change a contractor's details."""
    check_changes(changes, FIELDS, "is not a field of a contractor (the code cannot change)")
    with transaction():
        contractor = get_contractor(code)
        fields = _fields(changes)
        if fields:
            Contractor.update(**fields).where(Contractor.id == contractor.id).execute()
        return get_contractor(code)


def list_contractors(*, trade: str | None = None, active: bool | None = None) -> list[Contractor]:
    """The directory by company."""
    query = Contractor.select().order_by(Contractor.company, Contractor.code)
    if trade:
        query = query.where(Contractor.trade == trade)
    if active is not None:
        query = query.where(Contractor.active == active)
    return list(query)


def contractor_dict(c: Contractor) -> dict:
    """The JSON shape of a contractor."""
    return {"code": c.code, "company": c.company, "trade": c.trade, "contact": c.contact, "phone": c.phone,
            "email": c.email, "hourly_rate": str(c.hourly_rate) if c.hourly_rate is not None else None,
            "callout_fee": str(c.callout_fee) if c.callout_fee is not None else None, "active": c.active}
