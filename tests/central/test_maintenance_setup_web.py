"""Planners' pages: a template built row by row in the form (new versions), assets, rules,
technicians with schedules and teams, contractors."""
import re
from datetime import datetime

import pytest

from central.auth import create_user
from central.db import database
from central.maintenance import staff, templates
from central.models import Asset, AssignmentRule, Contractor, Shift, TeamMember

from tests.central.maint import shop  # noqa: F401


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def planner(shop, app):
    database.connect(reuse_if_open=True)
    create_user("pat", "planner books tidy schedules", "planner", "Pat")
    database.close()
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "pat", "password": "planner books tidy schedules", "csrf_token": token})
    return client


def post(client, page, url, data):
    return client.post(url, data={**data, "csrf_token": csrf(client.get(page).get_data(as_text=True))},
                       follow_redirects=True)


def test_a_template_is_built_in_the_form_and_each_save_is_a_version(planner):
    rows = {"code": "OIL", "name": "Oil change", "title": "Change the gearbox oil", "type": "preventive",
            "priority": "normal", "description": "Use ISO VG 220", "requires_signoff": "on",
            "f-0-name": "litres", "f-0-label": "Oil used", "f-0-kind": "number", "f-0-unit": "l", "f-0-min": "0",
            "f-0-max": "40", "f-0-required": "on", "f-1-name": "", "f-1-kind": "text",
            "s-0-text": "Drain", "s-0-kind": "tick", "s-1-text": "Temperature", "s-1-kind": "reading",
            "s-1-unit": "°C", "s-1-min": "-10", "s-1-max": "60", "s-2-text": "", "s-2-kind": "tick"}
    resp = post(planner, "/maintenance/templates/edit", "/maintenance/templates/edit", rows)
    assert "Template OIL saved as version 1." in resp.get_data(as_text=True)
    bad = {**rows, "s-1-min": "70"}
    resp = post(planner, "/maintenance/templates/OIL/edit", "/maintenance/templates/OIL/edit", bad)
    assert "checklist[1].min: 70 is above max 60" in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/templates/OIL/edit", "/maintenance/templates/OIL/edit",
                {**rows, "s-0-text": ""})
    assert "saved as version 2." in resp.get_data(as_text=True)
    with database.connection_context():
        v1, v2 = templates.get_version("OIL", 1), templates.get_version("OIL", 2)
        d1 = templates.version_dict(v1)
        assert d1["fields"] == [{"name": "litres", "label": "Oil used", "kind": "number", "required": True, "unit": "l",
                                 "min": "0", "max": "40"}]
        assert [s["text"] for s in d1["checklist"]] == ["Drain", "Temperature"] and v1.requires_signoff
        assert [s["text"] for s in templates.version_dict(v2)["checklist"]] == ["Temperature"]


def test_assets_rules_technicians_teams_and_contractors(planner):
    resp = post(planner, "/maintenance/assets", "/maintenance/assets",
                {"code": "OVEN-4", "name": "Oven 4", "line": "L1", "criticality": "critical", "location": "Bay 7"})
    assert "Asset OVEN-4 added." in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/assets", "/maintenance/assets", {"code": "OVEN-4", "criticality": "low"})
    assert "asset &#39;OVEN-4&#39; exists already" in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/assets", "/maintenance/areas", {"kind": "line", "code": "L9", "area": "A2"})
    assert "Line L9 added." in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/technicians", "/maintenance/technicians",
                {"code": "NEW", "name": "New", "hourly_rate": "-4"})
    assert "hourly_rate: must not be negative" in resp.get_data(as_text=True)
    post(planner, "/maintenance/technicians", "/maintenance/technicians/MECH/schedule",
         {"kind": "shift", "weekday": "2", "start": "22:00", "end": "06:00"})
    resp = post(planner, "/maintenance/technicians", "/maintenance/technicians/MECH/schedule",
                {"kind": "shift", "weekday": "2", "start": "25:00", "end": "06:00"})
    assert "start: must be a time from 00:00 to 24:00" in resp.get_data(as_text=True)
    post(planner, "/maintenance/technicians", "/maintenance/teams", {"code": "DAY", "name": "Day", "members": ["ELEC", "MECH"]})
    resp = post(planner, "/maintenance/rules", "/maintenance/rules", {"name": "Hall 1", "area": "A1", "team": "DAY",
                                                                      "position": "10"})
    assert "Rule added." in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/contractors", "/maintenance/contractors",
                {"code": "ELX", "company": "Elektro GmbH", "trade": "electrical", "email": "not-an-address"})
    assert "email: is not an e-mail address" in resp.get_data(as_text=True)
    post(planner, "/maintenance/contractors", "/maintenance/contractors",
         {"code": "ELX", "company": "Elektro GmbH", "trade": "electrical", "hourly_rate": "95"})
    with database.connection_context():
        oven = Asset.get(Asset.code == "OVEN-4")
        assert (oven.area.code, oven.line.code, oven.criticality) == ("A1", "L1", "critical")
        shift = Shift.get()
        assert (shift.weekday, shift.start_minute, shift.minutes, staff.shift_text(shift)) == (2, 1320, 480, "Wed 22:00–06:00")
        assert TeamMember.select().count() == 2 and AssignmentRule.get().team.code == "DAY"
        assert Contractor.get().hourly_rate == 95


