"""Ingest throughput next to bare paho QoS 1 publish→subscribe carrying the same messages, in the same run.

    .venv/bin/python bench/bench_ingest.py [--events 20000] [--rounds 4] [--postgres URL]

For each kind of event the stations' messages (500 events each, as a station sends a backlog)
are built once. Bare paho publishes exactly those messages to a plain subscriber (nothing is
decoded or applied): the rate the broker and the client library carry those bytes. The ingest
gets the same messages on the stations' topics, applies them and acks every event. The two take
turns, a round each, so both see the same machine at the same moment; each rate is events over
the time of its own rounds. With ``--postgres`` the ingest runs once more against that database
(every table in it is emptied first: give it a database of its own).
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


class Bare:
    """Bare paho carrying the ingest's own messages: QoS 1 publish → QoS 1 subscribe, nothing applied."""

    def __init__(self, broker: Broker):
        self.received = 0
        self.arrived = threading.Condition()
        ready = threading.Event()
        self.sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-bare-sub")
        self.sub.max_inflight_messages_set(100)
        self.sub.on_message = self._on_message
        self.sub.on_subscribe = lambda *a: ready.set()
        self.sub.on_connect = lambda c, *a: c.subscribe("bench/bare/#", qos=1)
        self.sub.connect("127.0.0.1", broker.port)
        self.sub.loop_start()
        ready.wait(10)
        self.pub = _client(broker, "bench-bare-pub")

    def _on_message(self, client, userdata, message):
        with self.arrived:
            self.received += 1
            self.arrived.notify_all()

    def carry(self, messages: list[tuple[str, bytes]]) -> float:
        """Seconds from the first publish until the subscriber holds every message."""
        target = self.received + len(messages)
        start = time.perf_counter()
        for station, payload in messages:
            self.pub.publish(f"bench/bare/{station}", payload, qos=1)
        with self.arrived:
            if not self.arrived.wait_for(lambda: self.received >= target, 60):
                raise RuntimeError(f"bare paho: {target - self.received} messages never arrived")
        return time.perf_counter() - start

    def close(self) -> None:
        """Disconnect both clients."""
        for c in (self.pub, self.sub):
            c.disconnect()
            c.loop_stop()


KINDS = {  # event type: (operator, data)
    "machine.up": (None, {}),  # domain handlers: stop marks and reason rows
    "label.printed": (None, {"batch": "B1", "template": "batch", "copies": 1}),  # event log only
    "operator.signed_in": ("OP-1", {}),  # the certification check against the work centre's skills
}
STATIONS = ["S01", "S02", "S03", "S04"]


def event_messages(kind: str, events: int, per_message: int) -> list[tuple[str, bytes]]:
    """The stations' messages: ``events`` events of ``kind``, ``per_message`` to a message, stations taking turns."""
    messages = []
    operator, data = KINDS[kind]
    for i in range(events // per_message):
        st = STATIONS[i % len(STATIONS)]
        base = (i // len(STATIONS)) * per_message
        batch = [make_event(kind, site="plant1", station=st, seq=base + k + 1, operator=operator, data=data)
                 for k in range(per_message)]
        messages.append((st, encode_events(batch)))
    return messages


class Applied:
    """One ingest worker and the stations' side: publish events messages, wait for every ack."""

    def __init__(self, broker: Broker, db_url: str, kind: str):
        from central.config import load_settings
        from central.ingest import Ingest

        settings = load_settings(overrides={"database.url": db_url, "mqtt.url": broker.url, "mqtt.username": ""})
        self.worker = Ingest(settings, client_id=f"bench-ingest-{kind}").start()
        self.worker.connected.wait(10)
        time.sleep(0.5)
        self.acked = 0
        self.answered = threading.Condition()
        ready = threading.Event()
        self.peer = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-station")
        self.peer.on_message = self._on_ack
        self.peer.on_connect = lambda c, *a: c.subscribe([(topic("plant1", s, "ack"), 1) for s in STATIONS])
        self.peer.on_subscribe = lambda *a: ready.set()
        self.peer.max_inflight_messages_set(100)
        self.peer.connect("127.0.0.1", broker.port)
        self.peer.loop_start()
        ready.wait(10)

    def _on_ack(self, client, userdata, message):
        accepted, rejected = decode_ack(message.payload)
        with self.answered:
            self.acked += len(accepted) + len(rejected)
            self.answered.notify_all()

    def carry(self, messages: list[tuple[str, bytes]], events: int) -> float:
        """Seconds from the first publish until ``events`` more events were applied and acked."""
        target = self.acked + events
        start = time.perf_counter()
        for st, payload in messages:
            self.peer.publish(topic("plant1", st, "events"), payload, qos=1)
        with self.answered:
            if not self.answered.wait_for(lambda: self.acked >= target, 600):
                raise RuntimeError(f"ingest: {target - self.acked} events never acked")
        return time.perf_counter() - start

    def close(self) -> None:
        """Disconnect the stations' client and stop the worker."""
        self.peer.disconnect()
        self.peer.loop_stop()
        self.worker.stop()


def compare(broker: Broker, db_url: str, kind: str, events: int, rounds: int, per_message: int = 500) -> dict:
    """Bare paho and the ingest carrying the same messages, round by round in turn; events/s of each."""
    messages = event_messages(kind, events, per_message)
    sent = len(messages) * per_message
    bare, applied = Bare(broker), Applied(broker, db_url, kind)
    seconds = {"bare": 0.0, "ingest": 0.0}
    try:
        for r in range(rounds):
            chunk = messages[r * len(messages) // rounds:(r + 1) * len(messages) // rounds]
            seconds["bare"] += bare.carry(chunk)
            seconds["ingest"] += applied.carry(chunk, len(chunk) * per_message)
    finally:
        bare.close()
        applied.close()
    stats = applied.worker.stats
    return {"bare": sent / seconds["bare"], "ingest": stats.events_applied / seconds["ingest"], "events": sent,
            "applied": stats.events_applied, "transactions": stats.transactions, "bytes": sum(len(p) for _, p in messages),
            "messages": len(messages)}


def main() -> None:
    """Run every kind on each database and print the ingest next to bare paho."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=4, help="bare and ingest take turns this many times")
    parser.add_argument("--postgres", default="", help="also run the ingest on this PostgreSQL database URL")
    args = parser.parse_args()
    folder = workdir()
    broker = Broker(folder)
    try:
        db_url = central_database(folder, STATIONS, certified=True)
        runs = {(kind, "SQLite"): compare(broker, db_url, kind, args.events, args.rounds) for kind in KINDS}
        if args.postgres:
            for kind in KINDS:
                pg_url = central_database(folder, STATIONS, url=args.postgres, certified=True)
                runs[(kind, "PostgreSQL")] = compare(broker, pg_url, kind, args.events, args.rounds)
    finally:
        broker.stop()
    for (kind, engine), r in runs.items():
        print(f"{kind:<18} {engine:<10}: {r['messages']} messages of 500 events ({r['bytes'] / r['messages'] / 1000:,.0f} kB), "
              f"{args.rounds} rounds each")
        print(f"  bare paho QoS 1 publish->subscribe, same messages : {r['bare']:10,.0f} events/s carried "
              f"({r['bare'] * r['bytes'] / r['events'] / 1e6:,.0f} MB/s)")
        print(f"  ingest applied+acked                              : {r['ingest']:10,.0f} events/s   "
              f"({r['applied']:,} of {r['events']:,} applied, {r['transactions']} transactions) = {r['ingest'] / r['bare']:.3f}x bare")


if __name__ == "__main__":
    main()
