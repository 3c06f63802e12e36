"""Recipes, work orders, backflush, cost settlement and order independence."""
from decimal import Decimal as D

import pytest

from central import genealogy, inventory as inv, production as prod, recipes
from central.errors import Conflict, NotFound, ValidationError
from central.models import Batch, Flag, StockMove, WorkOrder, WorkOrderOutput
from central.stockview import valuation

RECIPE = {
    "code": "R1",
    "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"}, {"item": "SUGAR", "qty_per_unit": "0.25", "mode": "backflush"},
               {"item": "BOX", "qty_per_unit": "1", "mode": "backflush"}],
    "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "90"}, {"item": "CRUMBS", "kind": "by", "cost_share": 10},
                {"item": "WASTE", "kind": "scrap"}],
    "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "30", "skill": "MIXING"}],
}


@pytest.fixture
def stocked(plant, person):
    inv.receive(item="FLOUR", qty=D(100), batch="F1", unit_cost=D("1.00"), actor=person)
    inv.receive(item="SUGAR", qty=D(100), batch="S1", unit_cost=D("2.00"), actor=person)
    inv.receive(item="BOX", qty=D(100), batch="B1", unit_cost=D("0.10"), actor=person)
    recipes.create_recipe(RECIPE)
    prod.create_work_order({"number": "WO1", "recipe": "R1", "planned_qty": "100", "status": "released"})
    return plant


