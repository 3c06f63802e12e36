"""SSCCs handed out for logistic (pallet) labels."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the SSCC label table."""

    @migrator.create_model
    class SsccLabel(pw.Model):
        id = pw.AutoField()
        sscc = pw.CharField(max_length=18, unique=True)
        batch = pw.CharField(index=True, max_length=64, null=True)
        dispatch = pw.CharField(index=True, max_length=128, null=True)
        created_by = pw.CharField(max_length=64)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "sscc_label"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it again."""

    migrator.remove_model('sscc_label')
