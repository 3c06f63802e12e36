"""Batch genealogy: which batches went into which, and the recall query (trace back and forward).

Stored linearly: ``work_order_input`` says how much of a batch a work order consumed (net),
``work_order_output`` which batches it made. A batch's parents are the inputs of the work order
that made it, its children the outputs of the work orders that consumed it, so a work order
with I input batches and O output batches costs I + O rows, and every fact adds at most one
row or updates one. The rows are sums of the ledger, so they come out the same whatever
order the facts arrived in. A trace is one recursive query (``WITH RECURSIVE``), the same SQL
on SQLite and PostgreSQL.
"""
from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from defusedcsv import csv  # a cell starting with = + - @ is written as text, never as a formula

from peewee import EXCLUDED, JOIN, SqliteDatabase, fn

from central.catalog import get_batch
from central.db import database, in_ids
from central.errors import ValidationError
from central.models import Batch, Item, Location, StockBalance, StockMove, WorkOrder, WorkOrderInput, WorkOrderOutput
from central.models.fields import FixedDecimalField

CONSUMING = ("issue", "backflush")
MAX_DEPTH = 100
_units = FixedDecimalField()


def add_inputs(consumed: list[tuple[int, int, int, Decimal]]) -> None:
    """Add consumed quantities (work order id, batch id, item id, qty) to the work orders' inputs.

    One statement: an insert that adds to the row of a (work order, batch) already there.
    """
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    items: dict[tuple[int, int], int] = {}
    for wo_id, batch_id, item_id, qty in consumed:
        if batch_id is not None and qty:
            totals[(wo_id, batch_id)] += qty
            items[(wo_id, batch_id)] = item_id
    if not totals:
        return
    rows = [{"work_order": k[0], "batch": k[1], "item": items[k], "qty": q} for k, q in sorted(totals.items())]
    (WorkOrderInput.insert_many(rows)
     .on_conflict(conflict_target=[WorkOrderInput.work_order, WorkOrderInput.batch],
                  update={WorkOrderInput.qty: WorkOrderInput.qty + EXCLUDED.qty})
     .execute())


def _same(column: str, other: str) -> str:
    """``column = other`` as the recursive step's join to ``work_order_input``.

    On SQLite an equality there makes the planner, which expects the walk to be huge, build a
    Bloom filter over the whole ``work_order_input`` table once per trace: a full scan that
    grows with history (8 ms of a 1-row trace at 270,000 inputs). The same test written as a
    range is served by the same index without one. PostgreSQL estimates that range badly and
    turns to hash joins over whole tables, so it keeps the equality.
    """
    if isinstance(database.obj, SqliteDatabase):
        return f"{column} BETWEEN {other} AND {other}"
    return f"{column} = {other}"


def _walk_sql(direction: str) -> str:
    # one step: backward, from a batch to the inputs of the work order that made it; forward,
    # from a batch to the outputs of the work orders that consumed it. A work order that
    # consumed one of its own outputs does not make that batch its own parent.
    if direction == "backward":
        step = """SELECT i.batch_id, w.depth + 1 FROM walk w
            JOIN work_order_output o ON o.batch_id = w.batch_id
            JOIN work_order_input i ON {same_wo}
            WHERE w.depth < {p} AND i.qty > 0 AND i.batch_id <> o.batch_id"""
    else:
        step = """SELECT o.batch_id, w.depth + 1 FROM walk w
            JOIN work_order_input i ON {same_batch}
            JOIN work_order_output o ON o.work_order_id = i.work_order_id
            WHERE w.depth < {p} AND i.qty > 0 AND i.batch_id <> o.batch_id"""
    p = database.param
    return f"""
        WITH RECURSIVE walk(batch_id, depth) AS (
            SELECT {p}, 0
            UNION
            {step.format(p=p, same_wo=_same('i.work_order_id', 'o.work_order_id'), same_batch=_same('i.batch_id', 'w.batch_id'))}
        )
        SELECT b.id, b.code, it.code, b.status, MIN(w.depth)
        FROM walk w JOIN batch b ON b.id = w.batch_id JOIN item it ON it.id = b.item_id
        GROUP BY b.id, b.code, it.code, b.status
        ORDER BY MIN(w.depth), b.code
    """


