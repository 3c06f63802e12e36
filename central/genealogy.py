"""Batch genealogy: links derived from work orders, and the recall query (trace back and forward).

A link says "this much of batch P went into the work order that made batch C". Links are
derived, not appended: ``relink`` rebuilds a work order's links from its consumptions and its
outputs in one statement, so they come out the same whatever order the facts arrived in.
A trace is one recursive query (``WITH RECURSIVE``), the same SQL on SQLite and PostgreSQL.
"""
from __future__ import annotations

from decimal import Decimal

from peewee import JOIN, fn

from central.catalog import get_batch
from central.db import database
from central.errors import ValidationError
from central.models import Batch, BatchLink, Item, Location, StockBalance, StockMove, WorkOrder
from central.models.fields import FixedDecimalField

CONSUMING = ("issue", "backflush")
MAX_DEPTH = 100
_units = FixedDecimalField()


def relink(wo: WorkOrder) -> None:
    """Rebuild the links of one work order: every consumed batch → every output batch."""
    BatchLink.delete().where(BatchLink.work_order == wo.id).execute()
    p = database.param
    database.execute_sql(f"""
        INSERT INTO batch_link (parent_id, child_id, work_order_id, qty)
        SELECT c.batch_id, o.batch_id, o.work_order_id, c.qty
        FROM work_order_output o
        JOIN (SELECT batch_id, -SUM(qty) AS qty FROM stock_move
              WHERE work_order_id = {p} AND kind IN ({p}, {p}) AND batch_id IS NOT NULL
              GROUP BY batch_id HAVING SUM(qty) < 0) c ON c.batch_id <> o.batch_id
        WHERE o.work_order_id = {p}""", (wo.id, *CONSUMING, wo.id))


def _walk_sql(direction: str) -> str:
    start, step = ("child_id", "parent_id") if direction == "backward" else ("parent_id", "child_id")
    p = database.param
    return f"""
        WITH RECURSIVE walk(batch_id, depth) AS (
            SELECT {p}, 0
            UNION
            SELECT l.{step}, w.depth + 1 FROM batch_link l JOIN walk w ON l.{start} = w.batch_id
            WHERE w.depth < {p}
        )
        SELECT b.id, b.code, i.code, b.status, MIN(w.depth)
        FROM walk w JOIN batch b ON b.id = w.batch_id JOIN item i ON i.id = b.item_id
        GROUP BY b.id, b.code, i.code, b.status
        ORDER BY MIN(w.depth), b.code
    """


def walk(batch_id: int, direction: str, max_depth: int = MAX_DEPTH) -> list[dict]:
    """The batches reachable from ``batch_id`` (itself at depth 0), nearest first: the recall query."""
    if direction not in ("backward", "forward"):
        raise ValidationError("direction", f"must be backward or forward, got {direction!r}")
    cursor = database.execute_sql(_walk_sql(direction), (batch_id, max_depth))
    return [{"id": r[0], "batch": r[1], "item": r[2], "status": r[3], "depth": r[4]} for r in cursor.fetchall()]


def _links(ids: list[int]) -> list[dict]:
    Parent, Child = Batch.alias(), Batch.alias()
    query = (BatchLink.select(Parent.code, Child.code, WorkOrder.number, BatchLink.qty)
             .join(Parent, on=BatchLink.parent == Parent.id).switch(BatchLink)
             .join(Child, on=BatchLink.child == Child.id).switch(BatchLink)
             .join(WorkOrder, JOIN.LEFT_OUTER, on=BatchLink.work_order == WorkOrder.id)
             .where(BatchLink.parent.in_(ids) & BatchLink.child.in_(ids)).order_by(Parent.code, Child.code).tuples())
    return [{"parent": p, "child": c, "work_order": w, "qty": str(q)} for p, c, w, q in query]


def trace(code: str, direction: str = "backward", max_depth: int = MAX_DEPTH) -> dict:
    """Everything that went into a batch (backward) or everywhere it went (forward), all levels.

    Forward also lists where the reached batches are now, the work orders that consumed them
    and what was dispatched to whom.
    """
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or not 1 <= max_depth <= MAX_DEPTH:
        raise ValidationError("depth", f"must be a whole number 1 to {MAX_DEPTH}")
    batch = get_batch(code)
    nodes = walk(batch.id, direction, max_depth)
    ids = [n["id"] for n in nodes]
    result = {"batch": code, "direction": direction, "batches": [{k: v for k, v in n.items() if k != "id"} for n in nodes],
              "links": _links(ids)}
    if direction == "forward":
        result.update(where_now(ids), **movements(ids))
    return result


def where_now(batch_ids: list[int]) -> dict:
    """Where the batches are now: quantity per location (non-zero only)."""
    rows = (StockBalance.select(Batch.code, Location.code, StockBalance.qty).join(Batch).switch(StockBalance)
            .join(Location).where(StockBalance.batch.in_(batch_ids), StockBalance.qty != 0)
            .order_by(Batch.code, Location.code).tuples())
    return {"locations": [{"batch": b, "location": loc, "qty": str(q)} for b, loc, q in rows]}


def movements(batch_ids: list[int]) -> dict:
    """Consumptions into work orders and dispatches to customers of these batches."""
    rows = (StockMove.select(StockMove.kind, Batch.code, Item.unit, WorkOrder.number, StockMove.reference,
                             fn.SUM(StockMove.qty), fn.MIN(StockMove.at))
            .join(Batch, on=StockMove.batch == Batch.id).join(Item, on=Batch.item == Item.id)
            .switch(StockMove).join(WorkOrder, join_type=JOIN.LEFT_OUTER, on=StockMove.work_order == WorkOrder.id)
            .where(StockMove.batch.in_(batch_ids), StockMove.kind.in_(CONSUMING + ("dispatch",)))
            .group_by(StockMove.kind, Batch.code, Item.unit, WorkOrder.number, StockMove.reference)
            .order_by(fn.MIN(StockMove.at), Batch.code).tuples())
    consumed, dispatched = [], []
    for kind, batch, unit, number, reference, qty, at in rows:
        amount = str(-(_units.from_units(qty) or Decimal(0)))
        if kind == "dispatch":
            dispatched.append({"batch": batch, "qty": amount, "unit": unit, "to": reference, "at": _iso(at)})
        else:
            consumed.append({"batch": batch, "qty": amount, "unit": unit, "work_order": number, "kind": kind, "at": _iso(at)})
    return {"consumptions": consumed, "dispatches": dispatched}


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
