"""The operator, certification, import and assignment pages (forms with CSRF)."""
import io
import re

import pytest

from central.db import database
from central.models import Certification, Operator, StageAssignment


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def browser(client, admin_user):
    """A browser signed in as the admin."""
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": admin_user[0], "password": admin_user[1], "csrf_token": token})
    return client


def post_form(browser, url, data, **kw):
    data = {**data, "csrf_token": csrf(browser.get(url).get_data(as_text=True))}
    return browser.post(url, data=data, follow_redirects=True, **kw)


def test_create_and_edit_operator_and_duplicate_badge(browser):
    resp = post_form(browser, "/operators/new", {"badge": "OP-1", "name": "Ann", "active": "y"})
    assert resp.status_code == 200 and "Operator OP-1 added." in resp.get_data(as_text=True)
    resp = post_form(browser, "/operators/new", {"badge": "OP-1", "name": "Again", "active": "y"})
    assert "already in use" in resp.get_data(as_text=True)
    post_form(browser, "/operators/OP-1/edit", {"badge": "OP-1", "name": "Ann B"})
    with database.connection_context():
        assert [(o.badge, o.name, o.active) for o in Operator.select()] == [("OP-1", "Ann B", False)]
    assert "Ann B" in browser.get("/operators?q=Ann").get_data(as_text=True)


def test_post_without_csrf_is_refused(browser):
    assert browser.post("/operators/new", data={"badge": "OP-1"}).status_code == 400


def test_certification_form_errors_sit_by_the_field(browser):
    post_form(browser, "/operators/new", {"badge": "OP-1", "name": "Ann", "active": "y"})
    resp = post_form(browser, "/certifications/new", {"badge": "OP-1", "skill": "NOPE", "level": "1", "issued": "2026-01-01"})
    assert "no skill &#39;NOPE&#39;" in resp.get_data(as_text=True)
    with database.connection_context():
        from central.operators import create_skill
        create_skill("WELD")
    resp = post_form(browser, "/certifications/new", {"badge": "OP-1", "skill": "WELD", "level": "1",
                                                       "issued": "2026-05-01", "expires": "2026-04-01"})
    assert "is before the issue date" in resp.get_data(as_text=True)
    resp = post_form(browser, "/certifications/new", {"badge": "OP-1", "skill": "WELD", "level": "2",
                                                       "issued": "2026-05-01", "expires": "2099-04-01"})
    assert "OP-1 certified for WELD." in resp.get_data(as_text=True)
    with database.connection_context():
        cert = Certification.get()
    post_form(browser, f"/certifications/{cert.id}/edit", {"badge": "OP-1", "skill": "WELD", "level": "3",
                                                          "issued": "2026-05-01", "expires": ""})
    with database.connection_context():
        assert (Certification.get().level, Certification.get().expires) == (3, None)
    assert browser.get("/certifications/expiring").status_code == 200


def test_import_page_choice_of_mode(browser):
    csv_text = b"badge,name\nOP-1,Ann\nbad badge,X\nOP-2,Bob\n"
    url = "/operators/import"
    resp = post_form(browser, url, {"mode": "all", "file": (io.BytesIO(csv_text), "ops.csv")},
                     content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert "Nothing imported" in page and "<td class=\"num\">3</td>" in page
    with database.connection_context():
        assert Operator.select().count() == 0
    resp = post_form(browser, url, {"mode": "valid", "file": (io.BytesIO(csv_text), "ops.csv")},
                     content_type="multipart/form-data")
    assert "Imported 2 operators." in resp.get_data(as_text=True)


def make_work_order():
    """WO-1 with stage 10 needing WELD, and an operator without it."""
    from central.catalog import create_item
    from central.models import WorkCentre
    from central.operators import create_operator, create_skill
    from central.production import create_work_order
    from central.recipes import create_recipe
    WorkCentre.create(code="WC-1")
    create_skill("WELD")
    create_item({"code": "FG-1", "unit": "pcs"})
    create_recipe({"code": "R-1", "item": "FG-1", "outputs": [{"item": "FG-1", "kind": "main", "cost_share": "100"}],
                   "stages": [{"seq": 10, "work_centre": "WC-1", "standard_minutes": "30", "skill": "WELD"}]})
    create_work_order({"number": "WO-1", "recipe": "R-1", "planned_qty": "5", "status": "released"})
    create_operator("OP-1", "Ann")


def test_assignment_page_blocks_then_shows_the_override(browser):
    with database.connection_context():
        make_work_order()
    url = "/work-orders/WO-1/assignments"
    resp = post_form(browser, url, {"stage": "10", "operator": "OP-1"})
    assert "not certified for WELD" in resp.get_data(as_text=True)
    with database.connection_context():
        assert StageAssignment.select().count() == 0
    resp = post_form(browser, url, {"stage": "10", "operator": "OP-1", "override_reason": "Paired with a welder"})
    page = resp.get_data(as_text=True)
    assert "Overridden by boss: Paired with a welder" in page
    assert browser.get("/work-orders/WO-9/assignments").status_code == 404
