"""A supervisor runs work orders from a phone and reads stock, the ledger and the event log."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from central import inventory as inv
from central import production as prod
from central import recipes
from central.catalog import create_item, create_location
from central.db import database
from central.inventory import Actor
from central.models import EventRecord, Flag, Skill, Station, StockMove, WorkCentre, WorkOrder
from central.recorder import record
from edge.contract import make_event

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, follow, nav, sign_in

pytestmark = pytest.mark.browser

PERSON = Actor(user="planner")
RECIPE = {
    "code": "R1", "name": "Cookies",
    "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"}, {"item": "BOX", "qty_per_unit": "1", "mode": "backflush"}],
    "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "100"}],
    "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "30", "skill": "MIXING"}],
}


def make_plant(flour_batches: int = 1) -> None:
    """Locations, a work centre, items with stock, a recipe and a station."""
    with database.connection_context():
        for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
            create_location({"code": code, "role": role})
        WorkCentre.create(code="MIX", name="Mixing", labour_rate=D("0.5"), overhead_rate=D("0.3"))
        Skill.create(code="MIXING")
        create_item({"code": "FLOUR", "name": "Wheat flour", "unit": "kg", "costing": "fifo"})
        create_item({"code": "BOX", "unit": "pcs", "costing": "average"})
        create_item({"code": "COOKIE", "name": "Cookie", "unit": "pcs", "costing": "fifo"})
        for n in range(1, flour_batches + 1):
            inv.receive(item="FLOUR", qty=D(100), batch=f"F{n}", unit_cost=D("1.00") + D(n) / 100, actor=PERSON)
        inv.receive(item="BOX", qty=D(500), batch="BX1", unit_cost=D("0.10"), actor=PERSON)
        recipes.create_recipe(RECIPE)
        Station.create(code="S01", site="plant1", name="Mixer")


class Floor:
    """A station reporting events with increasing sequence numbers."""

    def __init__(self, code="S01"):
        self.code, self.seq = code, 0

    def send(self, type_name, data, operator="OP-1"):
        self.seq += 1
        event = make_event(type_name, site="plant1", station=self.code, seq=self.seq, operator=operator, data=data,
                           at=datetime.now(timezone.utc))
        with database.connection_context():
            outcome = record([event])
        assert outcome.rejected == []
        return event.id


def check(page, phone=True):
    """Every page: no serious or critical axe violation; on a phone, no sideways scrolling."""
    assert_accessible(page)
    if phone:
        assert_no_sideways_scroll(page)


def error_next_to(page, name):
    """The error shown in the form row of the field ``name``."""
    return page.locator(f"main p:has([name={name}]) .error").inner_text()


def submit_filters(page):
    """Send a list's filter form and wait for the filtered page."""
    with page.expect_navigation():
        page.click("main form.filters button[type=submit]")


def count_work_orders():
    with database.connection_context():
        return WorkOrder.select().count()


