"""Costing benchmarks: (b) completing a work order that backflushes 300 input batches,
(c) an issue against an item with 100,000 FIFO layers (cost grows with the layers consumed),
(d) one more output and one more issue on a work order with 1, 100, 1,000 and 10,000 outputs
and issues already on it (must stay flat), with the ledger and genealogy rows each writes, and
(e) completing (settling) a work order with that many outputs.

    python bench/bench_costing.py                 # issue sizes, SQLite + PostgreSQL
    python bench/bench_costing.py --db sqlite --layers 10000
"""
from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import DEFAULT_PG, analyze, fresh, stats  # noqa: E402

from central import catalog, inventory, production, recipes  # noqa: E402
from central.consumption import Issue, issue_materials  # noqa: E402
from central.db import database  # noqa: E402
from central.inventory import Actor  # noqa: E402
from central.models import (CostLayer, Item, Location, StockBalance, StockMove, WorkCentre,  # noqa: E402
                            WorkOrderInput, WorkOrderOutput, utcnow)
from central.outputs import Output, report_outputs  # noqa: E402

ACTOR = Actor(user="bench")


def setup() -> None:
    """Locations and items."""
    catalog.create_location({"code": "STORE", "role": "storage"})
    catalog.create_location({"code": "FG", "role": "finished"})
    catalog.create_item({"code": "RM", "unit": "kg"})
    catalog.create_item({"code": "FG", "unit": "pcs"})
    catalog.create_item({"code": "OIL", "unit": "l", "batch_tracked": False})


def bench_completion(inputs: int, runs: int) -> None:
    """(b) Each run: a fresh work order whose completion backflushes ``inputs`` batches."""
    recipes.create_recipe({"code": "R", "inputs": [{"item": "RM", "qty_per_unit": "1", "mode": "backflush"}],
                           "outputs": [{"item": "FG", "kind": "main", "cost_share": "100"}]})
    samples = []
    for run in range(runs):
        for k in range(inputs):
            inventory.receive(item="RM", qty=D(1), batch=f"RM-{run}-{k}", unit_cost=D("1.25"), location="STORE",
                              actor=ACTOR)
        number = f"WO-{run}"
        production.create_work_order({"number": number, "recipe": "R", "planned_qty": str(inputs), "status": "released"})
        production.report_output(number, item="FG", kind="main", batch=f"FG-{run}", qty=D(inputs), actor=ACTOR)
        t0 = time.perf_counter()
        wo = production.complete(number, ACTOR)
        samples.append(time.perf_counter() - t0)
        assert wo.input_cost == D("1.25") * inputs, wo.input_cost
    rows = StockMove.select().where(StockMove.kind == "backflush").count() // runs
    print(f"  (b) complete a work order consuming {inputs} input batches ({rows} ledger rows each): {stats(samples)}"
          f"   target <= 200 ms")


def load_layers(n: int) -> None:
    """``n`` receipts of OIL as FIFO layers, written in bulk (ledger, balance and layers agree)."""
    item = Item.get(Item.code == "OIL")
    store = Location.get(Location.code == "STORE")
    now = utcnow()
    with database.atomic():
        for start in range(0, n, 5000):
            chunk = range(start, min(n, start + 5000))
            CostLayer.insert_many([{"item": item.id, "batch": None, "is_open": True, "qty_in": D(1), "qty": D(1),
                                    "value": D(1 + k % 7), "unit_cost": D(1 + k % 7), "created_at": now} for k in chunk]).execute()
            StockMove.insert_many([{"at": now, "kind": "receipt", "item": item.id, "batch": None, "location": store.id,
                                    "qty": D(1), "value": D(1 + k % 7), "user": "bench"} for k in chunk]).execute()
        StockBalance.create(item=item.id, batch=None, location=store.id, qty=D(n))
    analyze()


def bench_layers(n: int, runs: int) -> None:
    """(c) Issues of 1, 10, 100 and 1000 layers' worth against an item with ``n`` open layers."""
    load_layers(n)
    for size in (1, 10, 100, 1000):
        samples = []
        before = CostLayer.select().join(Item).where(Item.code == "OIL", CostLayer.is_open == True, CostLayer.qty > 0).count()  # noqa: E712
        if size * runs > before:
            break
        for _ in range(runs):
            t0 = time.perf_counter()
            inventory.issue(item="OIL", qty=D(size), actor=ACTOR)
            samples.append(time.perf_counter() - t0)
        print(f"  (c) issue consuming {size:5} layers, {before:,} open before: {stats(samples)}")


