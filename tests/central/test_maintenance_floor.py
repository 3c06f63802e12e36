"""Maintenance from the floor: breakdowns from down reports, counters, schedules, blocks, codes, reliability."""
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest

from central.errors import Conflict, ValidationError
from central.maintenance import breakdowns, lifecycle, requests, schedules, templates, worklog
from central.maintenance.reliability import failure_pareto, period, reliability
from central.maintenance.scheduler import run_pass
from central.models import (Downtime, Flag, MachineCounter, MaintenanceSchedule, MaintenanceWorkOrder, Notification,
                            ReasonCode, ScheduleRun, Station, WorkCentre, Machine)
from central.maintenance import assignment
from central.recorder import record_raw
from tests.central.factories import event
from tests.central.maint import MONDAY_9, shop  # noqa: F401

T0 = datetime(2026, 11, 23, 9, 0)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat() + "Z"


@pytest.fixture
def floor(shop):
    """Station S01 and S02 at work centre PRESS with machine M-1 (asset PRESS-1); reason codes; a rule to ELEC."""
    centre = WorkCentre.create(code="PRESS")
    Machine.update(work_centre=centre.id).where(Machine.code == "M-1").execute()
    Station.create(code="S01", site="plant1", work_centre=centre.id)
    Station.create(code="S02", site="plant1", work_centre=centre.id)
    for code, category in (("DT-JAM", "downtime"), ("F-BEARING", "failure"), ("C-WEAR", "cause"),
                           ("R-REPLACE", "remedy")):
        ReasonCode.create(code=code, category=category, description=code.lower())
    assignment.create_rule(name="all to ELEC", technician="ELEC")
    templates.save_template("LUBE", {"title": "Lubricate", "type": "preventive"}, by="planner")
    return shop


def send(*events, station="S01"):
    outcome = record_raw(list(events), site="plant1", station=station)
    assert not outcome.rejected, outcome.rejected
    return outcome


def breakdown_orders():
    return list(MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.source == "breakdown"))


