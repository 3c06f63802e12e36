"""Exactly once, with real processes and a real mosquitto in its default configuration (which
drops messages past 1,000 queued per client): broker restarts, an ingest SIGKILL, an edge SIGKILL
right after an operator saw OK, and a station publishing as another."""
from __future__ import annotations

import json
import os
import queue
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from central.db import database
from central.models import EventRecord, ReasonCode, ReasonEvent, Station
from edge.contract import encode_events, make_event, topic
from tests.system.procs import EdgeProc, ingest_proc

pytestmark = pytest.mark.system

CYCLE = "CMD:DOWN\nRC:DT-JAM\nCMD:UP\n"  # three scans, two events


@pytest.fixture
def plant(db):
    """Four registered stations and the reason code they use."""
    with database.atomic():
        for i in range(1, 5):
            Station.create(code=f"S0{i}", site="plant1", name=f"Line {i}")
        ReasonCode.create(code="DT-JAM", category="downtime")
    database.close()


def _counts():
    with database.connection_context():
        rows = list(EventRecord.select(EventRecord.station, EventRecord.seq).tuples())
        reasons = ReasonEvent.select().count()
    return rows, reasons


def _check_exactly_once(stations: dict[str, int]):
    rows, reasons = _counts()
    for code, events in stations.items():
        seqs = sorted(seq for st, seq in rows if st == code)
        assert seqs == list(range(1, events + 1)), f"{code}: {len(seqs)} events, expected {events}"
    assert len(rows) == sum(stations.values())
    assert reasons == sum(stations.values()) // 2  # each machine.down applied once


def test_20000_scans_from_4_stations_through_broker_restarts_and_an_ingest_kill(tmp_path, db_url, plant,
                                                                                  mosquitto):
    ingest = ingest_proc(tmp_path, db_url, mosquitto).start()
    edges = [EdgeProc(tmp_path, mosquitto, f"S0{i}").start() for i in range(1, 5)]
    cycles = 20_000 // 3 // 4 + 1  # 1,667 cycles = 5,001 scans a station
    chunks = 10
    try:
        for e in edges:
            e.wait_view(lambda v: v["online"], what="online")
        for n in range(chunks):
            for e in edges:
                e.write(CYCLE * (cycles // chunks + (1 if n < cycles % chunks else 0)))
            if n in (2, 4, 6):
                mosquitto.stop()
                time.sleep(0.5)
                mosquitto.start()
            if n == 5:
                ingest.kill()
                time.sleep(0.3)
                ingest.start()
        for e in edges:
            e.wait_view(lambda v: v["scans"] == cycles * 3 and v["queue_depth"] == 0, timeout=180,
                        what="every scan confirmed and acked")
            assert e.view()["dead_letters"] == 0
        _check_exactly_once({f"S0{i}": cycles * 2 for i in range(1, 5)})
    finally:
        for e in edges:
            assert e.stop() == 0
        ingest.stop()


def _types():
    with database.connection_context():
        return [t for t, in EventRecord.select(EventRecord.type).order_by(EventRecord.seq).tuples()]


def test_edge_killed_right_after_an_ok_loses_nothing_and_applies_nothing_twice(tmp_path, db_url, plant, mosquitto):
    ingest = ingest_proc(tmp_path, db_url, mosquitto).start()
    edge = EdgeProc(tmp_path, mosquitto, "S01").start()
    try:
        edge.wait_view(lambda v: v["online"], what="online")
        edge.write(CYCLE * 50)
        confirmed = edge.wait_view(lambda v: v["scans"] >= 60, what="scans confirmed")["scans"]
        edge.kill()  # mid-stream: every scan confirmed so far is on disk; unread input dies with stdin
        edge.start()
        edge.wait_view(lambda v: v["queue_depth"] == 0 and v["online"], what="drained after restart")
        rows, reasons = _counts()
        assert sorted(seq for _, seq in rows) == list(range(1, len(rows) + 1))  # no gap, no duplicate
        assert len(rows) >= confirmed * 2 // 3
        assert reasons == _types().count("machine.down")
        before = _types()
        edge.write("CMD:UP\n" if before[-1] == "machine.down" else "")
        edge.write("CMD:DOWN\nRC:DT-JAM\n")
        edge.wait_view(lambda v: (v["last"] or {}).get("message") == "Machine down: DT-JAM", what="OK shown")
        edge.kill()  # right after the operator saw OK
        edge.start()
        edge.wait_view(lambda v: v["queue_depth"] == 0 and v["online"] and v["machine_down"], what="drained again")
        rows, reasons = _counts()
        after = _types()
        assert sorted(seq for _, seq in rows) == list(range(1, len(rows) + 1))
        assert after[-1] == "machine.down" and after[:len(before)] == before
        assert reasons == after.count("machine.down")
    finally:
        edge.stop()
        ingest.stop()


# The ACL shipped for production, so what the plant runs is what this test checks.
ACL = (Path(__file__).resolve().parents[2] / "systemd" / "mosquitto-shopfloor.acl").read_text()


def test_a_station_publishing_as_another_is_rejected(tmp_path, db_url, plant, mosquitto_factory):
    acl = tmp_path / "acl"
    acl.write_text(ACL)
    # mosquitto started as root drops to its own user before reading the ACL: stay root here
    run_as = "user root\n" if os.geteuid() == 0 else ""
    broker = mosquitto_factory(f"{run_as}acl_file {acl}\n")
    ingest = ingest_proc(tmp_path, db_url, broker).start()
    acks: queue.Queue = queue.Queue()
    ready = threading.Event()
    intruder = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="intruder", protocol=mqtt.MQTTv5)
    intruder.username_pw_set("S01")
    intruder.on_connect = lambda c, *a: c.subscribe([(topic("plant1", "S01", "ack"), 1)])
    intruder.on_subscribe = lambda *a: ready.set()
    intruder.on_message = lambda c, u, m: acks.put(json.loads(m.payload))
    intruder.connect(broker.host, broker.port)
    intruder.loop_start()
    try:
        assert ready.wait(10)
        time.sleep(1.0)  # the ingest subscribes
        as_s02 = make_event("machine.up", site="plant1", station="S02", seq=1, operator=None, data={})
        # 1. on S02's topic: the broker's ACL refuses it (MQTT 5 PUBACK "not authorized"); nothing arrives
        info = intruder.publish(topic("plant1", "S02", "events"), encode_events([as_s02]), qos=1)
        info.wait_for_publish(5)
        # 2. on its own topic, naming S02 inside: the ingest rejects it with the reason (sent again
        # until the ingest, which may still be starting, has subscribed and answered)
        ack = None
        for _ in range(15):
            intruder.publish(topic("plant1", "S01", "events"), encode_events([as_s02]), qos=1).wait_for_publish(5)
            try:
                ack = acks.get(timeout=2)
                break
            except queue.Empty:
                continue
        assert ack is not None, "no ack from the ingest"
        assert ack["accepted"] == []
        assert ack["rejected"][0]["id"] == as_s02.id
        assert "published by plant1/S01" in ack["rejected"][0]["error"]
        time.sleep(0.5)
        rows, _ = _counts()
        assert rows == []
    finally:
        intruder.disconnect()
        intruder.loop_stop()
        ingest.stop()
