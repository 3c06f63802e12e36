"""Maintenance driven by the floor: downtime reports, machine counters, preventive schedules and
what they made, safety-block overrides, technicians' notifications; failure, cause and remedy
codes on maintenance work orders."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the code columns and create the tables."""

    migrator.add_fields(
        'maintenance_work_order',

        failure_code=pw.CharField(index=True, max_length=64, null=True),
        cause_code=pw.CharField(max_length=64, null=True),
        remedy_code=pw.CharField(max_length=64, null=True))

    @migrator.create_model
    class Downtime(pw.Model):
        id = pw.AutoField()
        down_event = pw.ForeignKeyField(column_name='down_event_id', field='id', model=migrator.orm['event_record'], on_delete='CASCADE', unique=True)
        asset = pw.ForeignKeyField(column_name='asset_id', field='id', model=migrator.orm['asset'], null=True, on_delete='SET NULL')
        machine = pw.CharField(default='', max_length=64)
        station = pw.CharField(max_length=64)
        operator = pw.CharField(max_length=64, null=True)
        reason = pw.CharField(max_length=64)
        note = pw.TextField(default='')
        down_at = pw.DateTimeField()
        up_event = pw.ForeignKeyField(column_name='up_event_id', field='id', model=migrator.orm['event_record'], null=True, on_delete='SET NULL')
        up_at = pw.DateTimeField(null=True)
        minutes = pw.BigIntegerField(null=True)
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], null=True, on_delete='SET NULL')

        class Meta:
            table_name = "downtime"
            indexes = [(('machine', 'up_at'), False), (('asset', 'down_at'), False)]

    @migrator.create_model
    class MachineCounter(pw.Model):
        id = pw.AutoField()
        machine = pw.ForeignKeyField(column_name='machine_id', field='id', model=migrator.orm['machine'], on_delete='CASCADE', unique=True)
        output_cycles = pw.BigIntegerField(default=0)
        counter_cycles = pw.BigIntegerField(default=0)
        last_reading = pw.BigIntegerField(null=True)
        last_reading_at = pw.DateTimeField(null=True)
        resets = pw.IntegerField(default=0)
        run_seconds = pw.BigIntegerField(default=0)
        running_since = pw.DateTimeField(null=True)
        down = pw.BooleanField(default=False)
        changed_at = pw.DateTimeField()

        class Meta:
            table_name = "machine_counter"

    @migrator.create_model
    class MaintenanceSchedule(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        asset = pw.ForeignKeyField(column_name='asset_id', field='id', model=migrator.orm['asset'], on_delete='RESTRICT')
        template = pw.ForeignKeyField(column_name='template_id', field='id', model=migrator.orm['maintenance_template'], on_delete='RESTRICT')
        trigger = pw.CharField(max_length=16)
        interval = pw.BigIntegerField()
        floating = pw.BooleanField(default=False)
        cycle_source = pw.CharField(default='outputs', max_length=16)
        lead = pw.BigIntegerField(default=0)
        safety_critical = pw.BooleanField(default=False)
        active = pw.BooleanField(default=True)
        due_at = pw.DateTimeField(null=True)
        baseline = pw.BigIntegerField(default=0)
        overdue_since = pw.DateTimeField(null=True)
        period = pw.IntegerField(default=0)
        occurrences = pw.IntegerField(default=0)
        open_work_order = pw.ForeignKeyField(column_name='open_work_order_id', field='id', model=migrator.orm['maintenance_work_order'], null=True, on_delete='SET NULL')
        last_done_at = pw.DateTimeField(null=True)
        problem = pw.TextField(null=True)
        created_by = pw.CharField(default='', max_length=64)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "maintenance_schedule"

    @migrator.create_model
    class ScheduleRun(pw.Model):
        id = pw.AutoField()
        schedule = pw.ForeignKeyField(column_name='schedule_id', field='id', model=migrator.orm['maintenance_schedule'], on_delete='CASCADE')
        number = pw.IntegerField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE', unique=True)
        due_at = pw.DateTimeField(null=True)
        due_value = pw.BigIntegerField(null=True)
        made_by = pw.CharField(default='', max_length=64)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "schedule_run"
            indexes = [(('schedule', 'number'), True)]

    @migrator.create_model
    class BlockOverride(pw.Model):
        id = pw.AutoField()
        schedule = pw.ForeignKeyField(column_name='schedule_id', field='id', model=migrator.orm['maintenance_schedule'], on_delete='CASCADE')
        period = pw.IntegerField()
        reason = pw.TextField()
        by = pw.CharField(max_length=64)
        at = pw.DateTimeField()

        class Meta:
            table_name = "block_override"
            indexes = [(('schedule', 'period'), True)]

    @migrator.create_model
    class Notification(pw.Model):
        id = pw.AutoField()
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], on_delete='CASCADE')
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], null=True, on_delete='CASCADE')
        text = pw.TextField()
        created_at = pw.DateTimeField()
        read_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "notification"
            indexes = [(('technician', 'read_at'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again."""

    for table in ("notification", "block_override", "schedule_run", "maintenance_schedule", "machine_counter",
                  "downtime"):
        migrator.remove_model(table)
    migrator.remove_fields('maintenance_work_order', 'failure_code', 'cause_code', 'remedy_code')
