"""Items and locations: creating, changing and looking them up by code (errors name the field)."""
from __future__ import annotations

import re

from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.lookup import by_code
from central.models import Batch, Item, Location
from central.models.stock import COSTING_METHODS, LOCATION_ROLES
from central.quantities import parse_decimal

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")


def check_code(field: str, value) -> str:
    """A code: 1-64 letters, digits or ``. _ : -`` (the same rule as the event contract)."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValidationError(field, f"must be 1-64 letters, digits or . _ : - (starting with a letter or digit), got {value!r}")
    return value


def get_item(code: str, field: str = "item") -> Item:
    """The item with this code, or NotFound naming ``field``."""
    return by_code(Item.code, code, field, "item")


def get_location(code: str, field: str = "location") -> Location:
    """The location with this code, or NotFound naming ``field``."""
    return by_code(Location.code, code, field, "location")


def get_locations(codes: set[str], field: str = "location") -> dict[str, Location]:
    """The locations with these codes, read in one query; NotFound naming ``field`` for one that is not."""
    found = {loc.code: loc for loc in Location.select().where(Location.code.in_(list(codes)))} if codes else {}
    for code in sorted(codes - set(found)):
        get_location(code, field)
    return found


def get_batch(code: str, field: str = "batch") -> Batch:
    """The batch with this code, or NotFound naming ``field``."""
    batch = Batch.select(Batch, Item).join(Item).where(Batch.code == code).first()
    if batch is None:
        raise NotFound(field, f"no batch {code!r}")
    return batch


def default_location(role: str) -> Location:
    """The first active location with this role, else the first location; NotFound if there is none."""
    location = (Location.select().where(Location.active == True)  # noqa: E712
                .order_by((Location.role != role), Location.id).first())
    if location is None:
        raise NotFound("location", "no location is defined yet; create one first")
    return location


def _check_gtin(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise ValidationError("gtin", f"must be 8, 12, 13 or 14 digits, got {value!r}")
    digits = [int(c) for c in value.zfill(14)]
    check = (10 - sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:-1])) % 10) % 10
    if check != digits[-1]:
        raise ValidationError("gtin", f"check digit of {value} is wrong (expected {check})")
    return value.zfill(14)


def _item_fields(data: dict, *, partial: bool) -> dict:
    out = {}
    if "name" in data:
        out["name"] = str(data["name"])[:128]
    if "unit" in data or not partial:
        out["unit"] = check_code("unit", data.get("unit"))
    if "batch_tracked" in data:
        if not isinstance(data["batch_tracked"], bool):
            raise ValidationError("batch_tracked", "must be true or false")
        out["batch_tracked"] = data["batch_tracked"]
    if "costing" in data:
        if data["costing"] not in COSTING_METHODS:
            raise ValidationError("costing", f"must be one of {', '.join(COSTING_METHODS)}, got {data['costing']!r}")
        out["costing"] = data["costing"]
    if "gtin" in data:
        out["gtin"] = _check_gtin(data["gtin"])
    if "shelf_life_days" in data:
        days = data["shelf_life_days"]
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise ValidationError("shelf_life_days", f"must be a whole number of days >= 1, or null; got {days!r}")
        out["shelf_life_days"] = days
    if "standard_cost" in data:
        out["last_cost"] = parse_decimal("standard_cost", data["standard_cost"], non_negative=True)
    if "active" in data:
        out["active"] = bool(data["active"])
    return out


def create_item(data: dict) -> Item:
    """Create an item from a dict of fields (code, unit required)."""
    code = check_code("code", data.get("code"))
    fields = _item_fields(data, partial=False)
    with database.atomic():
        if Item.select().where(Item.code == code).exists():
            raise Conflict("code", f"item {code!r} already exists")
        return Item.create(code=code, **fields)


def update_item(code: str, data: dict) -> Item:
    """Change an item's fields; the unit and costing method are fixed once the item has stock moves."""
    from central.models import StockMove

    with database.atomic():
        item = get_item(code, "code")
        fields = _item_fields(data, partial=True)
        moved = StockMove.select().where(StockMove.item == item.id).exists()
        for name in ("unit", "costing", "batch_tracked"):
            if name in fields and fields[name] != getattr(item, name) and moved:
                raise Conflict(name, f"cannot change once item {code} has stock moves")
        if fields:
            Item.update(**fields).where(Item.id == item.id).execute()
        return Item.get_by_id(item.id)


def create_location(data: dict) -> Location:
    """Create a location (code, name, role, active)."""
    code = check_code("code", data.get("code"))
    role = data.get("role", "storage")
    if role not in LOCATION_ROLES:
        raise ValidationError("role", f"must be one of {', '.join(LOCATION_ROLES)}, got {role!r}")
    with database.atomic():
        if Location.select().where(Location.code == code).exists():
            raise Conflict("code", f"location {code!r} already exists")
        return Location.create(code=code, name=str(data.get("name", ""))[:128], role=role,
                               active=data.get("active", True) is not False)


def update_location(code: str, data: dict) -> Location:
    """Change a location's name, role or active flag (the code never changes: events and labels name it)."""
    unknown = set(data) - {"name", "role", "active"}
    if unknown:
        raise ValidationError(sorted(unknown)[0], "cannot be changed")
    fields = {}
    if "name" in data:
        fields["name"] = str(data["name"] or "")[:128]
    if "role" in data:
        if data["role"] not in LOCATION_ROLES:
            raise ValidationError("role", f"must be one of {', '.join(LOCATION_ROLES)}, got {data['role']!r}")
        fields["role"] = data["role"]
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise ValidationError("active", "must be true or false")
        fields["active"] = data["active"]
    with database.atomic():
        location = get_location(code, "code")
        if fields:
            Location.update(**fields).where(Location.id == location.id).execute()
        return Location.get_by_id(location.id)
