"""Maintenance work orders: lifecycle, templates with versions, checklists, fields, time, parts,
contractors and cost; bad input refused with the field named and nothing half-written."""
from datetime import timedelta
from decimal import Decimal as D

import pytest

from central.errors import Conflict, NotFound, ValidationError
from central.maintenance import assignment, contractors, lifecycle, templates, worklog
from central.maintenance.workorders import create_work_order, search, work_order_dict
from central.models import (CheckResult, Flag, LogEntry, MaintenanceWorkOrder, PartUse, StockMove, TimeEntry,
                            utcnow)

from tests.central.maint import shop  # noqa: F401

PUMP_CHECK = {
    "name": "Pump inspection", "title": "Inspect cooling pump", "type": "inspection", "priority": "normal",
    "fields": [{"name": "hours", "label": "Run hours", "kind": "number", "unit": "h", "min": "0", "required": True},
               {"name": "seal", "label": "Seal state", "kind": "choice", "choices": ["good", "worn"]},
               {"name": "cleaned", "label": "Cleaned", "kind": "checkbox"}],
    "checklist": [{"text": "Lock out", "kind": "tick"},
                  {"text": "Leak test", "kind": "pass_fail"},
                  {"text": "Motor current", "kind": "reading", "unit": "A", "min": "2", "max": "6"}],
}


def test_lifecycle_with_hold_and_sign_off(shop):
    wo = create_work_order(asset="PRESS-1", title="Hydraulic leak", description="Oil under the press",
                           by="sue", auto=False)
    assert (wo.number, wo.status, wo.wo_type, wo.priority) == ("MWO-000001", "open", "corrective", "normal")
    assignment.assign(wo.number, "MECH", by="sue")
    assert lifecycle.get_work_order(wo.number).status == "assigned"
    with pytest.raises(ValidationError) as err:
        lifecycle.hold(wo.number, "  ", by="max")
    assert err.value.field == "reason"
    lifecycle.hold(wo.number, "waiting for a seal kit", by="max")
    with pytest.raises(Conflict) as err:
        worklog.start_timer(wo.number, "MECH", by="max")
    assert "on hold" in err.value.message
    assert lifecycle.resume(wo.number, by="max").status == "assigned"
    worklog.require_signoff(wo.number, True, by="sue")
    worklog.start_timer(wo.number, "MECH", by="max", at=utcnow() - timedelta(minutes=90))
    done = worklog.complete(wo.number, by="max")
    assert done.status == "done"
    entry = TimeEntry.get()
    assert entry.ended_at is not None and D("89") < entry.minutes < D("91")
    with pytest.raises(Conflict):
        lifecycle.cancel(wo.number, "too late", by="sue")
    signed = worklog.sign_off(wo.number, by="sue")
    assert signed.signed_off_by == "sue"
    with pytest.raises(Conflict):
        worklog.sign_off(wo.number, by="sue")
    texts = [e.text for e in LogEntry.select().order_by(LogEntry.id)]
    assert "assigned → on hold: waiting for a seal kit" in texts and "signed off" in texts


def test_a_template_version_is_kept_by_the_work_order(shop):
    v1 = templates.save_template("PUMP-INSP", PUMP_CHECK, by="pat")
    wo = create_work_order(asset="PUMP-2", template="PUMP-INSP", by="sue", auto=False)
    changed = {**PUMP_CHECK, "checklist": PUMP_CHECK["checklist"][:1]}
    v2 = templates.save_template("PUMP-INSP", changed, by="pat")
    assert (v1.version, v2.version) == (1, 2)
    assert (wo.title, wo.wo_type) == ("Inspect cooling pump", "inspection")
    assert len(worklog.definition(lifecycle.get_work_order(wo.number))[1]) == 3  # still version 1
    later = create_work_order(asset="PUMP-2", template="PUMP-INSP", by="sue", auto=False)
    assert len(worklog.definition(later)[1]) == 1
    assert work_order_dict(later)["template"] == {"code": "PUMP-INSP", "version": 2}


def test_checklist_readings_flag_and_open_a_follow_up(shop):
    templates.save_template("PUMP-INSP", PUMP_CHECK, by="pat")
    wo = create_work_order(asset="PUMP-2", template="PUMP-INSP", by="sue", auto=False)
    worklog.record_check(wo.number, 0, by="max")
    with pytest.raises(Conflict) as err:
        worklog.record_check(wo.number, 0, by="max")
    assert err.value.field == "step" and "answered already" in err.value.message
    with pytest.raises(ValidationError) as err:
        worklog.record_check(wo.number, 2, reading="lots", by="max")
    assert err.value.field == "reading"
    with pytest.raises(ValidationError):
        worklog.record_check(wo.number, 1, result="maybe", by="max")
    assert CheckResult.select().count() == 1
    worklog.record_check(wo.number, 1, result="pass", by="max")
    worklog.record_check(wo.number, 2, reading="7.5", by="max", follow_up=True)
    flagged = lifecycle.get_work_order(wo.number)
    assert flagged.flagged
    child = MaintenanceWorkOrder.get(MaintenanceWorkOrder.parent == flagged.id)
    assert (child.source, child.asset.code, child.priority) == ("follow_up", "PUMP-2", "high")
    assert "reading 7.5 A outside 2 to 6 A" in child.description
    assert Flag.get(Flag.subject == wo.number).kind == "maintenance"


