"""Provisional cost at output, settlement at completion: the incremental books equal a from-scratch settlement."""
import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings, strategies as st
from peewee import fn

from central import inventory as inv, production as prod, recipes, settlement
from central.inventory import Actor
from central.models import EventRecord, RecipeOutput, StockMove, WorkOrder, WorkOrderOutput, utcnow

from tests.central.test_production import RECIPE
from tests.central.test_properties import check_ledger_equals_stock, in_rollback

T0 = datetime(2026, 11, 21, 8, 0)
PERSON = Actor(user="planner", allow_negative=True)
qtys = st.decimals(min_value=D("0.001"), max_value=D(40), places=3)
fact_kinds = st.one_of(
    st.tuples(st.just("issue"), st.just("FLOUR"), qtys),  # scanned; backflushed inputs are topped up by rule
    st.tuples(st.just("output"), st.sampled_from(["COOKIE", "CRUMBS", "WASTE"]), qtys),
    st.tuples(st.just("stage"), st.sampled_from(["start", "end"]), st.integers(min_value=0, max_value=600)),
)
KINDS = {"COOKIE": "main", "CRUMBS": "by", "WASTE": "scrap"}


def fact_actor(minute: int = 0) -> Actor:
    """A station's actor; its event is recorded so flags can point at it."""
    event_id = str(uuid.uuid4())
    EventRecord.create(id=event_id, type="material.issued", site="plant1", station="S01", seq=1, at=utcnow(),
                       operator="OP-1", payload=json.dumps({}))
    return Actor(operator="OP-1", event_id=event_id, at=T0 + timedelta(minutes=minute))


def stocked():
    for item, price in (("FLOUR", "1.25"), ("SUGAR", "2.10"), ("BOX", "0.13")):
        inv.receive(item=item, qty=D(1000), unit_cost=D(price), batch=f"IN-{item}", actor=PERSON)
    recipes.create_recipe(RECIPE)
    prod.create_work_order({"number": "WOS", "recipe": "R1", "planned_qty": "50", "status": "released"})


def apply(n: int, fact) -> None:
    kind, what, amount = fact
    if kind == "issue":
        prod.issue_material("WOS", batch=f"IN-{what}", qty=amount, actor=fact_actor())
    elif kind == "output":
        prod.report_output("WOS", item=what, kind=KINDS[what], batch=f"OUT-{n}", qty=amount, reason="BURNT",
                           actor=fact_actor())
    else:
        prod.record_stage("WOS", 10, started=what == "start", actor=fact_actor(amount))


def books() -> dict:
    wo = WorkOrder.get(WorkOrder.number == "WOS")
    return {"costs": (wo.input_cost, wo.conversion_cost, wo.output_value, wo.scrap_loss),
            "values": sorted((o.batch.code, o.value) for o in WorkOrderOutput.select())}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.lists(fact_kinds, min_size=1, max_size=10), data=st.data())
def test_incremental_books_equal_a_settlement_from_scratch(plant, facts, data):
    order = data.draw(st.permutations(list(range(len(facts)))), label="arrival order")
    done_after = data.draw(st.integers(min_value=0, max_value=len(facts)), label="facts before completion")
    dispatch = data.draw(st.booleans(), label="dispatch half of an output after completion")
    found = {}

    def in_order_then_complete():
        stocked()
        for n, fact in enumerate(facts):
            apply(n, fact)
        prod.complete("WOS", fact_actor())
        found["reference"] = books()

    def interleaved_with_late_facts():
        stocked()
        for position, n in enumerate(order):
            if position == done_after:
                prod.complete("WOS", fact_actor())
                sold = WorkOrderOutput.select().where(WorkOrderOutput.kind == "main").first()
                if dispatch and sold is not None:
                    inv.dispatch(batch=sold.batch.code, qty=sold.qty / 2, reference="CUST", actor=PERSON)
            apply(n, facts[n])
        if done_after == len(facts):
            prod.complete("WOS", fact_actor())
        found["incremental"] = books()
        wo = WorkOrder.get(WorkOrder.number == "WOS")
        cost, output_value, scrap_loss = wo.input_cost + wo.conversion_cost, wo.output_value, wo.scrap_loss
        assert output_value + scrap_loss == cost
        # every output batch carries its settled value: in stock (ledger + layers) or as the work order's variance
        booked = StockMove.value.from_units(StockMove.select(fn.SUM(StockMove.value)).join(
            WorkOrderOutput, on=StockMove.batch == WorkOrderOutput.batch).where(
            StockMove.kind.in_(("output", "revaluation"))).scalar()) or D(0)
        assert booked + wo.variance == output_value
        check_ledger_equals_stock()
        # the material cost kept while running is the ledger's
        assert wo.input_cost == settlement.material_cost(wo)

    in_rollback(in_order_then_complete)
    in_rollback(interleaved_with_late_facts)
    assert found["incremental"] == found["reference"]


