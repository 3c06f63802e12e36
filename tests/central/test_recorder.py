"""Recording station events: exactly once, station identity checked, bad events rejected alone."""
import uuid

import pytest

from central.models import EventRecord, Station
from central.recorder import record_raw


@pytest.fixture
def station(db):
    return Station.create(code="S01", site="plant1", name="Mixer 1")


def raw(seq, type_="label.printed", **overrides):
    event = {
        "id": str(uuid.uuid4()), "type": type_, "site": "plant1", "station": "S01", "seq": seq,
        "at": "2026-11-21T10:15:30.123Z", "operator": "OP-17",
        "data": {"batch": f"S01-261121-{seq:04d}", "template": "batch", "copies": 1},
    }
    event.update(overrides)
    return event


def test_events_are_recorded_once_and_duplicates_accepted_again(station):
    events = [raw(1), raw(2), raw(3)]
    first = record_raw(events, site="plant1", station="S01")
    assert first.accepted == [e["id"] for e in events] and first.rejected == [] and first.applied == 3
    again = record_raw(events[::-1], site="plant1", station="S01")
    assert sorted(again.accepted) == sorted(e["id"] for e in events) and again.applied == 0
    assert EventRecord.select().count() == 3
    assert Station.get(Station.code == "S01").last_seq == 3


def test_a_bad_event_is_rejected_alone_with_its_reason(station):
    good, bad = raw(1), raw(2, data={"batch": "B", "template": "batch", "copies": 0})
    outcome = record_raw([good, bad, "not an event"], site="plant1", station="S01")
    assert outcome.accepted == [good["id"]]
    assert outcome.rejected[0] == {"id": bad["id"], "error": "data.copies: must be a whole number >= 1, got 0"}
    assert outcome.rejected[1]["id"] is None and "JSON object" in outcome.rejected[1]["error"]
    assert EventRecord.select().count() == 1


def test_a_station_cannot_publish_as_another(station):
    Station.create(code="S02", site="plant1")
    forged = raw(1, station="S02")
    outcome = record_raw([forged], site="plant1", station="S01")
    assert outcome.accepted == []
    assert "published by plant1/S01" in outcome.rejected[0]["error"]
    assert EventRecord.select().count() == 0


def test_unknown_or_inactive_station_is_rejected(db):
    Station.create(code="S09", site="plant1", active=False)
    for code in ("S08", "S09"):
        outcome = record_raw([raw(1, station=code)], site="plant1", station=code)
        assert outcome.accepted == [] and "not a registered, active station" in outcome.rejected[0]["error"]
    assert EventRecord.select().count() == 0
