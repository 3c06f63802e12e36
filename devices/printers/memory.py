"""A printer that keeps its jobs in a list, for tests."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult

from devices.printers.base import Printer, PrinterError, query


@dataclass(frozen=True, slots=True)
class Job:
    """One job as it was sent."""

    job_id: str
    fmt: str
    data: bytes


class MemoryPrinter(Printer):
    """``memory://``: every job sent is appended to `jobs`."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.jobs: list[Job] = []
        self.closed = False

    @classmethod
    def from_url(cls, url: str, parts: SplitResult) -> "MemoryPrinter":
        """A fresh, empty memory printer."""
        query(url, parts.query, {})
        return cls(url)

    def _send(self, data: bytes, job_id: str, fmt: str) -> None:
        if self.closed:
            raise PrinterError(f"{self.url}: printer is closed")
        self.jobs.append(Job(job_id, fmt, data))

    def close(self) -> None:
        """Refuse further jobs; the ones kept stay readable."""
        self.closed = True
