"""schemathesis over the whole OpenAPI document: generated requests, valid and invalid, on every
operation; no answer may be a server error or differ from what the document declares."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.specs.openapi import checks
from hypothesis import HealthCheck, Phase, given, settings

from central import create_app
from central.api.openapi import document
from central.db import database
from central.models import ALL_MODELS, ApiToken, User

# Rules of the domain that JSON Schema cannot state: a GTIN's check digit, the columns of an
# uploaded CSV, cost shares adding up to 100 %, an expiry after the issue date, a period's end
# after its start. There a schema-valid request may rightly be refused with 400; every other
# check still runs on these operations.
DOMAIN_RULES = {"POST /items", "PATCH /items/{code}", "POST /operators/import", "POST /certifications/import",
                "POST /recipes", "PUT /recipes/{code}", "POST /certifications", "PATCH /certifications/{cert_id}",
                "GET /analysis/reasons/pareto",
                # maintenance: a shift's or on-call period's end after its start, an e-mail address, an
                # assignment rule with at least one condition, a time entry's end after its start,
                # custom field values typed by their template, a template's field names and choices
                "POST /maintenance/technicians/{code}/shifts", "POST /maintenance/technicians/{code}/on-call",
                "POST /maintenance/contractors", "POST /maintenance/rules", "POST /maintenance/work-orders/{number}/time",
                "PUT /maintenance/work-orders/{number}/fields", "PUT /maintenance/templates/{code}",
                # a schedule's lead below its interval, whole days, floating only in days; a period's
                # end after its start
                "POST /maintenance/schedules", "PATCH /maintenance/schedules/{code}", "GET /maintenance/reliability",
                "GET /maintenance/assets/{code}/reliability", "GET /maintenance/failure-pareto"}
EXAMPLES = 12  # per operation: bounded, so the test stays within a minute or two on each database


def _document() -> dict:
    app = create_app({"database.url": "sqlite:///:memory:", "web.secret_key": "x", "data_dir": "/tmp/shopfloor-doc"})
    with app.app_context():
        return document(app)


DOCUMENT = _document()
OPERATIONS = [f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method in item]


def _schema(app, api):
    """The document bound to the app in process; requests carry the admin token the way the
    document says (bearer), so schemathesis can also try them without it."""
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    schema.app = app
    token = api.environ_base["HTTP_AUTHORIZATION"].split(" ", 1)[1]

    @schema.auth()
    class Bearer:
        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_to_the_document(label, app, api):
    operation = _schema(app, api).find_operation_by_label(label)
    excluded = [checks.positive_data_acceptance] if label in DOMAIN_RULES else []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        calls.append(case.call_and_validate(excluded_checks=excluded).status_code)

    calls: list[int] = []
    run()
    print(f"{label}: {len(calls)} cases, statuses {sorted(set(calls))}")
    assert calls


def test_stateful_sequences_follow_the_links(app, api):
    """The stateful phase: chains of calls along the document's links (create an item, then get,
    update, receive it; a recipe, then a work order, its issues, outputs and completion; ...)."""
    from hypothesis.stateful import run_state_machine_as_test

    base = _schema(app, api).as_state_machine()

    calls: list[tuple[str, int]] = []

    class Workflow(base):
        def after_call(self, response, case):
            super().after_call(response, case)
            calls.append((case.operation.label, response.status_code))

        def teardown(self):
            """Each scenario starts on an empty plant, so a scenario always plays out the same way."""
            with database.connection_context(), database.atomic():
                for model in reversed(ALL_MODELS):
                    if model not in (User, ApiToken):
                        model.delete().execute()

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            excluded = [checks.positive_data_acceptance] if case.operation.label in DOMAIN_RULES else []
            case.validate_response(response, additional_checks=additional_checks, excluded_checks=excluded,
                                   transport_kwargs=kwargs or None, recorder=self.recorder)

    run_state_machine_as_test(Workflow, settings=settings(
        max_examples=EXAMPLES * 2, stateful_step_count=8, deadline=None, database=None, derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # the database keeps state: replaying would not repeat
        suppress_health_check=list(HealthCheck)))
    created = {label for label, status in calls if status in (200, 201) and not label.startswith("GET")}
    print(f"stateful: {len(calls)} calls, writes that succeeded: {sorted(created)}")
    assert len(calls) > EXAMPLES and created
