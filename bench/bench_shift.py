"""A realistic shift through the real ingest and a real mosquitto, next to the raw insert rate of the same rows.

    .venv/bin/python bench/bench_shift.py [--work-orders 20 --issues 50 --outputs 200] [--postgres URL]
    .venv/bin/python bench/bench_shift.py --quick          # small shape, for a test or a first look

The shift: goods received for every batch the work orders will use, every routing stage
started, then rounds in which each work order gets its next material issues and reports its
next outputs, every stage completed, every work order completed. Stations publish 50 events a
message (built with ``edge.contract``) and wait for the acks of one step before the next, as
a line does when its operators move on. It prints, for SQLite (and for PostgreSQL with
``--postgres``; every table in that database is emptied first, give it a database of its own):

- events/s applied and acked, end to end and per event type;
- ledger rows (``stock_move``) and genealogy rows (whichever of ``batch_link``,
  ``work_order_input`` and ``work_order_output`` exist) written per event of each type;
- the raw insert rate of the same rows (the shift's event log and ledger rows inserted again
  with the bare driver, COPY on PostgreSQL and executemany on SQLite, in one transaction, then
  rolled back): the physical limit;
- handler ms of one more ``output.reported`` by outputs already on one work order (50 issued
  batches). The history is built fast: two outputs go through the recorder, then the rows the
  second one wrote that hang off its batch are copied in bulk; each timed output runs in a
  transaction that is rolled back, so every sample sees the same history.

Targets: mix >= 1,000 events/s on both databases; output.reported median <= 5 ms at
1 and at 10,000 outputs; at most 2 ledger rows an event; genealogy rows per work order <= I + O.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt  # noqa: E402
import peewee as pw  # noqa: E402

from bench._setup import Broker, central_database, workdir  # noqa: E402
from edge.contract import decode_ack, encode_events, make_event, topic  # noqa: E402

SITE = "plant1"
GOODS_IN = "GI1"
HISTORY_STATION = "H01"
OPERATOR = "OP-1"
LEDGER = "stock_move"
GENEALOGY = ("batch_link", "work_order_input", "work_order_output")
LOG = "event_record"
RECIPE = "R-SHIFT"
PRODUCT = "FG-1"
HISTORY_ORDER = "WO-HIST"


@dataclass(frozen=True)
class Shape:
    """How big the shift is."""

    work_orders: int = 20
    issues: int = 50  # material issues per work order, each of a batch received first
    outputs: int = 200  # outputs reported per work order
    rounds: int = 10  # issues and outputs arrive in this many steps per work order
    lines: int = 4  # line stations; work order n runs at line n % lines
    materials: int = 5  # raw-material items of the recipe
    stages: int = 2  # routing stages per work order
    per_message: int = 50  # events in one MQTT message
    levels: tuple[int, ...] = (1, 100, 1_000, 10_000)  # outputs already on the work order
    samples: int = 7  # timed outputs per level
    history_issues: int = 50  # issued batches of the history work order

    @property
    def events(self) -> int:
        """Events in the shift: receipts, stage starts, issues, outputs, stage ends, completions."""
        return self.work_orders * (2 * self.issues + self.outputs + 2 * self.stages + 1)


QUICK = Shape(work_orders=2, issues=5, outputs=20, rounds=2, lines=2, levels=(1, 10, 100), samples=3,
              history_issues=5)


@dataclass
class Step:
    """Events of one type that the stations publish together, then wait for their acks."""

    type: str
    events: list = field(default_factory=list)  # (station, Event)
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows added by this step


@dataclass
class ShiftResult:
    """What one run measured, on one database."""

    engine: str
    shape: Shape
    steps: list[Step]
    sent: int = 0
    accepted: int = 0
    rejected: list = field(default_factory=list)
    applied: int = 0  # by the ingest's count
    flags: int = 0
    tables: dict[str, int] = field(default_factory=dict)  # rows after the shift
    genealogy_tables: tuple[str, ...] = ()
    raw_rows: int = 0
    raw_seconds: float = 0.0
    history: list[tuple[int, list[float]]] = field(default_factory=list)  # (outputs on the order, seconds)
    history_outputs: dict[int, int] = field(default_factory=dict)  # level -> outputs counted on the order
    copied_tables: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        """Time from the first publish of each step to its last ack, summed."""
        return sum(s.seconds for s in self.steps)


# --- the plant and the shift's events ---------------------------------------------------------

def line(shape: Shape, n: int) -> str:
    """The line station of work order ``n``."""
    return f"L{n % shape.lines + 1:02}"


def stations(shape: Shape) -> list[str]:
    """Every station the bench registers."""
    return [GOODS_IN, HISTORY_STATION] + [f"L{k + 1:02}" for k in range(shape.lines)]


def order(n: int) -> str:
    """Work order number ``n``."""
    return f"WO-{n + 1:04}"


def material(shape: Shape, k: int) -> str:
    """The raw-material item of the ``k``-th issue."""
    return f"RM-{k % shape.materials + 1:02}"


def setup_plant(shape: Shape) -> None:
    """Locations, items, a work centre, the recipe with its routing, and the released work orders."""
    from central import catalog, production, recipes
    from central.db import database
    from central.models import WorkCentre

    with database.atomic():
        catalog.create_location({"code": "STORE", "role": "storage"})
        catalog.create_location({"code": "FG", "role": "finished"})
        for k in range(shape.materials):
            catalog.create_item({"code": material(shape, k), "unit": "kg"})
        catalog.create_item({"code": PRODUCT, "unit": "pcs"})
        WorkCentre.create(code="WC-LINE", name="Line", labour_rate=D("0.50"), overhead_rate=D("0.25"))
        recipes.create_recipe({
            "code": RECIPE, "outputs": [{"item": PRODUCT, "kind": "main", "cost_share": "100"}],
            "inputs": [{"item": material(shape, k), "qty_per_unit": "0.25"} for k in range(shape.materials)],
            "stages": [{"seq": 10 * (s + 1), "work_centre": "WC-LINE", "standard_minutes": "480"}
                       for s in range(shape.stages)]})
        for n in range(shape.work_orders):
            production.create_work_order({"number": order(n), "recipe": RECIPE, "planned_qty": str(shape.outputs),
                                          "status": "released"})
        production.create_work_order({"number": HISTORY_ORDER, "recipe": RECIPE, "planned_qty": "100000",
                                      "status": "released"})


class Clock:
    """Station clocks: from eight hours ago, ``events`` spread over seven hours (else a second apart); seq per station."""

    def __init__(self, events: int = 0):
        self.at = datetime.now(timezone.utc) - timedelta(hours=8)
        self.step = timedelta(hours=7) / events if events else timedelta(seconds=1)
        self.seq: dict[str, int] = {}

    def event(self, type_name: str, station: str, data: dict):
        """The next event of ``station``."""
        self.at += self.step
        self.seq[station] = self.seq.get(station, 0) + 1
        operator = None if type_name in ("machine.up", "label.printed") else OPERATOR
        return station, make_event(type_name, site=SITE, station=station, seq=self.seq[station], operator=operator,
                                   data=data, at=self.at)


def received(shape: Shape, n: int, k: int) -> str:
    """Batch code of the ``k``-th input batch of work order ``n``."""
    return f"{GOODS_IN}-{n + 1:04}-{k + 1:04}"


def shift_steps(shape: Shape, clock: Clock) -> list[Step]:
    """The shift, step by step (see the module docstring)."""
    orders = range(shape.work_orders)
    steps = [Step("goods.received", [clock.event("goods.received", GOODS_IN, {
        "item": material(shape, k), "batch": received(shape, n, k), "qty": "10",
        "unit_cost": str(D("2.40") + D(k % 7) / 10), "location": "STORE"})
        for n in orders for k in range(shape.issues)])]
    steps.append(Step("stage.started", [clock.event("stage.started", line(shape, n), {
        "work_order": order(n), "stage": 10 * (s + 1)}) for n in orders for s in range(shape.stages)]))
    for r in range(shape.rounds):
        issues = range(r * shape.issues // shape.rounds, (r + 1) * shape.issues // shape.rounds)
        outputs = range(r * shape.outputs // shape.rounds, (r + 1) * shape.outputs // shape.rounds)
        steps.append(Step("material.issued", [clock.event("material.issued", line(shape, n), {
            "work_order": order(n), "batch": received(shape, n, k), "qty": "10"}) for n in orders for k in issues]))
        steps.append(Step("output.reported", [clock.event("output.reported", line(shape, n), {
            "work_order": order(n), "kind": "main", "item": PRODUCT, "batch": f"{line(shape, n)}-{n + 1:04}-{o + 1:06}",
            "qty": "1"}) for n in orders for o in outputs]))
    steps.append(Step("stage.completed", [clock.event("stage.completed", line(shape, n), {
        "work_order": order(n), "stage": 10 * (s + 1)}) for n in orders for s in range(shape.stages)]))
    steps.append(Step("work_order.completed", [clock.event("work_order.completed", line(shape, n), {
        "work_order": order(n)}) for n in orders]))
    return [s for s in steps if s.events]


def messages(step: Step, per_message: int) -> list[tuple[str, bytes]]:
    """The step's events as each station publishes them, stations taking turns."""
    by_station: dict[str, list] = {}
    for station, event in step.events:
        by_station.setdefault(station, []).append(event)
    queues = [[(st, encode_events(evs[i:i + per_message])) for i in range(0, len(evs), per_message)]
              for st, evs in by_station.items()]
    out = []
    for turn in range(max(len(q) for q in queues)):
        out += [q[turn] for q in queues if turn < len(q)]
    return out


