"""The maintenance JSON API: every answer matches its declared schema; errors name the field."""
from decimal import Decimal as D

import pytest

from central.api import maintenance as m
from central.api import maintenance_setup as ms
from central.auth import create_user, issue_token
from central.db import database
from central.models import User

from tests.central.maint import shop  # noqa: F401

B = "/api/v1/maintenance"


@pytest.fixture
def client(api, shop):
    database.close()
    return api


def ok(resp, model, status=200):
    assert resp.status_code == status, resp.get_json()
    model.model_validate(resp.get_json())
    return resp.get_json()


def test_set_up_through_the_api(client):
    ok(client.post(f"{B}/areas", json={"code": "A3", "name": "Hall 3"}), ms.AreaOut, 201)
    ok(client.post(f"{B}/lines", json={"code": "L3", "area": "A3"}), ms.LineOut, 201)
    asset = ok(client.post(f"{B}/assets", json={"code": "MIX-3", "line": "L3", "criticality": "critical"}), ms.AssetOut, 201)
    assert (asset["area"], asset["line"]) == ("A3", "L3")
    ok(client.patch(f"{B}/assets/MIX-3", json={"location": "Bay 9"}), ms.AssetOut)
    page = ok(client.get(f"{B}/assets?area=A1"), ms.AssetPage)
    assert [a["code"] for a in page["assets"]] == ["PRESS-1", "PUMP-2"]
    ok(client.get(f"{B}/areas"), ms.AreaList)
    ok(client.post(f"{B}/technicians/MECH/shifts", json={"weekday": "Mon", "start": "22:00", "end": "06:00"}),
       ms.ScheduleOut, 201)
    ok(client.post(f"{B}/technicians/MECH/on-call", json={"starts_at": "2030-11-28T18:00:00Z",
                                                          "ends_at": "2030-11-29T06:00:00Z"}), ms.ScheduleOut, 201)
    schedule = ok(client.get(f"{B}/technicians/MECH/schedule"), ms.ScheduleOut)
    assert client.delete(f"{B}/technicians/MECH/shifts/{schedule['shifts'][0]['id']}").status_code == 204
    assert client.delete(f"{B}/technicians/ELEC/on-call/{schedule['on_call'][0]['id']}").status_code == 404
    assert ok(client.get(f"{B}/technicians/MECH/schedule"), ms.ScheduleOut)["shifts"] == []
    ok(client.get(f"{B}/technicians"), ms.TechnicianList)
    ok(client.post(f"{B}/teams", json={"code": "MAINT", "members": ["ELEC", "MECH"]}), ms.TeamOut, 201)
    ok(client.get(f"{B}/teams"), ms.TeamList)
    ok(client.post(f"{B}/contractors", json={"code": "HYD", "company": "Hydraulics Ltd", "hourly_rate": "80"}),
       ms.ContractorOut, 201)
    ok(client.get(f"{B}/contractors"), ms.ContractorList)
    tmpl = {"title": "Pump check", "type": "inspection",
            "fields": [{"name": "hours", "kind": "number", "min": 0, "required": True}],
            "checklist": [{"text": "Current", "kind": "reading", "unit": "A", "min": "-2.5", "max": 6}]}
    v1 = ok(client.put(f"{B}/templates/PUMP", json=tmpl), ms.TemplateVersionOut, 201)
    assert v1["checklist"][0]["min"] == "-2.5" and v1["version"] == 1
    ok(client.put(f"{B}/templates/PUMP", json={**tmpl, "title": "Pump check v2"}), ms.TemplateVersionOut, 201)
    assert ok(client.get(f"{B}/templates/PUMP/versions/1"), ms.TemplateVersionOut)["title"] == "Pump check"
    assert client.get(f"{B}/templates/PUMP/versions/7").status_code == 404
    assert ok(client.patch(f"{B}/templates/PUMP", json={"active": False}), ms.TemplateOut)["active"] is False
    rule = ok(client.post(f"{B}/rules", json={"name": "Team", "team": "MAINT"}), ms.RuleOut, 201)
    ok(client.patch(f"{B}/rules/{rule['id']}", json={"position": 5}), ms.RuleOut)
    ok(client.get(f"{B}/rules"), ms.RuleList)
    assert client.delete(f"{B}/rules/{rule['id']}").status_code == 204


