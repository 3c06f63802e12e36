"""Central: the Flask app factory. Routes, the ingest and the CLI call domain functions only."""
from __future__ import annotations

import gc
import logging
import os
import secrets
from pathlib import Path

import peewee as pw
from flask import Flask, g, jsonify, make_response, render_template, request, send_from_directory
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError, CSRFProtect
from playhouse.pool import MaxConnectionsExceeded
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from central.config import load_settings
from central.db import database, open_database
from central.errors import ShopfloorError
from shopfloor.settings import Settings

log = logging.getLogger("shopfloor.central")
csrf = CSRFProtect()


def secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept in ``data_dir/secret_key``."""
    if settings["web.secret_key"]:
        return settings["web.secret_key"]
    path = Path(settings["data_dir"]) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def settle() -> None:
    """Take what a web process has loaded so far out of the garbage collector's full passes.

    A web process holds some 130,000 objects from start-up (Flask, the API schemas, the password
    checker's word lists) that live as long as it does. Python's full collection walks all of them
    whenever enough new objects have survived, which a page with a long trace brings about every
    few requests: 80 ms added to that request. Frozen (``gc.freeze``), they are left out of every
    collection; what requests make is still collected as before. Servers call it once, after
    :func:`create_app`; tests, which make many apps in one process, do not.
    """
    gc.collect()
    gc.freeze()


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested too deep read as malformed instead of crashing the request."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None


def create_app(config: dict | Settings | None = None) -> Flask:
    """Build the central web app. ``config`` is a Settings or a dict of key overrides."""
    from central import auth
    from central.api import api, viewer
    from central.headers import init_headers
    from central.throttle import init_throttle
    from central.web import format as web_format
    from central.web import public, web

    from flask_openapi3 import OpenAPI  # the web app only: the ingest and the CLI do without

    from central.api.blueprint import validation_error
    from central.api.openapi import INFO, SECURITY_SCHEMES

    settings = config if isinstance(config, Settings) else load_settings(overrides=config)
    app = OpenAPI(__name__, info=INFO, security_schemes=SECURITY_SCHEMES, doc_ui=False,
                  validation_error_status=400, validation_error_callback=validation_error)
    app.json = SafeJSONProvider(app)
    app.config["SHOPFLOOR"] = settings
    app.config["SECRET_KEY"] = secret_key(settings)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = settings["web.https"]
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False  # the cookie is sent at login, not with every answer
    app.config["PERMANENT_SESSION_LIFETIME"] = settings["web.session_hours"] * 3600
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _csrf_check, so token callers skip it
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    app.json.sort_keys = False
    open_database(settings["database.url"], pool=settings["web.db_pool"])
    csrf.init_app(app)

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    app.before_request(auth.login_gate)

    @app.before_request
    def _csrf_check():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not g.get("via_token"):
            csrf.protect()

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()

    app.register_blueprint(web)
    app.register_api(api)
    app.register_blueprint(viewer)
    public.init_app(app)
    init_throttle(app, settings)
    init_headers(app, settings["web.https"])
    if settings["web.proxy_hops"] > 0:
        hops = settings["web.proxy_hops"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    web_format.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: send_from_directory(app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                                 max_age=86400))
    _register_error_handlers(app)
    return app


def _error_response(status: int, body: dict, title: str):
    if auth_is_api():
        return make_response(jsonify(body), status)
    return make_response(render_template("error.html", status=status, title=title,
                                         message=body.get("error", title)), status)


def auth_is_api() -> bool:
    """True when the current request wants JSON."""
    from central.auth import is_api_request

    return is_api_request()


def _register_error_handlers(app: Flask) -> None:
    from pydantic import ValidationError as PydanticError

    from central.auth import Unauthorized

    @app.errorhandler(ShopfloorError)
    def _domain(exc: ShopfloorError):
        return _error_response(exc.status, exc.to_json(), "Cannot do that")

    @app.errorhandler(PydanticError)
    def _declared(exc: PydanticError):  # a declared schema checked inside a view
        from central.api.blueprint import validation_error
        return validation_error(exc)

    @app.errorhandler(Unauthorized)
    def _unauthorized(exc):
        return _error_response(401, {"error": exc.message}, "Login required")

    @app.errorhandler(pw.IntegrityError)
    def _integrity(exc):
        # two requests created the same thing at once; the loser is told, nothing was written
        log.info("conflict on %s %s: %s", request.method, request.path, exc)
        lines = str(exc).strip().splitlines()
        detail = next((x[len("DETAIL:"):].strip() for x in lines if x.startswith("DETAIL:")), lines[0] if lines else "")
        return _error_response(409, {"error": f"conflict: another request changed the same record at the same time "
                                              f"({detail}); nothing was saved, look at the current state and send again"},
                               "Conflict")

    @app.errorhandler(pw.OperationalError)
    def _operational(exc):
        text = str(exc).lower()
        if "deadlock" in text or "could not serialize" in text:
            return _integrity(exc)
        if "locked" in text or "busy" in text:
            response = _error_response(503, {"error": "the database is busy with other writes; nothing was saved, "
                                                      "send again in a moment"}, "Busy")
            response.headers["Retry-After"] = "1"
            return response
        return _unexpected(exc)

    @app.errorhandler(MaxConnectionsExceeded)
    def _pool_full(exc):
        response = _error_response(503, {"error": "every database connection of this web process is in use; "
                                                  "nothing was done, send again in a moment"}, "Busy")
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _error_response(400, {"error": f"csrf: {exc.description}"}, "Form expired")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = _error_response(exc.code or 500, {"error": exc.description}, exc.name)
        if getattr(exc, "valid_methods", None):  # 405 says which methods the path has
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(500, {"error": "internal error; it has been logged"}, "Something went wrong")