def walk(batch_id: int, direction: str, max_depth: int = MAX_DEPTH) -> list[dict]:
    """The batches reachable from ``batch_id`` (itself at depth 0), nearest first: the recall query."""
    if direction not in ("backward", "forward"):
        raise ValidationError("direction", f"must be backward or forward, got {direction!r}")
    cursor = database.execute_sql(_walk_sql(direction), (batch_id, max_depth))
    return [{"id": r[0], "batch": r[1], "item": r[2], "status": r[3], "depth": r[4]} for r in cursor.fetchall()]


def _links(ids: list[int]) -> list[dict]:
    """Parent → child pairs among ``ids``: an input and an output of the same work order."""
    Parent, Child = Batch.alias(), Batch.alias()
    Out = WorkOrderOutput.alias()
    query = (WorkOrderInput.select(Parent.code, Child.code, WorkOrder.number, WorkOrderInput.qty)
             .join(Out, on=(Out.work_order == WorkOrderInput.work_order) & (Out.batch != WorkOrderInput.batch))
             .join(Parent, on=WorkOrderInput.batch == Parent.id).switch(WorkOrderInput)
             .join(Child, on=Out.batch == Child.id).switch(WorkOrderInput)
             .join(WorkOrder, on=WorkOrderInput.work_order == WorkOrder.id)
             .where(in_ids(WorkOrderInput.batch, ids) & in_ids(Out.batch, ids) & (WorkOrderInput.qty > 0))
             .order_by(Parent.code, Child.code).tuples())
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
        codes = {n["id"]: n["batch"] for n in nodes}
        result.update(where_now(codes), **movements(codes))
    return result


# The facts of the batches a trace reached are looked up by batch id alone, and codes, units and
# work-order numbers are put back in Python: joined to ``batch`` or ``work_order`` in SQL, a trace
# of a few hundred batches made PostgreSQL hash whole tables (a cost that grows with history).

def _balances(batch_ids: list[int]) -> list[tuple[int, str, int]]:
    """(batch id, location code, quantity) of every non-zero balance of these batches."""
    return list(StockBalance.select(StockBalance.batch, Location.code, StockBalance.qty).join(Location)
                .where(in_ids(StockBalance.batch, batch_ids), StockBalance.qty != 0).tuples())


def _moves(batch_ids: list[int], kinds: tuple[str, ...]) -> list[tuple]:
    """(kind, batch id, work order number, reference, quantity in micro-units, first moment) of these
    batches' moves of ``kinds``, summed per kind, batch, work order and reference."""
    rows = list(StockMove.select(StockMove.kind, StockMove.batch, StockMove.work_order, StockMove.reference,
                                 fn.SUM(StockMove.qty), fn.MIN(StockMove.at))
                .where(in_ids(StockMove.batch, batch_ids), StockMove.kind.in_(kinds))
                .group_by(StockMove.kind, StockMove.batch, StockMove.work_order, StockMove.reference).tuples())
    wo_ids = {r[2] for r in rows if r[2] is not None}
    numbers = dict(WorkOrder.select(WorkOrder.id, WorkOrder.number).where(in_ids(WorkOrder.id, wo_ids)).tuples()) \
        if wo_ids else {}
    # SQLite answers MIN() of a timestamp as text
    return [(kind, batch, numbers.get(wo), ref, qty, datetime.fromisoformat(at) if isinstance(at, str) else at)
            for kind, batch, wo, ref, qty, at in rows]


def _in_order(rows: list[tuple], codes: dict[int, str]) -> list[tuple]:
    """Moves oldest first, then by batch code, kind, work order and reference: the same order on every database."""
    return sorted(rows, key=lambda r: (r[5], codes[r[1]], r[0], r[2] or "", r[3] or ""))


def _units_of(batch_ids: list[int]) -> dict[int, str]:
    return dict(Batch.select(Batch.id, Item.unit).join(Item).where(in_ids(Batch.id, batch_ids)).tuples())


def where_now(codes: dict[int, str]) -> dict:
    """Where the batches (id → code) are now: quantity per location (non-zero only)."""
    rows = sorted((codes[b], loc, q) for b, loc, q in _balances(list(codes)))
    return {"locations": [{"batch": b, "location": loc, "qty": str(q)} for b, loc, q in rows]}


