"""Scan framing: bytes from any transport → whole scans, apart from how the bytes arrive.

A scan ends at CR, LF or CRLF (an empty line between CR and LF is not a scan). A scanner
without a terminator can be framed by a pause instead (``idle_end``). A scan longer than
``max_length`` is refused whole, and a half scan left when the device goes away is reported,
never passed on as a shorter barcode. The GS1 group separator (ASCII 29) is kept; a
configured substitute (for scanners that cannot send it) is turned back into it.
"""
from __future__ import annotations

from dataclasses import dataclass

GS = "\x1d"


@dataclass(frozen=True)
class Scan:
    """One scan: its text, or an error saying why there is none."""

    text: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        """True when the scan has text and no error."""
        return not self.error


class Framer:
    """Cuts a byte stream into scans."""

    def __init__(self, max_length: int = 4096, gs_substitute: str = "", idle_end: bool = False):
        self.max_length = max_length
        self.gs_substitute = gs_substitute
        self.idle_end = idle_end
        self._buf = bytearray()
        self._overflow = 0

    @property
    def partial(self) -> bool:
        """True while part of a scan is buffered."""
        return bool(self._buf) or bool(self._overflow)

    def feed(self, data: bytes) -> list[Scan]:
        """Add bytes; returns the scans they complete."""
        scans: list[Scan] = []
        for byte in data:
            if byte in (10, 13):
                scan = self._finish()
                if scan is not None:
                    scans.append(scan)
                continue
            if self._overflow:
                self._overflow += 1
            elif len(self._buf) >= self.max_length:
                self._overflow = len(self._buf) + 1
                self._buf.clear()
            else:
                self._buf.append(byte)
        return scans

    def idle(self) -> list[Scan]:
        """The line went quiet: with ``idle_end`` a buffered scan is complete."""
        if self.idle_end and self.partial:
            scan = self._finish()
            return [scan] if scan is not None else []
        return []

    def disconnect(self) -> list[Scan]:
        """The device went away: a buffered half scan is reported and dropped."""
        if not self.partial:
            return []
        size = self._overflow or len(self._buf)
        self._buf.clear()
        self._overflow = 0
        return [Scan(error=f"incomplete scan ({size} bytes) dropped: the scanner disconnected; scan again")]

    def _finish(self) -> Scan | None:
        if self._overflow:
            size, self._overflow = self._overflow, 0
            return Scan(error=f"barcode too long ({size} bytes; at most {self.max_length}): refused")
        if not self._buf:
            return None
        raw = bytes(self._buf)
        self._buf.clear()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Scan(error=f"unreadable scan ({len(raw)} bytes that are not text): check the scanner's settings")
        if self.gs_substitute:
            text = text.replace(self.gs_substitute, GS)
        return Scan(text=text)
