"""schemathesis over the whole OpenAPI document: generated requests, valid and invalid, on every
operation; no answer may be a server error or differ from what the document declares."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.specs.openapi import checks
from hypothesis import HealthCheck, given, settings

from central import create_app
from central.api.openapi import document

# Rules of the domain that JSON Schema cannot state: a GTIN's check digit, the columns of an
# uploaded CSV, cost shares adding up to 100 %, an expiry after the issue date. There a schema-valid request may rightly be refused with 400; every other
# check still runs on these operations.
DOMAIN_RULES = {"POST /items", "PATCH /items/{code}", "POST /operators/import", "POST /certifications/import",
                "POST /recipes", "POST /certifications", "PATCH /certifications/{cert_id}"}
EXAMPLES = 12  # per operation: bounded, so the test stays within a minute or two on each database


def _document() -> dict:
    app = create_app({"database.url": "sqlite:///:memory:", "web.secret_key": "x", "data_dir": "/tmp/shopfloor-doc"})
    with app.app_context():
        return document(app)


DOCUMENT = _document()
OPERATIONS = [f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method in item]


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_to_the_document(label, app, api):
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    schema.app = app
    operation = schema.find_operation_by_label(label)
    excluded = [checks.positive_data_acceptance] if label in DOMAIN_RULES else []
    headers = {"Authorization": api.environ_base["HTTP_AUTHORIZATION"]}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    run()
