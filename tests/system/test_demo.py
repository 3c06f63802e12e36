"""`shopfloor demo` as a user runs it: everything starts, the shift lands in stock, Ctrl-C stops it."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.system


def start_demo(tmp_path, port, mqtt_port):
    """``shopfloor demo`` with its data in ``tmp_path/demo``, its console piped."""
    return subprocess.Popen([sys.executable, "-m", "shopfloor.cli", "demo", "--port", str(port), "--mqtt-port",
                             str(mqtt_port), "--data-dir", str(tmp_path / "demo")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def until_running(proc) -> list[str]:
    """The console's lines up to "running;" (the shift is done); fails with them if it never gets there."""
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


def _stock(lines: list[str]) -> list[list[str]]:
    start = lines.index("stock on hand:") + 1
    end = next(n for n in range(start, len(lines)) if not lines[n].startswith("  "))
    return [line.split() for line in lines[start + 1:end]]


def _open_flags(tmp_path) -> int:
    from central.db import database, open_database
    from central.models import Flag

    open_database(f"sqlite:///{tmp_path / 'demo' / 'central.db'}")
    with database.connection_context():
        return Flag.select().count()


def test_demo_runs_a_shift_and_a_second_run_is_a_new_shift(tmp_path):
    port, mqtt_port = free_port(), free_port()
    proc = start_demo(tmp_path, port, mqtt_port)
    lines = until_running(proc)
    text = "\n".join(lines)
    assert f"central web: http://127.0.0.1:{port}/" in text
    assert f"live board: http://127.0.0.1:{port}/board" in text
    assert "first login: admin / " in text
    assert "replaying a shift on work order WO-DEMO-0001" in text
    assert "events waiting at the station: 0, rejected: 0" in text
    assert " error " not in text, text
    stock = _stock(lines)
    assert stock and "(none)" not in stock[0]
    rows = {row[0]: row for row in stock}
    assert rows["FG-COOKIE"][3:5] == ["60", "pcs"]  # the main output of the shift, at FG, less what was shipped
    assert "dispatched: 40 pcs of batch " in text and "to customer order ORDER-0001" in text
    assert "/dispatches/ORDER-0001/sscc-labels" in text
    assert rows["FG-COOKIE"][2] == "FG" and float(rows["FG-COOKIE"][5]) > 0  # it carries the inputs' cost
    assert {"RM-FLOUR", "RM-SUGAR", "PK-BOX", "BY-CRUMBS"} <= set(rows)  # leftovers after backflush, by-product
    # the console says why sugar and boxes went down though only flour was scanned in
    assert "backflushed:" in text and "1 kg RM-SUGAR" in text and "5 pcs PK-BOX" in text
    # the mixer broke down at the station: a work order, repaired by the technician's scans, with its failure code
    assert "maintenance: MWO-000001 breakdown on MIXER-1, done: Breakdown: MIXER-1 down, DT-JAM (failure F-BEARING)" in text
    # 100 cycles reported: the lubrication every 80 cycles came due during the shift
    assert "maintenance: MWO-000002 preventive on MIXER-1, assigned: Lubricate the mixer" in text
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0
    labels = list((tmp_path / "demo" / "labels").glob("*.zpl"))
    assert len(labels) >= 2
    flags = _open_flags(tmp_path)

    again = start_demo(tmp_path, port, mqtt_port)  # the second run reuses the database: a new shift
    more = until_running(again)
    again.send_signal(signal.SIGINT)
    assert again.wait(30) == 0
    assert "replaying a shift on work order WO-DEMO-0002" in "\n".join(more)
    assert "events waiting at the station: 0, rejected: 0" in more
    cookies = [row for row in _stock(more) if row[0] == "FG-COOKIE"]
    assert len(cookies) == 2 and all(row[3] == "60" for row in cookies)
    assert rows["FG-COOKIE"] in cookies  # the first shift's cookies: same batch, same value
    assert _open_flags(tmp_path) == flags  # nothing of the first shift happened twice


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
