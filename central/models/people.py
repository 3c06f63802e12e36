"""Who may run what: certifications of operators, machines, and the skills places require."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.production import WorkOrderStage
from central.models.reference import Operator, Skill, WorkCentre


class Certification(BaseModel):
    """An operator's certificate for a skill at a level, valid from ``issued`` through ``expires``.

    Both ends are calendar days in UTC and inclusive; ``expires`` empty means it does not expire.
    """

    operator = pw.ForeignKeyField(Operator, backref="certifications", on_delete="CASCADE")
    skill = pw.ForeignKeyField(Skill, backref="certifications", on_delete="RESTRICT")
    level = pw.IntegerField(default=1)
    issued = pw.DateField()
    expires = pw.DateField(null=True, index=True)
    issued_by = pw.CharField(max_length=128, default="")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("operator", "skill"), False),)


class Machine(BaseModel):
    """A machine in a work centre; it may require skills of whoever runs it."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    work_centre = pw.ForeignKeyField(WorkCentre, null=True, backref="machines", on_delete="SET NULL")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class WorkCentreSkill(BaseModel):
    """A skill (at a minimum level) everyone working at a work centre must hold."""

    work_centre = pw.ForeignKeyField(WorkCentre, backref="skill_requirements", on_delete="CASCADE")
    skill = pw.ForeignKeyField(Skill, backref="work_centre_requirements", on_delete="CASCADE")
    min_level = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("work_centre", "skill"), True),)


class MachineSkill(BaseModel):
    """A skill (at a minimum level) everyone running a machine must hold."""

    machine = pw.ForeignKeyField(Machine, backref="skill_requirements", on_delete="CASCADE")
    skill = pw.ForeignKeyField(Skill, backref="machine_requirements", on_delete="CASCADE")
    min_level = pw.IntegerField(default=1)

    class Meta:
        indexes = ((("machine", "skill"), True),)


class StageAssignment(BaseModel):
    """An operator put on a work-order stage; an override of a failed certification check keeps its reason."""

    stage = pw.ForeignKeyField(WorkOrderStage, backref="assignments", on_delete="CASCADE")
    operator = pw.ForeignKeyField(Operator, backref="assignments", on_delete="RESTRICT")
    assigned_at = pw.DateTimeField(default=utcnow)
    assigned_by = pw.CharField(max_length=64)
    problems = pw.TextField(default="")  # what the certification check found, one per line
    override_reason = pw.TextField(null=True)
    overridden_by = pw.CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("stage", "operator"), True),)
