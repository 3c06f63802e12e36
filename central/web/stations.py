"""Pages for stations: online or offline by their retained status and last will, outbox figures, config version."""
from __future__ import annotations

import peewee as pw
from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from central.auth import require_role
from central.errors import NotFound, ShopfloorError
from central.models import EventRecord, Station, WorkCentre
from central.models.stations import STATION_KINDS
from central.stationconfig import head_version
from central.stations import update_station
from central.web.blueprint import web
from central.web.paging import keyset
from central.web.people import show_error

WRITERS = ("admin",)  # as the API: a station's identity and place are an administrator's


class StationForm(FlaskForm):
    """What may change of a station: name, kind, work centre, active."""

    name = StringField("Name", validators=[Length(max=128)])
    kind = SelectField("Kind", choices=[(k, k.replace("_", " ")) for k in STATION_KINDS])
    work_centre = SelectField("Work centre", choices=[])
    active = BooleanField("Active (central publishes its config)")


def get_station(code: str) -> Station:
    """The station with this code; NotFound otherwise."""
    station = Station.get_or_none(Station.code == code)
    if station is None:
        raise NotFound("code", f"no station {code!r}")
    return station


@web.get("/stations")
def stations():
    """Stations by code with their status and outbox figures; filters: text, status, work centre."""
    args = request.args
    rows = Station.select(Station, WorkCentre).join(WorkCentre, join_type=pw.JOIN.LEFT_OUTER,
                                                    on=(Station.work_centre == WorkCentre.id))
    q = args.get("q", "").strip()
    if q:
        rows = rows.where(Station.code.contains(q) | Station.name.contains(q))
    status = args.get("status")
    if status in ("online", "offline"):
        rows = rows.where(Station.status == status)
    elif status == "never":
        rows = rows.where(Station.status.is_null())
    if args.get("work_centre"):
        rows = rows.where(WorkCentre.code == args["work_centre"])
    page = keyset(rows, [Station.code, Station.id])
    return render_template("stations/list.html", page=page, q=q, args=args)


@web.get("/stations/<code>")
def station_detail(code):
    """A station: status by its retained message, outbox figures, config version against central's, latest events."""
    station = get_station(code)
    current = head_version(station)
    events = list(EventRecord.select().where(EventRecord.station == station.code)
                  .order_by(EventRecord.seq.desc()).limit(10))
    return render_template("stations/detail.html", station=station, current=current, events=events,
                           can_write=_can_write())


def _can_write() -> bool:
    return g.user is not None and g.user.role in WRITERS


@web.route("/stations/<code>/edit", methods=["GET", "POST"])
@require_role(*WRITERS)
def station_edit(code):
    """Change a station's name, kind, work centre or active flag (administrators)."""
    station = get_station(code)
    form = StationForm(data={"name": station.name, "kind": station.kind, "active": station.active,
                             "work_centre": station.work_centre.code if station.work_centre_id else ""})
    form.work_centre.choices = [("", "none")] + [(c, f"{c} {n}".strip()) for c, n in WorkCentre.select(
        WorkCentre.code, WorkCentre.name).order_by(WorkCentre.code).tuples()]
    if form.validate_on_submit():
        try:
            update_station(code, name=form.name.data or "", kind=form.kind.data,
                           work_centre=form.work_centre.data or None, active=form.active.data)
        except ShopfloorError as exc:
            show_error(form, exc)
        else:
            flash(f"Station {code} saved.", "ok")
            return redirect(url_for("web.station_detail", code=code))
    return render_template("catalog/form.html", form=form, title=f"Station {code}",
                           back=url_for("web.station_detail", code=code))
