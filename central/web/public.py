"""The public work-request form: no login, reached from the QR code on a machine's label.

The only page besides login and health that needs no login (``auth.PUBLIC_PREFIXES``). It is
rate-limited per client address with Flask-Limiter and refuses oversized bodies before reading them.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from central.errors import ShopfloorError
from central.maintenance import requests as reqs
from central.models import Asset

public = Blueprint("public", __name__)
MAX_BODY_BYTES = 16 * 1024  # a description of 2,000 characters and the rest of the form fit easily


@public.before_request
def _refuse_oversized():
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        abort(413, description=f"the form may send at most {MAX_BODY_BYTES // 1024} KB")


def _asset(code: str) -> Asset | None:
    return Asset.get_or_none(Asset.code == code, Asset.active == True)  # noqa: E712


@public.route("/r/<code>", methods=["GET", "POST"])
def request_form(code):
    """Report a problem with the machine whose label was scanned."""
    asset = _asset(code)
    if asset is None:
        return render_template("maintenance/public_form.html", asset=None, code=code, errors={}, values={}), 404
    errors: dict[str, str] = {}
    values = {"description": "", "reporter": ""}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        try:
            row = reqs.submit_request(asset=asset.code, description=values["description"], reporter=values["reporter"])
        except ShopfloorError as exc:
            errors[exc.field or "description"] = exc.message
        else:
            return render_template("maintenance/public_sent.html", req=row,
                                   link=url_for("public.request_status", token=row.token, _external=True)), 201
    status = 400 if errors else 200
    return render_template("maintenance/public_form.html", asset=asset, code=code, errors=errors, values=values), status


@public.get("/r/status/<token>")
def request_status(token):
    """The reporter's link: what became of their request (no names of others)."""
    try:
        row = reqs.request_by_token(token)
    except ShopfloorError:
        return render_template("maintenance/public_status.html", req=None), 404
    return render_template("maintenance/public_status.html", req=row,
                           work_order=row.work_order if row.work_order_id else None)


def init_app(app: Flask) -> Limiter:
    """Register the blueprint with its own limiter (storage and limit from the settings)."""
    settings = app.config["SHOPFLOOR"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings["maintenance.limit_storage"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    limiter.limit(settings["maintenance.request_limit"], methods=["POST"],
                  error_message="too many requests from this address; wait a minute and try again")(public)
    app.register_blueprint(public)
    return limiter
