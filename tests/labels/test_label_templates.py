"""Templates load from TOML, shipped or by path, and bad ones are refused with the reason."""

from __future__ import annotations

import pytest

from labels import LabelError, Template, load_template
from labels import template as t


def test_shipped_templates_load():
    batch = load_template("batch")
    assert isinstance(batch, Template)
    assert (batch.width_mm, batch.height_mm) == (100, 78)
    assert set(batch.fields) == {
        "item", "item_code", "gtin", "batch", "qty", "unit", "produced", "expiry", "work_order", "operator", "url",
    }
    assert not batch.fields["gtin"].required and not batch.fields["expiry"].required
    kinds = {type(e) for e in batch.elements}
    assert {t.Text, t.GS1_128, t.QR, t.Line, t.Box} <= kinds
    goods_in = load_template("goods_in")
    assert {t.GS1DataMatrix, t.Code128, t.QR} <= {type(e) for e in goods_in.elements}
    assert "supplier_lot" in goods_in.fields


def test_template_by_path(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text('width_mm = 50\nheight_mm = 25\n[fields]\nx = {}\n[[elements]]\ntype = "text"\nx_mm = 1\ny_mm = 1\ntext = "{x}"\n')
    template = load_template(path)
    assert template.name == "small"
    assert template.elements == (t.Text(1, 1, "{x}"),)


@pytest.mark.parametrize(
    "body, words",
    [
        ("height_mm = 20\n", "width_mm and height_mm are required"),
        ('width_mm = 50\nheight_mm = 20\n[[elements]]\ntype = "star"\n', "unknown type 'star'"),
        ('width_mm = 50\nheight_mm = 20\n[[elements]]\ntype = "text"\nx_mm = 1\ny_mm = 1\ntext = "{nope}"\n',
         "undeclared field 'nope'"),
        ('width_mm = 50\nheight_mm = 20\n[[elements]]\ntype = "text"\nx_mm = 1\ntext = "a"\n', "y_mm"),
        ('width_mm = 50\nheight_mm = 20\ncolour = "red"\n', "unknown keys colour"),
        ('width_mm = 50\nheight_mm = 20\n[fields]\nd = {kind = "colour"}\n', "unknown kind 'colour'"),
        ("width_mm = = 5\n", "small.toml"),
    ],
)
def test_bad_templates(tmp_path, body, words):
    path = tmp_path / "small.toml"
    path.write_text(body)
    with pytest.raises(LabelError) as caught:
        load_template(path)
    assert caught.value.field == "template"
    assert words in caught.value.message


def test_unknown_shipped_name_lists_the_shipped_ones():
    with pytest.raises(LabelError, match="shipped: asset, batch, goods_in"):
        load_template("pallet")


def test_optional_elements_follow_their_field(batch_fields):
    from labels.layout import TextItem, layout

    with_expiry = layout(load_template("batch"), batch_fields)
    without = layout(load_template("batch"), {k: v for k, v in batch_fields.items() if k != "expiry"})
    texts = lambda label: [i.text for i in label.items if isinstance(i, TextItem)]  # noqa: E731
    assert "Expiry 2027-05-21" in texts(with_expiry)
    assert not any(x.startswith("Expiry") for x in texts(without))
    assert "(01)09501101530003(11)261121" in texts(without)
