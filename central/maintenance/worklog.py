"""What technicians record on a work order: custom field values, checklist answers, time (start
and stop, or entered afterwards), parts issued from stock, contractors; completion and sign-off;
and the work order's cost (labour + parts + contractors)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import peewee as pw
from biip import ParseError
from biip.gs1_messages import GS1Message

from central import inventory
from central.checklists import judge
from central.customfields import check_value
from central.errors import Conflict, NotFound, ValidationError
from central.inventory import Actor
from central.maintenance import lifecycle
from central.maintenance.checks import check_datetime, transaction
from central.maintenance.lifecycle import OPEN_STATUSES, get_work_order, set_status, write_log
from central.maintenance.staff import get_technician
from central.models import (Batch, CheckResult, Contractor, ContractorJob, FieldValue, Item, Location, LogEntry,
                            MaintenanceWorkOrder, PartUse, StockBalance, Technician, TemplateVersion, TimeEntry, utcnow)
from central.operators import check_code, check_text
from central.quantities import ZERO, exact, parse_decimal

MAX_ENTRY_MINUTES = 24 * 60


def definition(wo: MaintenanceWorkOrder) -> tuple[list[dict], list[dict]]:
    """The custom fields and checklist of the template version the work order was made from."""
    if not wo.template_version_id:
        return [], []
    version = TemplateVersion.get_by_id(wo.template_version_id)
    return json.loads(version.fields), json.loads(version.checklist)


def _writable(wo: MaintenanceWorkOrder) -> None:
    if wo.status not in OPEN_STATUSES:
        raise Conflict("status", f"{wo.number} is {wo.status}; its record is closed")


# --- custom fields and checklist ------------------------------------------------------------------

def set_fields(number: str, values: dict, *, by: str) -> list[FieldValue]:
    """Fill in custom fields (by name); each value is checked against its definition."""
    if not isinstance(values, dict):
        raise ValidationError("fields", "must be an object of field name → value")
    with transaction():
        wo = get_work_order(number, lock=True)
        _writable(wo)
        specs = {s["name"]: s for s in definition(wo)[0]}
        for name in values:
            if name not in specs:
                raise ValidationError(f"fields.{name}", f"is not a field of {wo.number}"
                                                        f"{' (known: ' + ', '.join(specs) + ')' if specs else ''}")
        rows = []
        for name, raw in values.items():
            text = check_value({**specs[name], "required": False}, raw, f"fields.{name}")
            FieldValue.delete().where(FieldValue.work_order == wo.id, FieldValue.name == name).execute()
            if text != "":
                rows.append(FieldValue.create(work_order=wo.id, name=name, value=text, set_by=by))
        return rows


def record_check(number: str, step, *, result: str | None = None, reading=None, note="", by: str,
                 follow_up: bool = False) -> CheckResult:
    """Answer one checklist step, once. A failed step or a reading outside its limits flags the work
    order; with ``follow_up`` it also opens a corrective follow-up work order on the same asset."""
    note = check_text("note", note, 1000)
    with transaction():
        wo = get_work_order(number, lock=True)
        _writable(wo)
        steps = definition(wo)[1]
        try:
            index = int(step)
        except (TypeError, ValueError):
            raise ValidationError("step", f"must be a step number from 0, got {step!r}") from None
        if not 0 <= index < len(steps):
            raise NotFound("step", f"{wo.number} has no checklist step {index} (it has {len(steps)})")
        answer = judge(steps[index], result, reading)
        if CheckResult.select().where(CheckResult.work_order == wo.id, CheckResult.step == index).exists():
            raise Conflict("step", f"step {index + 1} ({steps[index]['text']!r}) of {wo.number} is answered already")
        row = CheckResult.create(work_order=wo.id, step=index, result=answer.result, reading=answer.reading,
                                 ok=answer.ok, note=note, by=by)
        if not answer.ok:
            lifecycle.flag_work_order(wo, f"step {index + 1} {answer.problem}", by)
            if follow_up:
                from central.maintenance.workorders import create_work_order

                child = create_work_order(asset=wo.asset.code, title=f"Follow-up {wo.number}: {steps[index]['text']}"[:200],
                                          description=f"{answer.problem}{' — ' + note if note else ''}", type="corrective",
                                          priority="high", source="follow_up", parent=wo, by=by)
                write_log(wo, "note", f"follow-up {child.number} opened", by)
        return row


# --- time -----------------------------------------------------------------------------------------

def close_entry(entry: TimeEntry, ended_at: datetime, by: str) -> TimeEntry:
    """Stop a running timer: its minutes and cost at the rate it was started with."""
    minutes = exact(Decimal((ended_at - entry.started_at).total_seconds()) / 60)
    minutes = max(minutes, ZERO)
    cost = exact(minutes * entry.hourly_rate / 60)
    TimeEntry.update(ended_at=ended_at, minutes=minutes, cost=cost).where(TimeEntry.id == entry.id).execute()
    entry.ended_at, entry.minutes, entry.cost = ended_at, minutes, cost
    return entry


def start_timer(number: str, technician: str, *, by: str, at: datetime | None = None) -> TimeEntry:
    """A technician starts work (from a phone): a running timer; any other timer of theirs stops,
    and the work order goes in progress."""
    at = at or utcnow()
    with transaction():
        wo = get_work_order(number, lock=True)
        _writable(wo)
        tech = get_technician(check_code("technician", technician))
        for entry in TimeEntry.select().where(TimeEntry.technician == tech.id, TimeEntry.ended_at.is_null()):
            close_entry(entry, at, by)
            if entry.work_order_id != wo.id:
                write_log(MaintenanceWorkOrder.get_by_id(entry.work_order_id), "note",
                          f"{tech.code}'s timer stopped: started on {wo.number}", by, at)
        if wo.status != "in_progress":
            if wo.status == "on_hold":
                raise Conflict("status", f"{wo.number} is on hold ({wo.hold_reason}); resume it first")
            set_status(wo, "in_progress", by, started_at=wo.started_at or at)
        return TimeEntry.create(work_order=wo.id, technician=tech.id, started_at=at, hourly_rate=tech.hourly_rate,
                                entered_by=by)


def stop_timer(number: str, technician: str, *, by: str, note="", at: datetime | None = None) -> TimeEntry:
    """Stop the technician's running timer on this work order."""
    note = check_text("note", note, 1000)
    with transaction():
        wo = get_work_order(number)
        tech = get_technician(check_code("technician", technician))
        entry = TimeEntry.get_or_none(TimeEntry.work_order == wo.id, TimeEntry.technician == tech.id,
                                      TimeEntry.ended_at.is_null())
        if entry is None:
            raise Conflict("technician", f"{tech.code} has no running timer on {wo.number}")
        if note:
            TimeEntry.update(note=note).where(TimeEntry.id == entry.id).execute()
        return close_entry(entry, at or utcnow(), by)