def test_fields_are_typed_and_required_before_done(shop):
    templates.save_template("PUMP-INSP", {**PUMP_CHECK, "checklist": []}, by="pat")
    wo = create_work_order(asset="PUMP-2", template="PUMP-INSP", by="sue", auto=False)
    with pytest.raises(ValidationError) as err:
        worklog.set_fields(wo.number, {"hours": "-3"}, by="max")
    assert err.value.field == "fields.hours"
    with pytest.raises(ValidationError) as err:
        worklog.set_fields(wo.number, {"seal": "broken"}, by="max")
    assert err.value.field == "fields.seal"
    with pytest.raises(ValidationError) as err:
        worklog.set_fields(wo.number, {"colour": "red"}, by="max")
    assert err.value.field == "fields.colour"
    with pytest.raises(Conflict) as err:
        worklog.complete(wo.number, by="max")
    assert err.value.field == "fields.hours"
    worklog.set_fields(wo.number, {"hours": "1250", "seal": "worn", "cleaned": "on"}, by="max")
    assert worklog.complete(wo.number, by="max").status == "done"
    values = {f["name"]: f["value"] for f in worklog.record_dict(lifecycle.get_work_order(wo.number))["fields"]}
    assert values == {"hours": "1250", "seal": "worn", "cleaned": "true"}


def test_cost_is_labour_parts_and_contractors(shop):
    wo = create_work_order(asset="PRESS-1", title="Replace bearings", by="sue", auto=False)
    start = utcnow() - timedelta(hours=3)
    worklog.add_time(wo.number, "ELEC", started_at=start, minutes="30", by="ella")  # 30 min at 60/h = 30
    worklog.add_time(wo.number, "MECH", started_at=start, ended_at=start + timedelta(hours=2), by="max")  # 90
    worklog.issue_part(wo.number, item="BEARING", qty="12", by="max")  # FIFO: 10 × 4.50 + 2 × 5.00 = 55
    worklog.issue_part(wo.number, item="GREASE", qty="0.5", by="max")  # average 12/kg = 6
    contractors.create_contractor("HYD", company="Hydraulics Ltd", trade="hydraulics", hourly_rate="80")
    worklog.add_contractor(wo.number, "HYD", agreed_price="250", scope="Hose replacement", by="sue")
    cost = worklog.costs([wo.id])
    assert cost == {"labour": D("120"), "parts": D("61"), "contractors": D("250"), "total": D("431")}
    assert work_order_dict(lifecycle.get_work_order(wo.number), full=True)["cost"]["total"] == "431.000000"
    ledger = StockMove.select().where(StockMove.reference == wo.number, StockMove.kind == "issue")
    assert sum(m.value for m in ledger) == -D("61")
    assert {(p.batch.code if p.batch_id else None, p.qty) for p in PartUse.select()} == {
        ("BR-1", D("10")), ("BR-2", D("2")), (None, D("0.5"))}


def test_parts_not_in_stock_are_booked_and_flagged(shop):
    wo = create_work_order(asset="PRESS-1", title="Bearing", by="sue", auto=False)
    worklog.issue_part(wo.number, batch="BR-1", qty="12", by="max")  # BR-1 has 10
    assert lifecycle.get_work_order(wo.number).flagged
    assert [p.flagged for p in PartUse.select()] == [True]
    with pytest.raises(NotFound) as err:
        worklog.issue_part(wo.number, batch="NOPE", qty="1", by="max")
    assert err.value.field == "batch"
    with pytest.raises(ValidationError) as err:
        worklog.issue_part(wo.number, item="BEARING", qty="-1", by="max")
    assert err.value.field == "qty"
    assert PartUse.select().count() == 1


def test_a_scanned_part_code_names_a_batch_an_item_or_a_gs1_string(shop):
    assert worklog.resolve_part("BR-2") == worklog.Scanned("BEARING", "BR-2")
    assert worklog.resolve_part("GREASE") == worklog.Scanned("GREASE", None)
    assert worklog.resolve_part("10BR-1") == worklog.Scanned("BEARING", "BR-1")
    with pytest.raises(NotFound) as err:
        worklog.resolve_part("XYZ")
    assert err.value.field == "part"


def test_bad_input_names_the_field(shop):
    for kwargs, field in (({"asset": "NOPE", "title": "x"}, "asset"), ({"asset": "PRESS-1", "description": ""}, "description"),
                          ({"asset": "PRESS-1", "title": "x", "type": "magic"}, "type"),
                          ({"asset": "PRESS-1", "title": "x", "due": "tomorrow"}, "due"),
                          ({"asset": "PRESS-1", "description": "x" * 1_000_000}, "description")):
        with pytest.raises((ValidationError, NotFound)) as err:
            create_work_order(by="sue", auto=False, **kwargs)
        assert err.value.field == field
    assert MaintenanceWorkOrder.select().count() == 0


def test_search_by_number_asset_and_text(shop):
    a = create_work_order(asset="PRESS-1", title="Hydraulic leak", by="sue", auto=False)
    b = create_work_order(asset="PUMP-2", title="Noisy bearing", description="grinding sound", by="sue", auto=False)
    assert [w.number for w in search(text=a.number.lower())] == [a.number]
    assert [w.number for w in search(text="grinding")] == [b.number]
    assert [w.number for w in search(asset="PRESS-1")] == [a.number]
    assert [w.number for w in search(text="PUMP-2")] == [b.number]
    assert [w.number for w in search(area="A1")] == [b.number, a.number]
