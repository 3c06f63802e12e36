"""Reading typed fields from a JSON body or the query string; errors name the field."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import request

from central.catalog import check_code
from central.errors import ValidationError
from central.quantities import parse_decimal


def decimal(body: dict, name: str, *, required: bool = True, positive: bool = False,
            non_negative: bool = False, signed: bool = False) -> Decimal | None:
    """A number (JSON number or decimal string)."""
    if body.get(name) is None:
        if required:
            raise ValidationError(name, "is required")
        return None
    return parse_decimal(name, body[name], positive=positive and not signed, non_negative=non_negative)


def code(body: dict, name: str, *, required: bool = True) -> str | None:
    """A code (item, batch, location, ...)."""
    if body.get(name) is None:
        if required:
            raise ValidationError(name, "is required")
        return None
    return check_code(name, body[name])


def text(body: dict, name: str, *, required: bool = False, max_length: int = 500) -> str | None:
    """Free text."""
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationError(name, "is required")
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise ValidationError(name, f"must be text of at most {max_length} characters")
    return value


def iso_date(body: dict, name: str) -> date | None:
    """A date YYYY-MM-DD, or None."""
    value = body.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else _bad_date(name, value)
    except ValueError:
        return _bad_date(name, value)


def _bad_date(name: str, value):
    raise ValidationError(name, f"must be a date YYYY-MM-DD, got {value!r}")


def flag(body: dict, name: str) -> bool:
    """true or false (absent means false)."""
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError(name, f"must be true or false, got {value!r}")
    return value


def query_flag(name: str) -> bool:
    """A true/false query parameter (absent means false)."""
    raw = request.args.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ValidationError(name, f"must be true or false, got {raw!r}")
    return raw in ("true", "1", "yes")