def test_recipe_rejects_bad_cost_shares_and_outputs(plant):
    bad = [
        ({"outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "80"}]}, "outputs", "add up to 80 %"),
        ({"outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "90"}, {"item": "WASTE", "kind": "scrap", "cost_share": "10"}]},
         "outputs[1].cost_share", "scrap carries no value"),
        ({"outputs": [{"item": "COOKIE", "kind": "co", "cost_share": "100"}]}, "outputs", "exactly one main"),
        ({"outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "x"}]}, "outputs[0].cost_share", "number"),
        ({"outputs": [{"item": "NOPE", "kind": "main", "cost_share": "100"}]}, "outputs[0].item", "no item"),
        ({"inputs": [{"item": "FLOUR", "qty_per_unit": "0"}], "outputs": RECIPE["outputs"]}, "inputs[0].qty_per_unit", "greater than zero"),
        ({"inputs": [{"item": "FLOUR", "qty_per_unit": "1", "unit": "pcs"}], "outputs": RECIPE["outputs"]}, "inputs[0].unit", "kept in kg"),
    ]
    for body, field, text in bad:
        with pytest.raises((ValidationError, NotFound)) as err:
            recipes.create_recipe({"code": "RX", **body})
        assert err.value.field == field and text in err.value.message, (field, err.value)
    assert not recipes.Recipe.select().exists()


def test_work_order_status_rules(stocked, person):
    prod.create_work_order({"number": "WO2", "recipe": "R1", "planned_qty": "5"})
    with pytest.raises(Conflict) as err:
        prod.set_status("WO2", "paused", person)
    assert err.value.field == "status"
    prod.set_status("WO2", "released", person)
    prod.set_status("WO2", "in_progress", person)
    prod.set_status("WO2", "paused", person)
    prod.set_status("WO2", "cancelled", person)
    with pytest.raises(Conflict):
        prod.set_status("WO2", "in_progress", person)
    with pytest.raises(ValidationError):
        prod.set_status("WO2", "finished", person)
    with pytest.raises(NotFound) as err:
        prod.set_status("WO-NONE", "released", person)
    assert err.value.field == "work_order"


def test_completion_backflushes_and_settles_costs_to_the_cent(stocked, person):
    prod.issue_material("WO1", batch="F1", qty=D(20), actor=person)
    prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=person)
    prod.report_output("WO1", item="CRUMBS", kind="by", batch="CR1", qty=D(2), actor=person)
    prod.report_output("WO1", item="WASTE", kind="scrap", batch="W1", qty=D(1), reason="BURNT", actor=person)
    wo = prod.complete("WO1", person)
    assert wo.status == "done"
    # flour 20 x 1 + sugar 40 x 0.25 x 2 + boxes 40 x 0.10 = 44; 30 min x 0.80 = 24
    assert (wo.input_cost, wo.conversion_cost) == (D(44), D(24))
    values = {o.batch.code: o.value for o in WorkOrderOutput.select()}
    assert values == {"C1": D("61.2"), "CR1": D("6.8"), "W1": D(0)}
    assert wo.output_value + wo.scrap_loss == wo.input_cost + wo.conversion_cost
    backflushed = {m.item.code: -m.qty for m in StockMove.select().where(StockMove.kind == "backflush")}
    assert backflushed == {"SUGAR": D(10), "BOX": D(40)}
    for row in valuation():
        assert row["value"] == row["ledger_value"]
    # completing again is a 409 for a person
    with pytest.raises(Conflict):
        prod.complete("WO1", person)


def test_person_cannot_issue_an_item_not_in_the_recipe_or_to_a_draft(stocked, person):
    inv.receive(item="OIL", qty=D(5), actor=person)
    with pytest.raises(Conflict) as err:
        prod.issue_material("WO1", item="OIL", qty=D(1), actor=person)
    assert err.value.field == "item"
    prod.create_work_order({"number": "WO2", "recipe": "R1", "planned_qty": "5"})
    with pytest.raises(Conflict) as err:
        prod.issue_material("WO2", batch="F1", qty=D(1), actor=person)
    assert err.value.field == "work_order"
    with pytest.raises(Conflict) as err:
        prod.report_output("WO1", item="COOKIE", kind="main", batch="F1", qty=D(1), actor=person)
    assert err.value.field == "batch"


def all_links():
    """Every parent → child pair of the genealogy, as a trace reports them."""
    return genealogy._links([b.id for b in Batch.select(Batch.id)])


def _final_state():
    links = sorted((link["parent"], link["child"], D(link["qty"])) for link in all_links())
    outputs = sorted((o.batch.code, o.value) for o in WorkOrderOutput.select())
    wo = WorkOrder.get(WorkOrder.number == "WO1")
    return links, outputs, (wo.input_cost, wo.output_value, wo.scrap_loss)


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (1, 0, 3, 2), (3, 2, 1, 0), (2, 3, 0, 1)])
def test_outcome_does_not_depend_on_arrival_order(stocked, person, order):
    steps = [
        lambda: prod.issue_material("WO1", batch="F1", qty=D(20), actor=person),
        lambda: prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=person),
        lambda: prod.report_output("WO1", item="CRUMBS", kind="by", batch="CR1", qty=D(2), actor=person),
        lambda: prod.issue_material("WO1", batch="S1", qty=D(1), actor=person),
    ]
    for i in order:
        steps[i]()
    prod.complete("WO1", person)
    links, outputs, costs = _final_state()
    assert links == [("B1", "C1", D(40)), ("B1", "CR1", D(40)), ("F1", "C1", D(20)), ("F1", "CR1", D(20)),
                     ("S1", "C1", D(10)), ("S1", "CR1", D(10))]
    # flour 20 + sugar 1 issued, backflush tops sugar up to 10 and boxes to 40 (4): 20 + 20 + 4 = 44,
    # + 24 conversion = 68, split 90/10
    assert outputs == [("C1", D("61.2")), ("CR1", D("6.8"))]
    assert costs == (D(44), D(68), D(0))


def test_late_consumption_after_completion_resettles_and_keeps_value(stocked, person, fact):
    prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=person)
    prod.complete("WO1", person)
    inv.dispatch(batch="C1", qty=D(10), reference="CUST-1", actor=person)
    prod.issue_material("WO1", batch="F1", qty=D(20), actor=fact())  # arrives after completion
    wo = WorkOrder.get(WorkOrder.number == "WO1")
    assert wo.input_cost == D(44)
    assert wo.output_value == D(68)  # everything on the only valued output reported
    # 3/4 of C1 is still in stock and carries its share; the dispatched quarter is variance
    assert wo.variance == D(5)
    assert Flag.select().where(Flag.kind == "work_order_state").count() == 1
    assert sorted(link["parent"] for link in all_links()) == ["B1", "F1", "S1"]
    for row in valuation():
        assert row["value"] == row["ledger_value"]


def test_backflush_tops_up_when_output_arrives_after_completion(stocked, person, fact):
    prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(10), actor=person)
    prod.complete("WO1", person)
    prod.report_output("WO1", item="COOKIE", kind="main", batch="C2", qty=D(10), actor=fact())
    boxes = -sum(m.qty for m in StockMove.select().where(StockMove.kind == "backflush") if m.item.code == "BOX")
    assert boxes == D(20)
    assert genealogy.trace("C2", "backward")["batches"][1:] != []