# --- counting rows ----------------------------------------------------------------------------

def count_rows(tables) -> dict[str, int]:
    """Rows in each table."""
    from central.db import database

    q = database.quote
    return {t: database.execute_sql(f"SELECT COUNT(*) FROM {t.join(q)}").fetchone()[0] for t in tables}


def present(names) -> tuple[str, ...]:
    """The ones of ``names`` that are tables in this database."""
    from central.db import database

    tables = set(database.get_tables())
    return tuple(t for t in names if t in tables)


# --- the shift through the ingest ---------------------------------------------------------------

class Stations:
    """The line and goods-in stations' side of MQTT: publish events, collect the acks."""

    def __init__(self, broker: Broker, codes: list[str]):
        self.accepted: set[str] = set()
        self.rejected: dict[str, dict] = {}
        self.changed = threading.Condition()
        ready = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-shift-stations")
        self.client.max_inflight_messages_set(100)
        self.client.on_message = self._on_ack
        self.client.on_connect = lambda c, *a: c.subscribe([(topic(SITE, s, "ack"), 1) for s in codes])
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        if not ready.wait(10):
            raise RuntimeError("the bench's station client did not subscribe to its acks")

    def _on_ack(self, client, userdata, message):
        accepted, rejected = decode_ack(message.payload)
        with self.changed:
            self.accepted.update(accepted)
            for r in rejected:
                self.rejected[r.get("id") or f"message-{len(self.rejected)}"] = r
            self.changed.notify_all()

    def answered(self) -> int:
        """Events acked so far, accepted or rejected."""
        return len(self.accepted) + len(self.rejected)

    def publish_and_wait(self, payloads: list[tuple[str, bytes]], expected: int, timeout: float) -> float:
        """Publish the messages (QoS 1) and wait until ``expected`` events in all were acked; seconds taken."""
        start = time.perf_counter()
        for station, payload in payloads:
            self.client.publish(topic(SITE, station, "events"), payload, qos=1)
        with self.changed:
            if not self.changed.wait_for(lambda: self.answered() >= expected, timeout):
                raise RuntimeError(f"only {self.answered()} of {expected} events acked within {timeout:.0f} s")
        return time.perf_counter() - start

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


