"""Stock operations: receipt, issue, transfer, adjustment, scrap and dispatch, each one transaction.

Every change writes the append-only ledger (``StockMove``) and the on-hand balances together,
and changes cost layers by exactly the value it records. A person's call that would take stock
below zero is refused with a 409 unless they override; a station's fact is recorded and flagged.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import peewee as pw
from peewee import Case

from central import costing
from central.catalog import default_location, get_batch, get_item, get_location
from central.db import database, insert_dicts, lock_row
from central.errors import Conflict, ValidationError
from central.flags import raise_flag
from central.models import Batch, BatchStatusChange, Item, Location, StockBalance, StockMove, utcnow
from central.models.stock import BATCH_STATUSES
from central.quantities import ZERO, check_positive, exact, raw

PICK_CHUNK = 200

# allowed batch status changes; a blocked batch goes back through quarantine before release
STATUS_CHANGES = {
    "released": {"quarantine", "blocked"},
    "quarantine": {"released", "blocked"},
    "blocked": {"quarantine"},
}


@dataclass(frozen=True)
class Actor:
    """Who causes a change: a person through the API, or a station event (a fact)."""

    user: str | None = None
    operator: str | None = None
    event_id: str | None = None
    at: datetime | None = None
    allow_negative: bool = False

    @property
    def is_fact(self) -> bool:
        """True for a station's event: recorded even when it breaks a rule."""
        return self.event_id is not None

    def when(self) -> datetime:
        """When it happened (the station clock for facts, now for people)."""
        return self.at or utcnow()

    @classmethod
    def from_event(cls, event) -> "Actor":
        """The actor of a validated station event."""
        return cls(operator=event.operator, event_id=event.id, at=event.at.replace(tzinfo=None))

    def flag(self, kind: str, message: str, subject: str = "", severity: str = "warning"):
        """Raise a flag tied to this actor's event (if any)."""
        return raise_flag(kind, message, event_id=self.event_id, subject=subject, severity=severity)


@dataclass
class Pick:
    """A quantity taken from one balance (item, batch, location) and what it was worth."""

    item: Item
    batch: Batch | None
    location: Location
    qty: Decimal
    value: Decimal = ZERO


def _is_postgres() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)


def check_unit(item: Item, unit: str | None, field: str = "unit") -> None:
    """A given unit must be the item's unit: quantities are never converted silently."""
    if unit is not None and unit != item.unit:
        raise ValidationError(field, f"item {item.code} is kept in {item.unit}, got {unit!r}")


def _guard(actor: Actor, item: Item, batch: Batch | None, location: Location, after: Decimal, field: str) -> None:
    if after >= 0:
        return
    what = f"{item.code}{' batch ' + batch.code if batch else ''} at {location.code}"
    if actor.is_fact:
        actor.flag("negative_stock", f"{what} is now {after} {item.unit}: recorded as the station reported it",
                   subject=batch.code if batch else item.code)
    elif actor.allow_negative:
        actor.flag("negative_stock", f"{what} is now {after} {item.unit}: allowed by {actor.user or 'a user'}",
                   subject=batch.code if batch else item.code, severity="info")
    else:
        raise Conflict(field, f"not enough stock: {what} would be {after} {item.unit}; "
                              "send allow_negative=true to override")


