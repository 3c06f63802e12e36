"""Central flags every event from an operator not certified at the event's own time."""

import pytest

from central.certification import issue_certification
from central.models import EventRecord, Flag, Station, WorkCentre
from central.operators import create_operator, create_skill, update_operator
from central.recorder import record_raw
from tests.central.factories import event, make_work_orders
from central.requirements import create_machine, set_machine_skills, set_work_centre_skills


@pytest.fixture
def welding(db):
    """Station S01 in a work centre requiring WELD; OP-1 certified through 2026-03-31."""
    wc = WorkCentre.create(code="WC-WELD")
    create_skill("WELD")
    create_skill("ROBOT")
    set_work_centre_skills("WC-WELD", [{"skill": "WELD", "min_level": 1}])
    Station.create(code="S01", site="plant1", work_centre=wc)
    Station.create(code="S02", site="plant1")  # no work centre: requires nothing
    make_work_orders("WC-WELD")
    create_operator("OP-1", "Ann")
    issue_certification("OP-1", "WELD", issued="2026-01-01", expires="2026-03-31")


def flags(kind="uncertified_operator"):
    return list(Flag.select().where(Flag.kind == kind).order_by(Flag.id))


def test_certificate_expiring_during_a_work_order_flags_only_the_later_events(welding):
    raws = [
        event("operator.signed_in", 1, "2026-03-31T21:00:00.000Z"),
        event("stage.started", 2, "2026-03-31T22:00:00.000Z", work_order="WO-1", stage=10),
        event("stage.completed", 3, "2026-04-01T01:30:00.000Z", work_order="WO-1", stage=10),
        event("operator.signed_out", 4, "2026-04-01T02:00:00.000Z"),
    ]
    outcome = record_raw(raws, site="plant1", station="S01")
    assert len(outcome.accepted) == 4 and outcome.rejected == []  # facts are recorded, not refused
    flagged = {str(e.id) for e in EventRecord.select().where(EventRecord.flagged == True)}  # noqa: E712
    assert flagged == {raws[2]["id"], raws[3]["id"]}
    assert [f.subject for f in flags()] == ["OP-1", "OP-1"]
    assert "not certified for WELD on 2026-04-01" in flags()[0].message


def test_offline_backlog_arriving_late_is_judged_by_event_time_not_arrival(welding):
    # the certificate is renewed before the station's backlog arrives: the old event is still flagged
    issue_certification("OP-1", "WELD", issued="2026-04-03", expires="2027-04-02")
    raws = [event("stage.started", 1, "2026-04-02T08:00:00.000Z", work_order="WO-1", stage=10),
            event("stage.completed", 2, "2026-04-03T08:00:00.000Z", work_order="WO-1", stage=10)]
    record_raw(list(reversed(raws)), site="plant1", station="S01")
    assert [str(f.event_id) for f in flags()] == [raws[0]["id"]]


def test_certified_operator_and_station_without_requirements_are_not_flagged(welding):
    record_raw([event("operator.signed_in", 1, "2026-02-01T08:00:00.000Z")], site="plant1", station="S01")
    record_raw([event("operator.signed_in", 1, "2027-02-01T08:00:00.000Z", operator="OP-404", station="S02")],
               site="plant1", station="S02")
    assert flags() == []


def test_unknown_and_deactivated_badges_are_flagged_not_rejected(welding):
    update_operator("OP-1", {"active": False})
    outcome = record_raw([event("operator.signed_in", 1, "2026-02-01T08:00:00.000Z"),
                          event("operator.signed_in", 2, "2026-02-01T08:05:00.000Z", operator="OP-404")],
                         site="plant1", station="S01")
    assert len(outcome.accepted) == 2
    assert ["deactivated" in f.message or "not a registered operator" in f.message for f in flags()] == [True, True]


def test_event_naming_a_machine_needs_the_machine_skills_too(welding):
    create_machine("M-7", work_centre="WC-WELD")
    set_machine_skills("M-7", [{"skill": "ROBOT"}])
    from central.reasons import create_reason_code

    create_reason_code("DT-JAM", "downtime")
    record_raw([event("machine.down", 1, "2026-02-01T08:00:00.000Z", reason="DT-JAM", machine="M-7")],
               site="plant1", station="S01")
    assert len(flags()) == 1 and "ROBOT" in flags()[0].message and "machine:M-7" in flags()[0].message


def test_events_without_operator_are_not_checked(welding):
    record_raw([event("label.printed", 1, "2027-01-01T00:00:00.000Z", operator=None, batch="B1",
                      template="batch", copies=1)], site="plant1", station="S01")
    assert flags() == []
