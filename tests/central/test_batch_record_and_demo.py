"""The permanent batch record (JSON, page, PDF), multi-level genealogy, and the demo data."""
from decimal import Decimal as D

import pytest

from central import genealogy, inventory as inv, production as prod, recipes
from central.batchrecord import batch_record, render_pdf
from central.db import database
from central.demo_data import load_demo_data
from central.models import Item, Recipe, WorkOrder, WorkOrderStage

from tests.central.test_production import RECIPE


@pytest.fixture
def made(plant, person, fact):
    inv.receive(item="FLOUR", qty=D(100), batch="F1", unit_cost=D(1), supplier="MILL", supplier_lot="MILL-77", actor=person)
    inv.receive(item="SUGAR", qty=D(100), batch="S1", unit_cost=D(2), actor=person)
    inv.receive(item="BOX", qty=D(100), batch="B1", unit_cost=D("0.1"), actor=person)
    recipes.create_recipe(RECIPE)
    prod.create_work_order({"number": "WO1", "recipe": "R1", "planned_qty": "40", "status": "released"})
    op = fact("OP-7")
    prod.record_stage("WO1", 10, started=True, actor=op)
    prod.issue_material("WO1", batch="F1", qty=D(20), actor=op)
    prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=op)
    prod.record_stage("WO1", 10, started=False, actor=fact("OP-8"))
    prod.complete("WO1", op)
    inv.dispatch(batch="C1", qty=D(30), reference="SHOP-42", actor=person)
    return plant


def test_batch_record_has_inputs_stages_operators_outputs_destinations(made):
    rec = batch_record("C1")
    assert rec["work_order"]["number"] == "WO1"
    inputs = {i["batch"]: i for i in rec["inputs"]}
    assert inputs["F1"]["supplier_lot"] == "MILL-77" and inputs["F1"]["qty"] == "20.000000"
    assert set(inputs) == {"F1", "S1", "B1"}
    assert rec["stages"][0]["started_by"] == "OP-7" and rec["stages"][0]["completed_by"] == "OP-8"
    assert rec["operators"] == ["OP-7", "OP-8"]
    assert [o["batch"] for o in rec["outputs"]] == ["C1"]
    assert rec["where_it_went"]["dispatches"][0]["to"] == "SHOP-42"
    assert rec["where_it_went"]["locations"] == [{"batch": "C1", "location": "FG", "qty": "10.000000"}]


def test_batch_record_pdf_and_page(made, api):
    pdf = render_pdf(batch_record("C1"))
    assert pdf.startswith(b"%PDF")
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Batch record C1" in text and "MILL-77" in text and "SHOP-42" in text
    page = api.get("/batches/C1/record", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "MILL-77" in page.get_data(as_text=True)
    assert api.get("/batches/C1/record.pdf").data.startswith(b"%PDF")
    assert api.get("/api/v1/batches/C1/record").get_json()["batch"]["code"] == "C1"
    assert api.get("/api/v1/batches/NOPE/record").status_code == 404


def test_trace_follows_every_level(made, person):
    # a second work order turns cookies into a gift box; the recall of flour must reach it
    recipes.create_recipe({"code": "R2", "inputs": [{"item": "COOKIE", "qty_per_unit": "10"}],
                           "outputs": [{"item": "CRUMBS", "kind": "main", "cost_share": "100"}]})
    prod.create_work_order({"number": "WO2", "recipe": "R2", "planned_qty": "1", "status": "released"})
    prod.issue_material("WO2", batch="C1", qty=D(10), actor=person)
    prod.report_output("WO2", item="CRUMBS", kind="main", batch="G1", qty=D(1), actor=person)
    fwd = genealogy.trace("F1", "forward")
    assert [(b["batch"], b["depth"]) for b in fwd["batches"]] == [("F1", 0), ("C1", 1), ("G1", 2)]
    assert {c["work_order"] for c in fwd["consumptions"]} == {"WO1", "WO2"}
    back = genealogy.trace("G1", "backward")
    assert {b["batch"] for b in back["batches"]} == {"G1", "C1", "F1", "S1", "B1"}
    assert [b["batch"] for b in genealogy.trace("G1", "backward", 1)["batches"]] == ["G1", "C1"]


def test_demo_data_is_idempotent(db):
    first = load_demo_data()
    assert first["work_orders"] == ["WO-DEMO-0001"] and len(first["items"]) == 6
    counts = [Item.select().count(), Recipe.select().count(), WorkOrder.select().count(), WorkOrderStage.select().count()]
    second = load_demo_data()
    assert all(v == [] for v in second.values())
    assert counts == [Item.select().count(), Recipe.select().count(), WorkOrder.select().count(),
                      WorkOrderStage.select().count()]
    wo = WorkOrder.get()
    assert (wo.status, wo.recipe.code) == ("released", "RCP-COOKIE")
    assert Item.get(Item.code == "FG-COOKIE").gtin == "09501101530003"
    assert database.obj is not None
