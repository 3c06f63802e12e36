"""The board's live feed: one reader per web process, its changes sent to every open board as SSE.

Each web process (each gunicorn worker) runs one feed thread while someone watches. It waits
for the database to say that something was committed (``central.changes``: PostgreSQL
NOTIFY, SQLite ``data_version``), reads the board again (``central.board.read_board``, at most
every ``MIN_INTERVAL`` seconds, and every ``TIME_REFRESH`` seconds anyway since lateness moves
with the clock), renders only the rows that changed, and puts one encoded message on the queue
of every viewer. Nothing another process needs is kept here: a browser that reconnects to any
worker names the version it has (``Last-Event-ID``) and gets the whole board again unless that
worker's version is the same.

Messages (``event:`` names): ``patch`` (rows to put in and ids to take out), ``reset`` (every
row: after a reconnect), ``ping`` every ``PING_SECONDS`` (the time, and whether the reader is
healthy, so a board can say it is stale).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import Flask

from central.board import Board, read_board
from central.changes import ChangeWatcher
from central.db import database
from central.web.boardrows import Rows

log = logging.getLogger("shopfloor.board")

MIN_INTERVAL = 0.3  # seconds between two reads of the board, however fast facts come
TIME_REFRESH = 30.0  # seconds between reads when nothing was committed (risk moves with the clock)
PING_SECONDS = 5.0  # a viewer hears at least this often
IDLE_SECONDS = 30.0  # the reader stops this long after the last viewer left
STREAM_SECONDS = 300.0  # a stream ends after this long; the browser reconnects (and its login is checked again)
MAX_BACKLOG = 200  # messages a slow viewer may have waiting before it is sent the whole board instead
HEALTHY_SECONDS = 10.0  # the reader counts as healthy when its last read succeeded this recently


def sse(event: str, data: dict, event_id: str | None = None) -> bytes:
    """One Server-Sent Event, encoded."""
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def fingerprints(board: Board) -> dict[str, tuple[str, str, object]]:
    """Every row of the board by element id: (table, fingerprint, row)."""
    out = {}
    for row in board.work_orders:
        out[f"wo-{row.number}"] = ("wo", repr(row), row)
    for row in board.machines:
        out[f"machine-{row.key}"] = ("machine", repr(row), row)
    for row in board.stations:
        out[f"station-{row.code}"] = ("station", repr(row), row)
    return out


def version_of(prints: dict[str, tuple[str, str, object]]) -> str:
    """A short digest of the board's content: the same content gives the same version in every process."""
    digest = hashlib.sha1()
    for key in sorted(prints):
        digest.update(key.encode())
        digest.update(prints[key][1].encode())
    return digest.hexdigest()[:16]


@dataclass(eq=False)
class Viewer:
    """One open stream."""

    since: str | None
    messages: queue.Queue = field(default_factory=queue.Queue)
    synced: bool = False


