"""A supervisor on a phone: operators, certifications, CSV import, the expiring list and stage assignments."""
from datetime import timedelta

import pytest

from central import production, recipes
from central.catalog import create_item
from central.certification import issue_certification
from central.db import database
from central.models import Certification, Flag, Operator, StageAssignment, WorkCentre, utcnow
from central.operators import create_operator, create_skill

from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in

pytestmark = pytest.mark.browser

def field_errors(page, name):
    """The error lines shown under the form field ``name``."""
    return page.locator(f"label:has([name={name}]) ~ .error").all_inner_texts()


def test_create_operator_and_duplicate_badge(phone, live_server, supervisor):
    sign_in(phone, live_server, supervisor)
    nav(phone, "Operators")
    assert "No operators." in phone.inner_text("main")
    phone.get_by_role("link", name="New operator").click()
    assert_no_sideways_scroll(phone)
    phone.fill("input[name=badge]", "OP-17")
    phone.fill("input[name=name]", "Ann Smith")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Operator OP-17 added."
    row = phone.locator("main table tbody tr", has_text="OP-17")
    assert "Ann Smith" in row.inner_text() and "active" in row.inner_text()
    assert_no_sideways_scroll(phone)

    phone.get_by_role("link", name="New operator").click()
    phone.fill("input[name=badge]", "OP-17")
    phone.fill("input[name=name]", "Someone else")
    phone.click("main button[type=submit]")
    assert field_errors(phone, "badge") == ["badge 'OP-17' is already in use"]
    assert phone.input_value("input[name=name]") == "Someone else"  # what was typed is kept for correcting
    assert_no_sideways_scroll(phone)
    with database.connection_context():
        assert [(o.badge, o.name) for o in Operator.select()] == [("OP-17", "Ann Smith")]


def test_certification_refuses_expiry_before_issue(phone, live_server, supervisor):
    with database.connection_context():
        create_operator("OP-17", "Ann")
        create_skill("WELD", "Welding")
    sign_in(phone, live_server, supervisor)
    nav(phone, "Certifications")
    phone.get_by_role("link", name="New certification").click()
    phone.fill("input[name=badge]", "OP-17")
    phone.fill("input[name=skill]", "WELD")
    phone.fill("input[name=level]", "0")
    phone.fill("input[name=issued]", "2026-05-01")
    phone.fill("input[name=expires]", "2026-04-30")
    phone.click("main button[type=submit]")
    assert field_errors(phone, "level") == ["Number must be between 1 and 9."]
    phone.fill("input[name=level]", "2")
    phone.click("main button[type=submit]")
    assert field_errors(phone, "expires") == ["2026-04-30 is before the issue date 2026-05-01"]
    assert_no_sideways_scroll(phone)
    with database.connection_context():
        assert Certification.select().count() == 0

    phone.fill("input[name=expires]", "2027-04-30")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "OP-17 certified for WELD."
    row = phone.locator("main table tbody tr", has_text="WELD")
    assert [row.locator("td").nth(i).inner_text() for i in range(5)] == ["OP-17 Ann", "WELD", "2", "2026-05-01",
                                                                         "2027-04-30"]
    assert_no_sideways_scroll(phone)

    row.get_by_role("link", name="WELD").click()
    assert [phone.input_value(f"input[name={name}]") for name in ("badge", "skill", "level", "issued", "expires")] == [
        "OP-17", "WELD", "2", "2026-05-01", "2027-04-30"]
    phone.fill("input[name=level]", "3")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Certification saved."
    with database.connection_context():
        assert [(c.skill.code, c.level) for c in Certification.select()] == [("WELD", 3)]


CSV = ("badge,skill,level,issued,expires,issued_by\n"
       "OP-1,WELD,2,2026-01-01,2026-12-31,Tom\n"
       "OP-2,WELD,1,2026-13-01,,Tom\n"  # line 3: there is no month 13
       "OP-2,WELD,1,2026-02-01,,Tom\n")


