"""Rendered PDFs and PNGs, decoded with zxing-cpp, carry exactly the GS1 fields that were meant."""

from __future__ import annotations

import pytest

from labels import load_template, render

BATCH_KG = [
    {"01": "09501101530003", "11": "261121", "17": "270521"},
    {"3101": "000125", "10": "S01-261121-0007"},
]
# (01) excludes (37): the GTIN of a fixed-measure trade item already says how many it holds.
GOODS_IN_PCS = [{"01": "04006381333931", "17": "311130", "10": "S01-261120-0003"}]


def _gs1(decoded):
    return sorted((d.gs1_fields() for d in decoded if d.is_gs1), key=lambda f: sorted(f))


def _plain(decoded):
    return sorted(d.text for d in decoded if not d.is_gs1)


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_batch_pdf_decodes_to_the_fields(batch_fields, dpi, decode_pdf):
    found = decode_pdf(render("batch", batch_fields, fmt="pdf", dpi=dpi), dpi)
    assert _gs1(found) == sorted(BATCH_KG, key=sorted)
    assert {d.symbology for d in found if d.is_gs1} == {"]C1"}
    assert _plain(found) == [batch_fields["url"]]


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_goods_in_pdf_decodes_to_the_fields(goods_in_fields, dpi, decode_pdf):
    found = decode_pdf(render("goods_in", goods_in_fields, fmt="pdf", dpi=dpi), dpi)
    assert _gs1(found) == GOODS_IN_PCS
    assert [d.symbology for d in found if d.is_gs1] == ["]d2"]
    assert _plain(found) == sorted([goods_in_fields["url"], goods_in_fields["supplier_lot"]])


@pytest.mark.parametrize("dpi", [203, 300])
def test_batch_without_gtin_has_no_gs1_symbol(batch_fields, dpi, decode_pdf):
    fields = dict(batch_fields, unit="pcs", qty="40")
    del fields["gtin"], fields["expiry"]
    found = decode_pdf(render("batch", fields, fmt="pdf", dpi=dpi), dpi)
    # (10), (11) and (37) each require a GTIN: without one the batch code goes in a plain Code 128.
    assert not any(d.is_gs1 for d in found)
    assert _plain(found) == sorted([fields["url"], "S01-261121-0007"])


@pytest.mark.parametrize("dpi", [203, 300])
def test_png_preview_decodes_like_the_pdf(batch_fields, goods_in_fields, dpi, decode_png):
    assert _gs1(decode_png(render("batch", batch_fields, fmt="png", dpi=dpi))) == sorted(BATCH_KG, key=sorted)
    assert _gs1(decode_png(render("goods_in", goods_in_fields, fmt="png", dpi=dpi))) == GOODS_IN_PCS


def test_png_is_one_pixel_per_dot(batch_fields):
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(render("batch", batch_fields, fmt="png", dpi=300)))
    template = load_template("batch")
    assert image.size == (round(template.width_mm * 300 / 25.4), round(template.height_mm * 300 / 25.4))


def test_pdf_page_is_the_label_size(batch_fields):
    import pypdfium2

    doc = pypdfium2.PdfDocument(render("batch", batch_fields, fmt="pdf", dpi=203))
    width, height = doc[0].get_size()
    doc.close()
    # 100 x 78 mm, rounded to whole 203 dpi dots.
    assert width == pytest.approx(100 / 25.4 * 72, abs=0.2)
    assert height == pytest.approx(78 / 25.4 * 72, abs=0.2)


def test_pdf_text_is_searchable_utf8(goods_in_fields):
    import pypdfium2

    doc = pypdfium2.PdfDocument(render("goods_in", goods_in_fields, fmt="pdf"))
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    assert "Schrauben Müller GmbH" in text
    assert "Batch S01-261120-0003" in text


def test_plain_datamatrix_and_characters_needing_escapes(tmp_path, decode_pdf):
    path = tmp_path / "t.toml"
    path.write_text(
        """
width_mm = 60
height_mm = 40
[fields]
code = {}
[[elements]]
type = "datamatrix"
x_mm = 5
y_mm = 5
module_mm = 0.5
data = "{code}"
[[elements]]
type = "code128"
x_mm = 5
y_mm = 22
module_mm = 0.25
data = "{code}"
""",
        encoding="utf-8",
    )
    code = "A>^~_1"
    found = decode_pdf(render(str(path), {"code": code}, fmt="pdf", dpi=300), 300)
    assert sorted((d.format, d.text) for d in found) == [("Code 128", code), ("Data Matrix", code)]
