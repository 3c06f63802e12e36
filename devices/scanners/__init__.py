"""Barcode scanners chosen by URL, pyserial style: ``open_scanner(url).read(timeout) -> [Scan]``.

    serial:///dev/ttyACM0?baudrate=9600     serial or USB CDC scanner (CR, LF or CRLF)
    loop://                                 pyserial loopback, for tests
    hid:///dev/input/by-id/...-event-kbd?layout=de   USB-HID keyboard wedge, grabbed
    hid+replay:///path/recording.jsonl      recorded HID events, for tests
    stdin://                                lines on standard input, for a bench
    memory://                               fed by the caller, for tests and the demo
"""
from __future__ import annotations

from urllib.parse import urlsplit

from devices.scanners.base import Scanner, ScannerError
from devices.scanners.framing import GS, Framer, Scan
from devices.scanners.hid import HidScanner, ReplayScanner
from devices.scanners.memory import MemoryScanner
from devices.scanners.serialport import SerialScanner
from devices.scanners.stdin import StdinScanner

SCHEMES = ("serial", "loop", "rfc2217", "hid", "hid+replay", "stdin", "memory")


def open_scanner(url: str, max_length: int = 4096) -> Scanner:
    """The scanner a URL names; ScannerError when the URL is wrong or the device cannot be opened."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("serial", "loop", "rfc2217"):
        return SerialScanner(url, max_length)
    if scheme == "hid":
        return HidScanner(url, max_length)
    if scheme == "hid+replay":
        return ReplayScanner(url, max_length)
    if scheme == "stdin":
        return StdinScanner(url, Framer(max_length))
    if scheme == "memory":
        return MemoryScanner(url, Framer(max_length))
    raise ScannerError(f"{url}: unknown scanner scheme; use one of {', '.join(SCHEMES)}")


__all__ = ["GS", "Framer", "MemoryScanner", "SCHEMES", "Scan", "Scanner", "ScannerError", "open_scanner"]
