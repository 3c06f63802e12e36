"""A bench scanner: lines typed (or piped) on standard input."""
from __future__ import annotations

import os
import select
import sys

from devices.scanners.base import Scanner
from devices.scanners.framing import Framer, Scan


class StdinScanner(Scanner):
    """``stdin://``: each line on standard input is a scan."""

    def __init__(self, url: str = "stdin://", framer: Framer | None = None, fd: int | None = None):
        super().__init__(url, framer)
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._eof = False

    @property
    def connected(self) -> bool:
        """False once standard input was closed."""
        return not self._eof

    def read(self, timeout: float = 0.2) -> list[Scan]:
        """Lines completed within ``timeout``."""
        if self._eof:
            select.select([], [], [], timeout)
            return []
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return self.framer.idle()
        data = os.read(self.fd, 65536)
        if not data:
            self._eof = True
            return self.framer.disconnect()
        return self.framer.feed(data)