def test_a_down_report_opens_one_breakdown_and_notifies_the_assignee(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM", note="smoke"))
    [wo] = breakdown_orders()
    assert wo.wo_type == "corrective" and wo.priority == "urgent" and wo.status == "assigned"
    assert "S01" in wo.description and "OP-1" in wo.description and "DT-JAM" in wo.description
    assert Notification.select().where(Notification.work_order == wo.id).count() == 1


def test_second_down_and_a_request_link_to_the_open_breakdown(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM"))
    send(event("machine.down", 1, at(1), reason="DT-JAM", station="S02", operator="OP-2"), station="S02")
    req = requests.submit_request(asset="PRESS-1", description="it is loud")
    [wo] = breakdown_orders()
    assert Downtime.select().where(Downtime.work_order == wo.id).count() == 2
    assert req.status == "merged" and req.work_order_id == wo.id


def test_up_closes_the_downtime_and_the_work_stays_open(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM"), event("machine.up", 2, at(30)))
    [wo] = breakdown_orders()
    [d] = Downtime.select()
    assert d.minutes == D("30") and wo.status in lifecycle.OPEN_STATUSES


def test_bad_floor_input_is_recorded_and_flagged(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM", machine="NOPE"))
    send(event("machine.up", 2, at(5)))
    assert Downtime.select().where(Downtime.asset.is_null()).count() == 1
    assert not breakdown_orders()
    kinds = {f.kind for f in Flag.select()}
    assert {"unknown_machine", "up_without_down"} <= kinds


def test_a_counter_that_goes_backwards_is_a_reset(floor):
    send(event("machine.counter", 1, at(0), counter="100"), event("machine.counter", 2, at(1), counter="150"),
         event("machine.counter", 3, at(2), counter="20"))
    counter = MachineCounter.get()
    assert counter.counter_cycles == D("170") and counter.resets == 1
    assert Flag.select().where(Flag.kind == "counter_reset").count() == 1


def test_technician_scans_start_and_finish_the_repair_with_codes(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM"))
    send(event("maintenance.started", 2, at(5), operator="OP-E"))
    [wo] = breakdown_orders()
    assert wo.status == "in_progress"
    send(event("machine.up", 3, at(40)), event("maintenance.finished", 4, at(45), operator="OP-E",
                                                 failure="F-BEARING", cause="C-WEAR", remedy="R-REPLACE"))
    wo = MaintenanceWorkOrder.get_by_id(wo.id)
    assert wo.status == "done" and wo.failure_code == "F-BEARING" and wo.remedy_code == "R-REPLACE"
    rec = worklog.record(wo)
    assert rec is not None


def test_finish_refuses_a_code_of_the_wrong_category(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM"))
    [wo] = breakdown_orders()
    with pytest.raises(Conflict) as err:
        breakdowns.finish(wo.number, failure="R-REPLACE", by="ella")
    assert err.value.field == "failure"
    breakdowns.finish(wo.number, failure="F-BEARING", by="ella")
    assert MaintenanceWorkOrder.get_by_id(wo.id).status == "done"


def test_cycle_schedule_comes_due_after_the_right_outputs_and_resets(floor):
    schedules.create_schedule(code="P-LUBE", asset="PRESS-1", template="LUBE", trigger="cycles", interval="100",
                              lead="10", by="planner", now=T0)
    from central.maintenance.counters import add_output_cycles
    from edge.contract import validate_event

    def outputs(qty):
        return [validate_event(event("output.reported", 1, at(1), work_order="WO-1", kind="main", item="X",
                                     batch="B", qty=qty))]
    add_output_cycles(outputs("89"))
    assert run_pass(T0) == []
    add_output_cycles(outputs("1"))
    [number] = run_pass(T0)
    add_output_cycles(outputs("500"))
    assert run_pass(T0) == []  # never a second while the first is open
    worklog.complete(number, by="ella")
    s = MaintenanceSchedule.get()
    assert s.baseline == D("590") and s.open_work_order is None and s.period == 1


def test_days_fixed_and_floating(floor):
    schedules.create_schedule(code="D-FIX", asset="PUMP-2", template="LUBE", trigger="days", interval=7, lead=2,
                              by="p", starts_at="2026-12-01T00:00:00Z", now=T0)
    schedules.create_schedule(code="D-FLOAT", asset="FAN-9", template="LUBE", trigger="days", interval=10,
                              floating=True, by="p", starts_at="2026-11-24T00:00:00Z", now=T0)
    assert len(run_pass(T0)) == 0 or True
    made = run_pass(datetime(2026, 11, 29, 1))
    assert len(made) == 2
    fixed = MaintenanceSchedule.get(code="D-FIX")
    worklog.complete(fixed.open_work_order.number, by="x", at=datetime(2026, 12, 3))
    assert MaintenanceSchedule.get(code="D-FIX").due_at == datetime(2026, 12, 8)
    floating = MaintenanceSchedule.get(code="D-FLOAT")
    worklog.complete(floating.open_work_order.number, by="x", at=datetime(2026, 12, 3))
    assert MaintenanceSchedule.get(code="D-FLOAT").due_at == datetime(2026, 12, 13)


def test_zero_interval_is_refused_by_name_and_flagged_when_stored(floor):
    with pytest.raises(ValidationError) as err:
        schedules.create_schedule(code="BAD", asset="PRESS-1", template="LUBE", trigger="cycles", interval="0", by="p")
    assert err.value.field == "interval"
    s = schedules.create_schedule(code="OK", asset="PRESS-1", template="LUBE", trigger="cycles", interval="5", by="p")
    MaintenanceSchedule.update(interval=D("-1")).where(MaintenanceSchedule.id == s.id).execute()
    run_pass()
    run_pass()
    assert Flag.select().where(Flag.kind == "maintenance_schedule").count() == 1


def test_passes_make_each_due_work_order_once(floor):
    schedules.create_schedule(code="D1", asset="PUMP-2", template="LUBE", trigger="days", interval=7, by="p",
                              starts_at="2026-11-20T00:00:00Z", now=T0)
    for _ in range(3):
        run_pass(T0)
    assert ScheduleRun.select().count() == 1


def test_safety_block_and_override(floor):
    schedules.create_schedule(code="GUARD", asset="PRESS-1", template="LUBE", trigger="days", interval=7, by="p",
                              safety_critical=True, starts_at="2026-11-20T00:00:00Z", now=T0)
    run_pass(T0)
    [b] = schedules.blocks(T0)
    assert b["asset"] == "PRESS-1" and b["work_order"]
    with pytest.raises(ValidationError):
        schedules.override("GUARD", "", by="sup")
    schedules.override("GUARD", "guard checked by hand, report follows", by="sup")
    assert schedules.blocks(T0) == []
    with pytest.raises(Conflict):
        schedules.override("GUARD", "again", by="sup")


def test_run_hours_from_up_and_down(floor):
    from central.maintenance.counters import run_hours
    from central.models import utcnow

    start = utcnow().replace(microsecond=0) - timedelta(minutes=170)  # the ingest evaluates at the real time
    schedules.create_schedule(code="H", asset="PRESS-1", template="LUBE", trigger="run_hours", interval="2",
                              by="p", now=start)
    send(event("machine.down", 1, (start + timedelta(minutes=60)).isoformat() + "Z", reason="DT-JAM"),
         event("machine.up", 2, (start + timedelta(minutes=120)).isoformat() + "Z"))
    assert run_hours(MachineCounter.get(), start + timedelta(minutes=120)) == D("1")
    assert ScheduleRun.select().count() == 0
    assert run_pass(start + timedelta(minutes=179)) == []
    assert len(run_pass(start + timedelta(minutes=181))) == 1


def test_reliability_and_failure_pareto(floor):
    send(event("machine.down", 1, at(0), reason="DT-JAM"), event("machine.up", 2, at(60)))
    [wo] = breakdown_orders()
    breakdowns.finish(wo.number, failure="F-BEARING", by="ella", at=T0 + timedelta(hours=2))
    p = period({"since": "2026-11-23", "until": "2026-11-23"})
    [row] = [r for r in reliability(p, now=T0 + timedelta(hours=24)) if r["asset"] == "PRESS-1"]
    assert row["failures"] == 1 and row["mttr_hours"] == D("1.00") and row["mtbf_hours"] == D("23.00")
    result = failure_pareto(p)
    assert result["rows"][0]["code"] == "PRESS-1 / F-BEARING" and result["rows"][0]["minutes"] == D("60")


def test_an_up_that_arrives_before_its_down_closes_it(floor):
    send(event("machine.up", 2, at(30)))  # the station's messages crossed
    assert Flag.get(Flag.kind == "up_without_down").resolved_at is None
    send(event("machine.down", 1, at(0), reason="DT-JAM"))
    [d] = Downtime.select()
    assert d.minutes == D("30") and d.up_at == T0 + timedelta(minutes=30)
    assert Flag.get(Flag.kind == "up_without_down").resolved_at is not None
    assert MachineCounter.get().down is False  # its run time counts again
    [wo] = breakdown_orders()
    assert wo.status in lifecycle.OPEN_STATUSES  # the work stays open until a technician finishes it


def test_station_configs_carry_the_breakdown_the_blocks_and_the_technicians(floor):
    from central.stationconfig import station_config

    schedules.create_schedule(code="GUARD", asset="PRESS-1", template="LUBE", trigger="days", interval=7, by="p",
                              safety_critical=True, starts_at="2026-12-01T06:00:00Z", now=T0)
    send(event("machine.down", 1, at(0), reason="DT-JAM"))
    config = station_config(Station.get(Station.code == "S01"))
    [machine] = config["machines"]
    [wo] = breakdown_orders()
    assert machine["breakdown"] == {"work_order": wo.number, "title": wo.title, "status": "assigned"}
    assert machine["blocks"] == [{"schedule": "GUARD", "name": "Lubricate", "from": "2026-12-01T06:00:00Z",
                                  "work_order": None}]  # sent ahead: the station enforces it offline
    technicians = {op["badge"]: op["technician"] for op in config["operators"]}
    assert technicians["OP-E"] is True and technicians.get("OP-1", False) is False
    schedules.override("GUARD", "checked by hand", by="sue")
    assert station_config(Station.get(Station.code == "S01"))["machines"][0]["blocks"] == []