def ingest_settings(db_url: str, broker: Broker):
    """Central settings for the ingest and the history measurements."""
    from central.config import load_settings

    return load_settings(overrides={"database.url": db_url, "mqtt.url": broker.url, "mqtt.username": ""})


def run_shift(shape: Shape, broker: Broker, db_url: str, engine: str, timeout: float = 3600) -> ShiftResult:
    """Set up the plant, run the shift through one ingest worker, count the rows, time the raw inserts."""
    from central.db import database
    from central.ingest import Ingest
    from central.models import Flag

    database.connect(reuse_if_open=True)
    setup_plant(shape)
    genealogy = present(GENEALOGY)
    tables = (LOG, LEDGER) + genealogy
    steps = shift_steps(shape, Clock(shape.events))
    result = ShiftResult(engine, shape, steps, genealogy_tables=genealogy)
    flags_before = Flag.select().count()
    worker = Ingest(ingest_settings(db_url, broker), client_id=f"bench-shift-ingest-{engine}").start()
    peer = None
    try:
        if not worker.connected.wait(10):
            raise RuntimeError("the ingest did not connect to the broker")
        peer = Stations(broker, stations(shape))
        expected = 0
        for step in steps:
            before = count_rows(tables)
            expected += len(step.events)
            step.seconds = peer.publish_and_wait(messages(step, shape.per_message), expected, timeout)
            after = count_rows(tables)
            step.rows = {t: after[t] - before[t] for t in tables}
        result.sent = expected
        result.accepted = len(peer.accepted)
        result.rejected = list(peer.rejected.values())
    finally:
        if peer is not None:
            peer.close()
        worker.stop()
    database.connect(reuse_if_open=True)
    result.applied = worker.stats.events_applied
    result.flags = Flag.select().count() - flags_before
    result.tables = count_rows(tables)
    result.raw_rows, result.raw_seconds = raw_insert()
    return result


