"""The ingest against a real mosquitto: applies once, acks after commit, rejects bad input."""
from __future__ import annotations

import json
import re
import queue
import threading
import uuid
from datetime import datetime, timezone

import paho.mqtt.client as mqtt
import pytest

from central.config import load_settings
from central.db import database
from central.ingest import Ingest
from central.models import EventRecord, Station
from edge.contract import encode_events, make_event, topic


def _settings(db_url, tmp_path, broker, protocol="5"):
    return load_settings(overrides={"database.url": db_url, "data_dir": str(tmp_path / "data"),
                                    "mqtt.url": broker.url, "mqtt.username": "", "mqtt.protocol": protocol})


class Peer:
    """A bare paho client that plays a station: publishes payloads, collects acks and configs."""

    def __init__(self, broker, site="plant1", station="S01"):
        self.acks: queue.Queue = queue.Queue()
        self.configs: queue.Queue = queue.Queue()
        self.site, self.station = site, station
        ready = threading.Event()
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"peer-{uuid.uuid4().hex[:8]}")
        c.on_connect = lambda *a: (c.subscribe([(topic(site, station, "ack"), 1), (topic(site, station, "config"), 1),
                                                (f"shopfloor/v1/{site}/_config/#", 1)]))
        c.on_subscribe = lambda *a: ready.set()
        c.on_message = lambda cl, u, m: (self.acks.put(m.payload) if m.topic.endswith("/ack")
                                         else self.configs.put((m.topic, m.payload)))
        c.connect(broker.host, broker.port)
        c.loop_start()
        assert ready.wait(5)
        self.client = c

    def publish(self, payload: bytes, station: str | None = None):
        self.client.publish(topic(self.site, station or self.station, "events"), payload, qos=1).wait_for_publish(5)

    def ack(self) -> dict:
        return json.loads(self.acks.get(timeout=10))

    def config_parts(self, settle=1.0) -> dict[str, bytes]:
        """Config messages received until none came for ``settle`` seconds: {topic: payload}."""
        parts = {}
        try:
            name, payload = self.configs.get(timeout=10)
            parts[name] = payload
            while True:
                name, payload = self.configs.get(timeout=settle)
                parts[name] = payload
        except queue.Empty:
            return parts

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def _event(seq, station="S01", type_name="machine.up", data=None):
    return make_event(type_name, site="plant1", station=station, seq=seq, operator=None, data=data or {})


@pytest.fixture
def station(db):
    with database.atomic():
        Station.create(code="S01", site="plant1", name="Line 1")
        Station.create(code="S02", site="plant1", name="Line 2")
    database.close()


@pytest.fixture(params=["5", "3.1.1"])
def ingest(request, db_url, tmp_path, mosquitto, station):
    worker = Ingest(_settings(db_url, tmp_path, mosquitto, request.param)).start()
    assert worker.connected.wait(10)
    yield worker
    worker.stop()


def test_events_are_applied_once_and_acked(ingest, mosquitto):
    peer = Peer(mosquitto)
    events = [_event(i) for i in range(1, 6)]
    peer.publish(encode_events(events))
    ack = peer.ack()
    assert ack == {"accepted": [e.id for e in events], "rejected": []}
    peer.publish(encode_events(events[:2]))  # a duplicate is accepted again, not applied again
    assert peer.ack()["accepted"] == [e.id for e in events[:2]]
    with database.connection_context():
        assert EventRecord.select().count() == 5
    assert ingest.stats.events_applied == 5
    peer.close()


def test_bad_messages_are_rejected_and_the_ingest_keeps_running(ingest, mosquitto):
    peer = Peer(mosquitto)
    peer.publish(b"{not json")
    assert "not JSON" in peer.ack()["rejected"][0]["error"]
    peer.publish(b"x" * 10_000_000)
    assert "more than the limit" in peer.ack()["rejected"][0]["error"]
    bad = _event(1).to_wire() | {"type": "alien.landed"}
    peer.publish(json.dumps({"events": [bad]}).encode())
    assert peer.ack()["rejected"] == [{"id": bad["id"], "error": "type: unknown event type 'alien.landed'"}]
    good = _event(2)
    peer.publish(encode_events([good]))
    assert peer.ack()["accepted"] == [good.id]
    peer.close()


def test_a_station_publishing_as_another_is_rejected(ingest, mosquitto):
    peer = Peer(mosquitto, station="S01")
    forged = _event(1, station="S02")
    peer.publish(encode_events([forged]))
    ack = peer.ack()
    assert ack["accepted"] == [] and "published by plant1/S01" in ack["rejected"][0]["error"]
    with database.connection_context():
        assert EventRecord.select().count() == 0
    peer.close()


def test_unknown_station_is_rejected(ingest, mosquitto):
    peer = Peer(mosquitto, station="S99")
    event = _event(1, station="S99")
    peer.publish(encode_events([event]))
    assert "not a registered" in peer.ack()["rejected"][0]["error"]
    peer.close()


def test_station_config_is_published_retained(ingest, mosquitto):
    peer = Peer(mosquitto)
    parts = peer.config_parts()
    head = json.loads(parts["shopfloor/v1/plant1/S01/config"])
    assert head["station"] == "S01" and head["kind"] == "production" and head["version"] == 2
    assert {"required_skills", "machines", "work_orders", "batch_items"} <= set(head)
    assert json.loads(parts["shopfloor/v1/plant1/_config/reasons"]).keys() == {"reason_codes", "accepts"}
    peer.close()


