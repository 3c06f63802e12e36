"""Operators assigned to work-order stages, with any certification override and its reason."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the stage assignment table."""

    @migrator.create_model
    class StageAssignment(pw.Model):
        id = pw.AutoField()
        stage = pw.ForeignKeyField(column_name='stage_id', field='id', model=migrator.orm['work_order_stage'], on_delete='CASCADE')
        operator = pw.ForeignKeyField(column_name='operator_id', field='id', model=migrator.orm['operator'], on_delete='RESTRICT')
        assigned_at = pw.DateTimeField()
        assigned_by = pw.CharField(max_length=64)
        problems = pw.TextField(default='')
        override_reason = pw.TextField(null=True)
        overridden_by = pw.CharField(max_length=64, null=True)

        class Meta:
            table_name = "stage_assignment"
            indexes = [(('stage', 'operator'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it again."""

    migrator.remove_model('stage_assignment')
