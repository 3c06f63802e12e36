"""The station's outbox: events, print jobs and station state on disk before the operator sees OK.

SQLite in WAL mode with ``synchronous=FULL``: a commit returns only once it survives a power
cut. One transaction holds the new station state, its events and its print jobs together, so
after a crash the station resumes exactly where the last confirmed scan left it. An event
leaves the outbox only when central acks it; a rejected one moves to the dead-letter list.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from edge.contract import Event

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    payload TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS dead (
    id TEXT PRIMARY KEY, seq INTEGER, type TEXT, payload TEXT, error TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS print_jobs (
    job_id TEXT PRIMARY KEY, batch TEXT NOT NULL, template TEXT NOT NULL, fields TEXT NOT NULL,
    reprint INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, error TEXT, created REAL NOT NULL, printed_at REAL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS config_part (name TEXT PRIMARY KEY, payload TEXT NOT NULL);
"""

#: Print job states. ``sending`` at start-up means the process died mid-send: the label may
#: or may not have come out, so it becomes ``uncertain`` (so does a job the printer failed after
#: bytes may have reached it) and only an explicit reprint repeats it; once a reprint of its
#: batch is printed it is ``reprinted``. ``failed`` is a label that cannot be rendered (bad
#: data): it needs a person, not a retry.
JOB_STATES = ("pending", "sending", "printed", "uncertain", "reprinted", "failed")


@dataclass(frozen=True)
class PrintJob:
    """A label to print: its id is unique, so the same job is never printed twice."""

    job_id: str
    batch: str
    template: str
    fields: dict[str, Any]
    reprint: bool = False
    status: str = "pending"
    attempts: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Pending:
    """An event waiting for central's ack, as its wire JSON."""

    seq: int
    id: str
    payload: str


