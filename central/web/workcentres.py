"""Pages for work centres: list, record (machines, stations, rates, required skills), create and edit."""
from __future__ import annotations

import peewee as pw
from flask import render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from central import workcentres
from central.auth import require_role
from central.models import Machine, Recipe, RecipeStage, Station, WorkCentre
from central.requirements import work_centre_requirements
from central.web.blueprint import web
from central.web.catalog import can_write, record_form
from central.web.paging import keyset

WRITERS = ("supervisor", "planner")


class WorkCentreForm(FlaskForm):
    """A work centre: code (fixed once created), name, labour and overhead rates per minute."""

    code = StringField("Code", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[Length(max=128)])
    labour_rate = StringField("Labour rate per minute (empty: none)", validators=[Length(max=24)])
    overhead_rate = StringField("Overhead rate per minute (empty: none)", validators=[Length(max=24)])


def _rates(form: WorkCentreForm) -> dict:
    return {"labour_rate": (form.labour_rate.data or "").strip() or None,
            "overhead_rate": (form.overhead_rate.data or "").strip() or None}


def _plain(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


@web.get("/work-centres")
def work_centres():
    """Work centres by code, with their rates; text filter; keyset pages."""
    q = request.args.get("q", "").strip()
    page = keyset(workcentres.list_work_centres(q or None), [WorkCentre.code, WorkCentre.id])
    ids = [c.id for c in page.rows]
    machines: dict[int, int] = {}
    stations: dict[int, int] = {}
    if ids:
        for centre, n in (Machine.select(Machine.work_centre, pw.fn.COUNT(Machine.id)).where(Machine.work_centre.in_(ids))
                          .group_by(Machine.work_centre).tuples()):
            machines[centre] = n
        for centre, n in (Station.select(Station.work_centre, pw.fn.COUNT(Station.id)).where(Station.work_centre.in_(ids))
                          .group_by(Station.work_centre).tuples()):
            stations[centre] = n
    return render_template("workcentres/list.html", page=page, q=q, machines=machines, stations=stations,
                           can_write=can_write())


@web.get("/work-centres/<code>")
def work_centre_detail(code):
    """A work centre: rates, required skills, machines, stations and the recipes routed through it."""
    centre = workcentres.get_work_centre(code)
    machines = list(Machine.select().where(Machine.work_centre == centre.id).order_by(Machine.code))
    stations = list(Station.select().where(Station.work_centre == centre.id).order_by(Station.code))
    recipes = list(Recipe.select(Recipe.code, Recipe.name).join(RecipeStage).where(RecipeStage.work_centre == centre.id)
                   .distinct().order_by(Recipe.code).limit(50))
    return render_template("workcentres/detail.html", centre=centre, machines=machines, stations=stations,
                           recipes=recipes, skills=work_centre_requirements(centre.id), can_write=can_write())


@web.route("/work-centres/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def work_centre_new():
    """Add a work centre."""
    form = WorkCentreForm()
    return record_form(form, lambda: workcentres.create_work_centre({"code": form.code.data.strip(),
                                                                     "name": form.name.data or "", **_rates(form)}).code,
                       noun="Work centre", verb="added", detail="web.work_centre_detail", title="New work centre",
                       back=url_for("web.work_centres"))


@web.route("/work-centres/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def work_centre_edit(code):
    """Change a work centre's name or rates."""
    centre = workcentres.get_work_centre(code)
    form = WorkCentreForm(data={"code": centre.code, "name": centre.name, "labour_rate": _plain(centre.labour_rate),
                                "overhead_rate": _plain(centre.overhead_rate)})
    form.code.render_kw = {"readonly": True}

    def save():
        workcentres.update_work_centre(code, {"name": form.name.data or "", **_rates(form)})
        return code

    return record_form(form, save, noun="Work centre", verb="saved", detail="web.work_centre_detail",
                       title=f"Work centre {code}", back=url_for("web.work_centre_detail", code=code))
