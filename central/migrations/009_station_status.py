"""A station's online/offline status, as its retained status topic and last will say."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the status and when it was read."""

    migrator.add_fields(
        'station',
        status=pw.CharField(max_length=16, null=True),
        status_at=pw.DateTimeField(null=True))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.remove_fields('station', 'status', 'status_at')
