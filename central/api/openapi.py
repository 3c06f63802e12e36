"""The OpenAPI 3.1 document of /api/v1, generated from the registered routes.

Every route under the API prefix appears with its method, path parameters and the first line
of its docstring as summary. A view may declare more with ``@documented``: query parameters
and the fields of its JSON body, each as ``name: (type, required, description)``.
"""
from __future__ import annotations

import re
from typing import Callable

from flask import Flask, current_app, jsonify

from central.api.blueprint import api

TYPES = {
    "string": {"type": "string"},
    "code": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}$"},
    "decimal": {"type": ["string", "number"], "description": "a decimal number; send a string to keep it exact"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "array": {"type": "array", "items": {"type": "object"}},
    "object": {"type": "object"},
}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]},
                                          "message": {"type": "string"}}}
_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def documented(*, body: dict | None = None, query: dict | None = None) -> Callable:
    """Declare a view's JSON body fields and query parameters for the OpenAPI document."""
    def mark(view):
        view.openapi = {"body": body or {}, "query": query or {}}
        return view
    return mark


def _schema(kind: str, doc: str) -> dict:
    return {**TYPES.get(kind, {"type": "string"}), **({"description": doc} if doc else {})}


def _operation(rule, method: str, view) -> dict:
    doc = (view.__doc__ or "").strip()
    summary, _, rest = doc.partition("\n")
    declared = getattr(view, "openapi", {"body": {}, "query": {}})
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _PARAM.findall(rule.rule)]
    params += [{"name": name, "in": "query", "required": required, "schema": _schema(kind, text)}
               for name, (kind, required, text) in declared["query"].items()]
    op = {"operationId": f"{rule.endpoint}.{method.lower()}", "summary": summary or rule.endpoint,
          "tags": [rule.rule.split("/")[3] if len(rule.rule.split("/")) > 3 else "api"],
          "responses": {"200": {"description": "OK"},
                        "4XX": {"description": "error naming the field", "content": {"application/json": {"schema": ERROR}}}}}
    if rest.strip():
        op["description"] = " ".join(rest.split())
    if params:
        op["parameters"] = params
    if method in ("POST", "PUT", "PATCH"):
        fields = declared["body"]
        schema = {"type": "object", "properties": {n: _schema(k, t) for n, (k, _, t) in fields.items()}}
        required = [n for n, (_, req, _) in fields.items() if req]
        if required:
            schema["required"] = required
        op["requestBody"] = {"required": bool(fields), "content": {"application/json": {"schema": schema}}}
    if rule.endpoint == "api.health":
        op["security"] = []
    return op


def document(app: Flask) -> dict:
    """The OpenAPI document for every route of the app under the API prefix."""
    prefix = api.url_prefix
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix + "/"):
            continue
        path = _PARAM.sub(r"{\1}", rule.rule[len(prefix):])
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method, view)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shopfloor central API", "version": "1"},
        "servers": [{"url": prefix}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "an API token: shopfloor user token NAME"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "paths": paths,
    }


@api.get("/openapi.json")
def openapi_json():
    """This API described as OpenAPI 3.1, generated from the code."""
    return jsonify(document(current_app))
