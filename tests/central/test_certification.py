"""Operators, skills, certifications and skill requirements: the rules and the bad input."""
from datetime import date, datetime

import pytest

from central.certification import (expiring_certifications, issue_certification, list_certifications,
                                   missing_requirements, station_operators, update_certification)
from central.errors import Conflict, NotFound, ValidationError
from central.models import Certification, Operator, Station, WorkCentre
from central.operators import create_operator, create_skill, update_operator
from central.requirements import (create_machine, machine_requirements, set_machine_skills,
                                  set_work_centre_skills, work_centre_requirements)


@pytest.fixture
def plant(db):
    """A work centre requiring WELD level 2, a station in it, two operators."""
    wc = WorkCentre.create(code="WC-WELD", name="Welding")
    create_skill("WELD", "Welding")
    create_skill("FORK", "Forklift")
    set_work_centre_skills("WC-WELD", [{"skill": "WELD", "min_level": 2}])
    station = Station.create(code="S01", site="plant1", work_centre=wc)
    create_operator("OP-1", "Ann")
    create_operator("OP-2", "Bob")
    return station


def test_duplicate_badge_is_a_conflict_naming_the_badge(db):
    create_operator("OP-1", "Ann")
    with pytest.raises(Conflict) as exc:
        create_operator("OP-1", "Another Ann")
    assert exc.value.field == "badge"
    assert Operator.select().count() == 1


def test_badge_must_be_a_scannable_code(db):
    with pytest.raises(ValidationError) as exc:
        create_operator("has space", "X")
    assert exc.value.field == "badge"


def test_badge_cannot_change_but_name_and_active_can(db):
    create_operator("OP-1", "Ann")
    op = update_operator("OP-1", {"name": "Ann B", "active": False})
    assert (op.name, op.active) == ("Ann B", False)
    with pytest.raises(ValidationError) as exc:
        update_operator("OP-1", {"badge": "OP-9"})
    assert exc.value.field == "badge"


def test_certification_unknown_badge_or_skill_is_not_found(plant):
    with pytest.raises(NotFound) as exc:
        issue_certification("OP-404", "WELD", issued="2026-01-01")
    assert exc.value.field == "badge"
    with pytest.raises(NotFound) as exc:
        issue_certification("OP-1", "JUGGLE", issued="2026-01-01")
    assert exc.value.field == "skill"
    assert Certification.select().count() == 0


def test_expiry_before_issue_is_refused_and_nothing_written(plant):
    with pytest.raises(ValidationError) as exc:
        issue_certification("OP-1", "WELD", issued="2026-05-01", expires="2026-04-30")
    assert exc.value.field == "expires"
    assert Certification.select().count() == 0
    cert = issue_certification("OP-1", "WELD", level=2, issued="2026-05-01", expires="2026-05-01")
    with pytest.raises(ValidationError):
        update_certification(cert.id, {"expires": "2026-01-01"})
    assert Certification.get_by_id(cert.id).expires == date(2026, 5, 1)


def test_level_and_dates_are_checked(plant):
    with pytest.raises(ValidationError) as exc:
        issue_certification("OP-1", "WELD", level=0, issued="2026-01-01")
    assert exc.value.field == "level"
    with pytest.raises(ValidationError) as exc:
        issue_certification("OP-1", "WELD", issued="2026-02-30")
    assert exc.value.field == "issued"


def test_certified_on_issue_day_through_expiry_day_inclusive(plant):
    issue_certification("OP-1", "WELD", level=2, issued="2026-03-01", expires="2026-03-31")
    reqs = work_centre_requirements(plant.work_centre_id)
    assert missing_requirements("OP-1", reqs, datetime(2026, 2, 28, 23, 59))
    assert missing_requirements("OP-1", reqs, datetime(2026, 3, 1, 0, 0)) == []
    assert missing_requirements("OP-1", reqs, datetime(2026, 3, 31, 23, 59)) == []
    problems = missing_requirements("OP-1", reqs, datetime(2026, 4, 1, 0, 0))
    assert problems and "WELD" in problems[0] and "work_centre:WC-WELD" in problems[0]


