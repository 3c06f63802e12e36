"""A work order's stage keeps the work centre's rate per minute from the work order's first
settlement, so a fact arriving after completion does not re-price every stage at today's rates."""

import peewee as pw
from peewee_migrate import Migrator


def _backfill(database: pw.Database) -> None:
    """Stages of work orders already settled keep their work centre's present rate (one statement)."""
    database.execute_sql(
        "UPDATE work_order_stage SET rate = (SELECT COALESCE(c.labour_rate, 0) + COALESCE(c.overhead_rate, 0) "
        "FROM work_centre c WHERE c.id = work_order_stage.work_centre_id) "
        "WHERE work_order_id IN (SELECT id FROM work_order WHERE settled_at IS NOT NULL)")


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add ``work_order_stage.rate`` and fill it for settled work orders."""

    migrator.add_fields('work_order_stage', rate=pw.BigIntegerField(null=True))  # millionths, as every amount
    migrator.run(_backfill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it again."""

    migrator.remove_fields('work_order_stage', 'rate')
