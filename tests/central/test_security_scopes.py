"""Token scopes and the rule that cost fields and overrides need a planner or higher."""
import pytest

from central import auth
from central.db import database
from central.models import Item, StockBalance, User
from tests.central.test_api_stock_production import setup_plant


@pytest.fixture
def plant(api):
    setup_plant(api)
    assert api.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F1", "qty": "10", "unit_cost": "1"}).status_code == 201
    return api


def _client(app, username, role, scope="full"):
    with database.connection_context():
        user = User.get_or_none(User.username == username) or auth.create_user(username, "tidy marble forklift", role)
        token = auth.issue_token(user, "machine", scope)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_read_only_token_reads_and_writes_nothing(app, plant):
    reader = _client(app, "scale-1", "planner", "read")
    assert reader.get("/api/v1/stock?item=FLOUR").status_code == 200
    resp = reader.post("/api/v1/stock/issues", json={"batch": "F1", "qty": "1"})
    assert resp.status_code == 403 and resp.get_json()["field"] == "scope" and "moves" in resp.get_json()["error"]
    assert reader.post("/api/v1/items", json={"code": "NEW", "unit": "kg"}).status_code == 403


def test_a_moves_token_moves_stock_without_cost_or_override(app, plant):
    machine = _client(app, "line-1", "planner", "read,moves")
    assert machine.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F2", "qty": "5"}).status_code == 201
    assert machine.post("/api/v1/stock/issues", json={"batch": "F1", "qty": "2"}).status_code == 201
    costly = machine.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F3", "qty": "5", "unit_cost": "99999"})
    assert costly.status_code == 403 and "cost" in costly.get_json()["error"]
    forced = machine.post("/api/v1/stock/issues", json={"batch": "F1", "qty": "500", "allow_negative": True})
    assert forced.status_code == 403 and "override" in forced.get_json()["error"]
    assert machine.post("/api/v1/items", json={"code": "NEW", "unit": "kg"}).status_code == 403  # needs write
    with database.connection_context():
        assert str(Item.get(Item.code == "FLOUR").last_cost) == "1.000000"
        assert min(b.qty for b in StockBalance.select()) >= 0


def test_an_operator_cannot_change_valuation_or_override_whatever_the_token(app, plant):
    operator = _client(app, "op-1", "operator")
    costly = operator.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F9", "qty": "1", "unit_cost": "99999"})
    assert costly.status_code == 403 and costly.get_json()["field"] == "unit_cost"
    forced = operator.post("/api/v1/stock/issues", json={"batch": "F1", "qty": "509", "allow_negative": True})
    assert forced.status_code == 403 and forced.get_json()["field"] == "allow_negative"
    assert operator.post("/api/v1/stock/issues", json={"batch": "F1", "qty": "1", "allow_negative": False}).status_code == 201
    assert operator.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F9", "qty": "1"}).status_code == 201
    with database.connection_context():
        assert str(Item.get(Item.code == "FLOUR").last_cost) == "1.000000"


def test_a_planner_may_send_costs_and_overrides(app, plant):
    planner = _client(app, "pat", "planner")
    assert planner.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F5", "qty": "1", "unit_cost": "3"}).status_code == 201
    assert planner.post("/api/v1/stock/issues", json={"batch": "F5", "qty": "2", "allow_negative": True}).status_code == 201


def test_master_data_costs_need_the_cost_scope(app, plant):
    editor = _client(app, "erp-sync", "planner", "read,write")
    assert editor.post("/api/v1/items", json={"code": "NEW", "unit": "kg"}).status_code == 201
    priced = editor.post("/api/v1/items", json={"code": "NEW2", "unit": "kg", "standard_cost": "4"})
    assert priced.status_code == 403 and "cost" in priced.get_json()["error"]
    assert _client(app, "erp-sync", "planner", "read,write,cost").patch(
        "/api/v1/items/NEW", json={"standard_cost": "4"}).status_code == 200


def test_a_token_never_exceeds_its_users_role(app, plant):
    viewer = _client(app, "vic", "viewer")  # every scope, but a viewer
    assert viewer.post("/api/v1/stock/issues", json={"batch": "F1", "qty": "1"}).status_code == 403


@pytest.mark.parametrize("scope", ["", "admin", "read,everything"])
def test_unknown_scopes_are_refused(db, scope):
    user = auth.create_user("u", "tidy marble forklift", "viewer")
    with pytest.raises(auth.ValidationError):
        auth.issue_token(user, "x", scope)
