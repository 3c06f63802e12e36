"""Weekly shifts keep the time zone their times are in, so a 06:00 shift starts at 06:00 on the
plant's clocks in summer and in winter."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add ``shift.zone``; shifts made before it were in UTC."""

    migrator.add_fields('shift', zone=pw.CharField(max_length=64, default='UTC'))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it again."""

    migrator.remove_fields('shift', 'zone')
