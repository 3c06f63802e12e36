"""Keyset pagination for list pages: the next page starts after the last row's key, never at an offset."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import peewee as pw
from flask import request

PAGE_SIZE = 50


@dataclass
class Page:
    """One page of rows, the cursor of the next page (None on the last) and whether this is the first."""

    rows: list[Any]
    after: str | None
    first: bool
    args: dict[str, str] = field(default_factory=dict)


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps([str(v) for v in values]).encode()).decode().rstrip("=")


def _decode(cursor: str, keys: list[pw.Field]) -> list[Any] | None:
    """The key values a cursor carries, or None for a cursor that is not one of ours (start at the top)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        return [key.python_value(v) for key, v in zip(keys, raw)]
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def keyset(query: pw.ModelSelect, keys: list[pw.Field], *, descending: bool = False,
           size: int = PAGE_SIZE, values=None) -> Page:
    """A page of ``query`` ordered by ``keys`` (the last one unique, usually the id), after ``?after=``.

    ``values(row)`` gives a row's key values when the rows are not model instances with those fields.
    """
    cursor = request.args.get("after") or ""
    start = _decode(cursor, keys) if cursor else None
    if start is not None:
        # Each bound as its column stores it (a UUID's hex, a fixed decimal's integer), not as Python holds it.
        row_key, bound = pw.Tuple(*keys), pw.Tuple(*[key.db_value(v) for key, v in zip(keys, start)])
        query = query.where(row_key < bound if descending else row_key > bound)
    query = query.order_by(*[k.desc() if descending else k.asc() for k in keys]).limit(size + 1)
    rows = list(query)
    more = len(rows) > size
    rows = rows[:size]
    after = None
    if more and rows:
        last = rows[-1]
        after = _encode(values(last) if values else [last.__data__.get(k.name) for k in keys])
    args = {k: v for k, v in request.args.items() if k != "after"}
    return Page(rows=rows, after=after, first=start is None, args=args)
