"""Maintenance: assets (machines in areas and lines), technicians, teams and their schedules,
maintenance work orders with their assignees, and work requests from the floor."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.fields import FixedDecimalField
from central.models.people import Machine
from central.models.reference import Operator, Skill
from central.models.users import User

CRITICALITIES = ("low", "medium", "high", "critical")
MWO_TYPES = ("corrective", "preventive", "inspection", "other")
PRIORITIES = ("low", "normal", "high", "urgent")
MWO_STATUSES = ("open", "assigned", "in_progress", "on_hold", "done", "cancelled")
MWO_SOURCES = ("manual", "request", "follow_up", "breakdown", "preventive")
REQUEST_STATUSES = ("new", "approved", "merged", "rejected")


class Area(BaseModel):
    """A part of the plant (a hall, a building); lines belong to one."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")


class Line(BaseModel):
    """A production line inside an area."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    area = pw.ForeignKeyField(Area, backref="lines", on_delete="RESTRICT")


class Asset(BaseModel):
    """Something technicians keep running: a machine (linked by ``machine``) or other equipment."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    machine = pw.ForeignKeyField(Machine, null=True, unique=True, backref="assets", on_delete="SET NULL")
    area = pw.ForeignKeyField(Area, null=True, backref="assets", on_delete="SET NULL")
    line = pw.ForeignKeyField(Line, null=True, backref="assets", on_delete="SET NULL")
    location = pw.CharField(max_length=128, default="")
    criticality = pw.CharField(max_length=16, default="medium")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class Technician(BaseModel):
    """Someone who does maintenance: a login with the technician role and/or an operator (whose
    certifications are their skills), with an hourly rate for labour cost."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    user = pw.ForeignKeyField(User, null=True, unique=True, backref="technician", on_delete="SET NULL")
    operator = pw.ForeignKeyField(Operator, null=True, unique=True, backref="technician", on_delete="SET NULL")
    hourly_rate = FixedDecimalField(default=0)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class Team(BaseModel):
    """A group of technicians a rule can assign to (the least loaded member on duty gets it)."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")


class TeamMember(BaseModel):
    """A technician in a team."""

    team = pw.ForeignKeyField(Team, backref="members", on_delete="CASCADE")
    technician = pw.ForeignKeyField(Technician, backref="teams", on_delete="CASCADE")

    class Meta:
        indexes = ((("team", "technician"), True),)


class Shift(BaseModel):
    """A weekly shift: on ``weekday`` (0 Monday) from ``start_minute`` for ``minutes`` (may pass midnight),
    on the clocks of time zone ``zone`` (the site's when it was added)."""

    technician = pw.ForeignKeyField(Technician, backref="shifts", on_delete="CASCADE")
    weekday = pw.IntegerField()
    start_minute = pw.IntegerField()
    minutes = pw.IntegerField()
    zone = pw.CharField(max_length=64, default="UTC")


class OnCall(BaseModel):
    """A period of the on-call calendar: the technician can be called from ``starts_at`` until ``ends_at``."""

    technician = pw.ForeignKeyField(Technician, backref="on_call", on_delete="CASCADE")
    starts_at = pw.DateTimeField()
    ends_at = pw.DateTimeField()

    class Meta:
        indexes = ((("starts_at", "ends_at"), False),)


class Contractor(BaseModel):
    """An outside company called in for work: trade, contact and rates."""

    code = pw.CharField(max_length=64, unique=True)
    company = pw.CharField(max_length=128)
    trade = pw.CharField(max_length=64, default="")
    contact = pw.CharField(max_length=128, default="")
    phone = pw.CharField(max_length=64, default="")
    email = pw.CharField(max_length=128, default="")
    hourly_rate = FixedDecimalField(null=True)
    callout_fee = FixedDecimalField(null=True)
    active = pw.BooleanField(default=True)


