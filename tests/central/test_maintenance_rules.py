"""Auto-assignment rules on a fixed clock: conditions, schedules, skills, least loaded first, and why."""
from datetime import datetime, timedelta

import pytest

from central.errors import NotFound, ValidationError
from central.maintenance import assignment, staff
from central.maintenance.assignment import choose, create_rule
from central.maintenance.workorders import create_work_order
from central.maintenance.lifecycle import get_work_order
from central.models import Assignee, AssignmentRule, LogEntry

from tests.central.maint import MONDAY_9, shop  # noqa: F401


def new(asset="PRESS-1", type="corrective", skill=None, at=MONDAY_9):
    return create_work_order(asset=asset, title="Fault", type=type, required_skill=skill, by="sue", at=at)


def test_first_matching_rule_by_position_wins_and_says_why(shop):
    create_rule(name="Line 1 inspections", position=10, area="A1", type="inspection", technician="MECH")
    create_rule(name="Hall 1", position=20, area="A1", technician="ELEC")
    create_rule(name="Everything else", position=90, technician="MECH")
    wo = new()
    row = Assignee.get(Assignee.work_order == wo.id)
    assert (row.technician.code, row.rule.name, wo.status) == ("ELEC", "Hall 1", "assigned")
    assert row.why.startswith("rule 'Hall 1' (#2: area A1 → technician ELEC); ELEC no schedule set")
    insp = new(type="inspection")
    assert Assignee.get(Assignee.work_order == insp.id).technician.code == "MECH"
    other = new(asset="FAN-9")  # area A2
    assert Assignee.get(Assignee.work_order == other.id).rule.name == "Everything else"


def test_schedules_shifts_and_on_call(shop):
    staff.add_shift("ELEC", "Mon", "06:00", "14:00")
    staff.add_shift("MECH", "Sun", "22:00", "06:00")  # past midnight into Monday
    staff.create_team("MAINT", "Maintenance", ["ELEC", "MECH"])
    create_rule(name="Team", team="MAINT")
    night = MONDAY_9.replace(hour=3)
    evening = MONDAY_9.replace(hour=20)
    assert choose(new(at=night), night).technician.code == "MECH"
    assert choose(new(at=MONDAY_9), MONDAY_9).technician.code == "ELEC"
    nobody = choose(new(at=evening), evening)
    assert nobody.technician is None and "ELEC off duty" in nobody.why and "MECH off duty" in nobody.why
    staff.add_on_call("MECH", evening - timedelta(hours=1), evening + timedelta(hours=12))
    called = choose(new(at=evening), evening)
    assert called.technician.code == "MECH" and "on call until" in called.why


def test_least_loaded_team_member_first_and_required_skill(shop):
    staff.create_team("MAINT", "Maintenance", ["ELEC", "MECH"])
    create_rule(name="Team", team="MAINT")
    first, second = new(), new()
    got = [Assignee.get(Assignee.work_order == w.id).technician.code for w in (first, second)]
    assert got == ["ELEC", "MECH"]  # tie broken by code, then the other is less loaded
    assert "least loaded of 2 available" in Assignee.get(Assignee.work_order == second.id).why
    create_rule(name="Electrical", position=1, skill="ELECTRICAL", team="MAINT")
    electrical = new(skill="ELECTRICAL")
    row = Assignee.get(Assignee.work_order == electrical.id)
    assert (row.technician.code, row.rule.name) == ("ELEC", "Electrical")
    assert "MECH: not certified for ELECTRICAL" in row.why


def test_nobody_matches_the_work_stays_open_with_the_reason_logged(shop):
    wo = new()
    assert wo.status == "open"
    assert "not assigned automatically: no active rule matches this work" in [e.text for e in LogEntry.select()]


def test_a_rule_cannot_target_an_inactive_person(shop):
    staff.update_technician("MECH", {"active": False})
    with pytest.raises(ValidationError) as err:
        create_rule(name="Max", technician="MECH")
    assert err.value.field == "technician" and "inactive" in err.value.message
    with pytest.raises(ValidationError) as err:
        create_rule(name="Both", technician="ELEC", team=None, area="A1", type="nope")
    assert err.value.field == "type"
    with pytest.raises(NotFound) as err:
        create_rule(name="Ghost", technician="GHOST")
    assert err.value.field == "technician"
    assert AssignmentRule.select().count() == 0


def test_a_supervisor_reassigns_and_it_is_recorded(shop):
    create_rule(name="Hall 1", area="A1", technician="ELEC")
    wo = new()
    assignment.reassign(wo.number, "MECH", by="sue", why="Ella is on leave")
    rows = list(Assignee.select().where(Assignee.work_order == wo.id).order_by(Assignee.id))
    assert [(r.technician.code, r.active) for r in rows] == [("ELEC", False), ("MECH", True)]
    assert (rows[1].assigned_by, rows[1].why, rows[1].rule) == ("sue", "Ella is on leave", None)
    assignment.unassign(wo.number, "MECH", by="sue")
    assert get_work_order(wo.number).status == "open"


def test_a_shift_keeps_its_zone_through_the_clock_change(shop):
    """06:00–14:00 in Berlin is 05:00–13:00 UTC in winter and 04:00–12:00 UTC in summer."""
    staff.add_shift("ELEC", "Mon", "06:00", "14:00", "Europe/Berlin")
    shift = staff.schedule_of("ELEC")[0][0]
    winter, summer = datetime(2026, 1, 5), datetime(2026, 7, 6)  # Mondays, naive UTC as stored
    assert [staff.on_shift(shift, winter.replace(hour=h)) for h in (4, 5, 12, 13)] == [False, True, True, False]
    assert [staff.on_shift(shift, summer.replace(hour=h)) for h in (3, 4, 11, 12)] == [False, True, True, False]
    with pytest.raises(ValidationError) as caught:
        staff.add_shift("ELEC", "Mon", "06:00", "14:00", "Mars/Olympus")
    assert caught.value.field == "zone"
