"""What a station last said about itself in its retained status (events waiting, dead letters, config held),
and indexes that find an operator's recent stages and outputs by badge."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the outbox queue depth, the dead-letter count and the config version a station reported."""

    migrator.add_fields(
        'station',
        queue_depth=pw.IntegerField(null=True),
        dead_letters=pw.IntegerField(null=True),
        config_version=pw.CharField(max_length=64, null=True))
    migrator.add_index('work_order_stage', 'started_by')
    migrator.add_index('work_order_stage', 'completed_by')
    migrator.add_index('work_order_output', 'operator')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.drop_index('work_order_output', 'operator')
    migrator.drop_index('work_order_stage', 'completed_by')
    migrator.drop_index('work_order_stage', 'started_by')
    migrator.remove_fields('station', 'queue_depth', 'dead_letters', 'config_version')
