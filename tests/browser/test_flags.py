"""A supervisor closes a flag from a phone."""
import uuid

import pytest

from central.db import database
from central.flags import raise_flag
from central.models import Flag, Station
from central.recorder import record_raw

from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def test_supervisor_closes_a_flag_on_a_phone(phone, live_server, admin_user):
    with database.connection_context():
        Station.create(code="S01", site="plant1", name="Mixer")
        event_id = str(uuid.uuid4())
        record_raw([{"id": event_id, "type": "label.printed", "site": "plant1", "station": "S01", "seq": 1,
                     "at": "2026-11-21T10:00:00.000Z", "operator": None,
                     "data": {"batch": "B1", "template": "batch", "copies": 1}}], site="plant1", station="S01")
        flag = raise_flag("negative_stock", "batch B1 went to -2 kg", event_id=event_id, subject="B1")
    sign_in(phone, live_server, admin_user)
    assert "batch B1 went to -2 kg" in phone.inner_text("main")
    assert "S01" in phone.inner_text("main")
    phone.click("text=Flags")
    card = phone.locator(f"#flag-{flag.id}")
    card.locator("button").click()  # empty note: the browser refuses (required field)
    assert phone.url.endswith("/flags")
    card.locator("textarea").fill("counted again, stock corrected")
    card.locator("button").click()
    assert phone.locator("[role=alert]").inner_text() == f"Flag {flag.id} closed."
    assert "No open flags." in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with database.connection_context():
        closed = Flag.get_by_id(flag.id)
    assert closed.resolved_by == "boss" and closed.resolution == "counted again, stock corrected"

