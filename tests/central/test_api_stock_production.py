"""The JSON API of stock and production: happy paths, pagination, errors naming the field."""
from central.db import database
from central.models import Batch, StockMove


def post(api, path, body):
    resp = api.post(f"/api/v1{path}", json=body)
    return resp.status_code, resp.get_json()


def setup_plant(api):
    for loc in ({"code": "RECV", "role": "receiving"}, {"code": "STORE"}, {"code": "FG", "role": "finished"}):
        assert post(api, "/locations", loc)[0] == 201
    for item in ({"code": "FLOUR", "unit": "kg", "shelf_life_days": 30}, {"code": "SUGAR", "unit": "kg", "costing": "average"},
                 {"code": "COOKIE", "unit": "pcs", "gtin": "09501101530003"}, {"code": "CRUMBS", "unit": "kg"}):
        status, body = post(api, "/items", item)
        assert status == 201, body


def test_items_locations_and_receipts(api):
    setup_plant(api)
    status, body = post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F1", "qty": "10.5", "unit_cost": "1.2",
                                                 "supplier_lot": "L1"})
    assert status == 201 and body["batch"]["code"] == "F1" and body["stock"][0]["value"] == "12.600000"
    post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F2", "qty": 4, "unit_cost": 2})
    stock = api.get("/api/v1/stock?item=FLOUR&limit=1").get_json()
    assert stock["total"] == 2 and len(stock["stock"]) == 1 and stock["stock"][0]["batch"] == "F1"
    page2 = api.get("/api/v1/stock?item=FLOUR&limit=1&offset=1").get_json()
    assert page2["stock"][0]["batch"] == "F2"
    assert api.get("/api/v1/items?q=FLO").get_json()["total"] == 1
    assert api.get("/api/v1/batches?item=FLOUR").get_json()["total"] == 2
    assert api.get("/api/v1/batches/F1").get_json()["supplier_lot"] == "L1"
    val = api.get("/api/v1/stock/valuation?item=FLOUR").get_json()["valuation"][0]
    assert val["value"] == val["ledger_value"] == "20.600000"
    ledger = api.get("/api/v1/stock/ledger?item=FLOUR").get_json()
    assert ledger["total"] == 2 and ledger["moves"][0]["kind"] == "receipt"


