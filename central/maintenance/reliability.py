"""How reliable each machine is over a period: failures, MTBF, MTTR and availability from the
down reports, and a Pareto of corrective work by machine and failure code.

A failure is a breakdown work order opened in the period. Downtime is the time the machine was
reported down (reports of one stop from several stations overlap and count once), clipped to the
period; a stop still open counts until the end of the period (or now). MTTR = downtime / failures,
MTBF = (period - downtime) / failures, availability = (period - downtime) / period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import peewee as pw

from central.analysis import PERCENT
from central.errors import ValidationError
from central.models import Asset, Downtime, MaintenanceWorkOrder, ReasonCode, utcnow

HOURS = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """From the start of ``since`` to the end of ``until`` (UTC days)."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time())


def period(args, now: datetime | None = None) -> Period:
    """The period from ``since`` and ``until`` (YYYY-MM-DD), by default the last 30 days; refused naming the field."""
    today = (now or utcnow()).date()
    values = {}
    for name, default in (("since", today - timedelta(days=29)), ("until", today)):
        raw = (args.get(name) or "").strip() if args else ""
        try:
            values[name] = date.fromisoformat(raw) if raw else default
        except ValueError:
            raise ValidationError(name, f"must be a date YYYY-MM-DD, got {raw[:40]!r}") from None
    if values["until"] < values["since"]:
        raise ValidationError("until", f"{values['until']} is before since {values['since']}")
    if (values["until"] - values["since"]).days > 3660:
        raise ValidationError("since", "a period is at most ten years")
    return Period(values["since"], values["until"])


def _merged_minutes(intervals: list[tuple[datetime, datetime]]) -> Decimal:
    total, current = 0.0, None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current:
                total += (current[1] - current[0]).total_seconds()
            current = [start, end]
        else:
            current[1] = max(current[1], end)
    if current:
        total += (current[1] - current[0]).total_seconds()
    return Decimal(str(total / 60))


def reliability(p: Period, *, assets: list[Asset] | None = None, now: datetime | None = None) -> list[dict]:
    """Per asset with a machine (or those given): failures, downtime, MTTR, MTBF (hours) and availability (%)."""
    now = now or utcnow()
    end = min(p.end, max(now, p.start))
    if assets is None:
        assets = list(Asset.select().where(Asset.active == True, Asset.machine.is_null(False)).order_by(Asset.code))  # noqa: E712
    ids = [a.id for a in assets]
    if not ids:
        return []
    wo = MaintenanceWorkOrder
    failures = dict(wo.select(wo.asset, pw.fn.COUNT(wo.id)).where(
        wo.asset.in_(ids), wo.source == "breakdown", wo.created_at >= p.start, wo.created_at < p.end)
        .group_by(wo.asset).tuples())
    intervals: dict[int, list] = {}
    for asset_id, down_at, up_at in (Downtime.select(Downtime.asset, Downtime.down_at, Downtime.up_at)
                                     .where(Downtime.asset.in_(ids), Downtime.down_at < p.end,
                                            (Downtime.up_at.is_null()) | (Downtime.up_at > p.start)).tuples()):
        start, stop = max(down_at, p.start), min(up_at or end, end)
        if stop > start:
            intervals.setdefault(asset_id, []).append((start, stop))
    span = Decimal(str(max((end - p.start).total_seconds(), 0) / 60))
    rows = []
    for a in assets:
        n = failures.get(a.id, 0)
        down = _merged_minutes(intervals.get(a.id, []))
        up = max(span - down, Decimal(0))
        rows.append({"asset": a.code, "name": a.name, "failures": n,
                     "downtime_hours": (down / 60).quantize(HOURS),
                     "mttr_hours": (down / 60 / n).quantize(HOURS) if n else None,
                     "mtbf_hours": (up / 60 / n).quantize(HOURS) if n else None,
                     "availability": (Decimal(100) * up / span).quantize(PERCENT) if span else None})
    return rows


def reliability_json(rows: list[dict]) -> list[dict]:
    """Decimals as strings, as everywhere on the wire."""
    return [{k: (f"{v.normalize():f}" if isinstance(v, Decimal) else v) for k, v in r.items()} for r in rows]


def failure_pareto(p: Period, measure: str = "count") -> dict:
    """Corrective work finished in the period by machine and failure code, in the Pareto shape of
    ``central.analysis`` (``code`` is ``asset / failure``; ``minutes`` the downtime linked to it)."""
    wo = MaintenanceWorkOrder
    minutes = (Downtime.select(pw.fn.SUM(Downtime.minutes)).where(Downtime.work_order == wo.id))
    query = (wo.select(Asset.code, wo.failure_code, ReasonCode.description, pw.fn.COUNT(wo.id),
                       pw.fn.SUM(minutes))
             .join(Asset).switch(wo).join(ReasonCode, pw.JOIN.LEFT_OUTER, on=(ReasonCode.code == wo.failure_code))
             .where(wo.wo_type == "corrective", wo.status == "done", wo.done_at >= p.start, wo.done_at < p.end)
             .group_by(Asset.code, wo.failure_code, ReasonCode.description))
    rows = []
    for asset, failure, description, count, units in query.tuples():
        row = {"code": f"{asset} / {failure or 'no code'}", "category": "failure",
               "description": description or ("" if failure else "finished without a failure code"),
               "count": count, "qty": Decimal(0), "minutes": Downtime.minutes.from_units(units) or Decimal(0)}
        if row[measure]:
            rows.append(row)
    rows.sort(key=lambda r: (-r[measure], r["code"]))
    total = sum((Decimal(r[measure]) for r in rows), Decimal(0))
    running = Decimal(0)
    for row in rows:
        running += row[measure]
        row["share"] = (Decimal(100) * row[measure] / total).quantize(PERCENT)
        row["cumulative"] = (Decimal(100) * running / total).quantize(PERCENT)
    return {"measure": measure, "filter": {"since": p.since.isoformat(), "until": p.until.isoformat()},
            "total": total, "rows": rows}
