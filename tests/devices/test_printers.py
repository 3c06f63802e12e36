"""Printer drivers against real transports: a TCP server playing a Zebra, a fake lp, loop://, a folder."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from devices.printers import DRIVERS, MemoryPrinter, PrinterError, open_printer

ZPL = b"^XA^FO20,20^A0N,30,30^FDHello^FS^XZ"


class FakeZebra:
    """Accepts connections on 127.0.0.1 and keeps what each one sent."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        # A short accept timeout lets close() stop the thread promptly.
        self.server.settimeout(0.05)
        self.stopping = threading.Event()
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
                self.jobs.append(b"".join(chunks))
                self.done.set()

    def wait(self, count: int) -> list[bytes]:
        while len(self.jobs) < count:
            assert self.done.wait(5), "the printer got nothing"
            self.done.clear()
        return self.jobs

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.server.close()


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


@pytest.fixture
def fake_lp(tmp_path: Path) -> Path:
    """An `lp` that records its arguments and input, and fails for queue 'Broken'."""
    script = tmp_path / "lp"
    script.write_text(
        "#!/bin/sh\n"
        'out="$(dirname "$0")"\n'
        'for a in "$@"; do printf "%s\\n" "$a"; done > "$out/args"\n'
        'cat > "$out/stdin"\n'
        'if [ "$2" = "Broken" ]; then echo "lp: The printer or class does not exist." >&2; exit 1; fi\n'
        'echo "request id is $2-1 (1 file(s))"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_cups_sends_zpl_raw(fake_lp):
    printer = open_printer(f"cups://Zebra_GK420?lp={fake_lp}")
    printer.send(ZPL, job_id="job-1", fmt="zpl")
    assert (fake_lp.parent / "args").read_text().split("\n")[:-1] == ["-d", "Zebra_GK420", "-t", "job-1", "-o", "raw"]
    assert (fake_lp.parent / "stdin").read_bytes() == ZPL


def test_cups_sends_pdf_through_the_filters(fake_lp):
    open_printer(f"cups://Office?lp={fake_lp}").send(b"%PDF-1.4 x", job_id="job-2", fmt="pdf")
    assert (fake_lp.parent / "args").read_text().split("\n")[:-1] == ["-d", "Office", "-t", "job-2"]
    assert (fake_lp.parent / "stdin").read_bytes() == b"%PDF-1.4 x"


def test_cups_failure_carries_lp_message(fake_lp):
    printer = open_printer(f"cups://Broken?lp={fake_lp}")
    with pytest.raises(PrinterError, match=r"lp failed for job j \(exit 1\): lp: The printer or class does not exist"):
        printer.send(ZPL, job_id="j", fmt="zpl")


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
