"""A stage past its standard time by more than the margin needs a delay reason (checked at central)."""
import uuid
from decimal import Decimal

import pytest

from central.catalog import create_item, create_location
from central.models import Flag, Station, WorkCentre
from central.overrun import FLAG_KIND, delay_margin_percent, overrun_limit
from central.production import create_work_order
from central.reasons import create_reason_code
from central.recipes import create_recipe
from central.recorder import record_raw


def event(type_, seq, at, **data):
    return {"id": str(uuid.uuid4()), "type": type_, "site": "plant1", "station": "S01", "seq": seq,
            "at": at, "operator": "OP-1", "data": {"work_order": "WO-1", "stage": 10, **data}}


@pytest.fixture
def stage(db):
    """WO-1 with stage 10 of 30 standard minutes; default margin 20 % → a reason is due after 36 minutes."""
    Station.create(code="S01", site="plant1", work_centre=WorkCentre.create(code="WC-A"))
    create_location({"code": "FG", "role": "finished"})
    create_item({"code": "FG-1", "unit": "pcs"})
    create_recipe({"code": "R-1", "item": "FG-1", "outputs": [{"item": "FG-1", "kind": "main", "cost_share": "100"}],
                   "stages": [{"seq": 10, "work_centre": "WC-A", "standard_minutes": "30"}]})
    create_work_order({"number": "WO-1", "recipe": "R-1", "planned_qty": "10", "status": "released"})
    create_reason_code("DLY-SETUP", "delay")


def send(*raws):
    for raw in raws:  # one message each, in the order given
        assert record_raw([raw], site="plant1", station="S01").rejected == []


def open_flags():
    return list(Flag.select().where(Flag.kind == FLAG_KIND, Flag.resolved_at.is_null()))


def test_overrun_without_reason_is_flagged_and_the_late_reason_closes_it(stage):
    send(event("stage.started", 1, "2026-05-01T08:00:00.000Z"), event("stage.completed", 2, "2026-05-01T08:40:00.000Z"))
    [flag] = open_flags()
    assert flag.subject == "WO-1/10" and "took 40.0 min, more than 36.0" in flag.message
    send(event("delay.reported", 3, "2026-05-01T08:41:00.000Z", reason="DLY-SETUP", minutes="10"))
    assert open_flags() == []
    assert Flag.get_by_id(flag.id).resolved_by == "central"


def test_within_the_margin_or_with_a_reason_first_is_not_flagged(stage):
    send(event("stage.started", 1, "2026-05-01T08:00:00.000Z"), event("stage.completed", 2, "2026-05-01T08:36:00.000Z"))
    assert open_flags() == []
    send(event("delay.reported", 3, "2026-05-01T09:00:00.000Z", reason="DLY-SETUP"),
         event("stage.completed", 4, "2026-05-01T09:30:00.000Z"))
    assert open_flags() == []


def test_completion_arriving_before_the_start_is_still_checked_once(stage):
    send(event("stage.completed", 2, "2026-05-01T09:00:00.000Z"), event("stage.started", 1, "2026-05-01T08:00:00.000Z"),
         event("stage.completed", 3, "2026-05-01T09:05:00.000Z"))
    assert len(open_flags()) == 1


def test_margin_comes_from_the_config(app):
    assert overrun_limit(Decimal(30), Decimal(50)) == Decimal(45)
    assert delay_margin_percent() == Decimal(20)  # outside an app: the default
    with app.app_context():
        app.config["SHOPFLOOR"] = {"reasons.delay_margin_percent": 10}
        assert overrun_limit(Decimal(30)) == Decimal(33)