def test_changing_technicians_contractors_templates_and_rules(planner):
    with database.connection_context():
        templates.save_template("OIL", {"title": "Oil"}, by="pat")
        staff.add_on_call("MECH", datetime(2026, 1, 1), datetime(2026, 1, 2))
        from central.maintenance.contractors import create_contractor
        from central.maintenance.assignment import create_rule

        create_contractor("ELX", company="Elektro")
        rule = create_rule(name="All", technician="MECH", active=False)
    resp = post(planner, "/maintenance/technicians", "/maintenance/technicians/MECH",
                {"name": "Max M", "user": "max", "operator": "OP-M", "hourly_rate": "48"})  # no "active": off
    assert "Technician MECH saved." in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/contractors", "/maintenance/contractors/ELX",
                {"company": "Elektro GmbH", "trade": "electrical", "hourly_rate": "", "active": "on"})
    assert "Contractor ELX saved." in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/templates", "/maintenance/templates/OIL/active", {"active": "no"})
    assert "Template OIL retired." in resp.get_data(as_text=True)
    resp = post(planner, "/maintenance/rules", f"/maintenance/rules/{rule.id}/active", {"active": "yes"})
    assert "technician MECH is inactive" in resp.get_data(as_text=True)  # switching on checks the target again
    with database.connection_context():
        tech = staff.get_technician("MECH")
        assert (tech.name, tech.hourly_rate, tech.active) == ("Max M", 48, False)
        assert Contractor.get().company == "Elektro GmbH" and templates.get_template("OIL").active is False
        from central.maintenance.workorders import create_work_order
        from central.errors import ValidationError

        with pytest.raises(ValidationError) as err:
            create_work_order(asset="PUMP-2", template="OIL", by="pat")
        assert err.value.field == "template"


@pytest.fixture
def berlin(settings_overrides):
    settings_overrides["site.timezone"] = "Europe/Berlin"


def test_times_are_typed_on_the_site_clocks_and_stored_in_utc(berlin, planner):
    """A planner in Berlin types 08:00 in winter: that is 07:00 UTC, and the form shows 08:00 again."""
    from central.maintenance import schedules
    from central.models import OnCall

    with database.connection_context():
        templates.save_template("OIL", {"title": "Oil"}, by="pat")
    page = planner.get("/maintenance/technicians").get_data(as_text=True)
    assert "on the site&#39;s clocks (Europe/Berlin)" in page or "on the site's clocks (Europe/Berlin)" in page
    post(planner, "/maintenance/technicians", "/maintenance/technicians/ELEC/schedule",
         {"kind": "shift", "weekday": "0", "start": "06:00", "end": "14:00"})
    post(planner, "/maintenance/technicians", "/maintenance/technicians/MECH/schedule",
         {"kind": "on_call", "starts_at": "2026-12-01T18:00", "ends_at": "2026-12-02T06:00"})
    resp = post(planner, "/maintenance/schedules", "/maintenance/schedules",
                {"code": "LUBE", "name": "Lubricate", "asset": "PUMP-2", "template": "OIL", "trigger": "days", "interval": "7", "lead": "0",
                 "starts_at": "2027-01-04T08:00"})
    assert "Schedule LUBE added." in resp.get_data(as_text=True), re.findall(r"role=\"alert\">([^<]*)", resp.get_data(as_text=True))
    with database.connection_context():
        assert Shift.get().zone == "Europe/Berlin"
        period = OnCall.get()
        assert (period.starts_at, period.ends_at) == (datetime(2026, 12, 1, 17), datetime(2026, 12, 2, 5))
        assert schedules.schedule_dict(schedules.get_schedule("LUBE"))["due_at"].startswith("2027-01-04T07:00")
    edit = planner.get("/maintenance/schedules/LUBE/edit").get_data(as_text=True)
    assert 'name="due_at" value="2027-01-04T08:00"' in edit
    bad = post(planner, "/maintenance/technicians", "/maintenance/technicians/MECH/schedule",
               {"kind": "on_call", "starts_at": "tomorrow", "ends_at": "2026-12-02T06:00"})
    assert "starts_at: must be a date and time" in bad.get_data(as_text=True)
