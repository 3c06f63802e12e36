"""Costing benchmarks: (b) completing a work order that backflushes 300 input batches,
(c) an issue against an item with 100,000 FIFO layers (cost grows with the layers consumed).

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
from central.db import database  # noqa: E402
from central.inventory import Actor  # noqa: E402
from central.models import CostLayer, Item, Location, StockBalance, StockMove, utcnow  # noqa: E402

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


def run(kind: str, inputs: int, layers: int, runs: int, pg_url: str) -> None:
    """One database: both benchmarks."""
    fresh(kind, pg_url)
    print(f"\n{kind}:")
    setup()
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
    args = parser.parse_args()
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.inputs, args.layers, args.runs, args.pg_url)


if __name__ == "__main__":
    main()
