"""Items, locations, work centres, recipes, stations, machines and operators in Chromium, on a phone and a desktop.

Every page is checked with axe-core (no serious or critical violation); on the phone, none scrolls sideways.
"""
from decimal import Decimal as D

import pytest

from central import catalog, recipes
from central.certification import issue_certification
from central.db import database
from central.inventory import Actor, receive
from central.models import Machine, Operator, Recipe, Skill, Station, WorkCentre
from central.production import create_work_order

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in

pytestmark = pytest.mark.browser


def check(page, phone=True):
    assert_accessible(page)
    if phone:
        assert_no_sideways_scroll(page)


def error_by(page, name):
    """The error shown next to the field named ``name``."""
    return page.locator(f"p:has([name='{name}']) .error, label:has([name='{name}']) .error").first.inner_text()


@pytest.fixture
def plant(app):
    with database.connection_context():
        catalog.create_location({"code": "STORE", "name": "Main store"})
        catalog.create_location({"code": "FG", "role": "finished"})
        WorkCentre.create(code="MIX", name="Mixing", labour_rate=D("0.5"), overhead_rate=D("0.3"))
        Skill.create(code="MIXING", name="Mixing")
        catalog.create_item({"code": "FLOUR", "name": "Wheat flour", "unit": "kg", "shelf_life_days": 180})
        catalog.create_item({"code": "BREAD", "name": "Bread loaf with a rather long name for a phone", "unit": "pcs"})
        catalog.create_item({"code": "CRUMBS", "unit": "kg"})
        receive(item="FLOUR", qty=D("250.5"), batch="GI-FLOUR-000000000001", location="STORE", unit_cost=D("0.62"),
                actor=Actor(user="sue"))
        recipes.create_recipe({"code": "R-BREAD", "name": "Bread",
                               "inputs": [{"item": "FLOUR", "qty_per_unit": "0.45", "mode": "backflush"}],
                               "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "95"},
                                           {"item": "CRUMBS", "kind": "by", "cost_share": "5"}],
                               "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "1.5", "skill": "MIXING"}]})
        create_work_order({"number": "WO-2026-0001", "recipe": "R-BREAD", "planned_qty": "100"})
        centre = WorkCentre.get(WorkCentre.code == "MIX")
        Machine.create(code="M-7", name="Spiral mixer", work_centre=centre)
        Station.create(code="S01", site="plant1", name="Mixer 1", work_centre=centre, status="online",
                       queue_depth=4, dead_letters=0, config_version="0123456789ab")
        Station.create(code="S02", site="plant1", name="Goods in", kind="goods_in")
        Operator.create(badge="OP-17", name="Ann Baker")
        issue_certification("OP-17", "MIXING", level=2, issued="2026-01-01")


PAGES = ["/items", "/items?kind=made", "/items/FLOUR", "/items/BREAD", "/locations", "/locations/STORE",
         "/work-centres", "/work-centres/MIX", "/recipes", "/recipes/R-BREAD", "/recipes/R-BREAD/edit", "/recipes/new",
         "/items/new", "/items/FLOUR/edit", "/locations/new", "/locations/STORE/edit", "/work-centres/new",
         "/work-centres/MIX/edit", "/stations", "/stations/S01", "/stations/S02", "/stations/S01/edit",
         "/machines", "/machines/M-7", "/operators/OP-17"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_page_reads_well(request, viewport, live_server, admin_user, plant):
    page = request.getfixturevalue(viewport)
    sign_in(page, live_server, admin_user)
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        check(page, phone=viewport == "phone")
    page.goto(live_server.url + "/recipes/R-BREAD")
    assert page.get_by_role("link", name="MIX", exact=True).is_visible()
    page.goto(live_server.url + "/stations/S01")
    assert "4 in its outbox" in page.inner_text("main")


def test_a_supervisor_sets_up_an_item_a_location_a_work_centre_and_a_recipe(phone, live_server, supervisor, plant):
    sign_in(phone, live_server, supervisor)
    nav(phone, "Items")
    phone.get_by_role("link", name="New item").click()
    phone.fill("input[name=code]", "SALT")
    phone.fill("input[name=unit]", "kg")
    phone.fill("input[name=gtin]", "12345678")  # wrong check digit
    phone.click("main button[type=submit]")
    assert "check digit" in error_by(phone, "gtin")
    assert phone.input_value("input[name=code]") == "SALT"
    check(phone)
    phone.fill("input[name=gtin]", "")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Item SALT added."
    check(phone)

    nav(phone, "Locations")
    phone.get_by_role("link", name="New location").click()
    phone.fill("input[name=code]", "STORE")  # taken
    phone.click("main button[type=submit]")
    assert "already exists" in error_by(phone, "code")
    phone.fill("input[name=code]", "LINE-1")
    phone.select_option("select[name=role]", "production")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Location LINE-1 added."

    nav(phone, "Work centres")
    phone.get_by_role("link", name="New work centre").click()
    phone.fill("input[name=code]", "OVEN")
    phone.fill("input[name=labour_rate]", "-0.5")
    phone.fill("input[name=overhead_rate]", "0.2")
    phone.click("main button[type=submit]")
    assert "must not be negative" in error_by(phone, "labour_rate")
    assert phone.input_value("input[name=overhead_rate]") == "0.2"
    check(phone)
    phone.fill("input[name=labour_rate]", "0.65")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Work centre OVEN added."
    assert "0.65 per minute" in phone.inner_text("main")

    nav(phone, "Recipes")
    phone.get_by_role("link", name="New recipe").click()
    phone.fill("input[name=code]", "R-SALTED")
    phone.fill("input[name=inputs-0-item]", "SALT")
    phone.fill("input[name=inputs-0-qty_per_unit]", "0.01")
    phone.fill("input[name=inputs-1-item]", "FLOUR")
    phone.fill("input[name=inputs-1-qty_per_unit]", "0.5")
    phone.select_option("select[name=inputs-1-mode]", "backflush")
    phone.fill("input[name=outputs-0-item]", "BREAD")
    phone.fill("input[name=outputs-0-cost_share]", "90")
    phone.fill("input[name=outputs-1-item]", "CRUMBS")
    phone.select_option("select[name=outputs-1-kind]", "by")
    phone.fill("input[name=outputs-1-cost_share]", "5")
    assert phone.inner_text("#share-total") == "Cost shares add up to 95 % (they must add up to 100 %)."
    phone.select_option("select[name=stages-0-work_centre]", "OVEN")
    phone.fill("input[name=stages-0-standard_minutes]", "12")
    phone.click("main button[type=submit] >> text=Save")
    assert "they must add up to 100 %" in phone.locator("#outputs .error").inner_text()
    assert phone.input_value("input[name=outputs-1-cost_share]") == "5"
    check(phone)
    with database.connection_context():
        assert not Recipe.select().where(Recipe.code == "R-SALTED").exists()
    phone.fill("input[name=outputs-1-cost_share]", "10")
    phone.click("main button[type=submit] >> text=More rows")
    assert phone.locator("input[name=stages-2-seq]").count() == 1
    phone.select_option("select[name=stages-1-work_centre]", "MIX")
    phone.fill("input[name=stages-1-seq]", "20")
    phone.select_option("select[name=stages-1-skill]", "MIXING")
    phone.click("main button[type=submit] >> text=Save")
    assert phone.locator(".flash").inner_text() == "Recipe R-SALTED added."
    main = phone.inner_text("main")
    assert "backflushed at completion" in main and "10 %" in main
    check(phone)
    phone.get_by_role("link", name="SALT", exact=True).click()
    assert "Used by" in phone.inner_text("main") and "0.01 kg per unit" in phone.inner_text("main")
    check(phone)


def test_station_edit_on_a_desktop(desktop, live_server, admin_user, plant):
    sign_in(desktop, live_server, admin_user)
    nav(desktop, "Stations")
    desktop.get_by_role("link", name="S02", exact=True).click()
    assert "never connected" in desktop.inner_text("main")
    desktop.get_by_role("link", name="Edit", exact=True).click()
    desktop.fill("input[name=name]", "Goods in, dock 2")
    desktop.select_option("select[name=work_centre]", "MIX")
    desktop.click("main button[type=submit]")
    assert desktop.locator(".flash").inner_text() == "Station S02 saved."
    check(desktop, phone=False)
    desktop.get_by_role("link", name="MIX", exact=True).click()
    assert "S02" in desktop.locator("#stations").inner_text()
