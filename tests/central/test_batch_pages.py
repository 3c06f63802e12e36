"""Batch pages: the list, a batch's home page and status changes, the trace tree, the recall list, search."""
import csv
import io
from datetime import timedelta
from decimal import Decimal as D

import pytest

from central import batchview, genealogy, inventory as inv, production as prod, recipes
from central.db import database
from central.errors import Conflict, NotFound, ValidationError
from central.flags import raise_flag
from central.models import Batch, BatchStatusChange, Operator, SsccLabel, Station
from central.search import parse_gs1, search

from tests.central.test_production import RECIPE
from tests.central.websupport import csrf, sign_in


@pytest.fixture
def made(plant, person, fact):
    """F1 flour (supplier lot MILL-77) into WO1 making cookies C1; C1 into WO2 making crumbs G1; some C1 dispatched."""
    inv.receive(item="FLOUR", qty=D(100), batch="F1", unit_cost=D(1), supplier="MILL", supplier_lot="MILL-77", actor=person)
    inv.receive(item="SUGAR", qty=D(100), batch="S1", unit_cost=D(2), actor=person)
    inv.receive(item="BOX", qty=D(100), batch="B1", unit_cost=D("0.1"), actor=person)
    recipes.create_recipe(RECIPE)
    prod.create_work_order({"number": "WO1", "recipe": "R1", "planned_qty": "40", "status": "released"})
    op = fact("OP-7")
    prod.issue_material("WO1", batch="F1", qty=D(20), actor=op)
    prod.report_output("WO1", item="COOKIE", kind="main", batch="C1", qty=D(40), actor=op)
    inv.dispatch(batch="C1", qty=D(20), reference="=HYPERLINK(\"http://x\")", actor=person)
    recipes.create_recipe({"code": "R2", "inputs": [{"item": "COOKIE", "qty_per_unit": "10"}],
                           "outputs": [{"item": "CRUMBS", "kind": "main", "cost_share": "100"}]})
    prod.create_work_order({"number": "WO2", "recipe": "R2", "planned_qty": "1", "status": "released"})
    prod.issue_material("WO2", batch="C1", qty=D(10), actor=person)
    prod.report_output("WO2", item="CRUMBS", kind="main", batch="G1", qty=D(1), actor=person)
    return plant


def test_status_change_is_recorded_with_who_when_and_why(made, person):
    inv.set_batch_status("F1", "quarantine", person, "mould found on a sack")
    inv.set_batch_status("F1", "blocked", person, "lab confirms")
    with pytest.raises(Conflict):
        inv.set_batch_status("F1", "released", person, "too early")  # blocked goes back through quarantine
    history = batchview.status_history("F1")
    assert [(h["from"], h["to"], h["by"], h["reason"]) for h in history] == [
        ("quarantine", "blocked", "tester", "lab confirms"), ("released", "quarantine", "tester", "mould found on a sack")]
    assert BatchStatusChange.select().count() == 2  # the refused change wrote nothing


def test_overview_says_where_it_is_where_it_came_from_and_went(made):
    view = batchview.overview("C1")
    assert view["made"].work_order.number == "WO1"
    assert view["stock"] == [("FG", D(10))]
    assert [u["number"] for u in view["used_in"]] == ["WO2"]
    assert view["dispatched"][0]["reference"].startswith("=HYPERLINK")
    assert view["next_statuses"] == ["blocked", "quarantine"]
    with pytest.raises(NotFound):
        batchview.overview("NOPE")


def test_batch_list_filters(made):
    def codes(today=None, **args):
        return sorted(b.code for b in batchview.batches(batchview.BatchFilter(**args), today))
    assert codes(item="FLOUR") == ["F1"]
    assert codes(text="MILL-77") == ["F1"]
    assert codes(text="C") == ["C1"]
    inv.set_batch_status("S1", "quarantine", inv.Actor(user="qa"), "check")
    assert codes(status="quarantine") == ["S1"]
    flour = Batch.get(Batch.code == "F1").expiry  # received with the item's shelf life of 180 days
    assert "F1" in codes(expiry="30", today=flour - timedelta(days=10))
    assert "F1" not in codes(expiry="30", today=flour - timedelta(days=60))
    assert "F1" in codes(expiry="90", today=flour - timedelta(days=60))
    assert "F1" in codes(expiry="expired", today=flour + timedelta(days=1))
    assert "F1" not in codes(expiry="expired", today=flour)
    with pytest.raises(ValidationError):
        batchview.BatchFilter.from_args({"status": "lost"})