# --- the physical limit: the same rows, the bare driver ------------------------------------------

def raw_insert() -> tuple[int, float]:
    """Insert the shift's event log and ledger rows once more with the bare driver, in one transaction.

    PostgreSQL gets them with ``COPY ... FROM STDIN`` (psycopg2), SQLite with ``executemany``
    (sqlite3): each database's fastest bulk path. Event ids are new, ledger ids are left to the
    database; the transaction is rolled back so the database stays as the shift left it.
    Returns (rows, seconds).
    """
    from central.db import database

    q = database.quote
    postgres = isinstance(database.obj, pw.PostgresqlDatabase)
    cursor = database.cursor()
    loads = []
    for table in (LOG, LEDGER):
        columns = [c.name for c in database.get_columns(table) if not (table == LEDGER and c.name == "id")]
        names = ", ".join(c.join(q) for c in columns)
        if postgres:
            picked = ", ".join("md5(random()::text || id::text)::uuid" if table == LOG and c == "id" else c.join(q)
                               for c in columns)
            text = io.StringIO()
            cursor.copy_expert(f"COPY (SELECT {picked} FROM {table.join(q)}) TO STDOUT", text)
            loads.append((f"COPY {table.join(q)} ({names}) FROM STDIN", text, text.getvalue().count("\n")))
            continue
        rows = database.execute_sql(f"SELECT {names} FROM {table.join(q)}").fetchall()
        if table == LOG:
            at = columns.index("id")
            rows = [row[:at] + (uuid.uuid4().hex,) + row[at + 1:] for row in rows]
        loads.append((f"INSERT INTO {table.join(q)} ({names}) VALUES ({', '.join('?' * len(columns))})", rows, len(rows)))
    with database.atomic() as transaction:
        cursor = database.cursor()
        start = time.perf_counter()
        for sql, data, _ in loads:
            if postgres:
                data.seek(0)
                cursor.copy_expert(sql, data)
            else:
                cursor.executemany(sql, data)
        seconds = time.perf_counter() - start
        transaction.rollback()
    return sum(n for _, _, n in loads), seconds


