"""Cost layers: what stock is worth, FIFO (one layer per receipt) or weighted average (one pool).

Functions here change layers only; the caller writes the matching ledger rows in the same
transaction, so the value of stock (the sum of layer values) always equals the ledger's sum.
A fact may take more than a layer holds: the shortfall is valued at the last known cost and
left as a negative layer, filled by the next receipt into it (the difference between the two
costs is returned as a revaluation for the caller to record).
"""
from __future__ import annotations

from decimal import Decimal

from peewee import Case

from central.models import CostLayer, Item, utcnow
from central.models.stock import Batch
from central.quantities import ZERO, exact, raw

CHUNK = 64  # layers read per query: consuming k layers reads about k rows, never all of them


def _pool(item: Item) -> CostLayer:
    layer = CostLayer.get_or_none(CostLayer.item == item.id, CostLayer.batch.is_null(), CostLayer.is_open == True)  # noqa: E712
    return layer or CostLayer.create(item=item.id, batch=None, qty_in=0, qty=0, value=0, unit_cost=item.last_cost)


def _unit(qty: Decimal, value: Decimal, fallback: Decimal) -> Decimal:
    return exact(value / qty) if qty > 0 else fallback


def add(item: Item, batch: Batch | None, qty: Decimal, value: Decimal) -> Decimal:
    """Put ``qty`` worth ``value`` into the layers; returns the revaluation the caller must record."""
    if item.costing == "average":
        return _add_average(item, qty, value)
    key = CostLayer.batch == batch.id if batch is not None else (CostLayer.item == item.id) & CostLayer.batch.is_null()
    short = (CostLayer.select().where(key, CostLayer.is_open == True, CostLayer.qty < 0)  # noqa: E712
             .order_by(CostLayer.id).first())
    revaluation = ZERO
    if short is not None:
        settled = min(qty, -short.qty)
        settled_value = value if settled == qty else exact(value * settled / qty)
        new_qty = short.qty + settled
        new_value = ZERO if new_qty == 0 else exact(short.value * new_qty / short.qty)
        revaluation = (new_value - short.value) - settled_value
        CostLayer.update(qty=new_qty, value=new_value, is_open=new_qty != 0).where(CostLayer.id == short.id).execute()
        qty, value = qty - settled, value - settled_value
        if qty == 0:
            return revaluation
    CostLayer.create(item=item.id, batch=batch.id if batch else None, qty_in=qty, qty=qty, value=value,
                     unit_cost=_unit(qty, value, ZERO), created_at=utcnow())
    return revaluation


def _add_average(item: Item, qty: Decimal, value: Decimal) -> Decimal:
    pool = _pool(item)
    new_qty, new_value = pool.qty + qty, pool.value + value
    revaluation = ZERO
    if pool.qty < 0:  # a deficit is filled at the cost of what arrives
        unit = exact(value / qty)
        settled = new_value if new_qty == 0 else (exact(new_qty * unit) if new_qty > 0 else exact(pool.value * new_qty / pool.qty))
        revaluation = (ZERO if new_qty == 0 else settled) - new_value
        new_value = new_value + revaluation
    CostLayer.update(qty=new_qty, value=new_value, qty_in=pool.qty_in + qty,
                     unit_cost=_unit(new_qty, new_value, pool.unit_cost)).where(CostLayer.id == pool.id).execute()
    return revaluation


def unit_cost(item: Item, batch: Batch | None) -> Decimal:
    """The cost one more unit would be taken at right now."""
    if item.costing == "average":
        pool = _pool(item)
        return _unit(pool.qty, pool.value, item.last_cost)
    key = CostLayer.batch == batch.id if batch is not None else (CostLayer.item == item.id) & CostLayer.batch.is_null()
    layer = CostLayer.select().where(key, CostLayer.is_open == True).order_by(CostLayer.id).first()  # noqa: E712
    if layer is not None:
        return layer.unit_cost
    return batch.unit_cost if batch is not None else item.last_cost


