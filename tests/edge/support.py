"""Helpers shared by the edge and system tests."""
from __future__ import annotations

import time

from edge.config import load_settings


def wait_for(predicate, timeout=20.0, what="condition"):
    """Poll until ``predicate()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def edge_settings(tmp_path, broker, code="S01", **overrides):
    """Settings of a test station: its own data folder, the test broker, no screen, fast retries."""
    values = {"data_dir": str(tmp_path / f"edge-{code}"), "mqtt.url": broker.url, "station.code": code,
              "screen.port": 0, "sync.ack_timeout": 2.0, "mqtt.reconnect_min": 0.1, "mqtt.reconnect_max": 0.5,
              "printer.retry_seconds": 0.2}
    values.update(overrides)
    return load_settings(overrides=values, env={})


def central_write():
    """A write transaction on central's database from a test while the ingest runs.

    BEGIN IMMEDIATE on SQLite: a deferred transaction that reads first cannot take the write lock
    once the ingest has committed meanwhile (SQLITE_BUSY at once, without waiting).
    """
    import contextlib

    import peewee as pw

    from central.db import database

    lock = ("IMMEDIATE",) if isinstance(database.obj, pw.SqliteDatabase) else ()
    stack = contextlib.ExitStack()
    stack.enter_context(database.connection_context())
    stack.enter_context(database.atomic(*lock))
    return stack
