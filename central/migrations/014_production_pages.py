"""What the work-order, stock, ledger and event-log pages read by: a work order's status reason, the event
log's work order and batch, and indexes for their keyset pages."""

import json

import peewee as pw
from peewee_migrate import Migrator

CHUNK = 2000


def _backfill(database: pw.Database) -> None:
    """Copy ``data.work_order`` and ``data.batch`` of the events already logged into their columns."""
    last = ""
    while True:
        rows = database.execute_sql(
            "SELECT id, payload FROM event_record WHERE CAST(id AS TEXT) > %s ORDER BY CAST(id AS TEXT) LIMIT %d"
            .replace("%s", database.param).replace("%d", str(CHUNK)), (last,)).fetchall()
        if not rows:
            return
        for row_id, payload in rows:
            data = json.loads(payload).get("data") or {}
            wo, batch = data.get("work_order"), data.get("batch")
            if isinstance(wo, str) or isinstance(batch, str):
                database.execute_sql(
                    f"UPDATE event_record SET work_order = {database.param}, batch = {database.param} "
                    f"WHERE id = {database.param}",
                    (wo if isinstance(wo, str) else None, batch if isinstance(batch, str) else None, row_id))
        last = str(rows[-1][0])


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the columns, fill the event log's from its payloads, add the indexes."""

    migrator.add_fields('work_order', status_reason=pw.CharField(max_length=500, null=True))
    migrator.add_fields(
        'event_record',
        work_order=pw.CharField(max_length=64, null=True, index=True),
        batch=pw.CharField(max_length=64, null=True, index=True))
    migrator.add_index('event_record', 'at', 'id', unique=False)
    migrator.add_index('stock_move', 'item', 'id', unique=False)
    migrator.add_index('stock_move', 'location', 'id', unique=False)
    migrator.add_index('stock_balance', 'item', 'id', unique=False)
    migrator.add_index('stock_balance', 'location', 'item', 'id', unique=False)
    migrator.run(_backfill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.drop_index('stock_balance', 'location', 'item', 'id')
    migrator.drop_index('stock_balance', 'item', 'id')
    migrator.drop_index('stock_move', 'location', 'id')
    migrator.drop_index('stock_move', 'item', 'id')
    migrator.drop_index('event_record', 'at', 'id')
    migrator.remove_fields('event_record', 'work_order', 'batch')
    migrator.remove_fields('work_order', 'status_reason')
