"""The live board's read model: state, progress, expected completion, risk, machines and stations."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from central.board import BoardFilter, board_filter, read_board, shown
from central.db import database
from central.production import set_status
from central.inventory import Actor
from tests.central.boardplant import Floor, build_plant

UTC = ZoneInfo("UTC")


def naive(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@pytest.fixture
def plant(db):
    build_plant()
    return Floor()


def test_only_work_orders_in_flight_are_on_the_board(plant):
    board = read_board(UTC)
    assert [r.number for r in board.work_orders] == ["WO-1", "WO-2"]  # WO-3 is a draft
    assert all(r.state == "not_started" for r in board.work_orders)
    set_status("WO-2", "cancelled", Actor(user="tester"))
    assert [r.number for r in read_board(UTC).work_orders] == ["WO-1"]


def test_a_running_stage_with_its_operator_machine_and_progress(plant):
    now = datetime.now(timezone.utc)
    t0 = now - timedelta(minutes=40)
    plant.send("S01", "operator.signed_in", t0)
    plant.send("S01", "stage.started", t0, work_order="WO-1", stage=10)
    plant.send("S01", "output.reported", t0 + timedelta(minutes=10), work_order="WO-1", kind="main", item="FG-1",
               batch="S01-A", qty="10")
    plant.send("S01", "output.reported", t0 + timedelta(minutes=20), work_order="WO-1", kind="main", item="FG-1",
               batch="S01-B", qty="10")
    plant.send("S01", "scrap.reported", t0 + timedelta(minutes=21), work_order="WO-1", qty="2", reason="SCR-BAD")
    row = next(r for r in read_board(UTC, naive(now)).work_orders if r.number == "WO-1")
    assert row.state == "running" and row.stage == 10 and row.work_centre == "MIX"
    assert row.machines == ("MX-1",) and row.operators == (("OP-1", "Ann"),)
    assert (row.good, row.scrap, row.percent) == (Decimal(20), Decimal(2), 20)
    # 20 made in 20 minutes worked: 80 left at 1 a minute, counted from the last report, never before now
    assert row.method == "rate" and row.rate_per_hour == Decimal("60.0")
    expected = naive(t0 + timedelta(minutes=20 + 80))
    assert abs((row.expected - expected).total_seconds()) <= 60
    assert row.risk == "on_time"


def test_too_little_history_falls_back_to_standard_minutes(plant):
    now = datetime.now(timezone.utc)
    t0 = now - timedelta(minutes=10)
    plant.send("S01", "operator.signed_in", t0)
    plant.send("S01", "stage.started", t0, work_order="WO-1", stage=10)
    row = next(r for r in read_board(UTC, naive(now)).work_orders if r.number == "WO-1")
    assert row.method == "standard"
    # stage 10 ends at its start + 60 min, stage 20 adds 30
    assert abs((row.expected - naive(t0 + timedelta(minutes=90))).total_seconds()) <= 60


def test_paused_and_machine_down_with_reason_and_since(plant):
    now = datetime.now(timezone.utc)
    t0 = now - timedelta(minutes=30)
    plant.send("S01", "operator.signed_in", t0)
    plant.send("S01", "stage.started", t0, work_order="WO-1", stage=10)
    plant.send("S01", "machine.down", t0 + timedelta(minutes=5), reason="DT-JAM")
    board = read_board(UTC, naive(now))
    row = next(r for r in board.work_orders if r.number == "WO-1")
    assert row.state == "down" and row.stop.reason == "DT-JAM" and abs((row.stop.since - naive(t0 + timedelta(minutes=5))).total_seconds()) < 0.01
    machine = next(m for m in board.machines if m.code == "MX-1")
    assert machine.state == "down" and machine.stop.description == "Jammed"
    plant.send("S01", "machine.up", t0 + timedelta(minutes=8))
    plant.send("S01", "work_order.paused", t0 + timedelta(minutes=9), work_order="WO-1", reason="DLY-MAT")
    board = read_board(UTC, naive(now))
    row = next(r for r in board.work_orders if r.number == "WO-1")
    assert row.state == "paused" and row.stop.reason == "DLY-MAT"
    assert next(m for m in board.machines if m.code == "MX-1").state != "down"
    assert BoardFilter(state="paused").keeps(row) and not BoardFilter(state="running").keeps(row)


def test_late_and_at_risk_and_the_orders(plant):
    now = datetime.now(timezone.utc)
    # due yesterday: late whatever happens
    from central.models import WorkOrder
    WorkOrder.update(due=date.today() - timedelta(days=1)).where(WorkOrder.number == "WO-2").execute()
    board = read_board(UTC, naive(now))
    late = next(r for r in board.work_orders if r.number == "WO-2")
    assert late.risk == "late"
    assert [r.number for r in shown(board, board_filter({"late": "1"}))] == ["WO-2"]
    assert [r.number for r in shown(board, board_filter({}))][0] == "WO-2"  # risk first
    assert [r.number for r in shown(board, board_filter({"sort": "due"}))] == ["WO-2", "WO-1"]
    # due today and 90 standard minutes to go, with the day almost over: late or at risk, never on time
    WorkOrder.update(due=date.today()).where(WorkOrder.number == "WO-1").execute()
    late_evening = datetime.combine(date.today(), datetime.min.time()) + timedelta(hours=23)
    row = next(r for r in read_board(UTC, late_evening).work_orders if r.number == "WO-1")
    assert row.risk == "late"
    morning = datetime.combine(date.today(), datetime.min.time()) + timedelta(hours=22, minutes=10)
    row = next(r for r in read_board(UTC, morning).work_orders if r.number == "WO-1")
    assert row.risk == "at_risk"


def test_stations_online_operator_and_gaps(plant):
    now = datetime.now(timezone.utc)
    from central.models import Station
    Station.update(status="online", queue_depth=7).where(Station.code == "S01").execute()
    plant.send("S01", "operator.signed_in", now - timedelta(minutes=5))
    plant.send("S02", "operator.signed_in", now - timedelta(minutes=5), operator="OP-2")
    plant.send("S02", "operator.signed_out", now - timedelta(minutes=4), operator="OP-2")
    plant.seq["S01"] += 3  # three events the station numbered have not arrived
    plant.send("S01", "stage.started", now - timedelta(minutes=1), work_order="WO-2", stage=10)
    stations = {s.code: s for s in read_board(UTC).stations}
    assert (stations["S01"].status, stations["S01"].operator, stations["S01"].work_order) == ("online", "OP-1", "WO-2")
    assert stations["S01"].waiting == 3 and stations["S01"].queue_depth == 7
    assert (stations["S02"].status, stations["S02"].operator, stations["S02"].waiting) == ("unknown", None, 0)


def test_the_board_is_read_in_a_fixed_number_of_queries(plant):
    from central.production import create_work_order
    for n in range(30):
        create_work_order({"number": f"WO-X{n}", "recipe": "R-1", "planned_qty": "10", "status": "released"})
    counted = []
    original = database.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        counted.append(sql)
        return original(sql, params, *args, **kwargs)

    database.obj.execute_sql = counting
    try:
        board = read_board(UTC)
    finally:
        database.obj.execute_sql = original
    assert len(board.work_orders) == 32
    assert len(counted) <= 12, counted