def write_moves(moves: list[dict], actor: Actor, field: str = "qty",
                balances: dict[tuple, StockBalance] | None = None, complete: bool = False) -> None:
    """Append ledger rows and apply their quantities to the balances, in sets (no row-at-a-time loop).

    Each move is a dict with item, batch, location (models), qty, value, kind and optionally
    work_order, reason, reference and actor (when the moves of several events are written
    together; ``actor`` otherwise). Negative results go through the negative-stock rule.
    ``balances`` may hand over the balances already read (by item, batch and location id),
    read again only when a key is not among them, unless ``complete`` says they are all there
    are (a new batch has none).
    """
    keyed = [m for m in moves if m["qty"] != 0]
    deltas: dict[tuple, Decimal] = defaultdict(Decimal)
    models: dict[tuple, dict] = {}
    for m in keyed:
        key = (m["item"].id, m["batch"].id if m["batch"] else None, m["location"].id)
        deltas[key] += m["qty"]
        models[key] = m
    if deltas:
        if balances is None or (not complete and any(k not in balances for k in deltas)):
            balances = _balances_for(list(deltas))
        missing = [k for k in deltas if k not in balances]
        if missing:  # new balances start at their first move's quantity
            insert_dicts(StockBalance, [{"item": k[0], "batch": k[1], "location": k[2], "qty": deltas[k]} for k in missing])
        changes = [(balances[k].id, d) for k, d in deltas.items() if d != 0 and k in balances]
        if changes:
            qty = StockBalance.qty
            StockBalance.update(qty=qty + Case(StockBalance.id, [(raw(i), raw(qty.db_value(d))) for i, d in changes])).where(
                StockBalance.id.in_([i for i, _ in changes])).execute()
        for key, delta in deltas.items():
            if delta < 0:
                m = models[key]
                before = balances[key].qty if key in balances else ZERO
                _guard(m.get("actor", actor), m["item"], m["batch"], m["location"], before + delta, field)
    rows = []
    for m in moves:
        who = m.get("actor", actor)
        rows.append({
            "at": who.when(), "kind": m["kind"], "item": m["item"].id, "batch": m["batch"].id if m["batch"] else None,
            "location": m["location"].id if m.get("location") else None, "qty": m["qty"], "value": m["value"],
            "work_order": m.get("work_order"), "reason": m.get("reason"), "reference": m.get("reference"),
            "user": who.user, "operator": who.operator, "event_id": who.event_id,
        })
    insert_dicts(StockMove, rows)


def _balances_for(keys: list[tuple]) -> dict[tuple, StockBalance]:
    batch_ids = {k[1] for k in keys if k[1] is not None}
    null_items = {k[0] for k in keys if k[1] is None}
    cond = None
    if batch_ids:
        cond = StockBalance.batch.in_(batch_ids)
    if null_items:
        extra = StockBalance.batch.is_null() & StockBalance.item.in_(null_items)
        cond = extra if cond is None else (cond | extra)
    query = StockBalance.select().where(cond).order_by(StockBalance.id)
    if _is_postgres():
        query = query.for_update()
    found: dict[tuple, StockBalance] = {}
    for b in query:
        found.setdefault((b.item_id, b.batch_id, b.location_id), b)
    return found


# --- batches ---------------------------------------------------------------------------------

def default_expiry(item: Item, at: datetime | None) -> date | None:
    """A new batch's expiry when none is given: the day it was made or received + the item's shelf life."""
    return (at or utcnow()).date() + timedelta(days=item.shelf_life_days) if item.shelf_life_days else None


def ensure_batch(item: Item, code: str, *, expiry: date | None = None, supplier: str | None = None,
                 supplier_lot: str | None = None, unit_cost: Decimal = ZERO, status: str = "released",
                 at: datetime | None = None) -> Batch:
    """The batch with this code (it must be of ``item``), created if new."""
    batch = Batch.get_or_none(Batch.code == code)
    if batch is not None:
        if batch.item_id != item.id:
            raise Conflict("batch", f"batch {code} exists already for item {batch.item.code}, not {item.code}")
        # a batch first seen in a consumption (its receipt still on the way) gets its details now
        known = {"expiry": expiry, "supplier": supplier, "supplier_lot": supplier_lot}
        fill = {k: v for k, v in known.items() if v is not None and getattr(batch, k) is None}
        if unit_cost and not batch.unit_cost:
            fill["unit_cost"] = unit_cost
        if fill:
            Batch.update(**fill).where(Batch.id == batch.id).execute()
            batch = Batch.get_by_id(batch.id)
        return batch
    if status not in BATCH_STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(BATCH_STATUSES)}, got {status!r}")
    if expiry is None:
        expiry = default_expiry(item, at)
    return Batch.create(code=code, item=item.id, expiry=expiry, supplier=supplier, supplier_lot=supplier_lot,
                        unit_cost=unit_cost, status=status, created_at=at or utcnow())


def set_batch_status(code: str, status: str, actor: Actor, reason: str | None = None) -> Batch:
    """Release, quarantine or block a batch; a change the rules do not allow is a 409."""
    if status not in BATCH_STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(BATCH_STATUSES)}, got {status!r}")
    with database.atomic():
        batch = lock_row(get_batch(code))
        if status not in STATUS_CHANGES[batch.status]:
            raise Conflict("status", f"batch {code} is {batch.status}; it cannot become {status} "
                                     f"(allowed: {', '.join(sorted(STATUS_CHANGES[batch.status]))})")
        Batch.update(status=status).where(Batch.id == batch.id).execute()
        BatchStatusChange.create(batch=batch.id, from_status=batch.status, to_status=status, reason=reason or "",
                                 changed_by=actor.user or actor.operator or "system", at=actor.when())
        actor.flag("batch_status", f"batch {code}: {batch.status} → {status}"
                   f" by {actor.user or actor.operator or 'system'}{': ' + reason if reason else ''}",
                   subject=code, severity="info")
        return get_batch(code)


