"""Printer drivers against real transports: a TCP server playing a Zebra, a real CUPS scheduler
with a raw queue, loop://, a folder."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from devices.printers import DRIVERS, MemoryPrinter, PrinterError, open_printer
from tests.devices.peers import Cupsd, FakeZebra

ZPL = b"^XA^FO20,20^A0N,30,30^FDHello^FS^XZ"


@pytest.fixture
def zebra():
    printer = FakeZebra()
    yield printer
    printer.close()


def test_tcp_delivers_each_job_whole(zebra):
    big = ZPL * 5000
    with open_printer(f"zpl+tcp://127.0.0.1:{zebra.port}?timeout=5") as printer:
        printer.send(ZPL, job_id="j1", fmt="zpl")
        printer.send(big, job_id="j2", fmt="zpl")
    assert zebra.wait(2) == [ZPL, big]


def test_tcp_unreachable_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: connections are refused
        printer = open_printer(f"zpl+tcp://127.0.0.1:{port}?connect_timeout=1")
        with pytest.raises(PrinterError) as caught:
            printer.send(ZPL, job_id="j1", fmt="zpl")
    message = str(caught.value)
    assert "printer unreachable" in message and f"127.0.0.1:{port}" in message
    assert "\n" not in message


def test_tcp_refuses_pdf(zebra):
    printer = open_printer(f"zpl+tcp://127.0.0.1:{zebra.port}")
    with pytest.raises(PrinterError, match="takes zpl, not pdf"):
        printer.send(b"%PDF-1.4", job_id="j1", fmt="pdf")
    assert zebra.jobs == []


@pytest.fixture(scope="module")
def cupsd():
    """A real CUPS scheduler of this module's own."""
    server = Cupsd().start()
    yield server
    server.stop()


@pytest.fixture
def zebra_queue(cupsd, zebra):
    """A raw CUPS queue whose device is the socket playing a Zebra (CUPS's own socket backend)."""
    name = f"Zebra_{zebra.port}"
    cupsd.add_raw_queue(name, f"socket://127.0.0.1:{zebra.port}")
    return name


def test_cups_sends_zpl_raw_through_a_real_scheduler(cupsd, zebra_queue, zebra):
    printer = open_printer(f"cups://{zebra_queue}?server={cupsd.server}&lp={cupsd.lp}")
    assert printer.command("job-1", "zpl") == [cupsd.lp, "-h", cupsd.server, "-d", zebra_queue, "-t", "job-1",
                                               "-o", "raw"]
    printer.send(ZPL, job_id="job-1", fmt="zpl")
    assert zebra.wait(1) == [ZPL], cupsd.log()


def test_cups_sends_pdf_without_raw(cupsd, zebra_queue, zebra):
    printer = open_printer(f"cups://{zebra_queue}?server={cupsd.server}")
    assert "raw" not in printer.command("job-2", "pdf")
    printer.send(b"%PDF-1.4 x", job_id="job-2", fmt="pdf")  # a queue without a driver passes it as it is
    assert zebra.wait(1) == [b"%PDF-1.4 x"], cupsd.log()


def test_cups_refusal_carries_lp_message_and_nothing_was_printed(cupsd):
    printer = open_printer(f"cups://No_Such_Queue?server={cupsd.server}")
    with pytest.raises(PrinterError, match=r"lp failed for job j \(exit 1\): lp: .*") as caught:
        printer.send(ZPL, job_id="j", fmt="zpl")
    assert caught.value.maybe_printed is False


def test_cups_that_does_not_answer_in_time_may_have_printed(cupsd, zebra_queue, zebra):
    """lp handed the job to a scheduler that then stalled: the label may still come out."""
    printer = open_printer(f"cups://{zebra_queue}?server={cupsd.server}&timeout=1")
    cupsd.pause()
    try:
        with pytest.raises(PrinterError, match="may still print") as caught:
            printer.send(ZPL, job_id="slow", fmt="zpl")
    finally:
        cupsd.resume()
    assert caught.value.maybe_printed is True


