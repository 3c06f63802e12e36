"""The live board in Chromium with real processes: a station's events through a real mosquitto
and two real ingest workers move work orders on boards served by separate web processes (the
development server, and gunicorn with two workers behind one port), without a reload; a web
process killed and started again is found again by the open board on its own."""
from __future__ import annotations

import socket
import sys
import time
from datetime import datetime, timezone

import paho.mqtt.client as mqtt
import pytest

from central.auth import create_user
from central.db import database
from central.inventory import Actor
from central.production import create_work_order, set_status
from edge.contract import encode_events, make_event, topic
from tests.central.boardplant import build_plant
from tests.conftest import free_port
from tests.browser.helpers import sign_in
from tests.browser.live import wait_js
from tests.system.procs import Proc, ingest_proc

pytestmark = [pytest.mark.system, pytest.mark.browser]


class Web(Proc):
    """A central web process on its own port: ``shopfloor central serve``, or gunicorn with two workers."""

    def __init__(self, tmp_path, db_url, name, gunicorn=False):
        self.port = free_port()
        env = {"SHOPFLOOR_DATABASE_URL": db_url, "DATABASE_URL": db_url, "SHOPFLOOR_DATA_DIR": str(tmp_path / "central"),
               "SHOPFLOOR_WEB_SECRET_KEY": "board-test-secret", "SHOPFLOOR_LOG_LEVEL": "WARNING"}
        super().__init__(["central", "serve", "--host", "127.0.0.1", "--port", str(self.port)], env,
                         tmp_path / f"{name}.log")
        self.gunicorn = gunicorn

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        if self.gunicorn:
            import os
            import subprocess
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "16", "--graceful-timeout", "3",
                 "-b", f"127.0.0.1:{self.port}", "central.wsgi:app"],
                env=dict(os.environ, **self.env), stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"))
        else:
            super().start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError(self.log.read_text()[-2000:])
                time.sleep(0.1)
        raise AssertionError("web did not start")


class Station:
    """Plays station S01 on the broker: publishes events as the edge would."""

    def __init__(self, broker):
        self.seq = 0
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="board-station", protocol=mqtt.MQTTv311)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def send(self, type_, operator="OP-1", **data):
        self.seq += 1
        e = make_event(type_, site="plant1", station="S01", seq=self.seq, operator=operator, data=data,
                       at=datetime.now(timezone.utc))
        self.client.publish(topic("plant1", "S01", "events"), encode_events([e]), qos=1).wait_for_publish(5)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def floor(db, db_url, tmp_path, mosquitto):
    """The plant, two ingest workers, a station on the broker and a supervisor login."""
    build_plant()
    create_user("sue", "supervisor sunrise", "supervisor", "Sue")
    database.close()
    workers = [ingest_proc(tmp_path, db_url, mosquitto, name=f"ingest{n}").start() for n in range(2)]
    station = Station(mosquitto)
    yield station
    station.close()
    for w in workers:
        w.stop()


def open_board(browser, web):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(90_000)  # a shared, loaded machine: the pages wait, nothing is timed
    page = context.new_page()
    sign_in(page, web, ("sue", "supervisor sunrise"))
    page.goto(web.url + "/board")
    page.evaluate("window.notReloaded = true")
    wait_js(page, "document.getElementById('board').dataset.live === 'yes'")
    return page


def wait_row(page, number, js_condition):
    wait_js(page, f"(() => {{ const r = document.getElementById('wo-{number}'); return !!r && ({js_condition}); }})()")


def test_station_events_move_every_open_board_and_a_killed_web_process_is_found_again(browser, floor, db_url, tmp_path):
    webs = [Web(tmp_path, db_url, "web-a").start(), Web(tmp_path, db_url, "web-b", gunicorn=True).start()]
    pages = []
    try:
        # three boards: one on the development server, two on gunicorn's two workers behind one port
        pages = [open_board(browser, webs[0]), open_board(browser, webs[1]), open_board(browser, webs[1])]
        floor.send("operator.signed_in")
        floor.send("stage.started", work_order="WO-1", stage=10)
        for page in pages:
            wait_row(page, "WO-1", "r.dataset.state === 'running' && r.textContent.includes('Ann')")
        floor.send("output.reported", work_order="WO-1", kind="main", item="FG-1", batch="S01-B1", qty="40")
        for page in pages:
            wait_row(page, "WO-1", "r.querySelector('progress').value === 40")
        floor.send("machine.down", reason="DT-JAM")
        for page in pages:
            wait_row(page, "WO-1", "r.dataset.state === 'down' && r.textContent.includes('DT-JAM')")
            wait_js(page, "document.getElementById('machine-MX-1').dataset.state === 'down'")

        # a work order released after the boards opened appears; a cancelled one leaves
        database.connect(reuse_if_open=True)
        create_work_order({"number": "WO-9", "recipe": "R-1", "planned_qty": "50", "status": "released"})
        set_status("WO-2", "cancelled", Actor(user="sue"))
        database.close()
        for page in pages:
            wait_row(page, "WO-9", "r.dataset.state === 'not_started'")
            wait_js(page, "!document.getElementById('wo-WO-2')")

        # the development server is killed: its board says it is stale, then finds the new process
        webs[0].kill()
        wait_js(pages[0], "document.getElementById('board').dataset.live === 'no'")
        assert "Stale" in pages[0].inner_text("#board-status")
        floor.send("machine.up")
        floor.send("stage.started", work_order="WO-9", stage=10)  # an event for a work order nobody has started
        webs[0].start()
        wait_js(pages[0], "document.getElementById('board').dataset.live === 'yes'")
        for page in pages:
            wait_row(page, "WO-1", "r.dataset.state !== 'down'")
            wait_row(page, "WO-9", "r.dataset.state === 'running'")
        floor.send("work_order.completed", work_order="WO-1")  # closed: it leaves every board
        for page in pages:
            wait_js(page, "!document.getElementById('wo-WO-1')")
            assert page.evaluate("window.notReloaded") is True
    finally:
        for page in pages:
            page.context.close()
        for web in webs:
            web.stop()
