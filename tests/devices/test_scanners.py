"""Scanner drivers: framing from plain bytes, loop:// and socat pseudo-terminals, HID recordings."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from devices.scanners import Framer, Scan, ScannerError, open_scanner
from devices.scanners.keymap import Decoder

FIXTURES = Path(__file__).parent.parent / "fixtures"


def read_all(scanner, until, timeout=10.0):
    """Read scans until ``until(scans)``; fail after ``timeout`` seconds."""
    scans: list[Scan] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scans += scanner.read(0.05)
        if until(scans):
            return scans
    raise AssertionError(f"got only {scans}")


# --- framing ------------------------------------------------------------------------------------

def test_cr_lf_and_crlf_all_end_a_scan():
    framer = Framer()
    data = (FIXTURES / "serial" / "mixed-terminators.bin").read_bytes()
    assert [s.text for s in framer.feed(data)] == ["OP-17", "WO-2026-0001", "S01-261121-0007", "Q:12.5"]


def test_bytes_split_anywhere_give_the_same_scans():
    data = (FIXTURES / "serial" / "mixed-terminators.bin").read_bytes()
    for cut in range(len(data)):
        framer = Framer()
        assert [s.text for s in framer.feed(data[:cut]) + framer.feed(data[cut:])][-1] == "Q:12.5"


def test_gs_is_kept_and_a_substitute_becomes_gs():
    assert Framer().feed((FIXTURES / "serial" / "gs1-with-gs.bin").read_bytes())[0].text.count("\x1d") == 1
    assert Framer(gs_substitute="~").feed(b"0109501101530003~10AB\r")[0].text == "0109501101530003\x1d10AB"


def test_too_long_barcode_is_refused_whole_and_the_next_scan_is_fine():
    scans = Framer(max_length=100).feed(b"x" * 10_000 + b"\rOP-17\r")
    assert scans[0].error == "barcode too long (10000 bytes; at most 100): refused"
    assert scans[1] == Scan("OP-17")


def test_garbage_bytes_are_refused_and_the_next_scan_is_fine():
    scans = Framer().feed((FIXTURES / "serial" / "garbage.bin").read_bytes())
    assert "unreadable" in scans[0].error or "too long" in scans[0].error
    assert scans[-1] == Scan("OP-17")


def test_half_line_at_disconnect_is_reported_not_passed_on():
    framer = Framer()
    assert framer.feed(b"OP-17\rWO-20") == [Scan("OP-17")]
    assert "incomplete scan (5 bytes)" in framer.disconnect()[0].error
    assert framer.disconnect() == []


def test_without_terminator_a_pause_ends_the_scan():
    framer = Framer(idle_end=True)
    assert framer.feed(b"OP-17") == []
    assert framer.idle() == [Scan("OP-17")]


# --- serial -----------------------------------------------------------------------------------------

def test_loop_port_delivers_scans():
    scanner = open_scanner("loop://?baudrate=115200")
    scanner.port.write(b"OP-17\r\nWO-1\n")
    assert [s.text for s in read_all(scanner, lambda s: len(s) == 2)] == ["OP-17", "WO-1"]
    scanner.close()


def test_serial_url_errors_are_one_line():
    with pytest.raises(ScannerError, match="unknown parameter 'speed'"):
        open_scanner("loop://?speed=9600")
    with pytest.raises(ScannerError, match="cannot open /dev/does-not-exist"):
        open_scanner("serial:///dev/does-not-exist")
    with pytest.raises(ScannerError, match="unknown scanner scheme"):
        open_scanner("bluetooth://x")


def _socat(link: Path, other: Path) -> subprocess.Popen:
    proc = subprocess.Popen(["socat", f"PTY,link={link},raw,echo=0", f"PTY,link={other},raw,echo=0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while not (link.exists() and other.exists()):
        assert time.monotonic() < deadline, "socat did not create the pseudo-terminals"
        time.sleep(0.02)
    return proc


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat is not installed")
def test_serial_scanner_survives_unplug_and_replug(tmp_path):
    device, host = tmp_path / "ttyScanner", tmp_path / "ttyHost"
    socat = _socat(device, host)
    scanner = open_scanner(f"serial://{device}?baudrate=9600&reopen=0.1")
    with open(host, "wb", buffering=0) as fh:
        fh.write(b"OP-17\r\nWO-2")
        assert read_all(scanner, lambda s: len(s) == 1) == [Scan("OP-17")]
        time.sleep(0.2)
    socat.terminate()  # unplugged mid-barcode
    socat.wait(5)
    scans = read_all(scanner, lambda s: any(x.error for x in s))
    assert "incomplete scan" in scans[-1].error and not scanner.connected
    socat = _socat(device, host)  # plugged back in
    try:
        read_all(scanner, lambda s: scanner.connected)
        with open(host, "wb", buffering=0) as fh:
            fh.write(b"WO-2026-0001\r\n")
            assert read_all(scanner, lambda s: len(s) == 1) == [Scan("WO-2026-0001")]
    finally:
        scanner.close()
        socat.terminate()
        socat.wait(5)


# --- HID keyboard wedge --------------------------------------------------------------------------

def _expected(path: Path) -> list[str]:
    for line in path.read_text().splitlines():
        if line.startswith("# expect: "):
            return json.loads(line[len("# expect: "):])
    raise AssertionError(f"{path} has no expect line")


@pytest.mark.parametrize("layout", ["us", "de", "fr"])
def test_recorded_hid_scans_decode_with_their_layout(layout):
    path = FIXTURES / "hid" / f"scanner-{layout}.jsonl"
    scanner = open_scanner(f"hid+replay://{path}?layout={layout}")
    scans = scanner.read(0.1)
    assert [s.text for s in scans] == _expected(path)


def test_the_wrong_layout_garbles_azerty_digits():
    path = FIXTURES / "hid" / "scanner-fr.jsonl"
    scans = open_scanner(f"hid+replay://{path}?layout=us").read(0.1)
    assert scans[0].text != "OP-17"


def test_unplugged_hid_scanner_reports_the_half_scan():
    path = FIXTURES / "hid" / "unplugged-us.jsonl"
    scans = open_scanner(f"hid+replay://{path}").read(0.1)
    assert scans[0] == Scan("OP-17") and "incomplete scan" in scans[1].error


def test_decoder_modifiers_capslock_and_gs_key():
    d = Decoder("us", gs_key="F8")
    text = "".join(d.feed(1, c, v) for c, v in [(58, 1), (58, 0), (30, 1), (30, 0), (42, 1), (30, 1), (30, 0), (42, 0),
                                                 (66, 1), (66, 0), (29, 1), (27, 1), (27, 0), (29, 0), (28, 1)])
    assert text == "Aa\x1d\x1d\r"
    de = Decoder("de")
    assert "".join(de.feed(1, c, v) for c, v in [(100, 1), (16, 1), (16, 0), (100, 0)]) == "@"


def test_hid_device_that_is_not_there_is_a_clear_error():
    with pytest.raises(ScannerError, match="cannot open /dev/input/no-such-scanner"):
        open_scanner("hid:///dev/input/no-such-scanner?layout=de")
    with pytest.raises(ScannerError, match="layout must be one of us, de, fr"):
        open_scanner("hid:///dev/input/x?layout=dvorak")


def test_stdin_scanner_reads_lines_from_a_pipe():
    from devices.scanners.stdin import StdinScanner

    r, w = os.pipe()
    scanner = StdinScanner(fd=r)
    os.write(w, b"OP-17\nWO-1\n")
    assert [s.text for s in read_all(scanner, lambda s: len(s) == 2)] == ["OP-17", "WO-1"]
    os.write(w, b"WO-")
    os.close(w)
    assert "incomplete" in read_all(scanner, lambda s: len(s) == 1)[0].error
    os.close(r)
