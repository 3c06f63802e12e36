"""Server time of the work-order, stock, ledger and event-log pages on a big plant, SQLite and PostgreSQL.

The plant: 100,000 batches in stock (each with its balance and FIFO cost layer), 2,000 work
orders with inputs and outputs, 1,000,000 ledger rows over a year, 300,000 logged events (the
first 300,000 ledger rows point at them). Ledger, events and layers are generated in SQL. Each
page is requested through the real app (Flask test client, signed in as a supervisor, templates
rendered) and timed: median and 95th percentile. Beside each, the SQL the request ran, alone: the
same statements through the bare database driver on one warm connection, so what the page adds
to its queries shows. The app connects to the database for each request (no pool), which on
PostgreSQL includes starting a server process and warming its catalogue; that is in the server
time, not in the bare figure.

    python bench/bench_pages_production.py                 # SQLite and PostgreSQL
    python bench/bench_pages_production.py --db sqlite --ledger 200000   # quicker
    python bench/bench_pages_production.py --db postgres --reuse         # time again, without loading
"""
from __future__ import annotations

import argparse
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import analyze, fresh, is_sqlite, stats  # noqa: E402
from plantdata import build_plant  # noqa: E402

from central import create_app, settle  # noqa: E402
from central.auth import create_user  # noqa: E402
from central.db import database, open_database  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/sf_production_pages_bench"
WORK_ORDERS = 2_000
TARGET_MS = 100


def _series(n: int) -> tuple[str, str]:
    if is_sqlite():
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ", "s"
    return "", f"generate_series(1, {n}) AS s(i)"


def _moment(seconds: str) -> str:
    """SQL for 2026-01-01 plus ``seconds`` (an SQL expression), as each database stores a moment."""
    if is_sqlite():
        return f"strftime('%Y-%m-%d %H:%M:%S', '2026-01-01', '+' || ({seconds}) || ' seconds')"
    return f"TIMESTAMP '2026-01-01' + ({seconds}) * INTERVAL '1 second'"


def _uuid(i: str) -> str:
    if is_sqlite():
        return f"printf('%032x', {i})"
    return f"CAST(LPAD(TO_HEX({i}), 32, '0') AS uuid)"


