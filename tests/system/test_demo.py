"""`shopfloor demo` as a user runs it: everything starts, the shift lands in stock, Ctrl-C stops it."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.system


def _demo(tmp_path, port, mqtt_port):
    return subprocess.Popen([sys.executable, "-m", "shopfloor.cli", "demo", "--port", str(port), "--mqtt-port",
                             str(mqtt_port), "--data-dir", str(tmp_path / "demo")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _until_running(proc) -> list[str]:
    lines = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if line.startswith("running;"):
            return lines
    proc.kill()
    raise AssertionError("demo did not reach 'running':\n" + "\n".join(lines))


def test_demo_replays_a_shift_and_stops_on_ctrl_c(tmp_path):
    port, mqtt_port = free_port(), free_port()
    proc = _demo(tmp_path, port, mqtt_port)
    lines = _until_running(proc)
    text = "\n".join(lines)
    assert f"central web: http://127.0.0.1:{port}/" in text
    assert "first login: admin / " in text
    assert "events waiting at the station: 0, rejected: 0" in text
    assert " error " not in text, text
    stock = lines[lines.index("stock on hand:") + 1:-1]
    assert stock and "(none)" not in stock[0]
    rows = {line.split()[0]: line.split() for line in stock[1:]}
    assert rows["FG-COOKIE"][3:5] == ["100", "pcs"]  # the main output of the shift, at FG
    assert rows["FG-COOKIE"][2] == "FG" and float(rows["FG-COOKIE"][5]) > 0  # it carries the inputs' cost
    assert {"RM-FLOUR", "RM-SUGAR", "PK-BOX", "BY-CRUMBS"} <= set(rows)  # leftovers after backflush, by-product
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    labels = list((tmp_path / "demo" / "labels").glob("*.zpl"))
    assert len(labels) >= 2
    again = _demo(tmp_path, port, mqtt_port)  # the second run reuses the database: stock grows
    more = _until_running(again)
    assert len(more[more.index("stock on hand:") + 1:-1]) > len(stock)
    again.send_signal(signal.SIGINT)
    assert again.wait(30) == 0


def test_demo_on_a_taken_port_is_one_line_and_non_zero(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "shopfloor.cli", "demo", "--port", str(port), "--mqtt-port",
                               str(free_port()), "--data-dir", str(tmp_path / "demo")],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [f"shopfloor: error: cannot listen on 127.0.0.1:{port}: Address already in use"]
