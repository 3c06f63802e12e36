"""Every page of the web admin, on the data the demo's shift leaves, at phone and desktop size.

The list of pages is the app's own route map: a page added without a sample address here makes
this test fail, so no page escapes the checks. Each page must answer 200, pass axe-core (no
serious or critical violation) and, on the phone, not scroll sideways. The demo runs as a user
runs it (``shopfloor demo``), so this also shows that its shift gives every page something to show.
"""
from __future__ import annotations

import re
import signal
import sqlite3
from types import SimpleNamespace

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import assert_no_sideways_scroll, sign_in
from tests.conftest import PG_URL, free_port
from tests.system.test_demo import start_demo, until_running

pytestmark = pytest.mark.browser

# Addresses that are not pages a person reads (downloads, the live stream), with where they are tested.
NOT_PAGES = {
    "web.reason_pareto_csv": "CSV, tests/browser/test_reason_pages.py",
    "web.batch_recall_csv": "CSV, tests/central/test_batch_pages.py",
    "web.batch_record_pdf": "PDF, tests/central/test_batch_record_and_demo.py",
    "web.maintenance_failures_csv": "CSV, tests/central/test_maintenance_floor_web.py",
    "web.maintenance_asset_label": "PDF, tests/central/test_maintenance_web.py",
    "web.board_stream": "event stream, tests/central/test_board_web.py",
    "favicon": "icon, tests/central/test_app.py",
    "web.login": "signed out only, tests/browser/test_login.py",
    "public.request_status": "reached below by sending the request form",
}


def sample_paths(db: str) -> dict[str, str]:
    """A page address per endpoint, with codes taken from the demo's database."""
    con = sqlite3.connect(db)
    one = lambda sql: con.execute(sql).fetchone()[0]
    batch = one("SELECT b.code FROM batch b JOIN item i ON i.id = b.item_id WHERE i.code = 'FG-COOKIE' ORDER BY b.id")
    raw = one("SELECT b.code FROM batch b JOIN item i ON i.id = b.item_id WHERE i.code = 'RM-FLOUR' ORDER BY b.id")
    event = one("SELECT id FROM event_record ORDER BY received_at")
    cert = one("SELECT id FROM certification ORDER BY id")
    mwo = one("SELECT number FROM maintenance_work_order ORDER BY id")
    con.close()
    return {
        "web.home": "/", "web.account_password": "/account/password",
        "web.reason_pareto": "/analysis/reasons", "web.batches": "/batches",
        "web.batch_home": f"/batches/{batch}", "web.batch_record_page": f"/batches/{batch}/record",
        "web.sscc_label_form": f"/batches/{batch}/sscc-label", "web.batch_trace": f"/batches/{raw}/trace",
        "web.board": "/board", "web.board_wall": "/board/wall",
        "web.certifications": "/certifications", "web.certification_edit": f"/certifications/{cert}/edit",
        "web.certifications_expiring": "/certifications/expiring", "web.certifications_import": "/certifications/import",
        "web.certification_new": "/certifications/new", "web.sscc_dispatch": "/dispatches/ORDER-0001/sscc-labels",
        "web.events_page": "/events", "web.event_page": f"/events/{event}", "web.flags": "/flags",
        "web.items": "/items", "web.item_detail": "/items/FG-COOKIE", "web.item_edit": "/items/RM-FLOUR/edit",
        "web.item_new": "/items/new", "web.ledger_page": "/ledger",
        "web.locations": "/locations", "web.location_detail": "/locations/FG", "web.location_edit": "/locations/FG/edit",
        "web.location_new": "/locations/new",
        "web.machines": "/machines", "web.machine_detail": "/machines/MIXER-1", "web.machine_edit": "/machines/MIXER-1/edit",
        "web.machine_new": "/machines/new",
        "web.maintenance": "/maintenance", "web.maintenance_assets": "/maintenance/assets",
        "web.maintenance_asset": "/maintenance/assets/MIXER-1", "web.maintenance_asset_edit": "/maintenance/assets/MIXER-1/edit",
        "web.maintenance_calendar": "/maintenance/calendar", "web.maintenance_contractors": "/maintenance/contractors",
        "web.maintenance_my": "/maintenance/my", "web.maintenance_reliability": "/maintenance/reliability",
        "web.maintenance_report": "/maintenance/report", "web.maintenance_requests": "/maintenance/requests",
        "web.maintenance_rules": "/maintenance/rules", "web.maintenance_schedules": "/maintenance/schedules",
        "web.maintenance_schedule_edit": "/maintenance/schedules/MIXER-LUBE/edit",
        "web.maintenance_technicians": "/maintenance/technicians", "web.maintenance_templates": "/maintenance/templates",
        "web.maintenance_template_edit": "/maintenance/templates/MIXER-LUBE/edit",
        "web.maintenance_search": "/maintenance/work-orders", "web.maintenance_work_order": f"/maintenance/work-orders/{mwo}",
        "web.maintenance_new": "/maintenance/work-orders/new",
        "web.operators": "/operators", "web.operator_detail": "/operators/OP-DEMO", "web.operator_edit": "/operators/OP-DEMO/edit",
        "web.operators_import": "/operators/import", "web.operator_new": "/operators/new",
        "public.request_form": "/r/MIXER-1",
        "web.reason_codes": "/reason-codes", "web.reason_code_edit": "/reason-codes/DT-JAM/edit",
        "web.reason_code_new": "/reason-codes/new",
        "web.recipes_list": "/recipes", "web.recipe_detail": "/recipes/RCP-COOKIE", "web.recipe_edit": "/recipes/RCP-COOKIE/edit",
        "web.recipe_new": "/recipes/new", "web.search": "/search?q=COOKIE", "web.skills": "/skills",
        "web.stations": "/stations", "web.station_detail": "/stations/DEMO1", "web.station_edit": "/stations/DEMO1/edit",
        "web.stock_page": "/stock", "web.stock_layers": "/stock/layers?item=RM-FLOUR",
        "web.users": "/users", "web.user_detail": "/users/admin", "web.user_new": "/users/new",
        "web.work_centres": "/work-centres", "web.work_centre_detail": "/work-centres/MIX",
        "web.work_centre_edit": "/work-centres/MIX/edit", "web.work_centre_skills": "/work-centres/MIX/skills",
        "web.work_centre_new": "/work-centres/new",
        "web.work_orders_page": "/work-orders", "web.work_order_page": "/work-orders/WO-DEMO-0001",
        "web.work_order_action": "/work-orders/WO-DEMO-0001/cancel", "web.assignments": "/work-orders/WO-DEMO-0001/assignments",
        "web.work_order_timeline": "/work-orders/WO-DEMO-0001/timeline", "web.work_order_new": "/work-orders/new",
    }


