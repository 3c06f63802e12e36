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


def _down(seq, reason, at="2026-11-21T10:00:00.000Z", machine="M-1"):
    return raw(seq, "machine.down", at=at, operator=None, data={"reason": reason, "machine": machine})


@pytest.fixture
def jam(station):
    from central.reasons import create_reason_code

    create_reason_code("DT-JAM", "downtime")
    return station


def test_a_handler_rejection_leaves_no_record_and_no_rows(jam):
    from central.models import Flag, ReasonEvent, StopMark

    before, bad, after = _down(1, "DT-JAM"), _down(2, "NO-SUCH"), _down(3, "DT-JAM", at="2026-11-21T10:30:00.000Z")
    outcome = record_raw([before, bad, after], site="plant1", station="S01")
    assert outcome.accepted == [before["id"], after["id"]] and outcome.applied == 2
    assert outcome.rejected == [{"id": bad["id"], "error": "data.reason: unknown reason code 'NO-SUCH'"}]
    assert {str(r.id) for r in EventRecord.select()} == {before["id"], after["id"]}
    assert {str(r.event_id) for r in StopMark.select()} == {before["id"], after["id"]}
    assert {str(r.event_id) for r in ReasonEvent.select()} == {before["id"], after["id"]}
    assert ReasonEvent.get(ReasonEvent.event == before["id"]).minutes == 30  # as if the rejected one never came
    # the two accepted downs name machine M-1, which central does not know: flagged; the rejected one left nothing
    assert {(f.kind, str(f.event_id)) for f in Flag.select()} == {("unknown_machine", before["id"]),
                                                                 ("unknown_machine", after["id"])}
    assert Station.get(Station.code == "S01").last_seq == 3


def test_a_rejected_event_sent_again_is_rejected_again(jam):
    bad = _down(1, "NO-SUCH")
    for _ in range(2):
        outcome = record_raw([bad], site="plant1", station="S01")
        assert outcome.accepted == [] and outcome.rejected[0]["id"] == bad["id"]
    assert EventRecord.select().count() == 0


def test_an_id_twice_in_one_batch_is_applied_once(jam):
    from central.models import ReasonEvent

    down = _down(1, "DT-JAM")
    copy = dict(down, seq=2)
    outcome = record_raw([copy, down], site="plant1", station="S01")
    assert outcome.accepted == [down["id"], down["id"]] and outcome.applied == 1
    assert EventRecord.select().count() == 1 and EventRecord.get().seq == 1
    assert ReasonEvent.select().count() == 1


def test_an_id_twice_in_one_batch_is_rejected_twice_when_its_first_copy_is(jam):
    bad = _down(1, "NO-SUCH")
    outcome = record_raw([bad, dict(bad, seq=2)], site="plant1", station="S01")
    assert outcome.accepted == [] and [r["id"] for r in outcome.rejected] == [bad["id"], bad["id"]]
    assert EventRecord.select().count() == 0


def test_a_mixed_batch_answers_every_event(jam):
    known = raw(1)
    record_raw([known], site="plant1", station="S01")
    new_label, new_down, unknown_reason = raw(2), _down(3, "DT-JAM"), _down(4, "NO-SUCH")
    malformed = raw(5, data={"batch": "B", "template": "batch", "copies": 0})
    outcome = record_raw([new_down, known, malformed, unknown_reason, new_label], site="plant1", station="S01")
    assert outcome.accepted == [known["id"], new_label["id"], new_down["id"]] and outcome.applied == 2
    assert [r["id"] for r in outcome.rejected] == [malformed["id"], unknown_reason["id"]]
    assert {str(r.id) for r in EventRecord.select()} == {known["id"], new_label["id"], new_down["id"]}


def test_a_large_batch_is_written_in_chunks(station):
    events = [raw(seq) for seq in range(1, 1201)]
    outcome = record_raw(events, site="plant1", station="S01")
    assert outcome.applied == 1200 and outcome.rejected == []
    assert EventRecord.select().count() == 1200
    assert Station.get(Station.code == "S01").last_seq == 1200
    assert record_raw(events, site="plant1", station="S01").applied == 0


def test_bulk_rows_keep_every_character_and_null(db):
    """insert_rows (multi-row INSERT on SQLite, COPY on PostgreSQL) stores values exactly."""
    from datetime import datetime

    from central.db import insert_rows
    from central.recorder import _RECORD_FIELDS

    tricky = 'tab\there, new\nline, cr\r, back\\slash, \\N, quote " and \' and ünïcode ✓'
    at = datetime(2026, 11, 21, 10, 15, 30, 123000)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    insert_rows(EventRecord, _RECORD_FIELDS, [
        (ids[0], "label.printed", "plant1", "S01", 1, at, None, tricky, at, True, None, "S01-261121-0001"),
        (ids[1], "label.printed", "plant1", "S01", 2**62, at, "OP-1", "", at, False, "WO-1", None),
        (uuid.UUID(ids[2]), "label.printed", "plant1", "S01", 3, at, "\\N", "{}", at, False, "\\N", "B-1"),
    ])
    rows = {str(r.id): r for r in EventRecord.select()}
    assert set(rows) == set(ids)
    first, second, third = (rows[i] for i in ids)
    assert first.payload == tricky and first.operator is None and first.flagged is True and first.at == at
    assert second.payload == "" and second.seq == 2**62 and second.flagged is False
    assert third.operator == "\\N" and third.work_order == "\\N" and third.batch == "B-1"
    assert first.batch == "S01-261121-0001" and first.work_order is None and second.work_order == "WO-1"


def test_rejections_name_data_fields_as_data_paths_whoever_found_the_problem(station):
    """Central's own checks name ``work_order`` or ``item``; the rejection says ``data.work_order``."""
    from edge.contract import error_path, rejection

    wrong = raw(1, "output.reported", data={"work_order": "WO-404", "batch": "S01-261121-0001", "qty": "5",
                                            "kind": "main", "item": "NOPE"})
    outcome = record_raw([wrong], site="plant1", station="S01")
    assert outcome.rejected[0]["error"].startswith(("data.work_order: no work order", "data.item: no item"))
    assert error_path("output.reported", "work_order") == "data.work_order"
    assert error_path("output.reported", "data.qty") == "data.qty"
    assert error_path("output.reported", "operator") == "operator"
    assert error_path("output.reported", "lines[2].qty") == ""  # not a field of this type
    assert rejection("output.reported", "status", "work order WO-1 is done") == "work order WO-1 is done"
