"""The start page: what needs a supervisor's eye now."""
from __future__ import annotations

from datetime import timedelta

from flask import g, render_template

from central.models import Flag, Station, utcnow
from central.web.blueprint import web

ONLINE_WINDOW = timedelta(minutes=5)


@web.get("/")
def home():
    """Open flags and the stations with when each was last heard from."""
    open_flags = Flag.select().where(Flag.resolved_at.is_null())
    stations = Station.select().where(Station.active == True).order_by(Station.code)  # noqa: E712
    now = utcnow()
    return render_template("home.html", user=g.user, open_count=open_flags.count(),
                           flags=list(open_flags.order_by(Flag.created_at.desc()).limit(20)),
                           stations=[(s, s.last_seen_at is not None and now - s.last_seen_at < ONLINE_WINDOW)
                                     for s in stations])