def test_a_work_order_from_creation_to_completion_on_a_phone(phone, live_server, supervisor):
    make_plant()
    sign_in(phone, live_server, supervisor)
    nav(phone, "Work orders")
    assert "No work orders match." in phone.inner_text("main")
    check(phone)
    phone.get_by_role("link", name="New work order").click()
    check(phone)

    # Bad input: each error next to its field, what was typed kept, nothing written.
    phone.fill("input[name=number]", "WO-100")
    phone.fill("input[name=recipe]", "NO-SUCH")
    phone.fill("input[name=planned_qty]", "250")
    phone.fill("input[name=due]", "2026-12-15")
    phone.click("main button[type=submit]")
    assert "no recipe" in error_next_to(phone, "recipe").lower()
    assert phone.input_value("input[name=recipe]") == "NO-SUCH"
    assert phone.input_value("input[name=number]") == "WO-100"
    assert phone.input_value("input[name=planned_qty]") == "250"
    check(phone)
    phone.fill("input[name=recipe]", "R1")
    phone.fill("input[name=planned_qty]", "0")
    phone.click("main button[type=submit]")
    assert "0" in error_next_to(phone, "planned_qty") or "zero" in error_next_to(phone, "planned_qty")
    assert phone.input_value("input[name=planned_qty]") == "0"
    phone.fill("input[name=planned_qty]", "200")
    phone.fill("input[name=due]", "2026-13-45")
    phone.click("main button[type=submit]")
    assert "YYYY-MM-DD" in error_next_to(phone, "due")
    assert phone.input_value("input[name=due]") == "2026-13-45"
    assert phone.input_value("input[name=recipe]") == "R1"
    assert count_work_orders() == 0

    phone.fill("input[name=due]", "2026-12-15")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Work order WO-100 created (draft)."
    main = phone.inner_text("main")
    assert "200 pcs of COOKIE" in main and "draft" in main and "Tue 15 Dec 2026" in main
    assert phone.get_by_role("link", name="Assignments").get_attribute("href").endswith("/work-orders/WO-100/assignments")
    assert phone.get_by_role("link", name="Timeline").get_attribute("href").endswith("/work-orders/WO-100/timeline")
    planned = phone.locator("table[aria-labelledby=inputs] tbody tr", has_text="FLOUR")
    assert planned.locator("td[data-label=Planned]").inner_text() == "100 kg"
    check(phone)

    phone.get_by_role("button", name="Release").click()
    assert phone.locator(".flash").inner_text() == "Work order WO-100 is released."
    check(phone)

    # The floor reports: a stage starts, flour is issued, cookies come out and get a label.
    floor = Floor()
    floor.send("stage.started", {"work_order": "WO-100", "stage": 10})
    issue_id = floor.send("material.issued", {"work_order": "WO-100", "batch": "F1", "qty": "60"})
    floor.send("output.reported", {"work_order": "WO-100", "kind": "main", "item": "COOKIE", "batch": "C-1", "qty": "120"})
    floor.send("label.printed", {"batch": "C-1", "template": "batch", "copies": 2}, operator=None)
    floor.send("material.issued", {"work_order": "WO-100", "batch": "F-LATE", "qty": "1"})  # unknown: flagged
    phone.reload()
    main = phone.inner_text("main")
    assert "in progress" in main and "120 pcs main output" in main
    assert "by OP-1" in phone.locator("table[aria-labelledby=stages]").inner_text()
    flour = phone.locator("table[aria-labelledby=inputs] tbody tr", has_text="FLOUR")
    assert flour.locator("td[data-label=Issued]").inner_text() == "60 kg"
    assert flour.locator("td[data-label='For output so far']").inner_text() == "60 kg"
    assert flour.get_by_role("link", name="F1").get_attribute("href").endswith("/batches/F1")
    output = phone.locator("table[aria-labelledby=outputs] tbody tr", has_text="C-1")
    assert "2 copies" in output.locator("td[data-label=Labels]").inner_text()
    assert "Provisional" in phone.locator("#costs + .card").inner_text()
    flags = phone.locator("main ul").last
    assert "F-LATE" in flags.inner_text() and "Batch not known yet" in flags.inner_text()
    check(phone)

    # Pause: the reason is asked for on its own page.
    phone.get_by_role("link", name="Pause…").click()
    check(phone)
    phone.get_by_role("button", name="Pause").click()
    assert error_next_to(phone, "reason") == "Say why it is paused."
    with database.connection_context():
        assert WorkOrder.get(WorkOrder.number == "WO-100").status == "in_progress"
    phone.fill("textarea[name=reason]", "mixer blade changed")
    phone.get_by_role("button", name="Pause").click()
    assert phone.locator(".flash").inner_text() == "Work order WO-100 is paused."
    assert "Paused because: mixer blade changed" in phone.inner_text("main")
    nav(phone, "Work orders")
    phone.select_option("select[name=status]", "paused")
    submit_filters(phone)
    row = phone.locator("#work-orders tbody tr", has_text="WO-100")
    assert "mixer blade changed" in row.inner_text()
    check(phone)
    row.get_by_role("link", name="WO-100").click()
    phone.get_by_role("button", name="Resume").click()
    assert phone.locator(".flash").inner_text() == "Work order WO-100 is in progress."

    # Complete: a page says what cannot be undone; "keep it" changes nothing.
    phone.get_by_role("link", name="Complete…").click()
    assert "cannot be undone" in phone.inner_text("main")
    check(phone)
    phone.get_by_role("link", name="Keep it as it is").click()
    assert "in progress" in phone.inner_text("main h1")
    phone.get_by_role("link", name="Complete…").click()
    phone.get_by_role("button", name="Complete").click()
    assert phone.locator(".flash").inner_text() == "Work order WO-100 is done."
    costs = phone.locator("#costs + .card").inner_text()
    assert "Settled" in costs and "Variance" in costs
    box = phone.locator("table[aria-labelledby=inputs] tbody tr", has_text="BOX")
    assert box.locator("td[data-label=Issued]").inner_text() == "120 pcs"  # backflushed at completion
    assert phone.get_by_role("link", name="Complete…").count() == 0
    check(phone)

    # From the work order to its ledger rows, to the event that booked one, and back.
    phone.get_by_role("link", name="Ledger rows", exact=True).click()
    assert phone.locator("input[name=work_order]").input_value() == "WO-100"
    issue = phone.locator("#ledger tbody tr", has_text="issue").first
    assert issue.locator("td[data-label=Quantity]").inner_text() == "-60 kg"
    check(phone)
    issue.get_by_role("link", name="event").click()
    assert phone.url.endswith(f"/events/{issue_id}")
    main = phone.inner_text("main")
    assert "material.issued" in main and "No stock moved" not in main
    check(phone)
    phone.locator("main dl").get_by_role("link", name="WO-100").click()
    assert phone.url.endswith("/work-orders/WO-100")