class MaintenanceTemplate(BaseModel):
    """A reusable kind of maintenance job; what it asks for lives in its versions."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    current_version = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)


class TemplateVersion(BaseModel):
    """One saved version of a template, never changed again: custom fields and checklist as JSON.

    ``fields``: ``[{"name", "label", "kind", "required", "unit", "min", "max", "choices"}]``;
    ``checklist``: ``[{"text", "kind": tick|pass_fail|reading, "unit", "min", "max"}]``.
    """

    template = pw.ForeignKeyField(MaintenanceTemplate, backref="versions", on_delete="CASCADE")
    version = pw.IntegerField()
    title = pw.CharField(max_length=200)
    wo_type = pw.CharField(max_length=16, default="corrective")
    priority = pw.CharField(max_length=16, default="normal")
    description = pw.TextField(default="")
    fields = pw.TextField(default="[]")
    checklist = pw.TextField(default="[]")
    requires_signoff = pw.BooleanField(default=False)
    created_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("template", "version"), True),)


class MaintenanceWorkOrder(BaseModel):
    """A maintenance job on an asset, with its own lifecycle (see ``central.maintenance.workorders``)."""

    number = pw.CharField(max_length=32, unique=True)
    asset = pw.ForeignKeyField(Asset, backref="work_orders", on_delete="RESTRICT")
    wo_type = pw.CharField(max_length=16, default="corrective")
    priority = pw.CharField(max_length=16, default="normal")
    status = pw.CharField(max_length=16, default="open")
    title = pw.CharField(max_length=200)
    description = pw.TextField(default="")
    hold_reason = pw.TextField(null=True)
    cancel_reason = pw.TextField(null=True)
    due = pw.DateTimeField(null=True)
    source = pw.CharField(max_length=16, default="manual")
    template_version = pw.ForeignKeyField(TemplateVersion, null=True, on_delete="RESTRICT")
    parent = pw.ForeignKeyField("self", null=True, backref="follow_ups", on_delete="SET NULL")
    required_skill = pw.ForeignKeyField(Skill, null=True, on_delete="SET NULL")
    requires_signoff = pw.BooleanField(default=False)
    signed_off_by = pw.CharField(max_length=64, null=True)
    signed_off_at = pw.DateTimeField(null=True)
    flagged = pw.BooleanField(default=False)
    created_by = pw.CharField(max_length=64, default="")
    created_at = pw.DateTimeField(default=utcnow)
    started_at = pw.DateTimeField(null=True)
    done_at = pw.DateTimeField(null=True)
    failure_code = pw.CharField(max_length=64, null=True, index=True)  # reason codes of categories
    cause_code = pw.CharField(max_length=64, null=True)  # failure, cause and remedy, chosen when
    remedy_code = pw.CharField(max_length=64, null=True)  # corrective work is finished

    class Meta:
        table_name = "maintenance_work_order"
        indexes = ((("asset", "created_at"), False), (("status", "created_at"), False))


class AssignmentRule(BaseModel):
    """Who gets new work: empty conditions match anything; the lowest ``position`` that matches wins."""

    name = pw.CharField(max_length=128)
    position = pw.IntegerField(default=100)
    area = pw.ForeignKeyField(Area, null=True, on_delete="CASCADE")
    asset = pw.ForeignKeyField(Asset, null=True, on_delete="CASCADE")
    wo_type = pw.CharField(max_length=16, null=True)
    skill = pw.ForeignKeyField(Skill, null=True, on_delete="CASCADE")
    technician = pw.ForeignKeyField(Technician, null=True, on_delete="CASCADE")
    team = pw.ForeignKeyField(Team, null=True, on_delete="CASCADE")
    active = pw.BooleanField(default=True)


class Assignee(BaseModel):
    """A technician on a work order: who put them there (a person, or a rule and why)."""

    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, backref="assignees", on_delete="CASCADE")
    technician = pw.ForeignKeyField(Technician, backref="assignments", on_delete="RESTRICT")
    active = pw.BooleanField(default=True)
    rule = pw.ForeignKeyField(AssignmentRule, null=True, on_delete="SET NULL")
    why = pw.TextField(default="")
    assigned_by = pw.CharField(max_length=64, default="")
    assigned_at = pw.DateTimeField(default=utcnow)
    removed_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("technician", "active"), False), (("work_order", "active"), False))


class WorkRequest(BaseModel):
    """A problem reported by anyone on the floor; a supervisor turns it into work, merges or rejects it."""

    number = pw.CharField(max_length=32, unique=True)
    token = pw.CharField(max_length=64, unique=True)  # the reporter's link to follow it
    asset = pw.ForeignKeyField(Asset, backref="requests", on_delete="RESTRICT")
    description = pw.TextField()
    reporter = pw.CharField(max_length=128, default="")
    reported_by = pw.CharField(max_length=64, null=True)  # a signed-in user
    status = pw.CharField(max_length=16, default="new")
    work_order = pw.ForeignKeyField(MaintenanceWorkOrder, null=True, backref="requests", on_delete="SET NULL")
    decision = pw.TextField(null=True)
    decided_by = pw.CharField(max_length=64, null=True)
    decided_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("status", "created_at"), False), (("asset", "created_at"), False))