def test_a_work_order_through_the_api(client):
    client.put(f"{B}/templates/PUMP", json={"title": "Pump check", "checklist": [{"text": "Leak", "kind": "pass_fail"}],
                                            "fields": [{"name": "hours", "kind": "number"}]})
    client.post(f"{B}/rules", json={"name": "All", "technician": "MECH"})
    wo = ok(client.post(f"{B}/work-orders", json={"asset": "PUMP-2", "template": "PUMP", "priority": "high"}),
            m.WorkOrderFullOut, 201)
    n = wo["number"]
    assert wo["status"] == "assigned" and wo["assignees"][0]["technician"] == "MECH"
    assert wo["assignees"][0]["rule"] is not None and "rule 'All'" in wo["assignees"][0]["why"]
    ok(client.post(f"{B}/work-orders/{n}/timer/start", json={"technician": "MECH"}), m.WorkOrderFullOut)
    ok(client.post(f"{B}/work-orders/{n}/time", json={"technician": "ELEC", "started_at": "2026-11-02T08:00:00Z",
                                                      "minutes": 30}), m.WorkOrderFullOut, 201)
    ok(client.put(f"{B}/work-orders/{n}/fields", json={"values": {"hours": 120}}), m.WorkOrderFullOut)
    bad = client.put(f"{B}/work-orders/{n}/fields", json={"values": {"hours": "lots"}})
    assert bad.status_code == 400 and bad.get_json()["field"] == "fields.hours"
    ok(client.post(f"{B}/work-orders/{n}/checklist/0", json={"result": "fail", "follow_up": True}), m.WorkOrderFullOut, 201)
    twice = client.post(f"{B}/work-orders/{n}/checklist/0", json={"result": "pass"})
    assert twice.status_code == 409 and twice.get_json()["field"] == "step"
    ok(client.post(f"{B}/work-orders/{n}/parts", json={"code": "BR-1", "qty": "3"}), m.WorkOrderFullOut, 201)
    short = ok(client.post(f"{B}/work-orders/{n}/parts", json={"batch": "BR-1", "qty": "30"}), m.WorkOrderFullOut, 201)
    assert short["parts"][-1]["flagged"] and short["flagged"]
    client.post(f"{B}/contractors", json={"code": "HYD", "company": "Hydraulics Ltd"})
    ok(client.post(f"{B}/work-orders/{n}/contractors", json={"contractor": "HYD", "agreed_price": "200"}),
       m.WorkOrderFullOut, 201)
    ok(client.post(f"{B}/work-orders/{n}/notes", json={"text": "Seal replaced"}), m.WorkOrderFullOut, 201)
    ok(client.put(f"{B}/work-orders/{n}/requires-signoff", json={"required": True}), m.WorkOrderFullOut)
    done = ok(client.post(f"{B}/work-orders/{n}/complete"), m.WorkOrderFullOut)
    assert done["status"] == "done" and done["time"][0]["ended_at"] is not None
    assert D("30") <= D(done["cost"]["labour"]) < D("30.1")  # ELEC 30 min at 60/h; MECH's timer ran for seconds
    assert done["cost"]["parts"] == "148.500000" and done["cost"]["contractors"] == "200.000000"
    assert ok(client.post(f"{B}/work-orders/{n}/sign-off"), m.WorkOrderFullOut)["signed_off_by"] == "boss"
    page = ok(client.get(f"{B}/work-orders?asset=PUMP-2"), m.WorkOrderPage)
    assert page["total"] == 2 and page["work_orders"][0]["source"] == "follow_up"
    ok(client.get(f"{B}/open-by-asset"), m.OpenByAsset)
    history = ok(client.get(f"{B}/assets/PUMP-2/history"), ms.AssetHistoryOut)
    assert history["cost"]["total"] == done["cost"]["total"]
    assert D(done["cost"]["total"]) == sum(D(done["cost"][k]) for k in ("labour", "parts", "contractors"))


def test_requests_through_the_api(client):
    req = ok(client.post(f"{B}/requests", json={"asset": "PRESS-1", "description": "Oil leak"}), m.RequestOut, 201)
    approved = ok(client.post(f"{B}/requests/{req['number']}/approve", json={"priority": "urgent"}), m.RequestOut)
    again = client.post(f"{B}/requests/{req['number']}/approve", json={})
    assert again.status_code == 409
    second = client.post(f"{B}/requests", json={"asset": "PRESS-1", "description": "Still leaking"}).get_json()
    merged = ok(client.post(f"{B}/requests/{second['number']}/merge", json={"into": approved["work_order"]}), m.RequestOut)
    assert merged["status"] == "merged"
    third = client.post(f"{B}/requests", json={"asset": "FAN-9", "description": "Blue"}).get_json()
    ok(client.post(f"{B}/requests/{third['number']}/reject", json={"reason": "Fine"}), m.RequestOut)
    assert ok(client.get(f"{B}/requests?status=new"), m.RequestPage)["total"] == 0
    assert ok(client.get(f"{B}/requests"), m.RequestPage)["total"] == 3


@pytest.mark.parametrize("url, body, status, field", [
    ("/work-orders", {"asset": "NOPE", "title": "x"}, 404, "asset"),
    ("/work-orders", {"asset": "PRESS-1", "description": ""}, 400, "description"),
    ("/work-orders", {"asset": "PRESS-1", "title": "x", "type": "magic"}, 400, "type"),
    ("/work-orders", {"asset": "PRESS-1", "description": "x" * 1_000_000}, 400, "description"),
    ("/requests", {"asset": "PRESS-1", "description": ""}, 400, "description"),
    ("/requests", {"asset": "NOPE", "description": "broken"}, 404, "asset"),
    ("/rules", {"name": "x", "technician": "MECH", "colour": "red"}, 400, "colour"),
])
def test_bad_input_names_the_field(client, url, body, status, field):
    resp = client.post(B + url, json=body)
    assert resp.status_code == status and resp.get_json()["field"] == field


def test_roles(client, app):
    with database.connection_context():
        create_user("vic", "viewer watches quiet meters", "viewer")
        token = issue_token(User.get(User.username == "vic"), "t")
    viewer = app.test_client()
    viewer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert viewer.get(f"{B}/work-orders").status_code == 200
    assert viewer.post(f"{B}/work-orders", json={"asset": "PRESS-1", "title": "x"}).status_code == 403
    assert viewer.get(f"{B}/my-work").status_code == 403
    assert app.test_client().get(f"{B}/work-orders").status_code == 401
