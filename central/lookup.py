"""Finding one row by its code, with the NotFound every API caller and event gets when it is missing."""
from __future__ import annotations

import peewee as pw

from central.errors import NotFound


def by_code(column: pw.Field, value, field: str, what: str):
    """The row whose ``column`` equals ``value``; NotFound naming ``field`` ("no <what> 'X'") otherwise."""
    row = column.model.get_or_none(column == value)
    if row is None:
        raise NotFound(field, f"no {what} {value!r}")
    return row
