"""What every printer driver shares: the Printer interface, its error and URL query helpers."""

from __future__ import annotations

from typing import Callable, Mapping
from urllib.parse import parse_qsl

FORMATS = frozenset({"zpl", "pdf"})


class PrinterError(Exception):
    """A print job could not be delivered; the message is one line.

    ``maybe_printed`` is True when some or all of the job may have reached the printer before
    the error (a timeout after the spooler took it, a connection lost mid-send): sending it
    again could print the label twice, so it must wait for a person to decide.
    """

    def __init__(self, message: str, *, maybe_printed: bool = False) -> None:
        super().__init__(" ".join(str(message).split()))
        self.maybe_printed = maybe_printed


class Printer:
    """A destination for print jobs; subclasses implement `_send` for one transport."""

    #: The job formats this transport accepts.
    formats: frozenset[str] = FORMATS

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, data: bytes, *, job_id: str, fmt: str) -> None:
        """Deliver one job; raises PrinterError when it cannot."""
        if fmt not in FORMATS:
            raise PrinterError(f"{self.url}: unknown job format {fmt!r}; use zpl or pdf")
        if fmt not in self.formats:
            raise PrinterError(f"{self.url}: this printer takes {', '.join(sorted(self.formats))}, not {fmt}")
        if not job_id or any(not c.isprintable() for c in job_id):
            raise PrinterError(f"{self.url}: job id {job_id!r} must be printable and not empty")
        if not isinstance(data, (bytes, bytearray)):
            raise PrinterError(f"{self.url}: job {job_id} data must be bytes")
        self._send(bytes(data), job_id, fmt)

    def _send(self, data: bytes, job_id: str, fmt: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release the transport; sending afterwards is an error."""

    def __enter__(self) -> "Printer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"


def query(url: str, raw: str, types: Mapping[str, Callable[[str], object]]) -> dict[str, object]:
    """Query parameters converted by `types`; unknown names and bad values are PrinterErrors."""
    out: dict[str, object] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        convert = types.get(name)
        if convert is None:
            known = ", ".join(types) or "none"
            raise PrinterError(f"{url}: unknown parameter {name!r} (known: {known})")
        try:
            out[name] = convert(value)
        except ValueError:
            raise PrinterError(f"{url}: bad value {value!r} for {name}") from None
    return out


def boolean(value: str) -> bool:
    """A query-string flag: 1/true/yes/on or 0/false/no/off."""
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)
