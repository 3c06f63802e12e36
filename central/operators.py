"""Operators and skills: the people on the floor and what they can be certified for."""
from __future__ import annotations

from datetime import date

from central.db import database
from central.errors import Conflict, ValidationError
from central.lookup import by_code
from central.models import Operator, Skill
from edge.contract import code as _code_kind

MAX_LEVEL = 9


def check_code(field: str, value) -> str:
    """A badge, skill or other code as the stations scan it; ValidationError naming ``field``."""
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        raise ValidationError(field, "is required")
    try:
        return _code_kind(value)
    except ValueError as exc:
        raise ValidationError(field, str(exc)) from None


def check_text(field: str, value, max_length: int = 128) -> str:
    """Optional free text up to ``max_length`` characters (None becomes '')."""
    value = "" if value is None else value
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, got {type(value).__name__}")
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters, got {len(value)}")
    return value


def check_changes(changes: dict, allowed: set[str], problem: str) -> None:
    """Refuse an update naming a field outside ``allowed``; the error names the first such field."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(sorted(unknown)[0], problem)


def check_bool(field: str, value) -> bool:
    """true/false, also as the words a CSV or a form uses (yes/no, 1/0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "y", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "n", "off"):
        return False
    raise ValidationError(field, f"must be true or false, got {value!r}")


def check_date(field: str, value, *, required: bool = True) -> date | None:
    """A calendar date (a date or ``YYYY-MM-DD``)."""
    if value in (None, ""):
        if required:
            raise ValidationError(field, "is required (YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a date YYYY-MM-DD, got {type(value).__name__}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(field, f"must be an existing date YYYY-MM-DD, got {value!r}") from None


def check_level(field: str, value) -> int:
    """A certification level, a whole number from 1 to ``MAX_LEVEL``."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LEVEL:
        raise ValidationError(field, f"must be a whole number from 1 to {MAX_LEVEL}, got {value!r}")
    return value


def get_operator(badge: str) -> Operator:
    """The operator with this badge; NotFound naming the badge otherwise."""
    return by_code(Operator.badge, badge, "badge", "operator with badge")


def get_skill(code: str) -> Skill:
    """The skill with this code; NotFound naming the code otherwise."""
    return by_code(Skill.code, code, "skill", "skill")


def create_operator(badge, name="", active=True) -> Operator:
    """Register an operator; a badge already in use is a Conflict."""
    badge = check_code("badge", badge)
    fields = {"badge": badge, "name": check_text("name", name), "active": check_bool("active", active)}
    with database.atomic():
        if Operator.select().where(Operator.badge == badge).exists():
            raise Conflict("badge", f"badge {badge!r} is already in use")
        return Operator.create(**fields)


def update_operator(badge: str, changes: dict) -> Operator:
    """Change an operator's name or active flag. The badge is fixed: events name it for ever."""
    check_changes(changes, {"name", "active", "badge"}, "is not a field of an operator")
    with database.atomic():
        operator = get_operator(badge)
        if "badge" in changes and changes["badge"] != operator.badge:
            raise ValidationError("badge", "cannot be changed (events name it); deactivate this operator and add a new one")
        if "name" in changes:
            operator.name = check_text("name", changes["name"])
        if "active" in changes:
            operator.active = check_bool("active", changes["active"])
        operator.save()
        return operator


def list_operators(*, active: bool | None = None, search: str = "", limit: int = 500, offset: int = 0) -> list[Operator]:
    """Operators by badge, optionally only (in)active ones or those whose badge/name contains ``search``."""
    query = Operator.select().order_by(Operator.badge)
    if active is not None:
        query = query.where(Operator.active == active)
    if search:
        query = query.where(Operator.badge.contains(search) | Operator.name.contains(search))
    return list(query.limit(limit).offset(offset))


def operator_dict(operator: Operator) -> dict:
    """The JSON shape of an operator."""
    return {"badge": operator.badge, "name": operator.name, "active": operator.active}


def create_skill(code, name="") -> Skill:
    """Add a skill to the catalogue; a code already used is a Conflict."""
    code = check_code("code", code)
    name = check_text("name", name)
    with database.atomic():
        if Skill.select().where(Skill.code == code).exists():
            raise Conflict("code", f"skill {code!r} already exists")
        return Skill.create(code=code, name=name)


def list_skills() -> list[Skill]:
    """Every skill by code."""
    return list(Skill.select().order_by(Skill.code))


def skill_dict(skill: Skill) -> dict:
    """The JSON shape of a skill."""
    return {"code": skill.code, "name": skill.name}
