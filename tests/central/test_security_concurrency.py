"""Conflicting writes at the same moment: one wins, the others get 409 with the reason, never a 500;
a state change locks its row, so a work order is completed and settled once."""
import json
import threading
import urllib.error
import urllib.request
from decimal import Decimal

from central.auth import issue_token
from central.db import database
from central.models import StockBalance, StockMove, User
from tests.central.test_api_stock_production import setup_plant


def _token(app) -> str:
    with database.connection_context():
        return issue_token(User.get(), "race")


def _race(server, token, path, bodies):
    """POST every body at once (one thread each); returns [(status, json)] in body order."""
    gate = threading.Barrier(len(bodies))
    answers = [None] * len(bodies)

    def send(i, body):
        request = urllib.request.Request(server.url + "/api/v1" + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        gate.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                answers[i] = (resp.status, json.loads(resp.read()))
        except urllib.error.HTTPError as err:
            answers[i] = (err.code, json.loads(err.read()))

    threads = [threading.Thread(target=send, args=(i, b)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return answers


def test_parallel_issues_of_one_batch_one_wins_the_rest_409(api, live_server):
    setup_plant(api)
    assert api.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F1", "qty": "10"}).status_code == 201
    answers = _race(live_server, _token(api.application), "/stock/issues", [{"batch": "F1", "qty": "10"}] * 20)
    statuses = sorted(s for s, _ in answers)
    assert statuses == [201] + [409] * 19, answers
    assert all("not enough stock" in body["error"] for s, body in answers if s == 409)
    with database.connection_context():
        assert StockBalance.get().qty == 0


def test_parallel_receipts_into_one_new_batch_never_fail_with_500(api, live_server):
    setup_plant(api)
    answers = _race(live_server, _token(api.application), "/stock/receipts",
                    [{"item": "FLOUR", "batch": "NEW-1", "qty": "2"}] * 10)
    assert {s for s, _ in answers} <= {201, 409}, answers
    accepted = sum(1 for s, _ in answers if s == 201)
    assert accepted >= 1
    assert all("conflict" in body["error"] for s, body in answers if s == 409)
    with database.connection_context():
        assert StockBalance.get().qty == Decimal(2 * accepted)


def test_a_work_order_completed_ten_times_at_once_is_completed_and_settled_once(api, live_server):
    setup_plant(api)
    api.post("/api/v1/stock/receipts", json={"item": "SUGAR", "batch": "S1", "qty": "100", "unit_cost": "2"})
    api.post("/api/v1/recipes", json={"code": "R1", "inputs": [{"item": "SUGAR", "qty_per_unit": "0.1", "mode": "backflush"}],
                                      "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "100"}]})
    api.post("/api/v1/work-orders", json={"number": "WO1", "recipe": "R1", "planned_qty": "20", "status": "released"})
    assert api.post("/api/v1/work-orders/WO1/outputs", json={"item": "COOKIE", "kind": "main", "batch": "C1", "qty": "20"}).status_code == 201
    answers = _race(live_server, _token(api.application), "/work-orders/WO1/complete", [{}] * 10)
    assert sorted(s for s, _ in answers) == [200] + [409] * 9, answers
    assert all("cannot become done" in body["error"] for s, body in answers if s == 409)
    with database.connection_context():
        backflushed = [m.qty for m in StockMove.select().where(StockMove.kind == "backflush")]
    assert backflushed == [Decimal(-2)]