def add_time(number: str, technician: str, *, started_at, minutes=None, ended_at=None, note="", by: str) -> TimeEntry:
    """Time entered afterwards: a start and either minutes or an end."""
    start = check_datetime("started_at", started_at, required=True)
    note = check_text("note", note, 1000)
    if minutes not in (None, ""):
        amount = parse_decimal("minutes", minutes, positive=True)
        end = start + timedelta(minutes=float(amount))
    else:
        end = check_datetime("ended_at", ended_at, required=True)
        if end <= start:
            raise ValidationError("ended_at", "must be after started_at")
        amount = exact(Decimal((end - start).total_seconds()) / 60)
    if amount > MAX_ENTRY_MINUTES:
        raise ValidationError("minutes", f"one entry is at most {MAX_ENTRY_MINUTES} minutes (24 hours)")
    if end > utcnow() + timedelta(minutes=5):
        raise ValidationError("ended_at", "time cannot be entered for the future")
    with transaction():
        wo = get_work_order(number)
        if wo.status == "cancelled":
            raise Conflict("status", f"{wo.number} is cancelled")
        tech = get_technician(check_code("technician", technician))
        return TimeEntry.create(work_order=wo.id, technician=tech.id, started_at=start, ended_at=end, minutes=amount,
                                hourly_rate=tech.hourly_rate, cost=exact(amount * tech.hourly_rate / 60), note=note,
                                entered_by=by)