class Outbox:
    """The durable store of one station (thread-safe: one connection behind a lock)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        with self._tx() as db:
            db.execute("UPDATE print_jobs SET status='uncertain' WHERE status='sending'")

    def close(self) -> None:
        """Close the database (everything committed is already on disk)."""
        with self._lock:
            self._db.close()

    def _tx(self):
        outbox = self

        class _Tx:
            def __enter__(self):
                outbox._lock.acquire()
                outbox._db.execute("BEGIN IMMEDIATE")
                return outbox._db

            def __exit__(self, exc_type, exc, tb):
                try:
                    outbox._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
                finally:
                    outbox._lock.release()
        return _Tx()

    # --- writing what the operator did ------------------------------------------------------

    def commit(self, state: dict | None, events: Iterable[Event] = (), jobs: Iterable[PrintJob] = ()) -> None:
        """Store the new station state, its events and print jobs in one durable transaction."""
        now = time.time()
        with self._tx() as db:
            if state is not None:
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('state', ?)", (json.dumps(state),))
            db.executemany(
                "INSERT INTO outbox(seq, id, type, payload, created) VALUES (?, ?, ?, ?, ?)",
                [(e.seq, e.id, e.type, json.dumps(e.to_wire(), separators=(",", ":")), now) for e in events])
            db.executemany(
                "INSERT INTO print_jobs(job_id, batch, template, fields, reprint, created) VALUES (?, ?, ?, ?, ?, ?)",
                [(j.job_id, j.batch, j.template, json.dumps(j.fields), int(j.reprint), now) for j in jobs])

    def load_state(self) -> dict | None:
        """The station state of the last commit, or None on a new station."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='state'").fetchone()
        return json.loads(row[0]) if row else None

    def put_meta(self, key: str, value: Any) -> None:
        """Keep a small JSON value (e.g. the cached station config)."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def get_meta(self, key: str, default: Any = None) -> Any:
        """A value kept with ``put_meta``."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def config_parts(self) -> dict[str, str]:
        """The cached parts of the station config, by name (see ``edge.cache``)."""
        with self._lock:
            return dict(self._db.execute("SELECT name, payload FROM config_part").fetchall())

    def put_config_parts(self, changes: dict[str, str | None]) -> None:
        """Store (or, for None, remove) cached config parts in one transaction."""
        with self._tx() as db:
            db.executemany("DELETE FROM config_part WHERE name=?", [(n,) for n, p in changes.items() if p is None])
            db.executemany("INSERT OR REPLACE INTO config_part(name, payload) VALUES (?, ?)",
                           [(n, p) for n, p in changes.items() if p is not None])

    # --- sending and acks -----------------------------------------------------------------

    def pending(self, after_seq: int = 0, limit: int = 500) -> list[Pending]:
        """Events not yet acked with seq above ``after_seq``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, id, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)).fetchall()
        return [Pending(*row) for row in rows]

    def ack(self, accepted: Iterable[str], rejected: Iterable[dict] = ()) -> tuple[int, int]:
        """Drop acked events; move rejected ones to the dead letters. Returns (removed, dead)."""
        accepted = [a for a in accepted if isinstance(a, str)]
        rejected = [r for r in rejected if isinstance(r, dict) and isinstance(r.get("id"), str)]
        removed = dead = 0
        now = time.time()
        with self._tx() as db:
            for start in range(0, len(accepted), 500):
                chunk = accepted[start:start + 500]
                cur = db.execute(f"DELETE FROM outbox WHERE id IN ({','.join('?' * len(chunk))})", chunk)
                removed += cur.rowcount
            for entry in rejected:
                row = db.execute("SELECT seq, type, payload FROM outbox WHERE id=?", (entry["id"],)).fetchone()
                if row is None:
                    continue
                db.execute("INSERT OR REPLACE INTO dead(id, seq, type, payload, error, at) VALUES (?, ?, ?, ?, ?, ?)",
                           (entry["id"], row[0], row[1], row[2], str(entry.get("error", ""))[:1000], now))
                db.execute("DELETE FROM outbox WHERE id=?", (entry["id"],))
                dead += 1
        return removed, dead

    def depth(self) -> int:
        """Events waiting for an ack."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def dead_letters(self, limit: int = 20) -> list[dict]:
        """Events central rejected, newest first, with the reason."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, seq, type, error, at FROM dead ORDER BY at DESC LIMIT ?", (limit,)).fetchall()
        return [{"id": r[0], "seq": r[1], "type": r[2], "error": r[3], "at": r[4]} for r in rows]

    def dead_count(self) -> int:
        """How many events central rejected."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM dead").fetchone()[0]

    # --- print jobs -----------------------------------------------------------------------

    def jobs(self, status: str | None = None, limit: int = 50) -> list[PrintJob]:
        """Print jobs, oldest first, optionally only those in one state."""
        sql = "SELECT job_id, batch, template, fields, reprint, status, attempts, error FROM print_jobs"
        args: tuple = ()
        if status is not None:
            sql += " WHERE status=?"
            args = (status,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created, job_id LIMIT ?", (*args, limit)).fetchall()
        return [PrintJob(r[0], r[1], r[2], json.loads(r[3]), bool(r[4]), r[5], r[6], r[7]) for r in rows]

    def job(self, job_id: str) -> PrintJob | None:
        """One print job by id."""
        with self._lock:
            r = self._db.execute("SELECT job_id, batch, template, fields, reprint, status, attempts, error "
                                 "FROM print_jobs WHERE job_id=?", (job_id,)).fetchone()
        return PrintJob(r[0], r[1], r[2], json.loads(r[3]), bool(r[4]), r[5], r[6], r[7]) if r else None

    def claim_job(self, job_id: str) -> bool:
        """Mark a pending job as being sent; False if it is not pending (never send twice)."""
        with self._tx() as db:
            cur = db.execute("UPDATE print_jobs SET status='sending', attempts=attempts+1 "
                             "WHERE job_id=? AND status='pending'", (job_id,))
            return cur.rowcount == 1

    def job_done(self, job_id: str) -> None:
        """The printer took the job."""
        with self._tx() as db:
            db.execute("UPDATE print_jobs SET status='printed', error=NULL, printed_at=? WHERE job_id=?",
                       (time.time(), job_id))

    def job_failed(self, job_id: str, error: str) -> None:
        """The printer refused the job before taking any of it: try again later."""
        with self._tx() as db:
            db.execute("UPDATE print_jobs SET status='pending', error=? WHERE job_id=?", (error[:500], job_id))

    def job_uncertain(self, job_id: str, error: str) -> None:
        """The job may have reached the printer before it failed: only an explicit reprint repeats it."""
        with self._tx() as db:
            db.execute("UPDATE print_jobs SET status='uncertain', error=? WHERE job_id=?", (error[:500], job_id))

    def settle_uncertain(self, batch: str) -> None:
        """A reprint of ``batch`` came out: its uncertain jobs no longer wait for a person."""
        with self._tx() as db:
            db.execute("UPDATE print_jobs SET status='reprinted' WHERE batch=? AND status='uncertain'", (batch,))

    def job_broken(self, job_id: str, error: str) -> None:
        """The label cannot be rendered: retrying would not help, so it waits for a person."""
        with self._tx() as db:
            db.execute("UPDATE print_jobs SET status='failed', error=? WHERE job_id=?", (error[:500], job_id))

    def job_counts(self) -> dict[str, int]:
        """How many print jobs are in each state."""
        with self._lock:
            return dict(self._db.execute("SELECT status, COUNT(*) FROM print_jobs GROUP BY status").fetchall())

    def last_batch_job(self) -> PrintJob | None:
        """The newest job that was not a reprint (what a reprint command repeats)."""
        with self._lock:
            row = self._db.execute("SELECT job_id FROM print_jobs WHERE reprint=0 ORDER BY created DESC, job_id DESC "
                                   "LIMIT 1").fetchone()
        return self.job(row[0]) if row else None

    def reprint_count(self, batch: str) -> int:
        """How many reprints of a batch's label exist (to number the next one)."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM print_jobs WHERE batch=? AND reprint=1", (batch,)).fetchone()[0]
