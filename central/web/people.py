"""Pages for operators, certifications (with the expiring list), CSV imports and stage assignments."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from central import certification as certs
from central import operators as ops
from central.assignment import Assigner, assign_operator, list_assignments
from central.auth import require_role
from central.errors import ShopfloorError
from central.models import WorkOrderStage
from central.production import get_work_order
from central.people_import import import_certifications, import_operators
from central.web.blueprint import web

WRITERS = ("supervisor",)


class OperatorForm(FlaskForm):
    """An operator: badge (fixed once created), name, active."""

    badge = StringField("Badge", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])
    active = BooleanField("Active", default=True)


class CertificationForm(FlaskForm):
    """A certification of an operator for a skill."""

    badge = StringField("Operator badge", validators=[DataRequired(), Length(max=64)])
    skill = StringField("Skill code", validators=[DataRequired(), Length(max=64)])
    # InputRequired, not DataRequired: a 0 must get the range message, not "required".
    level = IntegerField("Level", default=1, validators=[InputRequired(), NumberRange(1, ops.MAX_LEVEL)])
    issued = DateField("Issued", validators=[DataRequired()])
    expires = DateField("Expires (last valid day)", validators=[Optional()])
    issued_by = StringField("Issued by", validators=[Length(max=128)])


class ImportForm(FlaskForm):
    """A CSV file and what to do with bad rows."""

    file = FileField("CSV file", validators=[FileRequired()])
    mode = RadioField("Bad rows", default="valid", choices=[
        ("valid", "Import the valid rows and list the bad ones"), ("all", "All or nothing: import only if every row is valid")])


class AssignForm(FlaskForm):
    """Put an operator on a stage; an override reason is needed when they are not certified."""

    stage = IntegerField("Stage", validators=[DataRequired()])
    operator = StringField("Operator badge", validators=[DataRequired(), Length(max=64)])
    override_reason = TextAreaField("Override reason (supervisor, only if not certified)", validators=[Length(max=1000)])


def show_error(form: FlaskForm, exc: ShopfloorError) -> None:
    """Put a domain error next to the field it names, or at the top of the page."""
    name = (exc.field or "").split(".")[0].split("[")[0]
    if name in form._fields:
        form[name].errors = list(form[name].errors) + [exc.message]
    else:
        flash(str(exc), "error")


@web.get("/operators")
def operators():
    """Operators, searchable by badge or name."""
    search = request.args.get("q", "").strip()
    return render_template("people_operators.html", operators=ops.list_operators(search=search), search=search)


@web.route("/operators/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def operator_new():
    """Register an operator."""
    form = OperatorForm()
    if form.validate_on_submit():
        try:
            ops.create_operator(form.badge.data, form.name.data, form.active.data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Operator {form.badge.data} added.", "ok")
            return redirect(url_for("web.operators"))
    return render_template("people_form.html", form=form, title="New operator")


@web.route("/operators/<badge>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def operator_edit(badge):
    """Change an operator's name or active flag."""
    operator = ops.get_operator(badge)
    form = OperatorForm(obj=operator)
    form.badge.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            ops.update_operator(badge, {"name": form.name.data, "active": form.active.data})
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Operator {badge} saved.", "ok")
            return redirect(url_for("web.operators"))
    return render_template("people_form.html", form=form, title=f"Operator {badge}",
                           certifications=certs.list_certifications(badge=badge))


def _import_page(kind: str, importer, columns: str):
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        try:
            result = importer(form.file.data.read(), form.mode.data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            if result.errors and result.mode == "all":
                bad = len(result.errors)
                flash(f"Nothing imported: {bad} bad row{'s' if bad != 1 else ''}.", "error")
            else:
                flash(f"Imported {result.imported} {kind}.", "ok")
    return render_template("people_import.html", form=form, kind=kind, columns=columns, result=result)


@web.route("/operators/import", methods=["GET", "POST"])
@require_role(*WRITERS)
def operators_import():
    """Import operators from CSV."""
    return _import_page("operators", import_operators, "badge,name,active")


@web.get("/certifications")
def certifications():
    """Certifications, optionally of one operator or one skill."""
    badge, skill = request.args.get("badge") or None, request.args.get("skill") or None
    return render_template("people_certifications.html", certifications=certs.list_certifications(badge=badge, skill=skill),
                           badge=badge or "", skill=skill or "", title="Certifications")


@web.get("/certifications/expiring")
def certifications_expiring():
    """Certifications of active operators expiring in the next 30 days."""
    return render_template("people_certifications.html", certifications=certs.expiring_certifications(),
                           title=f"Expiring in the next {certs.EXPIRING_DAYS} days", expiring=True)


@web.route("/certifications/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def certification_new():
    """Certify an operator for a skill."""
    form = CertificationForm(badge=request.args.get("badge"))
    if form.validate_on_submit():
        try:
            certs.issue_certification(form.badge.data, form.skill.data, level=form.level.data, issued=form.issued.data,
                                      expires=form.expires.data, issued_by=form.issued_by.data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"{form.badge.data} certified for {form.skill.data}.", "ok")
            return redirect(url_for("web.certifications", badge=form.badge.data))
    return render_template("people_form.html", form=form, title="New certification")


@web.route("/certifications/<int:cert_id>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def certification_edit(cert_id):
    """Change level, dates or issuer (set the expiry to end it early)."""
    cert = certs.get_certification(cert_id)
    # data=, not obj=: WTForms prefers obj's attributes over keywords, and cert.skill is the Skill row.
    form = CertificationForm(data={"badge": cert.operator.badge, "skill": cert.skill.code, "level": cert.level,
                                   "issued": cert.issued, "expires": cert.expires, "issued_by": cert.issued_by})
    form.badge.render_kw = form.skill.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            certs.update_certification(cert_id, {"level": form.level.data, "issued": form.issued.data,
                                                 "expires": form.expires.data, "issued_by": form.issued_by.data})
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash("Certification saved.", "ok")
            return redirect(url_for("web.certifications", badge=cert.operator.badge))
    return render_template("people_form.html", form=form, title=f"Certification of {cert.operator.badge} for {cert.skill.code}")


@web.route("/certifications/import", methods=["GET", "POST"])
@require_role(*WRITERS)
def certifications_import():
    """Import certifications from CSV."""
    return _import_page("certifications", import_certifications, "badge,skill,level,issued,expires,issued_by")


@web.route("/work-orders/<number>/assignments", methods=["GET", "POST"])
def assignments(number):
    """Who is on which stage of a work order, with overrides and their reasons; assign someone."""
    form = AssignForm()
    if form.validate_on_submit():
        if g.user.role not in ("admin", "supervisor", "planner"):
            flash("Needs role supervisor or planner.", "error")
        else:
            try:
                assign_operator(number, form.stage.data, form.operator.data, Assigner(g.user.username, g.user.role),
                                override_reason=form.override_reason.data)
            except ShopfloorError as exc:
                show_error(form, exc)
            else:
                flash(f"{form.operator.data} assigned to stage {form.stage.data}.", "ok")
                return redirect(url_for("web.assignments", number=number))
    wo = get_work_order(number)
    stages = list(WorkOrderStage.select().where(WorkOrderStage.work_order == wo.id).order_by(WorkOrderStage.seq))
    return render_template("people_assignments.html", number=number, form=form, stages=stages,
                           assignments=list_assignments(number))
