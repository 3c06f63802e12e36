"""Skill requirements of places: work centres and their machines (routing stages add their own)."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.lookup import by_code
from central.models import Machine, MachineSkill, Skill, WorkCentre, WorkCentreSkill
from central.operators import check_bool, check_changes, check_code, check_level, check_text


@dataclass(frozen=True)
class Requirement:
    """One skill at a minimum level, and what asks for it (``work_centre:WC1``, ``machine:M7``, ``stage:10``)."""

    skill_id: int
    skill: str
    min_level: int
    source: str

    def to_dict(self) -> dict:
        """The JSON shape: skill code, minimum level, source."""
        return {"skill": self.skill, "min_level": self.min_level, "source": self.source}


def get_work_centre(code: str) -> WorkCentre:
    """The work centre with this code; NotFound otherwise."""
    return by_code(WorkCentre.code, code, "work_centre", "work centre")


def get_machine(code: str) -> Machine:
    """The machine with this code; NotFound otherwise."""
    return by_code(Machine.code, code, "machine", "machine")


def _skill_rows(field: str, skills) -> list[tuple[Skill, int]]:
    """Check a list of ``{"skill", "min_level"}`` and resolve the skills in one query."""
    if not isinstance(skills, list):
        raise ValidationError(field, "must be a list of {skill, min_level}")
    wanted: dict[str, int] = {}
    for i, entry in enumerate(skills):
        if not isinstance(entry, dict):
            raise ValidationError(f"{field}[{i}]", "must be an object {skill, min_level}")
        code = check_code(f"{field}[{i}].skill", entry.get("skill"))
        if code in wanted:
            raise ValidationError(f"{field}[{i}].skill", f"{code!r} is listed twice")
        wanted[code] = check_level(f"{field}[{i}].min_level", entry.get("min_level", 1))
    found = {s.code: s for s in Skill.select().where(Skill.code.in_(list(wanted)))} if wanted else {}
    for i, code in enumerate(wanted):
        if code not in found:
            raise NotFound(f"{field}[{i}].skill", f"no skill {code!r}")
    return [(found[c], level) for c, level in wanted.items()]


def set_work_centre_skills(work_centre: str, skills: list[dict]) -> list[Requirement]:
    """Replace the skills a work centre requires with ``[{"skill", "min_level"}]``."""
    with database.atomic():
        centre = get_work_centre(work_centre)
        rows = _skill_rows("skills", skills)
        WorkCentreSkill.delete().where(WorkCentreSkill.work_centre == centre).execute()
        if rows:
            WorkCentreSkill.insert_many(
                [{"work_centre": centre.id, "skill": s.id, "min_level": lvl} for s, lvl in rows]).execute()
        return work_centre_requirements(centre.id)


def work_centre_requirements(work_centre_id: int | None) -> list[Requirement]:
    """What a work centre requires (empty for none)."""
    if work_centre_id is None:
        return []
    rows = (WorkCentreSkill.select(WorkCentreSkill.min_level, Skill.id, Skill.code, WorkCentre.code)
            .join(Skill).switch(WorkCentreSkill).join(WorkCentre)
            .where(WorkCentreSkill.work_centre == work_centre_id).order_by(Skill.code).tuples())
    return [Requirement(sid, scode, lvl, f"work_centre:{wc}") for lvl, sid, scode, wc in rows]


def machine_requirements(machine_codes: list[str]) -> list[Requirement]:
    """What the named machines require (unknown or empty codes require nothing)."""
    codes = [c for c in machine_codes if c]
    if not codes:
        return []
    rows = (MachineSkill.select(MachineSkill.min_level, Skill.id, Skill.code, Machine.code)
            .join(Skill).switch(MachineSkill).join(Machine)
            .where(Machine.code.in_(codes)).order_by(Machine.code, Skill.code).tuples())
    return [Requirement(sid, scode, lvl, f"machine:{mc}") for lvl, sid, scode, mc in rows]


def create_machine(code, name="", work_centre: str | None = None, active=True, skills: list | None = None) -> Machine:
    """Add a machine, optionally in a work centre and with the skills it requires."""
    code = check_code("code", code)
    fields = {"code": code, "name": check_text("name", name), "active": check_bool("active", active)}
    with database.atomic():
        if Machine.select().where(Machine.code == code).exists():
            raise Conflict("code", f"machine {code!r} already exists")
        fields["work_centre"] = get_work_centre(work_centre) if work_centre else None
        machine = Machine.create(**fields)
        if skills:
            _replace_machine_skills(machine, skills)
        return machine


def update_machine(code: str, changes: dict) -> Machine:
    """Change a machine's name, work centre or active flag; ``skills`` replaces its requirements."""
    check_changes(changes, {"name", "work_centre", "active", "skills"}, "is not a field of a machine")
    with database.atomic():
        machine = get_machine(code)
        if "name" in changes:
            machine.name = check_text("name", changes["name"])
        if "active" in changes:
            machine.active = check_bool("active", changes["active"])
        if "work_centre" in changes:
            machine.work_centre = get_work_centre(changes["work_centre"]) if changes["work_centre"] else None
        machine.save()
        if "skills" in changes:
            _replace_machine_skills(machine, changes["skills"])
        return machine


def set_machine_skills(machine: str, skills: list[dict]) -> list[Requirement]:
    """Replace the skills a machine requires with ``[{"skill", "min_level"}]``."""
    with database.atomic():
        row = get_machine(machine)
        _replace_machine_skills(row, skills)
        return machine_requirements([row.code])


def _replace_machine_skills(machine: Machine, skills) -> None:
    rows = _skill_rows("skills", skills)
    MachineSkill.delete().where(MachineSkill.machine == machine).execute()
    if rows:
        MachineSkill.insert_many([{"machine": machine.id, "skill": s.id, "min_level": lvl} for s, lvl in rows]).execute()


def list_machines() -> list[Machine]:
    """Every machine by code, with its work centre."""
    return list(Machine.select(Machine, WorkCentre).join(WorkCentre, on=(Machine.work_centre == WorkCentre.id),
                                                          join_type=pw.JOIN.LEFT_OUTER).order_by(Machine.code))


def machine_dict(machine: Machine) -> dict:
    """The JSON shape of a machine, with the skills it requires."""
    return {"code": machine.code, "name": machine.name, "active": machine.active,
            "work_centre": machine.work_centre.code if machine.work_centre_id else None,
            "skills": [r.to_dict() for r in machine_requirements([machine.code])]}