def test_cancel_asks_first_and_refuses_what_the_rules_forbid(desktop, live_server, supervisor):
    make_plant()
    with database.connection_context():
        prod.create_work_order({"number": "WO-7", "recipe": "R1", "planned_qty": "10", "status": "released"})
    sign_in(desktop, live_server, supervisor)
    desktop.goto(live_server.url + "/work-orders/WO-7")
    desktop.get_by_role("link", name="Cancel work order…").click()
    assert "cannot be reopened" in desktop.inner_text("main")
    check(desktop, phone=False)
    desktop.fill("textarea[name=reason]", "customer withdrew the order")
    desktop.get_by_role("button", name="Cancel work order").click()
    assert desktop.locator(".flash").inner_text() == "Work order WO-7 is cancelled."
    assert "Cancelled because: customer withdrew the order" in desktop.inner_text("main")
    assert desktop.locator("main .actions form, main a.button").count() == 0  # nothing left to do
    # A second, stale confirmation page posted anyway: refused with the rule, nothing changes.
    desktop.goto(live_server.url + "/work-orders/WO-7/complete")
    desktop.get_by_role("button", name="Complete").click()
    assert "it cannot become done" in desktop.locator(".flash").inner_text()
    with database.connection_context():
        assert WorkOrder.get(WorkOrder.number == "WO-7").status == "cancelled"
    check(desktop, phone=False)


