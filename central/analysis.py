"""Pareto of reason codes: how often, how much and how long, per code, filtered, in one GROUP BY."""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Mapping

import peewee as pw

from central.errors import ValidationError
from central.models import ReasonCode, ReasonEvent, WorkCentre
from central.models.reference import REASON_CATEGORIES
from central.operators import check_code

MEASURES = ("count", "qty", "minutes")
PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class ParetoFilter:
    """Which reason occurrences to count: a period of event times and optional dimensions."""

    since: date | None = None  # first day included
    until: date | None = None  # last day included
    work_centre: str | None = None
    item: str | None = None
    operator: str | None = None
    category: str | None = None
    measure: str = "count"

    def __post_init__(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError("until", f"{self.until.isoformat()} is before since {self.since.isoformat()}")

    def query_args(self) -> dict:
        """The filter as URL query arguments (for links to the CSV and the JSON)."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v}


def _day(field: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(field, f"must be a date YYYY-MM-DD, got {value!r}") from None


def pareto_filter(args: Mapping[str, str]) -> ParetoFilter:
    """Read and check filter arguments (``since``, ``until``, ``work_centre``, ``item``, ``operator``, ``category``, ``measure``)."""
    since, until = _day("since", args.get("since")), _day("until", args.get("until"))
    codes = {name: check_code(name, args[name]) if args.get(name) else None for name in ("work_centre", "item", "operator")}
    category = args.get("category") or None
    if category is not None and category not in REASON_CATEGORIES:
        raise ValidationError("category", f"must be one of {', '.join(REASON_CATEGORIES)}, got {category!r}")
    measure = args.get("measure") or "count"
    if measure not in MEASURES:
        raise ValidationError("measure", f"must be one of {', '.join(MEASURES)}, got {measure!r}")
    return ParetoFilter(since, until, category=category, measure=measure, **codes)


def reason_pareto(flt: ParetoFilter) -> dict:
    """Per reason code: count, quantity and minutes, largest ``measure`` first, with share and running share in %."""
    n = pw.fn.COUNT(ReasonEvent.id)
    qty, minutes = pw.fn.SUM(ReasonEvent.qty), pw.fn.SUM(ReasonEvent.minutes)
    query = (ReasonEvent.select(ReasonCode.code, ReasonCode.description, ReasonEvent.category,
                                n.alias("n"), qty.alias("qty"), minutes.alias("minutes"))
             .join(ReasonCode).group_by(ReasonCode.code, ReasonCode.description, ReasonEvent.category))
    if flt.since:
        query = query.where(ReasonEvent.at >= datetime.combine(flt.since, time()))
    if flt.until and flt.until < date.max:  # the last day of the calendar has no day after it
        query = query.where(ReasonEvent.at < datetime.combine(flt.until + timedelta(days=1), time()))
    if flt.work_centre:
        query = query.switch(ReasonEvent).join(WorkCentre).where(WorkCentre.code == flt.work_centre)
    for name in ("item", "operator", "category"):
        if getattr(flt, name):
            query = query.where(getattr(ReasonEvent, name) == getattr(flt, name))
    rows = []
    for code, description, category, count, qty_units, minute_units in query.tuples():
        row = {"code": code, "category": category, "description": description, "count": count,
               "qty": ReasonEvent.qty.from_units(qty_units) or Decimal(0),
               "minutes": ReasonEvent.minutes.from_units(minute_units) or Decimal(0)}
        if row[flt.measure]:
            rows.append(row)
    rows.sort(key=lambda r: (-r[flt.measure], r["code"]))
    total = sum((Decimal(r[flt.measure]) for r in rows), Decimal(0))
    running = Decimal(0)
    for row in rows:
        running += row[flt.measure]
        row["share"] = (Decimal(100) * row[flt.measure] / total).quantize(PERCENT)
        row["cumulative"] = (Decimal(100) * running / total).quantize(PERCENT)
    return {"measure": flt.measure, "filter": flt.query_args(), "total": total, "rows": rows}


def pareto_json(result: dict) -> dict:
    """The API shape: decimals as strings, as everywhere on the wire."""
    def plain(value):
        return format(value.normalize(), "f") if isinstance(value, Decimal) else value
    return {**result, "total": plain(result["total"]),
            "rows": [{k: plain(v) for k, v in row.items()} for row in result["rows"]]}


CSV_COLUMNS = ("code", "category", "description", "count", "qty", "minutes", "share", "cumulative")


def pareto_csv(result: dict) -> str:
    """The Pareto as CSV with a header row, in the same order as the chart."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in pareto_json(result)["rows"]:
        writer.writerow([row[c] for c in CSV_COLUMNS])
    return out.getvalue()