def take(item: Item, batch: Batch | None, qty: Decimal) -> Decimal:
    """Take ``qty`` out of the layers (oldest first for FIFO); returns the value taken."""
    if item.costing == "average":
        return _take_average(item, qty)
    key = CostLayer.batch == batch.id if batch is not None else (CostLayer.item == item.id) & CostLayer.batch.is_null()
    wanted, taken, emptied, last, after_id = qty, ZERO, [], None, 0
    while wanted > 0:
        chunk = list(CostLayer.select().where(key, CostLayer.is_open == True, CostLayer.qty > 0, CostLayer.id > after_id)  # noqa: E712
                     .order_by(CostLayer.id).limit(CHUNK))
        for layer in chunk:
            last = layer
            if layer.qty <= wanted:
                emptied.append(layer.id)
                taken += layer.value
                wanted -= layer.qty
            else:
                part = exact(layer.value * wanted / layer.qty)
                CostLayer.update(qty=layer.qty - wanted, value=layer.value - part).where(CostLayer.id == layer.id).execute()
                taken += part
                wanted = ZERO
            if wanted == 0:
                break
        if len(chunk) < CHUNK:
            break
        after_id = chunk[-1].id
    if emptied:
        CostLayer.update(qty=0, value=0, is_open=False).where(CostLayer.id.in_(emptied)).execute()
    if wanted > 0:
        taken += _shortfall(item, batch, wanted, last)
    return taken


def take_batches(item: Item, wanted: list[tuple[Batch | None, Decimal]]) -> list[Decimal]:
    """FIFO, batch-tracked: take each (batch, qty) from that batch's layers, oldest first.

    One query reads the open layers of all the batches and two write them back, so taking
    from 300 batches costs a handful of statements, not 300.
    """
    ids = {b.id for b, _ in wanted if b is not None}
    layers: dict[int, list[CostLayer]] = {}
    if ids:
        for layer in (CostLayer.select().where(CostLayer.batch.in_(ids), CostLayer.is_open == True, CostLayer.qty > 0)  # noqa: E712
                      .order_by(CostLayer.batch, CostLayer.id)):
            layers.setdefault(layer.batch_id, []).append(layer)
    values, emptied, partial = [], [], {}
    for batch, qty in wanted:
        taken, last = ZERO, None
        queue = layers.get(batch.id, []) if batch is not None else []
        while qty > 0 and queue:
            layer = last = queue[0]
            if layer.qty <= qty:
                taken += layer.value
                qty -= layer.qty
                emptied.append(layer.id)
                partial.pop(layer.id, None)
                queue.pop(0)
            else:
                part = exact(layer.value * qty / layer.qty)
                layer.qty, layer.value = layer.qty - qty, layer.value - part
                partial[layer.id] = layer
                taken += part
                qty = ZERO
        if qty > 0:
            taken += _shortfall(item, batch, qty, last)
        values.append(taken)
    if emptied:
        CostLayer.update(qty=0, value=0, is_open=False).where(CostLayer.id.in_(emptied)).execute()
    if partial:
        q, v = CostLayer.qty, CostLayer.value
        CostLayer.update(
            qty=Case(CostLayer.id, [(raw(i), raw(q.db_value(layer.qty))) for i, layer in partial.items()]),
            value=Case(CostLayer.id, [(raw(i), raw(v.db_value(layer.value))) for i, layer in partial.items()]),
        ).where(CostLayer.id.in_(list(partial))).execute()
    return values


def _shortfall(item: Item, batch: Batch | None, qty: Decimal, last: CostLayer | None) -> Decimal:
    unit = last.unit_cost if last is not None else (batch.unit_cost if batch is not None else item.last_cost)
    value = exact(qty * unit)
    key = CostLayer.batch == batch.id if batch is not None else (CostLayer.item == item.id) & CostLayer.batch.is_null()
    short = CostLayer.select().where(key, CostLayer.is_open == True, CostLayer.qty < 0).first()  # noqa: E712
    if short is not None:
        CostLayer.update(qty=short.qty - qty, value=short.value - value).where(CostLayer.id == short.id).execute()
    else:
        CostLayer.create(item=item.id, batch=batch.id if batch else None, qty_in=0, qty=-qty, value=-value, unit_cost=unit)
    return value


