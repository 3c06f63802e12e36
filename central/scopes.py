"""What a caller may send, decided by method and path in one place rather than in each route.

A token carries scopes (``central.models.users.SCOPES``); a person's session carries all of them,
bounded only by their role. Independently of scopes, fields that change valuation (``*cost*``, ``*_rate``)
or override a rule (``allow_negative``, ``override_reason``) need the role planner or higher.
"""
from __future__ import annotations

import re

from flask import request

from central.errors import Forbidden

ELEVATED_ROLES = ("admin", "supervisor", "planner")  # planner or higher
READ_METHODS = ("GET", "HEAD", "OPTIONS")
# stock moves a machine reports: receipts, issues, transfers, scrap, dispatches, work-order material and outputs
MOVE_PATHS = re.compile(r"/api/v1/(stock/(receipts|issues|transfers|scrap|dispatches)"
                        r"|work-orders/[^/]+/(issues|outputs|complete))/?")
OVERRIDE_FIELDS = ("allow_negative", "override_reason")


def _is_cost_field(name: str) -> bool:
    # unit_cost, standard_cost, cost_share, labour_rate, hourly_rate, ...
    return "cost" in name or name.endswith("_rate")


def _sent_fields() -> dict:
    """Top-level fields of a JSON object body and of a form, by name."""
    fields = dict(request.form.items()) if request.form else {}
    try:
        body = request.get_json(silent=True) if request.is_json else None
    except RecursionError:  # absurdly nested: the route's own validation answers it
        body = None
    if isinstance(body, dict):
        fields.update(body)
    return fields


def _set(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return value is not None and value is not False and value != 0


def needed(method: str, path: str, fields: dict) -> set[str]:
    """The scopes a request needs."""
    if method in READ_METHODS:
        return {"read"}
    need = {"moves"} if MOVE_PATHS.fullmatch(path) else {"write"}
    if any(_is_cost_field(k) and _set(v) for k, v in fields.items()):
        need.add("cost")
    if any(k in OVERRIDE_FIELDS and _set(fields[k]) for k in fields):
        need.add("override")
    return need


def check(user, token_scopes: list[str] | None) -> None:
    """Refuse (403) a request that the token's scopes or the user's role do not cover."""
    fields = _sent_fields() if request.method not in READ_METHODS else {}
    need = needed(request.method, request.path, fields)
    if token_scopes is not None:
        missing = sorted(need - set(token_scopes))
        if missing:
            raise Forbidden("scope", f"this token lacks the scope {' and '.join(missing)} "
                                     f"(it has {', '.join(token_scopes) or 'none'})")
    if need & {"cost", "override"} and user.role not in ELEVATED_ROLES:
        field = next(k for k, v in fields.items() if (_is_cost_field(k) or k in OVERRIDE_FIELDS) and _set(v))
        raise Forbidden(field, f"needs role planner, supervisor or admin; {user.username} is {user.role}")