def running_timer(technician: Technician) -> TimeEntry | None:
    """The technician's running timer, if any."""
    return (TimeEntry.select(TimeEntry, MaintenanceWorkOrder).join(MaintenanceWorkOrder)
            .where(TimeEntry.technician == technician.id, TimeEntry.ended_at.is_null()).first())


# --- parts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scanned:
    """What a scanned or typed part code names: an item, and a batch when it names one."""

    item: str
    batch: str | None


def resolve_part(code: str) -> Scanned:
    """A scanned code: a batch code, an item code, or a GS1 element string (batch (10), else GTIN (01))."""
    code = check_text("part", code, 200)
    if not code:
        raise ValidationError("part", "scan or type a batch or item code")
    batch = Batch.select(Batch, Item).join(Item).where(Batch.code == code).first()
    if batch is not None:
        return Scanned(batch.item.code, batch.code)
    item = Item.get_or_none(Item.code == code)
    if item is not None:
        return Scanned(item.code, None)
    elements = _gs1_elements(code)
    if elements.get("10"):
        found = Batch.select(Batch, Item).join(Item).where(Batch.code == elements["10"]).first()
        if found is not None:
            return Scanned(found.item.code, found.code)
    if elements.get("01"):
        by_gtin = Item.get_or_none(Item.gtin == elements["01"])
        if by_gtin is not None:
            return Scanned(by_gtin.code, None)
    raise NotFound("part", f"no batch or item {code!r}")


def _gs1_elements(code: str) -> dict[str, str]:
    """The AIs of a GS1 element string (as scanned, or in (01)... form); empty when it is not one."""
    try:
        message = GS1Message.parse_hri(code) if code.startswith("(") else GS1Message.parse(code)
    except (ParseError, ValueError):
        return {}
    return {e.ai.ai: e.value for e in message.element_strings}


def issue_part(number: str, *, qty, by: str, item: str | None = None, batch: str | None = None,
               location: str | None = None, unit: str | None = None) -> list[PartUse]:
    """Issue a part from stock to the work order through the same stock functions and ledger as
    production (FIFO or average cost). Parts used that stock does not show are booked anyway
    and flagged, on the stock and on the work order."""
    qty = parse_decimal("qty", qty, positive=True)
    with transaction():
        wo = get_work_order(number, lock=True)
        if wo.status == "cancelled":
            raise Conflict("status", f"{wo.number} is cancelled")
        picks = inventory.issue(qty=qty, actor=Actor(user=by, allow_negative=True), item=item, batch=batch,
                                location=location, unit=unit, reason="maintenance", reference=wo.number)
        short = _short_picks(picks)
        rows = [PartUse.create(work_order=wo.id, item=p.item.id, batch=p.batch.id if p.batch else None,
                               location=p.location.id, qty=p.qty, value=p.value, by=by,
                               flagged=(p.item.id, p.batch.id if p.batch else None, p.location.id) in short)
                for p in picks]
        if short:
            what = picks[0].batch.code if batch and picks[0].batch else picks[0].item.code
            lifecycle.flag_work_order(wo, f"part {what}: {qty} {picks[0].item.unit} used but stock does not show it", by)
        write_log(wo, "note", f"part {picks[0].item.code}{' batch ' + batch if batch else ''}: {qty} {picks[0].item.unit}", by)
        return rows


