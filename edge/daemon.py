"""The station daemon: scanners → interpretation → state machine → outbox → MQTT link, plus the
print spooler and the station screen.

A scan's result is committed to the outbox (fsynced) before the operator sees OK, so a
crash or ``systemctl stop`` right after never loses it. SIGTERM only sets a flag; the main
loop then stops the scanners, lets the spooler finish its job and closes the outbox.
"""
from __future__ import annotations

import dataclasses
import logging
import signal
import threading
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from devices.printers import Printer, PrinterError, open_printer
from devices.scanners import Scan, Scanner, ScannerError, open_scanner
from edge.cache import ConfigStore, StationConfig
from edge.contract import make_event
from edge.interpret import Patterns, interpret
from edge.link import Link, LinkError
from shopfloor.broker import BrokerError
from edge.machine import Context, Feedback, State, recheck, step
from edge.notify import notify, watchdog_interval
from edge.outbox import Outbox, PrintJob
from edge.printing import Spooler
from edge.screen import Board, Screen
from shopfloor.settings import SettingsError

log = logging.getLogger("shopfloor.edge")


class Station:
    """One station: owns the outbox, the state and the threads that feed and drain it."""

    def __init__(self, settings, *, scanners: list[Scanner] | None = None, printer: Printer | None = None,
                 clock=None):
        self.settings = settings
        self.site, self.code = settings["site.code"], settings["station.code"]
        self.data_dir = Path(settings["data_dir"])
        self.outbox = Outbox(self.data_dir / "outbox.db")
        self._lock = threading.RLock()
        self.store = ConfigStore(self.outbox, self.site, self.code, self._lock)
        self.state = State.from_dict(self.outbox.load_state())
        self.patterns = Patterns.from_settings(settings)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._stop = threading.Event()
        self.last: dict[str, Any] | None = None
        self.errors: deque[str] = deque(maxlen=8)
        self.scans_handled = 0
        self.final_depth = 0
        self.scanners = scanners if scanners is not None else [
            open_scanner(url.strip(), settings["scanner.max_length"])
            for url in settings["scanner.urls"].split(",") if url.strip()]
        url = settings["printer.url"] or f"file://{(self.data_dir / 'labels').resolve()}"
        self.printer = printer if printer is not None else open_printer(url)
        self.board = Board(self.view)
        self.link = Link(
            self.outbox, site=self.site, station=self.code, url=settings["mqtt.url"],
            username=settings["mqtt.username"], password=settings["mqtt.password"],
            client_id=settings["mqtt.client_id"], tls_ca=settings["mqtt.tls_ca"], tls_cert=settings["mqtt.tls_cert"],
            tls_key=settings["mqtt.tls_key"], tls_insecure=settings["mqtt.tls_insecure"],
            keepalive=settings["mqtt.keepalive"], reconnect_min=settings["mqtt.reconnect_min"],
            reconnect_max=settings["mqtt.reconnect_max"], batch_size=settings["sync.batch_size"],
            window=settings["sync.window"], ack_timeout=settings["sync.ack_timeout"],
            on_ack=self._on_ack, config=self.store, on_config=self._on_config,
            on_state=lambda online: self.board.changed())
        self.spooler = Spooler(self.outbox, self.printer, fmt=settings["printer.format"], dpi=settings["printer.dpi"],
                               retry_seconds=settings["printer.retry_seconds"], on_printed=self._on_printed,
                               on_error=lambda job, msg: self._error(msg))
        self.screen = (Screen(self.board, settings["screen.host"], settings["screen.port"])
                       if settings["screen.port"] else None)
        self._threads: list[threading.Thread] = []

    # --- scans ----------------------------------------------------------------------------

    @property
    def config(self) -> StationConfig:
        """The cached station config (parts from central, and the batches minted here)."""
        return self.store.view

    def context(self) -> Context:
        """What the state machine needs now."""
        s = self.settings
        return Context(site=self.site, station=self.code, kind=self.config.kind or s["station.kind"],
                       config=self.config, now=self.clock(), online=self.link.online,
                       unknown_batch=s["validate.unknown_batch"], not_in_recipe=s["validate.not_in_recipe"],
                       unknown_work_order=s["validate.unknown_work_order"], template=s["printer.template"],
                       goods_in_template=s["printer.goods_in_template"], label_url=s["labels.base_url"])

    def handle_scan(self, scan: Scan) -> Feedback:
        """One scan from any scanner: stored durably first, then shown."""
        if not scan.ok:
            return self._show(scan.text, Feedback("error", scan.error))
        return self.handle_text(scan.text)

    def handle_text(self, text: str) -> Feedback:
        """Interpret and apply one scan's text; returns what the operator is shown."""
        with self._lock:
            meaning = interpret(text, self.patterns, self.config.reason_codes(), self.config.item_codes())
            result = self._apply(step(self.state, meaning, self.context()))
            self.scans_handled += 1
            # The new state and the scan's message change together, so the screen never shows one without the other.
            self._show(text, result.feedback)
        return result.feedback

    def _apply(self, result):
        """Store a step's result (one outbox transaction) and remember the batches it minted."""
        if result.state != self.state or result.events or result.jobs:
            self.outbox.commit(result.state.to_dict(), result.events, result.jobs)
            self.state = result.state
            for event in result.events:
                if event.type in ("output.reported", "goods.received"):
                    self.store.remember_minted(event.data["batch"], event.data["item"], event.data.get("expiry"),
                                               event.at)
        if result.events:
            self.link.kick()
        if result.jobs:
            self.spooler.kick()
        return result

    def _show(self, text: str, feedback: Feedback) -> Feedback:
        with self._lock:
            self.last = {"scan": text[:80], "level": feedback.level, "message": feedback.message, "at": time.time()}
            if feedback.level == "error":
                self.errors.appendleft(feedback.message)
                log.info("scan refused: %s", feedback.message)
            self.board.changed()
        return feedback

    def _error(self, message: str) -> None:
        self.errors.appendleft(message)
        self.board.changed()

    # --- callbacks from the link and the spooler ---------------------------------------------------

    def _on_ack(self, accepted: list[str], rejected: list[dict]) -> None:
        for entry in rejected:
            self.errors.appendleft(f"central rejected {entry.get('id') or 'a message'}: {entry.get('error')}")
        self.board.changed()

    def _on_config(self) -> None:
        """A config part arrived: check the signed-in operator again against what it now says."""
        with self._lock:
            if self.state.operator is not None:
                result = recheck(self.state, self.context())
                if result is not None:
                    self._apply(result)
                    self._show("(config from central)", result.feedback)
                    return
        self.board.changed()

    def _on_printed(self, job: PrintJob) -> None:
        """A label came out: record it as an event (with the next seq, under the state lock)."""
        with self._lock:
            seq = self.state.seq + 1
            data: dict[str, Any] = {"batch": job.batch, "template": job.template, "copies": 1}
            if job.reprint:
                data["reprint"] = True
            event = make_event("label.printed", site=self.site, station=self.code, seq=seq, operator=self.state.operator,
                               data=data, at=self.clock())
            new_state = dataclasses.replace(self.state, seq=seq)
            self.outbox.commit(new_state.to_dict(), [event])
            self.state = new_state
        self.link.kick()
        self.board.changed()

    # --- the screen's view ----------------------------------------------------------------------

    def view(self) -> dict:
        """Everything the station screen shows: one consistent snapshot (state and last scan together)."""
        with self._lock:
            return self._view()

    def _view(self) -> dict:
        st = self.state
        jobs = self.outbox.job_counts()
        printer = self.spooler.last_error or (
            f"{jobs.get('pending', 0)} labels waiting" if jobs.get("pending") else
            f"{jobs.get('uncertain', 0)} labels uncertain: reprint if missing" if jobs.get("uncertain") else "")
        errors = list(self.errors)
        dead = self.outbox.dead_letters(5)
        errors += [f"rejected {d['type']} #{d['seq']}: {d['error']}" for d in dead]
        return {"station": self.code, "site": self.site, "online": self.link.online, "operator": st.operator,
                "work_order": st.work_order, "stage": st.stage, "stage_running": st.stage_running,
                "paused": st.paused, "machine_down": st.machine_down, "pending": st.pending,
                "last": self.last, "errors": errors[:10], "queue_depth": self.outbox.depth(),
                "dead_letters": self.outbox.dead_count(), "printer": printer,
                "config_received": self.config.received, "scans": self.scans_handled,
                "breakdown": self.config.breakdown(), "repair": st.repair,
                "blocks": self.config.blocks(self.clock())}

    # --- running --------------------------------------------------------------------------

    def _read_loop(self, scanner: Scanner) -> None:
        while not self._stop.is_set():
            try:
                scans = scanner.read(0.2)
            except Exception:  # a driver bug must not stop the station; log and go on
                log.exception("scanner %s failed", scanner.url)
                time.sleep(1)
                continue
            for scan in scans:
                try:
                    self.handle_scan(scan)
                except Exception:
                    log.exception("handling a scan failed")
                    self._error("internal error handling that scan: it was not recorded; scan again")

    def start(self) -> "Station":
        """Start the link, spooler, screen and one reader per scanner."""
        self.link.start()
        self.spooler.start()
        if self.screen is not None:
            self.screen.start()
        for scanner in self.scanners:
            t = threading.Thread(target=self._read_loop, args=(scanner,), name=f"scanner {scanner.url}", daemon=True)
            t.start()
            self._threads.append(t)
        log.info("station %s/%s running: %d scanner(s), printer %s, screen %s, outbox %d waiting",
                 self.site, self.code, len(self.scanners), self.printer.url,
                 f"http://{self.settings['screen.host']}:{self.screen.port}/" if self.screen else "off",
                 self.outbox.depth())
        return self

    def stop(self) -> None:
        """Stop reading scans, finish the print job in hand, disconnect and close the outbox."""
        self._stop.set()
        for t in self._threads:
            t.join(5)
        for scanner in self.scanners:
            scanner.close()
        self.spooler.stop()
        self.link.stop()
        if self.screen is not None:
            self.screen.stop()
        self.printer.close()
        self.store.flush()
        self.final_depth = self.outbox.depth()
        self.outbox.close()

    def run(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set, telling systemd when ready and pinging its watchdog."""
        self.start()
        notify("READY=1")
        interval = watchdog_interval()
        while not stop.wait(min(interval, 1.0) if interval else 1.0):
            if interval and all(t.is_alive() for t in self._threads):
                notify("WATCHDOG=1")
        notify("STOPPING=1")
        self.stop()


def run_daemon(settings) -> None:
    """``shopfloor edge run``: the station until SIGTERM or SIGINT (the handlers only set a flag)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        station = Station(settings)
    except (ScannerError, PrinterError, LinkError, BrokerError) as exc:
        raise SettingsError(str(exc)) from None
    station.run(stop)
    log.info("station stopped; %d events wait in the outbox", station.final_depth)
