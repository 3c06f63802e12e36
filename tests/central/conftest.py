"""Fixtures for the stock and production tests: a plant with locations, items and a recipe."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from central.catalog import create_item, create_location
from central.inventory import Actor
from central.models import Skill, WorkCentre

PERSON = Actor(user="tester")


@pytest.fixture
def plant(db):
    """Locations RECV/STORE/FG, work centre MIX, and a handful of items of each kind."""
    for code, role in (("RECV", "receiving"), ("STORE", "storage"), ("FG", "finished")):
        create_location({"code": code, "role": role})
    WorkCentre.create(code="MIX", labour_rate=D("0.5"), overhead_rate=D("0.3"))
    Skill.create(code="MIXING")
    create_item({"code": "FLOUR", "unit": "kg", "costing": "fifo", "shelf_life_days": 180})
    create_item({"code": "SUGAR", "unit": "kg", "costing": "average"})
    create_item({"code": "OIL", "unit": "l", "costing": "fifo", "batch_tracked": False})
    create_item({"code": "BOX", "unit": "pcs", "costing": "fifo"})
    create_item({"code": "COOKIE", "unit": "pcs", "costing": "fifo", "gtin": "09501101530003"})
    create_item({"code": "CRUMBS", "unit": "kg", "costing": "fifo"})
    create_item({"code": "WASTE", "unit": "kg", "costing": "fifo"})
    return db


@pytest.fixture
def person():
    """A person calling the API (no override)."""
    return PERSON


@pytest.fixture
def fact(db):
    """Make the actor of a station event (the event is recorded, so flags can point at it)."""
    import json
    import uuid

    from central.models import EventRecord, utcnow

    def make(operator: str = "OP-1") -> Actor:
        event_id = str(uuid.uuid4())
        EventRecord.create(id=event_id, type="material.issued", site="plant1", station="S01", seq=1, at=utcnow(),
                           operator=operator, payload=json.dumps({}))
        return Actor(operator=operator, event_id=event_id, at=utcnow())
    return make
