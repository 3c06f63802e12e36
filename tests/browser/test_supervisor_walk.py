"""A supervisor runs a plant from an empty database with the pages alone, while a station reports through
a real mosquitto and the real ingest: item, location, work centre, recipe, a work order, its output's trace
and a quarantine."""
import json
from datetime import datetime, timezone

import paho.mqtt.client as mqtt
import pytest

from central.db import database
from central.models import Batch, Operator, Station
from edge.contract import encode_events, make_event, topic
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in
from tests.edge.support import wait_for

pytestmark = pytest.mark.browser


class Station01:
    """A bare MQTT client that publishes as station S01, one event at a time, and waits for central's ack."""

    def __init__(self, broker):
        self.seq = 0
        self.acks = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="S01-walk")
        self.client.on_message = lambda _c, _u, message: self.acks.append(message.payload)
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(topic("plant1", "S01", "ack"), qos=1)
        self.client.loop_start()

    def send(self, type_name, data):
        self.seq += 1
        event = make_event(type_name, site="plant1", station="S01", seq=self.seq, operator="OP-5", data=data,
                           at=datetime.now(timezone.utc))
        before = len(self.acks)
        self.client.publish(topic("plant1", "S01", "events"), encode_events([event]), qos=1).wait_for_publish(5)
        wait_for(lambda: len(self.acks) > before, what=f"central's ack of {type_name}")
        ack = json.loads(self.acks[-1])
        assert ack.get("rejected", []) == [] and event.id in ack["accepted"], ack

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def page_ok(page):
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def submit(page):
    page.click("main button[type=submit]")


def test_a_supervisor_runs_a_work_order_from_an_empty_plant_on_a_phone(phone, live_server, supervisor, mosquitto,
                                                                       start_ingest):
    with database.connection_context():  # provisioned by the admin, as a plant does: a station and a badge
        Station.create(code="S01", site="plant1", name="Oven line")
        Operator.create(badge="OP-5", name="Ola Baker")
    start_ingest()
    sign_in(phone, live_server, supervisor)

    nav(phone, "Items")
    for code, unit in (("RYE", "kg"), ("LOAF", "pcs")):
        phone.get_by_role("link", name="New item").click()
        phone.fill("input[name=code]", code)
        phone.fill("input[name=unit]", unit)
        submit(phone)
        assert phone.locator(".flash").inner_text() == f"Item {code} added."
        nav(phone, "Items")
    page_ok(phone)

    nav(phone, "Locations")
    phone.get_by_role("link", name="New location").click()
    phone.fill("input[name=code]", "DOCK")
    phone.select_option("select[name=role]", "receiving")
    submit(phone)
    assert phone.locator(".flash").inner_text() == "Location DOCK added."

    nav(phone, "Work centres")
    phone.get_by_role("link", name="New work centre").click()
    phone.fill("input[name=code]", "OVEN")
    phone.fill("input[name=labour_rate]", "0.5")
    phone.fill("input[name=overhead_rate]", "0.25")
    submit(phone)
    assert phone.locator(".flash").inner_text() == "Work centre OVEN added."

    nav(phone, "Recipes")
    phone.get_by_role("link", name="New recipe").click()
    phone.fill("input[name=code]", "R-LOAF")
    phone.fill("input[name=inputs-0-item]", "RYE")
    phone.fill("input[name=inputs-0-qty_per_unit]", "0.4")
    phone.fill("input[name=outputs-0-item]", "LOAF")
    phone.fill("input[name=outputs-0-cost_share]", "100")
    phone.select_option("select[name=stages-0-work_centre]", "OVEN")
    phone.fill("input[name=stages-0-standard_minutes]", "20")
    phone.click("main button[type=submit] >> text=Save")
    assert phone.locator(".flash").inner_text() == "Recipe R-LOAF added."
    page_ok(phone)

    nav(phone, "Work orders")
    phone.get_by_role("link", name="New work order").click()
    phone.fill("input[name=number]", "WO-7")
    phone.fill("input[name=recipe]", "R-LOAF")
    phone.fill("input[name=planned_qty]", "50")
    submit(phone)
    assert phone.locator(".flash").inner_text() == "Work order WO-7 created (draft)."
    phone.get_by_role("button", name="Release").click()
    assert phone.locator(".flash").inner_text() == "Work order WO-7 is released."

    # The floor: rye arrives at the dock, the oven starts, rye is issued, loaves come out.
    station = Station01(mosquitto)
    try:
        station.send("goods.received", {"item": "RYE", "batch": "RYE-1", "qty": "100", "unit_cost": "0.80",
                                        "location": "DOCK"})
        station.send("stage.started", {"work_order": "WO-7", "stage": 10})
        station.send("material.issued", {"work_order": "WO-7", "batch": "RYE-1", "qty": "12"})
        station.send("output.reported", {"work_order": "WO-7", "kind": "main", "item": "LOAF", "batch": "LOAF-1",
                                         "qty": "30", "location": "DOCK"})
    finally:
        station.close()

    phone.reload()  # the work order as the station left it
    main = phone.inner_text("main")
    assert "in progress" in main
    rye = phone.locator("table[aria-labelledby=inputs] tbody tr", has_text="RYE")
    assert rye.locator("td[data-label=Issued]").inner_text() == "12 kg"
    page_ok(phone)

    # Its output's home page (what the label's QR opens), then the trace back to the rye.
    phone.locator("table[aria-labelledby=outputs]").get_by_role("link", name="LOAF-1").click()
    assert phone.url.endswith("/batches/LOAF-1")
    page_ok(phone)
    phone.get_by_role("link", name="Trace", exact=True).first.click()
    assert "RYE-1" in phone.inner_text("main")
    page_ok(phone)

    # The rye turns out damp: quarantine it from its own page, reached through the header's search.
    box = phone.locator("#site-search")
    box.fill("RYE-1")
    with phone.expect_navigation():
        box.press("Enter")
    assert phone.url.endswith("/batches/RYE-1")
    phone.select_option("#status-new", "quarantine")
    phone.fill("#status-reason", "damp sacks at the dock")
    phone.get_by_role("button", name="Change status").click()
    assert phone.locator("[role=alert]").inner_text() == "Batch RYE-1 is now quarantine."
    page_ok(phone)
    with database.connection_context():
        assert Batch.get(Batch.code == "RYE-1").status == "quarantine"