# --- receipts ----------------------------------------------------------------------------------

def receive_into(item: Item, batch: Batch | None, location: Location, qty: Decimal, value: Decimal, *,
                 kind: str, actor: Actor, work_order: int | None = None, reason: str | None = None,
                 reference: str | None = None) -> None:
    """Book ``qty`` worth ``value`` into stock: layers, balance and ledger (plus any revaluation)."""
    revaluation = costing.add(item, batch if item.batch_tracked else None, qty, value)
    base = {"item": item, "batch": batch, "location": location, "work_order": work_order,
            "reason": reason, "reference": reference}
    moves = [{**base, "kind": kind, "qty": qty, "value": value}]
    if revaluation:
        moves.append({**base, "kind": "revaluation", "qty": ZERO, "value": revaluation})
    write_moves(moves, actor)


def receive(*, item: str, qty: Decimal, actor: Actor, batch: str | None = None, location: str | None = None,
            unit_cost: Decimal | None = None, unit: str | None = None, expiry: date | None = None,
            supplier: str | None = None, supplier_lot: str | None = None, status: str = "released",
            reference: str | None = None) -> Batch | None:
    """Goods receipt: create (or top up) the batch and put it into stock at its cost."""
    qty = check_positive("qty", qty)
    with database.atomic():
        the_item = get_item(item)
        check_unit(the_item, unit)
        if unit_cost is None:  # no price given: the running average, else the last price paid
            unit_cost = costing.unit_cost(the_item, None) if the_item.costing == "average" else ZERO
            unit_cost = unit_cost or the_item.last_cost
        elif unit_cost < 0:
            raise ValidationError("unit_cost", f"must not be negative, got {unit_cost}")
        place = get_location(location) if location else default_location("receiving")
        the_batch = None
        if the_item.batch_tracked:
            if not batch:
                raise Conflict("batch", f"item {item} is batch-tracked: a batch code is required")
            the_batch = ensure_batch(the_item, batch, expiry=expiry, supplier=supplier, supplier_lot=supplier_lot,
                                     unit_cost=unit_cost, status=status, at=actor.at)
        elif batch:
            raise Conflict("batch", f"item {item} is not batch-tracked: send no batch code")
        receive_into(the_item, the_batch, place, qty, exact(qty * unit_cost), kind="receipt", actor=actor,
                     reference=reference)
        Item.update(last_cost=unit_cost).where(Item.id == the_item.id).execute()
        return the_batch


# --- issues --------------------------------------------------------------------------------------

def plan_picks(item: Item, batch: Batch | None, location: Location | None, qty: Decimal, actor: Actor) -> list[Pick]:
    """Which balances a quantity comes from: the scanned batch, else batches FIFO (FEFO with a shelf life).

    What no balance covers is taken from the last place looked at (or the default store) and
    will show as negative stock.
    """
    if batch is not None:
        return plan_batch_picks([(item, batch, location, qty)], load_batch_balances([batch.id]))[0]
    picks: list[Pick] = []
    wanted = qty
    if item.batch_tracked:
        order = ([Batch.expiry.is_null(), Batch.expiry] if item.shelf_life_days else []) + [Batch.id, StockBalance.id]
        query = (StockBalance.select(StockBalance, Batch, Location).join(Batch).switch(StockBalance).join(Location)
                 .where(StockBalance.item == item.id, StockBalance.qty > 0, Batch.status == "released").order_by(*order))
        if location is not None:
            query = query.where(StockBalance.location == location.id)
        offset = 0
        while wanted > 0:
            before = len(picks)
            wanted = _take_from(query.limit(PICK_CHUNK).offset(offset), wanted, picks, item, lambda b: b.batch)
            if len(picks) - before < PICK_CHUNK:
                break
            offset += PICK_CHUNK
    else:
        query = (StockBalance.select(StockBalance, Location).join(Location)
                 .where(StockBalance.item == item.id, StockBalance.batch.is_null(), StockBalance.qty > 0)
                 .order_by(StockBalance.id))
        wanted = _take_from(query if location is None else query.where(StockBalance.location == location.id),
                            wanted, picks, item, lambda b: None)
    if wanted > 0:
        place = location or (picks[-1].location if picks else default_location("storage"))
        _short(picks, item, picks[-1].batch if picks else None, place, wanted)
    return picks