def _take_average(item: Item, qty: Decimal) -> Decimal:
    pool = _pool(item)
    if qty == pool.qty:
        value = pool.value
    elif qty < pool.qty:
        value = exact(pool.value * qty / pool.qty)
    else:
        unit = _unit(pool.qty, pool.value, pool.unit_cost if pool.unit_cost else item.last_cost)
        value = (pool.value if pool.qty > 0 else ZERO) + exact((qty - max(pool.qty, ZERO)) * unit)
    CostLayer.update(qty=pool.qty - qty, value=pool.value - value).where(CostLayer.id == pool.id).execute()
    return value


def revalue(item: Item, batch: Batch | None, delta: Decimal) -> Decimal:
    """Add ``delta`` to the value of ``batch`` still in stock (its newest open layer, or the pool)."""
    if delta == 0:
        return ZERO
    if item.costing == "average":
        pool = _pool(item)
        CostLayer.update(value=pool.value + delta, unit_cost=_unit(pool.qty, pool.value + delta, pool.unit_cost)).where(
            CostLayer.id == pool.id).execute()
        return delta
    layer = (CostLayer.select().where(CostLayer.batch == batch.id, CostLayer.is_open == True)  # noqa: E712
             .order_by(CostLayer.id.desc()).first())
    if layer is None:
        return ZERO
    CostLayer.update(value=layer.value + delta, unit_cost=_unit(layer.qty, layer.value + delta, layer.unit_cost)).where(
        CostLayer.id == layer.id).execute()
    return delta


def revalue_batches(changes: list[tuple[Item, Batch, Decimal]]) -> list[Decimal]:
    """``revalue`` for many batches at once: one read of their newest open layers, one bulk update.

    Returns what was applied to each (zero where the batch has no open layer left).
    """
    fifo_ids = [b.id for item, b, d in changes if d and item.costing != "average"]
    newest: dict[int, CostLayer] = {}
    if fifo_ids:
        for start in range(0, len(fifo_ids), 500):
            for layer in (CostLayer.select().where(CostLayer.batch.in_(fifo_ids[start:start + 500]),
                                                   CostLayer.is_open == True).order_by(CostLayer.id)):  # noqa: E712
                newest[layer.batch_id] = layer
    applied, pools = [], {}
    for item, batch, delta in changes:
        if not delta:
            applied.append(ZERO)
        elif item.costing == "average":
            pools.setdefault(item.id, [item, ZERO])[1] += delta
            applied.append(delta)
        elif batch.id in newest:
            layer = newest[batch.id]
            layer.value += delta
            layer.unit_cost = _unit(layer.qty, layer.value, layer.unit_cost)
            applied.append(delta)
        else:
            applied.append(ZERO)
    touched = [newest[b.id] for item, b, d in changes if d and b.id in newest]
    touched = list({layer.id: layer for layer in touched}.values())
    v, u = CostLayer.value, CostLayer.unit_cost
    for start in range(0, len(touched), 500):
        part = touched[start:start + 500]
        CostLayer.update(value=Case(CostLayer.id, [(raw(x.id), raw(v.db_value(x.value))) for x in part]),
                         unit_cost=Case(CostLayer.id, [(raw(x.id), raw(u.db_value(x.unit_cost))) for x in part])).where(
            CostLayer.id.in_([x.id for x in part])).execute()
    for item, delta in pools.values():
        revalue(item, None, delta)
    return applied


def stock_value(item_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Value of stock per item id: the sum of its open layers."""
    from peewee import fn

    field = CostLayer.value
    query = CostLayer.select(CostLayer.item, fn.SUM(field).alias("total")).where(CostLayer.is_open == True)  # noqa: E712
    if item_ids is not None:
        query = query.where(CostLayer.item.in_(item_ids))
    rows = query.group_by(CostLayer.item).tuples()
    return {item_id: field.from_units(total) or ZERO for item_id, total in rows}

