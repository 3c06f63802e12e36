"""Sign-in throttling with Flask-Limiter: failed attempts per user name, all attempts per client.

Limits come from ``web.login_limit_user`` and ``web.login_limit_client``; past them the sign-in
answers 429 with ``Retry-After``, even for the right password, until the window has passed.
Counts are kept where ``web.rate_limit_storage`` says: by default central's own database.
"""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from central import ratecounter  # noqa: F401  (registers the database:// storage)
from shopfloor.settings import Settings


def _user_name() -> str:
    # names differ only in case or spaces still count as one target
    return "user:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed(response) -> bool:
    return response.status_code == 401


def init_throttle(app: Flask, settings: Settings) -> Limiter:
    """Attach a limiter to ``app`` and wrap the login view with both limits."""
    limiter = Limiter(get_remote_address, app=app, storage_uri=settings["web.rate_limit_storage"],
                      strategy="fixed-window", headers_enabled=True, default_limits=[])
    view = app.view_functions["web.login"]
    view = limiter.limit(settings["web.login_limit_client"], key_func=get_remote_address, methods=["POST"],
                         scope="login-client")(view)
    view = limiter.limit(settings["web.login_limit_user"], key_func=_user_name, methods=["POST"],
                         scope="login-user", deduct_when=_failed)(view)
    app.view_functions["web.login"] = view
    return limiter
