"""Stop minutes written set-based per batch equal those written one event at a time, in any order."""
import random
import uuid
from datetime import datetime, timedelta

import pytest

from central.models import ReasonEvent, Station, StopMark
from central.reasons import create_reason_code
from central.recorder import record_raw


@pytest.fixture
def station(db):
    Station.create(code="S01", site="plant1")
    create_reason_code("DT-JAM", "downtime")


def _events(count: int, rng: random.Random) -> list[dict]:
    start = datetime(2026, 5, 1, 8)
    events = []
    for seq in range(1, count + 1):
        kind = rng.choice(["machine.down", "machine.up"])
        data = {"machine": rng.choice(["M-1", "M-2"])}
        if kind == "machine.down":
            data["reason"] = "DT-JAM"
        at = start + timedelta(minutes=rng.randrange(0, 240))  # ties in time happen; seq breaks them
        events.append({"id": str(uuid.uuid4()), "type": kind, "site": "plant1", "station": "S01", "seq": seq,
                       "at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "operator": None, "data": data})
    return events


def _minutes() -> dict[str, object]:
    return {str(r.event_id): r.minutes for r in ReasonEvent.select()}


def _expected(events: list[dict]) -> dict[str, object]:
    """By definition: a stop runs to the next mark of its machine by (at, seq); the last one stays open."""
    from decimal import Decimal

    result = {}
    for machine in ("M-1", "M-2"):
        marks = sorted((e for e in events if e["data"]["machine"] == machine), key=lambda e: (e["at"], e["seq"]))
        for mark, following in zip(marks, marks[1:] + [None]):
            if mark["type"] == "machine.down":
                if following is None:
                    result[mark["id"]] = None
                else:
                    seconds = (datetime.fromisoformat(following["at"][:-1]) - datetime.fromisoformat(mark["at"][:-1]))
                    result[mark["id"]] = (Decimal(int(seconds.total_seconds())) / 60).quantize(Decimal("0.0001"))
    return result


def _clear() -> None:
    from central.models import EventRecord

    StopMark.delete().execute()
    ReasonEvent.delete().execute()
    EventRecord.delete().execute()


@pytest.mark.parametrize("seed", range(5))
def test_batches_and_single_events_in_any_order_give_the_same_minutes(station, seed):
    rng = random.Random(seed)
    events = _events(40, rng)
    for raw in events:
        assert record_raw([raw], site="plant1", station="S01").rejected == []
    one_by_one = _minutes()
    assert one_by_one == _expected(events) and any(m is not None for m in one_by_one.values())
    _clear()
    shuffled = events[:]
    rng.shuffle(shuffled)
    for start in range(0, len(shuffled), 7):  # several batches, arriving in no particular order
        assert record_raw(shuffled[start:start + 7], site="plant1", station="S01").rejected == []
    assert _minutes() == one_by_one
    _clear()
    assert record_raw(events, site="plant1", station="S01").rejected == []
    assert _minutes() == one_by_one


def test_a_stop_without_a_later_mark_stays_open(station):
    rng = random.Random(7)
    down = dict(_events(1, rng)[0], type="machine.down", data={"machine": "M-1", "reason": "DT-JAM"})
    record_raw([down], site="plant1", station="S01")
    assert _minutes() == {down["id"]: None}
