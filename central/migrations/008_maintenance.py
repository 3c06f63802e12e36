"""Maintenance: areas, lines, assets, technicians, teams, schedules, contractors, templates with
versions, maintenance work orders with assignees, rules, work requests and what is recorded on them."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the maintenance tables."""

    @migrator.create_model
    class Area(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)

        class Meta:
            table_name = "area"

    @migrator.create_model
    class Line(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        area = pw.ForeignKeyField(column_name='area_id', field='id', model=migrator.orm['area'], on_delete='RESTRICT')

        class Meta:
            table_name = "line"

    @migrator.create_model
    class Asset(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        machine = pw.ForeignKeyField(column_name='machine_id', field='id', model=migrator.orm['machine'], null=True, on_delete='SET NULL', unique=True)
        area = pw.ForeignKeyField(column_name='area_id', field='id', model=migrator.orm['area'], null=True, on_delete='SET NULL')
        line = pw.ForeignKeyField(column_name='line_id', field='id', model=migrator.orm['line'], null=True, on_delete='SET NULL')
        location = pw.CharField(default='', max_length=128)
        criticality = pw.CharField(default='medium', max_length=16)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "asset"

    @migrator.create_model
    class MaintenanceTemplate(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        current_version = pw.IntegerField(default=0)
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "maintenance_template"

    @migrator.create_model
    class TemplateVersion(pw.Model):
        id = pw.AutoField()
        template = pw.ForeignKeyField(column_name='template_id', field='id', model=migrator.orm['maintenance_template'], on_delete='CASCADE')
        version = pw.IntegerField()
        title = pw.CharField(max_length=200)
        wo_type = pw.CharField(default='corrective', max_length=16)
        priority = pw.CharField(default='normal', max_length=16)
        description = pw.TextField(default='')
        fields = pw.TextField(default='[]')
        checklist = pw.TextField(default='[]')
        requires_signoff = pw.BooleanField(default=False)
        created_by = pw.CharField(default='', max_length=64)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "template_version"
            indexes = [(('template', 'version'), True)]

    @migrator.create_model
    class MaintenanceWorkOrder(pw.Model):
        id = pw.AutoField()
        number = pw.CharField(max_length=32, unique=True)
        asset = pw.ForeignKeyField(column_name='asset_id', field='id', model=migrator.orm['asset'], on_delete='RESTRICT')
        wo_type = pw.CharField(default='corrective', max_length=16)
        priority = pw.CharField(default='normal', max_length=16)
        status = pw.CharField(default='open', max_length=16)
        title = pw.CharField(max_length=200)
        description = pw.TextField(default='')
        hold_reason = pw.TextField(null=True)
        cancel_reason = pw.TextField(null=True)
        due = pw.DateTimeField(null=True)
        source = pw.CharField(default='manual', max_length=16)
        template_version = pw.ForeignKeyField(column_name='template_version_id', field='id', model=migrator.orm['template_version'], null=True, on_delete='RESTRICT')
        parent = pw.ForeignKeyField(column_name='parent_id', field='id', model='self', null=True, on_delete='SET NULL')
        required_skill = pw.ForeignKeyField(column_name='required_skill_id', field='id', model=migrator.orm['skill'], null=True, on_delete='SET NULL')
        requires_signoff = pw.BooleanField(default=False)
        signed_off_by = pw.CharField(max_length=64, null=True)
        signed_off_at = pw.DateTimeField(null=True)
        flagged = pw.BooleanField(default=False)
        created_by = pw.CharField(default='', max_length=64)
        created_at = pw.DateTimeField()
        started_at = pw.DateTimeField(null=True)
        done_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "maintenance_work_order"
            indexes = [(('asset', 'created_at'), False), (('status', 'created_at'), False)]

    @migrator.create_model
    class Technician(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        user = pw.ForeignKeyField(column_name='user_id', field='id', model=migrator.orm['user'], null=True, on_delete='SET NULL', unique=True)
        operator = pw.ForeignKeyField(column_name='operator_id', field='id', model=migrator.orm['operator'], null=True, on_delete='SET NULL', unique=True)
        hourly_rate = pw.BigIntegerField(default=0)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "technician"

    @migrator.create_model
    class Team(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)

        class Meta:
            table_name = "team"

    @migrator.create_model
    class AssignmentRule(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=128)
        position = pw.IntegerField(default=100)
        area = pw.ForeignKeyField(column_name='area_id', field='id', model=migrator.orm['area'], null=True, on_delete='CASCADE')
        asset = pw.ForeignKeyField(column_name='asset_id', field='id', model=migrator.orm['asset'], null=True, on_delete='CASCADE')
        wo_type = pw.CharField(max_length=16, null=True)
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'], null=True, on_delete='CASCADE')
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], null=True, on_delete='CASCADE')
        team = pw.ForeignKeyField(column_name='team_id', field='id', model=migrator.orm['team'], null=True, on_delete='CASCADE')
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "assignment_rule"

    @migrator.create_model
    class Assignee(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE')
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], on_delete='RESTRICT')
        active = pw.BooleanField(default=True)
        rule = pw.ForeignKeyField(column_name='rule_id', field='id', model=migrator.orm['assignment_rule'], null=True, on_delete='SET NULL')
        why = pw.TextField(default='')
        assigned_by = pw.CharField(default='', max_length=64)
        assigned_at = pw.DateTimeField()
        removed_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "assignee"
            indexes = [(('technician', 'active'), False), (('work_order', 'active'), False)]

    @migrator.create_model
    class CheckResult(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE')
        step = pw.IntegerField()
        result = pw.CharField(max_length=16)
        reading = pw.BigIntegerField(null=True)
        ok = pw.BooleanField(default=True)
        note = pw.TextField(default='')
        by = pw.CharField(default='', max_length=64)
        at = pw.DateTimeField()

        class Meta:
            table_name = "check_result"
            indexes = [(('work_order', 'step'), True)]

    @migrator.create_model
    class Contractor(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        company = pw.CharField(max_length=128)
        trade = pw.CharField(default='', max_length=64)
        contact = pw.CharField(default='', max_length=128)
        phone = pw.CharField(default='', max_length=64)
        email = pw.CharField(default='', max_length=128)
        hourly_rate = pw.BigIntegerField(null=True)
        callout_fee = pw.BigIntegerField(null=True)
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "contractor"

    @migrator.create_model
    class ContractorJob(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE')
        contractor = pw.ForeignKeyField(column_name='contractor_id', field='id', model=migrator.orm['contractor'], on_delete='RESTRICT')
        agreed_price = pw.BigIntegerField()
        scope = pw.TextField(default='')
        added_by = pw.CharField(default='', max_length=64)
        added_at = pw.DateTimeField()

        class Meta:
            table_name = "contractor_job"

    @migrator.create_model
    class FieldValue(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE')
        name = pw.CharField(max_length=64)
        value = pw.TextField()
        set_by = pw.CharField(default='', max_length=64)
        set_at = pw.DateTimeField()

        class Meta:
            table_name = "field_value"
            indexes = [(('work_order', 'name'), True)]

    @migrator.create_model
    class LogEntry(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE')
        kind = pw.CharField(default='note', max_length=16)
        text = pw.TextField()
        by = pw.CharField(default='', max_length=64)
        at = pw.DateTimeField()

        class Meta:
            table_name = "log_entry"

    @migrator.create_model
    class OnCall(pw.Model):
        id = pw.AutoField()
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], on_delete='CASCADE')
        starts_at = pw.DateTimeField()
        ends_at = pw.DateTimeField()

        class Meta:
            table_name = "on_call"
            indexes = [(('starts_at', 'ends_at'), False)]

    @migrator.create_model
    class PartUse(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='RESTRICT')
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'], null=True, on_delete='RESTRICT')
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], on_delete='RESTRICT')
        qty = pw.BigIntegerField()
        value = pw.BigIntegerField()
        flagged = pw.BooleanField(default=False)
        by = pw.CharField(default='', max_length=64)
        at = pw.DateTimeField()

        class Meta:
            table_name = "part_use"

    @migrator.create_model
    class Shift(pw.Model):
        id = pw.AutoField()
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], on_delete='CASCADE')
        weekday = pw.IntegerField()
        start_minute = pw.IntegerField()
        minutes = pw.IntegerField()

        class Meta:
            table_name = "shift"

    @migrator.create_model
    class TeamMember(pw.Model):
        id = pw.AutoField()
        team = pw.ForeignKeyField(column_name='team_id', field='id', model=migrator.orm['team'], on_delete='CASCADE')
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], on_delete='CASCADE')

        class Meta:
            table_name = "team_member"
            indexes = [(('team', 'technician'), True)]

    @migrator.create_model
    class TimeEntry(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], on_delete='CASCADE')
        technician = pw.ForeignKeyField(column_name='technician_id', field='id', model=migrator.orm['technician'], on_delete='RESTRICT')
        started_at = pw.DateTimeField()
        ended_at = pw.DateTimeField(null=True)
        minutes = pw.BigIntegerField(null=True)
        hourly_rate = pw.BigIntegerField(default=0)
        cost = pw.BigIntegerField(null=True)
        note = pw.TextField(default='')
        entered_by = pw.CharField(default='', max_length=64)

        class Meta:
            table_name = "time_entry"
            indexes = [(('technician', 'ended_at'), False)]

    @migrator.create_model
    class WorkRequest(pw.Model):
        id = pw.AutoField()
        number = pw.CharField(max_length=32, unique=True)
        token = pw.CharField(max_length=64, unique=True)
        asset = pw.ForeignKeyField(column_name='asset_id', field='id', model=migrator.orm['asset'], on_delete='RESTRICT')
        description = pw.TextField()
        reporter = pw.CharField(default='', max_length=128)
        reported_by = pw.CharField(max_length=64, null=True)
        status = pw.CharField(default='new', max_length=16)
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['maintenance_work_order'], null=True, on_delete='SET NULL')
        decision = pw.TextField(null=True)
        decided_by = pw.CharField(max_length=64, null=True)
        decided_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "work_request"
            indexes = [(('status', 'created_at'), False), (('asset', 'created_at'), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again, dependants first."""

    migrator.remove_model('work_request')
    migrator.remove_model('time_entry')
    migrator.remove_model('team_member')
    migrator.remove_model('shift')
    migrator.remove_model('part_use')
    migrator.remove_model('on_call')
    migrator.remove_model('log_entry')
    migrator.remove_model('field_value')
    migrator.remove_model('contractor_job')
    migrator.remove_model('contractor')
    migrator.remove_model('check_result')
    migrator.remove_model('assignee')
    migrator.remove_model('assignment_rule')
    migrator.remove_model('team')
    migrator.remove_model('technician')
    migrator.remove_model('maintenance_work_order')
    migrator.remove_model('template_version')
    migrator.remove_model('maintenance_template')
    migrator.remove_model('asset')
    migrator.remove_model('line')
    migrator.remove_model('area')