def test_the_ingest_honours_the_configured_delay_margin(db_url, tmp_path, mosquitto, db):
    """A 40-minute run of a 30-minute stage: overdue at the default 20 %, within a 50 % margin."""
    from central.catalog import create_item, create_location
    from central.models import Flag, WorkCentre
    from central.overrun import FLAG_KIND
    from central.production import create_work_order
    from central.recipes import create_recipe

    with database.atomic():
        Station.create(code="S01", site="plant1", name="Line 1", work_centre=WorkCentre.create(code="WC-A"))
        create_location({"code": "FG", "role": "finished"})
        create_item({"code": "FG-1", "unit": "pcs"})
        create_recipe({"code": "R-1", "item": "FG-1", "outputs": [{"item": "FG-1", "kind": "main", "cost_share": "100"}],
                       "stages": [{"seq": 10, "work_centre": "WC-A", "standard_minutes": "30"}]})
        for number in ("WO-1", "WO-2"):
            create_work_order({"number": number, "recipe": "R-1", "planned_qty": "10", "status": "released"})
    database.close()

    def run_stage(worker, number, first_seq):
        peer = Peer(mosquitto)
        stage = [make_event(kind, site="plant1", station="S01", seq=first_seq + n, operator="OP-1",
                            data={"work_order": number, "stage": 10}, at=at)
                 for n, (kind, at) in enumerate([("stage.started", datetime(2026, 5, 1, 8, tzinfo=timezone.utc)),
                                                 ("stage.completed", datetime(2026, 5, 1, 8, 40, tzinfo=timezone.utc))])]
        peer.publish(encode_events(stage))
        assert peer.ack()["rejected"] == []
        peer.close()
        worker.stop()
        with database.connection_context():
            return [f.subject for f in Flag.select().where(Flag.kind == FLAG_KIND)]

    settings = _settings(db_url, tmp_path, mosquitto)
    settings_wide = load_settings(overrides={**{k: settings[k] for k in ("database.url", "data_dir", "mqtt.url",
                                                                         "mqtt.username", "mqtt.protocol")},
                                             "reasons.delay_margin_percent": 50})
    worker = Ingest(settings_wide).start()
    assert worker.connected.wait(10)
    assert run_stage(worker, "WO-1", 1) == []
    worker = Ingest(settings).start()
    assert worker.connected.wait(10)
    assert run_stage(worker, "WO-2", 3) == ["WO-2/10"]


def test_configs_are_rebuilt_after_events_that_change_them_only(db_url, tmp_path, mosquitto, station, plant):
    database.close()
    worker = Ingest(_settings(db_url, tmp_path, mosquitto))
    worker.config_refresh = 3600  # only events may cause a rebuild in this test
    worker.start()
    try:
        assert worker.connected.wait(10)
        peer = Peer(mosquitto)
        first = peer.config_parts()
        assert not [name for name in first if "/batches/" in name]
        builds = worker.stats.config_builds
        peer.publish(encode_events([_event(seq) for seq in range(1, 4)]))  # machine.up: nothing a config holds
        assert len(peer.ack()["accepted"]) == 3
        threading.Event().wait(2.5)  # more than the debounce: a rebuild would have run by now
        assert worker.stats.config_builds == builds
        received = make_event("goods.received", site="plant1", station="S01", seq=4, operator="OP-1",
                              data={"item": "FLOUR", "batch": "GI-0001", "qty": "25"})
        published = worker.stats.configs_published
        peer.publish(encode_events([received]))
        assert peer.ack()["accepted"] == [received.id]
        change = peer.config_parts()  # the new batch, and nothing else, is published
        assert list(change) == ["shopfloor/v1/plant1/_config/batches/FLOUR/GI-0001"]
        batch = json.loads(change["shopfloor/v1/plant1/_config/batches/FLOUR/GI-0001"])
        assert (batch["code"], batch["item"], batch["status"]) == ("GI-0001", "FLOUR", "released")
        assert worker.stats.config_builds == builds + 1
        assert worker.stats.configs_published == published + 1
        peer.close()
    finally:
        worker.stop()


def _status_of(api, code):
    return next(s["status"] for s in api.get("/api/v1/stations").get_json()["items"] if s["code"] == code)


def test_online_is_the_stations_retained_status_and_its_last_will(db_url, tmp_path, mosquitto, station, api, client,
                                                                  admin_user):
    """An idle station stays online however long since its last event; a lost connection is offline."""
    from datetime import timedelta

    from central.models import utcnow
    from tests.edge.support import wait_for

    worker = Ingest(_settings(db_url, tmp_path, mosquitto)).start()
    pi = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="S01-pi")
    try:
        assert worker.connected.wait(10)
        status = topic("plant1", "S01", "status")
        pi.will_set(status, b"offline", qos=1, retain=True)
        pi.connect(mosquitto.host, mosquitto.port, keepalive=5)
        pi.loop_start()
        pi.publish(status, b"online", qos=1, retain=True).wait_for_publish(5)
        wait_for(lambda: _status_of(api, "S01") == "online", what="S01 online")
        assert _status_of(api, "S02") is None  # never connected
        with database.connection_context():
            Station.update(last_seen_at=utcnow() - timedelta(hours=2)).where(Station.code == "S01").execute()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        client.post("/login", data={"username": admin_user[0], "password": admin_user[1], "csrf_token": token})
        row = re.search(r"<strong><a href=\"/stations/S01\">S01</a></strong>.*?</tr>", client.get("/").get_data(as_text=True), re.S).group(0)
        assert 'class="ok">online<' in row  # idle for two hours, still online
        pi.loop_stop()
        pi.socket().close()  # the Pi loses power: the broker publishes its last will
        wait_for(lambda: _status_of(api, "S01") == "offline", what="S01 offline by its last will")
    finally:
        worker.stop()
