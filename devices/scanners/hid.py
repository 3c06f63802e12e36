"""USB-HID keyboard-wedge scanners through python-evdev, grabbed exclusively.

    hid:///dev/input/by-id/usb-Scanner-event-kbd?layout=de&gs_key=F8&reopen=1
    hid+replay:///path/to/recording.jsonl?layout=fr     recorded events, for tests and benches

A grabbed device types nowhere else (not into the console, not into another window). Key
events are decoded with the configured layout (see ``keymap``); Enter ends a scan.
"""
from __future__ import annotations

import json
import select
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from devices.scanners.base import Scanner, ScannerError, wait_or_reopen
from devices.scanners.framing import Framer, Scan
from devices.scanners.keymap import LAYOUTS, Decoder

_PARAMS = {"layout": str, "gs_key": str, "gs": str, "reopen": float, "grab": str}


def _options(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    options: dict = {"layout": "us", "gs_key": "", "gs": "", "reopen": 1.0, "grab": "1"}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in _PARAMS:
            raise ScannerError(f"{url}: unknown parameter {name!r} (known: {', '.join(_PARAMS)})")
        try:
            options[name] = _PARAMS[name](value)
        except ValueError:
            raise ScannerError(f"{url}: bad value {value!r} for {name}") from None
    if options["layout"] not in LAYOUTS:
        raise ScannerError(f"{url}: layout must be one of {', '.join(LAYOUTS)}")
    path = unquote(parts.path)
    if not path:
        raise ScannerError(f"{url}: no device path")
    return path, options


class HidScanner(Scanner):
    """A keyboard-wedge scanner: key events from an evdev device, decoded with a layout."""

    def __init__(self, url: str, max_length: int = 4096):
        self.path, self.options = _options(url)
        super().__init__(url, Framer(max_length, self.options["gs"]))
        self.decoder = Decoder(self.options["layout"], self.options["gs_key"])
        self.device = None
        self._next_try = 0.0
        error = self._open()
        if error:
            raise ScannerError(f"{url}: cannot open {self.path}: {error}")

    def _open(self) -> str:
        try:
            import evdev
        except ImportError:
            return "python-evdev is not installed (pip install evdev)"
        try:
            device = evdev.InputDevice(self.path)
            if self.options["grab"] not in ("0", "false", "no"):
                device.grab()
        except OSError as exc:
            self._next_try = time.monotonic() + self.options["reopen"]
            return exc.strerror or str(exc)
        self.device = device
        self.decoder = Decoder(self.options["layout"], self.options["gs_key"])
        return ""

    @property
    def connected(self) -> bool:
        """True while the device is open."""
        return self.device is not None

    def read(self, timeout: float = 0.2) -> list[Scan]:
        """Scans typed within ``timeout``; an unplugged device is reopened when it comes back."""
        if self.device is None:
            wait_or_reopen(self._next_try, timeout, self._open)
            return []
        try:
            ready, _, _ = select.select([self.device.fd], [], [], timeout)
            if not ready:
                return []
            text = "".join(self.decoder.feed(e.type, e.code, e.value) for e in self.device.read())
        except OSError:
            self.close()
            return self.framer.disconnect()
        return self.framer.feed(text.encode())

    def close(self) -> None:
        """Release the grab and the device."""
        if self.device is not None:
            try:
                self.device.ungrab()
            except OSError:
                pass
            try:
                self.device.close()
            except OSError:
                pass
        self.device = None
        self._next_try = time.monotonic() + self.options["reopen"]


def read_recording(path: str | Path) -> Iterator[tuple[int, int, int]]:
    """Events of a recording: JSON lines ``[type, code, value]`` (comments start with #)."""
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            type_, code, value = json.loads(line)
            yield int(type_), int(code), int(value)


class ReplayScanner(Scanner):
    """``hid+replay://``: a recorded evdev event stream decoded like a live device; ends like an unplug."""

    def __init__(self, url: str, max_length: int = 4096):
        path, options = _options(url)
        super().__init__(url, Framer(max_length, options["gs"]))
        if not Path(path).is_file():
            raise ScannerError(f"{url}: no recording at {path}")
        self.decoder = Decoder(options["layout"], options["gs_key"])
        self._events = read_recording(path)
        self._done = False

    @property
    def connected(self) -> bool:
        """False once the recording ran out."""
        return not self._done

    def read(self, timeout: float = 0.2) -> list[Scan]:
        """Everything in the recording, then (once) the unplug."""
        if self._done:
            time.sleep(timeout)
            return []
        self._done = True
        text = "".join(self.decoder.feed(*event) for event in self._events)
        return self.framer.feed(text.encode()) + self.framer.disconnect()