def test_level_below_minimum_is_not_enough(plant):
    issue_certification("OP-1", "WELD", level=1, issued="2026-01-01")
    problems = missing_requirements("OP-1", work_centre_requirements(plant.work_centre_id), datetime(2026, 6, 1))
    assert problems == ["WELD level 1 is below 2 (required by work_centre:WC-WELD)"]


def test_inactive_or_unknown_operator_is_never_certified(plant):
    issue_certification("OP-1", "WELD", level=3, issued="2026-01-01")
    reqs = work_centre_requirements(plant.work_centre_id)
    update_operator("OP-1", {"active": False})
    assert "deactivated" in missing_requirements("OP-1", reqs, datetime(2026, 6, 1))[0]
    assert "not a registered operator" in missing_requirements("OP-404", reqs, datetime(2026, 6, 1))[0]


def test_machine_requirements_add_to_the_work_centre(plant):
    create_machine("M-7", "Robot cell", work_centre="WC-WELD")
    set_machine_skills("M-7", [{"skill": "FORK", "min_level": 1}])
    assert [r.to_dict() for r in machine_requirements(["M-7"])] == [
        {"skill": "FORK", "min_level": 1, "source": "machine:M-7"}]
    with pytest.raises(NotFound) as exc:
        set_machine_skills("M-7", [{"skill": "NOPE"}])
    assert exc.value.field == "skills[0].skill"
    assert len(machine_requirements(["M-7"])) == 1  # unchanged after the failed replace


def test_expiring_lists_the_next_30_days_of_active_operators(plant):
    issue_certification("OP-1", "WELD", issued="2026-01-01", expires="2026-06-10")
    issue_certification("OP-1", "FORK", issued="2026-01-01", expires="2026-08-01")
    issue_certification("OP-2", "WELD", issued="2026-01-01", expires="2026-06-01")
    issue_certification("OP-2", "FORK", issued="2026-01-01", expires="2026-05-31")  # already expired
    issue_certification("OP-2", "FORK", issued="2026-01-01")  # never expires
    found = expiring_certifications(date(2026, 6, 1))
    assert [(c.operator.badge, c.skill.code) for c in found] == [("OP-2", "WELD"), ("OP-1", "WELD")]
    update_operator("OP-2", {"active": False})
    assert [(c.operator.badge, c.skill.code) for c in expiring_certifications(date(2026, 6, 1))] == [("OP-1", "WELD")]


def test_list_certifications_valid_on_a_day(plant):
    issue_certification("OP-1", "WELD", issued="2026-01-01", expires="2026-01-31")
    issue_certification("OP-1", "WELD", issued="2026-02-01", expires="2026-12-31")
    assert [c.issued for c in list_certifications(badge="OP-1", valid_on=date(2026, 2, 5))] == [date(2026, 2, 1)]


def test_station_operators_shape(plant):
    issue_certification("OP-1", "WELD", level=2, issued="2026-01-01", expires="2026-12-31")
    issue_certification("OP-1", "FORK", issued="2025-01-01", expires="2025-12-31")  # expired: kept, the station says so
    create_operator("OP-3", "Gone", active=False)
    assert station_operators() == [
        {"badge": "OP-1", "name": "Ann",
         "certifications": [{"skill": "FORK", "level": 1, "issued": "2025-01-01", "expires": "2025-12-31"},
                            {"skill": "WELD", "level": 2, "issued": "2026-01-01", "expires": "2026-12-31"}]},
        {"badge": "OP-2", "name": "Bob", "certifications": []},
    ]


def test_station_config_carries_the_work_centre_requirements(plant):
    from central.stationconfig import station_config

    config = station_config(plant)
    assert config["required_skills"] == [{"skill": "WELD", "min_level": 2, "source": "work_centre:WC-WELD"}]
    assert [o["badge"] for o in config["operators"]] == ["OP-1", "OP-2"]


def test_station_without_work_centre_requires_nothing(db):
    from central.stationconfig import station_config

    create_operator("OP-1", "Ann")
    station = Station.create(code="S02", site="plant1")
    config = station_config(station)
    assert config["required_skills"] == []
    assert config["operators"] == [{"badge": "OP-1", "name": "Ann", "certifications": [], "technician": False}]