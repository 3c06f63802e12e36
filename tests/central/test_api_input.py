"""Input that once answered 500 or was taken loosely: every such request is now a 4xx naming
the field, and nothing is stored (issue 14, points 7, 8 and 10)."""
from __future__ import annotations

import pytest

from central.db import database
from central.models import Item


@pytest.fixture
def plant(api):
    for body in ({"code": "RECV", "role": "receiving"}, {"code": "STORE"}):
        assert api.post("/api/v1/locations", json=body).status_code == 201
    assert api.post("/api/v1/items", json={"code": "FLOUR", "unit": "kg"}).status_code == 201
    return api


def _refused(resp, field: str, status: int = 400) -> dict:
    body = resp.get_json()
    assert resp.status_code == status, body
    assert body["field"] == field and body["error"].startswith(f"{field}: ") and body["message"], body
    return body


@pytest.mark.parametrize("body, field", [
    ({"qty": "1E+999999999"}, "qty"),
    ({"qty": "NaN"}, "qty"),
    ({"qty": 1e308}, "qty"),
    ({"qty": "10", "supplier_lot": "\ud800"}, "supplier_lot"),
    ({"qty": "10", "supplier_lot": "lot\x00one"}, "supplier_lot"),
    ({"qty": "10", "status": "blocked"}, "status"),
    ({"qty": "10", "expiry": "9999-12-31"}, "expiry"),
    ({"qty": "10", "colour": "red"}, "colour"),
    ({"qty": 10, "batch": "B1\n"}, "batch"),
])
def test_bad_receipts_are_refused_naming_the_field(plant, body, field):
    _refused(plant.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "B1", **body}), field)
    assert plant.get("/api/v1/stock/ledger").get_json()["total"] == 0


def test_a_value_beyond_the_ledger_columns_is_a_conflict_not_a_crash(plant):
    resp = plant.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "B1", "qty": "999999999999",
                                                       "unit_cost": "999999999999"})
    assert resp.status_code == 409 and "beyond what can be stored" in resp.get_json()["message"]
    assert plant.get("/api/v1/stock/ledger").get_json()["total"] == 0


@pytest.mark.parametrize("body, field", [
    ({"code": "NL-ITEM\n", "unit": "kg"}, "code"),
    ({"code": "X1", "unit": "kg", "name": 5}, "name"),
    ({"code": "X1", "unit": "kg", "colour": "red"}, "colour"),
    ({"code": "X1", "unit": "kg", "shelf_life_days": 10**30}, "shelf_life_days"),
    ({"code": "X1", "unit": "kg", "batch_tracked": "yes"}, "batch_tracked"),
    ({"code": "X1", "unit": "kg", "standard_cost": "1.0000001"}, "standard_cost"),
])
def test_loose_item_bodies_are_refused(plant, body, field):
    _refused(plant.post("/api/v1/items", json=body), field)
    with database.connection_context():
        assert not Item.select().where(Item.code.startswith("X1") | Item.code.startswith("NL")).exists()


def test_unknown_fields_on_item_update_are_refused(plant):
    _refused(plant.patch("/api/v1/items/FLOUR", json={"name": "Flour", "colour": "white"}), "colour")
    assert plant.get("/api/v1/items/FLOUR").get_json()["name"] == ""


def test_json_nested_very_deep_is_a_bad_body(plant):
    resp = plant.post("/api/v1/items", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    _refused(resp, "body")


@pytest.mark.parametrize("url, field", [
    ("/api/v1/items?offset=99999999999999999999", "offset"),
    ("/api/v1/items?limit=0", "limit"),
    ("/api/v1/analysis/reasons/pareto?until=9999-12-31", "until"),
    ("/api/v1/events?since=0001-01-01T00:00:00%2B01:00", "since"),
    ("/api/v1/batches?status=lost", "status"),
    ("/api/v1/items?q=%00", "q"),
])
def test_out_of_range_queries_are_refused(plant, url, field):
    _refused(plant.get(url), field)


def test_path_integers_past_64_bits_are_refused(api):
    _refused(api.post("/api/v1/flags/99999999999999999999/resolve", json={"resolution": "x"}), "flag_id")
    _refused(api.get("/api/v1/certifications/99999999999999999999"), "cert_id")


def test_a_wrong_method_says_which_are_allowed(api):
    resp = api.delete("/api/v1/items")
    assert resp.status_code == 405 and set(resp.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert resp.get_json()["error"]


def test_every_problem_is_listed(plant):
    body = plant.post("/api/v1/stock/receipts", json={"item": "FLOUR\n", "qty": "-1"}).get_json()
    assert {p["field"] for p in body["errors"]} == {"item", "qty"}
