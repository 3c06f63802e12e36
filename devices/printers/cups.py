"""CUPS queues through the `lp` command: raw for ZPL, filtered for PDF.

lp exits with an error only when CUPS did not take the job; a job lp was given and did not
finish with in time may still be queued, so it is reported as possibly printed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote

from devices.printers.base import Printer, PrinterError, query


@dataclass(frozen=True, slots=True)
class CupsSettings:
    """The queue, the `lp` binary to run, the CUPS server (empty: lp's default) and how long it may take."""

    queue: str
    lp: str = "lp"
    server: str = ""
    timeout: float = 30.0


class CupsPrinter(Printer):
    """Submits jobs with ``lp -d Queue``, e.g. ``cups://Zebra_GK420?lp=/usr/bin/lp&server=10.0.0.2:631``."""

    def __init__(self, url: str, settings: CupsSettings) -> None:
        super().__init__(url)
        self.settings = settings

    @classmethod
    def from_url(cls, url: str, parts: SplitResult) -> "CupsPrinter":
        """A printer for ``cups://Queue[?lp=/path/to/lp&server=host:port&timeout=s]``."""
        queue = unquote(parts.netloc or parts.path.lstrip("/"))
        if not queue:
            raise PrinterError(f"{url}: no queue name")
        params = query(url, parts.query, {"lp": str, "server": str, "timeout": float})
        return cls(url, CupsSettings(queue, **params))

    def command(self, job_id: str, fmt: str) -> list[str]:
        """The `lp` command line for one job."""
        cmd = [self.settings.lp]
        if self.settings.server:
            cmd += ["-h", self.settings.server]
        cmd += ["-d", self.settings.queue, "-t", job_id]
        if fmt == "zpl":
            # ZPL is already the printer's language: CUPS must not filter it.
            cmd += ["-o", "raw"]
        return cmd

    def _send(self, data: bytes, job_id: str, fmt: str) -> None:
        try:
            done = subprocess.run(
                self.command(job_id, fmt), input=data, capture_output=True, timeout=self.settings.timeout
            )
        except FileNotFoundError:
            raise PrinterError(f"{self.url}: {self.settings.lp} not found") from None
        except PermissionError:
            raise PrinterError(f"{self.url}: {self.settings.lp} is not executable") from None
        except subprocess.TimeoutExpired:
            # lp had the job: CUPS may have queued it and print it yet.
            raise PrinterError(f"{self.url}: lp took longer than {self.settings.timeout:g} s; the label may "
                               "still print", maybe_printed=True) from None
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            raise PrinterError(
                f"{self.url}: lp failed for job {job_id} (exit {done.returncode}): {reason[0] if reason else 'no message'}"
            )
