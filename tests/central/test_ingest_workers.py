"""Several ingest workers on one database: the same events reaching two workers are recorded
once, and nothing of one station's batch is rejected because of another worker or the database."""
from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime
from decimal import Decimal

import peewee as pw
import pytest

from central.config import load_settings
from central.db import COPY_FROM, database, insert_rows, write_transaction
from central.ingest import Ingest, _Message
from central.models import EventRecord, ReasonCode, ReasonEvent, Station
from central import recorder
from central.recorder import record_raw
from edge.contract import make_event
from tests.conftest import PG_URL


@pytest.fixture
def station(db):
    with database.atomic():
        Station.create(code="S01", site="plant1", name="Line 1")
        Station.create(code="S02", site="plant1", name="Line 2")
        ReasonCode.create(code="DT-JAM", category="downtime")
    database.close()


def _wire(seq, station="S01"):
    if seq % 2:
        return make_event("machine.down", site="plant1", station=station, seq=seq, operator=None,
                          data={"reason": "DT-JAM"}).to_wire()
    return make_event("machine.up", site="plant1", station=station, seq=seq, operator=None, data={}).to_wire()


def _worker(db_url, tmp_path) -> Ingest:
    """A worker that is never connected: its batches are handed to it directly."""
    return Ingest(load_settings(overrides={"database.url": db_url, "data_dir": str(tmp_path / "data"),
                                           "mqtt.url": "mqtt://127.0.0.1:1", "mqtt.username": ""}))


def _while_another_holds(first: list, first_station: str, b: Ingest, second: list, second_station: str) -> None:
    """Worker A records ``first`` and keeps its transaction open while worker ``b`` applies
    ``second``; A commits half a second later, then both are done."""
    recorded, release = threading.Event(), threading.Event()

    def worker_a():
        with database.connection_context():
            with write_transaction():
                assert record_raw(first, site="plant1", station=first_station).accepted
                recorded.set()
                release.wait(10)

    def worker_b():
        with database.connection_context():
            b._apply_batch([_Message("plant1", second_station, second)])

    a = threading.Thread(target=worker_a)
    a.start()
    assert recorded.wait(10)
    thread_b = threading.Thread(target=worker_b)
    thread_b.start()
    time.sleep(0.5)  # B is now waiting for A (or, without the station locks, has read the log already)
    release.set()
    a.join(10)
    thread_b.join(30)
    assert not thread_b.is_alive()


def test_a_resend_reaching_a_second_worker_mid_transaction_is_recorded_once(db_url, tmp_path, station, caplog):
    """Worker A holds seq 1-10 uncommitted; worker B gets a resend of 6-10 with new 11-15."""
    caplog.set_level(logging.WARNING, logger="shopfloor")
    first = [_wire(i) for i in range(1, 11)]
    second = first[5:] + [_wire(i) for i in range(11, 16)]
    b = _worker(db_url, tmp_path)
    _while_another_holds(first, "S01", b, second, "S01")
    assert b.stats.events_rejected == 0 and b.stats.events_accepted == 10
    assert b.stats.events_applied == 5 and b.stats.database_retries == 0
    assert caplog.messages == []  # not even a fault recovered from: B waited, then found 6-10
    with database.connection_context():
        seqs = sorted(s for s, in EventRecord.select(EventRecord.seq).tuples())
        assert seqs == list(range(1, 16))
        assert ReasonEvent.select().count() == 8  # each machine.down once