def test_work_order_filters_and_pages(desktop, live_server, supervisor):
    make_plant()
    with database.connection_context():
        WorkCentre.create(code="PACK")
        for n in range(1, 56):
            prod.create_work_order({"number": f"WO-{n:03}", "recipe": "R1", "planned_qty": "5",
                                    "due": f"2026-12-{(n % 28) + 1:02}"})
        prod.create_work_order({"number": "PK-1", "recipe": "R1", "planned_qty": "5",
                                "stages": [{"seq": 10, "work_centre": "PACK"}]})
    sign_in(desktop, live_server, supervisor)
    desktop.goto(live_server.url + "/work-orders")
    assert desktop.locator("#work-orders tbody tr").count() == 50
    assert desktop.locator("#work-orders tbody tr").first.inner_text().startswith("PK-1")  # newest first
    check(desktop, phone=False)
    follow(desktop, "Next page")
    assert desktop.locator("#work-orders tbody tr").count() == 6
    assert desktop.locator("#work-orders tbody tr").last.inner_text().startswith("WO-001")
    desktop.goto(live_server.url + "/work-orders?work_centre=PACK")
    assert desktop.locator("#work-orders tbody td[data-label=Number]").all_inner_texts() == ["PK-1"]
    desktop.goto(live_server.url + "/work-orders?number=wo-05&due_from=2026-12-01&due_to=2026-12-31")
    assert desktop.locator("#work-orders tbody tr").count() == 6  # WO-050 .. WO-055
    desktop.goto(live_server.url + "/work-orders?item=COOKIE&recipe=R1&status=draft")
    assert desktop.locator("#work-orders tbody tr").count() == 50
    desktop.goto(live_server.url + "/work-orders?item=NOPE&due_from=someday")
    assert "no item" in desktop.locator("#f-item-error").inner_text().lower()
    assert desktop.locator("#f-item").input_value() == "NOPE"
    check(desktop, phone=False)


def test_stock_layers_and_ledger_on_a_phone(phone, live_server, supervisor):
    make_plant(flour_batches=3)
    with database.connection_context():
        inv.transfer(item="FLOUR", batch="F2", qty=D(30), from_location="RECV", to_location="STORE", actor=PERSON)
        inv.issue(item="FLOUR", batch="F1", qty=D(40), location="RECV", actor=PERSON)
        for n in range(55):
            inv.receive(item="BOX", qty=D(1), batch=f"BX-{n:02}", unit_cost=D("0.2"), actor=PERSON)
    sign_in(phone, live_server, supervisor)
    nav(phone, "Stock")
    rows = phone.locator("#stock tbody tr")
    assert rows.count() == 50
    check(phone)
    follow(phone, "Next page")
    assert phone.locator("#stock tbody tr").count() > 0
    phone.fill("#f-item", "FLOUR")
    submit_filters(phone)
    texts = phone.locator("#stock tbody tr").all_inner_texts()
    assert len(texts) == 4  # F1, F2 at RECV and STORE, F3
    f1 = phone.locator("#stock tbody tr", has_text="F1")
    assert f1.locator("td[data-label=Quantity]").inner_text() == "60 kg"
    assert f1.locator("td[data-label=Value]").inner_text() == "60.60"
    totals = phone.locator("table[aria-labelledby=totals] tbody tr", has_text="FLOUR")
    assert totals.locator("td[data-label='On hand']").inner_text() == "260 kg"
    check(phone)
    phone.fill("#f-location", "STORE")
    submit_filters(phone)
    assert len(phone.locator("#stock tbody tr").all_inner_texts()) == 1
    phone.fill("#f-location", "NOWHERE")
    submit_filters(phone)
    assert "no location" in phone.locator("#f-location-error").inner_text().lower()
    check(phone)

    phone.goto(live_server.url + "/stock?item=FLOUR")
    phone.locator("table[aria-labelledby=totals]").get_by_role("link", name="layers").click()
    layers = phone.locator("#layers tbody tr")
    assert layers.count() == 3
    assert layers.first.locator("td[data-label=Remaining]").inner_text() == "60 kg"
    assert layers.first.locator("td[data-label='Unit cost']").inner_text() == "1.01"
    check(phone)

    nav(phone, "Ledger")
    assert phone.locator("#ledger tbody tr").count() == 50
    check(phone)
    follow(phone, "Next page")
    assert phone.locator("#ledger tbody tr").count() > 0
    today = datetime.now(timezone.utc).date()
    phone.goto(live_server.url + f"/ledger?item=FLOUR&since={today - timedelta(days=1)}&until={today + timedelta(days=1)}")
    kinds = phone.locator("#ledger tbody td[data-label=Kind]").all_inner_texts()
    assert sorted(kinds) == ["issue", "receipt", "receipt", "receipt", "transfer", "transfer"]
    phone.goto(live_server.url + "/ledger?location=STORE&kind=transfer")
    assert phone.locator("#ledger tbody tr").count() == 1
    phone.goto(live_server.url + f"/ledger?item=FLOUR&since={today + timedelta(days=2)}")
    assert "No ledger rows match." in phone.inner_text("main")
    phone.goto(live_server.url + "/ledger?since=2026-02-30&event=nope")
    assert "YYYY-MM-DD" in phone.locator("#f-since-error").inner_text()
    check(phone)


