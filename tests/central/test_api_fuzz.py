"""schemathesis over the whole OpenAPI document: generated requests, valid and invalid, on every
operation; no answer may be a server error or differ from what the document declares."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from central import create_app
from central.api.openapi import document

EXAMPLES = 12  # per operation: bounded, so the test stays within a minute or two on each database


def _document() -> dict:
    app = create_app({"database.url": "sqlite:///:memory:", "web.secret_key": "x", "data_dir": "/tmp/shopfloor-doc"})
    with app.app_context():
        return document(app)


DOCUMENT = _document()
OPERATIONS = [f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method in item]


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_to_the_document(label, app, api):
    schema = schemathesis.openapi.from_dict(document(app) if False else DOCUMENT)
    schema.app = app
    operation = schema.find_operation_by_label(label)
    headers = {"Authorization": api.environ_base["HTTP_AUTHORIZATION"]}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers)

    run()