def movements(codes: dict[int, str]) -> dict:
    """Consumptions into work orders and dispatches to customers of these batches (id → code)."""
    rows = _in_order(_moves(list(codes), CONSUMING + ("dispatch",)), codes)
    units = _units_of(list({r[1] for r in rows})) if rows else {}
    consumed, dispatched = [], []
    for kind, batch, number, reference, qty, at in rows:
        amount = str(-(_units.from_units(qty) or Decimal(0)))
        code, unit = codes[batch], units[batch]
        if kind == "dispatch":
            dispatched.append({"batch": code, "qty": amount, "unit": unit, "to": reference, "at": _iso(at)})
        else:
            consumed.append({"batch": code, "qty": amount, "unit": unit, "work_order": number, "kind": kind,
                             "at": _iso(at)})
    return {"consumptions": consumed, "dispatches": dispatched}


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- the trace page and the recall export ------------------------------------------------------

def _details(ids: list[int]) -> dict[str, dict]:
    """Per batch code: item, name, unit, status, expiry, and the work order that made it with the quantity."""
    rows = (Batch.select(Batch.code, Item.code, Item.name, Item.unit, Batch.status, Batch.expiry,
                         WorkOrder.number, WorkOrderOutput.qty, WorkOrderOutput.kind)
            .join(Item, on=Batch.item == Item.id).switch(Batch)
            .join(WorkOrderOutput, JOIN.LEFT_OUTER, on=WorkOrderOutput.batch == Batch.id)
            .join(WorkOrder, JOIN.LEFT_OUTER, on=WorkOrderOutput.work_order == WorkOrder.id)
            .where(in_ids(Batch.id, ids)).tuples())
    return {code: {"batch": code, "item": item, "item_name": name, "unit": unit, "status": status,
                   "expiry": _iso(expiry), "made_by": number, "made_qty": str(qty) if qty is not None else None,
                   "output_kind": kind}
            for code, item, name, unit, status, expiry, number, qty, kind in rows}


def _tree_sql(direction: str) -> str:
    # the walk of ``_walk_sql`` carrying each step's edge (from which batch, by which work order, how
    # much was consumed), joined in the same statement to every fact the page shows of a batch
    if direction == "backward":
        step = """SELECT i.batch_id, w.depth + 1, w.batch_id, i.work_order_id, i.qty FROM walk w
            JOIN work_order_output o ON o.batch_id = w.batch_id
            JOIN work_order_input i ON {same_wo}
            WHERE w.depth < {p} AND i.qty > 0 AND i.batch_id <> o.batch_id"""
    else:
        step = """SELECT o.batch_id, w.depth + 1, w.batch_id, i.work_order_id, i.qty FROM walk w
            JOIN work_order_input i ON {same_batch}
            JOIN work_order_output o ON o.work_order_id = i.work_order_id
            WHERE w.depth < {p} AND i.qty > 0 AND i.batch_id <> o.batch_id"""
    p = database.param
    return f"""
        WITH RECURSIVE walk(batch_id, depth, from_id, work_order_id, qty) AS (
            SELECT {p}, 0, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
            UNION
            {step.format(p=p, same_wo=_same('i.work_order_id', 'o.work_order_id'), same_batch=_same('i.batch_id', 'w.batch_id'))}
        )
        SELECT w.batch_id, w.depth, f.code, wo.number, w.qty, b.code, it.code, it.name, it.unit, b.status,
               b.expiry, mwo.number, mo.qty, mo.kind
        FROM walk w JOIN batch b ON b.id = w.batch_id JOIN item it ON it.id = b.item_id
        LEFT JOIN batch f ON f.id = w.from_id
        LEFT JOIN work_order wo ON wo.id = w.work_order_id
        LEFT JOIN work_order_output mo ON mo.batch_id = b.id
        LEFT JOIN work_order mwo ON mwo.id = mo.work_order_id
        ORDER BY w.depth, b.code, f.code
    """


