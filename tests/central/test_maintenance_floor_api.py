"""The API of maintenance from the floor: schedules, overrides, a scheduler pass, the calendar,
reliability, the failure Pareto, notifications, and completion with codes; errors name the field."""
import pytest

from central.api import maintenance as m
from central.api import maintenance_floor as mf
from central.db import database
from central.maintenance import templates
from central.maintenance.assignment import create_rule
from central.models import Machine, ReasonCode, Station, WorkCentre
from central.recorder import record_raw

from tests.central.factories import event
from tests.central.maint import shop  # noqa: F401

B = "/api/v1/maintenance"


@pytest.fixture
def client(api, shop):
    with database.connection_context():
        centre = WorkCentre.create(code="PRESS")
        Machine.update(work_centre=centre.id).where(Machine.code == "M-1").execute()
        Station.create(code="S01", site="plant1", work_centre=centre.id)
        for code, category in (("DT-JAM", "downtime"), ("F-BEARING", "failure"), ("R-REPLACE", "remedy")):
            ReasonCode.create(code=code, category=category)
        templates.save_template("LUBE", {"title": "Lubricate"}, by="pat")
        create_rule(name="all", technician="ELEC")
    return api


def ok(resp, model, status=200):
    assert resp.status_code == status, resp.get_json()
    model.model_validate(resp.get_json())
    return resp.get_json()


def error(resp, status, field):
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()
    assert field in str(body), body
    return body


def test_schedules_through_the_api(client):
    made = ok(client.post(f"{B}/schedules", json={"code": "GUARD", "asset": "PRESS-1", "template": "LUBE",
                                                 "trigger": "days", "interval": "7", "safety_critical": True,
                                                 "starts_at": "2026-01-01T00:00:00Z"}), mf.MaintenanceScheduleOut, 201)
    assert made["due_at"] == "2026-01-01T00:00:00Z" and made["overdue"] is True
    ok(client.post(f"{B}/schedules", json={"code": "CYC", "asset": "PRESS-1", "template": "LUBE",
                                          "trigger": "cycles", "interval": 500, "lead": "20"}), mf.MaintenanceScheduleOut, 201)
    listed = ok(client.get(f"{B}/schedules?asset=PRESS-1"), mf.MaintenanceScheduleList)
    assert [s["code"] for s in listed["schedules"]] == ["CYC", "GUARD"]
    run = ok(client.post(f"{B}/scheduler/run"), mf.SchedulerPassOut)
    assert len(run["made"]) == 1 and run["skipped"] is False
    assert ok(client.get(f"{B}/schedules/GUARD"), mf.MaintenanceScheduleOut)["open_work_order"] == run["made"][0]
    ok(client.post(f"{B}/schedules/GUARD/override", json={"reason": "checked by hand"}), mf.OverrideOut, 201)
    error(client.post(f"{B}/schedules/GUARD/override", json={"reason": "again"}), 409, "schedule")
    error(client.post(f"{B}/schedules/CYC/override", json={"reason": "x"}), 409, "safety-critical")
    ok(client.patch(f"{B}/schedules/CYC", json={"interval": "800", "active": False}), mf.MaintenanceScheduleOut)
    cal = ok(client.get(f"{B}/calendar?weeks=4"), mf.CalendarOut)
    assert {e["schedule"] for e in cal["entries"]} == {"GUARD"}  # the switched-off one is left out
    assert cal["entries"][0]["kind"] == "overdue" and {e["kind"] for e in cal["entries"][1:]} == {"planned"}


@pytest.mark.parametrize("body, field", [
    ({"interval": "0"}, "interval"), ({"interval": "-3"}, "interval"), ({"interval": "2.5"}, "interval"),
    ({"trigger": "weeks"}, "trigger"), ({"asset": "NOPE"}, "asset"), ({"template": "NOPE"}, "template"),
    ({"lead": "7"}, "lead"), ({"asset": "PUMP-2", "trigger": "cycles"}, "asset"),
])
def test_bad_schedules_are_refused_naming_the_field(client, body, field):
    base = {"code": "BAD", "asset": "PRESS-1", "template": "LUBE", "trigger": "days", "interval": "7"}
    resp = client.post(f"{B}/schedules", json={**base, **body})
    assert resp.status_code in (400, 404, 422), resp.get_json()
    assert field in str(resp.get_json())
    assert client.get(f"{B}/schedules/BAD").status_code == 404  # nothing half-written


def test_breakdown_reliability_pareto_and_notifications(client):
    with database.connection_context():
        record_raw([event("machine.down", 1, "2026-11-23T09:00:00Z", reason="DT-JAM"),
                    event("machine.up", 2, "2026-11-23T10:00:00Z")], site="plant1", station="S01")
    work = client.get(f"{B}/work-orders?q=PRESS-1").get_json()["work_orders"]
    number = work[0]["number"]
    full = ok(client.get(f"{B}/work-orders/{number}"), m.WorkOrderFullOut)
    assert full["source"] == "breakdown" and full["downtime"][0]["minutes"] == "60"
    error(client.post(f"{B}/work-orders/{number}/complete", json={"failure": "R-REPLACE"}), 409, "failure")
    error(client.post(f"{B}/work-orders/{number}/complete", json={"failure": "NOPE"}), 404, "failure")
    done = ok(client.post(f"{B}/work-orders/{number}/complete", json={"failure": "F-BEARING", "remedy": "R-REPLACE"}),
              m.WorkOrderFullOut)
    assert (done["status"], done["failure"], done["remedy"]) == ("done", "F-BEARING", "R-REPLACE")
    rel = ok(client.get(f"{B}/reliability?since=2026-11-23&until=2026-11-23"), mf.ReliabilityOut)
    press = [r for r in rel["machines"] if r["asset"] == "PRESS-1"][0]
    assert press["failures"] == 1 and press["mttr_hours"] == "1"
    one = ok(client.get(f"{B}/assets/PRESS-1/reliability?since=2026-11-23&until=2026-11-23"), mf.AssetReliabilityOut)
    assert one["counters"]["down"] is False
    error(client.get(f"{B}/reliability?since=yesterday"), 400, "since")
    error(client.get(f"{B}/reliability?since=2026-11-23&until=2026-11-01"), 400, "until")
    pareto = client.get(f"{B}/failure-pareto?since=2026-11-01&until=2030-01-01")
    assert pareto.status_code == 200 and pareto.get_json()["rows"][0]["code"] == "PRESS-1 / F-BEARING"
    csv = client.get(f"{B}/failure-pareto?since=2026-11-01&until=2030-01-01&format=csv")
    assert csv.mimetype == "text/csv" and "PRESS-1 / F-BEARING" in csv.get_data(as_text=True)
    assert client.get(f"{B}/notifications").status_code == 403  # the admin is no technician
