"""SSCC pallet labels from the web admin: for one batch, or for each batch line of a dispatch."""
from __future__ import annotations

from flask import Response, current_app, g, render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from central import sscc
from central.auth import require_role
from central.catalog import get_batch
from central.db import database
from central.errors import ShopfloorError
from central.web.blueprint import web

FORMATS = {"pdf": ("application/pdf", "inline"), "zpl": ("application/vnd.zebra-zpl", "attachment")}


class PalletForm(FlaskForm):
    """What the label of one pallet says beyond what the batch already knows."""

    count = StringField("Trade items on the pallet", validators=[
        DataRequired(), Regexp(r"^[0-9]{1,8}$", message="a whole number, 1 to 8 digits")])
    ship_to = StringField("Shipped to (optional)", validators=[Optional(), Length(max=35)])
    reference = StringField("Dispatch reference (optional)", validators=[Optional(), Length(max=30)])
    dispatch = HiddenField()
    fmt = RadioField("Format", choices=[("pdf", "PDF to print from the browser"), ("zpl", "ZPL for a Zebra printer")],
                     default="pdf")


@web.get("/batches/<code>/sscc-label")
def sscc_label_form(code):
    """The form for a pallet label of one batch; ``?dispatch=REF&count=N`` fill it for a dispatch line."""
    batch = get_batch(code)
    dispatch = request.args.get("dispatch", "")[:128]
    form = PalletForm(formdata=None, data={"count": request.args.get("count") or sscc.on_hand_count(batch),
                                           "dispatch": dispatch, "reference": dispatch[:30]})
    return render_template("sscc_label.html", batch=batch, form=form)


@web.post("/batches/<code>/sscc-label")
@require_role("supervisor", "planner")
def sscc_label_print(code):
    """Hand out an SSCC and return the pallet label; nothing is handed out if the label cannot be made."""
    batch = get_batch(code)
    form = PalletForm()
    if not form.validate_on_submit():
        return render_template("sscc_label.html", batch=batch, form=form), 400
    settings = current_app.config["SHOPFLOOR"]
    try:
        with database.atomic():  # a label that cannot be made gives its SSCC back
            number = sscc.mint(settings, by=g.user.username, batch=batch.code, dispatch=form.dispatch.data or None)
            fields = sscc.label_fields(batch.code, sscc=number, ship_from=settings["site.name"],
                                       count=form.count.data, ship_to=form.ship_to.data or "",
                                       reference=form.reference.data or form.dispatch.data or "")
            data = sscc.render(fields, form.fmt.data)
    except ShopfloorError as exc:
        return render_template("sscc_label.html", batch=batch, form=form, problem=str(exc)), exc.status
    mimetype, disposition = FORMATS[form.fmt.data]
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'{disposition}; filename="sscc-{number}.{form.fmt.data}"'})


@web.get("/dispatches/<path:reference>/sscc-labels")
def sscc_dispatch(reference):
    """A dispatch's batch lines, each with a link to its pallet label."""
    lines = sscc.dispatch_lines(reference)
    return render_template("sscc_dispatch.html", reference=reference,
                           rows=[(line, _count(line)) for line in lines])


def _count(line: dict) -> str:
    qty = line["qty"]
    counted = line["unit"].strip().lower() in sscc.COUNTED_UNITS and qty == qty.to_integral_value()
    return str(int(qty)) if counted and qty > 0 else ""


