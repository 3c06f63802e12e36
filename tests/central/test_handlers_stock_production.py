"""Station events applied through the stock and production handlers."""
from datetime import datetime, timezone
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from central import genealogy, production as prod, recipes
from central.models import (Batch, EventRecord, Flag, ReasonCode, Station, StockBalance, StockMove, WorkOrder,
                            WorkOrderOutput, WorkOrderStage)
from central.recorder import record
from edge.contract import make_event

from tests.central.test_production import RECIPE
from tests.central.test_properties import in_rollback


@pytest.fixture
def floor(plant):
    Station.create(code="S01", site="plant1")
    Station.create(code="GI1", site="plant1", kind="goods_in")
    ReasonCode.create(code="BURNT", category="scrap")
    ReasonCode.create(code="DLY-MATERIAL", category="delay")
    recipes.create_recipe(RECIPE)
    prod.create_work_order({"number": "WO1", "recipe": "R1", "planned_qty": "100", "status": "released"})
    return plant


class Station_:
    """Emits events of one station with increasing seq."""

    def __init__(self, code):
        self.code, self.seq = code, 0

    def send(self, type_name, data, operator="OP-1", at=None):
        self.seq += 1
        event = make_event(type_name, site="plant1", station=self.code, seq=self.seq, operator=operator, data=data,
                           at=at or datetime.now(timezone.utc))
        return record([event])


def on_hand(code):
    return sum((b.qty for b in StockBalance.select().join(Batch).where(Batch.code == code)), D(0))


def test_goods_received_creates_the_station_batch(floor):
    out = Station_("GI1").send("goods.received", {"item": "FLOUR", "batch": "GI1-0001", "qty": "500", "supplier_lot": "L88",
                                                   "expiry": "2027-05-01", "unit_cost": "0.8"})
    assert out.rejected == [] and out.applied == 1
    batch = Batch.get(Batch.code == "GI1-0001")
    assert (batch.supplier_lot, str(batch.expiry), on_hand("GI1-0001")) == ("L88", "2027-05-01", D(500))
    bad = Station_("GI1").send("goods.received", {"item": "NOPE", "batch": "GI1-0002", "qty": "1"})
    assert bad.rejected and "data.item" in bad.rejected[0]["error"]
    assert not Batch.select().where(Batch.code == "GI1-0002").exists()


@pytest.mark.parametrize("item", ["FLOUR", None])
def test_issue_before_receipt_waits_for_it_and_is_booked_when_it_comes(floor, item):
    s01, gi1 = Station_("S01"), Station_("GI1")
    data = {"work_order": "WO1", "batch": "GI1-0009", "qty": "20", **({"item": item} if item else {})}
    out = s01.send("material.issued", data)
    assert out.rejected == [] and out.applied == 1
    assert on_hand("GI1-0009") == D(0)
    flag = Flag.get(Flag.kind == "unknown_batch")
    assert flag.resolved_at is None and EventRecord.get().flagged
    gi1.send("goods.received", {"item": "FLOUR", "batch": "GI1-0009", "qty": "50", "supplier_lot": "LOT-9",
                                "location": "RECV"})
    assert on_hand("GI1-0009") == D(30)
    assert [(b.location.code, b.qty) for b in StockBalance.select().join(Batch).where(Batch.code == "GI1-0009")] == [
        ("RECV", D(30))]
    assert Batch.get(Batch.code == "GI1-0009").supplier_lot == "LOT-9"
    assert Flag.get_by_id(flag.id).resolved_by == "system"
    s01.send("output.reported", {"work_order": "WO1", "kind": "main", "item": "COOKIE", "batch": "S01-C1", "qty": "40"})
    assert [b["batch"] for b in genealogy.trace("GI1-0009", "forward")["batches"]] == ["GI1-0009", "S01-C1"]
    issued = StockMove.get(StockMove.kind == "issue")
    assert (issued.operator, str(issued.event_id)) == ("OP-1", out.accepted[0])


def test_unknown_work_order_is_rejected(floor):
    out = Station_("S01").send("material.issued", {"work_order": "WO-NONE", "item": "FLOUR", "qty": "1"})
    assert out.rejected and "work_order" in out.rejected[0]["error"]
    assert EventRecord.select().count() == 0


