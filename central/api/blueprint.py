"""The JSON API blueprint, mounted at /api/v1. Feature modules add routes to it.

Routes are declared with flask-openapi3: ``@api.get(rule, responses=answers(...))`` on a view
whose parameters ``path``, ``query`` and ``body`` are typed with pydantic models from
``central.api.schemas`` or the feature's own module; the library validates the request with
them before the view runs and puts them in the OpenAPI document.
"""
from __future__ import annotations

from flask import make_response
from flask_openapi3 import APIBlueprint
from pydantic import ValidationError as PydanticError

from central.api.schemas import CODE_MESSAGE, CODE_PATTERN, Error

COMMON_ANSWERS = {400: Error, 401: Error, 403: Error}


def operation_id(name: str, path: str, method: str) -> str:
    """The operation id of a route is its view function's name (unique in the API)."""
    return name


api = APIBlueprint("api", __name__, url_prefix="/api/v1", abp_responses=COMMON_ANSWERS,
                   operation_id_callback=operation_id)


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this request",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "string_unicode": "must be valid Unicode text",
    "model_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
}


def _message(problem: dict) -> str:
    kind = problem["type"]
    ctx = problem.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == CODE_PATTERN:
        return f"{CODE_MESSAGE}, got {str(problem.get('input'))[:70]!r}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}, got {str(problem.get('input'))[:40]!r}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return problem["msg"].replace("Input should be", "must be")
    if kind in ("string_too_long", "string_too_short", "too_long", "too_short"):
        return problem["msg"].replace("String should have", "must have").replace("List should have", "must have")
    return _MESSAGES.get(kind, problem["msg"][:1].lower() + problem["msg"][1:])


def _field(problem: dict) -> str:
    out = ""
    for part in problem["loc"]:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def validation_error(exc: PydanticError):
    """A request that does not fit its declared schema: 400 in the API's error shape, every problem listed."""
    problems = [{"field": _field(p), "message": _message(p)} for p in exc.errors(include_url=False)]
    first = problems[0]
    response = make_response({"error": f"{first['field']}: {first['message']}", "field": first["field"],
                              "message": first["message"], "errors": problems}, 400)
    return response

