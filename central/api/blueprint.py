"""The JSON API blueprint, mounted at /api/v1. Feature modules add routes to it."""
from __future__ import annotations

from flask import Blueprint, request

from central.errors import ValidationError

api = Blueprint("api", __name__, url_prefix="/api/v1")


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    body = request.get_json(silent=True)
    if body is None:
        raise ValidationError("body", "must be a JSON object (Content-Type: application/json)")
    if not isinstance(body, dict):
        raise ValidationError("body", f"must be a JSON object, got {type(body).__name__}")
    return body


def page_args(default_limit: int = 50, max_limit: int = 500) -> tuple[int, int]:
    """``limit`` and ``offset`` query parameters, checked."""
    out = []
    for name, default, top in (("limit", default_limit, max_limit), ("offset", 0, None)):
        raw = request.args.get(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError(name, f"must be a whole number, got {raw!r}") from None
        if value < 0 or (top is not None and value > top) or (name == "limit" and value == 0):
            raise ValidationError(name, f"must be between {1 if name == 'limit' else 0} and {top if top else 'any'}")
        out.append(value)
    return out[0], out[1]
