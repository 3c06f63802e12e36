"""The model base class and shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone

import peewee as pw

from central.db import database


def utcnow() -> datetime:
    """Now in UTC as a naive datetime (how every timestamp is stored)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BaseModel(pw.Model):
    """Every table binds to the central database proxy."""

    class Meta:
        database = database
        legacy_table_names = False
