"""Technicians, teams and their schedules (weekly shifts and an on-call calendar)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import peewee as pw

from central.errors import Conflict, NotFound, ValidationError
from central.lookup import by_code
from central.maintenance.checks import insert_new, transaction
from central.models import OnCall, Operator, Shift, Team, TeamMember, Technician, User, utcnow
from central.operators import check_bool, check_changes, check_code, check_text, get_operator
from central.quantities import parse_decimal

TECHNICIAN_ROLES = ("technician", "supervisor", "admin")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY = 24 * 60


def get_technician(code: str, field: str = "technician") -> Technician:
    """The technician with this code; NotFound naming ``field``."""
    return by_code(Technician.code, code, field, "technician")


def get_team(code: str, field: str = "team") -> Team:
    """The team with this code; NotFound naming ``field``."""
    return by_code(Team.code, code, field, "team")


def technician_of(user: User | None) -> Technician | None:
    """The technician record of a login, if it has one."""
    return None if user is None else Technician.get_or_none(Technician.user == user.id)


def _links(values: dict) -> dict:
    out: dict = {}
    if values.get("user"):
        user = by_code(User.username, values["user"], "user", "user")
        if user.role not in TECHNICIAN_ROLES or not user.active:
            raise ValidationError("user", f"{user.username} is {'inactive' if not user.active else user.role}: "
                                          "a technician's login needs the technician role")
        out["user"] = user
    elif "user" in values:
        out["user"] = None
    if values.get("operator"):
        out["operator"] = get_operator(check_code("operator", values["operator"]))
    elif "operator" in values:
        out["operator"] = None
    if "name" in values:
        out["name"] = check_text("name", values["name"])
    if "hourly_rate" in values:
        out["hourly_rate"] = parse_decimal("hourly_rate", values["hourly_rate"] or 0, non_negative=True)
    if "active" in values:
        out["active"] = check_bool("active", values["active"])
    return out


TECHNICIAN_FIELDS = {"name", "user", "operator", "hourly_rate", "active"}


def create_technician(code, **values) -> Technician:
    """Add a technician: a login with the technician role and/or an operator badge (their skills)."""
    check_changes(values, TECHNICIAN_FIELDS, "is not a field of a technician")
    code = check_code("code", code)
    with transaction():
        fields = _links(values)
        _unique_links(fields, None)
        insert_new(Technician, code, "technician", **fields)
        return get_technician(code)


def update_technician(code: str, changes: dict) -> Technician:
    """Change a technician's name, login, operator, rate or active flag."""
    check_changes(changes, TECHNICIAN_FIELDS, "is not a field of a technician (the code cannot change)")
    with transaction():
        tech = get_technician(code)
        fields = _links(changes)
        _unique_links(fields, tech.id)
        if fields:
            Technician.update(**fields).where(Technician.id == tech.id).execute()
        return get_technician(code)


def _unique_links(fields: dict, tech_id: int | None) -> None:
    for name in ("user", "operator"):
        row = fields.get(name)
        if row is None:
            continue
        other = Technician.get_or_none(getattr(Technician, name) == row.id)
        if other is not None and other.id != tech_id:
            raise Conflict(name, f"already technician {other.code}")


def list_technicians(active: bool | None = None) -> list[Technician]:
    """Technicians with their login and operator, by code."""
    query = (Technician.select(Technician, User, Operator)
             .join(User, on=(Technician.user == User.id), join_type=pw.JOIN.LEFT_OUTER).switch(Technician)
             .join(Operator, on=(Technician.operator == Operator.id), join_type=pw.JOIN.LEFT_OUTER).order_by(Technician.code))
    return list(query if active is None else query.where(Technician.active == active))


def technician_dict(tech: Technician) -> dict:
    """The JSON shape of a technician."""
    return {"code": tech.code, "name": tech.name, "user": tech.user.username if tech.user_id else None,
            "operator": tech.operator.badge if tech.operator_id else None, "hourly_rate": str(tech.hourly_rate),
            "active": tech.active}


def create_team(code, name="", members: list[str] = ()) -> Team:
    """Add a team of technicians."""
    code, name = check_code("code", code), check_text("name", name)
    with transaction():
        team = insert_new(Team, code, "team", name=name)
        _set_members(team, members)
        return team


def set_team_members(code: str, members: list[str]) -> Team:
    """Replace a team's members with these technician codes."""
    with transaction():
        team = get_team(code)
        TeamMember.delete().where(TeamMember.team == team.id).execute()
        _set_members(team, members)
        return team


def _set_members(team: Team, members) -> None:
    if not isinstance(members, (list, tuple)):
        raise ValidationError("members", "must be a list of technician codes")
    techs = [get_technician(m, f"members[{i}]") for i, m in enumerate(dict.fromkeys(members))]
    if techs:
        TeamMember.insert_many([{"team": team.id, "technician": t.id} for t in techs]).execute()


def team_members(team: Team) -> list[Technician]:
    """The technicians of a team, by code."""
    return list(Technician.select().join(TeamMember).where(TeamMember.team == team.id).order_by(Technician.code))


def list_teams() -> list[tuple[Team, list[Technician]]]:
    """Every team with its members."""
    members: dict[int, list[Technician]] = {}
    for row in (TeamMember.select(TeamMember, Technician).join(Technician).order_by(Technician.code)):
        members.setdefault(row.team_id, []).append(row.technician)
    return [(t, members.get(t.id, [])) for t in Team.select().order_by(Team.code)]


