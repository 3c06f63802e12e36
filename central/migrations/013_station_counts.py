"""What a station last said about itself in its retained status: events waiting, dead letters, config held."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the outbox queue depth, the dead-letter count and the config version a station reported."""

    migrator.add_fields(
        'station',
        queue_depth=pw.IntegerField(null=True),
        dead_letters=pw.IntegerField(null=True),
        config_version=pw.CharField(max_length=64, null=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.remove_fields('station', 'queue_depth', 'dead_letters', 'config_version')
