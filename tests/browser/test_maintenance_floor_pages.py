"""Maintenance from the floor in real Chromium, on a phone and a desktop: a breakdown from a down
report finished with failure codes, schedules with a safety block overridden, the calendar,
the asset page's counters and reliability; axe-core on every page."""
from datetime import timedelta

import pytest

from central.db import database
from central.maintenance import schedules, templates
from central.maintenance.assignment import create_rule
from central.models import Machine, MaintenanceWorkOrder, ReasonCode, Station, WorkCentre, utcnow
from central.recorder import record_raw

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, sign_in
from tests.central.factories import event
from tests.central.maint import shop  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def floor(shop, app):
    with database.connection_context():
        centre = WorkCentre.create(code="PRESS")
        Machine.update(work_centre=centre.id).where(Machine.code == "M-1").execute()
        Station.create(code="S01", site="plant1", work_centre=centre.id)
        for code, category in (("DT-JAM", "downtime"), ("F-BEARING", "failure"), ("C-WEAR", "cause"),
                               ("R-REPLACE", "remedy")):
            ReasonCode.create(code=code, category=category, description=f"{code} <b>x</b>")
        create_rule(name="all to Ella", technician="ELEC")
        templates.save_template("GUARD", {"title": "Guard check", "type": "inspection"}, by="pat")
        now = utcnow().replace(microsecond=0)
        schedules.create_schedule(code="GUARD-W", asset="PRESS-1", template="GUARD", trigger="days", interval=7,
                                  safety_critical=True, starts_at=(now - timedelta(hours=1)).isoformat() + "Z", by="pat")
        schedules.create_schedule(code="LUBE-C", asset="PRESS-1", template="GUARD", trigger="cycles", interval=1000,
                                  by="pat")
        record_raw([event("machine.down", 1, (now - timedelta(minutes=30)).isoformat() + "Z", reason="DT-JAM"),
                    event("machine.up", 2, (now - timedelta(minutes=10)).isoformat() + "Z")], site="plant1", station="S01")
    return shop


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_floor_maintenance_pages(device, request, live_server, floor, supervisor):
    page = request.getfixturevalue(device)
    sign_in(page, live_server, supervisor)
    page.goto(live_server.url + "/maintenance/schedules")
    assert "GUARD-W" in page.inner_text("#schedules") and "Production blocked" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name="Run the scheduler now").click()
    assert page.locator(".flash").inner_text().startswith("Made ")  # the ingest made GUARD-W already
    assert "MWO-" in page.locator("#schedules tr", has_text="GUARD-W").inner_text()
    page.get_by_label("Override reason").fill("guard checked by hand")
    page.get_by_role("button", name="Allow production").click()
    assert "Production allowed" in page.locator(".flash").inner_text()
    assert "Production blocked" not in page.inner_text("main")
    if device == "phone":
        assert_no_sideways_scroll(page)

    page.goto(live_server.url + "/maintenance/calendar")
    assert "GUARD-W" in page.inner_text("#by-day") and "LUBE-C" in page.inner_text("#undated")
    assert_accessible(page)

    page.goto(live_server.url + "/maintenance/assets/PRESS-1")
    assert "run-hours" in page.inner_text("#schedules") and "Failures 1" in page.inner_text("#reliability")
    assert_accessible(page)

    with database.connection_context():
        number = MaintenanceWorkOrder.get(MaintenanceWorkOrder.source == "breakdown").number
    page.goto(live_server.url + f"/maintenance/work-orders/{number}")
    assert "DT-JAM" in page.inner_text("#downtime")
    assert_accessible(page)
    page.get_by_label("Failure code").select_option("F-BEARING")
    page.get_by_label("Remedy code").select_option("R-REPLACE")
    page.get_by_role("button", name="Mark done").click()
    assert page.locator(".flash").inner_text() == "Work done."
    assert "F-BEARING" in page.inner_text("#codes")

    page.goto(live_server.url + "/maintenance/reliability")
    assert "PRESS-1 / F-BEARING" in page.inner_text("main")
    assert "F-BEARING <b>x</b>" in page.inner_text("main")  # user text shown as text, never markup
    assert_accessible(page)
    if device == "phone":
        assert_no_sideways_scroll(page)
