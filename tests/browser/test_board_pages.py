"""The live board, its wall-screen mode and a work order's timeline in Chromium: phone layout,
filters without a reload, the wall cycling through work centres, and axe-core on each page."""
from datetime import datetime, timedelta, timezone

import pytest

from central.db import database
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in
from tests.browser.live import wait_js
from tests.central.boardplant import Floor, build_plant

pytestmark = pytest.mark.browser


@pytest.fixture
def plant(app, supervisor):
    """The board's plant with WO-1 running at MIX (one output in), machine MX-1 down, WO-2 paused."""
    now = datetime.now(timezone.utc)
    with database.connection_context():
        build_plant()
        floor = Floor()
        floor.send("S01", "operator.signed_in", now - timedelta(minutes=50))
        floor.send("S01", "stage.started", now - timedelta(minutes=50), work_order="WO-1", stage=10)
        floor.send("S01", "output.reported", now - timedelta(minutes=20), work_order="WO-1", kind="main", item="FG-1",
                   batch="S01-A", qty="30")
        floor.send("S01", "machine.down", now - timedelta(minutes=5), reason="DT-JAM")
        floor.send("S02", "operator.signed_in", now - timedelta(minutes=40), operator="OP-2")
        floor.send("S02", "stage.started", now - timedelta(minutes=40), operator="OP-2", work_order="WO-2", stage=10)
        floor.send("S02", "work_order.paused", now - timedelta(minutes=10), operator="OP-2", work_order="WO-2",
                   reason="DLY-MAT")
    yield floor
    feed = app.extensions.get("shopfloor.board_feed")
    if feed is not None:
        feed.stop()


def test_the_board_on_a_phone(phone, live_server, supervisor, plant):
    sign_in(phone, live_server, supervisor)
    nav(phone, "Board")
    phone.wait_for_url(live_server.url + "/board")
    wait_js(phone, "document.getElementById('board').dataset.live === 'yes'")
    row = phone.locator("#wo-WO-1")
    assert "machine down" in row.inner_text() and "DT-JAM" in row.inner_text()
    assert "paused" in phone.locator("#wo-WO-2").inner_text()
    assert phone.locator("#machine-MX-1").get_attribute("data-state") == "down"
    assert_no_sideways_scroll(phone)
    assert_accessible(phone)
    # filters apply at once, without a reload, and stay in the address
    phone.evaluate("window.notReloaded = true")
    phone.select_option("select[name=state]", "paused")
    wait_js(phone, "document.getElementById('wo-WO-1').classList.contains('hidden')")
    assert phone.locator("#wo-WO-2").is_visible()
    assert "state=paused" in phone.url and phone.evaluate("window.notReloaded") is True
    # a new fact arrives while the filter is on: the row changes in place and stays filtered
    with database.connection_context():
        plant.send("S02", "work_order.resumed", datetime.now(timezone.utc), operator="OP-2", work_order="WO-2")
    wait_js(phone, "document.getElementById('wo-WO-2').dataset.state === 'running'")
    wait_js(phone, "document.getElementById('wo-WO-2').classList.contains('hidden')")
    assert phone.locator("#wo-empty").is_visible()


def test_the_wall_screen_cycles_through_work_centres(desktop, phone, live_server, supervisor, plant):
    sign_in(desktop, live_server, supervisor)
    desktop.goto(live_server.url + "/board/wall?cycle=3")
    assert desktop.locator("header nav").count() == 0
    wait_js(desktop, "document.getElementById('wall-centre').textContent === 'Work centre MIX'")
    assert desktop.locator("#wo-WO-1").is_visible()
    font = desktop.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 24  # large type
    assert_accessible(desktop)
    wait_js(desktop, "document.getElementById('wall-centre').textContent === 'Work centre PACK'", timeout_ms=10_000)
    assert not desktop.locator("#wo-WO-1").is_visible()
    sign_in(phone, live_server, supervisor)
    phone.goto(live_server.url + "/board?wall=1")
    wait_js(phone, "document.getElementById('board').dataset.live === 'yes'")
    assert_no_sideways_scroll(phone)


def test_the_timeline_of_a_work_order(phone, desktop, live_server, supervisor, plant):
    for page in (phone, desktop):
        sign_in(page, live_server, supervisor)
        page.goto(live_server.url + "/board")
        page.locator("#wo-WO-1").get_by_role("link", name="timeline of WO-1").click()
        page.wait_for_url(live_server.url + "/work-orders/WO-1/timeline")
        svg = page.locator("svg[role=img]")
        assert "DT-JAM" not in svg.get_attribute("aria-labelledby")
        assert page.locator("#tl-desc").count() == 1
        assert "DT-JAM" in page.inner_text("main") and "S01-A" in page.inner_text("main")
        assert_accessible(page)
    assert_no_sideways_scroll(phone)