def test_outputs_enter_at_the_recipe_standard_cost_then_at_the_last_settled_cost(plant):
    def body():
        stocked()
        # standard per cookie: 0.5 flour x 1.25 + 0.25 sugar x 2.10 + 1 box x 0.13 + 30 min x 0.80 / 50 = 1.76
        first = prod.report_output("WOS", item="COOKIE", kind="main", batch="C1", qty=D(10), actor=PERSON)
        assert first.value == D("15.84")  # 90 % of 10 x 1.76
        prod.issue_material("WOS", batch="IN-FLOUR", qty=D(5), actor=PERSON)
        prod.complete("WOS", PERSON)
        settled = WorkOrderOutput.get(WorkOrderOutput.batch == first.batch).value
        assert RecipeOutput.get(RecipeOutput.kind == "main").settled_unit_cost == settled / 10
        prod.create_work_order({"number": "WOS2", "recipe": "R1", "planned_qty": "50", "status": "released"})
        second = prod.report_output("WOS2", item="COOKIE", kind="main", batch="C2", qty=D(4), actor=PERSON)
        assert second.value == 4 * settled / 10
    in_rollback(body)


def test_the_worked_example_of_the_costing_guide(plant):
    """docs/stock-and-costing.md, "Worked example", step by step."""
    def body():
        inv.receive(item="FLOUR", qty=D(100), batch="F1", unit_cost=D("1.00"), actor=PERSON)
        inv.receive(item="BOX", qty=D(100), batch="B1", unit_cost=D("0.10"), actor=PERSON)
        recipes.create_recipe({"code": "R-DOC", "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"},
                                                           {"item": "BOX", "qty_per_unit": "1", "mode": "backflush"}],
                               "outputs": [{"item": "COOKIE", "kind": "main", "cost_share": "90"},
                                           {"item": "CRUMBS", "kind": "by", "cost_share": "10"}],
                               "stages": [{"seq": 10, "work_centre": "MIX", "standard_minutes": "30"}]})
        prod.create_work_order({"number": "WO-DOC", "recipe": "R-DOC", "planned_qty": "100", "status": "released"})
        prod.issue_material("WO-DOC", batch="F1", qty=D(20), actor=PERSON)
        c1 = prod.report_output("WO-DOC", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=PERSON)
        cr1 = prod.report_output("WO-DOC", item="CRUMBS", kind="by", batch="CR1", qty=D(2), actor=PERSON)
        assert (c1.value, cr1.value) == (D("30.24"), D(0))
        inv.dispatch(batch="C1", qty=D(10), reference="CUST", actor=PERSON)
        assert StockMove.get(StockMove.kind == "dispatch").value == D("-7.56")
        prod.record_stage("WO-DOC", 10, started=True, actor=fact_actor(0))
        prod.record_stage("WO-DOC", 10, started=False, actor=fact_actor(30))
        wo = prod.complete("WO-DOC", PERSON)
        assert StockMove.get(StockMove.kind == "backflush").value == D("-4.00")
        assert (wo.input_cost, wo.conversion_cost, wo.output_value, wo.scrap_loss) == (D(24), D(24), D(48), D(0))
        revaluations = {m.batch.code: m.value for m in StockMove.select().where(StockMove.kind == "revaluation")}
        assert revaluations == {"C1": D("9.72"), "CR1": D("4.80")}
        assert wo.variance == D("3.24")
        in_stock = StockMove.value.from_units(StockMove.select(fn.SUM(StockMove.value)).where(
            StockMove.batch == c1.batch_id).scalar())
        assert in_stock == D("32.40")
        prod.create_work_order({"number": "WO-DOC2", "recipe": "R-DOC", "planned_qty": "100", "status": "released"})
        assert prod.report_output("WO-DOC2", item="COOKIE", kind="main", batch="C2", qty=D(1), actor=PERSON).value == D("1.08")
    in_rollback(body)


