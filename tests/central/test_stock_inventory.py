"""Stock operations: receipts, FIFO/FEFO picks, weighted average, negative stock, transfers, scrap."""
from datetime import date
from decimal import Decimal as D

import pytest

from central import costing, inventory as inv
from central.errors import Conflict, NotFound, ValidationError
from central.inventory import Actor
from central.models import Batch, CostLayer, Flag, StockBalance, StockMove
from central.stockview import on_hand, valuation


def qty_at(batch, location):
    row = StockBalance.select().join(Batch).switch(StockBalance).where(Batch.code == batch).first()
    return sum((b.qty for b in StockBalance.select().join(Batch).where(Batch.code == batch)
                if b.location.code == location), D(0)) if row else D(0)


def assert_ledger_matches():
    for row in valuation():
        assert D(row["qty"]) == D(row["ledger_qty"]), row
        assert D(row["value"]) == D(row["ledger_value"]), row


def test_fifo_issue_takes_oldest_batch_first_and_values_it(plant, person):
    inv.receive(item="BOX", qty=D(10), batch="B1", unit_cost=D("1.00"), actor=person)
    inv.receive(item="BOX", qty=D(10), batch="B2", unit_cost=D("2.00"), actor=person)
    picks = inv.issue(item="BOX", qty=D(15), actor=person)
    assert [(p.batch.code, p.qty, p.value) for p in picks] == [("B1", 10, D("10")), ("B2", 5, D("10"))]
    assert costing.stock_value()[picks[0].item.id] == D("10")
    assert_ledger_matches()


def test_fefo_picks_first_expiry_when_item_has_shelf_life(plant, person):
    inv.receive(item="FLOUR", qty=D(5), batch="LATE", expiry=date(2030, 1, 1), unit_cost=D(1), actor=person)
    inv.receive(item="FLOUR", qty=D(5), batch="EARLY", expiry=date(2029, 1, 1), unit_cost=D(3), actor=person)
    picks = inv.issue(item="FLOUR", qty=D(6), actor=person)
    assert [(p.batch.code, p.qty) for p in picks] == [("EARLY", 5), ("LATE", 1)]
    assert sum(p.value for p in picks) == D(16)


def test_receipt_defaults_expiry_from_shelf_life(plant, person):
    batch = inv.receive(item="FLOUR", qty=D(1), batch="F1", actor=person)
    assert batch.expiry is not None and (batch.expiry - date.today()).days in (179, 180)


def test_scanned_batch_is_consumed_even_if_not_oldest(plant, person):
    inv.receive(item="BOX", qty=D(10), batch="B1", unit_cost=D(1), actor=person)
    inv.receive(item="BOX", qty=D(10), batch="B2", unit_cost=D(2), actor=person)
    picks = inv.issue(batch="B2", qty=D(4), actor=person)
    assert [(p.batch.code, p.value) for p in picks] == [("B2", D(8))]


def test_weighted_average_is_recomputed_on_every_receipt(plant, person):
    inv.receive(item="SUGAR", qty=D(3), batch="S1", unit_cost=D(1), actor=person)
    inv.receive(item="SUGAR", qty=D(1), batch="S2", unit_cost=D(5), actor=person)  # avg 2
    assert inv.issue(item="SUGAR", qty=D(2), actor=person)[0].value == D(4)
    inv.receive(item="SUGAR", qty=D(2), batch="S3", unit_cost=D(8), actor=person)  # (4 + 16) / 4 = 5
    assert sum(p.value for p in inv.issue(item="SUGAR", qty=D(4), actor=person)) == D(20)
    assert_ledger_matches()


def test_untracked_fifo_layers_are_per_receipt(plant, person):
    inv.receive(item="OIL", qty=D(5), unit_cost=D(3), actor=person)
    inv.receive(item="OIL", qty=D(5), unit_cost=D(4), actor=person)
    assert inv.issue(item="OIL", qty=D(7), actor=person)[0].value == D(23)
    with pytest.raises(Conflict) as err:  # the request is well formed; the item says otherwise
        inv.receive(item="OIL", qty=D(1), batch="X", actor=person)
    assert err.value.field == "batch"


def test_person_going_negative_gets_409_and_nothing_is_written(plant, person):
    inv.receive(item="BOX", qty=D(3), batch="B1", unit_cost=D(1), actor=person)
    moves, layers = StockMove.select().count(), list(CostLayer.select().tuples())
    with pytest.raises(Conflict) as err:
        inv.issue(batch="B1", qty=D(5), actor=person)
    assert err.value.field == "qty" and "allow_negative" in err.value.message
    assert StockMove.select().count() == moves
    assert list(CostLayer.select().tuples()) == layers
    assert qty_at("B1", "RECV") == D(3)


