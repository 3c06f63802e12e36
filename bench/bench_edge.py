"""Station figures: scan-to-ack latency at 50 scans/s, draining backlogs, and the daemon's start-up
time and resident memory, with bare paho QoS 1 round trips for comparison.

    .venv/bin/python bench/bench_edge.py [--scans 500] [--backlog 100000] [--backlog-orders 20]

Two backlogs are drained, each queued in the station's outbox while it was offline: 100,000
label prints (central only logs them: the cost of the link and the event log), and a line's
production, bench_shift's work orders (stages started, 50 material issues and 200 outputs
each, stages completed, work orders completed) after their goods were received at goods-in:
the cost of the domain handlers that move stock.

Targets: latency p50 <= 10 ms and p99 <= 50 ms on loopback; log-only backlog <= 15 s; RSS <=
50 MB; start-up <= 1 s.

The broker runs with ``set_tcp_nodelay true`` (as the shipped mosquitto config should): without
it mosquitto holds a small PUBLISH behind the PUBACK it sent just before until the client's
delayed ACK (up to 40 ms) arrives. The scan latency is printed for mosquitto's default too.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt  # noqa: E402

from bench._setup import Broker, central_database, free_port, workdir  # noqa: E402
from bench.bench_shift import GOODS_IN, Clock, Shape, record_events, setup_plant, shift_steps, stations  # noqa: E402


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def bare_round_trip(broker: Broker, count: int = 500) -> list[float]:
    """ms for a QoS 1 publish to reach a subscriber and its reply to come back (paho only)."""
    got = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-rt")
    ready = threading.Event()
    c.on_connect = lambda cl, *a: cl.subscribe("bench/rt", qos=1)
    c.on_subscribe = lambda *a: ready.set()
    c.on_message = lambda *a: got.set()
    c.connect("127.0.0.1", broker.port)
    c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as the station and the ingest do
    c.loop_start()
    ready.wait(10)
    times = []
    for _ in range(count):
        got.clear()
        t = time.perf_counter()
        c.publish("bench/rt", b"x", qos=1)
        got.wait(5)
        times.append((time.perf_counter() - t) * 1000)
        time.sleep(0.02)
    c.disconnect()
    c.loop_stop()
    return times


def _station(folder: Path, broker: Broker, code: str, **overrides):
    from devices.printers import MemoryPrinter
    from devices.scanners import MemoryScanner
    from edge.config import load_settings
    from edge.daemon import Station

    values = {"data_dir": str(folder / f"edge-{code}"), "mqtt.url": broker.url, "station.code": code,
              "screen.port": 0}
    values.update(overrides)
    return Station(load_settings(overrides=values, env={}), scanners=[MemoryScanner()], printer=MemoryPrinter("memory://"))


def _ingest(broker: Broker, db_url: str):
    from central.config import load_settings
    from central.ingest import Ingest

    worker = Ingest(load_settings(overrides={"database.url": db_url, "mqtt.url": broker.url, "mqtt.username": ""}),
                    client_id="bench-edge-ingest").start()
    worker.connected.wait(10)
    return worker


def scan_to_ack(folder: Path, broker: Broker, scans: int) -> list[float]:
    """ms from a scan to central's ack of its event, at 50 scans/s."""
    station = _station(folder, broker, "S01")
    sent: dict[str, float] = {}
    acked: dict[str, float] = {}
    commit = station.outbox.commit

    def timed_commit(state, events=(), jobs=()):
        commit(state, events, jobs)
        for e in events:
            sent.setdefault(e.id, time.perf_counter())
    station.outbox.commit = timed_commit
    on_ack = station.link.on_ack

    def timed_ack(accepted, rejected):
        now = time.perf_counter()
        for i in accepted:
            acked.setdefault(i, now)
        on_ack(accepted, rejected)
    station.link.on_ack = timed_ack
    station.start()
    while not station.link.online:
        time.sleep(0.01)
    time.sleep(0.5)
    start = time.perf_counter()
    for n in range(scans):
        station.handle_text("CMD:DOWN" if n % 3 == 0 else "RC:DT-JAM" if n % 3 == 1 else "CMD:UP")
        delay = start + (n + 1) / 50 - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    deadline = time.monotonic() + 30
    while len(acked) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.01)
    station.stop()
    return [(acked[i] - t) * 1000 for i, t in sent.items() if i in acked]


def drain(folder: Path, broker: Broker, events: list) -> float:
    """Seconds for a station to drain ``events`` (all its own) that it queued while offline."""
    from edge.outbox import Outbox

    code = events[0].station
    outbox = Outbox(folder / f"edge-{code}" / "outbox.db")
    for start in range(0, len(events), 5000):
        outbox.commit(None, events[start:start + 5000])
    outbox.commit({"seq": events[-1].seq})
    outbox.close()
    station = _station(folder, broker, code, **{"sync.ack_timeout": 30.0})
    start = time.perf_counter()
    station.start()
    while station.outbox.depth():
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    station.stop()
    return elapsed


def backlog(folder: Path, broker: Broker, count: int) -> float:
    """Seconds to drain ``count`` label prints (central only logs them) queued while offline."""
    from edge.contract import make_event

    return drain(folder, broker, [
        make_event("label.printed", site="plant1", station="S02", seq=seq, operator=None,
                   data={"batch": f"S02-B{seq}", "template": "batch", "copies": 1}) for seq in range(1, count + 1)])


