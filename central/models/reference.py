"""Reference data every part of the plant names: work centres, skills, operators, reason codes."""
from __future__ import annotations

import peewee as pw

from central.models.base import BaseModel, utcnow
from central.models.fields import FixedDecimalField

REASON_CATEGORIES = ("scrap", "delay", "downtime", "quality", "failure", "cause", "remedy")


class WorkCentre(BaseModel):
    """A group of machines or a line; carries labour and overhead rates per minute."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    labour_rate = FixedDecimalField(null=True)  # cost per minute
    overhead_rate = FixedDecimalField(null=True)  # cost per minute


class Skill(BaseModel):
    """Something an operator can be certified for."""

    code = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")


class Operator(BaseModel):
    """A person on the floor, identified by the badge they scan."""

    badge = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=128, default="")
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)


class ReasonCode(BaseModel):
    """A structured reason for scrap, a delay, downtime or a quality problem."""

    code = pw.CharField(max_length=64, unique=True)
    category = pw.CharField(max_length=16)
    description = pw.CharField(max_length=256, default="")
    active = pw.BooleanField(default=True)
