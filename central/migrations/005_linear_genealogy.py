"""Genealogy stored linearly and costs settled once.

``batch_link`` (every consumed batch × every output batch of a work order) gives way to
``work_order_input`` (batch → work order), which with ``work_order_output`` (work order → batch)
carries the same genealogy in I + O rows. Existing links are rebuilt from the ledger, from which
they were derived. Adds ``parked_issue`` (issues of batches not known yet), the work order's
``settled_at`` and ``provisional_costs`` and the recipe output's ``settled_unit_cost`` (the next provisional cost).
"""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create work_order_input and parked_issue, fill the inputs from the ledger, drop batch_link."""

    @migrator.create_model
    class WorkOrderInput(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], on_delete='CASCADE')
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'], on_delete='RESTRICT')
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        qty = pw.BigIntegerField(default=0)

        class Meta:
            table_name = "work_order_input"
            indexes = [(('work_order', 'batch'), True)]

    @migrator.create_model
    class ParkedIssue(pw.Model):
        id = pw.AutoField()
        batch_code = pw.CharField(index=True, max_length=64)
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], on_delete='CASCADE')
        item = pw.CharField(max_length=64, null=True)
        unit = pw.CharField(max_length=16, null=True)
        qty = pw.BigIntegerField()
        operator = pw.CharField(max_length=64, null=True)
        event_id = pw.UUIDField(unique=True)
        at = pw.DateTimeField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "parked_issue"

    migrator.add_fields('work_order', settled_at=pw.DateTimeField(null=True), provisional_costs=pw.TextField(null=True))
    migrator.add_fields('recipe_output', settled_unit_cost=pw.BigIntegerField(null=True))
    migrator.sql(
        "INSERT INTO work_order_input (work_order_id, batch_id, item_id, qty) "
        "SELECT work_order_id, batch_id, item_id, -SUM(qty) FROM stock_move "
        "WHERE work_order_id IS NOT NULL AND batch_id IS NOT NULL AND kind IN ('issue', 'backflush') "
        "GROUP BY work_order_id, batch_id, item_id HAVING SUM(qty) < 0")
    migrator.sql("UPDATE work_order SET settled_at = completed_at WHERE status = 'done'")
    migrator.remove_model('batch_link')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Bring batch_link back, derived again from the inputs and outputs."""

    @migrator.create_model
    class BatchLink(pw.Model):
        id = pw.AutoField()
        parent = pw.ForeignKeyField(column_name='parent_id', field='id', model=migrator.orm['batch'], on_delete='RESTRICT')
        child = pw.ForeignKeyField(column_name='child_id', field='id', model=migrator.orm['batch'], on_delete='RESTRICT')
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], null=True, on_delete='CASCADE')
        qty = pw.BigIntegerField()

        class Meta:
            table_name = "batch_link"
            indexes = [(('parent', 'child'), False), (('child', 'parent'), False), (('work_order',), False)]

    migrator.sql(
        "INSERT INTO batch_link (parent_id, child_id, work_order_id, qty) "
        "SELECT i.batch_id, o.batch_id, o.work_order_id, i.qty FROM work_order_input i "
        "JOIN work_order_output o ON o.work_order_id = i.work_order_id AND o.batch_id <> i.batch_id WHERE i.qty > 0")
    migrator.remove_fields('recipe_output', 'settled_unit_cost')
    migrator.remove_fields('work_order', 'settled_at', 'provisional_costs')
    migrator.remove_model('parked_issue')
    migrator.remove_model('work_order_input')
