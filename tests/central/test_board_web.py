"""The board's pages and its stream through the Flask test client (the browser tests drive Chromium)."""
import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from central.db import database
from central.web.livefeed import BoardFeed
from tests.central.boardplant import Floor, build_plant
from tests.central.websupport import sign_in


@pytest.fixture
def plant(app, admin_user):
    with database.connection_context():
        build_plant()
    return Floor()


@pytest.fixture
def browser_client(app, admin_user):
    client = app.test_client()
    assert sign_in(client, *admin_user).status_code == 302
    return client


def events(response):
    """The named events of a stream as they come: (name, data)."""
    buffer = b""
    for chunk in response.response:
        buffer += chunk
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.decode().splitlines() if ": " in line)
            if "event" in fields:
                yield fields["event"], json.loads(fields["data"])


def test_without_a_login_there_is_no_stream(app, client, plant):
    for path in ("/board", "/board/wall", "/board/stream", "/work-orders/WO-1/timeline"):
        response = client.get(path, headers={"Accept": "text/event-stream"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
        assert response.mimetype != "text/event-stream"


def test_the_board_page_and_wall_and_filters(browser_client, plant):
    page = browser_client.get("/board").get_data(as_text=True)
    assert 'id="wo-WO-1"' in page and 'id="wo-WO-2"' in page and "WO-3" not in page
    assert 'href="/work-orders/WO-1"' in page and 'href="/machines/MX-1"' in page and 'href="/stations/S01"' in page
    assert "/static/board.js" in page and "How expected completion" in page
    assert 'id="wo-WO-1"' not in browser_client.get("/board?state=paused").get_data(as_text=True)
    wall = browser_client.get("/board?wall=1").get_data(as_text=True)
    assert 'class="wall"' in wall and "<nav" not in wall and 'data-cycle="15"' in wall
    assert browser_client.get("/board/wall").status_code == 200
    script = browser_client.get("/static/board.js")
    assert script.status_code == 200 and "EventSource" in script.get_data(as_text=True)


def test_the_timeline_page(browser_client, plant):
    now = datetime.now(timezone.utc)
    plant.send("S01", "operator.signed_in", now - timedelta(minutes=90))
    plant.send("S01", "stage.started", now - timedelta(minutes=90), work_order="WO-1", stage=10)
    plant.send("S01", "work_order.paused", now - timedelta(minutes=80), work_order="WO-1", reason="DLY-MAT")
    plant.send("S01", "work_order.resumed", now - timedelta(minutes=70), work_order="WO-1")
    plant.send("S01", "machine.down", now - timedelta(minutes=65), reason="DT-JAM")
    plant.send("S01", "machine.up", now - timedelta(minutes=60))
    plant.send("S01", "output.reported", now - timedelta(minutes=10), work_order="WO-1", kind="main", item="FG-1",
               batch="S01-A", qty="40")
    page = browser_client.get("/work-orders/WO-1/timeline").get_data(as_text=True)
    assert '<svg' in page and 'aria-labelledby="tl-title tl-desc"' in page and "<desc" in page
    assert "DLY-MAT" in page and "DT-JAM" in page and 'href="/batches/S01-A"' in page
    assert "ran over its standard time" in page  # 90 minutes on a 60-minute stage
    assert browser_client.get("/work-orders/WO-404/timeline").status_code == 404


def test_the_stream_sends_the_board_then_each_change(app, browser_client, plant):
    response = browser_client.get("/board/stream?since=nothing", buffered=False)
    assert response.mimetype == "text/event-stream" and response.headers["X-Accel-Buffering"] == "no"
    stream = events(response)
    name, first = next(stream)
    assert name == "reset" and {r["id"] for r in first["rows"]} >= {"wo-WO-1", "wo-WO-2", "machine-MX-1", "station-S01"}

    def later():
        time.sleep(0.5)
        with database.connection_context():
            plant.send("S01", "operator.signed_in", datetime.now(timezone.utc))
            plant.send("S01", "stage.started", datetime.now(timezone.utc), work_order="WO-2", stage=10)
    threading.Thread(target=later).start()
    deadline = time.monotonic() + 20
    for name, data in stream:
        assert time.monotonic() < deadline, "no patch moved WO-2 to running"
        if name == "patch" and any(r["id"] == "wo-WO-2" and "running" in r["html"] for r in data["rows"]):
            break
    else:
        pytest.fail("no patch moved WO-2 to running")
    response.close()
    app.extensions["shopfloor.board_feed"].stop()


def test_a_viewer_with_the_current_version_gets_no_reset(app, plant):
    from central.board import read_board
    feed = BoardFeed(app, autostart=False)
    with app.test_request_context("/board"), database.connection_context():
        board = read_board(app.extensions["shopfloor.zone"])
        feed.apply(board)
        current = feed.subscribe(feed.version)
        stale = feed.subscribe("older")
        assert current.messages.empty() and stale.messages.get_nowait().startswith(b"id: ")
        from central.production import set_status
        from central.inventory import Actor
        set_status("WO-1", "cancelled", Actor(user="t"))
        message = feed.apply(read_board(app.extensions["shopfloor.zone"]))
    assert b'"gone":["wo-WO-1"]' in message
    assert current.messages.get_nowait() == message
    feed.stop()


def test_user_text_on_the_board_is_escaped_once(browser_client, plant):
    from central.models import ReasonCode
    with database.connection_context():
        ReasonCode.update(description='Jam & <b>"stuck"</b>').where(ReasonCode.code == "DT-JAM").execute()
        now = datetime.now(timezone.utc)
        plant.send("S01", "operator.signed_in", now - timedelta(minutes=3))
        plant.send("S01", "stage.started", now - timedelta(minutes=3), work_order="WO-1", stage=10)
        plant.send("S01", "machine.down", now - timedelta(minutes=2), reason="DT-JAM")
    page = browser_client.get("/board").get_data(as_text=True)
    assert "Jam &amp; &lt;b&gt;&#x27;" not in page  # never escaped twice
    assert "Jam &amp; &lt;b&gt;&quot;stuck&quot;&lt;/b&gt;" in page and "<b>" not in page
