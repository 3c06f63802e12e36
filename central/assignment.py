"""Putting operators on work-order stages: blocked unless certified, or overridden by a supervisor with a reason.

"Certified for a stage" means holding, on the day checked, the stage's own required skill
and every skill its work centre requires (at their minimum levels).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from central.certification import missing_requirements
from central.db import database
from central.errors import Conflict, Forbidden, NotFound, ValidationError
from central.flags import raise_flag
from central.models import Operator, Skill, StageAssignment, WorkOrder, WorkOrderStage, utcnow
from central.operators import check_code, check_text, get_operator
from central.production import get_work_order
from central.requirements import Requirement, work_centre_requirements

OVERRIDE_ROLES = ("admin", "supervisor")


@dataclass(frozen=True)
class Assigner:
    """Who assigns: their login name and role (only a supervisor or admin may override)."""

    username: str
    role: str


def get_stage(number: str, seq) -> WorkOrderStage:
    """The stage ``seq`` of work order ``number``; NotFound naming the part that is wrong."""
    wo = get_work_order(number)
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise ValidationError("stage", f"must be a stage number, got {seq!r}") from None
    stage = WorkOrderStage.get_or_none(WorkOrderStage.work_order == wo.id, WorkOrderStage.seq == seq)
    if stage is None:
        raise NotFound("stage", f"work order {number} has no stage {seq}")
    return stage


def stage_requirements(stage: WorkOrderStage) -> list[Requirement]:
    """What a stage requires: its work centre's skills plus its own required skill."""
    reqs = work_centre_requirements(stage.work_centre_id)
    if stage.skill_id is not None:
        skill = Skill.get_by_id(stage.skill_id)
        reqs.append(Requirement(skill.id, skill.code, 1, f"stage:{stage.seq}"))
    return reqs


def assign_operator(number: str, seq, badge, by: Assigner, *, override_reason: str | None = None,
                    at: datetime | None = None) -> StageAssignment:
    """Assign an operator to a stage, checked at ``at`` (default now).

    Not certified: a Conflict listing what is missing, unless a supervisor gives an
    ``override_reason``; the override, what it overrode and who did it are kept and flagged.
    """
    badge = check_code("operator", badge)
    reason = check_text("override_reason", override_reason, 1000) or None
    at = at or utcnow()
    with database.atomic():
        stage = get_stage(number, seq)
        operator = get_operator(badge)
        if StageAssignment.select().where(StageAssignment.stage == stage, StageAssignment.operator == operator).exists():
            raise Conflict("operator", f"{badge} is already assigned to stage {stage.seq} of {number}")
        problems = missing_requirements(badge, stage_requirements(stage), at)
        if problems and reason is None:
            raise Conflict("operator", f"{badge} may not work stage {stage.seq} of {number}: " + "; ".join(problems)
                           + " (a supervisor may override with a reason)")
        if problems and by.role not in OVERRIDE_ROLES:
            raise Forbidden("override_reason", "only a supervisor may override a certification check")
        row = StageAssignment.create(
            stage=stage, operator=operator, assigned_at=at, assigned_by=by.username, problems="\n".join(problems),
            override_reason=reason if problems else None, overridden_by=by.username if problems else None)
        if problems:
            raise_flag("certification_override",
                       f"{by.username} assigned {badge} to stage {stage.seq} of {number} although: "
                       + "; ".join(problems) + f". Reason: {reason}", subject=number, severity="info")
        return row


def unassign_operator(number: str, seq, badge) -> None:
    """Take an operator off a stage."""
    with database.atomic():
        stage = get_stage(number, seq)
        deleted = (StageAssignment.delete().where(StageAssignment.stage == stage,
                                                   StageAssignment.operator.in_(Operator.select(Operator.id)
                                                                                .where(Operator.badge == badge)))
                   .execute())
        if not deleted:
            raise NotFound("operator", f"{badge} is not assigned to stage {stage.seq} of {number}")


def list_assignments(number: str) -> list[StageAssignment]:
    """A work order's assignments by stage then time, with operator and stage loaded."""
    return list(StageAssignment.select(StageAssignment, WorkOrderStage, Operator)
                .join(WorkOrderStage).join(WorkOrder).switch(StageAssignment).join(Operator)
                .where(WorkOrder.number == number).order_by(WorkOrderStage.seq, StageAssignment.assigned_at))


def assignment_dict(row: StageAssignment) -> dict:
    """The JSON shape of an assignment; ``override_reason`` is set only when a check was overridden."""
    return {"stage": row.stage.seq, "badge": row.operator.badge, "operator": row.operator.name,
            "assigned_at": row.assigned_at.isoformat() + "Z", "assigned_by": row.assigned_by,
            "problems": row.problems.splitlines(), "override_reason": row.override_reason,
            "overridden_by": row.overridden_by}
