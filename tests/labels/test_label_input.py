"""Bad input is refused with a LabelError naming the field, before any output exists."""

from __future__ import annotations

import pytest

from labels import LabelError, load_template, render


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"gtin": "0950110153000A"}, "gtin", "digits only"),
        ({"gtin": "09501101530004"}, "gtin", "check digit 4, expected 3"),
        ({"produced": "2026-02-30"}, "produced", "not a date that exists"),
        ({"expiry": "2027-13-01"}, "expiry", "not a date that exists"),
        ({"batch": "S01 261121"}, "batch", "character ' ' cannot be encoded"),
        ({"batch": "Ü-261121"}, "batch", "character 'Ü' cannot be encoded"),
        ({"batch": "B" * 21}, "batch", "at most 20"),
        ({"qty": "twelve"}, "qty", "not a decimal"),
        ({"qty": "1234567"}, "qty", "6 digits"),
        ({"qty": "2.5", "unit": "pcs"}, "qty", "must be whole"),
        ({"unit": "crate"}, "qty", "no GS1 quantity for unit 'crate'"),
        ({"item": ""}, "item", "is required"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"url": "https://x.example/" + "a" * 200}, "url", "at most 120"),
    ],
)
@pytest.mark.parametrize("fmt", ["zpl", "pdf", "png"])
def test_bad_batch_fields(batch_fields, change, field, words, fmt):
    with pytest.raises(LabelError) as caught:
        render("batch", dict(batch_fields, **change), fmt=fmt)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{field}: ")


def test_supplier_lot_outside_code128_is_refused(goods_in_fields):
    with pytest.raises(LabelError) as caught:
        render("goods_in", dict(goods_in_fields, supplier_lot="Lös-1"), fmt="zpl")
    assert caught.value.field == "supplier_lot"
    assert "cannot be encoded in Code 128" in caught.value.message


def test_barcode_too_wide_for_the_label(tmp_path):
    path = tmp_path / "narrow.toml"
    path.write_text(
        'width_mm = 40\nheight_mm = 20\n[fields]\nlot = {}\n'
        '[[elements]]\ntype = "code128"\nx_mm = 3\ny_mm = 3\ndata = "{lot}"\n',
        encoding="utf-8",
    )
    assert render(str(path), {"lot": "A1"}, fmt="zpl")
    with pytest.raises(LabelError) as caught:
        render(str(path), {"lot": "ABCDEFGHIJKLMNOP"}, fmt="zpl")
    assert caught.value.field == "lot"
    assert "the template has room for" in caught.value.message


def test_gs1_128_longer_than_48_characters_is_refused(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(
        'width_mm = 300\nheight_mm = 30\n[fields]\ngtin = {kind = "gtin"}\nbatch = {}\nserial = {}\n'
        '[[elements]]\ntype = "gs1_128"\nx_mm = 5\ny_mm = 5\nais = [{ai = "01", field = "gtin"}, '
        '{ai = "10", field = "batch"}, {ai = "21", field = "serial"}]\n',
        encoding="utf-8",
    )
    with pytest.raises(LabelError, match="at most 48 characters"):
        render(str(path), {"gtin": "09501101530003", "batch": "B" * 20, "serial": "S" * 12}, fmt="zpl")


def test_qr_module_beyond_zpl_magnification(batch_fields):
    with pytest.raises(LabelError, match="magnification"):
        render("batch", batch_fields, fmt="zpl", dpi=600)


@pytest.mark.parametrize("fmt, dpi, words", [("bmp", 203, "not one of"), ("zpl", 150, "not supported")])
def test_bad_format_or_dpi(batch_fields, fmt, dpi, words):
    with pytest.raises(LabelError, match=words):
        render(load_template("batch"), batch_fields, fmt=fmt, dpi=dpi)
