"""Typed custom fields: definitions a planner writes and the values people fill in.

A reusable component (maintenance templates use it; production may too): a definition is a
plain dict, checked here, and a value is checked against its definition and stored as text.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from central.errors import ValidationError
from central.operators import check_bool, check_date, check_text
from central.quantities import parse_decimal

FIELD_KINDS = ("text", "number", "choice", "checkbox", "date")
MAX_FIELDS = 50
MAX_TEXT = 2000
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def check_limits(where: str, spec: dict) -> tuple[Decimal | None, Decimal | None]:
    """The optional ``min``/``max`` of a number or reading, checked: numbers, and min ≤ max."""
    low = None if spec.get("min") in (None, "") else parse_decimal(f"{where}.min", spec["min"])
    high = None if spec.get("max") in (None, "") else parse_decimal(f"{where}.max", spec["max"])
    if low is not None and high is not None and low > high:
        raise ValidationError(f"{where}.min", f"{low} is above max {high}")
    return low, high


def check_definitions(defs, field: str = "fields") -> list[dict]:
    """A list of field definitions, normalised; ValidationError naming the definition and key."""
    if not isinstance(defs, list):
        raise ValidationError(field, "must be a list of field definitions")
    if len(defs) > MAX_FIELDS:
        raise ValidationError(field, f"at most {MAX_FIELDS} fields")
    out, names = [], set()
    for i, d in enumerate(defs):
        where = f"{field}[{i}]"
        if not isinstance(d, dict):
            raise ValidationError(where, "must be an object {name, label, kind, ...}")
        name = check_text(f"{where}.name", d.get("name"), 64).lower()
        if not name or not set(name) <= _NAME_CHARS:
            raise ValidationError(f"{where}.name", "must be 1-64 lower-case letters, digits or _")
        if name in names:
            raise ValidationError(f"{where}.name", f"{name!r} is used twice")
        names.add(name)
        kind = d.get("kind", "text")
        if kind not in FIELD_KINDS:
            raise ValidationError(f"{where}.kind", f"must be one of {', '.join(FIELD_KINDS)}, got {kind!r}")
        spec = {"name": name, "label": check_text(f"{where}.label", d.get("label") or name, 128), "kind": kind,
                "required": check_bool(f"{where}.required", d.get("required", False))}
        if kind == "number":
            low, high = check_limits(where, d)
            spec.update(unit=check_text(f"{where}.unit", d.get("unit"), 16),
                        min=None if low is None else str(low), max=None if high is None else str(high))
        if kind == "choice":
            choices = d.get("choices")
            if isinstance(choices, str):
                choices = [c.strip() for c in choices.split(",")]
            if not isinstance(choices, list) or not [c for c in choices if c]:
                raise ValidationError(f"{where}.choices", "a choice field needs at least one choice")
            spec["choices"] = [check_text(f"{where}.choices", c, 64) for c in choices if c]
        out.append(spec)
    return out


def check_value(spec: dict, raw, field: str) -> str:
    """The value for one field as stored text ('' for an empty optional one); ValidationError otherwise."""
    kind = spec["kind"]
    if raw in (None, "") and kind != "checkbox":
        if spec.get("required"):
            raise ValidationError(field, f"{spec['label']} is required")
        return ""
    if kind == "text":
        return check_text(field, raw, MAX_TEXT)
    if kind == "number":
        number = parse_decimal(field, raw)
        low = None if spec.get("min") is None else Decimal(spec["min"])
        high = None if spec.get("max") is None else Decimal(spec["max"])
        if low is not None and number < low or high is not None and number > high:
            raise ValidationError(field, f"{number} is outside {spec.get('min') or '…'} to {spec.get('max') or '…'}"
                                         f" {spec.get('unit') or ''}".rstrip())
        return str(number)
    if kind == "choice":
        if raw not in spec["choices"]:
            raise ValidationError(field, f"must be one of {', '.join(spec['choices'])}, got {raw!r}")
        return raw
    if kind == "checkbox":
        return "true" if raw not in (None, "") and check_bool(field, raw) else "false"
    day: date = check_date(field, raw)
    return day.isoformat()
