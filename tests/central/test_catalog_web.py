"""The item, location, work-centre, recipe, station, machine and operator pages (forms with CSRF)."""
import re
from decimal import Decimal as D

import pytest

from central import catalog, recipes
from central.db import database
from central.models import (Item, Location, Machine, Operator, Recipe, RecipeInput, RecipeOutput, RecipeStage, Skill,
                            Station, WorkCentre)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def browser(client, admin_user):
    """A browser signed in as the admin."""
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": admin_user[0], "password": admin_user[1], "csrf_token": token})
    return client


def post_form(browser, url, data):
    data = {**data, "csrf_token": csrf(browser.get(url).get_data(as_text=True))}
    return browser.post(url, data=data, follow_redirects=True)


def text(resp) -> str:
    return resp.get_data(as_text=True)


@pytest.fixture
def plant(app):
    with database.connection_context():
        catalog.create_location({"code": "STORE", "role": "storage"})
        catalog.create_location({"code": "FG", "role": "finished"})
        WorkCentre.create(code="MIX", name="Mixing", labour_rate=D("0.5"), overhead_rate=D("0.3"))
        Skill.create(code="MIXING")
        catalog.create_item({"code": "FLOUR", "unit": "kg"})
        catalog.create_item({"code": "SUGAR", "unit": "kg", "costing": "average"})
        catalog.create_item({"code": "BREAD", "unit": "pcs"})
        catalog.create_item({"code": "CRUMBS", "unit": "kg"})


def test_item_pages_create_edit_filters_and_errors(browser, plant):
    resp = post_form(browser, "/items/new", {"code": "SALT", "name": "Salt <fine>", "unit": "kg", "costing": "fifo",
                                            "batch_tracked": "y", "gtin": "", "standard_cost": "0.2", "active": "y"})
    assert "Item SALT added." in text(resp) and "Salt &lt;fine&gt;" in text(resp)
    resp = post_form(browser, "/items/new", {"code": "SALT", "unit": "kg", "costing": "fifo"})
    assert re.search(r"Code<br>.*?item &#39;SALT&#39; already exists", text(resp), re.S)
    resp = post_form(browser, "/items/new", {"code": "PEPPER", "unit": "kg", "costing": "fifo", "gtin": "12345678"})
    page = text(resp)
    assert "check digit of 12345678 is wrong" in page and 'value="PEPPER"' in page  # typed values kept
    with database.connection_context():
        assert not Item.select().where(Item.code == "PEPPER").exists()
    resp = post_form(browser, "/items/SALT/edit", {"code": "SALT", "name": "Salt", "unit": "kg", "costing": "average",
                                                  "standard_cost": "0.2", "active": "y"})
    assert "Item SALT saved." in text(resp)
    with database.connection_context():
        salt = Item.get(Item.code == "SALT")
        assert (salt.name, salt.costing, salt.batch_tracked, salt.last_cost) == ("Salt", "average", False, D("0.2"))
    assert 'href="/items/SALT"' in text(browser.get("/items?q=sal"))
    assert "SALT" not in text(browser.get("/items?costing=fifo")).split("<tbody>")[1]
    assert "No item matches." in text(browser.get("/items?q=nothing-like-it"))


def test_item_record_shows_recipes_and_links(browser, plant):
    with database.connection_context():
        recipes.create_recipe({"code": "R-BREAD", "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"}],
                               "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
    page = text(browser.get("/items/FLOUR"))
    assert 'href="/recipes/R-BREAD"' in page and "0.5 kg per unit" in page
    assert 'href="/stock?item=FLOUR"' in page
    assert "main output, 100 % of the cost" in text(browser.get("/items/BREAD"))
    made = text(browser.get("/items?kind=made"))
    assert 'href="/items/BREAD"' in made and 'href="/items/FLOUR"' not in made
    material = text(browser.get("/items?kind=material"))
    assert 'href="/items/FLOUR"' in material and 'href="/items/BREAD"' not in material
    assert browser.get("/items/NOPE").status_code == 404


