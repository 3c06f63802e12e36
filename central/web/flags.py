"""Flags for supervisors: facts that broke a rule, to look at and close with a note."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from central.auth import require_role
from central.errors import ShopfloorError
from central.flags import resolve_flag
from central.models import Flag
from central.web import flagwords
from central.web.blueprint import web

flagwords.register(web)


class ResolveForm(FlaskForm):
    """What was done about a flag."""

    resolution = TextAreaField("What was done", validators=[DataRequired(), Length(max=2000)])


@web.get("/flags")
def flags():
    """Open flags first, newest first; ``?all=1`` includes resolved ones."""
    query = Flag.select()
    if not request.args.get("all"):
        query = query.where(Flag.resolved_at.is_null())
    rows = list(query.order_by(Flag.created_at.desc(), Flag.id.desc()).limit(200))
    return render_template("flags.html", flags=rows, subjects=flagwords.subjects(rows), form=ResolveForm(),
                           show_all=bool(request.args.get("all")))


@web.post("/flags/<int:flag_id>/resolve")
@require_role("supervisor")
def resolve(flag_id: int):
    """Close a flag with a note (supervisor)."""
    form = ResolveForm()
    if not form.validate_on_submit():
        flash("Say what was done before closing the flag.", "error")
        return redirect(url_for("web.flags"))
    try:
        resolve_flag(flag_id, by=g.user.username, resolution=form.resolution.data)
    except ShopfloorError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Flag {flag_id} closed.", "ok")
    return redirect(url_for("web.flags"))
