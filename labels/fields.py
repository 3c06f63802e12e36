"""Field declarations of a template and the checking of values handed to `render`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from labels import gs1
from labels.errors import LabelError


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What a template expects of one field: its kind, whether it is required, how long it may be."""

    name: str
    kind: str = "text"
    required: bool = True
    max_len: int | None = None
    title: str = ""


def _text(name: str, raw: Any) -> str:
    return str(raw).strip()


def _date(name: str, raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    try:
        # A full timestamp is accepted; the label shows its calendar day.
        return dt.date.fromisoformat(text[:10]) if len(text) > 10 else dt.date.fromisoformat(text)
    except ValueError:
        raise LabelError(name, f"{text!r} is not a date that exists (expected YYYY-MM-DD)") from None


def _decimal(name: str, raw: Any) -> str:
    text = str(raw).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise LabelError(name, f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise LabelError(name, f"{text!r} is not a decimal number")
    return text


def _gtin(name: str, raw: Any) -> str:
    return gs1.gtin(str(raw), name)


def _sscc(name: str, raw: Any) -> str:
    return gs1.sscc(str(raw), name)


#: What the GTIN on a label identifies: a trade item gets (01); a logistic unit (02), with a (37) count.
ROLES = ("trade_item", "logistic_unit")


def _role(name: str, raw: Any) -> str:
    text = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
    if text not in ROLES:
        raise LabelError(name, f"{str(raw)!r} is not one of {', '.join(ROLES)}")
    return text


#: How each field kind turns what the caller passed into the value a label uses.
KINDS: dict[str, Callable[[str, Any], Any]] = {
    "text": _text,
    "date": _date,
    "decimal": _decimal,
    "gtin": _gtin,
    "sscc": _sscc,
    "role": _role,
}


def check(specs: dict[str, FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    """Checked values for every declared field (None when an optional one is absent)."""
    if not values.keys() <= specs.keys():
        unknown = sorted(set(values) - set(specs))
        raise LabelError(unknown[0], f"unknown field; this template has {', '.join(specs)}")
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                raise LabelError(name, "is required")
            out[name] = None
            continue
        value = KINDS[spec.kind](name, raw)
        if spec.max_len is not None and isinstance(value, str) and len(value) > spec.max_len:
            raise LabelError(name, f"{len(value)} characters, at most {spec.max_len} fit")
        out[name] = value
    return out


def display(values: dict[str, Any]) -> dict[str, str]:
    """Field values as text for placeholders: ISO dates, empty text for absent fields."""
    return {k: "" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in values.items()}
