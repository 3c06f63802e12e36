"""Raw socket printers (Zebra port 9100): one connection a job, with timeouts."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import SplitResult

from devices.printers.base import Printer, PrinterError, query


@dataclass(frozen=True, slots=True)
class TcpSettings:
    """Where the printer listens and how long to wait for it."""

    host: str
    port: int = 9100
    connect_timeout: float = 5.0
    timeout: float = 10.0


class TcpPrinter(Printer):
    """Sends ZPL over a raw TCP socket, e.g. ``zpl+tcp://10.0.0.5:9100?timeout=10``."""

    formats = frozenset({"zpl"})

    def __init__(self, url: str, settings: TcpSettings) -> None:
        super().__init__(url)
        self.settings = settings

    @classmethod
    def from_url(cls, url: str, parts: SplitResult) -> "TcpPrinter":
        """A printer for ``zpl+tcp://host[:port][?connect_timeout=s&timeout=s]``."""
        if not parts.hostname:
            raise PrinterError(f"{url}: no host")
        try:
            port = parts.port or 9100
        except ValueError:
            raise PrinterError(f"{url}: bad port") from None
        params = query(url, parts.query, {"connect_timeout": float, "timeout": float})
        return cls(url, TcpSettings(parts.hostname, port, **params))

    def _send(self, data: bytes, job_id: str, fmt: str) -> None:
        s = self.settings
        # A connection a job: printers drop idle sockets, and a fresh one fails fast.
        try:
            conn = socket.create_connection((s.host, s.port), timeout=s.connect_timeout)
        except OSError as exc:
            raise PrinterError(f"{self.url}: printer unreachable: {exc.strerror or exc}") from None
        try:
            conn.settimeout(s.timeout)
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        except OSError as exc:
            # Connected: some of the job may have reached the printer, which prints what it got.
            raise PrinterError(f"{self.url}: sending job {job_id} failed: {exc.strerror or exc}",
                               maybe_printed=True) from None
        finally:
            conn.close()
