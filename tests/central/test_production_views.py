"""What the work-order, stock, ledger and event-log pages read: status reasons, filters, a work order's parts."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from central import inventory as inv, production as prod, recipes
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.eventview import event_view, events
from central.models import CostLayer, EventRecord, Station, StockMove, WorkCentre, WorkOrder
from central.recorder import record
from central.stockview import cost_layers, item_totals, ledger_rows, on_hand_rows, open_layers_total, with_values
from central.workorderview import work_order_view, work_orders
from edge.contract import make_event

from tests.central.test_api_stock_production import post, setup_plant
from tests.central.test_production import RECIPE


@pytest.fixture
def made(plant, person):
    inv.receive(item="FLOUR", qty=D(100), batch="F1", unit_cost=D("1.00"), actor=person)
    inv.receive(item="SUGAR", qty=D(100), batch="S1", unit_cost=D("2.00"), actor=person)
    inv.receive(item="BOX", qty=D(100), batch="B1", unit_cost=D("0.10"), actor=person)
    recipes.create_recipe(RECIPE)
    prod.create_work_order({"number": "WO1", "recipe": "R1", "planned_qty": "100", "status": "released",
                            "due": "2026-12-10"})
    Station.create(code="S01", site="plant1")
    return plant


def send(seq, type_name, data, operator="OP-1"):
    event = make_event(type_name, site="plant1", station="S01", seq=seq, operator=operator, data=data,
                       at=datetime.now(timezone.utc))
    assert record([event]).rejected == []
    return event.id


def test_pause_and_cancel_keep_their_reason_until_the_next_change(made, person):
    prod.set_status("WO1", "paused", person, "  waiting for flour  ")
    assert WorkOrder.get().status_reason == "waiting for flour"
    prod.set_status("WO1", "in_progress", person)
    assert WorkOrder.get().status_reason is None
    with pytest.raises(ValidationError) as exc:
        prod.set_status("WO1", "paused", person, "x" * 501)
    assert exc.value.field == "reason"
    assert WorkOrder.get().status == "in_progress"
    prod.set_status("WO1", "cancelled", person, "order withdrawn")
    assert (WorkOrder.get().status, WorkOrder.get().status_reason) == ("cancelled", "order withdrawn")
    with pytest.raises(Conflict):
        prod.set_status("WO1", "in_progress", person)


def test_a_station_pause_keeps_its_reason_code(made):
    send(1, "stage.started", {"work_order": "WO1", "stage": 10})
    from central.models import ReasonCode
    ReasonCode.create(code="DLY-MATERIAL", category="delay")
    send(2, "work_order.paused", {"work_order": "WO1", "reason": "DLY-MATERIAL"})
    assert (WorkOrder.get().status, WorkOrder.get().status_reason) == ("paused", "DLY-MATERIAL")


def test_work_order_filters(made, person):
    WorkCentre.create(code="PACK")
    prod.create_work_order({"number": "PK-9", "recipe": "R1", "planned_qty": "5", "due": "2027-01-05",
                            "stages": [{"seq": 10, "work_centre": "PACK"}]})

    def numbers(**filters):
        return sorted(w.number for w in work_orders(**filters))

    assert numbers() == ["PK-9", "WO1"]
    assert numbers(status="released,draft") == ["PK-9", "WO1"] and numbers(status="draft") == ["PK-9"]
    assert numbers(item="COOKIE", recipe="R1") == ["PK-9", "WO1"]
    assert numbers(work_centre="PACK") == ["PK-9"] and numbers(work_centre="MIX") == ["WO1"]
    assert numbers(due_from="2026-12-10", due_to="2026-12-10") == ["WO1"]
    assert numbers(due_from="2026-12-11") == ["PK-9"]
    assert numbers(number="wo") == ["WO1"]
    for filters, field in (({"item": "NOPE"}, "item"), ({"recipe": "NOPE"}, "recipe"),
                           ({"work_centre": "NOPE"}, "work_centre"), ({"due_from": "12/10/2026"}, "due_from"),
                           ({"due_from": "2026-12-10", "due_to": "2026-12-01"}, "due_to"), ({"status": "open"}, "status")):
        with pytest.raises((ValidationError, NotFound)) as exc:
            work_orders(**filters)
        assert exc.value.field == field


def test_work_order_view_plans_issues_outputs_labels_costs_and_flags(made):
    send(1, "stage.started", {"work_order": "WO1", "stage": 10})
    send(2, "material.issued", {"work_order": "WO1", "batch": "F1", "qty": "30"})
    send(3, "material.issued", {"work_order": "WO1", "item": "OIL", "qty": "1"})  # not in the recipe, untracked
    send(4, "output.reported", {"work_order": "WO1", "kind": "main", "item": "COOKIE", "batch": "C1", "qty": "50"})
    send(5, "label.printed", {"batch": "C1", "template": "batch", "copies": 3}, operator=None)
    send(6, "material.issued", {"work_order": "WO1", "batch": "NEVER-SEEN", "qty": "1"})
    view = work_order_view("WO1")
    assert view.reported == D(50) and view.stages[0].row.started_by == "OP-1" and view.stages[0].minutes is None
    lines = {i.item.code: i for i in view.inputs}
    assert (lines["FLOUR"].planned, lines["FLOUR"].needed, lines["FLOUR"].issued) == (D(50), D(25), D(30))
    assert lines["FLOUR"].batches == [("F1", D(30))]
    assert lines["SUGAR"].mode == "backflush" and lines["SUGAR"].issued == 0
    assert lines["OIL"].mode is None and lines["OIL"].issued == D(1)
    assert [(o.row.batch.code, [label.batch for label in o.labels]) for o in view.outputs] == [("C1", ["C1"])]
    assert not view.costs.settled and view.costs.provisional_unit_costs
    assert view.costs.conversion == D(24)  # standard 30 min x 0.8 a minute until the stage ends
    assert {f.kind for f in view.flags} == {"unknown_batch", "negative_stock", "not_in_recipe"}

    prod.complete("WO1", prod.Actor(user="sue"))
    done = work_order_view("WO1")
    assert done.costs.settled and done.costs.outputs + done.costs.scrap_loss == done.costs.cost
    assert done.costs.main_unit_cost == done.outputs[0].row.value / 50
    with pytest.raises(NotFound) as exc:
        work_order_view("NOPE")
    assert exc.value.field == "number"


def test_stock_rows_values_totals_and_layers(made, person):
    inv.receive(item="FLOUR", qty=D(50), batch="F2", unit_cost=D("1.20"), actor=person)
    inv.transfer(item="FLOUR", batch="F2", qty=D(20), to_location="STORE", actor=person)
    rows = with_values(list(on_hand_rows(item="FLOUR").order_by(on_hand_rows().model.id)))
    assert [(r.batch.code, r.location.code, r.qty, value) for r, _, value in rows] == [
        ("F1", "RECV", D(100), D(100)), ("F2", "RECV", D(30), D(36)), ("F2", "STORE", D(20), D(24))]
    assert [r.batch.code for r in on_hand_rows(location="STORE")] == ["F2"]
    assert on_hand_rows(status="quarantine").count() == 0
    [(item, qty, value)] = item_totals([rows[0][0].item_id])
    assert (item.code, qty, value) == ("FLOUR", D(150), D(160))
    layers = cost_layers("FLOUR").order_by(CostLayer.id)
    assert [(layer.batch.code, layer.qty) for layer in layers] == [("F1", D(100)), ("F2", D(50))]
    assert [layer.unit_cost for layer in cost_layers("FLOUR", "F2")] == [D("1.2")]
    assert open_layers_total("FLOUR") == (D(150), D(160)) and open_layers_total("FLOUR", "F1") == (D(100), D(100))
    with pytest.raises(NotFound):
        on_hand_rows(location="NOWHERE")


def test_ledger_filters(made, person):
    send(1, "material.issued", {"work_order": "WO1", "batch": "F1", "qty": "5"})
    issue = StockMove.get(StockMove.kind == "issue")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert [m.id for m in ledger_rows(work_order="WO1")] == [issue.id]
    assert [m.id for m in ledger_rows(event=str(issue.event_id))] == [issue.id]
    assert ledger_rows(item="FLOUR", location="RECV").count() == 2
    assert ledger_rows(batch="F1", kind="issue", since=now - timedelta(hours=1), until=now + timedelta(hours=1)).count() == 1
    assert ledger_rows(since=now + timedelta(hours=1)).count() == 0
    for filters, field in (({"event": "nope"}, "event"), ({"kind": "theft"}, "kind"), ({"work_order": "NOPE"}, "work_order")):
        with pytest.raises((ValidationError, NotFound)) as exc:
            ledger_rows(**filters)
        assert exc.value.field == field


def test_the_event_log_keeps_work_order_and_batch_and_shows_what_an_event_booked(made):
    issued = send(1, "material.issued", {"work_order": "WO1", "batch": "F1", "qty": "5"})
    send(2, "label.printed", {"batch": "F1", "template": "batch", "copies": 1}, operator=None)
    late = send(3, "material.issued", {"work_order": "WO1", "batch": "GHOST", "qty": "1"})
    row = EventRecord.get_by_id(issued)
    assert (row.work_order, row.batch) == ("WO1", "F1")
    assert [e.type for e in events(batch="F1").order_by(EventRecord.seq)] == ["material.issued", "label.printed"]
    assert [str(e.id) for e in events(work_order="WO1", flagged=True)] == [late]
    assert events(type="label.printed", station="S01").count() == 1 and events(operator="OP-1").count() == 2
    with pytest.raises(ValidationError):
        events(type="no.such")
    view = event_view(issued)
    assert [(m.kind, m.qty) for m in view.moves] == [("issue", D(-5))] and view.flags == []
    assert view.envelope["type"] == "material.issued" and view.data["batch"] == "F1"
    assert [f.kind for f in event_view(late).flags] == ["unknown_batch"]
    for bad in ("nope", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            event_view(bad)


def test_the_api_takes_and_shows_a_pause_reason(api):
    setup_plant(api)
    post(api, "/recipes", {"code": "R1", "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "100"}]})
    post(api, "/work-orders", {"number": "WO1", "recipe": "R1", "planned_qty": "10", "status": "released"})
    status, body = post(api, "/work-orders/WO1/status", {"status": "paused", "reason": "line cleaning"})
    assert status == 200 and body["status_reason"] == "line cleaning"
    status, body = post(api, "/work-orders/WO1/status", {"status": "in_progress"})
    assert status == 200 and body["status_reason"] is None
    status, body = post(api, "/work-orders/WO1/status", {"status": "paused", "reason": "x" * 501})
    assert status in (400, 422) and "reason" in str(body)


def test_the_api_filters_the_ledger_and_the_events_as_the_pages_do(api):
    setup_plant(api)
    post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F1", "qty": "10", "unit_cost": "1", "location": "RECV"})
    post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F2", "qty": "10", "unit_cost": "1", "location": "STORE"})
    moves = api.get("/api/v1/stock/ledger?location=STORE").get_json()
    assert [m["batch"] for m in moves["moves"]] == ["F2"]
    assert api.get("/api/v1/stock/ledger?since=2999-01-01T00:00:00Z").get_json()["total"] == 0
    assert api.get("/api/v1/stock/ledger?until=2999-01-01T00:00:00Z").get_json()["total"] == 2
    assert api.get("/api/v1/stock/ledger?location=NOWHERE").status_code == 404
    assert api.get("/api/v1/stock/ledger?event=00000000-0000-0000-0000-000000000000").get_json()["total"] == 0
    with database.connection_context():
        Station.create(code="S01", site="plant1")
        send(1, "label.printed", {"batch": "F1", "template": "batch", "copies": 1}, operator=None)
    assert [e["data"]["batch"] for e in api.get("/api/v1/events?batch=F1").get_json()["items"]] == ["F1"]
    assert api.get("/api/v1/events?work_order=WO-X").get_json()["total"] == 0
