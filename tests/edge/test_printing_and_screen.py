"""Print jobs are durable and never printed twice; the station screen shows the live view."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

from devices.printers import MemoryPrinter, PrinterError, open_printer
from edge.outbox import Outbox, PrintJob
from edge.printing import Spooler
from edge.screen import Board, Screen
from tests.devices.peers import Cupsd, FakeZebra

FIELDS = {"item": "Cake", "item_code": "FG-100", "batch": "S01-260305-0001", "qty": "40", "unit": "pcs",
          "produced": "2026-03-05", "work_order": "WO-1", "operator": "OP-17", "url": "S01-260305-0001"}


class FlakyPrinter(MemoryPrinter):
    """Refuses the first ``failures`` jobs, like a printer out of paper."""

    def __init__(self, failures: int):
        super().__init__("memory://")
        self.failures = failures

    def _send(self, data, job_id, fmt):
        if self.failures:
            self.failures -= 1
            raise PrinterError("memory://: out of paper")
        super()._send(data, job_id, fmt)


def test_a_job_is_printed_once_even_when_drained_again(tmp_path):
    outbox = Outbox(tmp_path / "o.db")
    outbox.commit({"seq": 0}, [], [PrintJob("S01-260305-0001", "S01-260305-0001", "batch", FIELDS)])
    printer = MemoryPrinter("memory://")
    printed = []
    spooler = Spooler(outbox, printer, on_printed=printed.append)
    spooler.drain()
    spooler.drain()
    assert [j.job_id for j in printer.jobs] == ["S01-260305-0001"]
    assert b"^XA" in printer.jobs[0].data and len(printed) == 1
    assert outbox.job("S01-260305-0001").status == "printed"


def test_a_failed_send_is_retried_and_prints_once(tmp_path):
    outbox = Outbox(tmp_path / "o.db")
    outbox.commit(None, [], [PrintJob("B1", "B1", "batch", FIELDS | {"batch": "B1"})])
    printer = FlakyPrinter(failures=2)
    spooler = Spooler(outbox, printer)
    assert spooler.drain() is True and spooler.drain() is True
    assert outbox.job("B1").status == "pending" and "out of paper" in outbox.job("B1").error
    assert spooler.drain() is False
    assert [j.job_id for j in printer.jobs] == ["B1"]


def test_a_job_cut_off_mid_send_is_uncertain_after_restart_and_not_sent_again(tmp_path):
    outbox = Outbox(tmp_path / "o.db")
    outbox.commit(None, [], [PrintJob("B1", "B1", "batch", FIELDS)])
    assert outbox.claim_job("B1")  # the process dies here, between claim and done
    outbox.close()
    again = Outbox(tmp_path / "o.db")
    assert again.job("B1").status == "uncertain"
    printer = MemoryPrinter("memory://")
    Spooler(again, printer).drain()
    assert printer.jobs == []


def test_a_printer_error_after_bytes_may_have_left_makes_the_job_uncertain_not_pending(tmp_path):
    """A TCP printer that takes the connection and drops it mid-job: sending again could print twice."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = []

    def take_and_drop():
        conn, _ = server.accept()
        conn.recv(10)
        accepted.append(1)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()  # a reset while the rest of the job is still on its way

    thread = threading.Thread(target=take_and_drop)
    thread.start()
    outbox = Outbox(tmp_path / "o.db")
    fields = FIELDS | {"item": "x" * 40}
    outbox.commit(None, [], [PrintJob("B1", "B1", "batch", fields)])
    errors = []
    spooler = Spooler(outbox, open_printer(f"zpl+tcp://127.0.0.1:{port}?timeout=2"),
                      on_error=lambda job, msg: errors.append(msg))
    spooler.render = lambda job: b"^XA" + b"^FDx^FS" * 2_000_000 + b"^XZ"  # bigger than any socket buffer
    assert spooler.drain() is False  # nothing to retry later
    thread.join(5)
    server.close()
    assert accepted and outbox.job("B1").status == "uncertain"
    assert "reprint it if it is missing" in errors[0]
    assert spooler.drain() is False and outbox.job("B1").status == "uncertain"
    outbox.commit(None, [], [PrintJob("B1-R1", "B1", "batch", fields, reprint=True)])  # CMD:REPRINT
    spooler.printer = MemoryPrinter("memory://")
    assert spooler.drain() is False
    assert [j.job_id for j in spooler.printer.jobs] == ["B1-R1"]
    assert outbox.job("B1").status == "reprinted" and "uncertain" not in outbox.job_counts()


