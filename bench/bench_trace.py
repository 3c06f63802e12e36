"""Trace (recall query) on a large genealogy: backward and forward, depth 10, SQLite and PostgreSQL.

The genealogy is generated in SQL, in the shape central stores it (work-order inputs and
outputs): N batches, and each batch i > W is made by a work order that consumed three batches
among i-W-15 .. i-W (as a line consuming recent lots would): 3 input rows and 1 output row per
batch. A depth-10 trace then reaches several hundred batches, like a real recall. Both the
recall query alone (``walk``) and the full trace the API returns (``trace``: batches, links,
and for forward traces locations, consumptions and dispatches) are timed.

    python bench/bench_trace.py                    # 1,000,000 batches, ~3,000,000 links, SQLite + PostgreSQL
    python bench/bench_trace.py --batches 100000   # quicker
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import DEFAULT_PG, analyze, fresh, is_sqlite, stats  # noqa: E402

from central import genealogy  # noqa: E402
from central.db import database  # noqa: E402

WINDOW = 10_000
SPREAD = 16  # parents of batch i are three of i-W-15 .. i-W


def load(n: int) -> int:
    """Generate the genealogy; returns the number of genealogy rows (work-order inputs + outputs)."""
    database.execute_sql("INSERT INTO item (code, name, unit, batch_tracked, costing, last_cost, active, created_at) "
                         "VALUES ('BENCH', 'bench item', 'kg', TRUE, 'fifo', 0, TRUE, '2026-01-01')")
    database.execute_sql("INSERT INTO location (code, name, role, active) VALUES ('L', 'bench', 'storage', TRUE)")
    database.execute_sql("INSERT INTO recipe (code, name, item_id, active, created_at) "
                         "VALUES ('R', 'bench', 1, TRUE, '2026-01-01')")
    if is_sqlite():
        series = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
        source = "s"
    else:
        series, source = "", f"generate_series(1, {n}) AS s(i)"
    with database.atomic():
        database.execute_sql(
            f"INSERT INTO batch (id, code, item_id, status, unit_cost, created_at) {series}"
            f"SELECT i, 'B' || i, 1, 'released', 0, '2026-01-01' FROM {source}")
        made = f"FROM {source} WHERE i > {WINDOW + SPREAD}"
        database.execute_sql(
            f"INSERT INTO work_order (id, number, recipe_id, planned_qty, priority, status, created_at, input_cost, "
            f"conversion_cost, output_value, scrap_loss, variance) {series}"
            f"SELECT i, 'WO' || i, 1, 1000000, 5, 'done', '2026-01-01', 0, 0, 0, 0, 0 {made}")
        database.execute_sql(
            f"INSERT INTO work_order_output (work_order_id, batch_id, item_id, kind, qty, location_id, value, at) {series}"
            f"SELECT i, i, 1, 'main', 1000000, 1, 0, '2026-01-01' {made}")
        for j in range(3):
            database.execute_sql(
                f"INSERT INTO work_order_input (work_order_id, batch_id, item_id, qty) {series}"
                f"SELECT i, i - {WINDOW} - MOD(i * 7 + {j * 5}, {SPREAD}), 1, 1000000 {made}")
    if not is_sqlite():
        for table in ("batch", "work_order"):
            database.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    analyze()
    return sum(database.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
               for t in ("work_order_input", "work_order_output"))


def run(kind: str, n: int, depth: int, runs: int, pg_url: str) -> None:
    """Build, load and time one database."""
    fresh(kind, pg_url)
    started = time.perf_counter()
    links = load(n)
    print(f"\n{kind}: {n:,} batches, {links:,} genealogy rows loaded in {time.perf_counter() - started:.1f} s")
    middle = n // 2
    for direction in ("backward", "forward"):
        samples, reached = [], 0
        for k in range(runs):
            batch_id = middle + k * 37
            t0 = time.perf_counter()
            reached = len(genealogy.walk(batch_id, direction, depth))
            samples.append(time.perf_counter() - t0)
        print(f"  {direction:8} depth {depth}: {reached:4} batches reached   {stats(samples)}")
        samples = []
        for k in range(max(3, runs // 4)):
            code = f"B{middle + k * 41}"
            t0 = time.perf_counter()
            result = genealogy.trace(code, direction, depth)
            samples.append(time.perf_counter() - t0)
        print(f"  {direction:8} full trace() as the API returns it: {len(result['batches']):4} batches, "
              f"{len(result['links']):4} links{' + locations/moves' if direction == 'forward' else ''}   {stats(samples)}")
    # a trace that reaches nothing must cost nothing, whatever the history: the newest batch forward
    # (nothing made from it yet) and the oldest backward (received, not made)
    for direction, batch_id in (("forward", n), ("backward", 1)):
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            reached = len(genealogy.walk(batch_id, direction, depth))
            samples.append(time.perf_counter() - t0)
        print(f"  {direction:8} of a batch with no {'children' if direction == 'forward' else 'parents'}: "
              f"{reached} batch reached   {stats(samples)}")
    database.close()


def main() -> None:
    """Parse arguments and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=1_000_000)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    args = parser.parse_args()
    print(f"trace benchmark: target <= 50 ms for a depth-{args.depth} trace")
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.batches, args.depth, args.runs, args.pg_url)


if __name__ == "__main__":
    main()