def test_trace_tree_backward_and_forward_with_quantities_and_places(made):
    back = genealogy.trace_tree("G1", "backward")
    c1 = back["root"]["children"][0]
    assert (c1["batch"], c1["via"]["work_order"], c1["via"]["qty"]) == ("C1", "WO2", "10.000000")
    assert {n["batch"] for n in c1["children"]} == {"F1"}  # SUGAR and BOX were not issued to WO1
    assert back["levels"] == 2
    fwd = genealogy.trace_tree("F1", "forward")
    child = fwd["root"]["children"][0]
    assert child["batch"] == "C1" and child["made_by"] == "WO1"
    assert child["locations"] == [{"batch": "C1", "location": "FG", "qty": "10.000000"}]
    assert child["dispatches"][0]["qty"] == "20.000000"
    assert child["children"][0]["batch"] == "G1"


def test_recall_csv_lists_every_affected_batch_and_escapes_formulas(made):
    rows = list(csv.DictReader(io.StringIO(genealogy.recall_csv("F1"))))
    assert {r["batch"] for r in rows} == {"F1", "C1", "G1"}
    c1 = [r for r in rows if r["batch"] == "C1"]
    assert {(r["where"], r["qty"]) for r in c1} == {("on hand", "10.000000"), ("dispatched", "20.000000")}
    dispatched = next(r for r in c1 if r["where"] == "dispatched")
    assert not dispatched["place"].startswith("=")  # a spreadsheet shows it as text
    assert next(r for r in rows if r["batch"] == "G1")["depth"] == "2"


def test_search_finds_each_kind_of_code(made):
    Operator.create(badge="OP-7", name="Ann")
    Station.create(code="S01", site="plant1")
    assert search("WO1").only.kind == "work_order"
    assert search("C1").only.kind == "batch"
    assert search("COOKIE").only.kind == "item"
    assert search("cookie").only.code == "COOKIE"
    assert search("09501101530003").only.code == "COOKIE"  # the item's GTIN
    assert search("OP-7").only.kind == "operator"
    assert search("S01").only.kind == "station"
    assert search("STORE").only.kind == "location"
    assert search("MILL-77").only.code == "F1"  # the supplier's lot
    hri = search("(01)09501101530003(17)271231(10)C1")
    assert hri.only.code == "C1" and hri.gs1["gtin"] == "09501101530003"
    raw = search("]C1010950110153000317271231\x1d10C1")
    assert raw.only.code == "C1"
    bare = search("01095011015300031727123110C1")
    assert bare.only.code == "C1"
    assert search("(01)09501101530003(10)NOPE").only.code == "COOKIE"  # unknown lot: the item
    several = search("W")  # no exact match: codes that start with it
    assert several.only is None and {h.code for h in several.similar} >= {"WO1", "WO2", "WASTE"}
    assert search("zzz-nothing").groups() == []


def test_search_finds_a_pallet_by_its_sscc(made):
    SsccLabel.create(sscc="095011010000000017", batch="C1", created_by="boss")
    assert search("(00)095011010000000017").only.code == "C1"


def test_parse_gs1_refuses_what_is_not_gs1():
    with pytest.raises(ValueError):
        parse_gs1("(01)123")