def _short_picks(picks) -> set[tuple]:
    keys = {(p.item.id, p.batch.id if p.batch else None, p.location.id) for p in picks}
    short = set()
    for key in keys:
        query = StockBalance.select(pw.fn.SUM(StockBalance.qty)).where(
            StockBalance.item == key[0], StockBalance.location == key[2],
            StockBalance.batch.is_null() if key[1] is None else StockBalance.batch == key[1])
        total = query.scalar()
        if total is not None and total < 0:  # micro-units: the sign is all that matters
            short.add(key)
    return short


# --- contractors ----------------------------------------------------------------------------------

def add_contractor(number: str, contractor: str, *, agreed_price, scope="", by: str) -> ContractorJob:
    """Engage a contractor on the work order at an agreed price."""
    price = parse_decimal("agreed_price", agreed_price, non_negative=True)
    scope = check_text("scope", scope, 1000)
    with transaction():
        wo = get_work_order(number, lock=True)
        _writable(wo)
        company = Contractor.get_or_none(Contractor.code == check_code("contractor", contractor))
        if company is None:
            raise NotFound("contractor", f"no contractor {contractor!r}")
        if not company.active:
            raise ValidationError("contractor", f"contractor {company.code} is inactive")
        write_log(wo, "note", f"contractor {company.code} ({company.company}) at {price}", by)
        return ContractorJob.create(work_order=wo.id, contractor=company.id, agreed_price=price, scope=scope, added_by=by)


# --- completion -----------------------------------------------------------------------------------

def complete(number: str, *, by: str, at: datetime | None = None) -> MaintenanceWorkOrder:
    """Work is done: every required field filled and every checklist step answered; running timers stop."""
    at = at or utcnow()
    with transaction():
        wo = get_work_order(number, lock=True)
        lifecycle._check(wo, "complete")
        fields, steps = definition(wo)
        filled = {f.name for f in FieldValue.select(FieldValue.name).where(FieldValue.work_order == wo.id)}
        missing = [f for f in fields if f["required"] and f["name"] not in filled]
        if missing:
            raise Conflict(f"fields.{missing[0]['name']}", f"{missing[0]['label']} is required before the work is done")
        answered = {r.step for r in CheckResult.select(CheckResult.step).where(CheckResult.work_order == wo.id)}
        open_steps = [i for i in range(len(steps)) if i not in answered]
        if open_steps:
            raise Conflict("checklist", f"step {open_steps[0] + 1} ({steps[open_steps[0]]['text']!r}) is not answered;"
                                        f" {len(open_steps)} step(s) open")
        lifecycle.stop_running_timers(wo, by, at)
        note = "awaiting sign-off" if wo.requires_signoff else ""
        done = set_status(wo, "done", by, note, done_at=at, started_at=wo.started_at or at)
        from central.maintenance.schedules import work_done

        work_done(done, at)  # a schedule's work done: its counter starts again
        return done


def sign_off(number: str, *, by: str) -> MaintenanceWorkOrder:
    """A supervisor signs off done work that requires it."""
    with transaction():
        wo = get_work_order(number, lock=True)
        if wo.status != "done":
            raise Conflict("status", f"{wo.number} is {wo.status}; only done work is signed off")
        if not wo.requires_signoff:
            raise Conflict("requires_signoff", f"{wo.number} does not require sign-off")
        if wo.signed_off_by:
            raise Conflict("signed_off_by", f"{wo.number} was signed off by {wo.signed_off_by} already")
        now = utcnow()
        MaintenanceWorkOrder.update(signed_off_by=by, signed_off_at=now).where(MaintenanceWorkOrder.id == wo.id).execute()
        write_log(wo, "status", "signed off", by, now)
        return get_work_order(number)


def require_signoff(number: str, required: bool, *, by: str) -> MaintenanceWorkOrder:
    """A supervisor requires (or no longer requires) sign-off of a work order."""
    with transaction():
        wo = get_work_order(number, lock=True)
        if wo.signed_off_by:
            raise Conflict("requires_signoff", f"{wo.number} is signed off already")
        MaintenanceWorkOrder.update(requires_signoff=bool(required)).where(MaintenanceWorkOrder.id == wo.id).execute()
        write_log(wo, "status", "sign-off required" if required else "sign-off no longer required", by)
        return get_work_order(number)


