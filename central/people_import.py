"""CSV import of operators and certifications: every bad row reported by its line number.

``mode="valid"`` imports the good rows and reports the bad ones; ``mode="all"`` imports
nothing unless every row is good. Either way one transaction, so nothing is half-written.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Callable

import peewee as pw

from central.db import database
from central.errors import ShopfloorError, ValidationError
from central.models import Certification, Operator, Skill
from central.operators import check_bool, check_code, check_date, check_level, check_text

MODES = ("valid", "all")
MAX_ROWS = 20_000
CHUNK = 500  # rows per statement: stays under SQLite's bound-parameter limit
OPERATOR_COLUMNS = {"badge": True, "name": False, "active": False}
CERTIFICATION_COLUMNS = {"badge": True, "skill": True, "level": False, "issued": True, "expires": False,
                         "issued_by": False}


@dataclass
class ImportResult:
    """How an import went: rows written, and each bad row as ``{"line", "field", "message"}``."""

    mode: str
    imported: int = 0
    errors: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        """The API shape."""
        return {"mode": self.mode, "imported": self.imported, "errors": self.errors}


def check_mode(mode) -> str:
    """``valid`` (import the good rows) or ``all`` (all or nothing)."""
    if mode not in MODES:
        raise ValidationError("mode", f"must be 'valid' (import the valid rows) or 'all' (all or nothing), got {mode!r}")
    return mode


def read_rows(data: bytes | str, columns: dict[str, bool]) -> list[tuple[int, dict]]:
    """(first line number, row) for every non-blank data row; a bad file or header is a ValidationError."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("file", "must be UTF-8 text (save the CSV as UTF-8)") from None
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError("file", "is empty: the first line must name the columns") from None
    except csv.Error as exc:
        raise ValidationError("file", f"line 1: {exc}") from None
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise ValidationError("file", f"line 1: unknown column {unknown[0]!r} (columns: {', '.join(columns)})")
    missing = [c for c, required in columns.items() if required and c not in header]
    if missing:
        raise ValidationError("file", f"line 1: column {missing[0]!r} is required")
    rows, last = [], reader.line_num
    try:
        for values in reader:
            start, last = last + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                rows.append((start, {"__error__": f"has {len(values)} fields, the header has {len(header)}"}))
            else:
                rows.append((start, dict(zip(header, (v.strip() for v in values)))))
            if len(rows) > MAX_ROWS:
                raise ValidationError("file", f"has more than {MAX_ROWS} rows; split it")
    except csv.Error as exc:
        raise ValidationError("file", f"line {reader.line_num}: {exc}") from None
    return rows


def _existing(key: pw.Field, value: pw.Field, codes: list[str]) -> dict:
    """``{code: id}`` for the codes that exist, looked up a chunk at a time."""
    found: dict = {}
    for chunk in pw.chunked(sorted(set(codes)), CHUNK):
        found.update(key.model.select(key, value).where(key.in_(chunk)).tuples())
    return found


def _insert(model, rows: list[dict]) -> None:
    for chunk in pw.chunked(rows, CHUNK):
        model.insert_many(chunk).execute()


def _run(rows: list[tuple[int, dict]], mode: str, check: Callable[[dict], dict], insert: Callable[[list[dict]], None]) -> ImportResult:
    result = ImportResult(check_mode(mode))
    good = []
    for line, row in rows:
        if "__error__" in row:
            result.errors.append({"line": line, "field": None, "message": row["__error__"]})
            continue
        try:
            good.append(check(row))
        except ShopfloorError as exc:
            result.errors.append({"line": line, "field": exc.field or None, "message": exc.message})
    if result.errors and mode == "all":
        return result
    if good:
        insert(good)
    result.imported = len(good)
    return result


def import_operators(data: bytes | str, mode: str = "valid") -> ImportResult:
    """Create operators from CSV columns ``badge,name,active``; a badge in use or repeated is a bad row."""
    check_mode(mode)
    rows = read_rows(data, OPERATOR_COLUMNS)
    with database.atomic():
        taken = set(_existing(Operator.badge, Operator.id, [r.get("badge", "") for _, r in rows]))

        def check(row: dict) -> dict:
            badge = check_code("badge", row.get("badge"))
            if badge in taken:
                raise ValidationError("badge", f"badge {badge!r} is already in use")
            out = {"badge": badge, "name": check_text("name", row.get("name")),
                   "active": check_bool("active", row["active"]) if row.get("active") else True}
            taken.add(badge)
            return out

        return _run(rows, mode, check, lambda good: _insert(Operator, good))


def import_certifications(data: bytes | str, mode: str = "valid") -> ImportResult:
    """Create certifications from CSV columns ``badge,skill,level,issued,expires,issued_by``."""
    check_mode(mode)
    rows = read_rows(data, CERTIFICATION_COLUMNS)
    with database.atomic():
        operators = _existing(Operator.badge, Operator.id, [r.get("badge", "") for _, r in rows])
        skills = _existing(Skill.code, Skill.id, [r.get("skill", "") for _, r in rows])

        def check(row: dict) -> dict:
            badge, skill = check_code("badge", row.get("badge")), check_code("skill", row.get("skill"))
            if badge not in operators:
                raise ValidationError("badge", f"no operator with badge {badge!r}")
            if skill not in skills:
                raise ValidationError("skill", f"no skill {skill!r}")
            issued = check_date("issued", row.get("issued"))
            expires = check_date("expires", row.get("expires"), required=False)
            if expires is not None and expires < issued:
                raise ValidationError("expires", f"{expires.isoformat()} is before the issue date {issued.isoformat()}")
            return {"operator": operators[badge], "skill": skills[skill], "issued": issued, "expires": expires,
                    "level": check_level("level", row.get("level") or 1),
                    "issued_by": check_text("issued_by", row.get("issued_by"))}

        return _run(rows, mode, check, lambda good: _insert(Certification, good))
