"""Certifications, machines, skill requirements, reason occurrences and stop/start marks."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the certification and reason-analysis tables."""

    @migrator.create_model
    class Certification(pw.Model):
        id = pw.AutoField()
        operator = pw.ForeignKeyField(column_name='operator_id', field='id', model=migrator.orm['operator'], on_delete='CASCADE')
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'], on_delete='RESTRICT')
        level = pw.IntegerField(default=1)
        issued = pw.DateField()
        expires = pw.DateField(index=True, null=True)
        issued_by = pw.CharField(default='', max_length=128)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "certification"
            indexes = [(('operator', 'skill'), False)]

    @migrator.create_model
    class Machine(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        work_centre = pw.ForeignKeyField(column_name='work_centre_id', field='id', model=migrator.orm['work_centre'], null=True, on_delete='SET NULL')
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "machine"

    @migrator.create_model
    class MachineSkill(pw.Model):
        id = pw.AutoField()
        machine = pw.ForeignKeyField(column_name='machine_id', field='id', model=migrator.orm['machine'], on_delete='CASCADE')
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'], on_delete='CASCADE')
        min_level = pw.IntegerField(default=1)

        class Meta:
            table_name = "machine_skill"
            indexes = [(('machine', 'skill'), True)]

    @migrator.create_model
    class ReasonEvent(pw.Model):
        id = pw.AutoField()
        event = pw.ForeignKeyField(column_name='event_id', field='id', model=migrator.orm['event_record'], on_delete='CASCADE', unique=True)
        reason = pw.ForeignKeyField(column_name='reason_id', field='id', model=migrator.orm['reason_code'], on_delete='RESTRICT')
        category = pw.CharField(index=True, max_length=16)
        event_type = pw.CharField(max_length=64)
        at = pw.DateTimeField(index=True)
        station = pw.CharField(max_length=64)
        work_centre = pw.ForeignKeyField(column_name='work_centre_id', field='id', model=migrator.orm['work_centre'], null=True, on_delete='SET NULL')
        work_order = pw.CharField(index=True, max_length=64, null=True)
        stage = pw.IntegerField(null=True)
        item = pw.CharField(index=True, max_length=64, null=True)
        operator = pw.CharField(index=True, max_length=64, null=True)
        qty = pw.BigIntegerField(null=True)
        minutes = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "reason_event"

    @migrator.create_model
    class StopMark(pw.Model):
        id = pw.AutoField()
        event = pw.ForeignKeyField(column_name='event_id', field='id', model=migrator.orm['event_record'], on_delete='CASCADE', unique=True)
        scope = pw.CharField(max_length=160)
        kind = pw.CharField(max_length=8)
        at = pw.DateTimeField()
        seq = pw.BigIntegerField()

        class Meta:
            table_name = "stop_mark"
            indexes = [(('scope', 'at'), False)]

    @migrator.create_model
    class WorkCentreSkill(pw.Model):
        id = pw.AutoField()
        work_centre = pw.ForeignKeyField(column_name='work_centre_id', field='id', model=migrator.orm['work_centre'], on_delete='CASCADE')
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'], on_delete='CASCADE')
        min_level = pw.IntegerField(default=1)

        class Meta:
            table_name = "work_centre_skill"
            indexes = [(('work_centre', 'skill'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    migrator.remove_model('work_centre_skill')
    migrator.remove_model('stop_mark')
    migrator.remove_model('reason_event')
    migrator.remove_model('machine_skill')
    migrator.remove_model('machine')
    migrator.remove_model('certification')
