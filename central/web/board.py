"""The live board (/board, its wall-screen mode and its event stream) and a work order's timeline."""
from __future__ import annotations

from flask import Response, current_app, render_template, request

from central.board import (MIN_MINUTES, MIN_REPORTS, RISK_MINUTES, RISK_NAMES, RISK_SHARE, STATE_NAMES, STATES,
                           board_filter, read_board, shown)
from central.timeline import read_timeline
from central.web.blueprint import web
from central.web.boardrows import Rows
from central.web.livefeed import feed_for, fingerprints, stream, version_of

WALL_CYCLE_SECONDS = 15  # a wall screen shows each work centre this long


def _zone():
    return current_app.extensions["shopfloor.zone"]


def _page(template: str, **extra):
    board = read_board(_zone())
    flt = board_filter(request.args)
    html = Rows(request.script_root, _zone()).board(board, shown(board, flt))
    return render_template(template, board=board, flt=flt, html=html, any_rows=bool(html["wo"]),
                           version=version_of(fingerprints(board)), states=STATES, state_names=STATE_NAMES,
                           risk_names=RISK_NAMES, now=board.at, min_reports=MIN_REPORTS, min_minutes=MIN_MINUTES,
                           risk_share=int(RISK_SHARE * 100), risk_minutes=RISK_MINUTES, **extra)


@web.get("/board")
def board():
    """Every work order in flight, the machines and the stations; kept up to date by the stream."""
    if request.args.get("wall") in ("1", "on", "true", "yes"):
        return board_wall()
    return _page("board.html")


@web.get("/board/wall")
def board_wall():
    """The board for a wall screen: large type, no navigation, one work centre after another."""
    cycle = request.args.get("cycle", type=int) or WALL_CYCLE_SECONDS
    return _page("board_wall.html", cycle=min(max(cycle, 3), 600))


@web.get("/board/stream")
def board_stream():
    """Server-Sent Events: the board's changes as they are committed (see central/web/livefeed.py)."""
    since = request.headers.get("Last-Event-ID") or request.args.get("since") or None
    feed = feed_for(current_app._get_current_object(), request.script_root)
    viewer = feed.subscribe(since)
    response = Response(stream(feed, viewer), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@web.get("/work-orders/<number>/timeline")
def work_order_timeline(number):
    """A work order's stages against their standard time, its pauses, downtime and outputs, as an SVG."""
    return render_template("timeline.html", tl=read_timeline(number, _zone()))