def load(batches: int, ledger: int, events: int) -> None:
    """The plant, then work-order genealogy, cost layers, events and ledger rows in bulk SQL."""
    build_plant(stations=20, operators=50, batches=batches, work_orders=WORK_ORDERS)
    q = lambda sql: database.execute_sql(sql)  # noqa: E731
    first_batch = q("SELECT MIN(id) FROM batch").fetchone()[0]
    items = [r[0] for r in q("SELECT id FROM item WHERE SUBSTR(code, 1, 3) = 'RM-' ORDER BY id").fetchall()]
    n_items, item0 = len(items), items[0]
    locations = [r[0] for r in q("SELECT id FROM location ORDER BY id").fetchall()]
    wo0 = q("SELECT MIN(id) FROM work_order").fetchone()[0]
    series, source = _series(max(batches, ledger, events))
    with database.atomic():
        q(f"INSERT INTO cost_layer (item_id, batch_id, is_open, qty_in, qty, value, unit_cost, created_at) "
          f"SELECT item_id, id, TRUE, 100000000, 100000000, 150000000, 1500000, created_at FROM batch")
        # each work order consumed three batches and made one (of the last batches, so none is made twice)
        series_wo, source_wo = _series(WORK_ORDERS)
        for k in range(3):
            q(f"INSERT INTO work_order_input (work_order_id, batch_id, item_id, qty) {series_wo}"
              f"SELECT {wo0} + i - 1, b.id, b.item_id, 5000000 FROM {source_wo} "
              f"JOIN batch b ON b.id = {first_batch} + (i * 3 + {k})")
        q(f"INSERT INTO work_order_output (work_order_id, batch_id, item_id, kind, qty, location_id, value, at) "
          f"{series_wo}SELECT {wo0} + i - 1, {first_batch} + {batches} - i, "
          f"(SELECT r.item_id FROM recipe r JOIN work_order w ON w.recipe_id = r.id WHERE w.id = {wo0} + i - 1), "
          f"'main', 100000000, {locations[-1]}, 150000000, '2026-06-01' FROM {source_wo}")
        q(f"INSERT INTO event_record (id, type, site, station, seq, at, operator, payload, received_at, flagged, "
          f"work_order, batch) {series}"
          f"SELECT {_uuid('i')}, 'material.issued', 'plant1', 'S' || SUBSTR(CAST(1000 + MOD(i, 20) + 1 AS TEXT), 2), "
          f"i, {_moment(f'i * {31_536_000 // max(events, 1)}')}, 'OP-0001', "
          f"'{{\"data\":{{\"work_order\":\"WO-' || SUBSTR(CAST(10000 + MOD(i, {WORK_ORDERS}) + 1 AS TEXT), 2) || "
          f"'\",\"batch\":\"GI-' || SUBSTR(CAST(1000000 + MOD(i, {batches}) AS TEXT), 2) || '\",\"qty\":\"1\"}}}}', "
          f"'2026-01-01', MOD(i, 1000) = 0, "
          f"'WO-' || SUBSTR(CAST(10000 + MOD(i, {WORK_ORDERS}) + 1 AS TEXT), 2), "
          f"'GI-' || SUBSTR(CAST(1000000 + MOD(i, {batches}) AS TEXT), 2) FROM {source} WHERE i <= {events}")
        q(f"INSERT INTO stock_move (at, kind, item_id, batch_id, location_id, qty, value, work_order_id, user, "
          f"event_id, created_at) {series}"
          f"SELECT {_moment(f'i * {31_536_000 // max(ledger, 1)}')}, CASE WHEN MOD(i, 3) = 0 THEN 'issue' ELSE 'receipt' END, "
          f"{item0} + MOD(MOD(i, {batches}), {n_items}), {first_batch} + MOD(i, {batches}), "
          f"{locations[0]} + MOD(i, {len(locations)}), 1000000, 1500000, "
          f"CASE WHEN MOD(i, 3) = 0 THEN {wo0} + MOD(i, {WORK_ORDERS}) ELSE NULL END, 'bench', "
          f"CASE WHEN i <= {events} THEN {_uuid('i')} ELSE NULL END, '2026-01-01' "
          f"FROM {source} WHERE i <= {ledger}".replace(" user,", ' "user",'))
    analyze()


def sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "bench", "password": "bench supervisor 1", "csrf_token": token})
    assert response.status_code == 302, response.status_code


def pages() -> list[tuple[str, str]]:
    """(name, path) of every page timed; codes picked from the loaded data."""
    count = database.execute_sql("SELECT COUNT(*) FROM batch").fetchone()[0]
    some_batch = f"GI-{count // 2:06d}"
    event = database.execute_sql("SELECT id FROM event_record ORDER BY at DESC LIMIT 1 OFFSET 1000").fetchone()[0]
    event = str(uuid.UUID(str(event)))  # SQLite gives its hex, PostgreSQL the usual form
    return [
        ("work orders", "/work-orders"),
        ("work orders: open, item, due", "/work-orders?status=released&item=FG-007&due_from=2026-01-01"),
        ("work orders: number contains", "/work-orders?number=0123"),
        ("work order detail", "/work-orders/WO-0123"),
        ("stock", "/stock"),
        ("stock: item", "/stock?item=RM-017"),
        ("stock: location", "/stock?location=STORE"),
        ("stock: batch", f"/stock?batch={some_batch}"),
        ("cost layers of an item", "/stock/layers?item=RM-017"),
        ("ledger", "/ledger"),
        ("ledger: item", "/ledger?item=RM-017"),
        ("ledger: location", "/ledger?location=FG"),
        ("ledger: batch", f"/ledger?batch={some_batch}"),
        ("ledger: work order", "/ledger?work_order=WO-0123"),
        ("ledger: one day", "/ledger?since=2026-06-01&until=2026-06-01"),
        ("ledger: item and days", "/ledger?item=RM-017&since=2026-03-01&until=2026-03-31"),
        ("events", "/events"),
        ("events: work order", "/events?work_order=WO-0123"),
        ("events: station and day", "/events?station=S007&since=2026-06-01&until=2026-06-01"),
        ("events: flagged", "/events?flagged=1"),
        ("event detail", f"/events/{event}"),
    ]