def test_errors_name_the_field_and_write_nothing(api):
    setup_plant(api)
    post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F1", "qty": "3"})
    with api.application.app_context():
        database.connect(reuse_if_open=True)
        before = StockMove.select().count()
    cases = [
        ("/stock/receipts", {"item": "NOPE", "batch": "X", "qty": "1"}, 404, "item"),
        ("/stock/receipts", {"item": "FLOUR", "batch": "X", "qty": "0"}, 400, "qty"),
        ("/stock/receipts", {"item": "FLOUR", "batch": "X", "qty": "-2"}, 400, "qty"),
        ("/stock/receipts", {"item": "FLOUR", "batch": "X", "qty": "lots"}, 400, "qty"),
        ("/stock/receipts", {"item": "FLOUR", "batch": "X", "qty": "1", "unit": "pcs"}, 400, "unit"),
        ("/stock/receipts", {"item": "FLOUR", "batch": "X", "qty": "1", "location": "MOON"}, 404, "location"),
        ("/stock/issues", {"batch": "NOPE", "qty": "1"}, 404, "batch"),
        ("/stock/issues", {"batch": "F1", "qty": "5"}, 409, "qty"),
        ("/stock/transfers", {"batch": "F1", "qty": "1", "to_location": "MOON"}, 404, "to_location"),
        ("/batches/F1/status", {"status": "gone"}, 400, "status"),
        ("/items", {"code": "BAD", "unit": "kg", "gtin": "09501101530004"}, 400, "gtin"),
        ("/recipes", {"code": "R1", "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "90"}]}, 400, "outputs"),
    ]
    for path, body, status, field in cases:
        got_status, got = post(api, path, body)
        assert (got_status, got["field"]) == (status, field), (path, body, got)
    with api.application.app_context():
        database.connect(reuse_if_open=True)
        assert StockMove.select().count() == before
        assert not Batch.select().where(Batch.code == "X").exists()
    status, body = post(api, "/stock/issues", {"batch": "F1", "qty": "5", "allow_negative": True})
    assert status == 201 and body["picks"][0]["qty"] == "5.000000"


def test_batch_status_change_rules(api):
    setup_plant(api)
    post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F1", "qty": "3"})
    assert post(api, "/batches/F1/status", {"status": "blocked"})[0] == 200
    status, body = post(api, "/batches/F1/status", {"status": "released"})
    assert status == 409 and body["field"] == "status"
    status, body = post(api, "/stock/issues", {"batch": "F1", "qty": "1"})
    assert status == 409 and body["field"] == "batch"


def test_recipe_work_order_and_trace(api):
    setup_plant(api)
    post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F1", "qty": "100", "unit_cost": "1"})
    post(api, "/stock/receipts", {"item": "SUGAR", "batch": "S1", "qty": "100", "unit_cost": "2"})
    status, recipe = post(api, "/recipes", {
        "code": "R1", "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"}, {"item": "SUGAR", "qty_per_unit": "0.1", "mode": "backflush"}],
        "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "90"}, {"item": "CRUMBS", "kind": "by", "cost_share": "10"}]})
    assert status == 201 and recipe["item"] == "COOKIE"
    status, wo = post(api, "/work-orders", {"number": "WO1", "recipe": "R1", "planned_qty": "100", "due": "2026-12-01"})
    assert status == 201 and wo["status"] == "draft"
    status, body = post(api, "/work-orders/WO1/issues", {"batch": "F1", "qty": "10"})
    assert status == 409 and body["field"] == "work_order"
    assert post(api, "/work-orders/WO1/status", {"status": "released"})[0] == 200
    assert post(api, "/work-orders/WO1/issues", {"batch": "F1", "qty": "10"})[0] == 201
    status, out = post(api, "/work-orders/WO1/outputs", {"item": "COOKIE", "kind": "main", "batch": "C1", "qty": "20"})
    assert status == 201
    post(api, "/work-orders/WO1/outputs", {"item": "CRUMBS", "kind": "by", "batch": "CR1", "qty": "1"})
    status, done = post(api, "/work-orders/WO1/complete", {})
    assert status == 200 and done["status"] == "done"
    assert done["costs"]["materials"] == "14.000000"  # 10 flour + 2 kg sugar x 2
    assert {o["batch"]: o["value"] for o in done["outputs"]} == {"C1": "12.600000", "CR1": "1.400000"}
    assert post(api, "/work-orders/WO1/status", {"status": "in_progress"})[0] == 409
    listing = api.get("/api/v1/work-orders?status=done").get_json()
    assert [w["number"] for w in listing["work_orders"]] == ["WO1"]
    assert api.get("/api/v1/work-orders?status=nope").get_json()["field"] == "status"
    back = api.get("/api/v1/batches/C1/trace").get_json()
    assert {b["batch"] for b in back["batches"]} == {"C1", "F1", "S1"}
    post(api, "/stock/dispatches", {"batch": "C1", "qty": "5", "reference": "CUST-9"})
    fwd = api.get("/api/v1/batches/F1/trace?direction=forward").get_json()
    assert {b["batch"] for b in fwd["batches"]} == {"F1", "C1", "CR1"}
    assert fwd["dispatches"] == [{"batch": "C1", "qty": "5.000000", "unit": "pcs", "to": "CUST-9",
                                  "at": fwd["dispatches"][0]["at"]}]
    assert api.get("/api/v1/batches/F1/trace?direction=sideways").get_json()["field"] == "direction"


def test_viewer_cannot_move_stock(app, client):
    from central.auth import create_user, issue_token
    with app.app_context():
        database.connect(reuse_if_open=True)
        token = issue_token(create_user("viewer1", "viewer lantern oak", "viewer"), "t")
    resp = client.post("/api/v1/stock/receipts", json={"item": "X", "qty": "1"}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403
