"""The OpenAPI document is generated from the routes: every /api/v1 route is in it."""


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