class Queries:
    """Records the SQL statements a request runs (to run them again through the bare driver)."""

    def __init__(self):
        self.log: list[tuple[str, tuple]] = []
        self._original = database.obj.execute_sql

    def __enter__(self):
        def recorded(sql, params=None, *args, **kwargs):
            if sql.lstrip().upper().startswith("SELECT"):
                self.log.append((sql, params))
            return self._original(sql, params, *args, **kwargs)
        database.obj.execute_sql = recorded
        return self

    def __exit__(self, *exc):
        database.obj.execute_sql = self._original


def driver_connection(url: str):
    """One connection of the bare database driver, kept open for the whole run (warm, as a pool's would be)."""
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(url.split(":///", 1)[1])
    import psycopg2

    return psycopg2.connect(url)


def bare(connection, statements: list[tuple[str, tuple]]) -> float:
    """Seconds the bare driver takes to run and fetch these statements, with no ORM, template or connecting."""
    cursor = connection.cursor()
    start = time.perf_counter()
    for sql, params in statements:
        cursor.execute(sql, params or ())
        cursor.fetchall()
    return time.perf_counter() - start


def run(kind: str, batches: int, ledger: int, events: int, runs: int, pg_url: str, reuse: bool = False) -> None:
    started = time.perf_counter()
    if reuse:  # the PostgreSQL database a previous run loaded
        url = pg_url
        open_database(url).connect(reuse_if_open=True)
    else:
        url = fresh(kind, pg_url)
        load(batches, ledger, events)
        create_user("bench", "bench supervisor 1", "supervisor")
    counts = {t: database.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("batch", "stock_balance", "cost_layer", "stock_move", "event_record", "work_order")}
    print(f"\n{kind}: {'reused' if reuse else 'loaded'} in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    chosen = pages()
    database.close()
    app = create_app({"database.url": url, "web.secret_key": "bench", "data_dir": "/tmp/shopfloor-bench-pages"})
    settle()  # as central.wsgi does for gunicorn
    client = app.test_client()
    sign_in(client)
    raw = driver_connection(url)
    print(f"  {'page':32} {'server time (test client)':44} {'its SQL, bare driver':>22}  target <= {TARGET_MS} ms")
    slow = []
    for name, path in chosen:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[-2000:])
        samples, query_samples = [], []
        for _ in range(runs):
            with Queries() as seen:
                t0 = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - t0)
            query_samples.append(bare(raw, seen.log))
        median = sorted(samples)[len(samples) // 2]
        sql_median = sorted(query_samples)[len(query_samples) // 2]
        mark = "" if median * 1000 <= TARGET_MS else "   SLOW"
        if mark:
            slow.append(name)
        print(f"  {name:32} {stats(samples):44} {sql_median * 1000:10.2f} ms{mark}")
    raw.close()
    print(f"  {kind}: {len(chosen) - len(slow)} of {len(chosen)} pages within {TARGET_MS} ms (median)"
          + (f"; over: {', '.join(slow)}" if slow else ""))
    database.close()


def main() -> None:
    """Parse arguments and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    parser.add_argument("--reuse", action="store_true", help="time the PostgreSQL database an earlier run loaded")
    args = parser.parse_args()
    if args.reuse and args.db != "postgres":
        parser.error("--reuse needs --db postgres")
    print("page timings: work orders, stock, ledger, events (server time)")
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.batches, args.ledger, args.events, args.runs, args.pg_url, args.reuse)


if __name__ == "__main__":
    main()
