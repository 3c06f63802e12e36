"""The live board: first render with 500 work orders in flight, event-applied-to-board latency at
50 events/s, and how many viewers one web process holds, each next to the bare library.

    .venv/bin/python bench/bench_board.py                       # SQLite
    .venv/bin/python bench/bench_board.py --postgres [--pg-url URL]
    .venv/bin/python bench/bench_board.py --viewers 1,50,100,200,300 --seconds 10

1. **First render** of ``/board`` with 500 work orders in flight (through the app, in process:
   server time, no network), split into reading the board and rendering it; next to the bare
   driver reading the same tables (one SELECT each) and bare Jinja rendering 500 plain rows.
2. **Latency** at 50 events/s: a station publishes ``output.reported`` (one unit each) to a real
   mosquitto; a real ``shopfloor central ingest`` applies it; one gunicorn web process
   (``-w 1 -k gthread``) serves ``/board/stream`` to N viewers (raw HTTP clients in one asyncio
   process), each noting when the work order's good quantity reaches each event's count.
   Printed: ack→board (the ack leaves right after the commit, so this is "applied → on the
   board") and publish→board, p50 and p99, for each N; the web process's CPU per viewer per
   event; and the largest N whose p99 stays ≤ 1 s.
3. **Bare**: the same viewers on a bare Flask SSE endpoint under the same gunicorn, a thread
   fanning out a message of the same size 50 times a second from memory (no database, no
   render): the transport's own latency and CPU.

The figures depend on the machine and its load; the viewers' client runs on the same machine.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import DEFAULT_PG, fresh  # noqa: E402

from bench._setup import Broker, free_port  # noqa: E402

IN_FLIGHT = 500
RATE = 50  # events a second
TARGET_WO = "WO-BENCH"
BARE_APP = '''
import json, queue, threading, time
from flask import Flask, Response
app = Flask(__name__)
viewers = set()
lock = threading.Lock()
PAD = "x" * int(__import__("os").environ.get("BARE_PAD", "1500"))

def fan_out():
    n = 0
    while True:
        time.sleep(1 / 50)
        n += 1
        msg = ("event: patch\\ndata: " + json.dumps({"n": n, "t": time.time(), "html": PAD}) + "\\n\\n").encode()
        with lock:
            for q in viewers:
                q.put(msg)

threading.Thread(target=fan_out, daemon=True).start()

@app.get("/stream")
def stream():
    q = queue.Queue()
    with lock:
        viewers.add(q)
    def body():
        try:
            yield b"retry: 1000\\n\\n"
            while True:
                yield q.get()
        finally:
            with lock:
                viewers.discard(q)
    return Response(body(), mimetype="text/event-stream")
'''


def pct(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


# --- the plant ----------------------------------------------------------------------------------

def build_plant() -> None:
    """500 work orders in flight on a two-stage routing, half of them running, some paused, and the bench's own."""
    from datetime import date, timedelta

    from central.catalog import create_item, create_location
    from central.db import database
    from central.models import Machine, Operator, ReasonCode, Station, WorkCentre, WorkOrder, WorkOrderStage, utcnow
    from central.production import create_work_order
    from central.recipes import create_recipe

    with database.atomic():
        centres = [WorkCentre.create(code=f"WC-{n}", name=f"Line {n}") for n in range(1, 6)]
        for n, centre in enumerate(centres, 1):
            Machine.create(code=f"M-{n}", work_centre=centre)
            Station.create(code=f"S{n:02d}", site="plant1", work_centre=centre)
        Operator.create(badge="OP-1", name="Ann")
        ReasonCode.create(code="DT-JAM", category="downtime")
        create_location({"code": "FG", "role": "finished"})
        create_item({"code": "FG-1", "unit": "pcs"})
        create_recipe({"code": "R-1", "item": "FG-1", "outputs": [{"item": "FG-1", "kind": "main", "cost_share": "100"}],
                       "stages": [{"seq": 10, "work_centre": "WC-1", "standard_minutes": "60"},
                                  {"seq": 20, "work_centre": "WC-2", "standard_minutes": "30"}]})
        today = date.today()
        for n in range(IN_FLIGHT - 1):
            create_work_order({"number": f"WO-{n:04d}", "recipe": "R-1", "planned_qty": "1000", "status": "released",
                               "due": (today + timedelta(days=n % 7)).isoformat()})
        create_work_order({"number": TARGET_WO, "recipe": "R-1", "planned_qty": "100000", "status": "released"})
        now = utcnow()
        running = [f"WO-{n:04d}" for n in range(0, IN_FLIGHT - 1, 2)]
        WorkOrder.update(status="in_progress", started_at=now).where(WorkOrder.number.in_(running)).execute()
        WorkOrder.update(status="paused").where(WorkOrder.number.in_(running[::10])).execute()
        WorkOrderStage.update(started_at=now - timedelta(minutes=20)).where(
            WorkOrderStage.seq == 10,
            WorkOrderStage.work_order.in_(WorkOrder.select(WorkOrder.id).where(WorkOrder.number.in_(running)))).execute()


