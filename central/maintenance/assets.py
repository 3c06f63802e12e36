"""Assets in a small hierarchy (area → line → asset), with location and criticality."""
from __future__ import annotations

import peewee as pw

from central.errors import Conflict, ValidationError
from central.lookup import by_code
from central.maintenance.checks import check_choice, insert_new, transaction
from central.models import Area, Asset, Line, Machine
from central.models.maintenance import CRITICALITIES
from central.operators import check_bool, check_changes, check_code, check_text


def get_area(code: str, field: str = "area") -> Area:
    """The area with this code; NotFound naming ``field``."""
    return by_code(Area.code, code, field, "area")


def get_line(code: str, field: str = "line") -> Line:
    """The line with this code; NotFound naming ``field``."""
    return by_code(Line.code, code, field, "line")


def get_asset(code: str, field: str = "asset") -> Asset:
    """The asset with this code; NotFound naming ``field``."""
    return by_code(Asset.code, code, field, "asset")


def create_area(code, name="") -> Area:
    """Add an area of the plant."""
    code, name = check_code("code", code), check_text("name", name)
    with transaction():
        return insert_new(Area, code, "area", name=name)


def create_line(code, area, name="") -> Line:
    """Add a line in an area."""
    code, name = check_code("code", code), check_text("name", name)
    with transaction():
        the_area = get_area(check_code("area", area))
        return insert_new(Line, code, "line", area=the_area, name=name)


def list_areas() -> list[Area]:
    """Every area, by code."""
    return list(Area.select().order_by(Area.code))


def list_lines() -> list[Line]:
    """Every line with its area, by code."""
    return list(Line.select(Line, Area).join(Area).order_by(Line.code))


def _placement(values: dict) -> dict:
    """Resolve area/line/machine codes; a line fixes the area, and a different area is refused."""
    out: dict = {}
    if "line" in values:
        out["line"] = get_line(check_code("line", values["line"])) if values["line"] else None
    if "area" in values:
        out["area"] = get_area(check_code("area", values["area"])) if values["area"] else None
    line = out.get("line")
    if line is not None:
        if out.get("area") is not None and out["area"].id != line.area_id:
            raise ValidationError("area", f"line {line.code} is in area {line.area.code}, not {out['area'].code}")
        out["area"] = line.area
    if "machine" in values:
        out["machine"] = by_code(Machine.code, check_code("machine", values["machine"]), "machine", "machine") \
            if values["machine"] else None
    if "location" in values:
        out["location"] = check_text("location", values["location"])
    if "criticality" in values:
        out["criticality"] = check_choice("criticality", values["criticality"], CRITICALITIES)
    if "name" in values:
        out["name"] = check_text("name", values["name"])
    if "active" in values:
        out["active"] = check_bool("active", values["active"])
    return out


ASSET_FIELDS = {"name", "machine", "area", "line", "location", "criticality", "active"}


def create_asset(code, **values) -> Asset:
    """Add an asset; ``machine`` links it to a machine of the same plant (one asset per machine)."""
    check_changes(values, ASSET_FIELDS, "is not a field of an asset")
    code = check_code("code", code)
    with transaction():
        fields = _placement(values)
        _machine_free(fields.get("machine"), None)
        insert_new(Asset, code, "asset", **fields)
        return get_asset(code)


def update_asset(code: str, changes: dict) -> Asset:
    """Change an asset's name, placement, location, criticality, machine or active flag."""
    check_changes(changes, ASSET_FIELDS, "is not a field of an asset (the code cannot change)")
    with transaction():
        asset = get_asset(code)
        fields = _placement(changes)
        if "line" in fields and "area" not in changes and fields["line"] is None:
            fields.pop("area", None)
        _machine_free(fields.get("machine"), asset.id)
        if fields:
            Asset.update(**fields).where(Asset.id == asset.id).execute()
        return get_asset(code)


def _machine_free(machine: Machine | None, asset_id: int | None) -> None:
    if machine is None:
        return
    other = Asset.get_or_none(Asset.machine == machine.id)
    if other is not None and other.id != asset_id:
        raise Conflict("machine", f"machine {machine.code} is asset {other.code} already")


def list_assets(*, area: str | None = None, search: str = "", active: bool | None = True) -> list[Asset]:
    """Assets with their area and line, by code; filtered by area code and text."""
    query = (Asset.select(Asset, Area, Line).join(Area, on=(Asset.area == Area.id), join_type=pw.JOIN.LEFT_OUTER)
             .switch(Asset).join(Line, on=(Asset.line == Line.id), join_type=pw.JOIN.LEFT_OUTER).order_by(Asset.code))
    if area:
        query = query.where(Area.code == area)
    if search:
        query = query.where(Asset.code.contains(search) | Asset.name.contains(search) | Asset.location.contains(search))
    if active is not None:
        query = query.where(Asset.active == active)
    return list(query)


def asset_dict(asset: Asset) -> dict:
    """The JSON shape of an asset."""
    return {"code": asset.code, "name": asset.name, "machine": asset.machine.code if asset.machine_id else None,
            "area": asset.area.code if asset.area_id else None, "line": asset.line.code if asset.line_id else None,
            "location": asset.location, "criticality": asset.criticality, "active": asset.active}
