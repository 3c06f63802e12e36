"""A supervisor on a phone sets which skills (and levels) machines and work centres require."""
import pytest

from central.db import database
from central.models import Machine, WorkCentre
from central.operators import create_skill
from central.requirements import machine_requirements, work_centre_requirements

from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in

pytestmark = pytest.mark.browser

def requirement_row(page, n):
    """Requirement row ``n`` (from 0) of the form."""
    return page.locator(f"select[name=skills-{n}-skill]"), page.locator(f"input[name=skills-{n}-min_level]")


def set_row(page, n, skill, level):
    select, level_input = requirement_row(page, n)
    select.select_option(skill)
    level_input.fill(str(level))


def as_pairs(requirements):
    return [(r.skill, r.min_level) for r in requirements]


def test_machine_and_work_centre_skill_requirements(phone, live_server, supervisor):
    with database.connection_context():
        WorkCentre.create(code="ASSY", name="Assembly")
        create_skill("WELD", "Welding")
    sign_in(phone, live_server, supervisor)
    nav(phone, "Machines")
    assert "No machines yet." in phone.inner_text("main")

    phone.get_by_role("link", name="Skills", exact=True).click()
    phone.fill("input[name=code]", "PRESS")
    phone.fill("input[name=name]", "Press operation")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Skill PRESS added."
    assert "PRESS" in phone.locator("#skills").inner_text()
    phone.get_by_role("link", name="Machines and work centres").click()

    phone.get_by_role("link", name="New machine").click()
    phone.fill("input[name=code]", "M-7")
    phone.fill("input[name=name]", "Press 7")
    phone.select_option("select[name=work_centre]", "ASSY")
    set_row(phone, 0, "PRESS", 2)
    assert_no_sideways_scroll(phone)
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Machine M-7 added."
    row = phone.locator("#machines tbody tr", has_text="M-7")
    assert row.locator("td").nth(1).inner_text() == "ASSY"
    assert row.locator("td").nth(2).inner_text() == "PRESS ≥ 2"
    assert_no_sideways_scroll(phone)

    row.get_by_role("link", name="M-7", exact=True).click()
    assert phone.locator("h1").inner_text() == "Machine M-7 · Press 7"
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="Edit", exact=True).click()
    assert phone.locator("input[name=code]").get_attribute("readonly") is not None
    assert phone.input_value("select[name=skills-0-skill]") == "PRESS"
    set_row(phone, 1, "PRESS", 1)  # the same skill twice: refused, on the row it is about
    phone.click("main button[type=submit]")
    assert phone.locator("main .requirement").nth(1).locator(".error").inner_text() == "Row 2: 'PRESS' is listed twice"
    with database.connection_context():
        assert as_pairs(machine_requirements(["M-7"])) == [("PRESS", 2)]
    set_row(phone, 0, "", 1)  # dropping a row: empty its skill
    set_row(phone, 1, "WELD", 3)
    phone.fill("input[name=skills-2-min_level]", "12")  # an empty row's level is ignored... unless out of range
    phone.click("main button[type=submit]")
    assert phone.locator("main .requirement").nth(2).locator(".error").inner_text() == (
        "Row 3: Number must be between 1 and 9.")
    phone.fill("input[name=skills-2-min_level]", "")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Machine M-7 saved."
    assert phone.locator("#machines tbody tr", has_text="M-7").locator("td").nth(2).inner_text() == "WELD ≥ 3"

    phone.locator("#work-centres tbody tr", has_text="ASSY").get_by_role("link", name="required skills").click()
    set_row(phone, 0, "WELD", 2)
    set_row(phone, 1, "PRESS", 1)
    assert_no_sideways_scroll(phone)
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Skills required at work centre ASSY saved."
    assert phone.locator("#work-centres tbody tr", has_text="ASSY").locator("td").nth(1).inner_text() == (
        "PRESS ≥ 1, WELD ≥ 2")
    assert_no_sideways_scroll(phone)

    refused = phone.request.post(live_server.url + "/machines/new", form={"code": "M-8"})  # no CSRF token
    assert refused.status == 400
    with database.connection_context():
        assert as_pairs(machine_requirements(["M-7"])) == [("WELD", 3)]
        assert as_pairs(work_centre_requirements(WorkCentre.get(WorkCentre.code == "ASSY").id)) == [
            ("PRESS", 1), ("WELD", 2)]
        assert [(m.code, m.name, m.work_centre.code) for m in Machine.select()] == [("M-7", "Press 7", "ASSY")]
