"""Events, flags and stations over the JSON API."""
import uuid

from central.db import database
from central.flags import raise_flag
from central.models import Station
from central.recorder import record_raw


def test_register_station_and_bad_input(api):
    made = api.post("/api/v1/stations", json={"code": "S01", "site": "plant1", "name": "Mixer"})
    assert made.status_code == 201 and made.get_json()["code"] == "S01"
    dup = api.post("/api/v1/stations", json={"code": "S01", "site": "plant1"})
    assert dup.status_code == 409 and dup.get_json()["field"] == "code"
    bad = api.post("/api/v1/stations", json={"code": "S 02", "site": "plant1"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "code"
    kind = api.post("/api/v1/stations", json={"code": "S03", "site": "plant1", "kind": "robot"})
    assert kind.status_code == 400 and "production, goods_in" in kind.get_json()["error"]
    wc = api.post("/api/v1/stations", json={"code": "S04", "site": "plant1", "work_centre": "NOPE"})
    assert wc.status_code == 404 and wc.get_json()["field"] == "work_centre"
    not_json = api.post("/api/v1/stations", data="code=S05")
    assert not_json.status_code == 400 and not_json.get_json()["field"] == "body"
    off = api.patch("/api/v1/stations/S01", json={"active": False})
    assert off.get_json()["active"] is False
    assert [s["code"] for s in api.get("/api/v1/stations").get_json()["items"]] == ["S01"]


def test_events_list_and_flags_resolve(api):
    with database.connection_context():
        Station.create(code="S01", site="plant1")
        event_id = str(uuid.uuid4())
        record_raw([{"id": event_id, "type": "label.printed", "site": "plant1", "station": "S01", "seq": 1,
                     "at": "2026-11-21T10:00:00.000Z", "operator": None,
                     "data": {"batch": "B1", "template": "batch", "copies": 2}}], site="plant1", station="S01")
        flag = raise_flag("test_rule", "something odd", event_id=event_id, subject="B1")
    listed = api.get("/api/v1/events?station=S01&type=label.printed").get_json()
    assert listed["total"] == 1 and listed["items"][0]["data"]["copies"] == 2 and listed["items"][0]["flagged"]
    one = api.get(f"/api/v1/events/{event_id}").get_json()
    assert one["flags"][0]["kind"] == "test_rule"
    assert api.get("/api/v1/events?since=yesterday").status_code == 400
    assert api.get("/api/v1/events?limit=0").status_code == 400
    open_flags = api.get("/api/v1/flags?open=true").get_json()
    assert open_flags["total"] == 1
    empty = api.post(f"/api/v1/flags/{flag.id}/resolve", json={"resolution": "  "})
    assert empty.status_code == 400 and empty.get_json()["field"] == "resolution"
    done = api.post(f"/api/v1/flags/{flag.id}/resolve", json={"resolution": "label reprinted"})
    assert done.status_code == 200 and done.get_json()["resolved_by"] == "boss"
    assert api.get("/api/v1/flags?open=true").get_json()["total"] == 0
    assert api.post("/api/v1/flags/999/resolve", json={"resolution": "x"}).status_code == 404
