"""A scanner fed by the test or the demo: ``feed(bytes)`` as if the device had sent them."""
from __future__ import annotations

import queue

from devices.scanners.base import Scanner
from devices.scanners.framing import Framer, Scan

_GONE = object()


class MemoryScanner(Scanner):
    """``memory://``: bytes pushed with `feed` are framed like any device's."""

    def __init__(self, url: str = "memory://", framer: Framer | None = None):
        super().__init__(url, framer)
        self._chunks: queue.Queue = queue.Queue()

    def feed(self, data: bytes) -> None:
        """Bytes from the pretend device."""
        self._chunks.put(bytes(data))

    def scan(self, text: str) -> None:
        """One whole scan with its CR."""
        self.feed(text.encode() + b"\r")

    def unplug(self) -> None:
        """The pretend device goes away (a half scan in the buffer is dropped and reported)."""
        self._chunks.put(_GONE)

    def read(self, timeout: float = 0.2) -> list[Scan]:
        """Scans completed by what was fed."""
        try:
            chunk = self._chunks.get(timeout=timeout)
        except queue.Empty:
            return self.framer.idle()
        scans: list[Scan] = []
        while True:
            scans += self.framer.disconnect() if chunk is _GONE else self.framer.feed(chunk)
            try:
                chunk = self._chunks.get_nowait()
            except queue.Empty:
                return scans
