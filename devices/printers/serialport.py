"""Printers on a serial line, opened with pyserial's `serial_for_url`."""

from __future__ import annotations

from urllib.parse import SplitResult

import serial

from devices.printers.base import Printer, PrinterError, boolean, query

# Query parameters passed on to pyserial, with their types.
_PARAMS = {
    "baudrate": int,
    "bytesize": int,
    "parity": str,
    "stopbits": float,
    "timeout": float,
    "write_timeout": float,
    "rtscts": boolean,
    "xonxoff": boolean,
    "dsrdtr": boolean,
}


class SerialPrinter(Printer):
    """Writes ZPL to a serial port, e.g. ``serial:///dev/ttyUSB0?baudrate=9600``; ``loop://`` for tests."""

    formats = frozenset({"zpl"})

    def __init__(self, url: str, port: serial.SerialBase) -> None:
        super().__init__(url)
        #: The open pyserial port (tests read a ``loop://`` port back through it).
        self.port = port

    @classmethod
    def from_url(cls, url: str, parts: SplitResult) -> "SerialPrinter":
        """``serial://<device>?...`` opens a device; pyserial's own URLs (``loop://``...) pass through."""
        params = query(url, parts.query, _PARAMS)
        params.setdefault("write_timeout", 10.0)
        if parts.scheme == "serial":
            target = parts.path or parts.netloc
        else:
            target = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if not target:
            raise PrinterError(f"{url}: no serial device")
        try:
            port = serial.serial_for_url(target, **params)
        except (serial.SerialException, ValueError) as exc:
            raise PrinterError(f"{url}: cannot open serial port: {exc}") from None
        return cls(url, port)

    def _send(self, data: bytes, job_id: str, fmt: str) -> None:
        if not self.port.is_open:
            raise PrinterError(f"{self.url}: printer is closed")
        try:
            self.port.write(data)
            self.port.flush()
        except serial.SerialTimeoutException:
            raise PrinterError(f"{self.url}: job {job_id} timed out writing to the port",
                               maybe_printed=True) from None
        except serial.SerialException as exc:
            raise PrinterError(f"{self.url}: job {job_id} failed: {exc}", maybe_printed=True) from None

    def close(self) -> None:
        """Close the serial port."""
        self.port.close()
