"""Reason codes: the catalogue, required reasons, deactivated codes and pause/downtime minutes."""
from decimal import Decimal

import pytest

from central.errors import Conflict, ValidationError
from central.models import Flag, ReasonEvent, Station, WorkCentre
from central.reasons import active_reason_codes, create_reason_code, list_reason_codes, update_reason_code
from central.recorder import record_raw
from tests.central.factories import event, make_work_orders


@pytest.fixture
def catalogue(db):
    """Station S01 in work centre WC-PACK and a small reason catalogue."""
    Station.create(code="S01", site="plant1", work_centre=WorkCentre.create(code="WC-PACK"))
    make_work_orders("WC-PACK")
    create_reason_code("SCR-DAMAGE", "scrap", "Damaged in handling")
    create_reason_code("DLY-MATERIAL", "delay", "Waiting for material")
    create_reason_code("DT-JAM", "downtime", "Jam")
    create_reason_code("Q-COLOUR", "quality", "Colour off")


def rows():
    return list(ReasonEvent.select().order_by(ReasonEvent.at))


def test_catalogue_rules(catalogue):
    with pytest.raises(Conflict) as exc:
        create_reason_code("DT-JAM", "downtime")
    assert exc.value.field == "code"
    with pytest.raises(ValidationError) as exc:
        create_reason_code("X-1", "weather")
    assert exc.value.field == "category"
    with pytest.raises(ValidationError) as exc:
        update_reason_code("DT-JAM", {"code": "DT-JAM2"})
    assert exc.value.field == "code"
    update_reason_code("DT-JAM", {"active": False, "description": "Jam (old)"})
    assert [r.code for r in list_reason_codes(active=True, category="downtime")] == []
    assert active_reason_codes() == [
        {"code": "DLY-MATERIAL", "category": "delay", "description": "Waiting for material"},
        {"code": "Q-COLOUR", "category": "quality", "description": "Colour off"},
        {"code": "SCR-DAMAGE", "category": "scrap", "description": "Damaged in handling"},
    ]


def test_scrap_and_pause_need_a_reason(catalogue):
    outcome = record_raw([event("scrap.reported", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", qty="2"),
                          event("work_order.paused", 2, "2026-05-01T08:00:00.000Z", work_order="WO-1"),
                          event("output.reported", 3, "2026-05-01T08:00:00.000Z", work_order="WO-1", kind="scrap",
                                item="FG-1", batch="S01-1", qty="1")], site="plant1", station="S01")
    assert outcome.accepted == []
    assert [r["error"] for r in outcome.rejected] == ["data.reason: is required"] * 2 + [
        "data.reason: is required when kind is scrap"]


def test_unknown_code_is_rejected_and_leaves_nothing(catalogue):
    raw = event("scrap.reported", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", qty="2", reason="SCR-NOPE")
    outcome = record_raw([raw], site="plant1", station="S01")
    assert outcome.rejected == [{"id": raw["id"], "error": "data.reason: unknown reason code 'SCR-NOPE'"}]
    assert rows() == [] and Flag.select().count() == 0


def test_code_deactivated_while_an_offline_station_still_uses_it_is_accepted_and_flagged(catalogue):
    update_reason_code("SCR-DAMAGE", {"active": False})
    raw = event("scrap.reported", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", qty="2.5",
                reason="SCR-DAMAGE")
    outcome = record_raw([raw], site="plant1", station="S01")
    assert outcome.accepted == [raw["id"]]
    [flag] = Flag.select().where(Flag.kind == "inactive_reason_code")
    assert str(flag.event_id) == raw["id"] and flag.subject == "SCR-DAMAGE"
    [row] = rows()
    assert (row.reason.code, row.category, row.qty, row.item, row.operator, row.work_centre.code) == (
        "SCR-DAMAGE", "scrap", Decimal("2.5"), "FG-1", "OP-1", "WC-PACK")
    assert rows()[0].work_order == "WO-1"


def test_wrong_category_is_accepted_and_flagged(catalogue):
    record_raw([event("delay.reported", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", stage=10,
                      reason="DT-JAM", minutes="12")], site="plant1", station="S01")
    assert Flag.select().where(Flag.kind == "reason_category_mismatch").count() == 1
    assert rows()[0].minutes == Decimal("12")


def test_scrap_output_and_quality_reason_make_rows_main_output_does_not(catalogue):
    record_raw([event("output.reported", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", kind="scrap",
                      item="FG-1", batch="S01-1", qty="3", reason="Q-COLOUR"),
                event("output.reported", 2, "2026-05-01T08:01:00.000Z", work_order="WO-1", kind="main",
                      item="FG-1", batch="S01-2", qty="40")], site="plant1", station="S01")
    assert [(r.reason.code, r.qty) for r in rows()] == [("Q-COLOUR", Decimal("3"))]


def test_pause_minutes_come_from_event_times_whatever_the_arrival_order(catalogue):
    pause1 = event("work_order.paused", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", reason="DLY-MATERIAL")
    resume1 = event("work_order.resumed", 2, "2026-05-01T08:12:30.000Z", work_order="WO-1")
    pause2 = event("work_order.paused", 3, "2026-05-01T09:00:00.000Z", work_order="WO-1", reason="DLY-MATERIAL")
    resume2 = event("work_order.resumed", 4, "2026-05-01T09:45:00.000Z", work_order="WO-1")
    other = event("work_order.paused", 5, "2026-05-01T08:05:00.000Z", work_order="WO-2", reason="DLY-MATERIAL")
    # the resumes arrive first, then the pauses in reverse: each message on its own
    for raw in (resume2, resume1, other, pause2, pause1):
        assert record_raw([raw], site="plant1", station="S01").rejected == []
    assert [(r.work_order, r.minutes) for r in rows()] == [
        ("WO-1", Decimal("12.5")), ("WO-2", None), ("WO-1", Decimal("45"))]


def test_a_second_pause_ends_the_first(catalogue):
    record_raw([event("work_order.paused", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", reason="DLY-MATERIAL"),
                event("work_order.paused", 2, "2026-05-01T08:10:00.000Z", work_order="WO-1", reason="Q-COLOUR"),
                event("work_order.resumed", 3, "2026-05-01T08:30:00.000Z", work_order="WO-1")],
               site="plant1", station="S01")
    assert [(r.reason.code, r.minutes) for r in rows()] == [("DLY-MATERIAL", Decimal("10")), ("Q-COLOUR", Decimal("20"))]


def test_machine_downtime_minutes_per_machine(catalogue):
    record_raw([event("machine.up", 4, "2026-05-01T10:20:00.000Z", operator=None, machine="M-1"),
                event("machine.down", 1, "2026-05-01T10:00:00.000Z", operator=None, reason="DT-JAM", machine="M-1"),
                event("machine.down", 2, "2026-05-01T10:05:00.000Z", operator=None, reason="DT-JAM", machine="M-2"),
                event("machine.up", 3, "2026-05-01T10:06:00.000Z", operator=None, machine="M-2")],
               site="plant1", station="S01")
    assert [(r.minutes) for r in rows()] == [Decimal("20"), Decimal("1")]