def test_event_log_and_one_event(desktop, phone, live_server, supervisor):
    make_plant()
    with database.connection_context():
        prod.create_work_order({"number": "WO-1", "recipe": "R1", "planned_qty": "10", "status": "released"})
    floor = Floor()
    issue_id = floor.send("material.issued", {"work_order": "WO-1", "batch": "F1", "qty": "5"})
    floor.send("label.printed", {"batch": "F1", "template": "batch", "copies": 1}, operator=None)
    late_id = floor.send("material.issued", {"work_order": "WO-1", "batch": "F-NONE", "qty": "1"})
    for _ in range(55):
        floor.send("stage.started", {"work_order": "WO-1", "stage": 10}, operator="OP-2")
    sign_in(desktop, live_server, supervisor)
    desktop.goto(live_server.url + "/events")
    assert desktop.locator("#events tbody tr").count() == 50
    check(desktop, phone=False)
    follow(desktop, "Next page")
    assert desktop.locator("#events tbody tr").count() == 8
    desktop.goto(live_server.url + "/events?flagged=1")
    rows = desktop.locator("#events tbody tr")
    assert rows.count() == 1 and "F-NONE" in rows.inner_text()
    rows.get_by_role("link", name="flagged").click()
    assert desktop.url.endswith(f"/events/{late_id}#flags")
    assert "Batch not known yet" in desktop.inner_text("main")
    check(desktop, phone=False)
    desktop.goto(live_server.url + "/events?type=material.issued&work_order=WO-1&station=S01&operator=OP-1")
    assert desktop.locator("#events tbody tr").count() == 2
    desktop.goto(live_server.url + "/events?batch=F1&type=label.printed")
    assert desktop.locator("#events tbody tr").count() == 1
    desktop.goto(live_server.url + "/events?since=yesterday")
    assert "YYYY-MM-DD" in desktop.locator("#f-since-error").inner_text()
    assert desktop.locator("#f-since").input_value() == "yesterday"
    desktop.goto(live_server.url + "/events?type=no.such")
    assert "not an event type" in desktop.locator("main").inner_text()

    sign_in(phone, live_server, supervisor)
    nav(phone, "Events")
    check(phone)
    phone.goto(live_server.url + f"/events/{issue_id}")
    booked = phone.locator("table[aria-labelledby=booked] tbody tr")
    assert booked.count() == 1 and booked.locator("td[data-label=Quantity]").inner_text() == "-5 kg"
    assert "Nothing flagged." in phone.inner_text("main")
    assert '"type": "material.issued"' in phone.locator("pre.json").inner_text()
    check(phone)
    follow(phone, "These rows in the ledger")
    assert phone.locator("#ledger tbody tr").count() == 1
    phone.goto(live_server.url + "/events/00000000-0000-0000-0000-000000000000")
    assert phone.locator("header form.search").count() == 1  # the 404 page keeps the header
    with database.connection_context():
        assert StockMove.select().where(StockMove.event_id == issue_id).count() == 1
        assert Flag.select().join(EventRecord).where(EventRecord.id == late_id).count() == 1
