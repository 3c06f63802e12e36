"""Batches: the list, each batch's home page (what its label's QR code opens), its status, trace and record."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from central import batchview, genealogy
from central.auth import require_role
from central.batchrecord import batch_record, render_pdf
from central.catalog import get_batch
from central.errors import NotFound, ShopfloorError
from central.inventory import Actor, set_batch_status
from central.models import Batch, Item
from central.models.stock import BATCH_STATUSES
from central.web.blueprint import web
from central.web import tracetree
from central.web.paging import keyset
from central.web.people import show_error

WRITERS = ("supervisor", "planner")  # as the API's batch status endpoint
STATUS_WORDS = {"released": "Release", "quarantine": "Quarantine", "blocked": "Block"}


class StatusForm(FlaskForm):
    """A new status for a batch and why."""

    status = SelectField("New status", choices=[(s, s) for s in BATCH_STATUSES], validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(message="Say why the status changes."),
                                                 Length(max=500)])


@web.url_value_preprocessor
def _refuse_unstorable_codes(endpoint, values):
    # a NUL cannot be in any stored code (PostgreSQL refuses it in a query): such a batch does not exist
    code = (values or {}).get("code")
    if (endpoint or "").startswith("web.batch") and isinstance(code, str) and "\x00" in code:
        raise NotFound("batch", f"no batch {code!r}")


@web.get("/batches")
def batches():
    """Batches, newest first, narrowed by item, status, expiry and text (code prefix or supplier lot)."""
    form_error = None
    try:
        f = batchview.BatchFilter.from_args(request.args)
        page = keyset(batchview.batches(f), [Batch.id], descending=True)
    except ShopfloorError as exc:  # a status or expiry not offered, an item that does not exist
        form_error, f = exc, batchview.BatchFilter(item=request.args.get("item", ""), text=request.args.get("text", ""))
        page = None
    stock = batchview.on_hand([b.id for b in page.rows]) if page else {}
    items = list(Item.select(Item.code, Item.name).where(Item.batch_tracked == True)  # noqa: E712
                 .order_by(Item.code).limit(500))
    return render_template("batches_list.html", page=page, f=f, stock=stock, items=items, error=form_error,
                           statuses=BATCH_STATUSES, expiries=batchview.EXPIRY_FILTERS), 400 if form_error else 200


def _status_form(view: dict) -> StatusForm:
    form = StatusForm()
    form.status.choices = [(s, f"{STATUS_WORDS[s]} ({s})") for s in view["next_statuses"]]
    return form


@web.get("/batches/<code>")
def batch_home(code):
    """One batch: facts, where it is now, where it came from and went, its status and history, links."""
    view = batchview.overview(code)
    return render_template("batch_home.html", v=view, form=_status_form(view))


@web.post("/batches/<code>/status")
@require_role(*WRITERS)
def batch_status(code):
    """Quarantine, block or release a batch, with a reason; recorded with who and when."""
    view = batchview.overview(code)
    form = _status_form(view)
    if form.validate_on_submit():
        try:
            batch = set_batch_status(code, form.status.data, Actor(user=g.user.username), form.reason.data.strip())
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Batch {batch.code} is now {batch.status}.", "ok")
            return redirect(url_for("web.batch_home", code=batch.code))
    return render_template("batch_home.html", v=view, form=form), 400


@web.get("/batches/<code>/trace")
def batch_trace(code):
    """What went into a batch and where it went, every level, with quantities, places and dispatches."""
    back = genealogy.trace_tree(code, "backward")
    forward = genealogy.trace_tree(code, "forward")
    return render_template("batch_trace.html", code=code, back=back, forward=forward, tree=tracetree,
                           batch=get_batch(code))


@web.get("/batches/<code>/recall.csv")
def batch_recall_csv(code):
    """Every batch made from this one, all levels, and where each is now: the recall list."""
    return Response(genealogy.recall_csv(code), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="recall-{_safe(code)}.csv"'})


def _safe(code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in code)


@web.get("/batches/<code>/record")
def batch_record_page(code):
    """The permanent batch record, printable."""
    return render_template("batch_record.html", record=batch_record(code))


@web.get("/batches/<code>/record.pdf")
def batch_record_pdf(code):
    """The permanent batch record as a PDF."""
    pdf = render_pdf(batch_record(code))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="batch-record-{_safe(code)}.pdf"'})
