"""The start page: what needs a supervisor's eye now."""
from __future__ import annotations

from flask import g, render_template

from central.models import Flag, Station
from central.web.blueprint import web
from central.web.flagwords import subjects


@web.get("/")
def home():
    """Open flags and the stations: online or offline as each one's retained status and last will say."""
    open_flags = Flag.select().where(Flag.resolved_at.is_null())
    stations = Station.select().where(Station.active == True).order_by(Station.code)  # noqa: E712
    latest = list(open_flags.order_by(Flag.created_at.desc()).limit(20))
    return render_template("home.html", user=g.user, open_count=open_flags.count(), flags=latest,
                           subjects=subjects(latest),
                           stations=[(s, s.status == "online") for s in stations])
