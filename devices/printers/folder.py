"""Printing to a folder: one file a job, named after the job id, written atomically."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import SplitResult, unquote

from devices.printers.base import Printer, PrinterError, query

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class FolderPrinter(Printer):
    """Writes ``<job id>.zpl`` / ``.pdf`` into a folder, e.g. ``file:///var/lib/shopfloor/labels``."""

    def __init__(self, url: str, folder: Path) -> None:
        super().__init__(url)
        self.folder = folder

    @classmethod
    def from_url(cls, url: str, parts: SplitResult) -> "FolderPrinter":
        """A printer for ``file:///absolute/folder``; the folder is created when missing."""
        query(url, parts.query, {})
        if parts.netloc not in ("", "localhost"):
            raise PrinterError(f"{url}: only local folders are supported")
        path = unquote(parts.path)
        if not path:
            raise PrinterError(f"{url}: no folder")
        folder = Path(path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PrinterError(f"{url}: cannot create {folder}: {exc.strerror}") from None
        return cls(url, folder)

    def path_for(self, job_id: str, fmt: str) -> Path:
        """Where a job lands."""
        if not _SAFE_ID.fullmatch(job_id):
            raise PrinterError(f"{self.url}: job id {job_id!r} is not a safe file name (letters, digits, . _ -)")
        return self.folder / f"{job_id}.{fmt}"

    def _send(self, data: bytes, job_id: str, fmt: str) -> None:
        target = self.path_for(job_id, fmt)
        # Write beside the target and rename, so a reader never sees half a job
        # and a retried job id replaces its earlier file.
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{job_id}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise PrinterError(f"{self.url}: cannot write {target.name}: {exc.strerror}") from None