def record_events(events: list, station: str) -> None:
    """Apply events as the ingest does (``record_raw`` in a transaction); all must be accepted."""
    from central.db import database
    from central.recorder import record_raw

    with database.atomic():
        outcome = record_raw([e.to_wire() for e in events], site=SITE, station=station)
    if outcome.rejected:
        raise RuntimeError(f"events of {station} were rejected: {outcome.rejected[:3]}")


# --- handler time by the work order's history -----------------------------------------------------

class History:
    """One work order with issued batches, whose outputs are reported through the recorder or copied."""

    def __init__(self, shape: Shape):
        from central.models import WorkOrder

        self.shape = shape
        self.clock = Clock()
        self.outputs = 0
        self.template: dict | None = None
        self.order_id = WorkOrder.get(WorkOrder.number == HISTORY_ORDER).id
        record_events([self.clock.event("goods.received", GOODS_IN, {
            "item": material(shape, k), "batch": f"H-IN-{k + 1:04}", "qty": "10", "unit_cost": "2.50",
            "location": "STORE"})[1] for k in range(shape.history_issues)], GOODS_IN)
        record_events([self.clock.event("material.issued", HISTORY_STATION, {
            "work_order": HISTORY_ORDER, "batch": f"H-IN-{k + 1:04}", "qty": "10"})[1]
            for k in range(shape.history_issues)], HISTORY_STATION)

    def output(self):
        """The next output.reported of the history work order."""
        self.outputs += 1
        return self.clock.event("output.reported", HISTORY_STATION, {
            "work_order": HISTORY_ORDER, "kind": "main", "item": PRODUCT, "batch": f"H-OUT-{self.outputs:06}",
            "qty": "1"})[1]

    def grow_to(self, level: int) -> None:
        """Bring the work order to ``level`` outputs: the first two through the recorder, then copies."""
        from central.db import database

        while self.outputs < min(level, 2):
            if self.outputs == 1:
                self.template = capture_rows(lambda: record_events([self.output()], HISTORY_STATION))
            else:
                record_events([self.output()], HISTORY_STATION)
        if self.outputs < level:
            copies = level - self.outputs
            copy_rows(self.template, copies, first=self.outputs + 1)
            self.outputs = level
            database.execute_sql("ANALYZE")

    def on_order(self) -> int:
        """Outputs recorded on the history work order."""
        from central.models import WorkOrderOutput

        return WorkOrderOutput.select().where(WorkOrderOutput.work_order == self.order_id).count()

    def time_one(self) -> float:
        """Seconds to apply one more output.reported; rolled back afterwards, so the history stays as it was."""
        from central.db import database
        from central.recorder import record_raw

        raw = self.output().to_wire()
        self.outputs -= 1
        with database.atomic() as transaction:
            start = time.perf_counter()
            with database.atomic():
                outcome = record_raw([raw], site=SITE, station=HISTORY_STATION)
            seconds = time.perf_counter() - start
            transaction.rollback()
        if outcome.rejected or not outcome.applied:
            raise RuntimeError(f"the timed output was not applied: {outcome.rejected}")
        return seconds


def history_figures(shape: Shape, settings, result: ShiftResult) -> None:
    """Time one more output at each level of history (``result.history``)."""
    app = _app(settings)
    with app.app_context():
        history = History(shape)
        for level in shape.levels:
            history.grow_to(level)
            result.history_outputs[level] = history.on_order()
            result.history.append((level, [history.time_one() for _ in range(shape.samples)]))
    result.copied_tables = tuple(m._meta.table_name for m in (history.template or {}))


def _app(settings):
    """An application context like the ingest's (domain code reads the settings from it)."""
    from flask import Flask

    app = Flask("shopfloor.bench")
    app.config["SHOPFLOOR"] = settings
    return app


def _models() -> list:
    """Every model with an integer id, in an order where a row's references come before it."""
    from central.models.base import BaseModel

    found, todo = [], list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo += model.__subclasses__()
        if isinstance(model._meta.primary_key, pw.AutoField):
            found.append(model)
    return pw.sort_models(found)