# --- cost and the record --------------------------------------------------------------------------

def _total(field, condition) -> Decimal:
    """SUM of an exact decimal column (the database returns micro-units)."""
    return field.from_units(field.model.select(pw.fn.SUM(field)).where(condition).scalar()) or ZERO


def costs(wo_ids) -> dict[str, Decimal]:
    """Labour (closed time × rate), parts (ledger value) and contractors (agreed prices) of some work
    orders (a list of ids or a query selecting them)."""
    labour = _total(TimeEntry.cost, TimeEntry.work_order.in_(wo_ids))
    parts = _total(PartUse.value, PartUse.work_order.in_(wo_ids))
    contractors = _total(ContractorJob.agreed_price, ContractorJob.work_order.in_(wo_ids))
    return {"labour": exact(labour), "parts": exact(parts), "contractors": exact(contractors),
            "total": exact(labour + parts + contractors)}


def record(wo: MaintenanceWorkOrder) -> dict:
    """Everything recorded on a work order, as rows for a page."""
    fields, steps = definition(wo)
    values = {f.name: f for f in FieldValue.select().where(FieldValue.work_order == wo.id)}
    results = {r.step: r for r in CheckResult.select().where(CheckResult.work_order == wo.id)}
    return {
        "fields": [(spec, values.get(spec["name"])) for spec in fields],
        "checklist": [(i, step, results.get(i)) for i, step in enumerate(steps)],
        "time": list(TimeEntry.select(TimeEntry, Technician).join(Technician)
                     .where(TimeEntry.work_order == wo.id).order_by(TimeEntry.started_at)),
        "parts": list(PartUse.select(PartUse, Item, Location).join(Item).switch(PartUse).join(Location)
                      .where(PartUse.work_order == wo.id).order_by(PartUse.id)),
        "contractors": list(ContractorJob.select(ContractorJob, Contractor).join(Contractor)
                            .where(ContractorJob.work_order == wo.id).order_by(ContractorJob.id)),
        "log": list(LogEntry.select().where(LogEntry.work_order == wo.id).order_by(LogEntry.at, LogEntry.id)),
        "cost": costs([wo.id]),
    }


def record_dict(wo: MaintenanceWorkOrder) -> dict:
    """The JSON shape of what is recorded on a work order."""
    rec = record(wo)
    return {
        "fields": [{**spec, "value": v.value if v else None} for spec, v in rec["fields"]],
        "checklist": [{**step, "step": i, "result": r.result if r else None,
                       "reading": str(r.reading) if r and r.reading is not None else None,
                       "ok": r.ok if r else None, "by": r.by if r else None} for i, step, r in rec["checklist"]],
        "time": [{"technician": t.technician.code, "started_at": t.started_at.isoformat() + "Z",
                  "ended_at": t.ended_at.isoformat() + "Z" if t.ended_at else None,
                  "minutes": str(t.minutes) if t.minutes is not None else None,
                  "cost": str(t.cost) if t.cost is not None else None, "note": t.note} for t in rec["time"]],
        "parts": [{"item": p.item.code, "batch": p.batch.code if p.batch_id else None, "location": p.location.code,
                   "qty": str(p.qty), "value": str(p.value), "flagged": p.flagged} for p in rec["parts"]],
        "contractors": [{"contractor": c.contractor.code, "company": c.contractor.company,
                         "agreed_price": str(c.agreed_price), "scope": c.scope} for c in rec["contractors"]],
        "log": [{"at": e.at.isoformat() + "Z", "kind": e.kind, "text": e.text, "by": e.by} for e in rec["log"]],
        "cost": {k: str(v) for k, v in rec["cost"].items()},
    }
