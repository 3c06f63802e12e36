"""Invariants, checked on generated operation sequences (hypothesis)."""
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings, strategies as st
from peewee import fn

from central import genealogy, inventory as inv, production as prod, recipes
from central.db import database
from central.errors import Conflict
from central.inventory import Actor
from central.models import Batch, CostLayer, Item, StockBalance, StockMove, WorkOrder, WorkOrderOutput

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OVERRIDE = Actor(user="prop", allow_negative=True)
qtys = st.decimals(min_value=D("0.001"), max_value=D(50), places=3)
costs = st.decimals(min_value=D(0), max_value=D(20), places=2)


class _Undo(Exception):
    pass


def in_rollback(body):
    """Run ``body`` in a transaction that is always rolled back: each example starts from the fixture state."""
    try:
        with database.atomic():
            body()
            raise _Undo
    except _Undo:
        pass


def check_ledger_equals_stock():
    balances = {(b.item_id, b.batch_id, b.location_id): b.qty for b in StockBalance.select()}
    ledger = {}
    for item, batch, location, qty in (StockMove.select(StockMove.item, StockMove.batch, StockMove.location,
                                                        fn.SUM(StockMove.qty))
                                       .where(StockMove.qty != 0)
                                       .group_by(StockMove.item, StockMove.batch, StockMove.location).tuples()):
        ledger[(item, batch, location)] = StockMove.qty.from_units(qty)
    for key in set(balances) | set(ledger):
        assert balances.get(key, D(0)) == ledger.get(key, D(0)), key
    for item in Item.select():
        layers = CostLayer.value.from_units(CostLayer.select(fn.SUM(CostLayer.value)).where(
            CostLayer.item == item.id, CostLayer.is_open == True).scalar()) or D(0)  # noqa: E712
        moves = StockMove.value.from_units(StockMove.select(fn.SUM(StockMove.value)).where(
            StockMove.item == item.id).scalar()) or D(0)
        assert layers == moves, item.code


operation = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(["BOX", "SUGAR", "OIL"]), qtys, costs),
    st.tuples(st.just("issue"), st.sampled_from(["BOX", "SUGAR", "OIL"]), qtys, st.booleans()),
    st.tuples(st.just("transfer"), st.sampled_from(["BOX", "SUGAR", "OIL"]), qtys, st.just(None)),
    st.tuples(st.just("adjust"), st.sampled_from(["BOX", "OIL"]), qtys, st.booleans()),
)


@SETTINGS
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_ledger_sum_equals_stock_on_hand_and_value(plant, ops):
    def body():
        for n, (kind, item, qty, extra) in enumerate(ops):
            tracked = item != "OIL"
            if kind == "receive":
                inv.receive(item=item, qty=qty, unit_cost=extra, batch=f"{item}-{n}" if tracked else None, actor=OVERRIDE)
            elif kind == "issue":
                try:  # a refused issue must leave nothing behind: checked below like any other step
                    inv.issue(item=item, qty=qty, actor=OVERRIDE if extra else Actor(user="strict"))
                except Conflict:
                    assert not extra
            elif kind == "transfer" and _has(item):
                try:
                    inv.transfer(item=item, qty=qty, from_location="RECV", to_location="STORE", actor=Actor(user="strict"))
                except Conflict:
                    pass
            elif kind == "adjust" and _has(item):
                batch = Batch.select().join(Item).where(Item.code == item).first() if tracked else None
                if tracked and batch is None:
                    continue
                inv.adjust(item=None if batch else item, batch=batch.code if batch else None, qty=qty if extra else -qty,
                           location="RECV", reason="COUNT", actor=OVERRIDE)
            check_ledger_equals_stock()
    in_rollback(body)


def _has(item):
    return StockMove.select().join(Item).where(Item.code == item).exists()


@SETTINGS
@given(layers=st.lists(st.tuples(qtys, costs), min_size=1, max_size=8), takes=st.lists(qtys, min_size=1, max_size=6))
def test_fifo_never_consumes_a_newer_layer_before_an_older_one(plant, layers, takes):
    def body():
        for qty, cost in layers:
            inv.receive(item="OIL", qty=qty, unit_cost=cost, actor=OVERRIDE)
        for qty in takes:
            inv.issue(item="OIL", qty=qty, actor=OVERRIDE)
            rows = list(CostLayer.select().join(Item).where(Item.code == "OIL", CostLayer.qty_in > 0).order_by(CostLayer.id))
            touched = [i for i, r in enumerate(rows) if r.qty < r.qty_in]
            if touched:
                assert all(r.qty == 0 for r in rows[: touched[-1]]), "a newer layer was used before an older one"
    in_rollback(body)


@SETTINGS
@given(issues=st.lists(st.tuples(st.sampled_from(["FLOUR", "SUGAR", "BOX"]), qtys), min_size=1, max_size=5),
       outputs=st.lists(st.tuples(st.sampled_from(["COOKIE", "CRUMBS", "WASTE"]), qtys), min_size=1, max_size=4),
       prices=st.tuples(costs, costs, costs), complete=st.booleans(), issue_last=st.booleans())
def test_value_is_conserved_across_a_work_order_and_trace_reaches_outputs(plant, issues, outputs, prices, complete, issue_last):
    from tests.central.test_production import RECIPE

    def body():
        for (item, price) in zip(("FLOUR", "SUGAR", "BOX"), prices):
            inv.receive(item=item, qty=D(30), unit_cost=price, batch=f"IN-{item}", actor=OVERRIDE)
        recipes.create_recipe(RECIPE)
        prod.create_work_order({"number": "WOP", "recipe": "R1", "planned_qty": "10", "status": "released"})
        kinds = {"COOKIE": "main", "CRUMBS": "by", "WASTE": "scrap"}

        def do_issues():
            for item, qty in issues:
                prod.issue_material("WOP", batch=f"IN-{item}", qty=qty, actor=OVERRIDE)

        def do_outputs():
            for n, (item, qty) in enumerate(outputs):
                prod.report_output("WOP", item=item, kind=kinds[item], batch=f"OUT-{n}", qty=qty, reason="X", actor=OVERRIDE)

        (do_outputs, do_issues)[0 if issue_last else 1]()
        (do_issues, do_outputs)[0 if issue_last else 1]()
        if complete:
            prod.complete("WOP", OVERRIDE)
        wo = WorkOrder.get(WorkOrder.number == "WOP")
        if complete:  # settled: the cost is all on the outputs and the scrap loss
            assert wo.output_value + wo.scrap_loss == wo.input_cost + wo.conversion_cost
        else:  # running: outputs carry their provisional values
            assert wo.output_value == sum((o.value for o in WorkOrderOutput.select()), D(0))
        consumed = {m.batch.code for m in StockMove.select().where(StockMove.work_order == wo.id, StockMove.batch.is_null(False),
                                                                   StockMove.kind.in_(("issue", "backflush")))}
        for code in consumed:
            reached = {b["batch"] for b in genealogy.trace(code, "forward")["batches"]}
            assert {f"OUT-{n}" for n in range(len(outputs))} <= reached
        check_ledger_equals_stock()
    in_rollback(body)
