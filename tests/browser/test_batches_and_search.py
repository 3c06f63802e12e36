"""Batches, trace, recall list, search and flags in a real Chromium, on a phone and a desktop."""
import csv
import io
from decimal import Decimal as D

import pytest

from central import inventory as inv, production as prod, recipes
from central.catalog import create_item, create_location
from central.db import database
from central.flags import raise_flag
from central.inventory import Actor
from central.models import BatchStatusChange, Operator, Station, WorkCentre

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, follow, nav, sign_in

pytestmark = pytest.mark.browser

GTIN = "09501101530003"


def build():
    """Flour F1 (supplier lot MILL-77) made into cookies C1 by WO1, cookies into gift boxes G1 by WO2; some dispatched."""
    person = Actor(user="planner")
    with database.connection_context():
        for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
            create_location({"code": code, "role": role})
        WorkCentre.create(code="MIX")
        create_item({"code": "FLOUR", "name": "Wheat flour", "unit": "kg", "shelf_life_days": 180})
        create_item({"code": "COOKIE", "name": "Butter cookie", "unit": "pcs", "gtin": GTIN})
        create_item({"code": "GIFTBOX", "name": "Gift box of cookies with a rather long name", "unit": "pcs"})
        Operator.create(badge="OP-7", name="Ann Baker")
        Station.create(code="S01", site="plant1", name="Mixer station")
        inv.receive(item="FLOUR", qty=D(100), batch="F1", unit_cost=D(1), supplier="MILL", supplier_lot="MILL-77",
                    actor=person)
        recipes.create_recipe({"code": "R1", "item": "COOKIE", "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"}],
                               "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "100"}]})
        recipes.create_recipe({"code": "R2", "item": "GIFTBOX", "inputs": [{"item": "COOKIE", "qty_per_unit": "10"}],
                               "outputs": [{"item": "GIFTBOX", "kind": "main", "cost_share": "100"}]})
        prod.create_work_order({"number": "WO1", "recipe": "R1", "planned_qty": "40", "status": "released"})
        prod.issue_material("WO1", batch="F1", qty=D(20), actor=person)
        prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=person)
        prod.create_work_order({"number": "WO2", "recipe": "R2", "planned_qty": "2", "status": "released"})
        prod.issue_material("WO2", batch="C1", qty=D(20), actor=person)
        prod.report_output("WO2", item="GIFTBOX", kind="main", batch="G1", qty=D(2), actor=person)
        inv.dispatch(batch="G1", qty=D(1), reference="=SHOP(42)", actor=person)
        raise_flag("negative_stock", "batch C1 went to -2 pcs", subject="C1")
        raise_flag("uncertified_operator", "OP-7 has no valid MIXING certificate", subject="OP-7")


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_batches_list_home_and_trace(screen, request, live_server, supervisor):
    page = request.getfixturevalue(screen)
    build()
    sign_in(page, live_server, supervisor)
    nav(page, "Batches")
    assert page.url.endswith("/batches")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 3 and "G1" in rows.first.inner_text()  # newest first
    assert_accessible(page)
    if screen == "phone":
        assert_no_sideways_scroll(page)
    page.select_option("select[name=item]", "FLOUR")
    follow(page, "Show", role="button")
    assert page.locator("main table tbody tr").count() == 1
    page.fill("main input[name=text]", "MILL-77")
    page.get_by_role("button", name="Show").click()
    assert "F1" in page.locator("main table").inner_text()
    page.fill("main input[name=text]", "nothing-like-this")
    page.get_by_role("button", name="Show").click()
    assert "No batch matches these filters." in page.inner_text("main")

    page.goto(live_server.url + "/batches/C1")
    main = page.inner_text("main")
    assert "Batch C1" in main and "Butter cookie" in main and "20 pcs" in main and "WO1" in main and "WO2" in main
    assert page.get_by_role("link", name="FG").count() >= 1  # the location holding it is a link
    assert_accessible(page)
    if screen == "phone":
        assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Trace", exact=True).click()
    assert page.url.endswith("/batches/C1/trace")
    back = page.locator("section", has_text="What went into it").inner_text()
    assert "20 kg of" in back and "F1" in back and "WO1" in back
    forward = page.locator("section", has_text="Where it went").inner_text()
    assert "G1" in forward and "WO2" in forward and "dispatched to =SHOP(42)" in forward
    assert_accessible(page)
    if screen == "phone":
        assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Batch record").first.click()
    assert "Batch record C1" in page.inner_text("main") and "20 kg" in page.inner_text("main")
    assert page.locator("main a[href='/work-orders/WO1']").count() >= 1
    assert_accessible(page)


