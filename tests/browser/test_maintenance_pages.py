"""Maintenance on a phone in real Chromium: the public request form reached from a machine's QR
code, and a technician's whole path from a supervisor's approval to work done; axe-core on every page."""

import pytest

from central.db import database
from central.maintenance import requests, staff, templates
from central.maintenance.assignment import create_rule
from central.models import CheckResult, MaintenanceWorkOrder, PartUse, TimeEntry, WorkRequest, utcnow

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in
from tests.central.maint import shop  # noqa: F401

pytestmark = pytest.mark.browser


def sign_out(page):
    page.locator("header").get_by_role("button", name="Sign out").click()


def test_the_public_request_form_from_a_machines_qr_code(phone, live_server, shop, supervisor):
    phone.goto(live_server.url + "/r/PRESS-1")  # what the label's QR code opens
    assert "Press 1" in phone.inner_text("main") and "Bay 3" in phone.inner_text("main")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)
    phone.get_by_role("button", name="Send").click()
    assert phone.locator("#description-error").inner_text() == "is required: say what is wrong or what to do"
    assert_accessible(phone)
    phone.get_by_label("What is wrong?").fill("Ram knocks <b>loudly</b> at the top")
    phone.get_by_label("Your name or how to reach you").fill("Tom, line 1")
    phone.get_by_role("button", name="Send").click()
    assert "REQ-000001" in phone.locator("[role=status]").inner_text()
    assert_accessible(phone)
    phone.locator("#status-link").click()
    assert phone.locator("#request-status").inner_text().strip() == "Waiting for a supervisor to look at it."
    assert "Ram knocks <b>loudly</b> at the top" in phone.inner_text("main")  # shown as text, not markup
    assert_accessible(phone)
    with database.connection_context():
        requests.approve("REQ-000001", by="sue")
    phone.reload()
    assert "Accepted: maintenance work order MWO-000001 is open." in phone.locator("#request-status").inner_text()
    phone.goto(live_server.url + "/maintenance")  # the form opens no door to the rest
    assert phone.url.startswith(live_server.url + "/login")
    phone.goto(live_server.url + "/r/NOPE")
    assert "There is no machine NOPE" in phone.inner_text("main")


