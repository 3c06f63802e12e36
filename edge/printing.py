"""The print spooler: renders queued labels and sends each job to the printer at most once.

Jobs come from the outbox (stored with the event that caused them). A job is claimed before
it is sent. Once bytes may have reached the printer the job is ``uncertain``, and only an
explicit reprint repeats it, so a retry never prints a label twice: when the driver says so
(a timeout after lp took the job, a connection lost mid-send) and when the process died
mid-send (found at the next start). A printer that refuses a job before taking any of it
(unreachable, lp refused it) gets it again every ``retry_seconds``.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from devices.printers import Printer, PrinterError
from edge.outbox import Outbox, PrintJob

log = logging.getLogger("shopfloor.edge.printing")


class Spooler:
    """A thread that drains pending print jobs to one printer."""

    def __init__(self, outbox: Outbox, printer: Printer, *, fmt: str = "zpl", dpi: int = 203,
                 retry_seconds: float = 5.0, on_printed: Callable[[PrintJob], None] | None = None,
                 on_error: Callable[[PrintJob, str], None] | None = None):
        self.outbox, self.printer = outbox, printer
        self.fmt, self.dpi, self.retry_seconds = fmt, dpi, retry_seconds
        self.on_printed, self.on_error = on_printed, on_error
        self.last_error = ""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._templates: dict = {}

    def start(self) -> "Spooler":
        """Start the spooler thread."""
        self._thread = threading.Thread(target=self._run, name="edge-printing", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Finish the job in hand and stop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def kick(self) -> None:
        """New jobs are queued."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            failed = self.drain()
            self._wake.wait(self.retry_seconds if failed else 1.0)
            self._wake.clear()

    def drain(self) -> bool:
        """Send every pending job once; True if one failed and should be retried later."""
        for job in self.outbox.jobs("pending", limit=100):
            if self._stop.is_set():
                return False
            if not self.print_one(job):
                return True
        return False

    def render(self, job: PrintJob) -> bytes:
        """The job's bytes in the printer's format."""
        from labels import load_template

        template = self._templates.get(job.template)
        if template is None:
            template = self._templates[job.template] = load_template(job.template)
        if self.fmt == "zpl":  # the usual case: the PDF and PNG libraries are never loaded on the station
            from labels.layout import layout
            from labels.zpl import render as render_zpl

            return render_zpl(layout(template, job.fields, self.dpi))
        from labels import render

        return render(template, job.fields, fmt=self.fmt, dpi=self.dpi)

    def print_one(self, job: PrintJob) -> bool:
        """Render and send one job; False when the printer failed (the job stays pending)."""
        from labels import LabelError

        try:
            data = self.render(job)
        except (LabelError, OSError) as exc:
            # The label itself is wrong: printing it again would not help. Keep it visible.
            self.outbox.job_broken(job.job_id, f"label cannot be rendered: {exc}")
            self._report(job, f"label for {job.batch} cannot be rendered: {exc}")
            return True
        if not self.outbox.claim_job(job.job_id):
            return True
        try:
            self.printer.send(data, job_id=job.job_id, fmt=self.fmt)
        except PrinterError as exc:
            if exc.maybe_printed:
                # Bytes may have reached the printer: sending again could print it twice.
                self.outbox.job_uncertain(job.job_id, str(exc))
                self._report(job, f"label for {job.batch} may not have printed ({exc}): reprint it if it is missing")
                return True
            self.outbox.job_failed(job.job_id, str(exc))
            self._report(job, f"printer: {exc}")
            return False
        self.outbox.job_done(job.job_id)
        if job.reprint:
            self.outbox.settle_uncertain(job.batch)
        self.last_error = ""
        if self.on_printed:
            self.on_printed(job)
        return True

    def _report(self, job: PrintJob, message: str) -> None:
        self.last_error = message
        log.warning("%s (job %s)", message, job.job_id)
        if self.on_error:
            self.on_error(job, message)
