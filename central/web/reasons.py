"""Pages for the reason-code catalogue and the reason Pareto (inline SVG chart, CSV download)."""
from __future__ import annotations

from decimal import Decimal

from flask import Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from central import reasons
from central import analysis
from central.analysis import MEASURES, pareto_csv, pareto_filter, pareto_json
from central.auth import require_role
from central.errors import ShopfloorError
from central.models.reference import REASON_CATEGORIES
from central.web.blueprint import web
from central.web.people import show_error

WRITERS = ("supervisor", "planner")
CHART_W, CHART_H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 300, 48, 40, 12, 70


class ReasonCodeForm(FlaskForm):
    """A reason code: code (fixed once created), category, description, active."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    category = SelectField("Category", choices=[(c, c) for c in REASON_CATEGORIES])
    description = StringField("Description", validators=[Length(max=256)])
    active = BooleanField("Active", default=True)


@web.get("/reason-codes")
def reason_codes():
    """The catalogue by category."""
    return render_template("reasons_codes.html", codes=reasons.list_reason_codes())


@web.route("/reason-codes/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def reason_code_new():
    """Add a reason code."""
    form = ReasonCodeForm()
    if form.validate_on_submit():
        try:
            reasons.create_reason_code(form.code.data, form.category.data, form.description.data, form.active.data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Reason code {form.code.data} added.", "ok")
            return redirect(url_for("web.reason_codes"))
    return render_template("people_form.html", form=form, title="New reason code")


@web.route("/reason-codes/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def reason_code_edit(code):
    """Change a code's category, description or active flag (deactivate instead of deleting)."""
    form = ReasonCodeForm(obj=reasons.get_reason_code(code))
    form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            reasons.update_reason_code(code, {"category": form.category.data, "description": form.description.data,
                                              "active": form.active.data})
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Reason code {code} saved.", "ok")
            return redirect(url_for("web.reason_codes"))
    return render_template("people_form.html", form=form, title=f"Reason code {code}")


def chart(result: dict) -> dict:
    """Geometry of the Pareto chart: one bar per code (left axis) and the running share line (right axis, %)."""
    rows, measure = result["rows"], result["measure"]
    shown = pareto_json(result)["rows"]
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    top = max((Decimal(r[measure]) for r in rows), default=Decimal(1)) or Decimal(1)
    step = plot_w / max(len(rows), 1)
    bars, points = [], []
    for i, r in enumerate(rows):
        h = float(Decimal(r[measure]) / top) * plot_h
        x = PAD_L + i * step
        bars.append({"x": round(x + step * 0.1, 1), "y": round(PAD_T + plot_h - h, 1), "w": round(step * 0.8, 1),
                     "h": round(h, 1), "code": r["code"], "value": shown[i][measure], "cx": round(x + step / 2, 1)})
        points.append(f"{x + step / 2:.1f},{PAD_T + plot_h * (1 - float(r['cumulative']) / 100):.1f}")
    return {"w": CHART_W, "h": CHART_H, "left": PAD_L, "right": CHART_W - PAD_R, "top": PAD_T,
            "bottom": PAD_T + plot_h, "max": format(top.normalize(), "f"), "bars": bars, "line": " ".join(points),
            "y80": round(PAD_T + plot_h * 0.2, 1)}


@web.get("/analysis/reasons")
def reason_pareto():
    """Pareto of reason codes with filters; the same filters give the CSV."""
    try:
        flt = pareto_filter(request.args)
    except ShopfloorError as exc:
        flash(str(exc), "error")
        flt = pareto_filter({})
    result = analysis.reason_pareto(flt)
    return render_template("pareto.html", result=result, rows=pareto_json(result)["rows"], chart=chart(result), flt=flt, measures=MEASURES,
                           categories=REASON_CATEGORIES)


@web.get("/analysis/reasons.csv")
def reason_pareto_csv():
    """The Pareto as a CSV download."""
    return Response(pareto_csv(analysis.reason_pareto(pareto_filter(request.args))), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=reason-pareto.csv"})