def test_override_and_station_facts_go_negative_with_a_flag(plant, person):
    inv.receive(item="BOX", qty=D(3), batch="B1", unit_cost=D(2), actor=person)
    inv.issue(batch="B1", qty=D(5), actor=Actor(user="boss", allow_negative=True))
    assert qty_at("B1", "RECV") == D(-2)
    assert Flag.select().where(Flag.kind == "negative_stock").count() == 1
    assert_ledger_matches()
    # the next receipt fills the negative layer first
    inv.receive(item="BOX", qty=D(4), batch="B1", unit_cost=D(3), actor=person)
    assert qty_at("B1", "RECV") == D(2)
    assert_ledger_matches()
    assert costing.stock_value()[Batch.get(Batch.code == "B1").item_id] == D(6)


def test_unknown_codes_unit_and_quantity_errors_name_the_field(plant, person):
    inv.receive(item="BOX", qty=D(3), batch="B1", actor=person)
    cases = [
        (lambda: inv.receive(item="NOPE", qty=D(1), batch="X", actor=person), NotFound, "item"),
        (lambda: inv.issue(batch="NOPE", qty=D(1), actor=person), NotFound, "batch"),
        (lambda: inv.receive(item="BOX", qty=D(1), batch="B2", location="NOWHERE", actor=person), NotFound, "location"),
        (lambda: inv.receive(item="BOX", qty=D(0), batch="B2", actor=person), ValidationError, "qty"),
        (lambda: inv.receive(item="BOX", qty=D(-1), batch="B2", actor=person), ValidationError, "qty"),
        (lambda: inv.receive(item="BOX", qty="abc", batch="B2", actor=person), ValidationError, "qty"),
        (lambda: inv.receive(item="BOX", qty=D(1), batch="B2", unit="kg", actor=person), ValidationError, "unit"),
        (lambda: inv.receive(item="BOX", qty=D(1), actor=person), Conflict, "batch"),
        (lambda: inv.receive(item="FLOUR", qty=D(1), batch="B1", actor=person), Conflict, "batch"),
    ]
    for call, error, field in cases:
        with pytest.raises(error) as err:
            call()
        assert err.value.field == field
    assert Batch.select().where(Batch.code == "B2").count() == 0


def test_transfer_moves_quantity_not_value(plant, person):
    inv.receive(item="BOX", qty=D(10), batch="B1", unit_cost=D(2), actor=person)
    inv.transfer(batch="B1", qty=D(4), to_location="STORE", actor=person)
    assert (qty_at("B1", "RECV"), qty_at("B1", "STORE")) == (D(6), D(4))
    rows, total = on_hand(batch="B1")
    assert total == 2 and {r["location"]: r["value"] for r in rows} == {"RECV": "12.000000", "STORE": "8.000000"}
    assert_ledger_matches()


def test_adjust_scrap_and_dispatch_write_the_ledger(plant, person):
    inv.receive(item="BOX", qty=D(10), batch="B1", unit_cost=D(1), actor=person)
    inv.adjust(batch="B1", qty=D(2), location="RECV", reason="COUNT", actor=person)
    inv.adjust(batch="B1", qty=D(-1), location="RECV", reason="COUNT", actor=person)
    inv.scrap(batch="B1", qty=D(1), reason="DAMAGED", actor=person)
    inv.dispatch(batch="B1", qty=D(5), reference="CUST-1", actor=person)
    assert qty_at("B1", "RECV") == D(5)
    kinds = [m.kind for m in StockMove.select().order_by(StockMove.id)]
    assert kinds == ["receipt", "adjustment", "adjustment", "scrap", "dispatch"]
    assert_ledger_matches()
    with pytest.raises(ValidationError) as err:
        inv.adjust(batch="B1", qty=D(0), location="RECV", reason="COUNT", actor=person)
    assert err.value.field == "qty"


def test_batch_status_rules(plant, person, fact):
    inv.receive(item="BOX", qty=D(10), batch="B1", actor=person)
    inv.set_batch_status("B1", "blocked", person)
    with pytest.raises(Conflict) as err:
        inv.set_batch_status("B1", "released", person)
    assert err.value.field == "status"
    with pytest.raises(Conflict) as err:
        inv.issue(batch="B1", qty=D(1), actor=person)
    assert err.value.field == "batch"
    # a station's fact on a blocked batch is recorded and flagged
    inv.issue(batch="B1", qty=D(1), actor=fact())
    assert Flag.select().where(Flag.kind == "batch_not_released").count() == 1
    # item picks skip batches that are not released
    inv.receive(item="BOX", qty=D(2), batch="B2", actor=person)
    assert [p.batch.code for p in inv.issue(item="BOX", qty=D(2), actor=person)] == ["B2"]