def capture_rows(action) -> dict:
    """Run ``action`` (one output through the recorder) and return the rows it added that hang off its batch.

    The new batch rows are the roots; a new row is kept when one of its references points to a
    kept row. Rows about other batches (revaluations of earlier outputs) are left out.
    """
    from central.models import Batch

    models = _models()
    before = {m: m.select(pw.fn.MAX(m._meta.primary_key)).scalar() or 0 for m in models}
    action()
    kept: dict = {}
    for m in models:
        pk = m._meta.primary_key
        rows = list(m.select().where(pk > before[m]).order_by(pk).dicts())
        if m is Batch:
            kept[m] = rows
            continue
        refs = [f for f in m._meta.refs if f.rel_model in kept]
        chosen = [r for r in rows if any(r[f.name] in {k[f.rel_field.name] for k in kept[f.rel_model]} for f in refs)]
        if chosen:
            kept[m] = chosen
    if not kept.get(Batch):
        raise RuntimeError("the output wrote no batch row: the history cannot be copied")
    return kept


def copy_rows(template: dict, copies: int, *, first: int) -> None:
    """Insert ``copies`` copies of the template rows, references re-pointed at each copy's own rows.

    A unique text value (the batch code) gets the copy's number; UUIDs (event ids) are new.
    """
    from central.db import database

    chunk = 500
    with database.atomic():
        for start in range(0, copies, chunk):
            ids: dict = {}
            for model in template:
                pk = model._meta.primary_key
                next_id = (model.select(pw.fn.MAX(pk)).scalar() or 0) + 1
                rows = []
                for c in range(start, min(copies, start + chunk)):
                    fresh: dict = {}
                    for row in template[model]:
                        new = dict(row)
                        new[pk.name] = next_id
                        ids[(c, model, row[pk.name])] = next_id
                        next_id += 1
                        for f in model._meta.sorted_fields:
                            value = row[f.name]
                            if value is None or f is pk:
                                continue
                            if isinstance(f, pw.ForeignKeyField):
                                new[f.name] = ids.get((c, f.rel_model, value), value)
                            elif isinstance(f, pw.UUIDField):
                                new[f.name] = fresh.setdefault(value, uuid.uuid4())
                            elif f.unique and isinstance(value, str):
                                new[f.name] = f"{value[:40]}-C{first + c}"
                        rows.append(new)
                per_insert = max(1, 900 // len(model._meta.sorted_fields))
                for i in range(0, len(rows), per_insert):
                    model.insert_many(rows[i:i + per_insert]).execute()
        if isinstance(database.obj, pw.PostgresqlDatabase):
            for model in template:
                table, column = model._meta.table_name, model._meta.primary_key.column_name
                database.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                                     f"(SELECT MAX(\"{column}\") FROM \"{table}\"))")


# --- printing ------------------------------------------------------------------------------------

