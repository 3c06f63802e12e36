"""Initial schema: users, tokens, reference data, stations, the event log and flags."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your migrations here."""
    
    @migrator.create_model
    class User(pw.Model):
        id = pw.AutoField()
        username = pw.CharField(max_length=64, unique=True)
        password_hash = pw.CharField(max_length=256)
        role = pw.CharField(default='viewer', max_length=16)
        full_name = pw.CharField(default='', max_length=128)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "user"

    @migrator.create_model
    class ApiToken(pw.Model):
        id = pw.AutoField()
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], on_delete='CASCADE')
        name = pw.CharField(max_length=64)
        token_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)
        revoked = pw.BooleanField(default=False)

        class Meta:
            table_name = "api_token"

    @migrator.create_model
    class EventRecord(pw.Model):
        id = pw.UUIDField(primary_key=True)
        type = pw.CharField(index=True, max_length=64)
        site = pw.CharField(max_length=64)
        station = pw.CharField(index=True, max_length=64)
        seq = pw.BigIntegerField()
        at = pw.DateTimeField(index=True)
        operator = pw.CharField(index=True, max_length=64, null=True)
        payload = pw.TextField()
        received_at = pw.DateTimeField()
        flagged = pw.BooleanField(default=False)

        class Meta:
            table_name = "event_record"
            indexes = [(('station', 'seq'), False)]

    @migrator.create_model
    class Flag(pw.Model):
        id = pw.AutoField()
        event = pw.ForeignKeyField(column_name='event_id', field='id', model=migrator.orm['event_record'], null=True, on_delete='CASCADE')
        kind = pw.CharField(index=True, max_length=64)
        severity = pw.CharField(default='warning', max_length=16)
        message = pw.TextField()
        subject = pw.CharField(default='', index=True, max_length=128)
        created_at = pw.DateTimeField(index=True)
        resolved_at = pw.DateTimeField(null=True)
        resolved_by = pw.CharField(max_length=64, null=True)
        resolution = pw.TextField(null=True)

        class Meta:
            table_name = "flag"

    @migrator.create_model
    class Operator(pw.Model):
        id = pw.AutoField()
        badge = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "operator"

    @migrator.create_model
    class ReasonCode(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        category = pw.CharField(max_length=16)
        description = pw.CharField(default='', max_length=256)
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "reason_code"

    @migrator.create_model
    class Skill(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)

        class Meta:
            table_name = "skill"

    @migrator.create_model
    class WorkCentre(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        labour_rate = pw.BigIntegerField(null=True)
        overhead_rate = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "work_centre"

    @migrator.create_model
    class Station(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        site = pw.CharField(max_length=64)
        name = pw.CharField(default='', max_length=128)
        kind = pw.CharField(default='production', max_length=16)
        work_centre = pw.ForeignKeyField(column_name='work_centre_id', field='id', model=migrator.orm['work_centre'], null=True, on_delete='SET NULL')
        active = pw.BooleanField(default=True)
        last_seen_at = pw.DateTimeField(null=True)
        last_seq = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "station"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Write your rollback migrations here."""
    
    migrator.remove_model('station')

    migrator.remove_model('work_centre')

    migrator.remove_model('skill')

    migrator.remove_model('reason_code')

    migrator.remove_model('operator')

    migrator.remove_model('flag')

    migrator.remove_model('event_record')

    migrator.remove_model('api_token')

    migrator.remove_model('user')
