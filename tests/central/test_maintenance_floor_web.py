"""The floor's maintenance pages through the Flask client: roles, forms naming the field, edits."""
import pytest

from central.auth import create_user
from central.db import database
from central.maintenance import schedules, templates
from central.models import MaintenanceSchedule

from tests.central.maint import shop  # noqa: F401
from tests.central.websupport import csrf, sign_in


@pytest.fixture
def web(app, shop):
    with database.connection_context():
        create_user("pat", "planner plans all day", "planner", "Pat")
        create_user("opal", "operator opal scans", "operator", "Opal")
        templates.save_template("LUBE", {"title": "Lubricate"}, by="pat")
        schedules.create_schedule(code="P-1", asset="PRESS-1", template="LUBE", trigger="cycles", interval=100,
                                  by="pat")
    return app.test_client()


def test_a_planner_adds_and_edits_schedules_and_bad_input_names_the_field(web):
    assert sign_in(web, "pat", "planner plans all day").status_code == 302
    page = web.get("/maintenance/schedules").get_data(as_text=True)
    assert "P-1" in page
    bad = web.post("/maintenance/schedules", data={"csrf_token": csrf(page), "code": "P-2", "asset": "PRESS-1",
                                                    "template": "LUBE", "trigger": "cycles", "interval": "0"},
                   follow_redirects=True).get_data(as_text=True)
    assert "interval: must be greater than zero" in bad
    edit = web.get("/maintenance/schedules/P-1/edit").get_data(as_text=True)
    done = web.post("/maintenance/schedules/P-1/edit", data={"csrf_token": csrf(edit), "name": "Lube", "template": "LUBE",
                                                             "interval": "250", "lead": "10"}, follow_redirects=True)
    assert "Schedule P-1 saved." in done.get_data(as_text=True)
    with database.connection_context():
        row = MaintenanceSchedule.get(MaintenanceSchedule.code == "P-1")
        assert (row.interval, row.lead, row.name) == (250, 10, "Lube")
        assert MaintenanceSchedule.select().count() == 1  # nothing half-written
    for path in ("/maintenance/calendar", "/maintenance/reliability", "/maintenance/failures.csv"):
        assert web.get(path).status_code == 200


def test_an_operator_reads_but_may_not_plan_or_override(web):
    assert sign_in(web, "opal", "operator opal scans").status_code == 302
    page = web.get("/maintenance/schedules").get_data(as_text=True)
    assert "New schedule" not in page
    token = csrf(web.get("/maintenance/calendar").get_data(as_text=True))
    assert web.post("/maintenance/schedules/P-1/override", data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert web.post("/maintenance/scheduler/run", data={"csrf_token": token}).status_code == 403
    assert web.get("/maintenance/schedules/P-1/edit").status_code == 403


def test_pages_need_a_login(web):
    for path in ("/maintenance/schedules", "/maintenance/calendar", "/maintenance/reliability"):
        assert web.get(path).status_code == 302