def trace_tree(code: str, direction: str = "backward", max_depth: int = MAX_DEPTH) -> dict:
    """A trace as a tree for the page: each batch with its facts, what it is linked by, where it is now.

    Backward, a batch's branches are the batches that went into it (quantity consumed, by which
    work order); forward, the batches made from it. One recursive query gives the batches, the
    links between them and their facts; two more where they are now and what was dispatched.
    A batch reached twice (a lot used in two places of the same tree) is expanded once; later it
    is marked ``repeat``.
    """
    if direction not in ("backward", "forward"):
        raise ValidationError("direction", f"must be backward or forward, got {direction!r}")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or not 1 <= max_depth <= MAX_DEPTH:
        raise ValidationError("depth", f"must be a whole number 1 to {MAX_DEPTH}")
    start = get_batch(code)
    rows = database.execute_sql(_tree_sql(direction), (start.id, max_depth)).fetchall()
    info: dict[str, dict] = {}
    ids: dict[str, int] = {}
    branches: dict[str, list[dict]] = defaultdict(list)
    seen_edges = set()
    for (batch_id, depth, parent, number, qty, batch, item, name, unit, status, expiry, made_by, made_qty,
         kind) in rows:
        if batch not in info:
            ids[batch] = batch_id
            info[batch] = {"batch": batch, "item": item, "item_name": name, "unit": unit, "status": status,
                           "expiry": _iso(expiry), "made_by": made_by,
                           "made_qty": str(_units.from_units(made_qty)) if made_qty is not None else None,
                           "output_kind": kind, "depth": depth, "locations": [], "dispatches": []}
        if parent is not None and (parent, batch, number) not in seen_edges:
            seen_edges.add((parent, batch, number))
            branches[parent].append({"batch": batch, "work_order": number, "qty": str(_units.from_units(qty))})
    codes = {batch_id: batch for batch, batch_id in ids.items()}
    for row in where_now(codes)["locations"]:
        info[row["batch"]]["locations"].append(row)
    dispatched = dispatches(codes, {batch_id: info[batch]["unit"] for batch_id, batch in codes.items()})
    for row in dispatched:
        info[row["batch"]]["dispatches"].append(row)
    expanded: set[str] = set()

    def grow(batch: str, via: dict | None, depth: int) -> dict:
        node = {**info[batch], "via": via, "depth": depth, "repeat": batch in expanded, "children": []}
        if node["repeat"] or depth >= max_depth:
            return node
        expanded.add(batch)
        node["children"] = [grow(b["batch"], b, depth + 1) for b in branches.get(batch, ())]
        return node

    return {"batch": code, "direction": direction, "root": grow(start.code, None, 0), "count": len(info),
            "levels": max((n["depth"] for n in info.values()), default=0),
            "dispatches": dispatched}


def dispatches(codes: dict[int, str], units: dict[int, str]) -> list[dict]:
    """What of these batches (id → code, id → unit) was dispatched, to whom and when (a row per batch and customer)."""
    rows = _in_order(_moves(list(codes), ("dispatch",)), codes)
    return [{"batch": codes[b], "unit": units[b], "to": to, "qty": str(-(_units.from_units(q) or Decimal(0))),
             "moment": at} for _, b, _, to, q, at in rows]


def recall_rows(code: str) -> list[dict]:
    """Every batch made from this one (itself included, all levels) and where each is now.

    One row per place: a location with stock on hand, a dispatch to a customer, or, for a batch
    with nothing left, what consumed it.
    """
    nodes = walk(get_batch(code).id, "forward")
    ids = [n["id"] for n in nodes]
    codes = {n["id"]: n["batch"] for n in nodes}
    info = _details(ids)
    depth = {n["batch"]: n["depth"] for n in nodes}
    places: dict[str, list[dict]] = defaultdict(list)
    for row in where_now(codes)["locations"]:
        places[row["batch"]].append({"where": "on hand", "place": row["location"], "qty": row["qty"], "at": None})
    moves = movements(codes)
    for row in moves["dispatches"]:
        places[row["batch"]].append({"where": "dispatched", "place": row["to"], "qty": row["qty"], "at": row["at"]})
    used = defaultdict(list)
    for row in moves["consumptions"]:
        used[row["batch"]].append({"where": "consumed", "place": row["work_order"], "qty": row["qty"], "at": row["at"]})
    rows = []
    for n in nodes:
        entry = info[n["batch"]]
        found = places.get(n["batch"]) or used.get(n["batch"]) or [{"where": "nothing left", "place": None,
                                                                   "qty": None, "at": None}]
        for p in found:
            rows.append({"depth": depth[n["batch"]], **{k: entry[k] for k in (
                "batch", "item", "item_name", "status", "expiry", "made_by")}, **p, "unit": entry["unit"]})
    return rows


RECALL_COLUMNS = ("depth", "batch", "item", "item_name", "status", "expiry", "made_by", "where", "place", "qty",
                  "unit", "at")


def recall_csv(code: str) -> str:
    """The recall list as CSV; a cell a spreadsheet would run as a formula is written as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECALL_COLUMNS)
    for row in recall_rows(code):
        writer.writerow(["" if row[c] is None else row[c] for c in RECALL_COLUMNS])
    return out.getvalue()