def report(result: ShiftResult) -> str:
    """The figures of one run, as text."""
    s = result.shape
    lines = [f"\n{result.engine}: {s.work_orders} work orders x {s.issues} material issues x {s.outputs} outputs, "
             f"{s.lines} line stations + goods-in, {s.per_message} events a message, {s.rounds} rounds",
             f"  events: {result.sent:,} sent, {result.accepted:,} accepted, {len(result.rejected)} rejected, "
             f"{result.applied:,} applied by the ingest, {result.flags} flags raised"]
    for r in result.rejected[:5]:
        lines.append(f"    rejected: {r}")
    genealogy = result.genealogy_tables
    head = "  ".join(f"{t + '/ev':>18}" for t in (LEDGER,) + genealogy)
    lines.append(f"  {'event type':<22}{'events':>8}{'seconds':>9}{'events/s':>10}  {head}")
    by_type: dict[str, list[Step]] = {}
    for step in result.steps:
        by_type.setdefault(step.type, []).append(step)
    rows = [(name, steps) for name, steps in by_type.items()] + [("all (end to end)", result.steps)]
    for name, steps in rows:
        events = sum(len(st.events) for st in steps)
        seconds = sum(st.seconds for st in steps)
        per_event = "  ".join(f"{sum(st.rows.get(t, 0) for st in steps) / events:>18.2f}" for t in (LEDGER,) + genealogy)
        lines.append(f"  {name:<22}{events:>8,}{seconds:>9.2f}{events / seconds:>10,.1f}  {per_event}")
    links = sum(result.tables[t] for t in genealogy)
    lines.append(f"  rows after the shift: {result.tables[LOG]:,} events, {result.tables[LEDGER]:,} ledger "
                 f"({result.tables[LEDGER] / max(1, result.sent):.2f} an event; target <= 2), genealogy "
                 + ", ".join(f"{t} {result.tables[t]:,}" for t in genealogy)
                 + f" = {links / max(1, s.work_orders):,.0f} a work order (I + O = {s.issues + s.outputs})")
    mix = result.sent / result.seconds
    raw = result.raw_rows / result.raw_seconds
    lines.append(f"  raw insert of the same rows ({LOG} + {LEDGER}, bare driver bulk insert, one transaction): "
                 f"{result.raw_rows:,} rows in {result.raw_seconds:.2f} s = {raw:,.0f} rows/s "
                 f"= {result.sent / result.raw_seconds:,.0f} events/s")
    lines.append(f"  mix through the ingest: {mix:,.1f} events/s = {mix / (result.sent / result.raw_seconds):.4f}x "
                 f"the raw insert (target >= 1,000 events/s)")
    if result.history:
        lines.append(f"  one more output.reported through the recorder, by outputs already on one work order "
                     f"({s.history_issues} issued batches; copied rows: {', '.join(result.copied_tables)}):")
        for level, samples in result.history:
            ordered = sorted(samples)
            lines.append(f"    {level:>7,} outputs (counted {result.history_outputs[level]:,}): median "
                         f"{statistics.median(ordered) * 1000:9.1f} ms   max {ordered[-1] * 1000:9.1f} ms   "
                         f"(n={len(ordered)}; target median <= 5 ms)")
    return "\n".join(lines)


def run(shape: Shape, folder: Path, broker: Broker, engine: str, url: str = "", history: bool = True) -> ShiftResult:
    """One database: the shift through the ingest, then the handler times by history."""
    from central.db import database

    db_url = central_database(folder, stations(shape), url=url)
    try:
        result = run_shift(shape, broker, db_url, engine)
        if history:
            history_figures(shape, ingest_settings(db_url, broker), result)
    finally:
        if not database.is_closed():
            database.close()
    return result


def main(argv: list[str] | None = None) -> list[ShiftResult]:
    """Parse arguments, run on SQLite (and PostgreSQL), print the figures; returns what was measured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small shape: 2 x 5 x 20, levels 1, 10, 100")
    parser.add_argument("--work-orders", type=int)
    parser.add_argument("--issues", type=int)
    parser.add_argument("--outputs", type=int)
    parser.add_argument("--levels", help="outputs already on the work order, comma-separated (default 1,100,1000,10000)")
    parser.add_argument("--samples", type=int, help="timed outputs per level")
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL database URL (emptied first)")
    parser.add_argument("--no-sqlite", action="store_true", help="run on PostgreSQL only")
    args = parser.parse_args(argv)
    shape = QUICK if args.quick else Shape()
    for name in ("work_orders", "issues", "outputs", "samples"):
        if getattr(args, name) is not None:
            shape = replace(shape, **{name: getattr(args, name)})
    if args.levels:
        shape = replace(shape, levels=tuple(sorted(int(v) for v in args.levels.split(","))))
    folder = workdir()
    broker = Broker(folder, extra="set_tcp_nodelay true\n")
    results = []
    try:
        for engine, url in (("SQLite", ""), ("PostgreSQL", args.postgres)):
            if (engine == "SQLite" and not args.no_sqlite) or url:
                results.append(run(shape, folder, broker, engine, url=url))
                print(report(results[-1]), flush=True)
    finally:
        broker.stop()
    return results


if __name__ == "__main__":
    main()