def _minute(field: str, value) -> int:
    """``HH:MM`` → minutes after midnight."""
    try:
        hours, minutes = str(value).strip().split(":")
        total = int(hours) * 60 + int(minutes)
    except ValueError:
        raise ValidationError(field, f"must be a time HH:MM, got {value!r}") from None
    if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60) or total > DAY:
        raise ValidationError(field, f"must be a time from 00:00 to 24:00, got {value!r}")
    return total


def add_shift(technician: str, weekday, start: str, end: str, zone: str = "UTC") -> Shift:
    """A weekly shift on the clocks of time ``zone`` (IANA name, the site's); an end before the start
    runs past midnight into the next day."""
    if isinstance(weekday, str) and weekday[:3].title() in WEEKDAYS:
        weekday = WEEKDAYS.index(weekday[:3].title())
    if isinstance(weekday, str) and weekday.isdigit():
        weekday = int(weekday)
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise ValidationError("weekday", f"must be 0 (Monday) to 6 or Mon..Sun, got {weekday!r}")
    begin, finish = _minute("start", start), _minute("end", end)
    minutes = finish - begin if finish > begin else finish + DAY - begin
    if minutes <= 0 or minutes > DAY:
        raise ValidationError("end", "a shift lasts more than zero and at most 24 hours")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError("zone", f"must be an IANA time zone such as Europe/Berlin, got {zone!r}") from None
    with transaction():
        return Shift.create(technician=get_technician(technician), weekday=weekday, start_minute=begin, minutes=minutes,
                            zone=zone)


def add_on_call(technician: str, starts_at: datetime, ends_at: datetime) -> OnCall:
    """A period of the on-call calendar."""
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError("ends_at", "must be after starts_at")
    with transaction():
        return OnCall.create(technician=get_technician(technician), starts_at=starts_at, ends_at=ends_at)


def remove_schedule(technician: str, kind: str, entry_id: int) -> None:
    """Delete one of a technician's shifts or on-call periods; NotFound if they have no such entry."""
    model = {"shift": Shift, "on_call": OnCall}.get(kind)
    if model is None:
        raise ValidationError("kind", "must be shift or on_call")
    with transaction():
        tech = get_technician(technician)
        if not model.delete().where(model.id == entry_id, model.technician == tech.id).execute():
            raise NotFound(kind, f"{tech.code} has no {kind.replace('_', '-')} entry {entry_id}")


def shift_text(shift: Shift) -> str:
    """``Mon 06:00–14:00``."""
    end = (shift.start_minute + shift.minutes) % DAY
    return f"{WEEKDAYS[shift.weekday]} {shift.start_minute // 60:02d}:{shift.start_minute % 60:02d}–{end // 60:02d}:{end % 60:02d}"


def on_shift(shift: Shift, at: datetime) -> bool:
    """True when ``at`` (naive UTC, or aware) falls within the weekly shift, read on its zone's clocks."""
    at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(shift.zone))
    minute = at.hour * 60 + at.minute
    for day_offset in (0, 1):  # today's shift, or yesterday's running past midnight
        weekday = (at.weekday() - day_offset) % 7
        if shift.weekday == weekday and shift.start_minute <= minute + day_offset * DAY < shift.start_minute + shift.minutes:
            return True
    return False


class Schedules:
    """The shifts and on-call periods of some technicians around one moment, read in two queries."""

    def __init__(self, tech_ids, at: datetime):
        ids = list(set(tech_ids))
        self.at = at
        self.shifts: dict[int, list[Shift]] = {}
        self.on_call: dict[int, list[OnCall]] = {}
        self.any_schedule: set[int] = set()
        if not ids:
            return
        for shift in Shift.select().where(Shift.technician.in_(ids)):
            self.shifts.setdefault(shift.technician_id, []).append(shift)
            self.any_schedule.add(shift.technician_id)
        scheduled = OnCall.select(OnCall.technician).where(OnCall.technician.in_(ids)).distinct().tuples()
        self.any_schedule |= {t for (t,) in scheduled}
        for period in OnCall.select().where(OnCall.technician.in_(ids), OnCall.starts_at <= at, OnCall.ends_at > at):
            self.on_call.setdefault(period.technician_id, []).append(period)

    def why_available(self, tech_id: int) -> str | None:
        """Why the technician can take work now (their shift, on call, or no schedule), or None."""
        if tech_id not in self.any_schedule:
            return "no schedule set (always available)"
        for shift in self.shifts.get(tech_id, ()):
            if on_shift(shift, self.at):
                return f"on shift {shift_text(shift)}"
        for period in self.on_call.get(tech_id, ()):
            return f"on call until {period.ends_at:%Y-%m-%d %H:%M}"
        return None


def schedule_of(technician: str) -> tuple[list[Shift], list[OnCall]]:
    """A technician's shifts and their on-call periods from a day ago on."""
    tech = get_technician(technician)
    since = utcnow() - timedelta(days=1)
    return (list(Shift.select().where(Shift.technician == tech.id).order_by(Shift.weekday, Shift.start_minute)),
            list(OnCall.select().where(OnCall.technician == tech.id, OnCall.ends_at > since).order_by(OnCall.starts_at)))
