"""Maintenance from the floor with real processes and a real mosquitto: a down report makes one
breakdown work order however often it arrives and from however many stations; a cycle schedule
comes due after the right number of outputs; a scheduler killed with SIGKILL and restarted (next
to a second one) makes each due work order exactly once."""
from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest

from central.db import database
from central.maintenance import schedules, templates
from central.models import (Machine, MaintenanceSchedule, MaintenanceWorkOrder, ReasonCode, ScheduleRun, Station,
                            WorkCentre, utcnow)
from central.maintenance.assets import create_asset
from edge.contract import encode_events, make_event
from tests.central.factories import make_work_orders
from tests.central.test_ingest import Peer
from tests.system.procs import EdgeProc, Proc

pytestmark = pytest.mark.system


@pytest.fixture
def line(db):
    """Stations S01 and S02 at work centre PRESS with machine M-1 (asset PRESS-1), reason DT-JAM, work orders."""
    with database.atomic():
        centre = WorkCentre.create(code="PRESS")
        Machine.create(code="M-1", name="Press", work_centre=centre.id)
        create_asset("PRESS-1", name="Press", machine="M-1")
        for code in ("S01", "S02"):
            Station.create(code=code, site="plant1", work_centre=centre.id)
        ReasonCode.create(code="DT-JAM", category="downtime")
        make_work_orders("PRESS")
        templates.save_template("LUBE", {"title": "Lubricate the press", "type": "preventive"}, by="pat")
    database.close()


def _breakdowns():
    with database.connection_context():
        return list(MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.source == "breakdown"))


def test_a_down_event_delivered_three_times_makes_one_work_order(line, mosquitto, start_ingest):
    start_ingest()
    peer = Peer(mosquitto)
    down = make_event("machine.down", site="plant1", station="S01", seq=1, operator="OP-1", data={"reason": "DT-JAM"})
    for _ in range(3):
        peer.publish(encode_events([down]))
        assert peer.ack()["accepted"] == [down.id]
    peer.close()
    [wo] = _breakdowns()
    assert wo.wo_type == "corrective" and "S01" in wo.description


def test_down_scans_at_two_stations_make_one_work_order(tmp_path, line, mosquitto, start_ingest):
    start_ingest()
    edges = [EdgeProc(tmp_path, mosquitto, code).start() for code in ("S01", "S02")]
    try:
        for e in edges:
            e.wait_view(lambda v: v["online"] and v["config_received"], what="online with its config")
        for e in edges:
            e.write("CMD:DOWN\nRC:DT-JAM\n")
        for e in edges:
            e.wait_view(lambda v: v["machine_down"] and v["queue_depth"] == 0, what="down, acked")
        [wo] = _breakdowns()
        # the station screens show the breakdown work order once central publishes it
        for e in edges:
            e.wait_view(lambda v: (v.get("breakdown") or {}).get("work_order") == wo.number, what="the work order")
        with database.connection_context():
            assert len(wo.downtimes) == 2
    finally:
        for e in edges:
            assert e.stop() == 0


def test_a_cycle_schedule_comes_due_after_the_right_number_of_outputs(line, mosquitto, start_ingest):
    with database.connection_context():
        schedules.create_schedule(code="LUBE-500", asset="PRESS-1", template="LUBE", trigger="cycles", interval="500",
                                  lead="50", by="pat")
    start_ingest()
    peer = Peer(mosquitto)
    seq = 0

    def output(qty: str):
        nonlocal seq
        seq += 1
        e = make_event("output.reported", site="plant1", station="S01", seq=seq, operator="OP-1",
                       data={"work_order": "WO-1", "kind": "main", "item": "FG-1", "batch": f"S01-B{seq}", "qty": qty})
        peer.publish(encode_events([e]))
        assert peer.ack()["accepted"] == [e.id]

    for _ in range(8):
        output("50")
    output("49")  # 449: not yet within the lead time (due at 500, opened 50 before)
    with database.connection_context():
        assert ScheduleRun.select().count() == 0
    output("1")  # 450: within the lead time
    with database.connection_context():
        [run] = ScheduleRun.select()
        assert run.due_value == 500 and run.work_order.source == "preventive"
    output("200")  # more outputs while it is open make nothing more
    peer.close()
    with database.connection_context():
        assert ScheduleRun.select().count() == 1


def _scheduler(tmp_path, db_url, name):
    env = {"SHOPFLOOR_DATABASE_URL": db_url, "DATABASE_URL": db_url, "SHOPFLOOR_DATA_DIR": str(tmp_path / "central"),
           "SHOPFLOOR_LOG_LEVEL": "WARNING", "SHOPFLOOR_MAINTENANCE_SCHEDULER_SECONDS": "0.3"}
    return Proc(["central", "scheduler"], env, tmp_path / f"{name}.log")


def test_a_scheduler_killed_and_restarted_makes_each_due_work_order_once(tmp_path, db_url, line):
    n = 120
    with database.atomic():
        for i in range(n):
            create_asset(f"FAN-{i}", name=f"Fan {i}")
        start = utcnow() - timedelta(days=1)
        for i in range(n):
            schedules.create_schedule(code=f"S-{i}", asset=f"FAN-{i}", template="LUBE", trigger="days", interval=7,
                                      starts_at=start.isoformat() + "Z", by="pat")
    database.close()
    first = _scheduler(tmp_path, db_url, "scheduler-1").start()
    time.sleep(random.uniform(1.0, 2.5))  # the process starts, connects, and is somewhere in a pass
    first.kill()
    first.start()
    second = _scheduler(tmp_path, db_url, "scheduler-2").start()  # two at once stay single
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with database.connection_context():
                if ScheduleRun.select().count() >= n:
                    break
            time.sleep(0.3)
        time.sleep(1.5)  # a few more passes of both: nothing more may come
    finally:
        assert first.stop() == 0 and second.stop() == 0
    with database.connection_context():
        runs = list(ScheduleRun.select(ScheduleRun.schedule).tuples())
        assert len(runs) == n and len(set(runs)) == n
        assert MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.source == "preventive").count() == n
        assert MaintenanceSchedule.select().where(MaintenanceSchedule.open_work_order.is_null()).count() == 0
