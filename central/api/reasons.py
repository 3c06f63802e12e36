"""JSON API for the reason-code catalogue and the reason Pareto."""
from __future__ import annotations

from typing import Literal

from flask import Response, jsonify
from pydantic import ConfigDict, Field

from central import reasons
from central.analysis import MEASURES, ParetoFilter, pareto_csv, pareto_json, reason_pareto
from central.api.blueprint import api
from central.api.schemas import Code, Date, Out, Query, Strict, Text, answers, link, with_links
from central.auth import require_role
from central.models.reference import REASON_CATEGORIES

WRITERS = ("supervisor", "planner")


class ReasonCodePath(Query):
    code: Code


class ReasonCodeQuery(Query):
    category: Literal[REASON_CATEGORIES] | None = None
    active: bool | None = None


class ReasonCodeCreate(Strict):
    code: Code
    category: Literal[REASON_CATEGORIES]
    description: Text(256) = ""
    active: bool = True


class ReasonCodeUpdate(Strict):
    code: Code | None = Field(None, description="cannot change; accepted only when it is the same")
    category: Literal[REASON_CATEGORIES] | None = None
    description: Text(256) | None = None
    active: bool | None = None


class ReasonCodeOut(Out):
    model_config = with_links(
        GetReasonCode=link("reason_codes_get", parameters={"code": "$response.body#/code"}),
        UpdateReasonCode=link("reason_codes_update", parameters={"code": "$response.body#/code"}))

    code: Code
    category: Literal[REASON_CATEGORIES]
    description: str
    active: bool


class ReasonCodes(Out):
    reason_codes: list[ReasonCodeOut]


class ParetoQuery(Query):
    since: Date | None = Field(None, description="first day included")
    until: Date | None = Field(None, description="last day included")
    work_centre: Code | None = None
    item: Code | None = None
    operator: Code | None = None
    category: Literal[REASON_CATEGORIES] | None = None
    measure: Literal[MEASURES] = "count"
    format: Literal["json", "csv"] = Field("json", description="csv: the same rows as a CSV file")


class ParetoRow(Out):
    code: Code
    category: Literal[REASON_CATEGORIES]
    description: str
    count: int
    qty: str
    minutes: str
    share: str
    cumulative: str


class Pareto(Out):
    model_config = ConfigDict(extra="forbid", openapi_extra={
        "description": "the Pareto; with format=csv the same rows as CSV",
        "content": {"text/csv": {"schema": {"type": "string"}}}})

    measure: Literal[MEASURES]
    filter: dict[str, str]
    total: str | int
    rows: list[ParetoRow]


@api.get("/reason-codes", responses=answers((200, ReasonCodes)))
def reason_codes_list(query: ReasonCodeQuery):
    """The catalogue by category then code; filter by ``category`` and ``active``."""
    rows = reasons.list_reason_codes(category=query.category, active=query.active)
    return jsonify({"reason_codes": [reasons.reason_code_dict(r) for r in rows]})


@api.post("/reason-codes", responses=answers((201, ReasonCodeOut), 409))
@require_role(*WRITERS)
def reason_codes_create(body: ReasonCodeCreate):
    """Add a code to the catalogue."""
    row = reasons.create_reason_code(body.code, body.category, body.description, body.active)
    return jsonify(reasons.reason_code_dict(row)), 201


@api.get("/reason-codes/<code>", responses=answers((200, ReasonCodeOut), 404))
def reason_codes_get(path: ReasonCodePath):
    """One reason code."""
    return jsonify(reasons.reason_code_dict(reasons.get_reason_code(path.code)))


@api.patch("/reason-codes/<code>", responses=answers((200, ReasonCodeOut), 404))
@require_role(*WRITERS)
def reason_codes_update(path: ReasonCodePath, body: ReasonCodeUpdate):
    """Change ``description``, ``category`` or ``active`` (the code itself never changes)."""
    row = reasons.update_reason_code(path.code, body.model_dump(exclude_none=True))
    return jsonify(reasons.reason_code_dict(row))


@api.get("/analysis/reasons/pareto", responses=answers((200, Pareto)))
def reasons_pareto(query: ParetoQuery):
    """Pareto of reason codes over a period of days, largest first, with share and running share."""
    flt = ParetoFilter(query.since, query.until, work_centre=query.work_centre, item=query.item,
                       operator=query.operator, category=query.category, measure=query.measure)
    result = reason_pareto(flt)
    if query.format == "csv":
        return Response(pareto_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=reason-pareto.csv"})
    return jsonify(pareto_json(result))
