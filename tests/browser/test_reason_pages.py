"""A supervisor on a phone: the reason-code catalogue and the reason Pareto (SVG chart, CSV download)."""
import csv
import io
import uuid

import pytest

from central.db import database
from central.models import ReasonCode, Station, WorkCentre
from central.reasons import create_reason_code
from central.recorder import record_raw

from tests.browser.helpers import assert_no_sideways_scroll, nav, sign_in

pytestmark = pytest.mark.browser

def test_reason_code_catalogue_create_and_deactivate(phone, live_server, supervisor):
    sign_in(phone, live_server, supervisor)
    nav(phone, "Reason codes")
    assert "No reason codes yet." in phone.inner_text("main")
    phone.get_by_role("link", name="New reason code").click()
    phone.fill("input[name=code]", "DT-JAM")
    phone.select_option("select[name=category]", "downtime")
    phone.fill("input[name=description]", "Conveyor jammed")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Reason code DT-JAM added."
    row = phone.locator("main table tbody tr", has_text="DT-JAM")
    assert [row.locator("td").nth(i).inner_text() for i in range(4)] == ["DT-JAM", "downtime", "Conveyor jammed", "active"]
    assert_no_sideways_scroll(phone)

    phone.get_by_role("link", name="New reason code").click()  # the same code again
    phone.fill("input[name=code]", "DT-JAM")
    phone.click("main button[type=submit]")
    assert "reason code 'DT-JAM' already exists" in phone.locator("main .error").all_inner_texts()
    nav(phone, "Reason codes")

    row.get_by_role("link", name="DT-JAM").click()
    assert phone.locator("input[name=code]").get_attribute("readonly") is not None
    phone.uncheck("input[name=active]")
    phone.click("main button[type=submit]")
    assert phone.locator(".flash").inner_text() == "Reason code DT-JAM saved."
    assert phone.locator("main table tbody tr", has_text="DT-JAM").locator("td").nth(3).inner_text() == "inactive"
    assert_no_sideways_scroll(phone)
    with database.connection_context():
        assert [(c.code, c.active, c.description) for c in ReasonCode.select()] == [("DT-JAM", False, "Conveyor jammed")]


# (reason, down at, up at): DT-JAM stops most often, DT-POWER stops longest.
STOPS = [("DT-JAM", "08:00", "08:02"), ("DT-JAM", "09:00", "09:03"), ("DT-JAM", "10:00", "10:01"),
         ("DT-POWER", "11:00", "11:40"), ("DT-SETUP", "12:00", "12:05"), ("DT-SETUP", "13:00", "13:05")]


@pytest.fixture
def stops(app):
    with database.connection_context():
        Station.create(code="S01", site="plant1", work_centre=WorkCentre.create(code="WC-A"))
        for code in ("DT-JAM", "DT-POWER", "DT-SETUP", "DT-UNUSED"):
            create_reason_code(code, "downtime", f"{code.lower()} stop")
        raws, seq = [], 0
        for reason, down, up in STOPS:
            for kind, at, data in (("machine.down", down, {"reason": reason}), ("machine.up", up, {})):
                seq += 1
                raws.append({"id": str(uuid.uuid4()), "type": kind, "site": "plant1", "station": "S01", "seq": seq,
                             "at": f"2026-05-04T{at}:00.000Z", "operator": None, "data": data})
        assert record_raw(raws, site="plant1", station="S01").rejected == []


def chart_bars(page):
    """(code, value, x, height) of each bar of the chart, left to right as drawn."""
    bars = page.locator("main svg rect")
    out = []
    for i in range(bars.count()):
        code, value = bars.nth(i).locator("title").text_content().split(": ")
        box = bars.nth(i).bounding_box()
        out.append((code, value, box["x"], box["height"]))
    return out


def table_rows(page):
    """The Pareto table as a list of cell texts."""
    rows = page.locator("main table tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


def download_csv(page):
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    with open(info.value.path(), encoding="utf-8") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))


@pytest.mark.parametrize("measure, expected", [
    ("count", [("DT-JAM", "3", "50", "50"), ("DT-SETUP", "2", "33.3", "83.3"), ("DT-POWER", "1", "16.7", "100")]),
    ("minutes", [("DT-POWER", "40", "71.4", "71.4"), ("DT-SETUP", "10", "17.9", "89.3"), ("DT-JAM", "6", "10.7", "100")]),
])
def test_pareto_chart_order_and_csv(phone, live_server, supervisor, stops, measure, expected):
    sign_in(phone, live_server, supervisor)
    nav(phone, "Pareto")
    phone.fill("input[name=since]", "2026-05-04")
    phone.fill("input[name=until]", "2026-05-04")
    phone.select_option("select[name=measure]", measure)
    phone.click("main form button[type=submit]")
    assert phone.locator("h1").inner_text() == f"Reasons: Pareto by {measure}"

    bars = chart_bars(phone)
    assert [(code, value) for code, value, _, _ in bars] == [(code, value) for code, value, _, _ in expected]
    xs, heights = [b[2] for b in bars], [b[3] for b in bars]
    assert xs == sorted(xs) and heights == sorted(heights, reverse=True) and heights[-1] < heights[0]
    assert phone.locator("main svg polyline").get_attribute("points").count(",") == len(expected)

    column = {"count": 3, "minutes": 5}[measure]
    table = [(r[0], r[column], r[6], r[7]) for r in table_rows(phone)]
    assert table == [(code, value, share + "%", cumulative + "%") for code, value, share, cumulative in expected]
    assert_no_sideways_scroll(phone)

    rows = download_csv(phone)
    assert [(r["code"], r[measure], r["share"], r["cumulative"]) for r in rows] == expected
    assert [r["description"] for r in rows] == [f"{code.lower()} stop" for code, *_ in expected]
