"""Health: the one API endpoint without a login, for load balancers and systemd checks."""
from __future__ import annotations

from typing import Literal

from flask import jsonify

from central.api.blueprint import api
from central.api.schemas import Out, answers
from central.db import database


class Health(Out):
    status: Literal["ok", "degraded"]
    database: bool


@api.get("/health", responses=answers((200, Health), (503, Health)))
def health():
    """Is the app up and can it reach its database."""
    try:
        database.execute_sql("SELECT 1")
        db_ok = True
    except Exception:  # any driver error means "not healthy", reported, not raised
        db_ok = False
    return jsonify({"status": "ok" if db_ok else "degraded", "database": db_ok}), (200 if db_ok else 503)