def load_batch_balances(batch_ids: list[int]) -> dict[int, list[StockBalance]]:
    """Every balance of these batches (with its location), oldest first, in one query."""
    found: dict[int, list[StockBalance]] = defaultdict(list)
    if batch_ids:
        for b in (StockBalance.select(StockBalance, Location).join(Location)
                  .where(StockBalance.batch.in_(batch_ids)).order_by(StockBalance.id)):
            found[b.batch_id].append(b)
    return found


def plan_batch_picks(wanted: list[tuple[Item, Batch, Location | None, Decimal]],
                     balances: dict[int, list[StockBalance]]) -> list[list[Pick]]:
    """Picks for several scanned batches at once, from balances read together (``load_batch_balances``).

    Each (item, batch, location or None, qty) takes from that batch's balances with stock, oldest
    first, and what they do not cover is a shortfall at the location named, else the last one
    taken from, else where the batch is kept, else the default store. Quantities taken by one
    entry are gone for the next.
    """
    left = {id(b): b.qty for rows in balances.values() for b in rows}
    result = []
    for item, batch, location, qty in wanted:
        picks: list[Pick] = []
        rows = balances.get(batch.id, [])
        for balance in rows:
            if qty <= 0:
                break
            if left[id(balance)] <= 0 or (location is not None and balance.location_id != location.id):
                continue
            q = min(left[id(balance)], qty)
            left[id(balance)] -= q
            picks.append(Pick(item, batch, balance.location, q))
            qty -= q
        if qty > 0:
            place = location or (picks[-1].location if picks else (rows[0].location if rows else default_location("storage")))
            _short(picks, item, batch, place, qty)
        result.append(picks)
    return result


def _short(picks: list[Pick], item: Item, batch: Batch | None, place: Location, qty: Decimal) -> None:
    if picks and picks[-1].location.id == place.id and picks[-1].batch == batch:
        picks[-1].qty += qty
    else:
        picks.append(Pick(item, batch, place, qty))


def _take_from(query, wanted: Decimal, picks: list[Pick], item: Item, batch_of) -> Decimal:
    for balance in query:
        if wanted <= 0:
            break
        q = min(balance.qty, wanted)
        picks.append(Pick(item, batch_of(balance), balance.location, q))
        wanted -= q
    return wanted


def cost_picks(item: Item, picks: list[Pick]) -> None:
    """Take each pick out of the cost layers and set its value."""
    if item.costing == "fifo" and item.batch_tracked:
        values = costing.take_batches(item, [(p.batch, p.qty) for p in picks])
        for pick, value in zip(picks, values):
            pick.value = value
    else:
        for pick in picks:
            pick.value = costing.take(item, None, pick.qty)


def check_usable(batch: Batch, actor: Actor) -> None:
    """A quarantined or blocked batch may not be used by a person; a station's use is flagged."""
    if batch.status == "released":
        return
    if actor.is_fact:
        actor.flag("batch_not_released", f"batch {batch.code} is {batch.status} but was used", subject=batch.code)
    else:
        raise Conflict("batch", f"batch {batch.code} is {batch.status}; release it first")


def take_out(*, qty: Decimal, actor: Actor, kind: str, item: Item, batch: Batch | None = None,
             location: Location | None = None, work_order: int | None = None, reason: str | None = None,
             reference: str | None = None) -> list[Pick]:
    """Take stock out (issue, backflush, scrap, dispatch, negative adjustment); returns the picks."""
    if batch is not None:
        check_usable(batch, actor)
    picks = plan_picks(item, batch, location, qty, actor)
    cost_picks(item, picks)
    write_moves([{"item": p.item, "batch": p.batch, "location": p.location, "qty": -p.qty, "value": -p.value,
                  "kind": kind, "work_order": work_order, "reason": reason, "reference": reference} for p in picks], actor)
    return picks


