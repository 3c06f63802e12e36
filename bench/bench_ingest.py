"""Ingest throughput next to bare paho QoS 1 publish→subscribe through the same mosquitto.

    .venv/bin/python bench/bench_ingest.py [--events 20000] [--messages 20000] [--postgres URL]

Bare paho: one small message per event, the rate a subscriber receives them. Ingest: the same
kind of events in station-sized messages (500 events), applied to the database and acked. The
target is ingest events/s ≥ bare messages/s, reached by batching. With ``--postgres`` the
ingest runs once more against that database (every table in it is emptied first: give it a
database of its own).
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt  # noqa: E402

from bench._setup import Broker, central_database, workdir  # noqa: E402
from bench._setup import mqtt_client as _client  # noqa: E402
from edge.contract import decode_ack, encode_events, make_event, topic  # noqa: E402


def bare_paho(broker: Broker, count: int) -> tuple[float, int]:
    """Messages per second received, QoS 1 publish → QoS 1 subscribe, one small payload each.

    mosquitto drops what queues past 1,000 for a slow subscriber, so the publisher keeps fewer
    than 1,000 in flight; the number dropped (should be 0) is returned too.
    """
    payload = encode_events([make_event("machine.up", site="plant1", station="S01", seq=1, operator=None, data={})])
    got = threading.Event()
    received = [0]
    ready = threading.Event()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-sub")

    last = [0.0]

    def on_message(c, u, m):
        received[0] += 1
        last[0] = time.perf_counter()
        if received[0] == count:
            got.set()
    sub.on_message = on_message
    sub.on_subscribe = lambda *a: ready.set()
    sub.on_connect = lambda c, *a: c.subscribe("bench/bare", qos=1)
    sub.connect("127.0.0.1", broker.port)
    sub.loop_start()
    ready.wait(10)
    pub = _client(broker, "bench-pub")
    start = time.perf_counter()
    for n in range(count):
        while n - received[0] > 900:  # stay under mosquitto's 1,000-message queue: no drops
            time.sleep(0.0005)
        pub.publish("bench/bare", payload, qos=1)
    while not got.wait(1.0) and time.perf_counter() - last[0] < 2.0:
        pass
    elapsed = last[0] - start
    for c in (pub, sub):
        c.disconnect()
        c.loop_stop()
    return received[0] / elapsed, count - received[0]


KINDS = {  # event type: (operator, data)
    "machine.up": (None, {}),  # domain handlers: stop marks and reason rows
    "label.printed": (None, {"batch": "B1", "template": "batch", "copies": 1}),  # event log only
    "operator.signed_in": ("OP-1", {}),  # the certification check against the work centre's skills
}
STATIONS = ["S01", "S02", "S03", "S04"]


def ingest(broker: Broker, db_url: str, events: int, kind: str, per_message: int = 500) -> tuple[float, int]:
    """Events applied per second by one ingest worker, acks included; and transactions used."""
    from central.config import load_settings
    from central.ingest import Ingest

    settings = load_settings(overrides={"database.url": db_url, "mqtt.url": broker.url, "mqtt.username": ""})
    worker = Ingest(settings, client_id=f"bench-ingest-{kind}").start()
    worker.connected.wait(10)
    time.sleep(0.5)
    stations = STATIONS
    messages = []
    for i in range(events // per_message):
        st = stations[i % 4]
        base = (i // 4) * per_message
        operator, data = KINDS[kind]
        batch = [make_event(kind, site="plant1", station=st, seq=base + k + 1, operator=operator, data=data)
                 for k in range(per_message)]
        messages.append((st, encode_events(batch)))
    acked = [0]
    done = threading.Event()
    ready = threading.Event()
    peer = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-station")

    def on_ack(c, u, m):
        accepted, rejected = decode_ack(m.payload)
        acked[0] += len(accepted) + len(rejected)
        if acked[0] >= len(messages) * per_message:
            done.set()
    peer.on_message = on_ack
    peer.on_connect = lambda c, *a: c.subscribe([(topic("plant1", s, "ack"), 1) for s in stations])
    peer.on_subscribe = lambda *a: ready.set()
    peer.max_inflight_messages_set(100)
    peer.connect("127.0.0.1", broker.port)
    peer.loop_start()
    ready.wait(10)
    start = time.perf_counter()
    for st, payload in messages:
        peer.publish(topic("plant1", st, "events"), payload, qos=1)
    done.wait(600)
    elapsed = time.perf_counter() - start
    peer.disconnect()
    peer.loop_stop()
    worker.stop()
    return worker.stats.events_applied / elapsed, worker.stats.transactions


def main() -> None:
    """Run both and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--postgres", default="", help="also run the ingest on this PostgreSQL database URL")
    args = parser.parse_args()
    folder = workdir()
    broker = Broker(folder)
    try:
        db_url = central_database(folder, STATIONS, certified=True)
        bare, dropped = bare_paho(broker, args.messages)
        rates = {(kind, "SQLite"): ingest(broker, db_url, args.events, kind) for kind in KINDS}
        if args.postgres:
            for kind in KINDS:
                pg_url = central_database(folder, STATIONS, url=args.postgres, certified=True)
                rates[(kind, "PostgreSQL")] = ingest(broker, pg_url, args.events, kind)
    finally:
        broker.stop()
    print(f"bare paho QoS 1 publish->subscribe : {bare:10,.0f} messages/s ({args.messages:,} sent, {dropped:,} dropped by the broker)")
    for (kind, engine), (rate, transactions) in rates.items():
        print(f"ingest {kind:<18} applied+acked : {rate:10,.0f} events/s   ({args.events:,} events, "
              f"{transactions} transactions, {engine}) = {rate / bare:.2f}x bare (target >= 1.0x)")


if __name__ == "__main__":
    main()
