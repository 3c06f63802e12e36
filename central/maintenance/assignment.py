"""Who does the work: assignment rules (area, asset, type, required skill → a technician or a
team), applied to new work within the technicians' schedules, least loaded first; and manual
assignment and reassignment by a supervisor. Every assignment records who or which rule made it, and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from central.certification import HeldCertifications
from central.errors import Conflict, NotFound, ValidationError
from central.maintenance.assets import get_area, get_asset
from central.maintenance.checks import check_choice, transaction
from central.maintenance.lifecycle import OPEN_STATUSES, get_work_order, set_status, write_log
from central.maintenance.staff import Schedules, get_team, get_technician
from central.models import (Area, Asset, Assignee, AssignmentRule, MaintenanceWorkOrder, Notification, Operator, Skill,
                            TeamMember, Technician, utcnow)
from central.models.maintenance import MWO_TYPES
from central.operators import check_bool, check_code, check_text, get_skill
from central.requirements import Requirement


# --- rules -------------------------------------------------------------------------------------

RULE_FIELDS = {"name", "position", "area", "asset", "type", "skill", "technician", "team", "active"}


def _rule_fields(values: dict) -> dict:
    unknown = set(values) - RULE_FIELDS
    if unknown:
        raise ValidationError(sorted(unknown)[0], "is not a field of an assignment rule")
    out: dict = {}
    if "name" in values:
        out["name"] = check_text("name", values["name"])
        if not out["name"]:
            raise ValidationError("name", "is required")
    if "position" in values:
        try:
            out["position"] = int(values["position"])
        except (TypeError, ValueError):
            raise ValidationError("position", f"must be a whole number, got {values['position']!r}") from None
    for key, getter in (("area", get_area), ("asset", get_asset), ("skill", get_skill)):
        if key in values:
            out[key] = getter(check_code(key, values[key])) if values[key] else None
    if "type" in values:
        out["wo_type"] = check_choice("type", values["type"], MWO_TYPES) if values["type"] else None
    if "technician" in values:
        out["technician"] = get_technician(check_code("technician", values["technician"])) if values["technician"] else None
    if "team" in values:
        out["team"] = get_team(check_code("team", values["team"])) if values["team"] else None
    if "active" in values:
        out["active"] = check_bool("active", values["active"])
    return out


def _check_target(rule_fields: dict) -> None:
    tech, team = rule_fields.get("technician"), rule_fields.get("team")
    if (tech is None) == (team is None):
        raise ValidationError("technician", "a rule assigns to one technician or one team: name exactly one")
    if tech is not None and not tech.active:
        raise ValidationError("technician", f"technician {tech.code} is inactive: a rule cannot assign to them")
    if team is not None:
        active = (Technician.select().join(TeamMember).where(TeamMember.team == team.id, Technician.active == True)  # noqa: E712
                  .exists())
        if not active:
            raise ValidationError("team", f"team {team.code} has no active technician")


def create_rule(**values) -> AssignmentRule:
    """Add a rule; empty conditions match anything, and a lower position is tried first."""
    fields = _rule_fields(values)
    if "name" not in fields:
        raise ValidationError("name", "is required")
    with transaction():
        _check_target(fields)
        return AssignmentRule.create(**fields)


def update_rule(rule_id: int, changes: dict) -> AssignmentRule:
    """Change a rule."""
    with transaction():
        rule = get_rule(rule_id)
        fields = _rule_fields(changes)
        merged = {"technician": rule.technician, "team": rule.team, **{k: v for k, v in fields.items()
                                                                       if k in ("technician", "team")}}
        if fields.get("active", rule.active):
            _check_target(merged)
        AssignmentRule.update(**fields).where(AssignmentRule.id == rule.id).execute()
        return get_rule(rule_id)


def delete_rule(rule_id: int) -> None:
    """Remove a rule; assignments it made keep their reason."""
    with transaction():
        AssignmentRule.delete().where(AssignmentRule.id == get_rule(rule_id).id).execute()


def get_rule(rule_id) -> AssignmentRule:
    """A rule by id; NotFound otherwise."""
    rule = AssignmentRule.get_or_none(AssignmentRule.id == rule_id)
    if rule is None:
        raise NotFound("rule", f"no assignment rule {rule_id!r}")
    return rule


def list_rules() -> list[AssignmentRule]:
    """Rules in the order they are tried."""
    return list(AssignmentRule.select().order_by(AssignmentRule.position, AssignmentRule.id))


def rule_dict(rule: AssignmentRule) -> dict:
    """The JSON shape of a rule."""
    return {"id": rule.id, "name": rule.name, "position": rule.position,
            "area": rule.area.code if rule.area_id else None, "asset": rule.asset.code if rule.asset_id else None,
            "type": rule.wo_type, "skill": rule.skill.code if rule.skill_id else None,
            "technician": rule.technician.code if rule.technician_id else None,
            "team": rule.team.code if rule.team_id else None, "active": rule.active}


# --- automatic assignment ------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    """What auto-assignment decided: the technician (or None), the rule, and why."""

    technician: Technician | None
    rule: AssignmentRule | None
    why: str


def _matches(rule: AssignmentRule, wo: MaintenanceWorkOrder, asset: Asset) -> bool:
    area_id = asset.area_id
    return ((rule.area_id is None or rule.area_id == area_id) and (rule.asset_id is None or rule.asset_id == asset.id)
            and (rule.wo_type is None or rule.wo_type == wo.wo_type)
            and (rule.skill_id is None or rule.skill_id == wo.required_skill_id))


def _conditions(rule: AssignmentRule, asset: Asset, wo: MaintenanceWorkOrder) -> str:
    parts = []
    if rule.area_id:
        parts.append(f"area {asset.area.code}")
    if rule.asset_id:
        parts.append(f"asset {asset.code}")
    if rule.wo_type:
        parts.append(f"type {rule.wo_type}")
    if rule.skill_id:
        parts.append(f"skill {wo.required_skill.code}")
    return ", ".join(parts) or "any work"


def open_load(tech_ids) -> dict[int, int]:
    """How many open work orders each technician is on (one grouped query)."""
    ids = list(set(tech_ids))
    if not ids:
        return {}
    rows = (Assignee.select(Assignee.technician, pw.fn.COUNT(Assignee.id)).join(MaintenanceWorkOrder)
            .where(Assignee.technician.in_(ids), Assignee.active == True,  # noqa: E712
                   MaintenanceWorkOrder.status.in_(OPEN_STATUSES))
            .group_by(Assignee.technician).tuples())
    return dict(rows)


def choose(wo: MaintenanceWorkOrder, at: datetime) -> Choice:
    """The first matching rule with someone available: on duty, active, holding the required skill,
    least loaded first (ties by code). Reads a fixed number of queries however many rules there are."""
    asset = Asset.select(Asset, Area).join(Area, on=(Asset.area == Area.id), join_type=pw.JOIN.LEFT_OUTER) \
        .where(Asset.id == wo.asset_id).get()
    rules = [r for r in AssignmentRule.select().where(AssignmentRule.active == True)  # noqa: E712
             .order_by(AssignmentRule.position, AssignmentRule.id) if _matches(r, wo, asset)]
    if not rules:
        return Choice(None, None, "no active rule matches this work")
    team_ids = {r.team_id for r in rules if r.team_id}
    members: dict[int, list[int]] = {}
    for team_id, tech_id in TeamMember.select(TeamMember.team, TeamMember.technician).where(
            TeamMember.team.in_(list(team_ids) or [0])).tuples():
        members.setdefault(team_id, []).append(tech_id)
    candidate_ids = {r.technician_id for r in rules if r.technician_id} | {t for ids in members.values() for t in ids}
    techs = {t.id: t for t in Technician.select(Technician, Operator)
             .join(Operator, on=(Technician.operator == Operator.id), join_type=pw.JOIN.LEFT_OUTER)
             .where(Technician.id.in_(list(candidate_ids) or [0]))}
    schedules = Schedules(techs, at)
    load = open_load(techs)
    skill_req = []
    held = None
    if wo.required_skill_id:
        skill = Skill.get_by_id(wo.required_skill_id)
        skill_req = [Requirement(skill.id, skill.code, 1, f"work order {wo.number}")]
        held = HeldCertifications([t.operator.badge for t in techs.values() if t.operator_id], [skill.id])
    passed_over = []
    for rule in rules:
        ids = [rule.technician_id] if rule.technician_id else members.get(rule.team_id, [])
        available = []
        for tech_id in ids:
            tech = techs.get(tech_id)
            if tech is None or not tech.active:
                passed_over.append(f"{tech.code if tech else tech_id} inactive")
                continue
            duty = schedules.why_available(tech_id)
            if duty is None:
                passed_over.append(f"{tech.code} off duty")
                continue
            if skill_req:
                badge = tech.operator.badge if tech.operator_id else None
                problems = held.problems(badge, skill_req, at) if badge else ["no operator badge, so no skills"]
                if problems:
                    passed_over.append(f"{tech.code}: {problems[0]}")
                    continue
            available.append((load.get(tech_id, 0), tech.code, tech, duty))
        if not available:
            continue
        available.sort(key=lambda row: (row[0], row[1]))
        count, _, tech, duty = available[0]
        target = f"technician {tech.code}" if rule.technician_id else f"team {rule.team.code}"
        why = (f"rule {rule.name!r} (#{rule.id}: {_conditions(rule, asset, wo)} → {target}); {tech.code} {duty}, "
               f"{count} open work order{'s' if count != 1 else ''}"
               + (f", least loaded of {len(available)} available" if len(available) > 1 else ""))
        if passed_over:
            why += f"; passed over: {', '.join(passed_over)}"
        return Choice(tech, rule, why)
    return Choice(None, None, f"{len(rules)} rule(s) match but nobody is available: {', '.join(passed_over)}")


def auto_assign(wo: MaintenanceWorkOrder, *, by: str, at: datetime | None = None) -> Choice:
    """Apply the rules to a work order (inside the caller's transaction) and record the result."""
    at = at or utcnow()
    choice = choose(wo, at)
    if choice.technician is None:
        write_log(wo, "assignment", f"not assigned automatically: {choice.why}", by, at)
        return choice
    _add(wo, choice.technician, by=by, rule=choice.rule, why=choice.why, at=at)
    return choice


def _add(wo: MaintenanceWorkOrder, tech: Technician, *, by: str, why: str, rule=None, at=None) -> Assignee:
    at = at or utcnow()
    row = Assignee.create(work_order=wo.id, technician=tech.id, rule=rule.id if rule else None, why=why,
                          assigned_by=by, assigned_at=at)
    write_log(wo, "assignment", f"assigned to {tech.code}: {why}", by, at)
    Notification.create(technician=tech.id, work_order=wo.id, created_at=at,
                        text=f"{wo.number} ({wo.priority}) on {wo.asset.code}: {wo.title}")
    if wo.status == "open":
        set_status(wo, "assigned", by)
    return row


def assign(number: str, technician: str, *, by: str, why: str = "") -> Assignee:
    """A supervisor puts a technician on a work order (added to any already on it)."""
    with transaction():
        wo = get_work_order(number, lock=True)
        if wo.status not in OPEN_STATUSES:
            raise Conflict("status", f"{wo.number} is {wo.status}; only open work can be assigned")
        tech = get_technician(check_code("technician", technician))
        if not tech.active:
            raise ValidationError("technician", f"technician {tech.code} is inactive")
        if Assignee.select().where(Assignee.work_order == wo.id, Assignee.technician == tech.id,
                                   Assignee.active == True).exists():  # noqa: E712
            raise Conflict("technician", f"{tech.code} is already on {wo.number}")
        return _add(wo, tech, by=by, why=check_text("why", why, 500) or f"assigned by {by}")


def unassign(number: str, technician: str, *, by: str) -> None:
    """Take a technician off a work order; with nobody left, assigned work goes back to open."""
    with transaction():
        wo = get_work_order(number, lock=True)
        tech = get_technician(check_code("technician", technician))
        changed = (Assignee.update(active=False, removed_at=utcnow())
                   .where(Assignee.work_order == wo.id, Assignee.technician == tech.id, Assignee.active == True)  # noqa: E712
                   .execute())
        if not changed:
            raise NotFound("technician", f"{tech.code} is not on {wo.number}")
        write_log(wo, "assignment", f"{tech.code} taken off", by)
        if wo.status == "assigned" and not current_assignees(wo):
            set_status(wo, "open", by)


def reassign(number: str, to: str, *, by: str, why: str = "") -> Assignee:
    """Give the work to ``to`` instead of everyone on it now."""
    with transaction():
        wo = get_work_order(number, lock=True)
        for row in current_assignees(wo):
            if row.technician.code != to:
                unassign(number, row.technician.code, by=by)
        if any(row.technician.code == to for row in current_assignees(wo)):
            return next(row for row in current_assignees(wo) if row.technician.code == to)
        return assign(number, to, by=by, why=why or f"reassigned by {by}")


def current_assignees(wo: MaintenanceWorkOrder) -> list[Assignee]:
    """Who is on the work order now, with the technician, in the order assigned."""
    return list(Assignee.select(Assignee, Technician).join(Technician)
                .where(Assignee.work_order == wo.id, Assignee.active == True).order_by(Assignee.id))  # noqa: E712


def assignee_dict(row: Assignee) -> dict:
    """The JSON shape of an assignment."""
    return {"technician": row.technician.code, "name": row.technician.name, "rule": row.rule_id, "why": row.why,
            "assigned_by": row.assigned_by, "assigned_at": row.assigned_at.isoformat() + "Z"}
