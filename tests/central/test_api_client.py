"""A Python client generated from the OpenAPI document (openapi-python-client) runs a small plant:
items, a goods receipt, a recipe, a work order issued, reported and completed, and the trace."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from central.api.openapi import document


@pytest.fixture
def client_package(app, tmp_path):
    with app.app_context():
        (tmp_path / "openapi.json").write_text(json.dumps(document(app)))
    cli = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run([str(cli), "generate", "--path", str(tmp_path / "openapi.json"), "--meta", "none",
                             "--output-path", str(tmp_path / "shopfloor_client")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("shopfloor_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "shopfloor_client" or n.startswith("shopfloor_client.")]:
            del sys.modules[name]


def test_generated_client_runs_a_work_order(app, api, client_package):
    pkg = client_package
    token = api.environ_base["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    client = pkg.AuthenticatedClient(base_url="http://central/api/v1", token=token, raise_on_unexpected_status=True,
                                     httpx_args={"transport": httpx.WSGITransport(app=app)})

    def call(module: str, body: dict | None = None, model: str | None = None, **params):
        api_module = importlib.import_module(f"shopfloor_client.api.{module}")
        if body is not None:
            params["body"] = getattr(importlib.import_module("shopfloor_client.models"), model).from_dict(body)
        response = api_module.sync_detailed(client=client, **params)
        assert response.status_code < 300, response.content
        return response.parsed

    for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
        call("locations.locations_create", {"code": code, "role": role}, "LocationCreate")
    flour = call("items.items_create", {"code": "FLOUR", "unit": "kg"}, "ItemCreate")
    assert flour.code == "FLOUR" and flour.costing == "fifo"
    call("items.items_create", {"code": "BREAD", "unit": "pcs"}, "ItemCreate")
    receipt = call("stock.stock_receive", {"item": "FLOUR", "batch": "F1", "qty": "50", "unit_cost": "0.8"}, "Receipt")
    assert receipt.batch.code == "F1" and receipt.stock[0].value == "40.000000"
    call("recipes.recipes_create", {"code": "R-BREAD", "inputs": [{"item": "FLOUR", "qty_per_unit": "0.5"}],
                                    "outputs": [{"item": "BREAD", "kind": "main", "cost_share": "100"}]},
         "RecipeCreate")
    call("work_orders.work_orders_create", {"number": "WO-1", "recipe": "R-BREAD", "planned_qty": "20",
                                            "status": "released"}, "WorkOrderCreate")
    picks = call("work_orders.work_orders_issue", {"batch": "F1", "qty": "10"}, "WorkOrderIssueType1", number="WO-1")  # the batch-scanned form
    assert picks.picks[0].batch == "F1"
    out = call("work_orders.work_orders_output", {"item": "BREAD", "kind": "main", "batch": "B1", "qty": "20"},
               "WorkOrderOutputInType0", number="WO-1")  # not scrap: no reason needed
    assert out.batch == "B1"
    done = call("work_orders.work_orders_complete", {}, "CompleteBody", number="WO-1")
    assert done.status == "done" and done.costs.materials == "8.000000"
    trace = call("batches.batches_trace", code="B1")
    assert {b.batch for b in trace.batches} >= {"F1"} and trace.direction == "backward"
    record = call("batches.batches_record", code="B1")
    assert record.batch["code"] == "B1"
    # the answers of a real plant fit their declared models exactly (no undeclared field)
    from central.api.genealogy import BatchRecord, Trace
    from central.api.production import WorkOrderDetail
    BatchRecord.model_validate(api.get("/api/v1/batches/B1/record").get_json())
    Trace.model_validate(api.get("/api/v1/batches/F1/trace?direction=forward").get_json())
    WorkOrderDetail.model_validate(api.get("/api/v1/work-orders/WO-1").get_json())