class BoardFeed:
    """The reader thread of one web process and the viewers it serves."""

    def __init__(self, app: Flask, script_root: str = "", *, autostart: bool = True):
        self.app = app
        self.autostart = autostart  # False: the caller feeds boards to ``apply`` itself (tests, benchmarks)
        self.script_root = script_root
        self.pid = os.getpid()
        self.viewers: set[Viewer] = set()
        self.lock = threading.Lock()
        self.rows: dict[str, tuple[str, str, str]] = {}  # id -> (table, fingerprint, html)
        self.counts_html = ""
        self.version: str | None = None
        self.read_at = 0.0  # monotonic time of the last successful read
        self.reads = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._reset: tuple[str, bytes] | None = None

    # --- viewers ----------------------------------------------------------------------------

    def subscribe(self, since: str | None) -> Viewer:
        """A new viewer that has the board at version ``since`` (None: unknown)."""
        viewer = Viewer(since=since or None)
        with self.lock:
            self.viewers.add(viewer)
            if self.version is not None:
                self._catch_up(viewer)
            if self.autostart and (self._thread is None or not self._thread.is_alive()):
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="board-feed", daemon=True)
                self._thread.start()
        return viewer

    def unsubscribe(self, viewer: Viewer) -> None:
        """The viewer went away."""
        with self.lock:
            self.viewers.discard(viewer)

    def healthy(self) -> bool:
        """The last read succeeded recently."""
        return self.version is not None and time.monotonic() - self.read_at < max(HEALTHY_SECONDS, TIME_REFRESH + 5)

    def stop(self) -> None:
        """Stop the reader and end every stream."""
        self._stop.set()
        with self.lock:
            for viewer in self.viewers:
                viewer.messages.put(None)
            self.viewers.clear()
        if self._thread is not None:
            self._thread.join(5)

    def _catch_up(self, viewer: Viewer) -> None:
        """Under the lock: send the whole board unless the viewer has this version already."""
        if viewer.since != self.version:
            viewer.messages.put(self._reset_message())
        viewer.synced = True

    def _reset_message(self) -> bytes:
        if self._reset is None or self._reset[0] != self.version:
            rows = [{"id": key, "table": table, "html": html} for key, (table, _, html) in self.rows.items()]
            self._reset = (self.version, sse("reset", {"v": self.version, "rows": rows, "counts": self.counts_html},
                                             self.version))
        return self._reset[1]

    # --- the reader -------------------------------------------------------------------------

    def _run(self) -> None:
        watcher = None
        idle_since = None
        try:
            with self.app.app_context():
                watcher = ChangeWatcher()
                next_read = 0.0
                while not self._stop.is_set():
                    now = time.monotonic()
                    with self.lock:
                        empty = not self.viewers
                    if empty:
                        idle_since = idle_since or now
                        if now - idle_since > IDLE_SECONDS:
                            break
                    else:
                        idle_since = None
                    due = self.version is None or now >= next_read
                    changed = False
                    if not due:
                        changed = watcher.wait(min(1.0, max(0.0, next_read - now)))
                    if due or changed:
                        started = time.monotonic()
                        self._read()
                        next_read = started + TIME_REFRESH
                        time.sleep(max(0.0, MIN_INTERVAL - (time.monotonic() - started)))
        except Exception:  # noqa: BLE001
            log.exception("the board feed stopped")
        finally:
            if watcher is not None:
                watcher.close()
            if not database.is_closed():
                database.close()

    def _read(self) -> None:
        try:
            database.connect(reuse_if_open=True)
            board = read_board(self.app.extensions["shopfloor.zone"])
        except Exception as exc:  # noqa: BLE001  (the database is away: viewers see the board go stale)
            log.warning("cannot read the board: %s", str(exc).strip().splitlines()[0] if str(exc) else exc)
            try:
                database.close()
            except Exception:  # noqa: BLE001
                pass
            time.sleep(1.0)
            return
        self.reads += 1
        self.apply(board)

    def apply(self, board: Board) -> bytes | None:
        """Take a board just read: render what changed and send it to every viewer; returns the message."""
        prints = fingerprints(board)
        changed = {key: value for key, value in prints.items()
                   if key not in self.rows or self.rows[key][1] != value[1]}
        gone = [key for key in self.rows if key not in prints]
        counts = board.counts()
        rendered = self.render(board, changed, counts) if changed or self.version is None else ({}, self.counts_html)
        html, counts_html = rendered
        version = version_of(prints)
        message = None
        with self.lock:
            for key in gone:
                del self.rows[key]
            for key, (table, fp, _) in changed.items():
                self.rows[key] = (table, fp, html[key])
            self.rows = dict(sorted(self.rows.items()))
            first = self.version is None
            moved = version != self.version
            self.version = version
            self.counts_html = counts_html
            self.read_at = time.monotonic()
            if first:
                for viewer in self.viewers:
                    self._catch_up(viewer)
            elif moved and (changed or gone):
                message = sse("patch", {"v": version, "rows": [{"id": key, "table": changed[key][0], "html": html[key]}
                                                               for key in sorted(changed)],
                                        "gone": gone, "counts": counts_html}, version)
                for viewer in self.viewers:
                    if viewer.messages.qsize() > MAX_BACKLOG:  # a viewer that cannot keep up gets the whole board
                        _drain(viewer.messages)
                        viewer.messages.put(self._reset_message())
                    else:
                        viewer.messages.put(message)
        return message

    def render(self, board: Board, changed: dict, counts: dict) -> tuple[dict[str, str], str]:
        """The HTML of the changed rows and of the counts, as the board page renders them."""
        rows = Rows(self.script_root, self.app.extensions["shopfloor.zone"])
        html = {key: rows.render(table, row, board.at) for key, (table, _, row) in changed.items()}
        return html, rows.counts(counts)


def _drain(messages: queue.Queue) -> None:
    try:
        while True:
            messages.get_nowait()
    except queue.Empty:
        pass


def feed_for(app: Flask, script_root: str) -> BoardFeed:
    """This process's feed of ``app`` (a forked worker makes its own)."""
    feed = app.extensions.get("shopfloor.board_feed")
    if feed is None or feed.pid != os.getpid():
        feed = BoardFeed(app, script_root)
        app.extensions["shopfloor.board_feed"] = feed
    return feed


def stream(feed: BoardFeed, viewer: Viewer):
    """The body of one SSE response: what the feed sends, pings between, ended after ``STREAM_SECONDS``."""
    ends = time.monotonic() + STREAM_SECONDS
    try:
        yield b"retry: 1000\n\n"
        while time.monotonic() < ends:
            try:
                message = viewer.messages.get(timeout=PING_SECONDS)
            except queue.Empty:
                message = sse("ping", {"at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                       "ok": feed.healthy(), "v": feed.version})
            if message is None:
                return
            yield message
    finally:
        feed.unsubscribe(viewer)
