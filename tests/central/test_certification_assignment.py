"""Assigning operators to work-order stages: blocked unless certified at that time, or overridden."""
from datetime import datetime

import pytest

from central.assignment import Assigner, assign_operator, list_assignments, unassign_operator
from central.catalog import create_item
from central.certification import issue_certification
from central.db import database
from central.errors import Conflict, Forbidden, NotFound
from central.models import Flag, StageAssignment, WorkCentre
from central.operators import create_operator, create_skill
from central.production import create_work_order
from central.recipes import create_recipe
from central.requirements import set_work_centre_skills

SUPERVISOR = Assigner("sue", "supervisor")
PLANNER = Assigner("pat", "planner")


def make_work_order():
    """WO-1: stage 10 at WC-WELD (needs WELD level 2) with its own skill INSPECT; stage 20 at WC-PACK (nothing)."""
    WorkCentre.create(code="WC-WELD")
    WorkCentre.create(code="WC-PACK")
    create_skill("WELD")
    create_skill("INSPECT")
    set_work_centre_skills("WC-WELD", [{"skill": "WELD", "min_level": 2}])
    create_item({"code": "FG-1", "unit": "pcs"})
    create_recipe({"code": "R-1", "item": "FG-1", "outputs": [{"item": "FG-1", "kind": "main", "cost_share": "100"}],
                   "stages": [{"seq": 10, "work_centre": "WC-WELD", "standard_minutes": "30", "skill": "INSPECT"},
                              {"seq": 20, "work_centre": "WC-PACK", "standard_minutes": "10"}]})
    create_work_order({"number": "WO-1", "recipe": "R-1", "planned_qty": "100", "status": "released"})
    create_operator("OP-1", "Ann")


@pytest.fixture
def wo(db):
    make_work_order()


def test_certified_operator_is_assigned(wo):
    issue_certification("OP-1", "WELD", level=2, issued="2026-01-01")
    issue_certification("OP-1", "INSPECT", issued="2026-01-01")
    row = assign_operator("WO-1", 10, "OP-1", PLANNER, at=datetime(2026, 3, 1, 8))
    assert (row.problems, row.override_reason) == ("", None)
    with pytest.raises(Conflict):
        assign_operator("WO-1", 10, "OP-1", PLANNER, at=datetime(2026, 3, 1, 8))


def test_missing_stage_skill_or_work_centre_level_blocks_with_what_is_missing(wo):
    issue_certification("OP-1", "WELD", level=1, issued="2026-01-01")
    with pytest.raises(Conflict) as exc:
        assign_operator("WO-1", 10, "OP-1", PLANNER, at=datetime(2026, 3, 1, 8))
    assert exc.value.field == "operator"
    assert "WELD level 1 is below 2" in exc.value.message and "INSPECT" in exc.value.message
    assert StageAssignment.select().count() == 0
    assign_operator("WO-1", 20, "OP-1", PLANNER, at=datetime(2026, 3, 1, 8))  # packing needs nothing


def test_certificate_expiring_during_the_work_order(wo):
    issue_certification("OP-1", "WELD", level=2, issued="2026-01-01", expires="2026-03-15")
    issue_certification("OP-1", "INSPECT", issued="2026-01-01")
    assign_operator("WO-1", 10, "OP-1", PLANNER, at=datetime(2026, 3, 15, 23, 0))
    unassign_operator("WO-1", 10, "OP-1")
    with pytest.raises(Conflict) as exc:
        assign_operator("WO-1", 10, "OP-1", PLANNER, at=datetime(2026, 3, 16, 0, 30))
    assert "not certified for WELD on 2026-03-16" in exc.value.message


def test_override_needs_a_supervisor_and_a_reason_and_is_recorded(wo):
    at = datetime(2026, 3, 1, 8)
    with pytest.raises(Forbidden) as exc:
        assign_operator("WO-1", 10, "OP-1", PLANNER, override_reason="short of welders", at=at)
    assert exc.value.field == "override_reason"
    with pytest.raises(Conflict):
        assign_operator("WO-1", 10, "OP-1", SUPERVISOR, override_reason="   ", at=at)
    assert StageAssignment.select().count() == 0 and Flag.select().count() == 0
    assign_operator("WO-1", 10, "OP-1", SUPERVISOR, override_reason="Working beside a certified welder", at=at)
    [row] = list_assignments("WO-1")
    assert (row.override_reason, row.overridden_by) == ("Working beside a certified welder", "sue")
    assert "not certified for WELD" in row.problems
    [flag] = Flag.select()
    assert flag.kind == "certification_override" and flag.subject == "WO-1" and "sue" in flag.message


def test_unknown_work_order_stage_or_badge(wo):
    for args, field in ((("WO-9", 10, "OP-1"), "work_order"), (("WO-1", 99, "OP-1"), "stage"),
                        (("WO-1", 10, "OP-404"), "badge")):
        with pytest.raises(NotFound) as exc:
            assign_operator(*args, SUPERVISOR)
        assert exc.value.field == field


def test_assignment_api(api):
    with database.connection_context():
        make_work_order()
    resp = api.post("/api/v1/work-orders/WO-1/stages/10/assignments", json={"operator": "OP-1"})
    assert resp.status_code == 409 and resp.get_json()["field"] == "operator"
    resp = api.post("/api/v1/work-orders/WO-1/stages/10/assignments",
                    json={"operator": "OP-1", "override_reason": "Trainee under supervision"})
    assert resp.status_code == 201
    [shown] = api.get("/api/v1/work-orders/WO-1/assignments").get_json()["assignments"]
    assert shown["override_reason"] == "Trainee under supervision" and shown["overridden_by"] == "boss"
    assert shown["stage"] == 10 and shown["problems"]
    assert api.delete("/api/v1/work-orders/WO-1/stages/10/assignments/OP-1").status_code == 204
