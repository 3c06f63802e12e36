"""A big plant for the page benches: 100,000 batches, 1,000,000 ledger rows, a depth-10 genealogy.

The catalogue (items with GTINs, locations, work centres, machines, stations, operators,
recipes, a hundred released work orders, reason codes) comes from ``plantdata.build_plant``
through the domain functions; the bulk is generated in SQL, the same statements on SQLite and
PostgreSQL (a recursive series or ``generate_series``), so 100,000 batches load in seconds:

- batches ``LOT-0000001`` ...: the first ``WINDOW`` are goods received (raw materials, with a
  supplier and supplier lot), every later one is the main output of its own finished work order
  ``WO-B0000001`` ... that consumed three batches ``WINDOW`` .. ``WINDOW + 15`` before it, so the
  newest batches descend through ten levels (``BigPlant.deep_batch``) and the oldest are the
  ancestors of hundreds;
- one balance per batch (every fifth one empty), spread over the locations;
- ledger rows (``stock_move``): a receipt or an output per batch, the three issues of each work
  order, then transfers, dispatches to customers and adjustments up to ``ledger_rows``;
- every 40th batch in quarantine, every 97th blocked, expiry dates over two years.

Use from another bench (run from the repository root, ``bench/`` on ``sys.path``)::

    from benchdb import fresh
    from bigplant import build_big_plant
    fresh("sqlite")              # or fresh("postgres", url): an empty migrated database
    plant = build_big_plant()    # BigPlant: codes worth timing (a deep batch, an item, a GTIN, ...)
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from benchdb import analyze, is_sqlite
from plantdata import build_plant

from central.db import database
from central.maintenance.assets import create_asset

SCALE = 10**6  # FixedDecimalField stores micro-units
SPREAD = 16  # the three parents of a made batch lie among the 16 batches WINDOW before it


@dataclass(frozen=True)
class BigPlant:
    """What was built, and codes a bench can look up."""

    batches: int
    ledger_rows: int
    work_orders: int
    deep_batch: str  # its backward trace goes ten levels deep
    root_batch: str  # a raw-material lot: its forward trace (a recall) reaches hundreds of batches
    quarantined_batch: str
    item: str
    gtin: str
    supplier_lot: str
    work_order: str
    operator: str
    machine: str
    station: str
    location: str
    asset: str
    seconds: float


def _series(n: int) -> tuple[str, str]:
    """A prefix and a FROM source that give rows ``i`` = 1 .. n on either database."""
    if is_sqlite():
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ", "s"
    return "", f"generate_series(1, {n}) AS s(i)"


def _code(prefix: str, expr: str) -> str:
    """SQL for ``prefix`` followed by ``expr`` zero-padded to seven digits (same on both databases)."""
    return f"'{prefix}' || substr('0000000' || ({expr}), -7, 7)" if is_sqlite() else \
        f"'{prefix}' || lpad(({expr})::text, 7, '0')"


def build_big_plant(*, batches: int = 100_000, ledger_rows: int = 1_000_000, depth: int = 10) -> BigPlant:
    """Fill an empty, migrated database (see ``benchdb.fresh``) with a plant of this size."""
    started = time.perf_counter()
    build_plant(stations=20, operators=200, batches=0, work_orders=100)
    create_asset("A-PRESS-01", name="Press 1", machine="M-01")
    window = max(SPREAD + 1, int(batches / (depth + 0.5)))  # so the newest batch is ten levels deep
    ids = {code: i for code, i in database.execute_sql("SELECT code, id FROM item").fetchall()}
    rm_first, fg_first = ids["RM-001"], ids["FG-001"]
    locations = [i for (i,) in database.execute_sql("SELECT id FROM location ORDER BY id").fetchall()]
    recipe = database.execute_sql("SELECT id FROM recipe ORDER BY id").fetchone()[0]
    wo_base = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM work_order").fetchone()[0]
    _set_gtins()
    series, src = _series(batches)
    made = f"FROM {src} WHERE i > {window + SPREAD}"
    nloc = len(locations)
    loc = f"(CASE MOD(i, {nloc}) " + " ".join(f"WHEN {k} THEN {v}" for k, v in enumerate(locations)) + " END)"
    status = "(CASE WHEN MOD(i, 97) = 0 THEN 'blocked' WHEN MOD(i, 40) = 0 THEN 'quarantine' ELSE 'released' END)"
    day = "date('2026-01-01', '+' || MOD(i, 730) || ' days')" if is_sqlite() else \
        "(DATE '2026-01-01' + MOD(i, 730))"
    item = f"(CASE WHEN i <= {window} THEN {rm_first} + MOD(i, 50) ELSE {fg_first} + MOD(i, 50) END)"
    with database.atomic():
        database.execute_sql(
            f"INSERT INTO batch (id, code, item_id, status, expiry, supplier, supplier_lot, unit_cost, created_at) {series}"
            f"SELECT i, {_code('LOT-', 'i')}, {item}, {status}, {day}, "
            f"CASE WHEN i <= {window} THEN 'SUP-' || MOD(i, 20) END, "
            f"CASE WHEN i <= {window} THEN {_code('SL-', 'i')} END, {2 * SCALE}, '2026-01-01' FROM {src}")
        database.execute_sql(
            f"INSERT INTO work_order (id, number, recipe_id, planned_qty, priority, status, created_at, started_at, "
            f"completed_at, input_cost, conversion_cost, output_value, scrap_loss, variance) {series}"
            f"SELECT {wo_base} + i, {_code('WO-B', 'i')}, {recipe}, {100 * SCALE}, 5, 'done', '2026-01-01', "
            f"'2026-01-01', '2026-01-02', 0, 0, 0, 0, 0 {made}")
        database.execute_sql(
            f"INSERT INTO work_order_output (work_order_id, batch_id, item_id, kind, qty, location_id, value, at) {series}"
            f"SELECT {wo_base} + i, i, {item}, 'main', {100 * SCALE}, {loc}, 0, '2026-01-02' {made}")
        for j in range(3):
            database.execute_sql(
                f"INSERT INTO work_order_input (work_order_id, batch_id, item_id, qty) {series}"
                f"SELECT {wo_base} + i, i - {window} - MOD(i * 7 + {j * 5}, {SPREAD}), {rm_first}, {30 * SCALE} {made}")
        database.execute_sql(
            f"INSERT INTO stock_balance (item_id, batch_id, location_id, qty) {series}"
            f"SELECT {item}, i, {loc}, CASE WHEN MOD(i, 5) = 0 THEN 0 ELSE {70 * SCALE} END FROM {src}")
        _ledger(batches, ledger_rows, window, wo_base, locations, rm_first, fg_first)
    if not is_sqlite():
        for table in ("batch", "work_order", "stock_move", "stock_balance"):
            database.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    analyze()
    moves = database.execute_sql("SELECT COUNT(*) FROM stock_move").fetchone()[0]
    wos = database.execute_sql("SELECT COUNT(*) FROM work_order").fetchone()[0]
    code = lambda i: f"LOT-{i:07d}"  # noqa: E731
    root = window // 2
    item_code, gtin = database.execute_sql("SELECT code, gtin FROM item WHERE code = 'FG-001'").fetchone()
    return BigPlant(batches=batches, ledger_rows=moves, work_orders=wos, deep_batch=code(batches),
                    root_batch=code(root), quarantined_batch=code(40), item=item_code, gtin=gtin,
                    supplier_lot=f"SL-{root:07d}", work_order=f"WO-B{batches:07d}", operator="OP-0001",
                    machine="M-01", station="S001", location="STORE", asset="A-PRESS-01",
                    seconds=time.perf_counter() - started)


def _set_gtins() -> None:
    """A valid GTIN-13 (check digit right) on every item, in code order."""
    from biip.gtin import Gtin

    rows = database.execute_sql("SELECT id FROM item ORDER BY code").fetchall()
    for n, (item_id,) in enumerate(rows):
        body = f"950600{n:06d}"
        digits = [int(c) for c in body]
        check = (10 - sum(d * (3 if k % 2 else 1) for k, d in enumerate(digits)) % 10) % 10
        gtin = body + str(check)
        Gtin.parse(gtin)  # refuses a wrong check digit
        database.execute_sql(f"UPDATE item SET gtin = {database.param} WHERE id = {database.param}",
                             (gtin.zfill(14), item_id))


def _at(var: str) -> str:
    """SQL for a moment in 2026 spread by the integer ``var``."""
    if is_sqlite():
        return f"datetime('2026-01-01', '+' || MOD({var}, 300) || ' days', '+' || MOD({var}, 1440) || ' minutes')"
    return f"(TIMESTAMP '2026-01-01' + MOD({var}, 300) * INTERVAL '1 day' + MOD({var}, 1440) * INTERVAL '1 minute')"


def _ledger(batches: int, total: int, window: int, wo_base: int, locations: list[int], rm: int, fg: int) -> None:
    """Ledger rows: a receipt or output per batch, three issues per work order, then other moves up to ``total``."""
    loc = f"(CASE MOD(i, {len(locations)}) " + " ".join(f"WHEN {k} THEN {v}" for k, v in enumerate(locations)) + " END)"
    columns = "(at, kind, item_id, batch_id, location_id, qty, value, work_order_id, reference, created_at)"

    def item(b: str) -> str:
        return f"(CASE WHEN {b} <= {window} THEN {rm} + MOD({b}, 50) ELSE {fg} + MOD({b}, 50) END)"

    made = window + SPREAD  # batches after this one were made by a work order
    series, src = _series(batches)
    database.execute_sql(
        f"INSERT INTO stock_move {columns} {series}"
        f"SELECT {_at('i')}, CASE WHEN i <= {made} THEN 'receipt' ELSE 'output' END, {item('i')}, i, {loc}, "
        f"{100 * SCALE}, {200 * SCALE}, CASE WHEN i > {made} THEN {wo_base} + i END, NULL, {_at('i')} FROM {src}")
    database.execute_sql(
        f"INSERT INTO stock_move {columns} SELECT {_at('woi.id')}, 'issue', woi.item_id, woi.batch_id, "
        f"{locations[0]}, {-30 * SCALE}, {-60 * SCALE}, woi.work_order_id, NULL, {_at('woi.id')} "
        f"FROM work_order_input woi")
    done = database.execute_sql("SELECT COUNT(*) FROM stock_move").fetchone()[0]
    rest = max(0, total - done)
    if rest:
        series, src = _series(rest)
        kind = "(CASE MOD(i, 3) WHEN 0 THEN 'dispatch' WHEN 1 THEN 'transfer' ELSE 'adjustment' END)"
        b = f"(MOD(i * 793, {batches}) + 1)"  # i * 793 stays within a 32-bit integer
        database.execute_sql(
            f"INSERT INTO stock_move {columns} {series}"
            f"SELECT {_at('i')}, {kind}, {item(b)}, {b}, {loc}, -{SCALE}, -{2 * SCALE}, NULL, "
            f"CASE WHEN MOD(i, 3) = 0 THEN 'CUST-' || MOD(i, 50) END, {_at('i')} FROM {src}")
