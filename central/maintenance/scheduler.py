"""`shopfloor central scheduler`: preventive work made on time without a person.

Each pass runs ``schedules.evaluate`` in one transaction. Several schedulers (or a scheduler and
the ingest) may run at once: on PostgreSQL a pass takes a transaction-level advisory lock first
and skips when another holds it; on SQLite the pass's transaction takes the database's write lock
at BEGIN, so passes never interleave. Either way a work order is made under the schedule's row
and a unique (schedule, n) index, and nothing of a pass killed half-way (SIGKILL, power cut) is
committed: the next pass makes it again, once. The clock is passed in, so tests can move time.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Callable

import peewee as pw

from central.db import database
from central.maintenance import schedules
from central.maintenance.checks import transaction
from central.models import utcnow

log = logging.getLogger("shopfloor.scheduler")
LOCK_KEY = 0x5F5C_4ED0  # the advisory lock every scheduler pass takes on PostgreSQL


def run_pass(now: datetime | None = None) -> list[str] | None:
    """One pass; the work orders made, or None when another scheduler holds the lock (PostgreSQL)."""
    now = now or utcnow()
    with transaction():
        if isinstance(database.obj, pw.PostgresqlDatabase):
            if not database.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
                return None
        return schedules.evaluate(now)


class Scheduler:
    """Passes every ``interval`` seconds until stopped; a failed pass is logged and tried again."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], datetime] = utcnow):
        self.interval, self.clock = interval, clock
        self.passes = 0
        self.made: list[str] = []

    def run(self, stop: threading.Event) -> None:
        """Pass, wait, pass... until ``stop`` is set (signal handlers only set it)."""
        while not stop.is_set():
            try:
                database.connect(reuse_if_open=True)
                made = run_pass(self.clock())
                self.passes += 1
                if made:
                    self.made += made
                    log.info("scheduler made %d work order(s): %s", len(made), ", ".join(made))
                elif made is None:
                    log.debug("another scheduler holds the lock; skipped")
            except (pw.OperationalError, pw.InterfaceError) as exc:
                log.error("scheduler pass failed, trying again: %s", str(exc).strip().splitlines()[0])
                if not database.is_closed():
                    database.close()
            stop.wait(self.interval)
        if not database.is_closed():
            database.close()
