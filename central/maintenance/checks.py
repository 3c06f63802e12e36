"""Input checks shared by the maintenance modules: choices, bounded text, the acting user."""
from __future__ import annotations

from datetime import datetime, timezone

import peewee as pw

from central.db import database
from central.errors import Conflict, ValidationError
from central.operators import check_text

MAX_DESCRIPTION = 5000


def check_choice(field: str, value, allowed: tuple[str, ...]) -> str:
    """One of ``allowed``; ValidationError naming the field and the choices otherwise."""
    if value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def check_description(field: str, value, *, required: bool = True, max_length: int = MAX_DESCRIPTION) -> str:
    """Free text such as a problem description: stripped, bounded, and not empty when required."""
    if isinstance(value, str) and len(value) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters, got {len(value)}")
    text = check_text(field, value, max_length)
    if required and not text:
        raise ValidationError(field, "is required: say what is wrong or what to do")
    return text


def check_datetime(field: str, value, *, required: bool = False) -> datetime | None:
    """A UTC date and time (``YYYY-MM-DDTHH:MM[:SS]``, a trailing Z allowed), stored naive."""
    if value in (None, ""):
        if required:
            raise ValidationError(field, "is required (YYYY-MM-DDTHH:MM)")
        return None
    if isinstance(value, datetime):  # an aware moment is turned to UTC, a naive one is UTC already
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a date and time YYYY-MM-DDTHH:MM, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(field, f"must be a date and time YYYY-MM-DDTHH:MM, got {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def insert_new(model, code: str, what: str, **fields):
    """Insert a row under a new code (inside the caller's transaction); Conflict naming ``code`` if it exists."""
    if model.select().where(model.code == code).exists():
        raise Conflict("code", f"{what} {code!r} exists already")
    return model.create(code=code, **fields)


def transaction():
    """One transaction for a domain function. On SQLite it takes the write lock at once (BEGIN
    IMMEDIATE): two people acting at the same moment then wait for each other instead of one
    failing with "database is locked" when its read turns into a write."""
    if isinstance(database.obj, pw.SqliteDatabase):
        return database.atomic(lock_type="IMMEDIATE")
    return database.atomic()