def test_a_cups_job_that_timed_out_is_never_sent_again(tmp_path):
    """lp gave the job to a scheduler that stalled past the timeout: it may print yet, so it waits."""
    zebra, cupsd = FakeZebra(), Cupsd().start()
    try:
        cupsd.add_raw_queue("Zebra", f"socket://127.0.0.1:{zebra.port}")
        outbox = Outbox(tmp_path / "o.db")
        outbox.commit(None, [], [PrintJob("B1", "B1", "batch", FIELDS)])
        spooler = Spooler(outbox, open_printer(f"cups://Zebra?server={cupsd.server}&timeout=1"))
        cupsd.pause()
        try:
            spooler.drain()
        finally:
            cupsd.resume()
        assert outbox.job("B1").status == "uncertain"
        spooler.drain()
        time.sleep(1.5)  # whatever the scheduler still had has reached the printer
        assert len(zebra.jobs) <= 1 and outbox.job("B1").status == "uncertain"
    finally:
        cupsd.stop()
        zebra.close()


def test_a_label_that_cannot_render_waits_for_a_person(tmp_path):
    outbox = Outbox(tmp_path / "o.db")
    outbox.commit(None, [], [PrintJob("B1", "B1", "batch", {"item": "x"})])
    errors = []
    Spooler(outbox, MemoryPrinter("memory://"), on_error=lambda job, msg: errors.append(msg)).drain()
    assert outbox.job("B1").status == "failed" and "cannot be rendered" in errors[0]


def test_a_socket_that_plays_a_zebra_printer_gets_the_zpl(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    received = bytearray()

    def serve():
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve)
    thread.start()
    outbox = Outbox(tmp_path / "o.db")
    outbox.commit(None, [], [PrintJob("B1", "B1", "batch", FIELDS)])
    printer = open_printer(f"zpl+tcp://127.0.0.1:{server.getsockname()[1]}")
    Spooler(outbox, printer).drain()
    printer.close()
    thread.join(5)
    server.close()
    assert received.startswith(b"^XA") and b"S01-260305-0001" in received


def test_screen_serves_the_page_the_state_and_live_updates():
    view = {"station": "S01", "scans": 0}
    board = Board(lambda: dict(view))
    screen = Screen(board, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{screen.port}"
    try:
        assert b"EventSource" in urllib.request.urlopen(base + "/").read()
        assert json.loads(urllib.request.urlopen(base + "/state").read()) == view
        stream = urllib.request.urlopen(base + "/events", timeout=5)
        assert json.loads(stream.readline()[len(b"data: "):]) == {"station": "S01", "scans": 0}
        stream.readline()
        view["scans"] = 1
        board.changed()
        assert json.loads(stream.readline()[len(b"data: "):])["scans"] == 1
        stream.close()
    finally:
        screen.stop()


def test_every_live_frame_pairs_a_scans_message_with_the_state_it_made(tmp_path):
    """Signing in and out 200 times while other threads nudge the screen: no frame shows a
    scan's message beside the state before (or after) it."""
    from devices.scanners import MemoryScanner
    from edge.config import load_settings
    from edge.daemon import Station
    from tests.conftest import free_port

    settings = load_settings(env={}, overrides={"data_dir": str(tmp_path / "edge"), "mqtt.url": "mqtt://127.0.0.1:1",
                                                 "screen.port": free_port(), "printer.url": "memory://"})
    station = Station(settings, scanners=[MemoryScanner()]).start()
    frames, stop = [], threading.Event()

    def read_stream():
        with urllib.request.urlopen(f"http://127.0.0.1:{settings['screen.port']}/events", timeout=10) as stream:
            for line in stream:
                if line.startswith(b"data: "):
                    frames.append(json.loads(line[6:]))
                if stop.is_set():
                    return

    def nudge():  # acks, link changes and printer news wake the screen from other threads
        while not stop.is_set():
            station.board.changed()

    def poll():  # what GET /state answers
        while not stop.is_set():
            frames.append(station.view())

    threads = [threading.Thread(target=read_stream, daemon=True), threading.Thread(target=nudge, daemon=True),
               threading.Thread(target=poll, daemon=True)]
    for t in threads:
        t.start()
    try:
        for _ in range(100):
            station.handle_text("OP-17")
            station.handle_text("OP-17")
    finally:
        stop.set()
        station.board.changed()
        threads[1].join(5)
        threads[2].join(5)
        station.stop()
    scans = [f for f in frames if f["last"]]
    assert len(scans) > 20
    for frame in scans:
        signed_in = frame["last"]["message"].startswith("Welcome")
        assert signed_in == (frame["operator"] == "OP-17"), frame
