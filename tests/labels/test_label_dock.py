"""What a receiving dock rejects, each refused or made right: Data Matrix sizes, GS1 pairs, no GTIN."""

from __future__ import annotations

import pytest

from labels import LabelError, load_template, render
from labels.layout import MatrixItem, layout

# The GS1 General Specifications' example, which the encoder used to put in an 8x64 DMRE rectangle.
SPEC_EXAMPLE = {"gtin": "09506000134352", "expiry": "2020-12-25", "qty": "12.5", "unit": "kg", "batch": "ABC123"}
ISO_16022_SQUARES = {10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132, 144}


def _template(tmp_path, source: str):
    path = tmp_path / "t.toml"
    path.write_text(source, encoding="utf-8")
    return path


def _datamatrix(found):
    return [d for d in found if d.format == "Data Matrix"]


@pytest.mark.parametrize("fields", [SPEC_EXAMPLE, dict(SPEC_EXAMPLE, qty="250", unit="pcs")], ids=["kg", "pcs"])
@pytest.mark.parametrize("dpi", [203, 300])
def test_goods_in_data_matrix_is_an_iso_16022_square_the_same_in_pdf_and_zpl(goods_in_fields, fields, dpi, raster):
    # zplkit's resident font has no umlauts; a printer's has.
    values = dict(goods_in_fields, supplier="Schrauben Mueller GmbH", **fields)
    label = layout(load_template("goods_in"), values, dpi)
    (symbol,) = [i for i in label.items if isinstance(i, MatrixItem) and i.kind == "datamatrix"]
    left, top, right, bottom = _datamatrix(raster.decode(raster.pdf(render("goods_in", values, "pdf", dpi), dpi)))[0].box
    modules_wide, modules_high = round((right - left + 1) / symbol.module), round((bottom - top + 1) / symbol.module)
    assert modules_wide == modules_high in ISO_16022_SQUARES
    assert right < label.width
    zpl = render("goods_in", values, "zpl", dpi).decode()
    # The printer is told the size the preview shows.
    assert f"^BXN,{symbol.module},200,{modules_wide},{modules_high},," in zpl
    printed = _datamatrix(raster.decode(raster.zpl(zpl.encode(), dpi)))[0]
    assert abs((printed.box[2] - printed.box[0]) - (right - left)) <= symbol.module


def test_a_rectangle_only_when_the_template_allows_one(tmp_path):
    path = _template(
        tmp_path,
        'width_mm = 60\nheight_mm = 20\n[fields]\nlot = {}\n'
        '[[elements]]\ntype = "datamatrix"\nx_mm = 2\ny_mm = 2\nmodule_mm = 0.5\nsize = "16x48"\ndata = "{lot}"\n',
    )
    symbol = layout(load_template(str(path)), {"lot": "ABC123"}, 203).items[0]
    assert (symbol.rows, symbol.cols) == (8, 18)
    with pytest.raises(LabelError, match="8x64"):
        path.write_text(path.read_text().replace("16x48", "8x64"), encoding="utf-8")
        load_template(str(path))


def test_a_data_matrix_larger_than_its_room_is_refused_naming_the_field(tmp_path):
    path = _template(
        tmp_path,
        'width_mm = 30\nheight_mm = 20\n[fields]\nlot = {}\n'
        '[[elements]]\ntype = "datamatrix"\nx_mm = 2\ny_mm = 2\nmodule_mm = 0.5\nsize = "12x12"\ndata = "{lot}"\n',
    )
    assert render(str(path), {"lot": "AB12"}, "zpl")
    with pytest.raises(LabelError) as caught:
        render(str(path), {"lot": "ABCDEFGHIJKLMNOPQRST"}, "zpl")
    assert caught.value.field == "lot"
    assert "the template has room for 12x12" in caught.value.message


@pytest.mark.parametrize("template", ["batch", "goods_in"])
def test_a_counted_trade_item_never_pairs_01_with_37(template, batch_fields, goods_in_fields, raster):
    fields = dict(batch_fields if template == "batch" else goods_in_fields, qty="250", unit="pcs")
    found = raster.decode(raster.pdf(render(template, fields, "pdf", 203), 203))
    ais = {ai for d in found if d.is_gs1 for ai in d.gs1_fields()}
    assert "01" in ais and "37" not in ais


@pytest.mark.parametrize("template", ["batch", "goods_in"])
def test_an_item_without_gtin_gets_an_internal_symbol_with_no_gs1_ai(template, batch_fields, goods_in_fields, raster):
    fields = dict(batch_fields if template == "batch" else goods_in_fields)
    del fields["gtin"]
    found = raster.decode(raster.pdf(render(template, fields, "pdf", 203), 203))
    assert found and not any(d.is_gs1 for d in found)
    assert fields["batch"] in {d.text for d in found}
    assert all("(" not in d.text for d in found)


def test_a_variable_measure_trade_item_counts_with_30(batch_fields, raster):
    fields = dict(batch_fields, gtin="99501101530006", qty="40", unit="pcs")
    found = raster.decode(raster.pdf(render("batch", fields, "pdf", 203), 203))
    assert {"30": "40", "10": fields["batch"]} in [d.gs1_fields() for d in found if d.is_gs1]


def test_logistic_unit_role_gives_02_with_37_and_needs_00(tmp_path, raster):
    source = (
        'width_mm = 100\nheight_mm = 60\nrole = "logistic_unit"\n[fields]\n'
        'gtin = {kind = "gtin"}\ncount = {}\nsscc = {kind = "sscc", required = false}\n'
        '[[elements]]\ntype = "gs1_datamatrix"\nx_mm = 5\ny_mm = 5\nsize = "32x32"\n'
        'ais = [{ai = "00", field = "sscc"}, {ai = "gtin", field = "gtin"}, {ai = "37", field = "count"}]\n'
    )
    path = _template(tmp_path, source)
    found = raster.decode(raster.pdf(render(str(path), {"gtin": "09501101530003", "count": "24",
                                                        "sscc": "00950110150000001"}, "pdf", 203), 203))
    assert [d.gs1_fields() for d in found] == [{"00": "009501101500000013", "02": "09501101530003", "37": "24"}]
    with pytest.raises(LabelError) as caught:
        render(str(path), {"gtin": "09501101530003", "count": "24"}, "zpl")
    assert caught.value.field == "count"
    assert "(37) requires (00)" in caught.value.message


def test_a_role_field_overrides_the_templates_role(tmp_path):
    path = _template(
        tmp_path,
        'width_mm = 100\nheight_mm = 40\n[fields]\ngtin = {kind = "gtin"}\nrole = {kind = "role", required = false}\n'
        '[[elements]]\ntype = "gs1_128"\nx_mm = 5\ny_mm = 5\nais = [{ai = "gtin", field = "gtin"}]\n',
    )
    assert b">;>801" in render(str(path), {"gtin": "09501101530003"}, "zpl")
    with pytest.raises(LabelError, match=r"\(02\) requires \(37\)"):
        render(str(path), {"gtin": "09501101530003", "role": "logistic unit"}, "zpl")
    with pytest.raises(LabelError) as caught:
        render(str(path), {"gtin": "09501101530003", "role": "pallet"}, "zpl")
    assert caught.value.field == "role"
