"""Station configs at plant scale, through the real ingest and a real mosquitto, counted in bytes.

100 stations, 300 operators and 20,500 batches in stock: a station receives only its parts, and
a receipt, an issue or an output publishes a few hundred bytes of config, never the plant.
"""
from __future__ import annotations

import json
import queue
import threading
import uuid

import paho.mqtt.client as mqtt

from bench.plantdata import build_plant
from central.config import load_settings
from central.db import database
from central.ingest import Ingest
from central.models import Station
from central.stationconfig import station_config
from edge.cache import ConfigStore
from edge.contract import encode_events, make_event, topic
from edge.outbox import Outbox
from tests.edge.support import wait_for

CHANGE_LIMIT = 10_000  # bytes of config a receipt may publish at most


class StationPeer:
    """A paho client that subscribes like a station: its head, then the parts the head names."""

    def __init__(self, broker, tmp_path, code):
        self.store = ConfigStore(Outbox(tmp_path / f"{code}.db"), "plant1", code)
        self.parts: dict[str, bytes] = {}
        self.received = queue.Queue()
        self.bytes = 0
        ready = threading.Event()
        head = topic("plant1", code, "config")
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"peer-{uuid.uuid4().hex[:8]}")

        def on_message(client, userdata, m):
            self.bytes += len(m.topic) + len(m.payload)
            self.received.put(m.topic)
            if m.topic == head:
                if self.store.apply_head(m.payload):
                    client.subscribe([(f, 1) for f in self.store.filters()])
            elif m.payload:
                self.parts[m.topic] = m.payload
            else:
                self.parts.pop(m.topic, None)

        c.on_connect = lambda *a: c.subscribe(head, 1)
        c.on_subscribe = lambda *a: ready.set()
        c.on_message = on_message
        c.connect(broker.host, broker.port)
        c.loop_start()
        assert ready.wait(5)
        self.client = c

    def settle(self, quiet=1.5, timeout=60):
        """Wait until nothing arrived for ``quiet`` seconds; returns the topics that arrived."""
        topics = []
        try:
            topics.append(self.received.get(timeout=timeout))
            while True:
                topics.append(self.received.get(timeout=quiet))
        except queue.Empty:
            return topics

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_a_change_publishes_bytes_in_proportion_to_the_change(db, db_url, tmp_path, mosquitto_factory):
    # as the shipped mosquitto config: a station subscribing to thousands of retained parts at once
    # must not have them dropped past mosquitto's default queue of 1,000
    mosquitto = mosquitto_factory("max_queued_messages 100000\n")
    build_plant(stations=100, operators=300, batches=20_500)  # more than the 20,000 a config once held
    expected = station_config(Station.get(Station.code == "S001"))
    database.close()
    settings = load_settings(overrides={"database.url": db_url, "data_dir": str(tmp_path / "data"),
                                        "mqtt.url": mosquitto.url, "mqtt.username": "", "mqtt.protocol": "5"})
    worker = Ingest(settings)
    worker.config_refresh = 3600  # only events cause rebuilds here
    worker.start()
    try:
        assert worker.connected.wait(10)
        wait_for(lambda: worker.stats.config_builds >= 1, timeout=60, what="the first config publish")
        station = StationPeer(mosquitto, tmp_path, "S001")
        station.settle()
        batches = {json.loads(p)["code"] for t, p in station.parts.items() if "/batches/" in t}
        assert batches == {b["code"] for b in expected["batches"]}  # every batch it needs, none it does not
        assert len(batches) < 20_500 / 2 and "GI-000001" in batches  # the oldest batch too
        print(f"\nS001 holds {len(station.parts)} parts, {station.bytes} bytes; the plant "
              f"{worker.stats.configs_published} parts, {worker.stats.config_bytes} bytes")

        peer = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="S001-events")
        peer.connect(mosquitto.host, mosquitto.port)
        peer.loop_start()
        events = [
            ("goods.received", {"item": "RM-002", "batch": "GI1-NEW-1", "qty": "40", "location": "RECV"}),
            ("material.issued", {"work_order": "WO-0001", "batch": "GI1-NEW-1", "qty": "40"}),
            ("output.reported", {"work_order": "WO-0001", "kind": "main", "item": "FG-001", "batch": "S001-NEW-1",
                                 "qty": "10", "location": "FG"}),
        ]
        for seq, (kind, data) in enumerate(events, start=1):
            before = worker.stats.config_bytes
            event = make_event(kind, site="plant1", station="S001", seq=seq, operator="OP-0001", data=data)
            peer.publish(topic("plant1", "S001", "events"), encode_events([event]), qos=1).wait_for_publish(5)
            arrived = station.settle(timeout=20)
            published = worker.stats.config_bytes - before
            print(f"{kind}: {published} bytes of config published, {len(arrived)} parts at S001")
            assert 0 < published <= CHANGE_LIMIT, kind
        assert "shopfloor/v1/plant1/_config/batches/RM-002/GI1-NEW-1" not in station.parts  # issued to the end
        peer.loop_stop()
        peer.disconnect()
        station.close()
    finally:
        worker.stop()
