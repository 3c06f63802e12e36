"""The reason Pareto: counts, quantities and minutes per code, filtered, as JSON and CSV."""
from datetime import date
from decimal import Decimal

import pytest

from central.analysis import ParetoFilter, pareto_csv, pareto_filter, reason_pareto
from central.db import database
from central.errors import ValidationError
from central.models import Station, WorkCentre
from central.reasons import create_reason_code
from central.recorder import record_raw
from tests.central.factories import event, make_work_orders


def load_floor():
    """Two stations in two work centres with scrap, delays, pauses and downtime over two days."""
    Station.create(code="S01", site="plant1", work_centre=WorkCentre.create(code="WC-A"))
    Station.create(code="S02", site="plant1", work_centre=WorkCentre.create(code="WC-B"))
    make_work_orders("WC-A")
    for code, category in (("SCR-DAMAGE", "scrap"), ("SCR-SHORT", "scrap"), ("DLY-MAT", "delay"), ("DT-JAM", "downtime")):
        create_reason_code(code, category, code.title())
    first = record_raw([
        event("scrap.reported", 1, "2026-05-01T08:00:00.000Z", work_order="WO-1", qty="2", reason="SCR-DAMAGE"),
        event("scrap.reported", 2, "2026-05-01T09:00:00.000Z", work_order="WO-1", qty="1.5", reason="SCR-DAMAGE"),
        event("scrap.reported", 3, "2026-05-01T10:00:00.000Z", work_order="WO-1", qty="10", reason="SCR-SHORT"),
        event("work_order.paused", 4, "2026-05-01T11:00:00.000Z", work_order="WO-1", reason="DLY-MAT"),
        event("work_order.resumed", 5, "2026-05-01T11:30:00.000Z", work_order="WO-1"),
        event("delay.reported", 6, "2026-05-02T07:00:00.000Z", work_order="WO-1", stage=10, reason="DLY-MAT", minutes="15"),
    ], site="plant1", station="S01")
    second = record_raw([
        event("scrap.reported", 1, "2026-05-02T08:00:00.000Z", station="S02", operator="OP-2", work_order="WO-2", qty="4",
              reason="SCR-DAMAGE"),
        event("machine.down", 2, "2026-05-02T09:00:00.000Z", station="S02", operator=None, reason="DT-JAM"),
        event("machine.up", 3, "2026-05-02T10:40:00.000Z", station="S02", operator=None),
    ], site="plant1", station="S02")
    assert first.rejected == [] and second.rejected == []


def codes(result, *fields):
    return [tuple(r[f] for f in ("code",) + fields) for r in result["rows"]]


def test_by_count_with_share_and_running_share(db):
    load_floor()
    result = reason_pareto(ParetoFilter())
    assert codes(result, "count", "share", "cumulative") == [
        ("SCR-DAMAGE", 3, Decimal("42.9"), Decimal("42.9")), ("DLY-MAT", 2, Decimal("28.6"), Decimal("71.4")),
        ("DT-JAM", 1, Decimal("14.3"), Decimal("85.7")), ("SCR-SHORT", 1, Decimal("14.3"), Decimal("100.0"))]
    assert result["total"] == 7


def test_by_quantity_and_by_minutes_leave_out_codes_without_any(db):
    load_floor()
    assert codes(reason_pareto(ParetoFilter(measure="qty")), "qty") == [
        ("SCR-SHORT", Decimal("10")), ("SCR-DAMAGE", Decimal("7.5"))]
    assert codes(reason_pareto(ParetoFilter(measure="minutes")), "minutes") == [
        ("DT-JAM", Decimal("100")), ("DLY-MAT", Decimal("45"))]


def test_a_period_to_the_last_day_of_the_calendar_counts_everything(db):
    """until=9999-12-31 (from the page, its CSV or a caller of the domain) has no next day: no 500."""
    load_floor()
    everything = reason_pareto(ParetoFilter())
    assert reason_pareto(ParetoFilter(since=date(1, 1, 1), until=date.max))["rows"] == everything["rows"]
    assert pareto_filter({"until": "9999-12-31"}).until == date.max


def test_filters_period_work_centre_item_operator_category(db):
    load_floor()
    day1 = reason_pareto(ParetoFilter(since=date(2026, 5, 1), until=date(2026, 5, 1)))
    assert codes(day1, "count") == [("SCR-DAMAGE", 2), ("DLY-MAT", 1), ("SCR-SHORT", 1)]
    assert codes(reason_pareto(ParetoFilter(work_centre="WC-B")), "count") == [("DT-JAM", 1), ("SCR-DAMAGE", 1)]
    assert codes(reason_pareto(ParetoFilter(item="FG-2")), "qty") == [("SCR-DAMAGE", Decimal("4"))]
    assert codes(reason_pareto(ParetoFilter(operator="OP-2")), "count") == [("SCR-DAMAGE", 1)]
    assert codes(reason_pareto(ParetoFilter(category="delay", measure="minutes")), "minutes") == [
        ("DLY-MAT", Decimal("45"))]
    assert reason_pareto(ParetoFilter(since=date(2027, 1, 1)))["rows"] == []


def test_bad_filters_name_the_field(db):
    for args, field in (({"since": "May 1"}, "since"), ({"measure": "weight"}, "measure"),
                        ({"since": "2026-05-02", "until": "2026-05-01"}, "until"), ({"category": "x"}, "category"),
                        ({"operator": "a b"}, "operator")):
        with pytest.raises(ValidationError) as exc:
            pareto_filter(args)
        assert exc.value.field == field


def test_csv(db):
    load_floor()
    lines = pareto_csv(reason_pareto(ParetoFilter(measure="qty"))).splitlines()
    assert lines == ["code,category,description,count,qty,minutes,share,cumulative",
                     "SCR-SHORT,scrap,Scr-Short,1,10,0,57.1,57.1",
                     "SCR-DAMAGE,scrap,Scr-Damage,3,7.5,0,42.9,100"]


def test_api_json_and_csv(api):
    with database.connection_context():
        load_floor()
    body = api.get("/api/v1/analysis/reasons/pareto?measure=minutes&since=2026-05-01").get_json()
    assert body["measure"] == "minutes" and body["total"] == "145"
    assert body["rows"][0] == {"code": "DT-JAM", "category": "downtime", "description": "Dt-Jam", "count": 1,
                               "qty": "0", "minutes": "100", "share": "69", "cumulative": "69"}
    resp = api.get("/api/v1/analysis/reasons/pareto?format=csv&work_centre=WC-A")
    assert resp.mimetype == "text/csv" and resp.get_data(as_text=True).startswith("code,category")
    bad = api.get("/api/v1/analysis/reasons/pareto?until=yesterday")
    assert bad.status_code == 400 and bad.get_json()["field"] == "until"
