"""Work centres, locations and recipes changed through the domain and the JSON API."""
from decimal import Decimal as D

import pytest

from central import catalog, recipes, workcentres
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.models import Machine, RecipeOutput, Station, WorkCentre


def call(api, method, path, body=None):
    resp = api.open(f"/api/v1{path}", method=method, json=body)
    return resp.status_code, resp.get_json()


def test_create_update_and_refusals(db):
    centre = workcentres.create_work_centre({"code": "MIX", "name": "Mixing", "labour_rate": "0.5",
                                             "overhead_rate": 0.25})
    assert (centre.labour_rate, centre.overhead_rate) == (D("0.5"), D("0.25"))
    with pytest.raises(Conflict) as exc:
        workcentres.create_work_centre({"code": "MIX"})
    assert exc.value.field == "code"
    for data, field in (({"code": "X", "labour_rate": "-1"}, "labour_rate"), ({"code": "X", "overhead_rate": "a"}, "overhead_rate"),
                        ({"code": "bad code"}, "code"), ({"code": "X", "colour": "red"}, "colour"),
                        ({"code": "X", "labour_rate": "0.0000001"}, "labour_rate")):
        with pytest.raises(ValidationError) as exc:
            workcentres.create_work_centre(data)
        assert exc.value.field == field
    assert WorkCentre.select().count() == 1
    changed = workcentres.update_work_centre("MIX", {"labour_rate": None, "name": "Mixers"})
    assert (changed.name, changed.labour_rate, changed.overhead_rate) == ("Mixers", None, D("0.25"))
    with pytest.raises(ValidationError):
        workcentres.update_work_centre("MIX", {"code": "MIX2"})
    with pytest.raises(NotFound):
        workcentres.update_work_centre("NOPE", {"name": "x"})
    Machine.create(code="M-1", work_centre=changed)
    Station.create(code="S01", site="plant1", work_centre=changed)
    detail = workcentres.work_centre_dict(changed, detail=True)
    assert detail == {"code": "MIX", "name": "Mixers", "labour_rate": None, "overhead_rate": "0.25", "skills": [],
                      "machines": ["M-1"], "stations": ["S01"]}


def test_work_centre_api(api):
    status, body = call(api, "POST", "/work-centres", {"code": "MIX", "name": "Mixing", "labour_rate": "0.5"})
    assert status == 201 and body["labour_rate"] == "0.5" and body["overhead_rate"] is None and body["machines"] == []
    assert call(api, "POST", "/work-centres", {"code": "MIX"})[0] == 409
    status, body = call(api, "POST", "/work-centres", {"code": "OVEN", "labour_rate": "-2"})
    assert status == 400 and body["field"] == "labour_rate"
    status, body = call(api, "PATCH", "/work-centres/MIX", {"overhead_rate": "0.3"})
    assert status == 200 and body["overhead_rate"] == "0.3" and body["labour_rate"] == "0.5"
    status, body = call(api, "PATCH", "/work-centres/MIX", {"labour_rate": None})
    assert status == 200 and body["labour_rate"] is None
    assert call(api, "GET", "/work-centres/NOPE")[0] == 404
    status, body = call(api, "GET", "/work-centres?q=mix")
    assert status == 200 and body["total"] == 1 and body["work_centres"][0]["code"] == "MIX"
    assert call(api, "GET", "/work-centres/MIX")[1]["skills"] == []


def test_rates_need_a_planner_or_higher(app, api):
    from central.auth import create_user, issue_token
    from central.models import User

    with database.connection_context():
        create_user("tech", "technician password", "technician")
        token = issue_token(User.get(User.username == "tech"), "t")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    resp = client.post("/api/v1/work-centres", json={"code": "MIX", "labour_rate": "1"})
    assert resp.status_code == 403


def test_location_update_and_api(api, db):
    catalog.create_location({"code": "STORE"})
    loc = catalog.update_location("STORE", {"name": "Main store", "role": "finished", "active": False})
    assert (loc.name, loc.role, loc.active) == ("Main store", "finished", False)
    with pytest.raises(ValidationError):
        catalog.update_location("STORE", {"role": "attic"})
    with pytest.raises(ValidationError):
        catalog.update_location("STORE", {"code": "X"})
    status, body = call(api, "PATCH", "/locations/STORE", {"active": True})
    assert status == 200 and body == {"code": "STORE", "name": "Main store", "role": "finished", "active": True}
    assert call(api, "GET", "/locations/STORE")[0] == 200 and call(api, "GET", "/locations/NOPE")[0] == 404


def _plant():
    for code in ("FLOUR", "BREAD", "CRUMBS"):
        catalog.create_item({"code": code, "unit": "kg"})
    WorkCentre.create(code="MIX")


def test_update_recipe_all_or_nothing_and_keeps_settled_costs(db):
    _plant()
    recipes.create_recipe({"code": "R1", "inputs": [{"item": "FLOUR", "qty_per_unit": "1"}],
                           "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
    RecipeOutput.update(settled_unit_cost=D("1.5")).execute()
    with pytest.raises(ValidationError) as exc:
        recipes.update_recipe("R1", {"inputs": [], "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "60"},
                                                                {"item": "CRUMBS", "kind": "by", "cost_share": "30"}]})
    assert exc.value.field == "outputs" and "90 %" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        recipes.update_recipe("R1", {"inputs": [{"item": "FLOUR", "qty_per_unit": "1"}, {"item": "FLOUR", "qty_per_unit": "2"}],
                                     "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
    assert exc.value.field == "inputs[1].item"
    recipe = recipes.update_recipe("R1", {"name": "Bread", "inputs": [{"item": "FLOUR", "qty_per_unit": "2", "mode": "backflush"}],
                                          "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "90"},
                                                      {"item": "CRUMBS", "kind": "by", "cost_share": "10"}],
                                          "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "2"}]})
    assert recipe.name == "Bread"
    shares = {o.item.code: (o.cost_share, o.settled_unit_cost) for o in RecipeOutput.select()}
    assert shares == {"BREAD": (D("90"), D("1.5")), "CRUMBS": (D("10"), None)}


def test_recipe_api_put(api):
    call(api, "POST", "/items", {"code": "FLOUR", "unit": "kg"})
    call(api, "POST", "/items", {"code": "BREAD", "unit": "pcs"})
    call(api, "POST", "/recipes", {"code": "R1", "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
    status, body = call(api, "PUT", "/recipes/R1", {"name": "Loaf", "inputs": [{"item": "FLOUR", "qty_per_unit": "0.4"}],
                                                    "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
    assert status == 200 and body["name"] == "Loaf" and body["inputs"][0]["qty_per_unit"] == "0.400000"
    status, body = call(api, "PUT", "/recipes/R1", {"outputs": [{"item": "BREAD", "kind": "main", "cost_share": "50"}]})
    assert status == 400 and body["field"] == "outputs"
    call(api, "POST", "/work-orders", {"number": "WO-1", "recipe": "R1", "planned_qty": "5"})
    status, body = call(api, "PUT", "/recipes/R1", {"outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})
    assert status == 409 and "WO-1" in body["message"]
    assert call(api, "PUT", "/recipes/NOPE", {"outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]})[0] == 404
