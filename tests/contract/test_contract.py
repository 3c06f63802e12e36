"""The wire contract: what is valid, and the precise error for what is not."""
import json
import uuid

import pytest

from edge.contract import (
    EVENT_TYPES, ContractError, decode_events, encode_events, make_event, parse_topic, topic, validate_event,
)


def wire(**overrides):
    base = {
        "id": str(uuid.uuid4()), "type": "material.issued", "site": "plant1", "station": "S01",
        "seq": 7, "at": "2026-11-21T10:15:30.123Z", "operator": "OP-17",
        "data": {"work_order": "WO-1", "batch": "S01-261121-0007", "qty": "12.5"},
    }
    base.update(overrides)
    return base


def error_of(raw) -> ContractError:
    with pytest.raises(ContractError) as info:
        validate_event(raw)
    return info.value


def test_valid_event_round_trips_through_the_wire():
    event = validate_event(wire())
    assert str(event.data["qty"]) == "12.5"
    again = validate_event(json.loads(json.dumps(event.to_wire())))
    assert again == event


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_every_type_example_is_valid(type_name):
    spec = EVENT_TYPES[type_name]
    event = make_event(type_name, site="p", station="S1", seq=1, operator="OP-1", data=spec.example)
    assert event.type == type_name


@pytest.mark.parametrize("overrides, field, words", [
    ({"id": "not-a-uuid"}, "id", "UUID"),
    ({"type": "material.teleported"}, "type", "unknown event type"),
    ({"seq": 0}, "seq", ">= 1"),
    ({"seq": "5"}, "seq", "whole number"),
    ({"at": "2026-11-21T10:15:30+02:00"}, "at", "UTC"),
    ({"at": "yesterday"}, "at", "ISO 8601"),
    ({"station": "S 01"}, "station", "letters, digits"),
    ({"operator": None}, "operator", "required"),
    ({"data": []}, "data", "JSON object"),
    ({"extra": 1}, "extra", "not an envelope field"),
    ({"data": {"work_order": "WO-1", "batch": "B", "qty": "-1"}}, "data.qty", "greater than zero"),
    ({"data": {"work_order": "WO-1", "batch": "B", "qty": 12.5}}, "data.qty", "decimal string"),
    ({"data": {"work_order": "WO-1", "batch": "B", "qty": "abc"}}, "data.qty", "decimal number"),
    ({"data": {"work_order": "WO-1", "batch": "B", "qty": "NaN"}}, "data.qty", "finite"),
    ({"data": {"work_order": "WO-1", "qty": "1"}}, "data.batch", "either batch or item"),
    ({"data": {"batch": "B", "qty": "1"}}, "data.work_order", "required"),
    ({"data": {"work_order": "WO-1", "batch": "B", "qty": "1", "colour": "red"}}, "data.colour", "not a field"),
    ({"station": "S01\n"}, "station", "letters, digits"),
    ({"data": {"work_order": "WO-1\n", "batch": "B", "qty": "1"}}, "data.work_order", "letters, digits"),
    ({"type": "scrap.reported", "data": {"work_order": "WO-1", "qty": "1", "reason": "R", "note": "a\x00b"}},
     "data.note", "NUL"),
    ({"type": "scrap.reported", "data": {"work_order": "WO-1", "qty": "1", "reason": "R", "note": "\ud800"}},
     "data.note", "Unicode"),
])
def test_malformed_events_name_the_field(overrides, field, words):
    error = error_of(wire(**overrides))
    assert error.field == field
    assert words in str(error)


def test_scrap_output_needs_a_reason():
    raw = wire(type="output.reported", data={"work_order": "WO-1", "kind": "scrap", "item": "X", "batch": "B", "qty": "1"})
    assert error_of(raw).field == "data.reason"


def test_goods_received_rejects_a_date_that_does_not_exist():
    raw = wire(type="goods.received", data={"item": "RM", "batch": "B", "qty": "1", "expiry": "2027-02-30"})
    assert error_of(raw).field == "data.expiry"


def test_machine_events_need_no_operator():
    event = validate_event(wire(type="machine.down", operator=None, data={"reason": "DT-JAM"}))
    assert event.operator is None


def test_message_limits():
    with pytest.raises(ContractError, match="not JSON"):
        decode_events(b"{nope")
    with pytest.raises(ContractError, match="more than the limit"):
        decode_events(b"x" * 2000, max_bytes=1000)
    with pytest.raises(ContractError, match="1 to"):
        decode_events(b'{"events": []}')
    with pytest.raises(ContractError, match="'events'"):
        decode_events(b'[1, 2]')
    event = validate_event(wire())
    assert decode_events(encode_events([event]))[0]["id"] == event.id


def test_topics():
    assert topic("plant1", "S01", "events") == "shopfloor/v1/plant1/S01/events"
    assert parse_topic("shopfloor/v1/plant1/S01/ack") == ("plant1", "S01", "ack")
    with pytest.raises(ContractError):
        parse_topic("other/v1/plant1/S01/ack")
    with pytest.raises(ValueError):
        topic("plant1", "S/01", "events")
