"""JSON API for the reason-code catalogue and the reason Pareto."""
from __future__ import annotations

from flask import Response, jsonify, request

from central import reasons
from central.analysis import pareto_csv, pareto_filter, pareto_json, reason_pareto
from central.api.blueprint import api, json_body
from central.auth import require_role
from central.operators import check_bool
from central.api.schemas import Code, Id, Query, Text  # noqa: F401


class ReasonCodePath(Query):
    code: Code


WRITERS = ("supervisor", "planner")


@api.get("/reason-codes")
def reason_codes_list():
    """The catalogue; ``?category=``, ``?active=true|false``."""
    raw = request.args.get("active")
    rows = reasons.list_reason_codes(category=request.args.get("category") or None,
                                     active=None if raw in (None, "") else check_bool("active", raw))
    return jsonify({"reason_codes": [reasons.reason_code_dict(r) for r in rows]})


@api.post("/reason-codes")
@require_role(*WRITERS)
def reason_codes_create():
    """Add a code: ``{"code", "category", "description", "active"}``."""
    body = json_body()
    row = reasons.create_reason_code(body.get("code"), body.get("category"), body.get("description", ""),
                                     body.get("active", True))
    return jsonify(reasons.reason_code_dict(row)), 201


@api.get("/reason-codes/<code>")
def reason_codes_get(path: ReasonCodePath):
    """One reason code."""
    code = path.code
    return jsonify(reasons.reason_code_dict(reasons.get_reason_code(code)))


@api.patch("/reason-codes/<code>")
@require_role(*WRITERS)
def reason_codes_update(path: ReasonCodePath):
    """Change ``description``, ``category`` or ``active``."""
    code = path.code
    return jsonify(reasons.reason_code_dict(reasons.update_reason_code(code, json_body())))


@api.get("/analysis/reasons/pareto")
def reasons_pareto():
    """Pareto of reason codes: ``since``, ``until`` (days, inclusive), ``work_centre``, ``item``,
    ``operator``, ``category``, ``measure=count|qty|minutes``; ``format=csv`` for CSV."""
    result = reason_pareto(pareto_filter(request.args))
    if request.args.get("format") == "csv":
        return Response(pareto_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=reason-pareto.csv"})
    return jsonify(pareto_json(result))