def test_pages_answer_and_the_form_changes_the_status(made, app, client, admin_user):
    with database.connection_context():
        raise_flag("negative_stock", "batch C1 went to -2 pcs", subject="C1")
    sign_in(client, *admin_user)
    for path in ("/batches", "/batches?item=FLOUR&status=released&expiry=90&text=F", "/batches/C1", "/batches/C1/trace",
                 "/search", "/search?q=W", "/search?q=nothing-here", "/flags", "/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/batches?status=lost").status_code == 400
    assert "Stock went below zero" in client.get("/flags").get_data(as_text=True)
    assert 'href="/batches/C1"' in client.get("/").get_data(as_text=True)
    page = client.get("/batches/F1").get_data(as_text=True)
    resp = client.post("/batches/F1/status", data={"status": "quarantine", "reason": "", "csrf_token": csrf(page)})
    assert resp.status_code == 400 and "Say why the status changes." in resp.get_data(as_text=True)
    resp = client.post("/batches/F1/status", data={"status": "quarantine", "reason": "smell", "csrf_token": csrf(page)})
    assert resp.status_code == 302
    assert "smell" in client.get("/batches/F1").get_data(as_text=True)
    assert client.get("/search?q=C1").headers["Location"].endswith("/batches/C1")
    csv_resp = client.get("/batches/F1/recall.csv")
    assert csv_resp.mimetype == "text/csv" and "G1" in csv_resp.get_data(as_text=True)
    for path in ("/batches/NOPE", "/batches/NOPE/trace", "/no/such/page"):
        missing = client.get(path)
        assert missing.status_code == 404 and 'id="site-search"' in missing.get_data(as_text=True), path


def test_status_history_api(made, api):
    assert api.post("/api/v1/batches/F1/status", json={"status": "quarantine", "reason": "lab"}).status_code == 200
    body = api.get("/api/v1/batches/F1/status-history").get_json()
    assert body["changes"][0]["from"] == "released" and body["changes"][0]["reason"] == "lab"
    assert api.get("/api/v1/batches/NOPE/status-history").status_code == 404


def test_odd_input_gets_an_answer_not_an_error(made, client, admin_user):
    sign_in(client, *admin_user)
    assert client.get("/batches/A%00B").status_code == 404
    assert client.get("/batches/A%00B/trace").status_code == 404
    assert client.get("/search?q=%00%01C1%0D%0A").headers["Location"].endswith("/batches/C1")
    assert client.get("/batches?text=%00").status_code == 200
    answer = client.get("/batches?item=NO-SUCH-ITEM")
    assert answer.status_code == 400 and "no item" in answer.get_data(as_text=True)
    assert client.get("/search?q=" + "x" * 5000).status_code == 200


def test_trace_queries_do_not_scan_the_whole_input_table(made):
    """A trace's cost must not grow with history. SQLite, with statistics, would build a Bloom filter
    over all of ``work_order_input`` for every trace if the recursive step joined it by equality."""
    if database.obj.__class__.__name__ != "SqliteDatabase":
        pytest.skip("the Bloom filter is SQLite's")
    database.execute_sql("ANALYZE")
    start = Batch.get(Batch.code == "G1").id
    equality = genealogy._tree_sql("backward").replace("BETWEEN o.work_order_id AND o.work_order_id",
                                                       "= o.work_order_id")
    plan = lambda sql: " ".join(r[3] for r in database.execute_sql("EXPLAIN QUERY PLAN " + sql, (start, 9)))  # noqa: E731
    assert "BLOOM FILTER" in plan(equality)  # what the test guards against is real on this SQLite
    for direction in ("backward", "forward"):
        for sql in (genealogy._tree_sql(direction), genealogy._walk_sql(direction)):
            assert "BLOOM FILTER" not in plan(sql), direction
    assert [b["batch"] for b in genealogy.trace("G1", "backward")["batches"]] == ["G1", "C1", "F1"]


def test_a_deep_trace_folds_below_the_second_level():
    """The tree's branches under levels 1 and 2 are open; deeper ones are folded and say how many."""
    from central.web import tracetree

    def node(code, depth, children=()):
        return {"batch": code, "item": "IT", "item_name": "<b>x</b>", "unit": "kg", "status": "released",
                "made_qty": "1", "via": {"qty": "1", "work_order": "WO"} if depth else None, "depth": depth,
                "repeat": False, "locations": [], "dispatches": [], "children": list(children)}

    tree = node("A", 0, [node("B", 1, [node("C", 2, [node("D", 3, [node("E", 4)])])])])
    html = str(tracetree.render_node(tree, "forward", ""))
    assert '<details class="branches" open><summary>1 batch made from B</summary>' in html
    assert '<details class="branches"><summary>1 batch made from C</summary>' in html
    assert '<details class="branches"><summary>1 batch made from D</summary>' in html
    assert "made from A" not in html  # the first level is never folded
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    back = str(tracetree.render(tree, "backward", ""))
    assert "1 batch went into B" in back and 'href="/batches/E"' in back
