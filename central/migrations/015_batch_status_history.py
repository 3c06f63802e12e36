"""A batch's status history (who, when, why) and an index to find a batch by its supplier's lot."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the history table and index the supplier lot."""

    @migrator.create_model
    class BatchStatusChange(pw.Model):
        id = pw.AutoField()
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'],
                                   on_delete='CASCADE')
        from_status = pw.CharField(max_length=16)
        to_status = pw.CharField(max_length=16)
        reason = pw.TextField(default='')
        changed_by = pw.CharField(max_length=64)
        at = pw.DateTimeField()

        class Meta:
            table_name = "batch_status_change"
            indexes = [(('batch', 'at'), False)]

    migrator.add_index('batch', 'supplier_lot', unique=False)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.drop_index('batch', 'supplier_lot')
    migrator.remove_model('batch_status_change')
