"""Serial scanners (USB CDC-ACM, RS-232, ``loop://``) through pyserial, reopened after an unplug.

    serial:///dev/ttyACM0?baudrate=9600&eol=auto&gs=~&reopen=1
    loop://                      pyserial's loopback, for tests (write to ``scanner.port``)

``eol=none`` frames a scan by a pause of ``idle`` seconds instead of a terminator.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit

import serial

from devices.scanners.base import Scanner, ScannerError, wait_or_reopen
from devices.scanners.framing import Framer, Scan

_PARAMS = {"baudrate": int, "eol": str, "gs": str, "reopen": float, "idle": float, "max_length": int}


def parse_serial_url(url: str) -> tuple[str, dict]:
    """(pyserial port name or URL, options) from a scanner URL."""
    parts = urlsplit(url)
    options: dict = {"baudrate": 9600, "eol": "auto", "gs": "", "reopen": 1.0, "idle": 0.1, "max_length": 4096}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in _PARAMS:
            raise ScannerError(f"{url}: unknown parameter {name!r} (known: {', '.join(_PARAMS)})")
        try:
            options[name] = _PARAMS[name](value)
        except ValueError:
            raise ScannerError(f"{url}: bad value {value!r} for {name}") from None
    if options["eol"] not in ("auto", "none"):
        raise ScannerError(f"{url}: eol must be auto (CR, LF or CRLF) or none (a pause ends a scan)")
    if parts.scheme == "serial":
        if not parts.path:
            raise ScannerError(f"{url}: no device path, e.g. serial:///dev/ttyACM0")
        return parts.path, options
    return url.split("?", 1)[0], options


class SerialScanner(Scanner):
    """A scanner on a serial port; survives the device going away and coming back."""

    def __init__(self, url: str, max_length: int | None = None):
        self.port_name, self.options = parse_serial_url(url)
        framer = Framer(max_length or self.options["max_length"], self.options["gs"], self.options["eol"] == "none")
        super().__init__(url, framer)
        self.port: serial.SerialBase | None = None
        self._next_try = 0.0
        self._open()
        if self.port is None:
            raise ScannerError(f"{url}: cannot open {self.port_name}: {self._last_error}")

    def _open(self) -> None:
        self._last_error = ""
        try:
            self.port = serial.serial_for_url(self.port_name, baudrate=self.options["baudrate"],
                                              timeout=self.options["idle"])
        except (serial.SerialException, OSError, ValueError) as exc:
            self.port = None
            self._last_error = str(exc)
            self._next_try = time.monotonic() + self.options["reopen"]

    @property
    def connected(self) -> bool:
        """True while the port is open."""
        return self.port is not None

    def read(self, timeout: float = 0.2) -> list[Scan]:
        """Scans that arrived; a vanished device is closed and retried every ``reopen`` seconds."""
        if self.port is None:
            wait_or_reopen(self._next_try, timeout, self._open)
            return []
        try:
            self.port.timeout = min(timeout, self.options["idle"]) if self.framer.partial else timeout
            data = self.port.read(self.port.in_waiting or 1)
        except (serial.SerialException, OSError) as exc:
            self._last_error = str(exc)
            self._drop()
            return self.framer.disconnect()
        if not data:
            return self.framer.idle()
        return self.framer.feed(data)

    def _drop(self) -> None:
        try:
            if self.port is not None:
                self.port.close()
        except (serial.SerialException, OSError):
            pass
        self.port = None
        self._next_try = time.monotonic() + self.options["reopen"]

    def close(self) -> None:
        """Close the port."""
        self._drop()
