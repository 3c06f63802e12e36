"""A storage for the ``limits`` package (under Flask-Limiter) in central's own database.

Selected with ``web.rate_limit_storage = "database://"``. Counters are rows of ``rate_counter``,
so every web worker and every machine behind the same database counts the same sign-in
attempts; nothing is kept in process memory. Fixed windows only.
"""
from __future__ import annotations

import random
import time

import peewee as pw
from limits.storage import Storage

from central.db import database
from central.models import RateCounter

SWEEP_CHANCE = 0.01  # now and then, counters whose window ended long ago are deleted


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_counter`` table."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return pw.DatabaseError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter, starting a new window of ``expiry`` seconds if the last one ended."""
        database.connect(reuse_if_open=True)
        now = time.time()
        ended = RateCounter.expires_at <= now
        with database.atomic():
            (RateCounter.insert(key=key, count=amount, expires_at=now + expiry)
             .on_conflict(conflict_target=[RateCounter.key], update={
                 RateCounter.count: pw.Case(None, [(ended, amount)], RateCounter.count + amount),
                 RateCounter.expires_at: pw.Case(None, [(ended, now + expiry)], RateCounter.expires_at)})
             .execute())
            count = RateCounter.select(RateCounter.count).where(RateCounter.key == key).scalar()
            if random.random() < SWEEP_CHANCE:
                RateCounter.delete().where(RateCounter.expires_at < now - 86400).execute()
        return count

    def get(self, key: str) -> int:
        """The count in the current window (0 when it ended)."""
        database.connect(reuse_if_open=True)
        return (RateCounter.select(RateCounter.count)
                .where(RateCounter.key == key, RateCounter.expires_at > time.time()).scalar() or 0)

    def get_expiry(self, key: str) -> float:
        """When the current window ends (epoch seconds)."""
        database.connect(reuse_if_open=True)
        return RateCounter.select(RateCounter.expires_at).where(RateCounter.key == key).scalar() or time.time()

    def check(self) -> bool:
        """True when the database answers."""
        try:
            database.connect(reuse_if_open=True)
            database.execute_sql("SELECT 1")
            return True
        except pw.DatabaseError:
            return False

    def reset(self) -> int | None:
        """Delete every counter."""
        database.connect(reuse_if_open=True)
        return RateCounter.delete().execute()

    def clear(self, key: str) -> None:
        """Delete one counter."""
        database.connect(reuse_if_open=True)
        RateCounter.delete().where(RateCounter.key == key).execute()
