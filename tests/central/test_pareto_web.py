"""The reason-code pages and the Pareto page: chart, filters, CSV."""
import re
import uuid

import pytest

from central.db import database
from central.models import ReasonCode, Station, WorkCentre
from central.reasons import create_reason_code
from central.recorder import record_raw


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def browser(client, admin_user):
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": admin_user[0], "password": admin_user[1], "csrf_token": token})
    return client


def test_reason_code_pages(browser):
    page = browser.get("/reason-codes/new").get_data(as_text=True)
    resp = browser.post("/reason-codes/new", data={"code": "DT-JAM", "category": "downtime", "description": "Jam",
                                                   "active": "y", "csrf_token": csrf(page)}, follow_redirects=True)
    assert "Reason code DT-JAM added." in resp.get_data(as_text=True)
    page = browser.get("/reason-codes/DT-JAM/edit").get_data(as_text=True)
    browser.post("/reason-codes/DT-JAM/edit", data={"code": "DT-JAM", "category": "downtime", "description": "Jam",
                                                    "csrf_token": csrf(page)})
    with database.connection_context():
        assert ReasonCode.get().active is False
    assert "inactive" in browser.get("/reason-codes").get_data(as_text=True)


def test_pareto_page_chart_and_csv(browser):
    with database.connection_context():
        Station.create(code="S01", site="plant1", work_centre=WorkCentre.create(code="WC-A"))
        create_reason_code("DT-JAM", "downtime")
        create_reason_code("DT-POWER", "downtime")
        raws = [{"id": str(uuid.uuid4()), "type": "machine.down", "site": "plant1", "station": "S01", "seq": i + 1,
                 "at": f"2026-05-01T0{i}:00:00.000Z", "operator": None, "data": {"reason": code}}
                for i, code in enumerate(("DT-JAM", "DT-JAM", "DT-POWER"))]
        assert record_raw(raws, site="plant1", station="S01").rejected == []
    page = browser.get("/analysis/reasons?since=2026-05-01&work_centre=WC-A").get_data(as_text=True)
    assert page.count("<rect ") == 2 and "<polyline" in page and "66.7%" in page
    assert 'href="/analysis/reasons.csv?since=2026-05-01&amp;work_centre=WC-A' in page
    csv_text = browser.get("/analysis/reasons.csv?since=2026-05-01").get_data(as_text=True)
    assert csv_text.splitlines()[1].startswith("DT-JAM,downtime,,2,0,")
    bad = browser.get("/analysis/reasons?since=someday").get_data(as_text=True)
    assert "since: must be a date" in bad
