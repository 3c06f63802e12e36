"""Layout that cannot overlap: templates refused on load, text fitted in its box."""
from __future__ import annotations

import pytest

from labels import LabelError, load_template
from labels.layout import TextItem, layout
from labels.template import from_dict
from labels.textfit import ELLIPSIS, width

FIELDS = {"a": {}}


def _template(*elements, width_mm=100, height_mm=40, **extra):
    return from_dict({"name": "t", "width_mm": width_mm, "height_mm": height_mm, "fields": FIELDS,
                      "elements": list(elements), **extra})


QR = {"type": "qr", "x_mm": 70, "y_mm": 5, "data": "{a}", "module_mm": 0.5, "size": "25x25"}


def test_a_text_box_reaching_into_a_qr_quiet_zone_is_refused():
    # The QR starts at 70 mm; its quiet zone of 4 modules at 0.5 mm starts at 68 mm.
    assert _template({"type": "text", "x_mm": 4, "y_mm": 5, "width_mm": 63.5, "text": "{a}"}, QR)
    with pytest.raises(LabelError) as caught:
        _template({"type": "text", "x_mm": 4, "y_mm": 5, "width_mm": 65, "text": "{a}"}, QR)
    assert caught.value.field == "template"
    assert "element 1 (text '{a}') and element 2 (qr '{a}') overlap" in caught.value.message


def test_a_text_in_a_code128_quiet_zone_is_refused():
    bars = {"type": "code128", "x_mm": 10, "y_mm": 20, "data": "{a}", "width_mm": 50, "height_mm": 10}
    with pytest.raises(LabelError, match="overlap"):
        _template(bars, {"type": "text", "x_mm": 62, "y_mm": 22, "width_mm": 20, "text": "x"})  # quiet zone to 62.5
    assert _template(bars, {"type": "text", "x_mm": 63, "y_mm": 22, "width_mm": 20, "text": "x"})


def test_a_frame_through_a_quiet_zone_is_refused_and_a_symbol_off_the_label_too():
    with pytest.raises(LabelError, match="overlap"):
        _template({"type": "box", "x_mm": 1, "y_mm": 1, "width_mm": 98, "height_mm": 38},
                  {"type": "code128", "x_mm": 3, "y_mm": 5, "data": "{a}", "width_mm": 60})
    with pytest.raises(LabelError, match="does not fit the 100 x 40 mm label"):
        _template(dict(QR, y_mm=30))


def test_elements_never_on_the_same_label_may_share_their_area():
    fields = {"a": {}, "g": {"required": False}}
    template = from_dict({"name": "t", "width_mm": 100, "height_mm": 40, "fields": fields, "elements": [
        dict(QR, when="g"), dict(QR, unless="g", data="{a}!")]})
    assert len(layout(template, {"a": "x"}, 203).items) == 1


def test_sizes_that_are_not_iso_16022_or_qr_are_refused():
    with pytest.raises(LabelError, match="8x64"):
        _template({"type": "datamatrix", "x_mm": 5, "y_mm": 5, "data": "{a}", "size": "8x64"})
    with pytest.raises(LabelError, match="not a QR code size"):
        _template(dict(QR, size="24x24"))


@pytest.mark.parametrize(("key", "value", "message"), [
    ("module_mm", 0.4, "X-dimension of 0.375 mm at 203 dpi"),
    ("height_mm", 20, "at least 31.75 mm"),
])
def test_a_logistic_label_outside_gs1_limits_is_refused(key, value, message):
    symbol = {"type": "gs1_128", "x_mm": 8, "y_mm": 2, "ais": [{"ai": "00", "field": "a"}], "module_mm": 0.5,
              "height_mm": 32, "width_mm": 130, "hri": False}
    assert _template(symbol, width_mm=148, height_mm=40, role="logistic_unit")
    with pytest.raises(LabelError, match=message):
        _template(dict(symbol, **{key: value}), width_mm=148, height_mm=40, role="logistic_unit")


def _lines(template, text: str, dpi: int = 203) -> list[TextItem]:
    return [i for i in layout(template, {"a": text}, dpi).items if isinstance(i, TextItem)]


def test_text_is_shrunk_down_to_its_minimum_then_cut_with_an_ellipsis():
    template = _template({"type": "text", "x_mm": 5, "y_mm": 5, "width_mm": 40, "size_mm": 5, "min_size_mm": 3,
                          "text": "{a}"})
    (fits,) = _lines(template, "Flour")
    assert fits.height == 40 and fits.text == "Flour"  # 5 mm at 203 dpi
    (shrunk,) = _lines(template, "Flour type 550 wheat")
    assert 24 <= shrunk.height < 40 and shrunk.text == "Flour type 550 wheat"
    (cut,) = _lines(template, "W" * 40)
    assert cut.height == 24 and cut.text.endswith(ELLIPSIS) and cut.text.startswith("WWW")
    for item in (shrunk, cut):
        assert width(item.text, item.height, item.bold) <= item.width == 320


def test_wrapped_text_uses_at_most_its_lines_and_stays_in_its_box():
    template = _template({"type": "text", "x_mm": 5, "y_mm": 5, "width_mm": 30, "size_mm": 4, "min_size_mm": 3,
                          "overflow": "wrap", "lines": 2, "text": "{a}"})
    lines = _lines(template, "Shopfloor Plant One, Industrial Estate North, Building 7")
    assert len(lines) == 2 and lines[1].y == lines[0].y + lines[0].height
    assert lines[0].text.startswith("Shopfloor") and lines[1].text.endswith(ELLIPSIS)
    assert all(width(i.text, i.height, i.bold) <= i.width for i in lines)
    (one,) = _lines(template, "Plant 1")
    assert one.height == 32


def test_every_shipped_template_loads():
    for name in ("batch", "goods_in", "sscc"):
        assert load_template(name).elements