def upload(page, name, text, mode_label):
    page.set_input_files("input[name=file]", {"name": name, "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_label(mode_label).check()
    page.click("main button[type=submit]")


@pytest.mark.parametrize("mode_label, imported, flash", [
    ("Import the valid rows and list the bad ones", 2, "Imported 2 certifications."),
    ("All or nothing: import only if every row is valid", 0, "Nothing imported: 1 bad row."),
])
def test_certification_csv_import_with_a_bad_row(phone, live_server, supervisor, mode_label, imported, flash):
    with database.connection_context():
        create_operator("OP-1")
        create_operator("OP-2")
        create_skill("WELD")
    sign_in(phone, live_server, supervisor)
    nav(phone, "Certifications")
    phone.get_by_role("link", name="Import CSV").click()
    upload(phone, "certs.csv", CSV, mode_label)
    assert phone.locator(".flash").inner_text() == flash
    bad = phone.locator("main tr.error")
    assert bad.count() == 1
    assert [bad.locator("td").nth(i).inner_text() for i in range(2)] == ["3", "issued"]
    assert "2026-13-01" in bad.locator("td").nth(2).inner_text()
    assert_no_sideways_scroll(phone)
    with database.connection_context():
        rows = sorted((c.operator.badge, c.issued.isoformat()) for c in Certification.select())
    assert rows == ([("OP-1", "2026-01-01"), ("OP-2", "2026-02-01")] if imported else [])


def test_expiring_list_shows_ten_days_not_sixty(phone, live_server, supervisor):
    today = utcnow().date()
    with database.connection_context():
        for badge in ("OP-SOON", "OP-LATER"):
            create_operator(badge)
        create_skill("WELD")
        create_skill("FORK")
        issue_certification("OP-SOON", "WELD", issued=today - timedelta(days=300), expires=today + timedelta(days=10))
        issue_certification("OP-LATER", "FORK", issued=today - timedelta(days=300), expires=today + timedelta(days=60))
    sign_in(phone, live_server, supervisor)
    nav(phone, "Expiring")
    rows = phone.locator("main table tbody tr")
    assert rows.count() == 1
    assert "OP-SOON" in rows.inner_text() and (today + timedelta(days=10)).isoformat() in rows.inner_text()
    assert "OP-LATER" not in phone.inner_text("main")
    assert_no_sideways_scroll(phone)


def make_work_order():
    """WO-1 with one stage (10) at work centre ASSY that needs the skill WELD."""
    WorkCentre.create(code="ASSY", name="Assembly")
    create_skill("WELD")
    create_item({"code": "RM-STEEL", "name": "Steel", "unit": "kg"})
    create_item({"code": "FG-FRAME", "name": "Frame", "unit": "pcs"})
    recipes.create_recipe({"code": "RCP-FRAME", "inputs": [{"item": "RM-STEEL", "qty_per_unit": "2"}],
                           "outputs": [{"item": "FG-FRAME", "kind": "main", "cost_share": "100"}],
                           "stages": [{"seq": 10, "work_centre": "ASSY", "standard_minutes": "15", "skill": "WELD"}]})
    production.create_work_order({"number": "WO-1", "recipe": "RCP-FRAME", "planned_qty": "10", "status": "released"})


def test_uncertified_operator_is_blocked_and_overridden_with_a_reason(phone, live_server, supervisor):
    today = utcnow().date()
    with database.connection_context():
        make_work_order()
        create_operator("OP-NEW", "Newcomer")
        create_operator("OP-PRO", "Welder")
        issue_certification("OP-PRO", "WELD", issued=today - timedelta(days=10))
    sign_in(phone, live_server, supervisor)
    phone.goto(live_server.url + "/work-orders/WO-1/assignments")
    assert "Nobody assigned yet." in phone.inner_text("main")

    phone.fill("input[name=stage]", "10")
    phone.fill("input[name=operator]", "OP-PRO")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "OP-PRO assigned to stage 10."

    phone.fill("input[name=stage]", "10")
    phone.fill("input[name=operator]", "OP-NEW")
    phone.click("main button[type=submit]")
    [error] = field_errors(phone, "operator")
    assert error.startswith("OP-NEW may not work stage 10 of WO-1: not certified for WELD")
    assert "OP-NEW" not in phone.locator("main table").first.inner_text()
    assert_no_sideways_scroll(phone)

    phone.fill("textarea[name=override_reason]", "Shadowing OP-PRO on the first shift")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "OP-NEW assigned to stage 10."
    row = phone.locator("main table tbody tr", has_text="OP-NEW")
    assert "Overridden by sue: Shadowing OP-PRO on the first shift" in row.inner_text()
    assert "not certified for WELD" in row.inner_text()
    assert "Overridden" not in phone.locator("main table tbody tr", has_text="Welder").inner_text()
    assert_no_sideways_scroll(phone)
    with database.connection_context():
        kept = {(a.operator.badge, a.override_reason, a.overridden_by) for a in StageAssignment.select()}
        flags = [f.kind for f in Flag.select()]
    assert kept == {("OP-PRO", None, None), ("OP-NEW", "Shadowing OP-PRO on the first shift", "sue")}
    assert flags == ["certification_override"]
