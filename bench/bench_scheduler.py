"""The maintenance scheduler and breakdowns at scale: one scheduler pass over 1,000 schedules whose
machines have counted 1,000,000 cycles, and a ``machine.down`` to its work order at the ingest;
SQLite and PostgreSQL.

Counters are running totals per machine, so a pass reads one row per schedule whatever the
history. Printed side by side with the bare library doing comparable work in the same run
(peewee's ``execute_sql`` reading the same rows, and inserting an event row and a work-order row).
Targets: <= 1 s a pass, <= 50 ms a down report to its work order.

    python bench/bench_scheduler.py                    # both databases
    python bench/bench_scheduler.py --db sqlite --schedules 1000 --cycles 1000000
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import DEFAULT_PG, analyze, fresh, stats  # noqa: E402

from central.db import database, write_transaction  # noqa: E402


def load(n_schedules: int) -> None:
    """A work centre with a station, one machine and asset per schedule, a template, a rule, the schedules."""
    from central.maintenance import schedules, templates
    from central.maintenance.assignment import create_rule
    from central.maintenance.staff import create_technician
    from central.models import Asset, Machine, ReasonCode, Station, WorkCentre

    with database.atomic():
        centre = WorkCentre.create(code="LINE")
        Station.create(code="S01", site="plant1", work_centre=centre.id)
        ReasonCode.create(code="DT-JAM", category="downtime")
        Machine.insert_many([{"code": f"M-{i:04d}", "work_centre": None} for i in range(n_schedules)]).execute()
        Asset.insert_many([{"code": f"A-{i:04d}", "machine": i + 1, "criticality": "medium"}
                           for i in range(n_schedules)]).execute()
        templates.save_template("PM", {"title": "Preventive check", "type": "preventive"}, by="bench")
        create_technician("T1", name="Tech")
        create_rule(name="all", technician="T1")
        now = datetime(2026, 11, 1)
        for i in range(n_schedules):
            trigger = ("cycles", "cycles", "cycles", "run_hours", "days")[i % 5]
            # about one cycle schedule in twenty is due after the bench's 1,000 cycles a machine
            interval = {"cycles": 950 + (i * 7) % 1000, "run_hours": 500 + i % 200, "days": 14 + i % 30}[trigger]
            schedules.create_schedule(code=f"PM-{i:04d}", asset=f"A-{i:04d}", template="PM", trigger=trigger,
                                      interval=interval, cycle_source="counter", by="bench", now=now)


def count_cycles(n_schedules: int, n_cycles: int, per_event: int = 100) -> float:
    """Report ``n_cycles`` outputs' worth of machine counter readings through the recorder's counter
    path, spread over the machines; returns seconds."""
    from central.maintenance.counters import record_reading
    from edge.contract import validate_event

    readings = n_cycles // per_event
    t0 = time.perf_counter()
    totals = [0] * n_schedules
    at = datetime(2026, 11, 2, tzinfo=timezone.utc)
    for start in range(0, readings, 500):
        with write_transaction():
            for r in range(start, min(start + 500, readings)):
                m = r % n_schedules
                totals[m] += per_event
                raw = {"id": str(uuid.uuid4()), "type": "machine.counter", "site": "plant1", "station": "S01",
                       "seq": r + 1, "at": (at + timedelta(seconds=r)).isoformat().replace("+00:00", "Z"),
                       "operator": None, "data": {"counter": str(totals[m]), "machine": f"M-{m:04d}"}}
                record_reading(validate_event(raw))
    return time.perf_counter() - t0


def bare_pass(now: datetime) -> int:
    """The bare library: the same rows a pass reads (schedules, assets, counters), compared in Python."""
    rows = database.execute_sql(
        "SELECT s.id, s.trigger, s.interval, s.lead, s.baseline, s.due_at, s.cycle_source, s.open_work_order_id, "
        "c.output_cycles, c.counter_cycles, c.run_seconds, c.running_since FROM maintenance_schedule s "
        "JOIN asset a ON a.id = s.asset_id LEFT JOIN machine_counter c ON c.machine_id = a.machine_id "
        "WHERE s.active").fetchall()
    due = 0
    for _, trigger, interval, lead, baseline, due_at, source, open_wo, out_c, cnt_c, run_s, since in rows:
        if open_wo is not None:
            continue
        if trigger == "days":
            due += due_at is not None and str(due_at) <= str(now)
        else:
            value = (cnt_c if source == "counter" else out_c) if trigger == "cycles" else run_s * 10**6 // 3600
            due += (value or 0) >= baseline + interval - lead
    return due


def run(kind: str, n_schedules: int, n_cycles: int, runs: int, pg_url: str) -> None:
    """Build, load and time one database."""
    from central.maintenance.scheduler import run_pass
    from central.models import Downtime, MachineCounter, MaintenanceWorkOrder, ScheduleRun
    from central.recorder import record_raw

    fresh(kind, pg_url)
    table = MachineCounter._meta.table_name
    t0 = time.perf_counter()
    load(n_schedules)
    print(f"\n{kind}: {n_schedules} schedules on {n_schedules} machines loaded in {time.perf_counter() - t0:.1f} s")
    seconds = count_cycles(n_schedules, n_cycles)
    total = database.execute_sql(f"SELECT SUM(counter_cycles) FROM {table}").fetchone()[0] // 10**6
    print(f"  counted {total:,} cycles as {n_cycles // 100:,} counter readings in {seconds:.1f} s "
          f"({n_cycles // 100 / seconds:,.0f} readings/s)")
    analyze()
    now = datetime(2026, 11, 20)
    t0 = time.perf_counter()
    made = run_pass(now)
    first = time.perf_counter() - t0
    print(f"  first pass: {len(made)} work orders made in {first * 1000:.0f} ms")
    steady, bare = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        assert run_pass(now) == []
        steady.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with database.atomic():
            bare_pass(now)
        bare.append(time.perf_counter() - t0)
    print(f"  {'scheduler pass (nothing new due)':<44} {stats(steady):>24}   bare execute_sql + compare {stats(bare)}")
    assert ScheduleRun.select().count() == len(made)

    downs, bare_down = [], []
    for i in range(runs * 5):
        raw = {"id": str(uuid.uuid4()), "type": "machine.down", "site": "plant1", "station": "S01", "seq": 10**6 + i,
               "at": "2026-11-20T10:00:00.000Z", "operator": "OP-1", "data": {"reason": "DT-JAM",
                                                                                "machine": f"M-{i % n_schedules:04d}"}}
        t0 = time.perf_counter()
        with write_transaction():
            outcome = record_raw([raw], site="plant1", station="S01")
        downs.append(time.perf_counter() - t0)
        assert outcome.accepted == [raw["id"]]
        event_id = str(uuid.uuid4())
        t0 = time.perf_counter()
        with write_transaction():
            database.execute_sql(
                "INSERT INTO event_record (id, type, site, station, seq, at, operator, payload, received_at, flagged) "
                f"VALUES ({', '.join([database.param] * 10)})",
                (event_id.replace("-", "") if kind == "sqlite" else event_id, "machine.down", "plant1", "S01",
                 2 * 10**6 + i, datetime(2026, 11, 20, 10), "OP-1", json.dumps(raw), datetime.now(), False))
            database.execute_sql(
                "INSERT INTO maintenance_work_order (number, asset_id, wo_type, priority, status, title, description, "
                "source, requires_signoff, flagged, created_by, created_at) "
                f"VALUES ({', '.join([database.param] * 12)})",
                (f"BARE-{i}", 1 + i % n_schedules, "corrective", "high", "open", "Breakdown", "", "breakdown", False,
                 False, "bench", datetime.now()))
        bare_down.append(time.perf_counter() - t0)
    opened = MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.source == "breakdown",
                                                 ~MaintenanceWorkOrder.number.startswith("BARE-")).count()
    print(f"  {'machine.down to its work order (recorder)':<44} {stats(downs):>24}   bare two INSERTs {stats(bare_down)}")
    print(f"  {opened} breakdown work orders opened, {Downtime.select().count()} down reports")
    database.close()


def main() -> None:
    """Parse arguments and run the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schedules", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a database the bench may wipe")
    args = parser.parse_args()
    print("scheduler benchmark: targets <= 1 s a scheduler pass, <= 50 ms a machine.down to its work order")
    for kind in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        run(kind, args.schedules, args.cycles, args.runs, args.pg_url)


if __name__ == "__main__":
    main()