def test_cups_missing_lp(tmp_path):
    with pytest.raises(PrinterError, match="not found"):
        open_printer(f"cups://Q?lp={tmp_path}/nope").send(ZPL, job_id="j", fmt="zpl")


def test_serial_loop_writes_the_job():
    printer = open_printer("loop://?timeout=1")
    try:
        printer.send(ZPL, job_id="j1", fmt="zpl")
        assert printer.port.read(len(ZPL)) == ZPL
    finally:
        printer.close()
    with pytest.raises(PrinterError, match="closed"):
        printer.send(ZPL, job_id="j2", fmt="zpl")


def test_serial_parameters_reach_pyserial():
    printer = open_printer("loop://?baudrate=19200&rtscts=on")
    try:
        assert printer.port.baudrate == 19200 and printer.port.rtscts is True
    finally:
        printer.close()


@pytest.mark.parametrize(
    "url, words",
    [
        ("serial:///dev/shopfloor-no-such-port", "cannot open serial port"),
        ("loop://?baudrate=fast", "bad value 'fast' for baudrate"),
        ("loop://?speed=9600", "unknown parameter 'speed'"),
    ],
)
def test_serial_errors(url, words):
    with pytest.raises(PrinterError, match=words):
        open_printer(url)


def test_folder_writes_one_file_per_job_id(tmp_path):
    folder = tmp_path / "labels"
    printer = open_printer(f"file://{folder}")
    printer.send(ZPL, job_id="S01-7", fmt="zpl")
    printer.send(b"%PDF second", job_id="S01-8", fmt="pdf")
    printer.send(ZPL + b"again", job_id="S01-7", fmt="zpl")
    assert sorted(os.listdir(folder)) == ["S01-7.zpl", "S01-8.pdf"]
    assert (folder / "S01-7.zpl").read_bytes() == ZPL + b"again"


@pytest.mark.parametrize("job_id", ["../escape", ".hidden", "a/b", "x" * 200])
def test_folder_refuses_unsafe_job_ids(tmp_path, job_id):
    printer = open_printer(f"file://{tmp_path}")
    with pytest.raises(PrinterError, match="not a safe file name"):
        printer.send(ZPL, job_id=job_id, fmt="zpl")
    assert os.listdir(tmp_path) == []


def test_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PrinterError, match="cannot create"):
        open_printer(f"file://{blocker}/labels")


def test_memory_keeps_jobs_per_instance():
    a, b = open_printer("memory://"), open_printer("memory://")
    assert isinstance(a, MemoryPrinter)
    a.send(ZPL, job_id="1", fmt="zpl")
    a.send(b"%PDF", job_id="1", fmt="pdf")
    assert [(j.job_id, j.fmt, j.data) for j in a.jobs] == [("1", "zpl", ZPL), ("1", "pdf", b"%PDF")]
    assert b.jobs == []


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"job_id": "j", "fmt": "png"}, "unknown job format 'png'"),
        ({"job_id": "", "fmt": "zpl"}, "must be printable and not empty"),
        ({"job_id": "a\nb", "fmt": "zpl"}, "must be printable"),
    ],
)
def test_send_checks_its_arguments(kwargs, words):
    printer = open_printer("memory://")
    with pytest.raises(PrinterError, match=words):
        printer.send(ZPL, **kwargs)
    assert printer.jobs == []


def test_unknown_scheme_lists_the_known_ones():
    with pytest.raises(PrinterError) as caught:
        open_printer("lpd://printer/queue")
    for scheme in ("zpl+tcp", "cups", "serial", "file", "memory"):
        assert scheme in str(caught.value)
    assert set(DRIVERS) >= {"zpl+tcp", "cups", "serial", "loop", "file", "memory"}


def test_printer_error_is_one_line():
    assert str(PrinterError("a\nb\n  c")) == "a b c"
