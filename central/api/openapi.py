"""The OpenAPI 3.1 document of /api/v1 and its viewer, both built from the declared routes.

flask-openapi3 collects every route of the API blueprint with its pydantic models; this module
serves the result with paths relative to the ``/api/v1`` server, and the Swagger UI viewer
shipped by the flask-openapi3-swagger package (served from here, no CDN).
"""
from __future__ import annotations

import copy
from pathlib import Path

import flask_openapi3_swagger
from flask import Blueprint, current_app, jsonify, render_template_string, url_for
from flask_openapi3 import Info

from central.api.blueprint import api

INFO = Info(title="Shopfloor central API", version="1",
            description="Stock, production, genealogy, people and events of Shopfloor central. "
                        "Errors are JSON `{error, field, message}`; see docs/api.md.")
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "an API token: shopfloor user token USER NAME"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "the web login's session cookie (writes also need the X-CSRFToken header)"},
}
PUBLIC = {"health"}  # operations without a login

viewer = Blueprint("apidocs", __name__, url_prefix="/api/v1/docs",
                   static_folder=str(Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"))


def document(app) -> dict:
    """The OpenAPI document of the app's API, paths relative to its server ``/api/v1``."""
    spec = copy.deepcopy(app.api_doc)
    prefix = api.url_prefix
    spec["servers"] = [{"url": prefix}]
    spec["security"] = [{"bearer": []}, {"session": []}]
    spec["paths"] = {path[len(prefix):] or "/": item for path, item in spec["paths"].items() if path.startswith(prefix)}
    for path, item in spec["paths"].items():
        for operation in item.values():
            if operation.get("tags") in (None, ["default"]):  # grouped by the path's first segment
                operation["tags"] = [path.strip("/").split("/")[0] or "api"]
            if operation.get("operationId") in PUBLIC:
                operation["security"] = []
    return spec


@api.get("/openapi.json", responses={200: {"description": "the OpenAPI 3.1 document",
                                           "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_json():
    """This API described as OpenAPI 3.1, generated from its declarations."""
    return jsonify(document(current_app))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shopfloor API</title>
<link rel="stylesheet" href="{{ url_for('apidocs.static', filename='css/swagger-ui.css') }}"></head>
<body><main id="swagger-ui"></main>
<script src="{{ url_for('apidocs.static', filename='js/swagger-ui-bundle.js') }}"></script>
<script src="{{ url_for('apidocs.static', filename='js/swagger-ui-standalone-preset.js') }}"></script>
<script src="{{ url_for('apidocs.init_js') }}" data-spec="{{ spec }}"></script>
</body></html>"""


@viewer.get("/")
def docs_page():
    """The API documentation viewer (Swagger UI), for a logged-in person."""
    return render_template_string(_PAGE, spec=url_for("api.openapi_json"))


@viewer.get("/init.js")
def init_js():
    """The few lines that start the viewer on this API's document."""
    return current_app.response_class((Path(__file__).parent / "docs_init.js").read_text(), mimetype="text/javascript")
