"""Reason codes: the catalogue, and the rows that make every reason given at the floor analysable.

Each event carrying a reason writes one ``ReasonEvent``. Pauses and machine stops also
write a ``StopMark``, as do the resumes and restarts that end them; a stop's minutes run to
the next mark of the same scope by event time, so late or out-of-order arrival changes
nothing once all marks are in.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from peewee import Case

from central.db import database, insert_rows
from central.errors import Conflict, NotFound, ValidationError
from central.flags import raise_flag
from central.lookup import by_code
from central.models import Item, ReasonCode, ReasonEvent, Recipe, Station, StopMark, WorkOrder
from central.models.reference import REASON_CATEGORIES
from central.operators import check_bool, check_changes, check_code, check_text
from edge.contract import Event

# Which categories make sense for each event type that carries a reason.
EXPECTED_CATEGORIES = {
    "scrap.reported": ("scrap", "quality"),
    "output.reported": ("scrap", "quality"),
    "work_order.paused": ("delay", "downtime", "quality"),
    "delay.reported": ("delay",),
    "machine.down": ("downtime",),
}
STOPS = {"work_order.paused": "stop", "work_order.resumed": "start", "machine.down": "stop", "machine.up": "start"}


def check_category(value) -> str:
    """One of the reason categories."""
    if value not in REASON_CATEGORIES:
        raise ValidationError("category", f"must be one of {', '.join(REASON_CATEGORIES)}, got {value!r}")
    return value


def get_reason_code(code: str) -> ReasonCode:
    """The reason code; NotFound otherwise."""
    return by_code(ReasonCode.code, code, "code", "reason code")


def create_reason_code(code, category, description="", active=True) -> ReasonCode:
    """Add a code to the catalogue; a code in use is a Conflict."""
    fields = {"code": check_code("code", code), "category": check_category(category),
              "description": check_text("description", description, 256), "active": check_bool("active", active)}
    with database.atomic():
        if ReasonCode.select().where(ReasonCode.code == fields["code"]).exists():
            raise Conflict("code", f"reason code {fields['code']!r} already exists")
        return ReasonCode.create(**fields)


def update_reason_code(code: str, changes: dict) -> ReasonCode:
    """Change description, category or active flag. Codes are never deleted: history names them."""
    check_changes(changes, {"description", "category", "active", "code"}, "is not a field of a reason code")
    with database.atomic():
        row = get_reason_code(code)
        if "code" in changes and changes["code"] != row.code:
            raise ValidationError("code", "cannot be changed (events name it); deactivate it and add a new one")
        if "description" in changes:
            row.description = check_text("description", changes["description"], 256)
        if "category" in changes:
            row.category = check_category(changes["category"])
        if "active" in changes:
            row.active = check_bool("active", changes["active"])
        row.save()
        return row


def list_reason_codes(*, category: str | None = None, active: bool | None = None) -> list[ReasonCode]:
    """The catalogue by category then code."""
    query = ReasonCode.select().order_by(ReasonCode.category, ReasonCode.code)
    if category:
        query = query.where(ReasonCode.category == check_category(category))
    if active is not None:
        query = query.where(ReasonCode.active == active)
    return list(query)


def reason_code_dict(row: ReasonCode) -> dict:
    """The JSON shape of a reason code."""
    return {"code": row.code, "category": row.category, "description": row.description, "active": row.active}


def active_reason_codes() -> list[dict]:
    """The active catalogue for station configs: ``[{"code", "category", "description"}]`` by category, code."""
    return [{"code": c, "category": cat, "description": d} for c, cat, d in
            ReasonCode.select(ReasonCode.code, ReasonCode.category, ReasonCode.description)
            .where(ReasonCode.active == True).order_by(ReasonCode.category, ReasonCode.code).tuples()]  # noqa: E712


def event_reason(event: Event) -> str | None:
    """The reason code an event carries, if it is one that must be analysed."""
    if event.type == "output.reported" and event.data.get("kind") != "scrap":
        return None
    return event.data.get("reason") if event.type in EXPECTED_CATEGORIES else None


def work_order_item(number: str | None) -> str | None:
    """The code of the item a work order makes (its recipe's main output), if the work order is known."""
    if not number:
        return None
    return (Item.select(Item.code).join(Recipe, on=(Recipe.item == Item.id))
            .join(WorkOrder, on=(WorkOrder.recipe == Recipe.id)).where(WorkOrder.number == number).scalar())


def record_reason(event: Event, station: Station | None) -> ReasonEvent | None:
    """Write the event's reason occurrence; unknown code is NotFound, inactive or misfiled ones are flagged.

    The row's item is the event's own, else the item the work order makes, so delays and
    pauses can be analysed by item too.
    """
    code = event_reason(event)
    if code is None:
        return None
    reason = ReasonCode.get_or_none(ReasonCode.code == code)
    if reason is None:
        raise NotFound("data.reason", f"unknown reason code {code!r}")
    if not reason.active:
        raise_flag("inactive_reason_code", f"{event.type} at {event.station} used deactivated reason code {code}",
                   event_id=event.id, subject=code)
    if reason.category not in EXPECTED_CATEGORIES[event.type]:
        raise_flag("reason_category_mismatch",
                   f"{event.type} used {code}, a {reason.category} reason "
                   f"(expected {' or '.join(EXPECTED_CATEGORIES[event.type])})", event_id=event.id, subject=code)
    data = event.data
    qty = data.get("qty") if event.type in ("scrap.reported", "output.reported") else None
    row = ReasonEvent.create(
        event=event.id, reason=reason, category=reason.category, event_type=event.type,
        at=_naive(event.at), station=event.station, work_centre=station.work_centre_id if station else None,
        work_order=data.get("work_order"), stage=data.get("stage"),
        item=data.get("item") or work_order_item(data.get("work_order")),
        operator=event.operator, qty=qty, minutes=data.get("minutes"))
    return row


def stop_scope(event: Event) -> str:
    """What a pause/resume or down/up event stops or starts: the work order, or the station's machine."""
    if event.type.startswith("work_order."):
        return f"wo:{event.data['work_order']}"
    return f"machine:{event.station}/{event.data.get('machine') or ''}"


def record_stop_mark(event: Event) -> None:
    """Note a stop or start and settle the minutes of the stop(s) it bounds."""
    record_stop_marks([event])


def record_stop_marks(events: list[Event]) -> None:
    """Note the stops and starts among ``events`` and settle the minutes of every stop they bound.

    A stop's minutes run to the next mark of its scope by (at, seq). Only a pair of neighbouring
    marks with a new one in it can change, so for each scope touched the marks already recorded
    from the one before its earliest new mark to the one after its latest are read (before the
    new ones are written, so only marks that were there come back), merged with the new marks,
    and the minutes that change are written with one UPDATE per chunk.
    """
    rows = [(e.id, stop_scope(e), STOPS[e.type], _naive(e.at), e.seq) for e in events if e.type in STOPS]
    if not rows:
        return
    new = {event_id for event_id, *_ in rows}  # validated ids are canonical: str(uuid.UUID(...))
    by_scope: dict[str, list[tuple]] = {}
    for event_id, scope, kind, at, seq in rows:
        by_scope.setdefault(scope, []).append((event_id, kind, at, seq))
    minutes: dict[str, Decimal] = {}
    for scope, added in by_scope.items():
        keys = [(at, seq) for _, _, at, seq in added]
        marks = sorted(_marks_around(scope, min(keys), max(keys)) + added, key=lambda m: (m[2], m[3]))
        for (a_id, a_kind, a_at, a_seq), (b_id, _, b_at, b_seq) in zip(marks, marks[1:]):
            if a_kind == "stop" and (a_id in new or b_id in new) and (a_at, a_seq) != (b_at, b_seq):
                minutes[a_id] = _stop_minutes(a_at, b_at)
    insert_rows(StopMark, ("event", "scope", "kind", "at", "seq"), rows)
    _set_minutes(minutes)


_CHUNK = 150  # stops per UPDATE: 3 parameters each, well under SQLite's 999


def _marks_around(scope: str, first: tuple[datetime, int], last: tuple[datetime, int]) -> list[tuple]:
    """Marks of ``scope`` from the one before ``first`` to the one after ``last`` (by at, seq), in order.

    Each row is (event id as text, kind, at, seq).
    """
    columns = (StopMark.event, StopMark.kind, StopMark.at, StopMark.seq)
    (first_at, first_seq), (last_at, last_seq) = first, last
    before = (StopMark.select(*columns)
              .where(StopMark.scope == scope, StopMark.at <= first_at,
                     (StopMark.at < first_at) | (StopMark.seq < first_seq))
              .order_by(StopMark.at.desc(), StopMark.seq.desc()).limit(1).tuples())
    inside = (StopMark.select(*columns).where(StopMark.scope == scope, StopMark.at >= first_at, StopMark.at <= last_at)
              .order_by(StopMark.at, StopMark.seq).tuples())
    after = (StopMark.select(*columns)
             .where(StopMark.scope == scope, StopMark.at >= last_at,
                    (StopMark.at > last_at) | (StopMark.seq > last_seq))
             .order_by(StopMark.at, StopMark.seq).limit(1).tuples())
    marks = list(before)
    marks += [m for m in inside if first <= (m[2], m[3]) <= last]
    marks += list(after)
    return [(str(event_id), kind, at, seq) for event_id, kind, at, seq in marks]


def _stop_minutes(start: datetime, end: datetime) -> Decimal:
    return Decimal(int((end - start).total_seconds() * 1_000_000)) / Decimal(60_000_000)


def _set_minutes(minutes: dict[str, Decimal]) -> None:
    """Write the minutes of these stops' reason rows (stops without a reason row have none to write)."""
    items = list(minutes.items())
    for start in range(0, len(items), _CHUNK):
        chunk = items[start:start + _CHUNK]
        ids = [ReasonEvent.event.db_value(event_id) for event_id, _ in chunk]
        value = Case(ReasonEvent.event, [(i, ReasonEvent.minutes.db_value(m)) for i, (_, m) in zip(ids, chunk)])
        ReasonEvent.update(minutes=value).where(ReasonEvent.event.in_(ids)).execute()


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo else moment
