"""Several ingest workers on an MQTT 5 shared subscription, and recovery after a broker outage,
with real processes and a real mosquitto."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone

import paho.mqtt.client as mqtt
import pytest

from central.db import database
from central.models import EventRecord, ReasonCode, ReasonEvent, Station
from edge.contract import CENTRAL_ONLINE_TOPIC, encode_events, make_event, topic
from tests.system.procs import EdgeProc, ingest_proc

pytestmark = pytest.mark.system

STATIONS = ("S01", "S02", "S03", "S04")


@pytest.fixture
def plant(db):
    """Registered stations and the downtime reason they give."""
    with database.atomic():
        for code in STATIONS:
            Station.create(code=code, site="plant1", name=f"Line {code}")
        ReasonCode.create(code="DT-JAM", category="downtime")
    database.close()


class Stations:
    """One MQTT client playing several stations that publish every message to the shared group
    ``copies`` times, so each copy reaches another worker, and send again what is not acked."""

    def __init__(self, broker, codes):
        self.codes = codes
        self.answers: dict[str, dict] = {}  # event id -> the last answer
        self.rejected: list[dict] = []
        self.announcements = 0
        self.lock = threading.Lock()
        ready = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="stations", protocol=mqtt.MQTTv311)
        client.on_connect = lambda c, *a: c.subscribe(
            [(topic("plant1", code, "ack"), 1) for code in codes] + [(CENTRAL_ONLINE_TOPIC, 1)])
        client.on_subscribe = lambda *a: ready.set()
        client.on_message = self._on_message
        client.max_inflight_messages_set(1000)
        client.connect(broker.host, broker.port)
        client.loop_start()
        assert ready.wait(10)
        self.client = client

    def _on_message(self, client, userdata, message):
        with self.lock:
            if message.topic == CENTRAL_ONLINE_TOPIC:
                self.announcements += 1
                return
            ack = json.loads(message.payload)
            for event_id in ack["accepted"]:
                self.answers[event_id] = {"accepted": True}
            for r in ack["rejected"]:
                self.rejected.append(r)
                self.answers[r["id"]] = {"rejected": r["error"]}

    def publish(self, code, events, copies):
        for _ in range(copies):
            self.client.publish(topic("plant1", code, "events"), encode_events(events), qos=1)

    def unanswered(self, events):
        with self.lock:
            return [e for e in events if e.id not in self.answers]

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def _shift(code, count):
    """Machine stops (with a reason) and starts, a second apart."""
    start = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
    return [make_event("machine.down" if seq % 2 else "machine.up", site="plant1", station=code, seq=seq,
                       operator=None, data={"reason": "DT-JAM"} if seq % 2 else {},
                       at=start + timedelta(seconds=seq)) for seq in range(1, count + 1)]


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_workers_with_resends_to_several_and_one_killed_apply_each_event_once(tmp_path, db_url, plant,
                                                                                      mosquitto):
    workers = [ingest_proc(tmp_path, db_url, mosquitto, name=f"ingest{i}").start() for i in range(3)]
    stations = Stations(mosquitto, STATIONS)
    per_station, per_message = 240, 12
    shifts = {code: _shift(code, per_station) for code in STATIONS}
    everything = [e for events in shifts.values() for e in events]
    try:
        _wait(lambda: stations.announcements >= 3, 30, "three workers subscribed")
        for start in range(0, per_station, per_message):
            for code in STATIONS:
                stations.publish(code, shifts[code][start:start + per_message], copies=3)
            if start == per_station // 2:
                workers[1].kill()  # SIGKILL: whatever it had in hand is never acked; it is sent again
        deadline = time.monotonic() + 90
        while stations.unanswered(everything) and time.monotonic() < deadline:
            time.sleep(3)  # a station's ack timeout
            for code in STATIONS:
                missing = stations.unanswered(shifts[code])
                for start in range(0, len(missing), per_message):
                    stations.publish(code, missing[start:start + per_message], copies=2)
        lost = len(stations.unanswered(everything))
        with database.connection_context():
            rows = list(EventRecord.select(EventRecord.station, EventRecord.seq).tuples())
            reasons = ReasonEvent.select().count()
            with_minutes = ReasonEvent.select().where(ReasonEvent.minutes.is_null(False)).count()
        doubled = len(rows) - len(set(rows))
        print(f"\n{len(everything)} events, 3 workers (one killed): {lost} unanswered, {len(stations.rejected)} "
              f"rejected, {doubled} recorded twice, {len(everything) - len(set(rows))} not recorded")
        assert lost == 0 and stations.rejected == []
        for code in STATIONS:
            assert sorted(seq for st, seq in rows if st == code) == list(range(1, per_station + 1))
        assert reasons == len(everything) // 2  # each machine.down applied once
        assert with_minutes == reasons  # every stop closed by its start, whichever worker had which
        for w in workers:  # the killed one's too, up to its end
            log = w.log.read_text()
            assert "retrying the batch" not in log and "Traceback" not in log, log[-3000:]
    finally:
        stations.close()
        for w in workers:
            w.stop()


def test_a_backlog_drains_within_5_s_of_the_broker_coming_back(tmp_path, db_url, plant, mosquitto):
    """The stations keep their production settings (ack timeout 10 s, reconnect backoff)."""
    ingest = ingest_proc(tmp_path, db_url, mosquitto).start()
    defaults = {"SHOPFLOOR_EDGE_SYNC_ACK_TIMEOUT": "10", "SHOPFLOOR_EDGE_MQTT_RECONNECT_MIN": "0.5",
                "SHOPFLOOR_EDGE_MQTT_RECONNECT_MAX": "2"}
    edges = [EdgeProc(tmp_path, mosquitto, code, **defaults).start() for code in STATIONS[:2]]
    try:
        for e in edges:
            e.wait_view(lambda v: v["online"] and v["config_received"], what="online, config from the ingest")
        mosquitto.stop()
        for e in edges:
            e.wait_view(lambda v: not v["online"], what="offline")
            e.write("CMD:DOWN\nRC:DT-JAM\nCMD:UP\n" * 40)
        for e in edges:
            e.wait_view(lambda v: v["scans"] == 120 and v["queue_depth"] == 80, what="backlog made offline")
        time.sleep(8)  # a broker restart: the ingest's retries back off meanwhile
        mosquitto.start()
        back = time.monotonic()
        for e in edges:
            e.wait_view(lambda v: v["queue_depth"] == 0, timeout=30, what="backlog drained")
        drained = time.monotonic() - back
        print(f"\nbacklog of 2 x 80 events drained {drained:.2f} s after the broker came back")
        assert drained < 5.0
        with database.connection_context():
            assert EventRecord.select().count() == 160
    finally:
        for e in edges:
            e.stop()
        ingest.stop()