def test_quarantine_a_batch_through_its_form(phone, live_server, supervisor):
    build()
    sign_in(phone, live_server, supervisor)
    phone.goto(live_server.url + "/batches/F1")
    phone.select_option("#status-new", "quarantine")
    phone.get_by_role("button", name="Change status").click()  # no reason: refused next to the field
    assert phone.locator("#reason-error").inner_text() == "Say why the status changes."
    assert phone.input_value("#status-new") == "quarantine"  # what was chosen is kept
    assert_accessible(phone)
    phone.fill("#status-reason", "damp sacks in the store")
    phone.get_by_role("button", name="Change status").click()
    assert phone.locator("[role=alert]").inner_text() == "Batch F1 is now quarantine."
    history = phone.locator("#status table").inner_text()
    assert "released → quarantine" in history and "sue" in history and "damp sacks in the store" in history
    assert sorted(o.get_attribute("value") for o in phone.locator("#status-new option").all()) == ["blocked", "released"]
    assert_no_sideways_scroll(phone)
    with database.connection_context():
        change = BatchStatusChange.get()
        assert (change.to_status, change.changed_by) == ("quarantine", "sue")


def scan(page, text):
    """Type into the header's search box and press Enter, as a keyboard-wedge scanner does."""
    box = page.locator("#site-search")
    if not box.evaluate("el => el === document.activeElement"):
        box.click()
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_search_by_each_kind_of_code(desktop, live_server, supervisor):
    build()
    sign_in(desktop, live_server, supervisor)
    expected = {"C1": "/batches/C1", "WO1": "/work-orders/WO1", "COOKIE": "/items/COOKIE", GTIN: "/items/COOKIE",
                "OP-7": "/operators/OP-7", "S01": "/stations/S01", "STORE": "/locations/STORE",
                "MILL-77": "/batches/F1", "(01)09501101530003(17)271231(10)C1": "/batches/C1",
                "0109501101530003172712311" + "0C1": "/batches/C1"}
    for code, path in expected.items():
        desktop.goto(live_server.url + "/")
        scan(desktop, code)
        assert desktop.url.endswith(path), (code, desktop.url)
    desktop.goto(live_server.url + "/")
    scan(desktop, "WO")
    assert desktop.url.endswith("/search?q=WO")
    groups = desktop.inner_text("main")
    assert "Work orders" in groups and "WO1" in groups and "WO2" in groups
    assert_accessible(desktop)
    scan(desktop, "no-such-code-anywhere")
    assert "Nothing matches “no-such-code-anywhere”." in desktop.inner_text("main")
    assert desktop.input_value("#site-search") == "no-such-code-anywhere"  # kept in the box to correct it
    assert_accessible(desktop)


def test_search_on_a_phone_with_a_gs1_label(phone, live_server, supervisor):
    build()
    sign_in(phone, live_server, supervisor)
    scan(phone, "(01)09501101530003(10)C1")
    assert phone.url.endswith("/batches/C1")
    scan(phone, "(01)09501101530003(10)UNKNOWN-LOT")
    assert phone.url.endswith("/items/COOKIE")  # the item of that GTIN (its page is the item's)
    phone.goto(live_server.url + "/search?q=%2801%29123")
    assert "could not be read" in phone.inner_text("main")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)


def test_recall_list_as_csv(desktop, live_server, supervisor):
    build()
    sign_in(desktop, live_server, supervisor)
    desktop.goto(live_server.url + "/batches/F1/trace")
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Recall list (CSV)").click()
    content = open(download.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["depth"], r["batch"]) for r in rows if r["where"] == "on hand"] == [
        ("0", "F1"), ("1", "C1"), ("2", "G1")]
    dispatched = next(r for r in rows if r["where"] == "dispatched")
    assert dispatched["batch"] == "G1" and dispatched["qty"] == "1.000000" and dispatched["place"] == "'=SHOP(42)"
    assert {r["item"] for r in rows} == {"FLOUR", "COOKIE", "GIFTBOX"}


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_flags_in_words_and_a_friendly_not_found_page(screen, request, live_server, supervisor):
    page = request.getfixturevalue(screen)
    build()
    sign_in(page, live_server, supervisor)
    home = page.inner_text("main")
    assert "Stock went below zero" in home and "negative_stock" not in home
    assert page.locator("main a[href='/batches/C1']").count() == 1
    assert_accessible(page)
    nav(page, "Flags")
    cards = page.inner_text("main")
    assert "Operator without a valid certification" in cards and "Concerns operator OP-7" in cards
    assert page.locator("main a[href='/operators/OP-7']").count() == 1
    assert_accessible(page)
    if screen == "phone":
        assert_no_sideways_scroll(page)
    for path in ("/batches/NOPE", "/batches/NOPE/trace", "/no/such/page"):
        response = page.goto(live_server.url + path)
        assert response.status == 404
        assert "Not found" in page.inner_text("main")
        assert page.locator("#site-search").is_visible() or page.locator("#not-found-search").is_visible()
        assert_accessible(page)
        if screen == "phone":
            assert_no_sideways_scroll(page)
    page.fill("#not-found-search", "C1")
    page.press("#not-found-search", "Enter")
    page.wait_for_url("**/batches/C1")