# --- 1. first render ----------------------------------------------------------------------------

def first_render(url: str, runs: int) -> None:
    from central import create_app
    from central.auth import create_user
    from central.board import read_board
    from central.db import database
    from tests.central.websupport import sign_in

    app = create_app({"database.url": url, "web.secret_key": "bench", "data_dir": tempfile.mkdtemp()})
    with database.connection_context():
        create_user("bench", "bench board viewer", "viewer")
    client = app.test_client()
    sign_in(client, "bench", "bench board viewer")
    zone = app.extensions["shopfloor.zone"]
    page, page_cpu, reads, renders = [], [], [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.thread_time()
        response = client.get("/board")
        page.append(time.perf_counter() - start)
        page_cpu.append(time.thread_time() - cpu)
        assert response.status_code == 200 and response.get_data(as_text=True).count('class="wo ') == IN_FLIGHT
        with app.test_request_context("/board"):
            database.connect(reuse_if_open=True)
            start = time.perf_counter()
            board = read_board(zone)
            reads.append(time.perf_counter() - start)
            from central.web.livefeed import BoardFeed, fingerprints
            feed = BoardFeed(app, autostart=False)
            start = time.perf_counter()
            feed.render(board, fingerprints(board), board.counts())
            renders.append(time.perf_counter() - start)
            database.close()
    bare_reads, bare_renders = bare_first_render(url, runs)
    print(f"\n1. first render of /board with {IN_FLIGHT} work orders in flight (server time, median of {runs})")
    print(f"   GET /board, whole request          {statistics.median(page) * 1000:8.1f} ms wall, "
          f"{statistics.median(page_cpu) * 1000:.1f} ms CPU   (target <= 150 ms)")
    print(f"     reading the board (read_board)   {statistics.median(reads) * 1000:8.1f} ms")
    print(f"     rendering every row              {statistics.median(renders) * 1000:8.1f} ms")
    print(f"   bare driver, same tables           {statistics.median(bare_reads) * 1000:8.1f} ms")
    print(f"   bare Jinja, 500 plain rows         {statistics.median(bare_renders) * 1000:8.1f} ms")



def bare_first_render(url: str, runs: int) -> tuple[list[float], list[float]]:
    """The same tables read with the bare driver, 500 rows rendered with bare Jinja."""
    import jinja2

    if url.startswith("sqlite"):
        import sqlite3
        conn = sqlite3.connect(url.split("///", 1)[1])
        ph = "?"
    else:
        import psycopg2
        conn = psycopg2.connect(url)
        ph = "%s"
    template = jinja2.Environment(autoescape=True).from_string(
        "{% for r in rows %}<tr id=\"wo-{{ r[1] }}\"><td><a href=\"/work-orders/{{ r[1] }}\">{{ r[1] }}</a></td>"
        "<td>{{ r[2] }}</td><td><progress max=\"{{ r[2] }}\" value=\"{{ r[3] }}\"></progress></td><td>{{ r[4] }}</td>"
        "<td>{{ r[5] }}</td><td>{{ r[6] }}</td></tr>{% endfor %}")
    reads, renders = [], []
    statuses = ("released", "in_progress", "paused")
    for _ in range(runs):
        start = time.perf_counter()
        cur = conn.cursor()
        cur.execute(f"SELECT w.id, w.number, w.planned_qty, 0, w.status, w.due, i.code FROM work_order w "
                    f"JOIN recipe r ON r.id = w.recipe_id JOIN item i ON i.id = r.item_id "
                    f"WHERE w.status IN ({ph}, {ph}, {ph}) ORDER BY w.number", statuses)
        rows = cur.fetchall()
        cur.execute(f"SELECT s.work_order_id, s.seq, c.code, s.standard_minutes, s.started_at, s.completed_at "
                    f"FROM work_order_stage s JOIN work_centre c ON c.id = s.work_centre_id JOIN work_order w "
                    f"ON w.id = s.work_order_id WHERE w.status IN ({ph}, {ph}, {ph})", statuses)
        cur.fetchall()
        cur.execute(f"SELECT o.work_order_id, o.kind, SUM(o.qty), COUNT(*), MAX(o.at) FROM work_order_output o "
                    f"JOIN work_order w ON w.id = o.work_order_id WHERE w.status IN ({ph}, {ph}, {ph}) "
                    f"GROUP BY o.work_order_id, o.kind", statuses)
        cur.fetchall()
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        template.render(rows=rows)
        renders.append(time.perf_counter() - start)
    conn.close()
    return reads, renders


# --- 2 and 3. viewers ---------------------------------------------------------------------------

def login_cookie(base: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": "bench", "password": "bench board viewer", "csrf_token": token}).encode()
    opener.open(base + "/login", body)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Viewers:
    """N raw SSE clients on one asyncio loop (in a thread); each notes when it saw each count."""

    VALUE = re.compile(rb'id=\\?"wo-' + TARGET_WO.encode() + rb'\\?".*?value=\\?"([0-9.]+)', re.S)

    def __init__(self, port: int, path: str, cookie: str, bare: bool):
        self.port, self.path, self.cookie, self.bare = port, path, cookie, bare
        self.seen: list[dict[int, float]] = []
        self.connected = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.tasks = []

    def add(self, count: int, since: str) -> None:
        for _ in range(count):
            seen: dict[int, float] = {}
            self.seen.append(seen)
            self.tasks.append(asyncio.run_coroutine_threadsafe(self._view(seen, since), self.loop))

    async def _view(self, seen: dict[int, float], since: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=2**24)
        writer.write((f"GET {self.path}?since={since} HTTP/1.0\r\nHost: x\r\nCookie: {self.cookie}\r\n"
                      f"Accept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        self.connected += 1
        best = 0
        try:
            while True:
                block = await reader.readuntil(b"\n\n")
                now = time.time()
                if self.bare:
                    m = re.search(rb'"n":\s*(\d+),\s*"t":\s*([0-9.]+)', block)
                    if m:
                        seen[int(m.group(1))] = now - float(m.group(2))
                    continue
                m = self.VALUE.search(block)
                if m:
                    value = int(float(m.group(1)))
                    for k in range(best + 1, value + 1):
                        seen[k] = now
                    best = max(best, value)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's worker is a child)."""
    total = 0.0
    pids = [pid]
    try:
        pids += [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def gunicorn(port: int, app: str, env: dict, threads: int, cwd: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", str(threads),
                             "--graceful-timeout", "2", "-b", f"127.0.0.1:{port}", app],
                            env=dict(os.environ, **env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def live(url: str, levels: list[int], seconds: float) -> None:
    import json

    import paho.mqtt.client as mqtt

    from central.auth import create_user
    from central.db import database
    from edge.contract import encode_events, make_event, topic

    work = Path(tempfile.mkdtemp(prefix="shopfloor-bench-board-"))
    broker = Broker(work)
    env = {"SHOPFLOOR_DATABASE_URL": url, "DATABASE_URL": url, "SHOPFLOOR_DATA_DIR": str(work / "central"),
           "SHOPFLOOR_WEB_SECRET_KEY": "bench", "SHOPFLOOR_MQTT_URL": broker.url, "SHOPFLOOR_MQTT_USERNAME": "",
           "SHOPFLOOR_LOG_LEVEL": "WARNING"}
    with database.connection_context():
        if not database.execute_sql("SELECT 1 FROM \"user\" WHERE username = 'bench'").fetchone():
            create_user("bench", "bench board viewer", "viewer")
    ingest = subprocess.Popen([sys.executable, "-m", "shopfloor.cli", "central", "ingest"], env=dict(os.environ, **env),
                              stdout=subprocess.DEVNULL, stderr=open(work / "ingest.log", "ab"))
    port = free_port()
    web = gunicorn(port, "central.wsgi:app", env, max(levels) + 20, str(ROOT))
    bare_port = free_port()
    (work / "bare_sse.py").write_text(BARE_APP)
    bare = gunicorn(bare_port, "bare_sse:app", {}, max(levels) + 20, str(work))
    acks: dict[str, float] = {}
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-station")
    client.on_message = lambda c, u, m: [acks.setdefault(i, time.time()) for i in json.loads(m.payload)["accepted"]]
    client.connect("127.0.0.1", broker.port)
    client.subscribe(topic("plant1", "S01", "ack"), qos=1)
    client.loop_start()
    time.sleep(2)  # the ingest subscribes
    seq = [0]
    count = [0]

    def send(type_, **data):
        seq[0] += 1
        e = make_event(type_, site="plant1", station="S01", seq=seq[0], operator="OP-1", data=data)
        client.publish(topic("plant1", "S01", "events"), encode_events([e]), qos=1)
        return e.id

    send("operator.signed_in")
    send("stage.started", work_order=TARGET_WO, stage=10)
    time.sleep(2)
    cookie = login_cookie(f"http://127.0.0.1:{port}")
    results, bare_results = [], []
    try:
        for n in levels:
            # the board: viewers connect while it is quiet, the first learns the version the others name
            viewers = Viewers(port, "/board/stream", cookie, bare=False)
            probe = urllib.request.Request(f"http://127.0.0.1:{port}/board", headers={"Cookie": cookie})
            version = re.search(r'data-version="([0-9a-f]+)"', urllib.request.urlopen(probe).read().decode()).group(1)
            viewers.add(n, version)
            deadline = time.monotonic() + 60
            while viewers.connected < n and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.5)
            cpu0 = cpu_seconds(web.pid)
            published: dict[int, tuple[float, str]] = {}
            start = time.monotonic()
            k = 0
            while time.monotonic() - start < seconds:
                k += 1
                count[0] += 1
                published[count[0]] = (time.time(), send("output.reported", work_order=TARGET_WO, kind="main",
                                                         item="FG-1", batch=f"S01-B{count[0]:07d}", qty="1"))
                time.sleep(max(0.0, start + k / RATE - time.monotonic()))
            time.sleep(3)
            cpu = cpu_seconds(web.pid) - cpu0
            from_pub, from_ack = [], []
            for seen in viewers.seen:
                for idx, (t_pub, event_id) in published.items():
                    if idx in seen:
                        from_pub.append(seen[idx] - t_pub)
                        if event_id in acks:
                            from_ack.append(seen[idx] - acks[event_id])
            missing = sum(1 for seen in viewers.seen for idx in published if idx not in seen)
            viewers.close()
            results.append((n, k, from_ack, from_pub, cpu, missing))
            # the bare transport with as many viewers
            bare_viewers = Viewers(bare_port, "/stream", "", bare=True)
            bare_viewers.add(n, "")
            deadline = time.monotonic() + 60
            while bare_viewers.connected < n and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
            cpu0 = cpu_seconds(bare.pid)
            for seen in bare_viewers.seen:
                seen.clear()
            time.sleep(seconds)
            bare_cpu = cpu_seconds(bare.pid) - cpu0
            lat = [v for seen in bare_viewers.seen for v in seen.values()]
            bare_viewers.close()
            bare_results.append((n, lat, bare_cpu, int(seconds * RATE)))
            time.sleep(1)
    finally:
        client.loop_stop()
        for proc in (web, bare, ingest):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        broker.stop()

    print(f"\n2. event applied -> on every open board, {RATE} events/s of output.reported, one gunicorn gthread web "
          f"process, a real ingest and mosquitto, {IN_FLIGHT} work orders in flight")
    print("   viewers  events   ack->board p50 / p99     publish->board p50 / p99    missed   web CPU   "
          "per viewer per event (all / beyond the first viewer)")
    first = results[0]
    holds = 0
    for n, k, from_ack, from_pub, cpu, missing in results:
        per = (cpu / (n * k)) * 1e6 if n and k else float("nan")
        extra = ((cpu / k - first[4] / first[1]) / (n - first[0]) * 1e6) if n > first[0] and k else float("nan")
        print(f"   {n:7d}  {k:6d}   {pct(from_ack, .5) * 1000:7.0f} / {pct(from_ack, .99) * 1000:6.0f} ms"
              f"     {pct(from_pub, .5) * 1000:7.0f} / {pct(from_pub, .99) * 1000:6.0f} ms   {missing:6d}"
              f"   {cpu:6.2f} s   {per:8.1f} µs / {extra:6.1f} µs")
        if from_ack and pct(from_ack, .99) <= 1.0 and not missing:
            holds = max(holds, n)
    print(f"   largest number of viewers tried with p99 <= 1 s: {holds} (target >= 200)")
    print("\n3. bare library: Flask SSE under the same gunicorn, a thread fanning out a message of the same size from "
          "memory 50 times a second (no database, no rendering)")
    print("   viewers   fan-out->client p50 / p99    web CPU    per viewer per message")
    for n, lat, cpu, msgs in bare_results:
        print(f"   {n:7d}   {pct(lat, .5) * 1000:7.1f} / {pct(lat, .99) * 1000:6.1f} ms   {cpu:6.2f} s   "
              f"{cpu / (n * msgs) * 1e6:7.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a PostgreSQL database of its own (emptied)")
    parser.add_argument("--runs", type=int, default=15, help="first renders timed")
    parser.add_argument("--viewers", default="1,50,100,200,300", help="viewer counts to try, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of events at each viewer count")
    parser.add_argument("--render-only", action="store_true", help="only the first render")
    args = parser.parse_args()
    from central.db import database

    url = fresh("postgres" if args.postgres else "sqlite", args.pg_url)
    build_plant()
    database.close()
    print(f"bench_board on {'PostgreSQL' if args.postgres else 'SQLite'}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f} at the start (figures taken under whatever else runs on this machine)")
    first_render(url, args.runs)
    if not args.render_only:
        live(url, [int(v) for v in args.viewers.split(",")], args.seconds)


if __name__ == "__main__":
    main()