def test_a_technicians_whole_path(phone, live_server, shop, supervisor):
    with database.connection_context():
        templates.save_template("PRESS-FIX", {
            "title": "Press repair", "fields": [{"name": "cause", "label": "Cause", "kind": "choice",
                                                 "choices": ["wear", "misuse", "other"], "required": True}],
            "checklist": [{"text": "Lock out the press", "kind": "tick"},
                          {"text": "Hydraulic pressure", "kind": "reading", "unit": "bar", "min": "180", "max": "220"}]},
            by="pat")
        create_rule(name="Line 1 to Ella", area="A1", technician="ELEC")
        staff.add_shift("ELEC", utcnow().weekday(), "00:00", "24:00")
        requests.submit_request(asset="PRESS-1", description="Ram knocks", reporter="Tom")

    sign_in(phone, live_server, supervisor)
    nav(phone, "Maintenance")
    phone.get_by_role("link", name="1 request to triage").click()
    assert_accessible(phone)
    card = phone.locator(".request", has_text="REQ-000001")
    card.get_by_label("Template").select_option("PRESS-FIX")
    card.get_by_role("button", name="Approve").click()
    assert phone.locator(".flash").inner_text() == "REQ-000001 approved: work order MWO-000001."
    assert_no_sideways_scroll(phone)
    sign_out(phone)

    sign_in(phone, live_server, ("ella", "ella reads gauges at dawn"))
    nav(phone, "Maintenance")
    phone.get_by_role("link", name="My work").click()
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="MWO-000001").click()
    assert "rule 'Line 1 to Ella'" in phone.locator("#assignees").inner_text()
    phone.get_by_role("button", name="Start timer").click()
    assert phone.locator(".flash").inner_text() == "Timer started."
    assert phone.locator("#status").inner_text().startswith("in progress")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)

    phone.locator("#step-0").get_by_role("button", name="Done").click()
    step = phone.locator("#step-1")
    step.get_by_label("Reading (bar)").fill("two hundred")
    step.get_by_role("button", name="Save").click()
    assert "reading: must be a number" in phone.locator(".flash").inner_text()
    step = phone.locator("#step-1")
    step.get_by_label("Reading (bar)").fill("150")
    step.get_by_label("open a follow-up if it fails").check()
    step.get_by_role("button", name="Save").click()
    assert "outside limits" in phone.locator("#step-1").inner_text()
    assert "flagged" in phone.locator("#status").inner_text()

    phone.get_by_role("button", name="Mark done").click()  # the required field is still empty
    assert "Cause is required before the work is done" in phone.locator(".flash").inner_text()
    phone.get_by_label("Cause required").select_option("wear")  # the custom field, not the cause code
    phone.get_by_role("button", name="Save fields").click()

    part = phone.locator("#part")  # a keyboard-wedge scanner types the code and Enter
    part.fill("")
    qty = phone.get_by_label("Qty")
    qty.fill("2")
    part.type("BR-2")
    part.press("Enter")
    assert phone.locator(".flash").inner_text() == "Part BR-2 booked."
    assert "BR-2" in phone.locator("#parts").inner_text()
    phone.locator("#note-text").fill("Worn seal on the ram; replaced.")
    phone.get_by_role("button", name="Add note").click()
    phone.get_by_role("button", name="Stop timer").click()
    phone.get_by_role("button", name="Mark done").click()
    assert phone.locator(".flash").inner_text() == "Work done."
    assert phone.locator("#status").inner_text().startswith("done")
    assert "10.00" in phone.locator("#cost").inner_text()  # two bearings of BR-2 at 5.00
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)

    with database.connection_context():
        wo = MaintenanceWorkOrder.get(MaintenanceWorkOrder.number == "MWO-000001")
        assert (wo.status, wo.flagged) == ("done", True)
        assert CheckResult.select().count() == 2 and PartUse.get().qty == 2
        assert TimeEntry.get().ended_at is not None
        follow_up = MaintenanceWorkOrder.get(MaintenanceWorkOrder.parent == wo.id)
        assert follow_up.source == "follow_up"
        assert WorkRequest.get().status == "approved"
    phone.goto(live_server.url + "/maintenance/assets/PRESS-1")
    assert "MWO-000001" in phone.locator("#work-orders").inner_text()
    assert "REQ-000001" in phone.locator("#requests").inner_text()
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)


def test_every_maintenance_page_passes_axe_on_a_phone(phone, live_server, shop, admin_user):
    with database.connection_context():
        templates.save_template("PRESS-FIX", {"title": "Press repair", "fields": [{"name": "cause", "kind": "text"}],
                                              "checklist": [{"text": "Pressure", "kind": "reading", "min": "1"}]},
                                by="pat")
        create_rule(name="Line 1 to Ella", area="A1", technician="ELEC")
        staff.add_shift("ELEC", "Mon", "06:00", "14:00")
        requests.submit_request(asset="PRESS-1", description="Ram knocks", reporter="Tom")
        from central.maintenance.workorders import create_work_order

        create_work_order(asset="PRESS-1", template="PRESS-FIX", by="boss")
    sign_in(phone, live_server, admin_user)
    for path in ["/maintenance", "/maintenance/my", "/maintenance/work-orders?q=press", "/maintenance/work-orders/new",
                 "/maintenance/work-orders/MWO-000001", "/maintenance/report", "/maintenance/requests",
                 "/maintenance/assets", "/maintenance/assets/PRESS-1", "/maintenance/assets/PRESS-1/edit",
                 "/maintenance/templates", "/maintenance/templates/edit", "/maintenance/templates/PRESS-FIX/edit",
                 "/maintenance/rules", "/maintenance/technicians", "/maintenance/contractors"]:
        phone.goto(live_server.url + path)
        assert phone.locator("h1").count() == 1, path
        assert_accessible(phone)
        assert_no_sideways_scroll(phone)