def production_backlog(folder: Path, broker: Broker, orders: int) -> tuple[dict[str, int], float]:
    """Seconds to drain a line's production queued while offline: ``orders`` work orders of bench_shift's
    shape (stages started, 50 material issues and 200 outputs each, stages completed, completed).

    The goods were received at goods-in (applied before the line reconnects). Returns the events
    by type and the seconds.
    """
    from central.db import database

    shape = Shape(work_orders=orders, lines=1)
    database.connect(reuse_if_open=True)
    setup_plant(shape)
    steps = shift_steps(shape, Clock(shape.events))
    record_events([e for step in steps if step.type == "goods.received" for _, e in step.events], GOODS_IN)
    database.close()
    events = [e for step in steps if step.type != "goods.received" for _, e in step.events]
    kinds: dict[str, int] = {}
    for e in events:
        kinds[e.type] = kinds.get(e.type, 0) + 1
    return kinds, drain(folder, broker, events)


def daemon_figures(folder: Path, broker: Broker) -> tuple[float, float]:
    """(start-up seconds until the screen answers, resident MB) of `shopfloor edge run`."""
    port = free_port()
    env = dict(os.environ, SHOPFLOOR_EDGE_DATA_DIR=str(folder / "edge-S03"), SHOPFLOOR_EDGE_STATION_CODE="S03",
               SHOPFLOOR_EDGE_MQTT_URL=broker.url, SHOPFLOOR_EDGE_SCANNER_URLS="stdin://",
               SHOPFLOOR_EDGE_PRINTER_URL="memory://", SHOPFLOOR_EDGE_SCREEN_PORT=str(port))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "shopfloor.cli", "edge", "run"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            state = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/state", timeout=1).read())
            if state["online"]:
                break
        except OSError:
            pass
        time.sleep(0.01)
    startup = time.perf_counter() - start
    proc.stdin.write(b"CMD:DOWN\nRC:DT-JAM\nCMD:UP\n" * 50)
    proc.stdin.flush()
    time.sleep(2)
    rss = 0.0
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    proc.terminate()
    proc.wait(20)
    return startup, rss


NODELAY = "set_tcp_nodelay true\n"


def default_broker_latency(folder: Path, db_url: str, scans: int) -> list[float]:
    """Scan-to-ack latency through a mosquitto in its default configuration (Nagle on)."""
    sub = folder / "default-broker"
    sub.mkdir()
    broker = Broker(sub)
    try:
        worker = _ingest(broker, db_url)
        try:
            return scan_to_ack(sub, broker, scans)
        finally:
            worker.stop()
    finally:
        broker.stop()


def main() -> None:
    """Run every figure and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--backlog-orders", type=int, default=20,
                        help="work orders (50 issues, 200 outputs each) in the production backlog; 0 to skip")
    args = parser.parse_args()
    folder = workdir()
    broker = Broker(folder, extra=NODELAY)
    try:
        db_url = central_database(folder, ["S01", "S02", "S03"] + stations(Shape(lines=1)))
        default_latencies = default_broker_latency(folder, db_url, args.scans)
        worker = _ingest(broker, db_url)
        bare = bare_round_trip(broker)
        latencies = scan_to_ack(folder, broker, args.scans)
        drain = backlog(folder, broker, args.backlog)
        production = production_backlog(folder, broker, args.backlog_orders) if args.backlog_orders else None
        worker.stop()
        starts = [daemon_figures(folder, broker) for _ in range(5)]
    finally:
        broker.stop()
    print(f"bare paho QoS 1 round trip      : p50 {_pct(bare, .5):6.1f} ms   p99 {_pct(bare, .99):6.1f} ms")
    print(f"scan -> central ack at 50/s     : p50 {_pct(latencies, .5):6.1f} ms   p99 {_pct(latencies, .99):6.1f} ms"
          f"   ({len(latencies)} events; targets 10 / 50 ms)")
    print(f"  same, mosquitto default config: p50 {_pct(default_latencies, .5):6.1f} ms   "
          f"p99 {_pct(default_latencies, .99):6.1f} ms   (Nagle on the broker's sockets)")
    print(f"drain {args.backlog:,} offline events   : {drain:6.1f} s   ({args.backlog / drain:,.0f} events/s; target <= 15 s)"
          "   (label.printed: event log only)")
    if production:
        kinds, seconds = production
        total = sum(kinds.values())
        print(f"drain {total:,} production events : {seconds:6.1f} s   ({total / seconds:,.0f} events/s; "
              f"{args.backlog_orders} work orders: " + ", ".join(f"{n:,} {k}" for k, n in kinds.items()) + ")")
    startups = sorted(startup for startup, _ in starts)
    print(f"edge daemon start-up            : {statistics.median(startups):6.2f} s   (until online, median of "
          f"{len(starts)}; slowest {startups[-1]:.2f} s; target <= 1 s)")
    print(f"edge daemon resident memory     : {max(rss for _, rss in starts):6.1f} MB  (the most of {len(starts)} "
          "runs; target <= 50 MB)")
    print(f"(median of the scan latencies    : {statistics.median(latencies):.1f} ms)")


if __name__ == "__main__":
    main()
