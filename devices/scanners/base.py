"""What every scanner driver shares: the Scanner interface and its error."""
from __future__ import annotations

import time
from typing import Callable

from devices.scanners.framing import Framer, Scan


class ScannerError(Exception):
    """A scanner URL that cannot work, or a device that cannot be opened; one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class Scanner:
    """A source of scans. ``read`` waits up to ``timeout`` seconds and returns what arrived."""

    def __init__(self, url: str, framer: Framer | None = None):
        self.url = url
        self.framer = framer or Framer()

    def read(self, timeout: float = 0.2) -> list[Scan]:
        """Scans completed within ``timeout`` (possibly none); never raises for a device hiccup."""
        raise NotImplementedError

    @property
    def connected(self) -> bool:
        """True while the device is there."""
        return True

    def close(self) -> None:
        """Release the device."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"


def wait_or_reopen(next_try: float, timeout: float, reopen: Callable[[], object]) -> None:
    """While a device is away: sleep towards its next try (at most ``timeout``), or try to open it now."""
    wait = next_try - time.monotonic()
    if wait > 0:
        time.sleep(min(wait, timeout))
    else:
        reopen()