def _rows() -> int:
    return StockMove.select().count() + WorkOrderInput.select().count() + WorkOrderOutput.select().count()


def bench_history(sizes: list[int], runs: int) -> None:
    """(d) and (e): per-event cost of an output and an issue as the work order's history grows, then completion.

    The history is built through the same domain functions in sets of 1,000 (outputs, and
    issues of as many distinct input batches), so the database holds exactly what the floor
    would have written.
    """
    catalog.create_item({"code": "MIXIN", "unit": "kg"})
    recipes.create_recipe({"code": "RH", "inputs": [{"item": "RM", "qty_per_unit": "1"}, {"item": "MIXIN", "qty_per_unit": "0.1"}],
                           "outputs": [{"item": "FG", "kind": "main", "cost_share": "100"}],
                           "stages": [{"seq": 10, "work_centre": "WC", "standard_minutes": "60"}]})
    for size in sizes:
        number = f"WOH-{size}"
        production.create_work_order({"number": number, "recipe": "RH", "planned_qty": str(size + 100), "status": "released"})
        prior = size - 1
        for start in range(0, prior, 1000):
            n = min(1000, prior - start)
            with database.atomic():
                _bulk_receipts(size, start, n)
                issue_materials([Issue(number, D(1), ACTOR, batch=f"H{size}-RM-{k}") for k in range(start, start + n)])
                report_outputs([Output(number, "FG", "main", f"H{size}-FG-{k}", D(1), ACTOR) for k in range(start, start + n)])
        analyze()
        inventory.receive(item="MIXIN", qty=D(1000), batch=f"H{size}-MIX", unit_cost=D("3"), location="STORE", actor=ACTOR)
        out_t, issue_t, rows = [], [], []
        for run in range(runs):
            before = _rows()
            t0 = time.perf_counter()
            production.report_output(number, item="FG", kind="main", batch=f"H{size}-X-{run}", qty=D(1), actor=ACTOR)
            out_t.append(time.perf_counter() - t0)
            middle = _rows()
            t0 = time.perf_counter()
            production.issue_material(number, batch=f"H{size}-MIX", qty=D("0.1"), actor=ACTOR)
            issue_t.append(time.perf_counter() - t0)
            rows.append((middle - before, _rows() - middle))
        print(f"  (d) {size:6,} outputs on the work order: one more output {stats(out_t)}")
        print(f"      {'':28} one more issue  {stats(issue_t)}")
        print(f"      rows written (ledger + genealogy): output {max(r[0] for r in rows)}, issue {max(r[1] for r in rows)}")
        t0 = time.perf_counter()
        production.complete(number, ACTOR)
        done = time.perf_counter() - t0
        revaluations = StockMove.select().where(StockMove.kind == "revaluation",
                                                StockMove.reference == f"settlement of {number}").count()
        print(f"  (e) complete it ({size + runs:,} outputs): {done * 1000:8.1f} ms, {revaluations:,} revaluation rows")


def _bulk_receipts(size: int, start: int, n: int) -> None:
    """``n`` received input batches, through the receipt function (each one transaction of its own)."""
    for k in range(start, start + n):
        inventory.receive(item="RM", qty=D(2), batch=f"H{size}-RM-{k}", unit_cost=D("1.25"), location="STORE", actor=ACTOR)


def run(kind: str, inputs: int, layers: int, runs: int, pg_url: str, history: list[int]) -> None:
    """One database: every benchmark."""
    fresh(kind, pg_url)
    print(f"\n{kind}:")
    setup()
    WorkCentre.create(code="WC", labour_rate=D("0.5"), overhead_rate=D("0.25"))
    bench_history(history, runs)
    bench_completion(inputs, runs)
    bench_layers(layers, runs)
    database.close()



def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=300)
    parser.add_argument("--layers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    parser.add_argument("--history", default="1,100,1000,10000", help="outputs already on the work order")
    args = parser.parse_args()
    history = [int(x) for x in args.history.split(",")]
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.inputs, args.layers, args.runs, args.pg_url, history)


if __name__ == "__main__":
    main()