def page_endpoints() -> set[str]:
    """Every endpoint a browser can GET, from the app's route map."""
    from central import create_app

    app = create_app({"database.url": "sqlite:///:memory:", "web.secret_key": "x", "data_dir": "/tmp/shopfloor-routes"})
    return {r.endpoint for r in app.url_map.iter_rules()
            if "GET" in r.methods and not r.rule.startswith("/api/") and r.endpoint != "static"
            and not r.endpoint.startswith("viewer.")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """``shopfloor demo`` after its shift: the address, the first login and the database."""
    if PG_URL:
        pytest.skip("the demo runs on its own SQLite file whatever the test database; the SQLite run covers it")
    work = tmp_path_factory.mktemp("demo")
    port, mqtt_port = free_port(), free_port()
    proc = start_demo(work, port, mqtt_port)
    console = "\n".join(until_running(proc))
    login = re.search(r"first login: (\S+) / (\S+)", console)
    assert login, console
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", login=login.groups(), db=str(work / "demo" / "central.db"))
    proc.send_signal(signal.SIGINT)
    proc.wait(30)


def test_every_page_has_a_sample_address():
    assert sorted(page_endpoints() - set(sample_paths_keys()) - set(NOT_PAGES)) == []


def sample_paths_keys() -> set[str]:
    # the endpoints sample_paths() knows, without a database to read codes from
    import inspect

    return set(re.findall(r'"((?:web|public)\.\w+)":', inspect.getsource(sample_paths)))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_page_reads_well_on_the_demo_data(request, viewport, demo):
    page = request.getfixturevalue(viewport)
    sign_in(page, demo, demo.login)
    failures = []
    for endpoint, path in sorted(sample_paths(demo.db).items()):
        response = page.goto(demo.url + path)
        if response.status != 200:
            failures.append(f"{path}: {response.status}")
            continue
        try:
            assert_accessible(page)
            if viewport == "phone":
                assert_no_sideways_scroll(page)
        except AssertionError as exc:
            failures.append(str(exc))
    assert failures == [], "\n".join(failures)


def test_a_work_request_sent_from_the_public_form_can_be_followed(phone, demo):
    phone.goto(demo.url + "/r/MIXER-1")
    phone.fill("textarea[name=description]", "Oil on the floor under the mixer")
    phone.fill("input[name=reporter]", "Sam")
    phone.click("main button[type=submit]")
    assert "was sent to maintenance" in phone.inner_text("main")
    phone.click("#status-link")
    phone.wait_for_url(re.compile(r".*/r/status/.+"))
    assert "MIXER-1" in phone.inner_text("main")
    assert_accessible(phone)
    assert_no_sideways_scroll(phone)
