"""Maintenance pages through the test client: every page renders, forms carry CSRF, user text
is escaped, roles are enforced, and the public request form is open, throttled and bounded."""
import re

import pytest

from central.auth import create_user
from central.db import database
from central.maintenance import templates
from central.maintenance.workorders import create_work_order
from central.models import MaintenanceWorkOrder, WorkRequest

from tests.central.maint import shop  # noqa: F401


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(client, user, password):
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": user, "password": password, "csrf_token": token})
    return client


def post(client, page, url, data):
    return client.post(url, data={**data, "csrf_token": csrf(client.get(page).get_data(as_text=True))},
                       follow_redirects=True)


@pytest.fixture
def boss(shop, app, admin_user):
    """The admin signed in, with a work order from a template and one request waiting."""
    database.connect(reuse_if_open=True)
    templates.save_template("PUMP", {"title": "Pump check", "checklist": [{"text": "Leak test", "kind": "pass_fail"}],
                                     "fields": [{"name": "hours", "kind": "number", "unit": "h"}]}, by="pat")
    create_work_order(asset="PUMP-2", template="PUMP", by="sue", auto=False)
    from central.maintenance.requests import submit_request

    submit_request(asset="PRESS-1", description="<script>alert(1)</script> leaking", reporter="Tom")
    database.close()
    return sign_in(app.test_client(), *admin_user)


PAGES = ["/maintenance", "/maintenance/my", "/maintenance/work-orders?q=pump", "/maintenance/work-orders/new",
         "/maintenance/work-orders/MWO-000001", "/maintenance/report", "/maintenance/requests",
         "/maintenance/requests?status=approved", "/maintenance/assets", "/maintenance/assets/PRESS-1",
         "/maintenance/assets/PRESS-1/edit", "/maintenance/templates", "/maintenance/templates/edit",
         "/maintenance/templates/PUMP/edit", "/maintenance/rules", "/maintenance/technicians",
         "/maintenance/contractors"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders(boss, url):
    resp = boss.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]


def test_user_text_is_escaped(boss):
    page = boss.get("/maintenance/requests").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_whole_path_through_the_forms(boss):
    resp = post(boss, "/maintenance/requests", "/maintenance/requests/REQ-000001/approve",
                {"type": "corrective", "priority": "high"})
    assert "REQ-000001 approved: work order MWO-000002." in resp.get_data(as_text=True)
    page = "/maintenance/work-orders/MWO-000001"
    resp = post(boss, page, page + "/assign", {"technician": "MECH"})
    assert "Assigned." in resp.get_data(as_text=True)
    resp = post(boss, page, page + "/check/0", {"result": "fail", "follow_up": "on"})
    assert "Step 1 recorded." in resp.get_data(as_text=True)
    resp = post(boss, page, page + "/check/0", {"result": "pass"})
    assert "answered already" in resp.get_data(as_text=True)
    resp = post(boss, page, page + "/fields", {"field-hours": "abc"})
    assert "fields.hours: must be a number" in resp.get_data(as_text=True)
    resp = post(boss, page, page + "/part", {"part": "BR-1", "qty": "2"})
    assert "Part BR-1 booked." in resp.get_data(as_text=True)
    resp = post(boss, page, page + "/time", {"technician": "MECH", "started_at": "2026-01-05T08:00", "minutes": "45"})
    assert "Time entered." in resp.get_data(as_text=True)
    resp = post(boss, page, page + "/complete", {})
    assert "Work done." in resp.get_data(as_text=True)
    with database.connection_context():
        wo = MaintenanceWorkOrder.get(MaintenanceWorkOrder.number == "MWO-000001")
        assert (wo.status, wo.flagged) == ("done", True)
        assert MaintenanceWorkOrder.select().where(MaintenanceWorkOrder.source == "follow_up").count() == 1


def test_posts_need_csrf_and_the_right_role(boss, app):
    assert boss.post("/maintenance/work-orders/MWO-000001/start").status_code == 400
    with database.connection_context():
        create_user("vic", "viewer watches quiet meters", "viewer")
    viewer = sign_in(app.test_client(), "vic", "viewer watches quiet meters")
    assert viewer.get("/maintenance/work-orders/MWO-000001").status_code == 200
    resp = post(viewer, "/maintenance/work-orders/MWO-000001", "/maintenance/work-orders/MWO-000001/cancel",
                {"reason": "no"})
    assert resp.status_code == 403
    assert app.test_client().get("/maintenance").status_code == 302  # to the login page


def test_the_public_form_needs_no_login_and_is_throttled(app, shop):
    anonymous = app.test_client()
    page = anonymous.get("/r/PRESS-1")
    assert page.status_code == 200 and "Press 1" in page.get_data(as_text=True)
    assert anonymous.get("/r/NOPE").status_code == 404
    token = csrf(page.get_data(as_text=True))
    resp = anonymous.post("/r/PRESS-1", data={"csrf_token": token, "description": "", "reporter": ""})
    assert resp.status_code == 400 and "is required" in resp.get_data(as_text=True)
    resp = anonymous.post("/r/PRESS-1", data={"csrf_token": token, "description": "x" * 1_000_000})
    assert resp.status_code == 413
    resp = anonymous.post("/r/PRESS-1", data={"csrf_token": token, "description": "Belt squeals", "reporter": "Jo"})
    assert resp.status_code == 201
    link = re.search(r'id="status-link" href="([^"]+)"', resp.get_data(as_text=True)).group(1)
    status = anonymous.get(link.replace("http://localhost", ""))
    assert "Waiting for a supervisor" in status.get_data(as_text=True)
    codes = [anonymous.post("/r/PRESS-1", data={"csrf_token": token, "description": f"again {i}"}).status_code
             for i in range(6)]
    assert codes == [201, 201, 429, 429, 429, 429]  # 5 a minute, the refused and the oversized post included
    with database.connection_context():
        assert WorkRequest.select().count() == 3
    assert anonymous.get("/r/status/not-a-token").status_code == 404


def test_the_asset_label_carries_the_public_form_link(boss):
    import pypdfium2
    import zxingcpp

    resp = boss.get("/maintenance/assets/PRESS-1/label.pdf")
    assert resp.mimetype == "application/pdf"
    image = pypdfium2.PdfDocument(resp.data)[0].render(scale=4).to_pil()
    texts = {r.format.name: r.text for r in zxingcpp.read_barcodes(image)}
    assert texts["QRCode"] == "http://127.0.0.1:8000/r/PRESS-1"
    assert texts["Code128"] == "PRESS-1"
