"""Label printers chosen by URL, pyserial style: `open_printer(url).send(data, job_id=..., fmt=...)`.

    zpl+tcp://10.0.0.5:9100           raw socket (Zebra port 9100)
    cups://Queue_Name?lp=/usr/bin/lp  CUPS through lp (raw for ZPL)
    serial:///dev/ttyUSB0?baudrate=9600, loop://   pyserial
    file:///var/lib/shopfloor/labels  one file a job
    memory://                         jobs kept in a list, for tests
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import SplitResult, urlsplit

from devices.printers.base import FORMATS, Printer, PrinterError
from devices.printers.cups import CupsPrinter
from devices.printers.folder import FolderPrinter
from devices.printers.memory import Job, MemoryPrinter
from devices.printers.serialport import SerialPrinter
from devices.printers.tcp import TcpPrinter


@dataclass(frozen=True, slots=True)
class Driver:
    """A URL scheme and how to open a printer from a URL with it."""

    scheme: str
    open: Callable[[str, SplitResult], Printer]
    summary: str


#: Every scheme `open_printer` knows.
DRIVERS: dict[str, Driver] = {
    d.scheme: d
    for d in (
        Driver("zpl+tcp", TcpPrinter.from_url, "ZPL over a raw TCP socket"),
        Driver("cups", CupsPrinter.from_url, "a CUPS queue through lp"),
        Driver("serial", SerialPrinter.from_url, "ZPL on a serial port"),
        Driver("loop", SerialPrinter.from_url, "pyserial loopback port, for tests"),
        Driver("rfc2217", SerialPrinter.from_url, "serial port over RFC 2217"),
        Driver("file", FolderPrinter.from_url, "one file a job in a folder"),
        Driver("memory", MemoryPrinter.from_url, "jobs kept in memory, for tests"),
    )
}


def open_printer(url: str) -> Printer:
    """The printer a URL names; PrinterError when the URL is wrong or the device cannot be opened."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise PrinterError(f"{url}: not a URL: {exc}") from None
    driver = DRIVERS.get(parts.scheme.lower())
    if driver is None:
        raise PrinterError(f"{url}: unknown printer scheme; use one of {', '.join(DRIVERS)}")
    return driver.open(url, parts)


__all__ = ["DRIVERS", "FORMATS", "Driver", "Job", "MemoryPrinter", "Printer", "PrinterError", "open_printer"]