def _resolve(item: str | None, batch: str | None, unit: str | None) -> tuple[Item, Batch | None]:
    if batch:
        the_batch = get_batch(batch)
        the_item = the_batch.item
        if item and item != the_item.code:
            raise ValidationError("item", f"batch {batch} is of item {the_item.code}, not {item}")
    elif item:
        the_item, the_batch = get_item(item), None
    else:
        raise ValidationError("item", "send a batch code or an item code")
    check_unit(the_item, unit)
    return the_item, the_batch


def issue(*, qty: Decimal, actor: Actor, item: str | None = None, batch: str | None = None,
          location: str | None = None, unit: str | None = None, kind: str = "issue", work_order: int | None = None,
          reason: str | None = None, reference: str | None = None) -> list[Pick]:
    """Issue stock: the scanned batch, or the item's batches FIFO/FEFO. ``kind`` is issue, scrap or dispatch."""
    qty = check_positive("qty", qty)
    with database.atomic():
        the_item, the_batch = _resolve(item, batch, unit)
        place = get_location(location) if location else None
        return take_out(qty=qty, actor=actor, kind=kind, item=the_item, batch=the_batch, location=place,
                        work_order=work_order, reason=reason, reference=reference)


def scrap(*, qty: Decimal, actor: Actor, reason: str, item: str | None = None, batch: str | None = None,
          location: str | None = None, work_order: int | None = None, unit: str | None = None) -> list[Pick]:
    """Write stock off as scrap, with a reason; its value is lost."""
    if not reason:
        raise ValidationError("reason", "is required for scrap")
    return issue(qty=qty, actor=actor, item=item, batch=batch, location=location, unit=unit, kind="scrap",
                 work_order=work_order, reason=reason)


def dispatch(*, qty: Decimal, actor: Actor, reference: str, item: str | None = None, batch: str | None = None,
             location: str | None = None, unit: str | None = None) -> list[Pick]:
    """Ship stock out to a customer (``reference`` names the customer or order): the forward trace ends here."""
    if not reference:
        raise ValidationError("reference", "is required: name the customer or order")
    return issue(qty=qty, actor=actor, item=item, batch=batch, location=location, unit=unit, kind="dispatch",
                 reference=reference)


def transfer(*, qty: Decimal, actor: Actor, to_location: str, item: str | None = None, batch: str | None = None,
             from_location: str | None = None, unit: str | None = None) -> list[Pick]:
    """Move stock between locations; its value does not change."""
    qty = check_positive("qty", qty)
    with database.atomic():
        the_item, the_batch = _resolve(item, batch, unit)
        source = get_location(from_location, "from_location") if from_location else None
        target = get_location(to_location, "to_location")
        if source is not None and source.id == target.id:
            raise ValidationError("to_location", "is the same as from_location")
        picks = plan_picks(the_item, the_batch, source, qty, actor)
        moves = []
        for p in picks:
            if p.location.id == target.id:
                raise ValidationError("to_location", f"stock is already at {target.code}")
            value = exact(p.qty * costing.unit_cost(the_item, p.batch if the_item.batch_tracked else None))
            base = {"item": the_item, "batch": p.batch, "kind": "transfer"}
            moves += [{**base, "location": p.location, "qty": -p.qty, "value": -value},
                      {**base, "location": target, "qty": p.qty, "value": value}]
        write_moves(moves, actor)
        return picks


def adjust(*, qty: Decimal, actor: Actor, location: str, reason: str, item: str | None = None,
           batch: str | None = None, unit: str | None = None) -> None:
    """Correct a count: a signed quantity at one location, valued at the current cost."""
    if not reason:
        raise ValidationError("reason", "is required for an adjustment")
    if qty == 0:
        raise ValidationError("qty", "must not be zero")
    with database.atomic():
        the_item, the_batch = _resolve(item, batch, unit)
        if the_item.batch_tracked and the_batch is None:
            raise ValidationError("batch", f"item {the_item.code} is batch-tracked: name the batch to adjust")
        place = get_location(location)
        if qty > 0:
            check_positive("qty", qty)
            cost = costing.unit_cost(the_item, the_batch if the_item.batch_tracked else None)
            receive_into(the_item, the_batch, place, qty, exact(qty * cost), kind="adjustment", actor=actor,
                         reason=reason)
        else:
            check_positive("qty", -qty)
            take_out(qty=-qty, actor=actor, kind="adjustment", item=the_item, batch=the_batch, location=place,
                     reason=reason)
