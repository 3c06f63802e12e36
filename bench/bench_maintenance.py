"""Maintenance at scale: the technician's list and the asset history page with 50,000 maintenance
work orders on 500 assets, and the assignment of a new request with 200 rules; SQLite and PostgreSQL.

Server time is measured through the Flask app (routing, login, queries, template), side by side
with the bare library doing the same reads in the same run (peewee's execute_sql with the
equivalent SQL), so the cost of the layers above the database shows.

    python bench/bench_maintenance.py                     # both databases
    python bench/bench_maintenance.py --db sqlite --work-orders 10000
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import DEFAULT_PG, analyze, fresh, stats  # noqa: E402

from central.db import database  # noqa: E402

START = datetime(2024, 1, 1)
TECHS = 20
STATUSES = ["done"] * 17 + ["cancelled", "open", "assigned", "in_progress", "on_hold"]


def load(n_orders: int, n_assets: int, n_rules: int) -> None:
    """Areas, lines, assets, technicians with logins, a team, rules, and the work orders with their records."""
    from central.auth import create_user
    from central.models import (Area, Asset, Assignee, AssignmentRule, LogEntry, MaintenanceWorkOrder, PartUse,
                                Shift, Team, TeamMember, Technician, TimeEntry, User)
    from central.catalog import create_item, create_location

    rnd = random.Random(12)
    with database.atomic():
        Area.insert_many([{"code": f"AREA-{a}", "name": f"Hall {a}"} for a in range(5)]).execute()
        Asset.insert_many([{"code": f"AS-{i:04d}", "name": f"Machine {i}", "area": 1 + i % 5, "location": f"Bay {i}",
                            "criticality": "medium", "created_at": START} for i in range(n_assets)]).execute()
        for t in range(TECHS):
            user = create_user(f"tech{t}", "bench password", "technician")
            Technician.create(code=f"T{t:02d}", name=f"Tech {t}", user=user, hourly_rate=50)
        team = Team.create(code="ALL", name="Everyone")
        TeamMember.insert_many([{"team": team.id, "technician": t + 1} for t in range(TECHS)]).execute()
        Shift.insert_many([{"technician": t + 1, "weekday": d, "start_minute": 0, "minutes": 1440}
                           for t in range(TECHS) for d in range(7)]).execute()
        # rules that mostly do not match (other assets), then area rules to the team
        rules = [{"name": f"asset rule {r}", "position": r, "asset": 1 + (r * 7) % n_assets, "wo_type": "inspection",
                  "technician": 1 + r % TECHS} for r in range(n_rules - 5)]
        rules += [{"name": f"area {a}", "position": 1000 + a, "area": a + 1, "team": team.id} for a in range(5)]
        AssignmentRule.insert_many(rules).execute()
        create_location({"code": "STORE", "role": "storage"})
        create_item({"code": "PART", "unit": "pcs", "costing": "fifo", "batch_tracked": False})
    rows, assignees, times, logs, parts = [], [], [], [], []
    for i in range(1, n_orders + 1):
        created = START + timedelta(minutes=17 * i)
        status = STATUSES[rnd.randrange(len(STATUSES))]
        rows.append({"number": f"MWO-{i:06d}", "asset": 1 + rnd.randrange(n_assets), "wo_type": "corrective",
                     "priority": rnd.choice(["low", "normal", "high", "urgent"]), "status": status,
                     "title": f"Fault {i}", "description": "bench", "source": "manual", "created_by": "bench",
                     "created_at": created, "done_at": created + timedelta(hours=3) if status == "done" else None})
        assignees.append({"work_order": i, "technician": 1 + rnd.randrange(TECHS), "why": "bench",
                          "assigned_by": "bench", "assigned_at": created})
        times.append({"work_order": i, "technician": assignees[-1]["technician"], "started_at": created,
                      "ended_at": created + timedelta(minutes=45), "minutes": 45, "hourly_rate": 50, "cost": 37.5})
        logs.append({"work_order": i, "kind": "status", "text": "opened", "by": "bench", "at": created})
        if i % 4 == 0:
            parts.append({"work_order": i, "item": 1, "location": 1, "qty": 1, "value": 12, "by": "bench", "at": created})
    with database.atomic():
        for model, data in ((MaintenanceWorkOrder, rows), (Assignee, assignees), (TimeEntry, times), (LogEntry, logs),
                            (PartUse, parts)):
            for k in range(0, len(data), 2000):
                model.insert_many(data[k:k + 2000]).execute()
    analyze()
    assert User.select().count() == TECHS


def timed(fn, runs: int) -> list[float]:
    """Durations of ``runs`` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def run(kind: str, n_orders: int, n_assets: int, n_rules: int, runs: int, pg_url: str) -> None:
    """Build, load and time one database."""
    from central import create_app
    from central.auth import issue_token
    from central.maintenance.assignment import choose
    from central.maintenance.requests import approve, submit_request
    from central.models import MaintenanceWorkOrder, User

    url = fresh(kind, pg_url)
    t0 = time.perf_counter()
    load(n_orders, n_assets, n_rules)
    print(f"\n{kind}: {n_orders:,} work orders on {n_assets} assets, {n_rules} rules, loaded in "
          f"{time.perf_counter() - t0:.1f} s")
    token = issue_token(User.get(User.username == "tech3"), "bench")
    database.close()
    app = create_app({"database.url": url, "web.secret_key": "bench", "data_dir": str(Path(url[10:]).parent)
                      if kind == "sqlite" else "/tmp"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def page(path):
        def get():
            resp = client.get(path)
            assert resp.status_code == 200, resp.status_code
        return get

    database.connect(reuse_if_open=True)
    busiest = database.execute_sql(
        "SELECT asset_id FROM maintenance_work_order GROUP BY asset_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    code = database.execute_sql(f"SELECT code FROM asset WHERE id = {busiest}").fetchone()[0]
    count = database.execute_sql(f"SELECT COUNT(*) FROM maintenance_work_order WHERE asset_id = {busiest}").fetchone()[0]
    open_sql = ("SELECT w.*, a.code FROM maintenance_work_order w JOIN asset a ON a.id = w.asset_id "
                "JOIN assignee s ON s.work_order_id = w.id WHERE s.technician_id = 4 AND s.active "
                "AND w.status IN ('open', 'assigned', 'in_progress', 'on_hold') ORDER BY w.priority, w.due, w.id LIMIT 200")
    history_sql = [f"SELECT * FROM maintenance_work_order WHERE asset_id = {busiest} ORDER BY id DESC LIMIT 100",
                   f"SELECT status, COUNT(*) FROM maintenance_work_order WHERE asset_id = {busiest} GROUP BY status",
                   f"SELECT * FROM work_request WHERE asset_id = {busiest} ORDER BY id DESC LIMIT 100",
                   f"SELECT p.* FROM part_use p JOIN maintenance_work_order w ON w.id = p.work_order_id "
                   f"WHERE w.asset_id = {busiest} ORDER BY p.id DESC LIMIT 100",
                   f"SELECT SUM(cost) FROM time_entry WHERE work_order_id IN (SELECT id FROM maintenance_work_order "
                   f"WHERE asset_id = {busiest})"]
    open_rows = len(database.execute_sql(open_sql).fetchall())
    database.close()

    def bare(sqls):
        def go():
            database.connect(reuse_if_open=True)
            for sql in sqls:
                database.execute_sql(sql).fetchall()
            database.close()
        return go

    print(f"  technician's list (/maintenance/my, {open_rows} open of ~{n_orders // TECHS:,} assigned)")
    print(f"    page   {stats(timed(page('/maintenance/my'), runs))}")
    print(f"    bare   {stats(timed(bare([open_sql]), runs))}")
    print(f"  asset history (/maintenance/assets/{code}, {count} work orders)")
    print(f"    page   {stats(timed(page(f'/maintenance/assets/{code}'), runs))}")
    print(f"    bare   {stats(timed(bare(history_sql), runs))}")
    print("  work order page (/maintenance/work-orders/MWO-000777)")
    print(f"    page   {stats(timed(page('/maintenance/work-orders/MWO-000777'), runs))}")

    database.connect(reuse_if_open=True)
    request = submit_request(asset="AS-0003", description="bench request")
    wo = MaintenanceWorkOrder.get(MaintenanceWorkOrder.number == "MWO-000001")
    at = datetime(2026, 11, 23, 9, 0)
    samples = timed(lambda: choose(wo, at), runs)
    print(f"  choosing an assignee with {n_rules} rules")
    print(f"    choose {stats(samples)}")
    print(f"    bare   {stats(timed(bare(['SELECT * FROM assignment_rule WHERE active ORDER BY position, id']), runs))}")
    database.connect(reuse_if_open=True)
    t0 = time.perf_counter()
    approve(request.number, by="bench")
    print(f"    approving one request (work order + rules + log, one transaction): "
          f"{(time.perf_counter() - t0) * 1000:.2f} ms")
    database.close()


def main() -> None:
    """Parse arguments and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-orders", type=int, default=50_000)
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    args = parser.parse_args()
    print("maintenance benchmark: targets <= 100 ms server time for the pages, <= 20 ms for an assignment")
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.work_orders, args.assets, args.rules, args.runs, args.pg_url)


if __name__ == "__main__":
    main()
