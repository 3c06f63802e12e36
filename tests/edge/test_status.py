"""A station's retained status carries its outbox figures and config version; central records them."""
from __future__ import annotations

from central.db import database
from central.models import Station as StationRow
from central.stationconfig import head_version
from edge.contract import config_digest, decode_status, encode_status
from tests.edge.support import wait_for


def _row(code="S01"):
    with database.connection_context():
        return StationRow.get(StationRow.code == code)


def test_central_records_what_the_status_says(central_ingest, station_factory):
    station = station_factory()
    wait_for(lambda: station.config.received, what="station config")
    with database.connection_context():
        current = head_version(StationRow.get(StationRow.code == "S01"))
    assert config_digest(station.config.head) == current
    wait_for(lambda: _row().config_version == current, timeout=20, what="config version in the status")
    row = _row()
    assert (row.status, row.queue_depth, row.dead_letters) == ("online", 0, 0)
    station.stop()
    wait_for(lambda: _row().status == "offline", what="offline when it stops")
    assert _row().config_version == current  # the plain "offline" keeps the last figures


def test_status_payloads():
    payload = encode_status(True, queue_depth=3, dead_letters=1, config_version="abc")
    assert decode_status(payload) == {"status": "online", "queue_depth": 3, "dead_letters": 1, "config_version": "abc"}
    assert decode_status(b"offline") == {"status": "offline"}
    assert decode_status(b'{"status": "online", "queue_depth": -1, "dead_letters": true}') == {"status": "online"}
    assert decode_status(b'{"status": "asleep"}') is None and decode_status(b"\xff") is None
    assert config_digest({}) is None and len(config_digest({"station": "S01"})) == 12
