"""User text in the batch-record PDF and in the Pareto CSVs is data, never markup or a formula."""
import csv
import io
import uuid

import pypdfium2
import pypdfium2.raw as pdfium_c
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from central.batchrecord import render_pdf
from central.db import database
from central.models import Station, WorkCentre
from central.reasons import create_reason_code
from central.recorder import record_raw
from tests.central.test_api_stock_production import setup_plant


def _pdf_text_and_images(pdf: bytes) -> tuple[str, int]:
    doc = pypdfium2.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    images = sum(1 for i in range(len(doc)) for _ in doc[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    return text, images


def test_markup_in_a_supplier_lot_cannot_embed_a_server_file(api, tmp_path):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "red").save(secret)
    setup_plant(api)
    lot = f'<img src="{secret}" width="40" height="40"/>'
    assert api.post("/api/v1/stock/receipts", json={"item": "FLOUR", "batch": "F1", "qty": "1", "supplier_lot": lot}).status_code == 201
    resp = api.get("/batches/F1/record.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text, images = _pdf_text_and_images(resp.data)
    assert images == 0
    assert "supplier lot <img" in text and "secret.png" in text  # shown as the text it is


def test_broken_markup_in_names_still_makes_a_pdf(api):
    setup_plant(api)
    nasty = '"><img src=x onerror=alert(1)>'
    assert api.post("/api/v1/items", json={"code": "ODD", "unit": "kg", "name": nasty + " <b>&amp; <font"}).status_code == 201
    assert api.post("/api/v1/stock/receipts", json={"item": "ODD", "batch": "O1", "qty": "1", "supplier_lot": nasty}).status_code == 201
    resp = api.get("/batches/O1/record.pdf")
    assert resp.status_code == 200
    assert "onerror=alert(1)>" in _pdf_text_and_images(resp.data)[0]


def _record(text: str) -> dict:
    row = {"batch": text, "location": text, "qty": "1", "work_order": text, "unit": text, "to": text, "at": text}
    return {"batch": {"code": text, "item": text, "item_name": text, "status": text, "expiry": None, "supplier_lot": text},
            "work_order": {"number": text, "recipe": text, "status": text, "started_at": None, "completed_at": text},
            "inputs": [{"item": text, "batch": text, "supplier_lot": text, "qty": "1", "unit": text, "value": "0"}],
            "stages": [], "operators": [text], "outputs": [],
            "where_it_went": {"locations": [row], "consumptions": [row], "dispatches": [row]},
            "flags": [{"kind": text, "severity": text, "message": text, "resolution": text}], "generated_at": "now"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)
       | st.sampled_from(["<", "&", "<para>", "</b>", "<img src='/etc/hostname'/>", "&#x0;", "<br/>" * 50, "\x00<>\x07"]))
def test_any_text_renders(text):
    assert render_pdf(_record(text)).startswith(b"%PDF")


def test_pareto_csvs_export_formulas_as_text(api):
    with database.connection_context():
        Station.create(code="S01", site="plant1", work_centre=WorkCentre.create(code="WC-A"))
        create_reason_code("DT-JAM", "downtime", description='=HYPERLINK("http://evil.example","click")')
        create_reason_code("DT-POW", "downtime", description="@SUM(1+1)")
        raws = [{"id": str(uuid.uuid4()), "type": "machine.down", "site": "plant1", "station": "S01", "seq": i + 1,
                 "at": f"2026-05-01T0{i}:00:00.000Z", "operator": None, "data": {"reason": code}}
                for i, code in enumerate(("DT-JAM", "DT-POW"))]
        assert record_raw(raws, site="plant1", station="S01").rejected == []
    for path in ("/analysis/reasons.csv", "/api/v1/analysis/reasons/pareto?format=csv"):
        rows = list(csv.DictReader(io.StringIO(api.get(path).get_data(as_text=True))))
        described = {r["code"]: r["description"] for r in rows}
        assert described == {"DT-JAM": """'=HYPERLINK("http://evil.example","click")""", "DT-POW": "'@SUM(1+1)"}, path
