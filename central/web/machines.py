"""Pages for machines, skills, and the skills (with minimum levels) machines and work centres require."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from central import operators as ops
from central import requirements as reqs
from central.auth import require_role
from central.errors import ShopfloorError
from central.models import WorkCentre
from central.web.blueprint import web
from central.web.people import show_error

WRITERS = ("supervisor",)
BLANK_ROWS = 2  # empty requirement rows offered below the existing ones (no scripts needed to add one)


class RequirementForm(Form):
    """One required skill and its minimum level; a row with no skill is ignored.

    A plain ``wtforms.Form``: the enclosing FlaskForm carries the single CSRF token.
    """

    skill = SelectField("Skill", choices=[])
    min_level = IntegerField("Minimum level", default=1, validators=[Optional(), NumberRange(1, ops.MAX_LEVEL)])


class RequirementsForm(FlaskForm):
    """The skills a place requires."""

    skills = FieldList(FormField(RequirementForm))


class MachineForm(RequirementsForm):
    """A machine: code (fixed once created), name, work centre, active, and what it requires."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])
    work_centre = SelectField("Work centre", choices=[])
    active = BooleanField("Active", default=True)


class SkillForm(FlaskForm):
    """A skill operators can be certified for."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])


def _requirement_rows(form: RequirementsForm, current: list[reqs.Requirement]) -> None:
    """Fill the requirement rows: the current ones on a first view, then blank rows; set the skill choices."""
    if not form.is_submitted():
        for req in current:
            form.skills.append_entry({"skill": req.skill, "min_level": req.min_level})
    for _ in range(BLANK_ROWS if not form.is_submitted() else 0):
        form.skills.append_entry({"skill": "", "min_level": 1})
    choices = [("", "—")] + [(s.code, f"{s.code} {s.name}".strip()) for s in ops.list_skills()]
    for entry in form.skills:
        entry.form.skill.choices = choices


def _wanted(form: RequirementsForm) -> tuple[list[dict], list[int]]:
    """The filled-in rows as the domain wants them, and each one's row number on the form (from 1)."""
    wanted, rows = [], []
    for i, entry in enumerate(form.skills, start=1):
        if entry.form.skill.data:
            wanted.append({"skill": entry.form.skill.data, "min_level": entry.form.min_level.data or 1})
            rows.append(i)
    return wanted, rows


def _show_error(form: RequirementsForm, exc: ShopfloorError, rows: list[int]) -> None:
    """Put a requirement error on the form row it is about; others next to their field."""
    match = re.fullmatch(r"skills\[(\d+)\]\.(\w+)", exc.field or "")
    if match and int(match.group(1)) < len(rows):
        entry = form.skills[rows[int(match.group(1))] - 1].form
        target = entry[match.group(2)] if match.group(2) in entry._fields else entry.skill
        target.errors = list(target.errors) + [exc.message]
    else:
        show_error(form, exc)


def _work_centre_choices() -> list[tuple[str, str]]:
    return [("", "none")] + [(c.code, f"{c.code} {c.name}".strip())
                             for c in WorkCentre.select().order_by(WorkCentre.code)]


@web.get("/machines")
def machines():
    """Machines and work centres with the skills each requires."""
    machine_rows = reqs.list_machines()
    by_machine: dict[str, list[reqs.Requirement]] = {}
    for req in reqs.machine_requirements([m.code for m in machine_rows]):
        by_machine.setdefault(req.source.split(":", 1)[1], []).append(req)
    centres = [(c, reqs.work_centre_requirements(c.id)) for c in WorkCentre.select().order_by(WorkCentre.code)]
    return render_template("machines_list.html", machines=[(m, by_machine.get(m.code, [])) for m in machine_rows],
                           centres=centres)


@web.route("/machines/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def machine_new():
    """Add a machine with the skills it requires."""
    form = MachineForm()
    form.work_centre.choices = _work_centre_choices()
    _requirement_rows(form, [])
    if form.validate_on_submit():
        wanted, rows = _wanted(form)
        try:
            reqs.create_machine(form.code.data, form.name.data, form.work_centre.data or None, form.active.data, wanted)
        except ShopfloorError as exc:
            _show_error(form, exc, rows)
        else:
            flash(f"Machine {form.code.data} added.", "ok")
            return redirect(url_for("web.machines"))
    return render_template("machines_form.html", form=form, title="New machine")


@web.route("/machines/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def machine_edit(code):
    """Change a machine's name, work centre, active flag or required skills."""
    machine = reqs.get_machine(code)
    # data=, not obj=: WTForms prefers obj's attributes over keywords, and machine.work_centre is a row.
    form = MachineForm(data={"code": machine.code, "name": machine.name, "active": machine.active,
                             "work_centre": machine.work_centre.code if machine.work_centre_id else ""})
    form.code.render_kw = {"readonly": True}
    form.work_centre.choices = _work_centre_choices()
    _requirement_rows(form, reqs.machine_requirements([machine.code]))
    if form.validate_on_submit():
        wanted, rows = _wanted(form)
        try:
            reqs.update_machine(code, {"name": form.name.data, "work_centre": form.work_centre.data or None,
                                       "active": form.active.data, "skills": wanted})
        except ShopfloorError as exc:
            _show_error(form, exc, rows)
        else:
            flash(f"Machine {code} saved.", "ok")
            return redirect(url_for("web.machines"))
    return render_template("machines_form.html", form=form, title=f"Machine {code}")


@web.route("/work-centres/<code>/skills", methods=["GET", "POST"])
@require_role(*WRITERS)
def work_centre_skills(code):
    """Set the skills everyone working at a work centre must hold."""
    centre = reqs.get_work_centre(code)
    form = RequirementsForm()
    _requirement_rows(form, reqs.work_centre_requirements(centre.id))
    if form.validate_on_submit():
        wanted, rows = _wanted(form)
        try:
            reqs.set_work_centre_skills(code, wanted)
        except ShopfloorError as exc:
            _show_error(form, exc, rows)
        else:
            flash(f"Skills required at work centre {code} saved.", "ok")
            return redirect(url_for("web.machines"))
    return render_template("machines_form.html", form=form, title=f"Skills required at work centre {code}")


@web.get("/skills")
def skills():
    """The skill catalogue; a supervisor adds skills here."""
    return render_template("machines_skills.html", form=SkillForm(), skills=ops.list_skills())


@web.post("/skills")
@require_role(*WRITERS)
def skill_new():
    """Add a skill to the catalogue."""
    form = SkillForm()
    if form.validate_on_submit():
        try:
            ops.create_skill(form.code.data, form.name.data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Skill {form.code.data} added.", "ok")
            return redirect(url_for("web.skills"))
    return render_template("machines_skills.html", form=form, skills=ops.list_skills())