def test_location_pages(browser, plant):
    resp = post_form(browser, "/locations/new", {"code": "LINE-1", "name": "Line side", "role": "production", "active": "y"})
    assert "Location LINE-1 added." in text(resp)
    resp = post_form(browser, "/locations/new", {"code": "LINE-1", "role": "production"})
    assert "location &#39;LINE-1&#39; already exists" in text(resp)
    resp = post_form(browser, "/locations/LINE-1/edit", {"code": "LINE-1", "name": "Line 1", "role": "storage"})
    assert "Location LINE-1 saved." in text(resp) and "Nothing is here." in text(resp)
    with database.connection_context():
        loc = Location.get(Location.code == "LINE-1")
        assert (loc.name, loc.role, loc.active) == ("Line 1", "storage", False)
    assert "LINE-1" in text(browser.get("/locations?active=no"))
    assert 'href="/locations/STORE"' in text(browser.get("/locations?role=storage"))


def test_work_centre_pages_and_bad_rate(browser, plant):
    resp = post_form(browser, "/work-centres/new", {"code": "OVEN", "name": "Ovens", "labour_rate": "0.75",
                                                   "overhead_rate": ""})
    assert "Work centre OVEN added." in text(resp) and "0.75 per minute" in text(resp)
    resp = post_form(browser, "/work-centres/new", {"code": "OVEN", "labour_rate": "1"})
    assert "work centre &#39;OVEN&#39; already exists" in text(resp)
    resp = post_form(browser, "/work-centres/OVEN/edit", {"code": "OVEN", "name": "Ovens", "labour_rate": "-1",
                                                         "overhead_rate": "abc"})
    assert re.search(r"Labour rate per minute.*?must not be negative", text(resp), re.S)
    assert 'value="-1"' in text(resp)
    with database.connection_context():
        assert WorkCentre.get(WorkCentre.code == "OVEN").labour_rate == D("0.75")
        Machine.create(code="M-1", name="Oven 1", work_centre=WorkCentre.get(WorkCentre.code == "OVEN"))
        Station.create(code="S01", site="plant1", work_centre=WorkCentre.get(WorkCentre.code == "OVEN"))
    resp = post_form(browser, "/work-centres/OVEN/edit", {"code": "OVEN", "name": "Ovens", "labour_rate": "0.8",
                                                         "overhead_rate": "0.1"})
    page = text(resp)
    assert "Work centre OVEN saved." in page and 'href="/machines/M-1"' in page and 'href="/stations/S01"' in page
    assert 'href="/work-centres/OVEN"' in text(browser.get("/work-centres"))


def _recipe_form(**rows):
    data = {"code": "R1", "name": "Bread", "active": "y"}
    for name, entries in rows.items():
        for i, entry in enumerate(entries):
            for k, v in entry.items():
                data[f"{name}-{i}-{k}"] = v
    return data


def test_recipe_editor_create_errors_and_edit(browser, plant):
    form = _recipe_form(
        inputs=[{"item": "FLOUR", "qty_per_unit": "0.5", "mode": "scanned"}, {"item": "", "qty_per_unit": "", "mode": "scanned"}],
        outputs=[{"item": "BREAD", "kind": "main", "cost_share": "90"}, {"item": "CRUMBS", "kind": "by", "cost_share": "5"}],
        stages=[{"seq": "10", "work_centre": "MIX", "standard_minutes": "2", "skill": "MIXING"}])
    resp = post_form(browser, "/recipes/new", form)
    page = text(resp)
    assert "cost shares add up to 95 %, they must add up to 100 %" in page
    assert 'value="CRUMBS"' in page and 'value="90"' in page  # typed values kept
    with database.connection_context():
        assert Recipe.select().count() == 0
    form["inputs-0-qty_per_unit"] = "zero"
    form["outputs-1-cost_share"] = "10"
    page = text(post_form(browser, "/recipes/new", form))
    assert re.search(r'inputs-0-qty_per_unit.*?must be a number', page, re.S)
    form["inputs-0-qty_per_unit"] = "0.5"
    form["inputs-1-item"] = "NOPE"
    form["inputs-1-qty_per_unit"] = "1"
    page = text(post_form(browser, "/recipes/new", form))
    assert re.search(r'name="inputs-1-item".*?no item &#39;NOPE&#39;', page, re.S)
    form["inputs-1-item"] = ""
    page = text(post_form(browser, "/recipes/new", form))
    assert "Recipe R1 added." in page and 'href="/work-centres/MIX"' in page and "backflushed" not in page
    with database.connection_context():
        assert RecipeInput.select().count() == 1 and RecipeOutput.select().count() == 2 and RecipeStage.select().count() == 1
    page = text(post_form(browser, "/recipes/new", form))
    assert "recipe &#39;R1&#39; already exists" in page
    edit = text(browser.get("/recipes/R1/edit"))
    assert 'value="FLOUR"' in edit and 'name="inputs-2-item"' in edit  # the rows, then blank ones
    form.update({"inputs-0-mode": "backflush", "stages-0-standard_minutes": "3", "name": "Bread loaf"})
    page = text(post_form(browser, "/recipes/R1/edit", form))
    assert "Recipe R1 saved." in page and "backflushed at completion" in page
    more = post_form(browser, "/recipes/R1/edit", {**form, "name": "Not saved", "more": "1"})
    assert 'name="outputs-3-item"' in text(more)  # more blank rows, nothing saved
    with database.connection_context():
        assert Recipe.get(Recipe.code == "R1").name == "Bread loaf"
    assert 'href="/recipes/R1"' in text(browser.get("/recipes?item=BREAD"))


