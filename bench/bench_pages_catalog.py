"""Server time of the item, location, work-centre, recipe, station, machine and operator pages on a big plant.

The plant is generated in SQL: 1,000 items, 100 locations, 20 work centres, 100 machines and
stations, 500 recipes (3 inputs, 2 stages each), 500 operators, 10,000 done work orders, 100,000
batches (one item holds a fifth of them; one location half the stock), a balance and an open cost
layer per batch, 1,000,000 ledger rows and 100,000 events. Each page is rendered through the Flask
test client by a signed-in admin (routing, session, queries, template), and timed beside a bare
Flask view answering a constant through the same client (the floor no page can go below). On
PostgreSQL the app keeps its connections in a pool (``web.db_pool``, as served); the floor and a
few pages are timed again with a connection opened per request, to show what the pool saves.

    python bench/bench_pages_catalog.py                      # SQLite and PostgreSQL, full size
    python bench/bench_pages_catalog.py --db sqlite --batches 20000 --moves 200000   # quicker

Target: median and p95 of every page <= 100 ms.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import analyze, fresh, is_sqlite, stats  # noqa: E402

from central import create_app, settle  # noqa: E402
from central.auth import create_user  # noqa: E402
from central.db import database  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/sf_catalog_pages_bench"
ITEMS, LOCATIONS, CENTRES, MACHINES, STATIONS, RECIPES, OPERATORS, WORK_ORDERS = 1000, 100, 20, 100, 100, 500, 500, 10_000
M = 1_000_000  # fixed-decimal scale: 1 unit = 1,000,000 in the column


def _series(n: int) -> tuple[str, str]:
    """A CTE prefix and a FROM source giving i = 1..n on this database."""
    if is_sqlite():
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ", "s"
    return "", f"generate_series(1, {n}) AS s(i)"


def _fill(table: str, columns: str, select: str, n: int, where: str = "") -> None:
    prefix, source = _series(n)
    sql = f"INSERT INTO {table} ({columns}) {prefix}SELECT {select} FROM {source} {where}"
    database.execute_sql(sql if is_sqlite() else sql.replace("%", "%%"))  # psycopg2 reads % as a parameter


def _pad(expr: str, width: int) -> str:
    """SQL for ``expr`` as text zero-padded to ``width`` digits."""
    if is_sqlite():
        return f"printf('%0{width}d', {expr})"
    return f"lpad(({expr})::text, {width}, '0')"


def load(batches: int, moves: int, events: int) -> None:
    """Generate the plant in SQL."""
    t, f = "TRUE", "FALSE"
    uuid = ("lower(hex(randomblob(16)))" if is_sqlite() else "md5(random()::text || i::text)::uuid")
    with database.atomic():
        _fill("item", "id, code, name, unit, batch_tracked, costing, last_cost, active, created_at",
              f"i, 'IT-' || {_pad('i', 4)}, 'Item ' || i, 'kg', {t}, CASE WHEN i % 3 = 0 THEN 'average' ELSE 'fifo' END, "
              f"{M // 2}, {t}, '2026-01-01'", ITEMS)
        _fill("location", "id, code, name, role, active",
              f"i, 'LOC-' || {_pad('i', 3)}, 'Location ' || i, 'storage', {t}", LOCATIONS)
        _fill("work_centre", "id, code, name, labour_rate, overhead_rate",
              f"i, 'WC-' || {_pad('i', 2)}, 'Centre ' || i, {M // 2}, {M // 4}", CENTRES)
        _fill("skill", "id, code, name", f"i, 'SK-' || {_pad('i', 2)}, 'Skill ' || i", CENTRES)
        _fill("work_centre_skill", "work_centre_id, skill_id, min_level", "i, i, 1", CENTRES)
        _fill("machine", "id, code, name, work_centre_id, active, created_at",
              f"i, 'M-' || {_pad('i', 3)}, 'Machine ' || i, (i % {CENTRES}) + 1, {t}, '2026-01-01'", MACHINES)
        _fill("machine_skill", "machine_id, skill_id, min_level", f"i, ((i + 1) % {CENTRES}) + 1, 2", MACHINES)
        _fill("station", "id, code, site, name, kind, work_centre_id, active, last_seq, status, status_at, queue_depth, "
              "dead_letters, config_version, created_at",
              f"i, 'S' || {_pad('i', 3)}, 'plant1', 'Station ' || i, 'production', (i % {CENTRES}) + 1, {t}, 0, "
              f"CASE WHEN i % 7 = 0 THEN 'offline' ELSE 'online' END, '2026-11-30', i % 5, 0, 'abcdef012345', "
              f"'2026-01-01'", STATIONS)
        _fill("operator", "id, badge, name, active, created_at",
              f"i, 'OP-' || {_pad('i', 4)}, 'Operator ' || i, {t}, '2026-01-01'", OPERATORS)
        _fill("certification", "operator_id, skill_id, level, issued, expires, issued_by, created_at",
              f"((i - 1) % {OPERATORS}) + 1, (i % {CENTRES}) + 1, 2, '2026-01-01', '2027-12-31', 'bench', '2026-01-01'",
              OPERATORS * 2)
        _fill("recipe", "id, code, name, item_id, active, created_at",
              f"i, 'R-' || {_pad('i', 4)}, 'Recipe ' || i, {ITEMS - RECIPES} + i, {t}, '2026-01-01'", RECIPES)
        for k in range(3):
            _fill("recipe_input", "recipe_id, item_id, qty_per_unit, mode",
                  f"i, ((i * 7 + {k * 131}) % {ITEMS - RECIPES}) + 1, {M}, 'scanned'", RECIPES)
        _fill("recipe_output", "recipe_id, item_id, kind, cost_share", f"i, {ITEMS - RECIPES} + i, 'main', {100 * M}", RECIPES)
        for k in (1, 2):
            _fill("recipe_stage", "recipe_id, seq, work_centre_id, standard_minutes, skill_id",
                  f"i, {k * 10}, ((i + {k}) % {CENTRES}) + 1, {30 * M}, NULL", RECIPES)
        # A fifth of the batches are of IT-0001 (the worst item page); the rest spread over every item.
        item_of = f"CASE WHEN i % 5 = 0 THEN 1 ELSE (i % {ITEMS}) + 1 END"
        _fill("batch", "id, code, item_id, status, expiry, unit_cost, created_at",
              f"i, 'B' || {_pad('i', 7)}, {item_of}, CASE WHEN i % 97 = 0 THEN 'quarantine' ELSE 'released' END, "
              f"'2027-06-01', {M}, '2026-01-01'", batches)
        place = f"CASE WHEN i % 2 = 0 THEN 1 ELSE (i % {LOCATIONS}) + 1 END"  # LOC-001 holds half the stock
        _fill("stock_balance", "item_id, batch_id, location_id, qty", f"{item_of}, i, {place}, CASE WHEN i % 10 = 0 THEN 0 ELSE {100 * M} END", batches)
        _fill("cost_layer", "item_id, batch_id, is_open, qty_in, qty, value, unit_cost, created_at",
              f"{item_of}, i, {t}, {100 * M}, {100 * M}, {100 * M}, {M}, '2026-01-01'", batches)
        _fill("work_order", "id, number, recipe_id, planned_qty, priority, status, created_at, input_cost, conversion_cost, "
              "output_value, scrap_loss, variance",
              f"i, 'WO-' || {_pad('i', 6)}, (i % {RECIPES}) + 1, {100 * M}, 5, 'done', '2026-01-01', 0, 0, 0, 0, 0",
              WORK_ORDERS)
        for k in (1, 2):
            _fill("work_order_stage", "work_order_id, seq, work_centre_id, standard_minutes, started_at, started_by, "
                  "completed_at, completed_by",
                  f"i, {k * 10}, ((i + {k}) % {CENTRES}) + 1, {30 * M}, '2026-11-01', 'OP-' || {_pad(f'(i % {OPERATORS}) + 1', 4)}, "
                  f"'2026-11-01', 'OP-' || {_pad(f'(i % {OPERATORS}) + 1', 4)}", WORK_ORDERS)
        _fill("work_order_output", "work_order_id, batch_id, item_id, kind, qty, location_id, value, operator, at",
              f"i, i, {item_of}, 'main', {100 * M}, 1, 0, 'OP-' || {_pad(f'(i % {OPERATORS}) + 1', 4)}, '2026-11-01'",
              min(WORK_ORDERS, batches))
        _fill("stock_move", "at, kind, item_id, batch_id, location_id, qty, value, user, created_at".replace(
              "user", '"user"'),
              f"'2026-11-01', CASE WHEN i % 2 = 0 THEN 'issue' ELSE 'receipt' END, "
              f"CASE WHEN ((i % {batches}) + 1) % 5 = 0 THEN 1 ELSE (((i % {batches}) + 1) % {ITEMS}) + 1 END, "
              f"(i % {batches}) + 1, 1, {M}, {M}, 'bench', '2026-11-01'", moves)
        _fill("event_record", "id, type, site, station, seq, at, operator, payload, received_at, flagged",
              f"{uuid}, 'stage.started', 'plant1', 'S' || {_pad(f'(i % {STATIONS}) + 1', 3)}, i, '2026-11-01', "
              f"'OP-' || {_pad(f'(i % {OPERATORS}) + 1', 4)}, '{{}}', '2026-11-01', {f}", events)
    if not is_sqlite():
        for table in ("item", "location", "work_centre", "skill", "machine", "station", "operator", "recipe", "batch",
                      "work_order"):
            database.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    analyze()


PAGES = ["/items", "/items?q=IT-05", "/items?kind=made", "/items?costing=average&tracked=yes", "/items/IT-0001",
         "/items/IT-0555", "/locations", "/locations/LOC-001", "/locations/LOC-050", "/work-centres", "/work-centres/WC-01",
         "/recipes", "/recipes?item=IT-0600", "/recipes/R-0001", "/recipes/R-0001/edit", "/stations", "/stations?status=offline",
         "/stations/S001", "/machines/M-001", "/operators/OP-0001"]
NEXT = re.compile(r'rel="next" href="([^"]+)"')


def run(kind: str, batches: int, moves: int, events: int, runs: int, pg_url: str) -> None:
    """Build, load and time one database."""
    url = fresh(kind, pg_url)
    started = time.perf_counter()
    load(batches, moves, events)
    create_user("bench", "bench password 1", "admin")
    print(f"\n{kind}: {batches:,} batches, {moves:,} ledger rows, {events:,} events loaded in "
          f"{time.perf_counter() - started:.1f} s")
    database.close()
    client = signed_in(url, kind)

    def timed(path: str) -> tuple[list[float], str]:
        samples, body = [], ""
        for k in range(runs + 2):
            t0 = time.perf_counter()
            resp = client.get(path)
            elapsed = time.perf_counter() - t0
            assert resp.status_code == 200, (path, resp.status_code)
            body = resp.get_data(as_text=True)
            if k >= 2:  # the first two warm the caches
                samples.append(elapsed)
        return samples, body

    bare, _ = timed("/bench-bare")
    print(f"  {'bare Flask view (the floor)':42} {stats(bare)}")
    worst = 0.0
    for path in PAGES:
        samples, body = timed(path)
        print(f"  {path:42} {stats(samples)}")
        worst = max(worst, sorted(samples)[min(len(samples) - 1, int(len(samples) * 0.95))])
        more = NEXT.search(body)
        if more and not path.startswith("/recipes/"):
            second = path.split("?")[0] + more.group(1).replace("&amp;", "&")
            samples, _ = timed(second)
            print(f"  {'  ... its next page':42} {stats(samples)}")
            worst = max(worst, sorted(samples)[min(len(samples) - 1, int(len(samples) * 0.95))])
    print(f"  worst p95 {worst * 1000:.1f} ms ({'within' if worst <= 0.1 else 'OVER'} the 100 ms target)")
    if kind != "sqlite":  # the same with a connection opened for each request
        client = signed_in(url, kind, pool=0)
        print(f"  {'with web.db_pool = 0 (no pool)':42}")
        for path in ["/bench-bare"] + PAGES[:5]:
            samples, _ = timed(path)
            print(f"  {path:42} {stats(samples)}")


def signed_in(url: str, kind: str, pool: int | None = None):
    """A test client of a fresh app on ``url`` (as central.wsgi makes it), signed in as the bench admin;
    ``pool`` overrides ``web.db_pool``."""
    settings = {"database.url": url, "web.secret_key": "bench",
                "data_dir": str(Path(url.split("///")[-1]).parent) if kind == "sqlite" else "/tmp/shopfloor-bench-pages"}
    app = create_app(settings if pool is None else {**settings, "web.db_pool": pool})
    app.add_url_rule("/bench-bare", "bench_bare", lambda: "ok")
    settle()  # as central.wsgi does for gunicorn
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": "bench", "password": "bench password 1", "csrf_token": token}).status_code == 302
    return client


def main() -> None:
    """Parse arguments and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    args = parser.parse_args()
    print("catalogue pages: server time through the Flask test client, target <= 100 ms each")
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.batches, args.moves, args.events, args.runs, args.pg_url)


if __name__ == "__main__":
    main()
