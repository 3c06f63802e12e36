"""Server-side web sessions; token scopes and expiry; when a password was last changed; sign-in counters."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the session table and the new user and token columns (old tokens keep every scope)."""

    migrator.add_fields('user', password_changed_at=pw.DateTimeField(null=True))
    migrator.add_fields(
        'api_token',
        scopes=pw.CharField(default='read moves cost override write', max_length=64),
        expires_at=pw.DateTimeField(null=True))

    @migrator.create_model
    class WebSession(pw.Model):
        id = pw.AutoField()
        key_hash = pw.CharField(max_length=64, unique=True)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        created_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()
        ended_at = pw.DateTimeField(null=True)
        end_reason = pw.CharField(max_length=32, null=True)
        client = pw.CharField(default='', max_length=64)

        class Meta:
            table_name = "web_session"
            indexes = [(('user', 'ended_at'), False)]

    @migrator.create_model
    class RateCounter(pw.Model):
        key = pw.CharField(max_length=255, primary_key=True)
        count = pw.IntegerField(default=0)
        expires_at = pw.DoubleField(index=True)

        class Meta:
            table_name = "rate_counter"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.remove_model('rate_counter')
    migrator.remove_model('web_session')
    migrator.remove_fields('api_token', 'scopes', 'expires_at')
    migrator.remove_fields('user', 'password_changed_at')