def test_recipe_used_by_an_open_work_order_is_not_changed(browser, plant):
    from central.production import create_work_order

    with database.connection_context():
        recipes.create_recipe({"code": "R1", "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
        create_work_order({"number": "WO-1", "recipe": "R1", "planned_qty": "10"})
    assert 'href="/work-orders/WO-1"' in text(browser.get("/recipes/R1/edit"))
    form = _recipe_form(outputs=[{"item": "BREAD", "kind": "main", "cost_share": "100"}])
    page = text(post_form(browser, "/recipes/R1/edit", form))
    assert "used by open work orders WO-1" in page


def test_station_pages_show_status_figures_and_edit(browser, plant):
    with database.connection_context():
        Station.create(code="S01", site="plant1", name="Mixer", status="online", queue_depth=3, dead_letters=1,
                       config_version="abc123abc123", work_centre=WorkCentre.get(WorkCentre.code == "MIX"))
        Station.create(code="S02", site="plant1")
    page = text(browser.get("/stations"))
    assert 'href="/stations/S01"' in page and "never connected" in page
    assert 'href="/stations/S02"' not in text(browser.get("/stations?status=online"))
    page = text(browser.get("/stations/S01"))
    assert "3 in its outbox" in page and "1 events central rejected" in page
    assert "abc123abc123" in page and "central now publishes" in page
    resp = post_form(browser, "/stations/S01/edit", {"name": "Mixer 2", "kind": "production", "work_centre": "",
                                                    "active": "y"})
    assert "Station S01 saved." in text(resp)
    with database.connection_context():
        assert Station.get(Station.code == "S01").work_centre_id is None


def test_machine_and_operator_records(browser, plant):
    from central.certification import issue_certification

    with database.connection_context():
        Machine.create(code="M-7", name="Mixer 7", work_centre=WorkCentre.get(WorkCentre.code == "MIX"))
        Operator.create(badge="OP-1", name="Ann")
        issue_certification("OP-1", "MIXING", level=2, issued="2026-01-01", expires="2026-02-01")
    page = text(browser.get("/machines/M-7"))
    assert 'href="/work-centres/MIX"' in page and "no maintenance asset" in page and 'href="/machines/M-7/edit"' in page
    page = text(browser.get("/operators/OP-1"))
    assert "MIXING" in page and "expired" in page
    assert browser.get("/operators/NOPE").status_code == 404


def test_a_viewer_reads_but_cannot_write(app, client):
    from central.auth import create_user

    with database.connection_context():
        create_user("vic", "viewer password 1", "viewer")
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "vic", "password": "viewer password 1", "csrf_token": token})
    for path in ("/items", "/locations", "/work-centres", "/recipes", "/stations"):
        assert client.get(path).status_code == 200
        assert "/new" not in text(client.get(path)).split("<main>")[1]
    for path in ("/items/new", "/locations/new", "/work-centres/new", "/recipes/new"):
        assert client.get(path).status_code == 403
