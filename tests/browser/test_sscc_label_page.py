"""A supervisor on a phone prints a pallet label for a dispatched batch; the pages pass axe-core."""
from decimal import Decimal as D

import pytest
from axe_playwright_python.sync_playwright import Axe

from central.catalog import create_item, create_location
from central.db import database
from central.inventory import Actor, dispatch, receive

from tests.browser.helpers import assert_no_sideways_scroll, sign_in
from tests.labels.conftest import decode_pdf

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_overrides(db_url, tmp_path) -> dict:
    """Central settings with a GS1 company prefix, so SSCCs can be handed out."""
    return {"database.url": db_url, "data_dir": str(tmp_path / "data"), "web.secret_key": "test-secret",
            "labels.gs1_company_prefix": "9501101"}


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_pallet_label_for_a_dispatched_batch(phone, live_server, supervisor):
    with database.connection_context():
        create_location({"code": "FG", "role": "finished"})
        create_item({"code": "COOKIE", "name": "Butter cookies", "unit": "pcs", "gtin": "09501101530003"})
        receive(item="COOKIE", qty=D("240"), actor=Actor(user="t"), batch="CK-1", location="FG", unit_cost=D("0.1"))
        dispatch(qty=D("96"), actor=Actor(user="t"), reference="ORDER-77", batch="CK-1", location="FG")
    sign_in(phone, live_server, supervisor)
    phone.goto(f"{live_server.url}/dispatches/ORDER-77/sscc-labels")
    assert "ORDER-77" in phone.inner_text("h1")
    assert _serious(phone) == []
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="Pallet label for CK-1").click()
    assert phone.input_value("input[name=count]") == "96"
    phone.fill("input[name=ship_to]", "Corner Shop")
    assert _serious(phone) == []
    assert_no_sideways_scroll(phone)
    token = phone.input_value("input[name=csrf_token]")
    with phone.expect_response(lambda r: r.request.method == "POST") as response:
        phone.click("main button[type=submit]")
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "application/pdf"
    # The same request from the same session, to read the PDF the browser shows.
    pdf = phone.request.post(f"{live_server.url}/batches/CK-1/sscc-label", form={
        "count": "96", "ship_to": "Corner Shop", "dispatch": "ORDER-77", "reference": "ORDER-77", "fmt": "pdf",
        "csrf_token": token}).body()
    fields = {k: v for d in decode_pdf(pdf, 203) if d.is_gs1 for k, v in d.gs1_fields().items()}
    assert fields["37"] == "96" and fields["02"] == "09501101530003" and fields["00"].startswith("09501101")