def test_a_full_work_order_from_the_floor(floor):
    gi1, s01 = Station_("GI1"), Station_("S01")
    gi1.send("goods.received", {"item": "FLOUR", "batch": "F1", "qty": "100", "unit_cost": "1"})
    gi1.send("goods.received", {"item": "SUGAR", "batch": "S1", "qty": "100", "unit_cost": "2"})
    gi1.send("goods.received", {"item": "BOX", "batch": "B1", "qty": "10", "unit_cost": "0.1"})
    t0 = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    # the output and the end of the stage arrive before the start and the material
    s01.send("output.reported", {"work_order": "WO1", "kind": "main", "item": "COOKIE", "batch": "S01-C1", "qty": "40"})
    s01.send("output.reported", {"work_order": "WO1", "kind": "scrap", "item": "WASTE", "batch": "S01-W1", "qty": "1",
                                 "reason": "BURNT"})
    s01.send("stage.completed", {"work_order": "WO1", "stage": 10}, at=t0.replace(minute=20))
    s01.send("stage.started", {"work_order": "WO1", "stage": 10}, at=t0)
    s01.send("material.issued", {"work_order": "WO1", "batch": "F1", "qty": "20"})
    s01.send("work_order.paused", {"work_order": "WO1", "reason": "DLY-MATERIAL"})
    assert WorkOrder.get().status == "paused"
    s01.send("work_order.resumed", {"work_order": "WO1"})
    out = s01.send("work_order.completed", {"work_order": "WO1"})
    assert out.rejected == []
    wo = WorkOrder.get()
    stage = WorkOrderStage.get()
    assert (stage.started_by, stage.completed_at.minute) == ("OP-1", 20)
    # 20 flour + 10 sugar x 2 + 40 boxes x 0.1 (only 10 in stock: negative, flagged) + 20 min x 0.8
    assert (wo.status, wo.input_cost, wo.conversion_cost) == ("done", D(44), D(16))
    assert WorkOrderOutput.get(WorkOrderOutput.kind == "main").value == D(60)
    assert on_hand("B1") == D(-30) and Flag.select().where(Flag.kind == "negative_stock").exists()
    # a second completion from the floor is recorded and flagged, nothing more is taken
    s01.send("work_order.completed", {"work_order": "WO1"})
    assert on_hand("B1") == D(-30)
    assert Flag.select().where(Flag.kind == "work_order_state").exists()


def test_scrap_reported_writes_off_the_batch(floor):
    Station_("GI1").send("goods.received", {"item": "FLOUR", "batch": "F1", "qty": "10", "unit_cost": "1"})
    out = Station_("S01").send("scrap.reported", {"work_order": "WO1", "qty": "2", "reason": "BURNT", "batch": "F1"})
    assert out.rejected == [] and on_hand("F1") == D(8)


ARRIVALS = [
    ("GI1", "goods.received", {"item": "FLOUR", "batch": "LATE-1", "qty": "10", "location": "RECV", "unit_cost": "1.5"}),
    ("S01", "material.issued", {"work_order": "WO1", "batch": "LATE-1", "qty": "4"}),
    ("S01", "output.reported", {"work_order": "WO1", "kind": "main", "item": "COOKIE", "batch": "S01-C1", "qty": "8"}),
    ("S01", "material.issued", {"work_order": "WO1", "batch": "LATE-1", "item": "FLOUR", "qty": "1"}),
]


def _end_state():
    stock = sorted((b.batch.code if b.batch else "", b.location.code, b.qty) for b in StockBalance.select() if b.qty)
    trace = genealogy.trace("LATE-1", "forward")
    wo = WorkOrder.get()
    open_flags = sorted(f.kind for f in Flag.select().where(Flag.resolved_at.is_null()))
    return {"stock": stock, "batches": trace["batches"], "links": trace["links"], "open_flags": open_flags,
            "costs": (wo.input_cost, wo.conversion_cost, wo.output_value, wo.scrap_loss),
            "values": sorted((o.batch.code, o.value) for o in WorkOrderOutput.select())}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(ARRIVALS))), cuts=st.lists(st.booleans(), min_size=3, max_size=3))
def test_any_order_of_receipt_issues_and_output_ends_the_same(floor, order, cuts):
    found = []

    def run(sequence, split):
        stations = {"GI1": Station_("GI1"), "S01": Station_("S01")}
        pending = []
        for n, index in enumerate(sequence):
            code, type_name, data = ARRIVALS[index]
            station = stations[code]
            station.seq += 1
            pending.append((code, make_event(type_name, site="plant1", station=code, seq=station.seq,
                                              operator="OP-1", data=data, at=datetime.now(timezone.utc))))
            last = n == len(sequence) - 1
            if last or split[n] or pending[-1][0] != ARRIVALS[sequence[n + 1]][0]:
                out = record([e for _, e in pending])  # one station's message, as the ingest gets it
                assert out.rejected == []
                pending = []
        before = _end_state()
        stations["S01"].send("work_order.completed", {"work_order": "WO1"})
        found.append((before, _end_state()))

    in_rollback(lambda: run(list(range(len(ARRIVALS))), [False] * 3))
    in_rollback(lambda: run(list(order), cuts))
    (reference_running, reference_done), (running, done) = found
    assert done == reference_done
    for key in ("stock", "batches", "links", "open_flags"):
        assert running[key] == reference_running[key], key
    assert ("LATE-1", "RECV", D(5)) in done["stock"]