def test_two_workers_with_crossed_stations_do_not_deadlock(db_url, tmp_path, station, caplog):
    """Batches naming S01 and S02 in opposite orders, many times, in two threads at once."""
    caplog.set_level(logging.WARNING, logger="shopfloor")
    rounds = 30
    workers = [_worker(db_url, tmp_path) for _ in range(2)]

    def run(worker, order, offset):
        with database.connection_context():
            for r in range(rounds):
                seq = 1 + r * 4 + offset
                worker._apply_batch([_Message("plant1", code, [_wire(seq, code), _wire(seq + 1, code)])
                                     for code in order])

    threads = [threading.Thread(target=run, args=(workers[0], ("S01", "S02"), 0)),
               threading.Thread(target=run, args=(workers[1], ("S02", "S01"), 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [w.stats.database_retries for w in workers] == [0, 0]
    assert [w.stats.events_rejected for w in workers] == [0, 0]
    assert caplog.messages == []
    with database.connection_context():
        for code in ("S01", "S02"):
            seqs = sorted(s for s, in EventRecord.select(EventRecord.seq).where(EventRecord.station == code).tuples())
            assert seqs == list(range(1, rounds * 4 + 1))


def test_a_fault_in_central_rejects_nothing_and_answers_the_others(db_url, tmp_path, station):
    """An event whose handler fails for a reason of central's own is left for the station to send again."""
    worker = _worker(db_url, tmp_path)
    events = [_wire(i) for i in range(1, 7)]
    faulty = events[3]["id"]

    @recorder.handles("machine.up")
    def fails_on_one(event):
        if event.id == faulty:
            raise RuntimeError("a fault in central")

    try:
        with database.connection_context():
            worker._apply_batch([_Message("plant1", "S01", events)])
    finally:
        recorder._HANDLERS["machine.up"].remove(fails_on_one)
    assert worker.stats.events_rejected == 0
    assert worker.stats.events_accepted == 5 and worker.stats.events_unanswered == 1
    with database.connection_context():
        assert sorted(s for s, in EventRecord.select(EventRecord.seq).tuples()) == [1, 2, 3, 5, 6]
    with database.connection_context():  # sent again once central can apply it: applied, once
        worker._apply_batch([_Message("plant1", "S01", events)])
        assert sorted(s for s, in EventRecord.select(EventRecord.seq).tuples()) == [1, 2, 3, 4, 5, 6]


def test_a_pause_and_its_resume_from_two_stations_in_two_workers_get_their_minutes(db_url, tmp_path, station):
    """Worker A holds S01's pause of WO-1 uncommitted while worker B records S02's resume of it."""
    from central.models import Operator, WorkCentre
    from tests.central.factories import event, make_work_orders

    with database.connection_context():
        with database.atomic():
            WorkCentre.create(code="MIX", name="Mixing")
            make_work_orders("MIX")
            Operator.create(badge="OP-1", name="One")
    pause = event("work_order.paused", 1, "2026-11-20T08:00:00Z", work_order="WO-1", reason="DT-JAM")
    resume = event("work_order.resumed", 1, "2026-11-20T08:12:00Z", station="S02", work_order="WO-1")
    b = _worker(db_url, tmp_path)
    _while_another_holds([pause], "S01", b, [resume], "S02")
    assert b.stats.events_accepted == 1 and b.stats.database_retries == 0
    with database.connection_context():
        assert [m for m, in ReasonEvent.select(ReasonEvent.minutes).tuples()] == [Decimal(12)]


@pytest.mark.skipif(not PG_URL, reason="COPY is PostgreSQL's")
def test_errors_from_copy_are_peewee_errors_like_any_statement(db, station):
    """A duplicate sent with COPY is an IntegrityError, not the driver's own UniqueViolation."""
    row = [(str(uuid.uuid4()), "machine.up", "plant1", "S01", seq, datetime(2026, 11, 20, 8), None, "{}",
            datetime(2026, 11, 20, 8), False) for seq in range(1, COPY_FROM + 1)]  # enough rows for a COPY
    fields = ("id", "type", "site", "station", "seq", "at", "operator", "payload", "received_at", "flagged")
    with database.connection_context():
        insert_rows(EventRecord, fields, row)
        with pytest.raises(pw.IntegrityError):
            with database.atomic():
                insert_rows(EventRecord, fields, row)


@pytest.mark.skipif(not PG_URL, reason="a server connection to cut")
def test_a_connection_cut_mid_work_is_retried_not_rejected(db_url, tmp_path, station, caplog):
    """The server ends the worker's connection: the batch is tried again on a new one and acked."""
    import psycopg2

    worker = _worker(db_url, tmp_path)
    database.connect(reuse_if_open=True)  # the worker's own connection, as in its thread
    pid = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    other = psycopg2.connect(PG_URL)
    other.autocommit = True
    other.cursor().execute("SELECT pg_terminate_backend(%s)", (pid,))
    other.close()
    try:
        worker._apply_batch([_Message("plant1", "S01", [_wire(i) for i in range(1, 5)])])
    finally:
        database.close()
    assert worker.stats.database_retries == 1
    assert worker.stats.events_accepted == 4 and worker.stats.events_rejected == 0
    assert any("retrying the batch" in m for m in caplog.messages)
    with database.connection_context():
        assert EventRecord.select().count() == 4
