"""A whole shift at a station with the broker stopped ends at central exactly like the same shift online.

Two stations of one work centre run the same scripted shift, each on its own work orders: S01
online, S02 with mosquitto stopped from the first scan to the last. The shift receives flour at
the station, chains three work orders through the station's own outputs (dough into cookies),
and works a work order released at central during the outage. After S02 reconnects and its
outbox drains, central's stock, costs and genealogy of the two shifts are the same, code for code.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from central.catalog import create_item, create_location
from central.db import database
from central.inventory import receive
from central.models import Operator, Station as StationRow, WorkCentre
from central.production import create_work_order
from central.recipes import create_recipe
from devices.printers import MemoryPrinter
from devices.scanners import MemoryScanner
from edge.daemon import Station
from central.inventory import Actor
from tests.edge.support import central_write, edge_settings, wait_for

PERSON = Actor(user="planner")
START = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def bakery(db):
    """Flour (FIFO), sugar (average), dough and cookies; two stations at the bakery work centre."""
    with database.atomic():
        for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
            create_location({"code": code, "role": role})
        centre = WorkCentre.create(code="WC-BAKE", labour_rate=Decimal("0.6"), overhead_rate=Decimal("0.4"))
        create_item({"code": "FLOUR", "unit": "kg", "costing": "fifo"})
        create_item({"code": "SUGAR", "unit": "kg", "costing": "average"})
        create_item({"code": "DOUGH", "unit": "kg", "costing": "fifo"})
        create_item({"code": "COOKIE", "unit": "pcs", "costing": "fifo", "shelf_life_days": 30})
        stage = [{"seq": 10, "work_centre": "WC-BAKE", "standard_minutes": "20"}]
        create_recipe({"code": "R-DOUGH", "item": "DOUGH", "stages": stage,
                       "inputs": [{"item": "FLOUR", "qty_per_unit": "0.8"}, {"item": "SUGAR", "qty_per_unit": "0.2"}],
                       "outputs": [{"item": "DOUGH", "kind": "main", "cost_share": "100"}]})
        create_recipe({"code": "R-COOKIE", "item": "COOKIE", "stages": stage,
                       "inputs": [{"item": "DOUGH", "qty_per_unit": "0.5"}],
                       "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "100"}]})
        Operator.create(badge="OP-17", name="Ada")
        for code in ("S01", "S02"):
            StationRow.create(code=code, site="plant1", work_centre=centre)
        for tag in ("ON", "OFF"):
            receive(item="SUGAR", qty=Decimal("50"), batch=f"SUGAR-{tag}", location="STORE",
                    unit_cost=Decimal("2.00"), actor=PERSON)
            receive(item="FLOUR", qty=Decimal("30"), batch=f"FLOUR-{tag}", location="STORE",
                    unit_cost=Decimal("0.90"), actor=PERSON)
            for n, recipe in ((1, "R-DOUGH"), (2, "R-COOKIE")):
                create_work_order({"number": f"WO-{tag}-{n}", "recipe": recipe, "planned_qty": "50",
                                   "status": "released"})
    database.close()


@pytest.fixture
def ingest(bakery, start_ingest):
    """A real ingest worker on the bakery's database."""
    return start_ingest()


class Shift:
    """A station fed scan by scan, each scan one minute after the one before (its clock)."""

    def __init__(self, tmp_path, broker, code):
        self.minute = 0
        self.station = Station(edge_settings(tmp_path, broker, code), scanners=[MemoryScanner()],
                               printer=MemoryPrinter("memory://"), clock=lambda: START + timedelta(minutes=self.minute))
        self.station.start()

    def scan(self, *texts):
        for text in texts:
            self.minute += 1
            feedback = self.station.handle_text(text)
            assert feedback.level != "error", f"{text}: {feedback.message}"

    def item_if_asked(self, item):
        """A work order unknown here (released during the outage) has no outputs: the operator scans the item."""
        pending = self.station.state.pending or {}
        if pending.get("action") == "output" and pending.get("item") is None:
            assert self.station.handle_text(f"ITEM:{item}").level == "prompt"

    def minted(self):
        return self.station.state.last_label["batch"]


