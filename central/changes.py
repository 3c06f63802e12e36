"""Learning that another process committed to the database: how every web process hears of new facts.

Whoever writes (an ingest worker, another web worker, the command line) commits to the one
database, so the database is where the news is read, not any process's memory:

* **PostgreSQL**: migration 016 puts a statement trigger on every table the board shows; it
  sends ``NOTIFY shopfloor_board`` once per transaction, delivered at commit. A watcher keeps
  one listening connection and wakes the moment a notice arrives.
* **SQLite**: ``PRAGMA data_version`` changes when another connection (any process) has
  committed; the watcher asks it every ``POLL_SECONDS`` on its own connection, which costs a
  few microseconds and no I/O.

Either way a wake-up says only "something changed": the reader reads again. A lost listening
connection counts as a change (the watcher cannot know what it missed).
"""
from __future__ import annotations

import logging
import select
import time

import peewee as pw

from central.db import database

log = logging.getLogger("shopfloor.changes")

CHANNEL = "shopfloor_board"
POLL_SECONDS = 0.1  # SQLite: how often data_version is asked
#: The tables whose writes the board shows (the PostgreSQL triggers of migration 016 are on these).
WATCHED = ("work_order", "work_order_stage", "work_order_output", "event_record", "stop_mark", "reason_event",
           "station", "machine", "work_centre", "operator")


class ChangeWatcher:
    """Waits until another connection commits. Use from one thread; ``close`` when done."""

    def __init__(self):
        self.postgres = isinstance(database.obj, pw.PostgresqlDatabase)
        self._listen = None
        self._version = None

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True as soon as something was committed since the last call."""
        if self.postgres:
            return self._wait_notify(timeout)
        return self._wait_version(timeout)

    def close(self) -> None:
        """Close the listening connection (PostgreSQL)."""
        if self._listen is not None:
            try:
                self._listen.close()
            except Exception:  # noqa: BLE001  (closing a broken connection)
                pass
            self._listen = None

    # --- SQLite ---------------------------------------------------------------------------

    def _data_version(self) -> int:
        database.connect(reuse_if_open=True)
        return database.execute_sql("PRAGMA data_version").fetchone()[0]

    def _wait_version(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            version = self._data_version()
            if self._version is None:
                self._version = version
            elif version != self._version:
                self._version = version
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_SECONDS, left))

    # --- PostgreSQL -----------------------------------------------------------------------

    def _connect_listener(self):
        import psycopg2

        db = database.obj
        conn = psycopg2.connect(dbname=db.database, **db.connect_params)
        conn.set_session(autocommit=True)
        conn.cursor().execute(f"LISTEN {CHANNEL}")
        return conn

    def _wait_notify(self, timeout: float) -> bool:
        if self._listen is None:
            try:
                self._listen = self._connect_listener()
            except Exception as exc:  # noqa: BLE001  (the database is away: say changed, try later)
                log.warning("cannot listen for changes: %s", str(exc).strip().splitlines()[0] if str(exc) else exc)
                time.sleep(min(timeout, 1.0))
                return True
            return True  # what happened while nobody listened is unknown
        try:
            if not self._listen.notifies:
                ready, _, _ = select.select([self._listen], [], [], timeout)
                if ready:
                    self._listen.poll()
            else:
                self._listen.poll()
            changed = bool(self._listen.notifies)
            self._listen.notifies.clear()
            return changed
        except Exception as exc:  # noqa: BLE001
            log.warning("lost the change listener: %s", exc)
            self.close()
            return True
