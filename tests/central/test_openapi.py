"""The OpenAPI document is generated from the declarations: every /api/v1 route is in it."""
import re


def test_every_api_route_is_documented(api, app):
    doc = api.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("apidocs."):
            continue
        path = rule.rule[len("/api/v1"):]
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", f"{{{arg}}}")
            for conv in ("int", "string", "path", "uuid"):
                path = path.replace(f"<{conv}:{arg}>", f"{{{arg}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_declared_bodies_and_parameters_appear(api):
    doc = api.get("/api/v1/openapi.json").get_json()
    create = doc["paths"]["/items"]["post"]
    assert create["summary"] == "Create an item."
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"code", "unit"} <= set(schema["required"]) and "standard_cost" in schema["properties"]
    assert schema["additionalProperties"] is False
    assert set(create["responses"]) >= {"201", "400", "401", "403", "409"}
    params = {p["name"] for p in doc["paths"]["/items"]["get"]["parameters"]}
    assert {"q", "limit", "offset"} <= params
    trace = doc["paths"]["/batches/{code}/trace"]["get"]
    assert any(p["name"] == "code" and p["in"] == "path" for p in trace["parameters"])


def test_the_event_contract_is_published_as_json_schema(api):
    from edge.contract import EVENT_TYPES

    schema = api.get("/api/v1/events/schema.json").get_json()
    assert schema["$schema"].endswith("2020-12/schema")
    assert {b["properties"]["type"]["const"] for b in schema["oneOf"]} == set(EVENT_TYPES)


# maintenance work-order steps whose path says everything: nothing to send
ACTIONS = {"maintenance_work_orders_start", "maintenance_work_orders_resume", "maintenance_work_orders_complete",
           "maintenance_work_orders_sign_off", "maintenance_scheduler_run", "maintenance_notifications_read"}


def test_every_operation_declares_its_inputs_and_answers(api):
    doc = api.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/api/v1"}]
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ids.append(op["operationId"])
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}: path parameters"
            if method in ("put", "patch") or (method == "post" and op["operationId"] not in ACTIONS):
                assert "requestBody" in op, f"{method} {path} has no request body"
            for status, answer in op["responses"].items():
                assert answer.get("content") or status == "204", f"{method} {path} {status} has no schema"
    assert len(ids) == len(set(ids))


def test_the_viewer_is_served_from_the_package(api):
    page = api.get("/api/v1/docs/")
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.data and b"//cdn" not in page.data
    for src in re.findall(rb'(?:src|href)="([^"]+)"', page.data):
        assert src.startswith(b"/api/v1/docs/") and api.get(src.decode()).status_code == 200, src
