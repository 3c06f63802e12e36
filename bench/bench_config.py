"""Station configs at plant scale: bytes per change, what a station holds, and the bare-paho baseline.

A plant of 100 stations, 300 operators and 20,000 batches in stock (bench/plantdata.py) in a
fresh database (SQLite, or PostgreSQL with --postgres URL), the real ingest and a real mosquitto.
Prints: the whole retained set and how long the ingest took to publish it, beside bare paho
publishing the same messages in the same run; what one station subscribes to and receives; and
for a receipt, an issue, an output and a stage start at one station, the config bytes and parts
central published and the rebuild time. For comparison, the bytes of republishing every station's
whole config (what each change cost before configs were split into parts).

    .venv/bin/python bench/bench_config.py [--stations 100 --operators 300 --batches 20000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import paho.mqtt.client as mqtt  # noqa: E402

from _setup import Broker, mqtt_client as _client, workdir  # noqa: E402
from benchdb import fresh  # noqa: E402
from plantdata import build_plant  # noqa: E402

from central.db import database  # noqa: E402
from edge.contract import encode_events, make_event, topic  # noqa: E402


def bare_paho(broker: Broker, parts: dict[str, bytes]) -> float:
    """Seconds for bare paho to publish the same retained messages (QoS 1) and have them all acknowledged."""
    pub = _client(broker, "bench-bare")
    start = time.perf_counter()
    infos = [pub.publish("bench/bare/" + name, payload, qos=1, retain=True) for name, payload in parts.items()]
    for info in infos:
        info.wait_for_publish(60)
    elapsed = time.perf_counter() - start
    for name in parts:  # leave the broker as it was
        pub.publish("bench/bare/" + name, b"", qos=1, retain=True)
    pub.disconnect()
    pub.loop_stop()
    return elapsed


class StationSubscriber:
    """Subscribes like a station (head, then the parts it names) and counts what arrives."""

    def __init__(self, broker: Broker, folder: Path, code: str):
        from edge.cache import ConfigStore
        from edge.outbox import Outbox

        folder.mkdir(parents=True, exist_ok=True)
        self.store = ConfigStore(Outbox(folder / f"{code}.db"), "plant1", code)
        self.messages = 0
        self.bytes = 0
        self.topics: list[str] = []
        self.last = time.perf_counter()
        head = topic("plant1", code, "config")
        self.client = c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{code}")

        def on_message(client, userdata, m):
            self.messages += 1
            self.topics.append(m.topic)
            self.bytes += len(m.topic) + len(m.payload)
            self.last = time.perf_counter()
            if m.topic == head:
                if self.store.apply_head(m.payload):
                    client.subscribe([(f, 1) for f in self.store.filters()])
            else:
                self.store.apply_part(m.topic, m.payload)

        c.on_message = on_message
        c.on_connect = lambda *a: c.subscribe(head, 1)
        self.start = time.perf_counter()
        c.connect("127.0.0.1", broker.port)
        c.loop_start()

    def settle(self, quiet: float = 1.5) -> float:
        """Wait until nothing arrived for ``quiet`` seconds; seconds from start to the last message."""
        while time.perf_counter() - self.last < quiet or not self.messages:
            time.sleep(0.1)
        return self.last - self.start

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.store.flush()


def run(kind: str, args, folder: Path, broker: Broker) -> None:
    from central.config import load_settings
    from central.ingest import Ingest
    from central.models import Station
    from central.stationconfig import build_parts, station_config

    url = fresh(kind, args.postgres) if kind == "postgres" else fresh("sqlite")
    started = time.perf_counter()
    build_plant(stations=args.stations, operators=args.operators, batches=args.batches)
    print(f"\n== {kind}: {args.stations} stations, {args.operators} operators, {args.batches:,} batches in stock "
          f"(built in {time.perf_counter() - started:.1f} s)")
    parts = build_parts()
    whole_one = len(json.dumps(station_config(Station.get(Station.code == "S001")), separators=(",", ":")))
    database.close()
    total = sum(len(k) + len(v) for k, v in parts.items())
    bare = bare_paho(broker, parts)

    settings = load_settings(overrides={"database.url": url, "mqtt.url": broker.url, "mqtt.username": "",
                                        "data_dir": str(folder / "data")})
    worker = Ingest(settings, client_id=f"bench-ingest-{kind}")
    worker.config_refresh = 3600  # only the events below cause rebuilds
    worker.start()
    worker.connected.wait(10)
    while worker.stats.config_seconds == 0:
        time.sleep(0.05)
    first = worker.stats.config_seconds
    print(f"retained set            : {len(parts):,} parts, {total:,} bytes")
    print(f"first publish (ingest)  : {first:6.2f} s built and handed to paho   "
          f"bare paho, same messages, all acked: {bare:6.2f} s")
    print(f"one station's whole config assembled: {whole_one:,} bytes; republishing it for every station "
          f"would be {whole_one * args.stations:,} bytes per change")

    station = StationSubscriber(broker, folder / kind, "S001")
    took = station.settle()
    print(f"station S001 subscribes : {station.messages:,} parts, {station.bytes:,} bytes, all in {took:.2f} s")

    peer = _client(broker, "bench-S001-events")
    changes = [
        ("goods.received", {"item": "RM-002", "batch": "GI1-BENCH-1", "qty": "40", "location": "RECV"}),
        ("stage.started", {"work_order": "WO-0001", "stage": 10}),
        ("material.issued", {"work_order": "WO-0001", "batch": "GI1-BENCH-1", "qty": "40"}),
        ("output.reported", {"work_order": "WO-0001", "kind": "main", "item": "FG-001", "batch": "S001-BENCH-1",
                             "qty": "10", "location": "FG"}),
    ]
    acked = threading.Event()
    peer.on_message = lambda *a: acked.set()
    peer.subscribe(topic("plant1", "S001", "ack"), 1)
    time.sleep(0.3)
    for seq, (event_type, data) in enumerate(changes, start=1):
        builds, sent, count, secs = (worker.stats.config_builds, worker.stats.config_bytes,
                                     worker.stats.configs_published, worker.stats.config_seconds)
        at_station = station.messages
        acked.clear()
        event = make_event(event_type, site="plant1", station="S001", seq=seq, operator="OP-0001", data=data)
        peer.publish(topic("plant1", "S001", "events"), encode_events([event]), qos=1)
        acked.wait(30)
        while worker.stats.config_builds == builds:
            time.sleep(0.02)
        station.last = time.perf_counter()
        station.settle(1.0)
        print(f"{event_type:<16}: {worker.stats.config_bytes - sent:6,} bytes in "
              f"{worker.stats.configs_published - count} parts published; {station.messages - at_station} reach S001; "
              f"rebuild {1000 * (worker.stats.config_seconds - secs):6.1f} ms (target <= 10,000 bytes)")
        if args.verbose:
            print("   ", station.topics[at_station:])
    peer.disconnect()
    peer.loop_stop()
    station.close()
    worker.stop()


def main() -> None:
    """Run on SQLite (and PostgreSQL when given) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--operators", type=int, default=300)
    parser.add_argument("--batches", type=int, default=20_000)
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL database URL")
    parser.add_argument("--verbose", action="store_true", help="list the topics that reach the station")
    args = parser.parse_args()
    folder = workdir()
    broker = Broker(folder, "max_queued_messages 100000\n")
    try:
        run("sqlite", args, folder, broker)
        if args.postgres:
            run("postgres", args, folder, broker)
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
