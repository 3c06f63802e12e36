"""Certifications: who holds which skill at what level from when to when, and checks against them.

A certificate is valid on every calendar day (UTC) from ``issued`` through ``expires``
inclusive; no ``expires`` means it does not expire. An event, an assignment or a sign-in is
judged by the day of its own time, so a certificate that expired while a station was offline
is caught when the event arrives.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from central.db import database
from central.errors import NotFound, ValidationError
from central.models import Certification, Operator, Skill, Station, utcnow
from central.operators import (check_changes, check_code, check_date, check_level, check_text, get_operator,
                              get_skill)
from central.requirements import Requirement, machine_requirements, work_centre_requirements

EXPIRING_DAYS = 30


def _check_period(issued: date, expires: date | None) -> None:
    if expires is not None and expires < issued:
        raise ValidationError("expires", f"{expires.isoformat()} is before the issue date {issued.isoformat()}")


def issue_certification(badge, skill, *, level=1, issued=None, expires=None, issued_by="") -> Certification:
    """Certify an operator for a skill; unknown badge or skill is NotFound, expiry before issue invalid."""
    badge = check_code("badge", badge)
    skill_code = check_code("skill", skill)
    fields = {"level": check_level("level", level), "issued": check_date("issued", issued),
              "expires": check_date("expires", expires, required=False),
              "issued_by": check_text("issued_by", issued_by)}
    _check_period(fields["issued"], fields["expires"])
    with database.atomic():
        return Certification.create(operator=get_operator(badge), skill=get_skill(skill_code), **fields)


def get_certification(cert_id) -> Certification:
    """One certification by id, with its operator and skill."""
    try:
        cert_id = int(cert_id)
    except (TypeError, ValueError):
        raise ValidationError("id", f"must be a whole number, got {cert_id!r}") from None
    cert = (Certification.select(Certification, Operator, Skill).join(Operator).switch(Certification).join(Skill)
            .where(Certification.id == cert_id).first())
    if cert is None:
        raise NotFound("id", f"no certification {cert_id}")
    return cert


def update_certification(cert_id, changes: dict) -> Certification:
    """Change level, dates or issuer of a certification (set ``expires`` to end it early)."""
    check_changes(changes, {"level", "issued", "expires", "issued_by"}, "cannot be changed (issue a new certification instead)")
    with database.atomic():
        cert = get_certification(cert_id)
        if "level" in changes:
            cert.level = check_level("level", changes["level"])
        if "issued" in changes:
            cert.issued = check_date("issued", changes["issued"])
        if "expires" in changes:
            cert.expires = check_date("expires", changes["expires"], required=False)
        if "issued_by" in changes:
            cert.issued_by = check_text("issued_by", changes["issued_by"])
        _check_period(cert.issued, cert.expires)
        cert.save()
        return cert


def list_certifications(*, badge: str | None = None, skill: str | None = None, valid_on: date | None = None,
                        limit: int = 500, offset: int = 0) -> list[Certification]:
    """Certifications by operator badge then skill, optionally only one operator's, one skill's, or those valid on a day."""
    query = (Certification.select(Certification, Operator, Skill).join(Operator).switch(Certification).join(Skill)
             .order_by(Operator.badge, Skill.code, Certification.issued))
    if badge:
        query = query.where(Operator.badge == badge)
    if skill:
        query = query.where(Skill.code == skill)
    if valid_on is not None:
        query = query.where(_valid_on(valid_on))
    return list(query.limit(limit).offset(offset))


def expiring_certifications(today: date | None = None, days: int = EXPIRING_DAYS) -> list[Certification]:
    """Certifications of active operators whose last valid day is within ``days`` from ``today``, soonest first."""
    today = today or utcnow().date()
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
        raise ValidationError("days", f"must be a whole number from 0 to 3650, got {days!r}")
    return list(Certification.select(Certification, Operator, Skill).join(Operator).switch(Certification).join(Skill)
                .where(Certification.expires.between(today, today + timedelta(days=days)), Operator.active == True)  # noqa: E712
                .order_by(Certification.expires, Operator.badge, Skill.code))


def certification_dict(cert: Certification) -> dict:
    """The JSON shape of a certification."""
    return {"id": cert.id, "badge": cert.operator.badge, "operator": cert.operator.name, "skill": cert.skill.code,
            "level": cert.level, "issued": cert.issued.isoformat(),
            "expires": cert.expires.isoformat() if cert.expires else None, "issued_by": cert.issued_by}


def _valid_on(day: date):
    return (Certification.issued <= day) & (Certification.expires.is_null() | (Certification.expires >= day))


class HeldCertifications:
    """The certifications some operators hold in some skills, read once and judged for any day.

    One query for the operators and one for their certifications, however many events or
    checks are judged with it.
    """

    def __init__(self, badges, skill_ids):
        badges, skill_ids = {b for b in badges if b}, set(skill_ids)
        self.operators: dict[str, Operator] = {}
        self.held: dict[tuple[int, int], list[tuple[date, date | None, int]]] = {}
        if not badges:
            return
        self.operators = {o.badge: o for o in Operator.select(Operator.id, Operator.badge, Operator.active)
                          .where(Operator.badge.in_(badges))}
        if self.operators and skill_ids:
            rows = (Certification.select(Certification.operator, Certification.skill, Certification.issued,
                                         Certification.expires, Certification.level)
                    .where(Certification.operator.in_([o.id for o in self.operators.values()]),
                           Certification.skill.in_(skill_ids)).tuples())
            for operator_id, skill_id, issued, expires, level in rows:
                self.held.setdefault((operator_id, skill_id), []).append((issued, expires, level))

    def problems(self, badge: str | None, requirements: list[Requirement], at: datetime) -> list[str]:
        """Why ``badge`` may not do work needing ``requirements`` at ``at``: one line per problem, empty when allowed."""
        if not requirements:
            return []
        operator = self.operators.get(badge) if badge else None
        if operator is None:
            return [f"badge {badge!r} is not a registered operator"]
        if not operator.active:
            return [f"operator {badge} is deactivated"]
        day = at.date()
        problems = []
        for req in requirements:
            level = max((lvl for issued, expires, lvl in self.held.get((operator.id, req.skill_id), ())
                         if issued <= day and (expires is None or expires >= day)), default=None)
            if level is None:
                problems.append(f"not certified for {req.skill} on {day.isoformat()} (required by {req.source})")
            elif level < req.min_level:
                problems.append(f"{req.skill} level {level} is below {req.min_level} (required by {req.source})")
        return problems


def missing_requirements(badge: str | None, requirements: list[Requirement], at: datetime) -> list[str]:
    """Why ``badge`` may not do work needing ``requirements`` at ``at``: one line per problem, empty when allowed."""
    if not requirements:
        return []
    return HeldCertifications([badge], {r.skill_id for r in requirements}).problems(badge, requirements, at)


def station_requirements(station: Station, machines: list[str] = ()) -> list[Requirement]:
    """What working at ``station`` requires: its work centre's skills plus those of the named machines."""
    return work_centre_requirements(station.work_centre_id) + machine_requirements(list(machines))


def station_operators() -> list[dict]:
    """What a station needs to refuse sign-ins offline: every active operator, by badge, with their certifications.

    Each entry: ``badge``, ``name`` and ``certifications`` (``skill``, ``level``, ``issued``,
    ``expires``), expired ones included so the station can say when a certificate ran out.
    See docs/certifications.md.
    """
    operators = list(Operator.select(Operator.id, Operator.badge, Operator.name)
                     .where(Operator.active == True).order_by(Operator.badge))  # noqa: E712
    certs: dict[int, list[dict]] = {}
    rows = (Certification.select(Certification.operator, Skill.code, Certification.level, Certification.issued,
                                 Certification.expires)
            .join(Skill).switch(Certification).join(Operator)
            .where(Operator.active == True).order_by(Skill.code, Certification.issued).tuples())  # noqa: E712
    for operator_id, skill, level, issued, expires in rows:
        certs.setdefault(operator_id, []).append({
            "skill": skill, "level": level, "issued": issued.isoformat(),
            "expires": expires.isoformat() if expires else None})
    return [{"badge": op.badge, "name": op.name, "certifications": certs.get(op.id, [])} for op in operators]
