"""SSCC pallet labels printed from the web admin for a batch or a dispatch, decoded from the PDF."""
from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from central.db import database
from central.inventory import dispatch, receive
from central.models.labels import SsccLabel
from central.sscc import mint
from tests.labels.conftest import decode_pdf

PREFIX = "9501101"


@pytest.fixture
def settings_overrides(db_url, tmp_path) -> dict:
    """Central settings with a GS1 company prefix, so SSCCs can be handed out."""
    return {"database.url": db_url, "data_dir": str(tmp_path / "data"), "web.secret_key": "test-secret",
            "labels.gs1_company_prefix": PREFIX, "site.name": "Plant 1 Springfield"}


@pytest.fixture
def stocked(app, plant, person):
    """COOKIE (with a GTIN, counted) and FLOUR (no GTIN, kg) received, part of COOKIE dispatched."""
    with database.connection_context():
        receive(item="COOKIE", qty=D("240"), actor=person, batch="CK-1", location="FG", unit_cost=D("0.1"))
        receive(item="FLOUR", qty=D("500"), actor=person, batch="FL-1", location="RECV", unit_cost=D("1"))
        dispatch(qty=D("96"), actor=person, reference="ORDER-77", batch="CK-1", location="FG")


def _login(client, user):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": user[0], "password": user[1], "csrf_token": token})


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_batch_pallet_label_carries_sscc_content_count_batch(client, admin_user, stocked):
    _login(client, admin_user)
    page = client.get("/batches/CK-1/sscc-label").get_data(as_text=True)
    assert 'value="144"' in page  # what is on hand, counted
    resp = client.post("/batches/CK-1/sscc-label", data={"count": "144", "ship_to": "Shop & Co <Ltd>", "fmt": "pdf",
                                                          "csrf_token": _token(page)})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    found = decode_pdf(resp.data, 203)
    fields = {k: v for d in found if d.is_gs1 for k, v in d.gs1_fields().items()}
    assert fields["02"] == "09501101530003" and fields["37"] == "144" and fields["10"] == "CK-1"
    sscc = fields["00"]
    assert sscc.startswith("0" + PREFIX) and len(sscc) == 18
    with database.connection_context():
        row = SsccLabel.get(SsccLabel.sscc == sscc)
    assert (row.batch, row.created_by) == ("CK-1", admin_user[0])


def test_a_dispatch_lists_its_batches_with_their_pallet_label(client, admin_user, stocked):
    _login(client, admin_user)
    page = client.get("/dispatches/ORDER-77/sscc-labels").get_data(as_text=True)
    assert "CK-1" in page and "96" in page
    form = client.get("/batches/CK-1/sscc-label?dispatch=ORDER-77&count=96").get_data(as_text=True)
    assert 'value="96"' in form and 'value="ORDER-77"' in form
    resp = client.post("/batches/CK-1/sscc-label", data={"count": "96", "dispatch": "ORDER-77", "fmt": "zpl",
                                                          "csrf_token": _token(form)})
    assert resp.status_code == 200 and b"^XA" in resp.data and b"REF ORDER-77" in resp.data
    with database.connection_context():
        assert SsccLabel.get().dispatch == "ORDER-77"
    assert client.get("/dispatches/NO-SUCH/sscc-labels").status_code == 404


def test_no_gtin_gives_sscc_and_a_plain_batch_code(client, admin_user, stocked):
    _login(client, admin_user)
    page = client.get("/batches/FL-1/sscc-label").get_data(as_text=True)
    assert re.search(r'name="count"[^>]*value=""', page)  # kg: no count offered
    resp = client.post("/batches/FL-1/sscc-label", data={"count": "20", "fmt": "pdf", "csrf_token": _token(page)})
    found = decode_pdf(resp.data, 203)
    assert [d.gs1_fields().keys() for d in found if d.is_gs1] == [{"00": ""}.keys()]
    assert "FL-1" in {d.text for d in found if not d.is_gs1}


def test_a_bad_count_is_refused_and_hands_out_no_sscc(client, admin_user, stocked):
    _login(client, admin_user)
    page = client.get("/batches/CK-1/sscc-label").get_data(as_text=True)
    resp = client.post("/batches/CK-1/sscc-label", data={"count": "1.5", "fmt": "pdf", "csrf_token": _token(page)})
    assert resp.status_code == 400 and "a whole number" in resp.get_data(as_text=True)
    with database.connection_context():
        assert SsccLabel.select().count() == 0


def test_without_a_company_prefix_the_page_says_what_to_set(app, plant):
    with database.connection_context(), pytest.raises(Exception) as caught:
        mint({"labels.gs1_company_prefix": "", "labels.sscc_extension": "0"}, by="x")
    assert "labels.gs1_company_prefix" in str(caught.value)


def test_serials_are_never_handed_out_twice(app, plant):
    settings = {"labels.gs1_company_prefix": PREFIX, "labels.sscc_extension": "3"}
    with database.connection_context():
        numbers = [mint(settings, by="x") for _ in range(3)]
    assert len(set(numbers)) == 3 and all(n.startswith("3" + PREFIX) for n in numbers)


def test_an_operator_cannot_print_pallet_labels(client, app, stocked):
    from central.auth import create_user

    with database.connection_context():
        create_user("viewer1", "correct horse", "viewer", "V")
    _login(client, ("viewer1", "correct horse"))
    page = client.get("/batches/CK-1/sscc-label").get_data(as_text=True)
    assert "Supervisors and planners print pallet labels" in page
    resp = client.post("/batches/CK-1/sscc-label", data={"count": "5", "fmt": "pdf", "csrf_token": _token(page)})
    assert resp.status_code == 403