def run_shift(shift: Shift, tag: str, release_third) -> list[str]:
    """The scripted shift; returns the batch codes the station minted."""
    shift.scan("OP-17", "CMD:RECEIVE", "ITEM:FLOUR", "Q:100", "CMD:PRODUCE")
    flour = shift.minted()
    shift.scan(f"WO-{tag}-1", "CMD:START", f"FLOUR-{tag}", "Q:30", flour, "Q:10", f"SUGAR-{tag}", "Q:10",
               "CMD:OUT", "Q:50")
    dough = shift.minted()
    shift.scan("CMD:DONE", "CMD:CLOSE")
    shift.scan(f"WO-{tag}-2", "CMD:START", dough, "Q:50", "CMD:OUT", "Q:80")
    cookies = [shift.minted()]
    shift.scan("CMD:OUT", "Q:20")
    cookies.append(shift.minted())
    shift.scan("CMD:DONE", "CMD:CLOSE")
    release_third()
    shift.scan(f"WO-{tag}-3", "CMD:START", flour, "Q:40", f"SUGAR-{tag}", "Q:10", "CMD:OUT")
    shift.item_if_asked("DOUGH")
    shift.scan("Q:50")
    dough_two = shift.minted()
    shift.scan("CMD:DONE", "CMD:CLOSE", "OP-17")
    return [flour, dough, *cookies, dough_two]


def _release(tag):
    def release():
        with central_write():
            create_work_order({"number": f"WO-{tag}-3", "recipe": "R-DOUGH", "planned_qty": "50",
                               "status": "released"})
    return release


VOLATILE = re.compile(r"(^|_)(at|id|ids|created|event|events)$")


def _books(api, tag: str, station: str, batches: list[str]) -> str:
    """Stock, costs and genealogy of one shift as central shows them, with the shift's codes made neutral."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not VOLATILE.search(k)}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    books = {"work_orders": [api.get(f"/api/v1/work-orders/WO-{tag}-{n}").get_json() for n in (1, 2, 3)],
             "stock": [api.get(f"/api/v1/stock?batch={code}&include_zero=true").get_json()["stock"]
                       for code in [*batches, f"SUGAR-{tag}", f"FLOUR-{tag}"]],
             "backward": [api.get(f"/api/v1/batches/{code}/trace").get_json() for code in batches],
             "forward": [api.get(f"/api/v1/batches/{code}/trace?direction=forward").get_json()
                         for code in [*batches, f"SUGAR-{tag}", f"FLOUR-{tag}"]]}
    text = json.dumps(clean(books), sort_keys=True)
    return text.replace(f"{station}-", "STATION-").replace(f"-{tag}", "-SHIFT")


def test_a_shift_offline_ends_with_the_books_of_the_same_shift_online(ingest, mosquitto,
                                                                      tmp_path, api):
    online = Shift(tmp_path, mosquitto, "S01")
    wait_for(lambda: online.station.config.work_order("WO-ON-1") is not None, what="S01's config")
    def release_online():  # central releases WO-ON-3: the config brings it within 5 s
        _release("ON")()
        wait_for(lambda: online.station.config.work_order("WO-ON-3") is not None, what="WO-ON-3 at S01")

    online_batches = run_shift(online, "ON", release_online)
    wait_for(lambda: online.station.outbox.depth() == 0, timeout=30, what="S01 drained")

    offline = Shift(tmp_path, mosquitto, "S02")
    wait_for(lambda: offline.station.config.work_order("WO-OFF-1") is not None, what="S02's config")
    mosquitto.stop()
    wait_for(lambda: not offline.station.link.online, what="S02 offline")
    offline_batches = run_shift(offline, "OFF", _release("OFF"))
    assert offline.station.outbox.depth() >= 20 and offline.station.outbox.dead_count() == 0  # the whole shift waits
    mosquitto.start()
    wait_for(lambda: offline.station.outbox.depth() == 0, timeout=60, what="S02's backlog drained")
    assert offline.station.outbox.dead_count() == 0
    for shift in (online, offline):
        shift.station.stop()

    on = _books(api, "ON", "S01", online_batches)
    off = _books(api, "OFF", "S02", offline_batches)
    assert json.loads(on)["work_orders"][2]["status"] == "done"
    if off != on:
        import difflib
        print("\n".join(difflib.unified_diff(json.dumps(json.loads(on), indent=1, sort_keys=True).splitlines(),
                                             json.dumps(json.loads(off), indent=1, sort_keys=True).splitlines(),
                                             "online", "offline", lineterm="", n=2)))
    assert off == on