def test_a_late_fact_settles_with_the_shares_the_work_order_was_made_with(plant):
    """Completed, then the recipe's shares change, then a station's late issue arrives: the work order
    is settled again with its own shares (90 / 10), not the recipe's new ones (50 / 50)."""
    def body():
        stocked()
        prod.issue_material("WOS", batch="IN-FLOUR", qty=D(10), actor=PERSON)
        prod.report_output("WOS", item="COOKIE", kind="main", batch="C1", qty=D(20), actor=PERSON)
        prod.report_output("WOS", item="CRUMBS", kind="by", batch="K1", qty=D(2), actor=PERSON)
        prod.complete("WOS", PERSON)
        changed = {**RECIPE, "outputs": [dict(o, cost_share="50") if o["kind"] in ("main", "by") else o
                                         for o in RECIPE["outputs"]]}
        recipes.update_recipe("R1", changed)
        assert sorted(RecipeOutput.select(RecipeOutput.cost_share).where(RecipeOutput.cost_share > 0)
                      .tuples()) == [(D(50),), (D(50),)]
        prod.issue_material("WOS", batch="IN-FLOUR", qty=D(4), actor=fact_actor())  # late, from a station
        wo = WorkOrder.get(WorkOrder.number == "WOS")
        values = {o.batch.code: o.value for o in WorkOrderOutput.select()}
        valued = values["C1"] + values["K1"]
        assert valued == wo.output_value and values["K1"] == settlement.exact(valued * D("0.1"))
        assert json.loads(wo.cost_shares) == {str(RecipeOutput.get(RecipeOutput.kind == "main").item_id): "90",
                                              str(RecipeOutput.get(RecipeOutput.kind == "by").item_id): "10"}

    in_rollback(body)


def test_a_late_fact_prices_the_stages_at_the_rates_of_the_first_settlement(plant):
    """Completed at 0.80 a minute; the rate goes up to 2.00; a late issue arrives: labour and overhead
    stay at what completion settled, only the materials change."""
    from central.workcentres import update_work_centre

    def body():
        stocked()
        prod.issue_material("WOS", batch="IN-FLOUR", qty=D(10), actor=PERSON)
        prod.report_output("WOS", item="COOKIE", kind="main", batch="C1", qty=D(20), actor=PERSON)
        prod.complete("WOS", PERSON)
        done = WorkOrder.get(WorkOrder.number == "WOS")
        assert done.conversion_cost == D(24)  # 30 standard minutes x 0.80
        update_work_centre("MIX", {"labour_rate": "1.5", "overhead_rate": "0.5"})
        prod.issue_material("WOS", batch="IN-FLOUR", qty=D(4), actor=fact_actor())  # late, from a station
        again = WorkOrder.get(WorkOrder.number == "WOS")
        assert again.conversion_cost == D(24) and again.input_cost == done.input_cost + D(5)
        prod.create_work_order({"number": "WOT", "recipe": "R1", "planned_qty": "50", "status": "released"})
        prod.complete("WOT", PERSON)
        assert WorkOrder.get(WorkOrder.number == "WOT").conversion_cost == D(60)  # a new one: today's rate

    in_rollback(body)
