"""The event log: every event stations sent, filtered; one event with what it booked and what it raised."""
from __future__ import annotations

import json

from flask import render_template

from central.errors import ShopfloorError
from central.eventview import data_of, event_types, event_view, events
from central.models import EventRecord
from central.web.blueprint import web
from central.web.flagwords import subjects
from central.web.paging import keyset
from central.web.stock import day_bounds, filter_args

EVENT_FILTERS = ("type", "station", "operator", "work_order", "batch", "since", "until", "flagged")


@web.get("/events")
def events_page():
    """Events newest first (station clock), by type, station, operator, work order, batch, days, flagged."""
    filters = filter_args(EVENT_FILTERS)
    errors: dict[str, str] = {}
    page = None
    try:
        since, until = day_bounds(filters["since"], filters["until"])
        query = events(type=filters["type"] or None, station=filters["station"] or None,
                       operator=filters["operator"] or None, work_order=filters["work_order"] or None,
                       batch=filters["batch"] or None, since=since, until=until, flagged=bool(filters["flagged"]))
    except ShopfloorError as exc:
        errors[(exc.field or "").split(".")[0]] = exc.message
    else:
        page = keyset(query, [EventRecord.at, EventRecord.id], descending=True)
    return render_template("events_list.html", page=page, filters=filters, errors=errors, types=event_types(),
                           data_of=data_of)


@web.get("/events/<event_id>")
def event_page(event_id):
    """One event: its envelope, its data, the ledger rows it booked and the flags it raised."""
    view = event_view(event_id)
    return render_template("event_detail.html", v=view, e=view.row,
                           pretty=json.dumps(json.loads(view.row.payload), indent=2, ensure_ascii=False),
                           flag_subjects=subjects(view.flags))
