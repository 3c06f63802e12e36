"""Page timings of the batch pages and the search on a big plant, SQLite and PostgreSQL.

The plant is ``bigplant.build_big_plant``: 100,000 batches, 1,000,000 ledger rows and a genealogy
ten levels deep. Each page is requested through the Flask test client as a signed-in
supervisor, so the time is the server's (routing, login check, queries, template), without a
network; median and 95th percentile per page. Beside each page, the bare query it rests on
(the same lookup with peewee, no Flask, no template) shows what the page adds. Target: 100 ms.

    python bench/bench_pages.py                          # SQLite and PostgreSQL, full size
    python bench/bench_pages.py --db sqlite --batches 20000 --ledger 200000   # quicker
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import fresh, stats  # noqa: E402
from bigplant import build_big_plant  # noqa: E402

from central import genealogy  # noqa: E402
from central.db import database  # noqa: E402
from central.models import Batch  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/shopfloor_bench_pages"


def signed_in_client(url: str):
    """A test client of the app on ``url``, signed in as a supervisor through the login form."""
    from central import create_app, settle
    from central.auth import create_user

    app = create_app({"database.url": url, "web.secret_key": "bench", "data_dir": "/tmp/shopfloor-bench-pages"})
    create_user("bench", "bench password 1", "supervisor", "Bench")
    settle()  # as central.wsgi does for gunicorn
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": "bench", "password": "bench password 1", "csrf_token": token})
    assert answer.status_code == 302, answer.status_code
    return client


def time_page(client, path: str, runs: int, expect: tuple[int, ...] = (200,)) -> list[float]:
    """Request ``path`` ``runs`` times (after one warm-up); durations in seconds."""
    first = client.get(path)
    assert first.status_code in expect, (path, first.status_code)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(path)
        samples.append(time.perf_counter() - t0)
    return samples


def time_bare(fn, runs: int) -> list[float]:
    """Call ``fn`` ``runs`` times; durations in seconds."""
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def run(kind: str, args) -> None:
    """Build the plant in a fresh database of ``kind`` and time every page."""
    url = fresh(kind, args.pg_url)
    plant = build_big_plant(batches=args.batches, ledger_rows=args.ledger)
    print(f"\n{kind}: {plant.batches:,} batches, {plant.ledger_rows:,} ledger rows, {plant.work_orders:,} work orders "
          f"built in {plant.seconds:.1f} s")
    client = signed_in_client(url)
    database.connect(reuse_if_open=True)
    deep, root = plant.deep_batch, plant.root_batch
    levels = max(n["depth"] for n in genealogy.walk(Batch.get(Batch.code == deep).id, "backward"))
    reach = len(genealogy.walk(Batch.get(Batch.code == root).id, "forward"))
    print(f"  {deep}: {levels} levels back; {root}: {reach} batches made from it")
    gs1 = f"(01){plant.gtin}(17)271231(10){deep}"
    raw = f"]C101{plant.gtin}17271231\x1d10{deep}"
    page_list = [
        ("batches list", "/batches", None),
        ("batches list, page 2", None, None),
        ("batches list, item + status", f"/batches?item={plant.item}&status=quarantine", None),
        ("batches list, expiring in 30 days", "/batches?expiry=30", None),
        ("batches list, text (old codes)", "/batches?text=LOT-00012", None),
        ("batch home page", f"/batches/{deep}", lambda: Batch.get(Batch.code == deep)),
        ("trace, depth-10 batch", f"/batches/{deep}/trace",
         lambda: genealogy.walk(Batch.get(Batch.code == deep).id, "backward")),
        ("trace, raw lot (big recall)", f"/batches/{root}/trace",
         lambda: genealogy.walk(Batch.get(Batch.code == root).id, "forward")),
        ("recall CSV, raw lot", f"/batches/{root}/recall.csv", None),
        ("search: batch code", f"/search?q={deep}", None),
        ("search: work order", f"/search?q={plant.work_order}", None),
        ("search: item code", f"/search?q={plant.item}", None),
        ("search: GTIN", f"/search?q={plant.gtin}", None),
        ("search: GS1 (HRI)", f"/search?q={quote(gs1)}", None),
        ("search: GS1 (raw, GS)", f"/search?q={quote(raw)}", None),
        ("search: supplier lot", f"/search?q={plant.supplier_lot}", None),
        ("search: operator badge", f"/search?q={plant.operator}", None),
        ("search: machine", f"/search?q={plant.machine}", None),
        ("search: station", f"/search?q={plant.station}", None),
        ("search: location", f"/search?q={plant.location}", None),
        ("search: asset", f"/search?q={plant.asset}", None),
        ("search: prefix, no exact match", "/search?q=LOT-00123", None),
        ("search: nothing matches", "/search?q=NO-SUCH-THING", None),
        ("flags", "/flags", None),
    ]
    second = client.get("/batches").get_data(as_text=True)
    after = re.search(r'rel="next" href="\?([^"]+)"', second).group(1).replace("&amp;", "&")
    print(f"  {'page':36} {'server time (test client)':50} bare query")
    for name, path, bare in page_list:
        path = path or f"/batches?{after}"
        expect = (302,) if name.startswith("search: ") and "prefix" not in name and "nothing" not in name else (200,)
        samples = time_page(client, path, args.runs, expect)
        line = f"  {name:36} {stats(samples):50}"
        if bare is not None:
            line += " " + stats(time_bare(bare, args.runs)).split("   (")[0]
        print(line)
    database.close()


def main() -> None:
    """Parse arguments and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    args = parser.parse_args()
    print("page timings: target <= 100 ms median and p95 for every page")
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args)


if __name__ == "__main__":
    main()
