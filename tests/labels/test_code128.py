"""Code 128 codewords: fewest symbols, FNC1, and bars a reader decodes."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from labels import LabelError, code128
from labels.code128 import FNC1


def _decode(text: str) -> zxingcpp.Result:
    modules = code128.modules(code128.codewords(text, "f"))
    quiet = "0" * 10
    row = quiet + modules + quiet
    image = Image.new("L", (len(row) * 2, 40), 255)
    for i, m in enumerate(row):
        if m == "1":
            image.paste(0, (i * 2, 0, i * 2 + 2, 40))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("AB", [104, 33, 34]),
        ("1234", [105, 12, 34]),
        ("123", [104, 17, 18, 19]),
        ("A12345", [104, 33, 17, 99, 23, 45]),
        (FNC1 + "0109", [105, 102, 1, 9]),
        (FNC1 + "3712" + FNC1 + "10AB", [105, 102, 37, 12, 102, 10, 100, 33, 34]),
    ],
)
def test_codewords_are_minimal(text, expected):
    assert code128.codewords(text, "f") == expected


def test_check_value_is_the_weighted_sum_mod_103():
    values = code128.codewords("PJJ123C", "f")
    assert values == [104, 48, 42, 42, 17, 18, 19, 35]
    # 104 + 48*1 + 42*2 + 42*3 + 17*4 + 18*5 + 19*6 + 35*7 = 879 = 8*103 + 55
    assert code128.check_value(values) == 55


@pytest.mark.parametrize("text", ["Hello >^~ 123", "L_4711/A", "0000000", "a1b22c333d4444"])
def test_plain_bars_decode_to_the_text(text):
    result = _decode(text)
    assert result.text == text
    assert result.symbology_identifier == "]C0"


def test_leading_fnc1_makes_gs1_128():
    result = _decode(FNC1 + "3712" + FNC1 + "10AB")
    assert result.symbology_identifier == "]C1"
    assert result.bytes == b"3712\x1d10AB"


@pytest.mark.parametrize("text", ["Müller", "tab\there", "€"])
def test_characters_outside_code128_are_refused(text):
    with pytest.raises(LabelError, match="cannot be encoded in Code 128"):
        code128.codewords(text, "supplier_lot")
