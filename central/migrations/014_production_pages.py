"""What the work-order, stock, ledger and event-log pages read by: a work order's status reason, the event
log's work order and batch, and indexes for their keyset pages."""

import peewee as pw
from peewee_migrate import Migrator


def _backfill(database: pw.Database) -> None:
    """Copy ``data.work_order`` and ``data.batch`` of the events already logged into their columns (one statement)."""
    if isinstance(database, pw.PostgresqlDatabase):
        data = "(CAST(payload AS json) -> 'data')"
        database.execute_sql(f"UPDATE event_record SET work_order = {data} ->> 'work_order', batch = {data} ->> 'batch'")
    else:
        database.execute_sql("UPDATE event_record SET work_order = json_extract(payload, '$.data.work_order'), "
                             "batch = json_extract(payload, '$.data.batch')")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the columns, fill the event log's from its payloads, add the indexes."""

    migrator.add_fields('work_order', status_reason=pw.CharField(max_length=500, null=True))
    migrator.add_fields(
        'event_record',
        work_order=pw.CharField(max_length=64, null=True, index=True),
        batch=pw.CharField(max_length=64, null=True, index=True))
    migrator.add_index('event_record', 'at', 'id', unique=False)
    migrator.add_index('event_record', 'type', 'at', 'id', unique=False)
    migrator.add_index('event_record', 'flagged', 'at', 'id', unique=False)
    migrator.add_index('stock_move', 'item', 'at', 'id', unique=False)
    migrator.add_index('stock_move', 'location', 'at', 'id', unique=False)
    migrator.add_index('stock_balance', 'item', 'id', unique=False)
    migrator.add_index('stock_balance', 'location', 'item', 'id', unique=False)
    migrator.run(_backfill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.drop_index('stock_balance', 'location', 'item', 'id')
    migrator.drop_index('stock_balance', 'item', 'id')
    migrator.drop_index('stock_move', 'location', 'at', 'id')
    migrator.drop_index('stock_move', 'item', 'at', 'id')
    migrator.drop_index('event_record', 'flagged', 'at', 'id')
    migrator.drop_index('event_record', 'type', 'at', 'id')
    migrator.drop_index('event_record', 'at', 'id')
    migrator.remove_fields('event_record', 'work_order', 'batch')
    migrator.remove_fields('work_order', 'status_reason')
