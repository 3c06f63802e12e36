"""ZPL pinned byte for byte: the same template, fields and resolution always give the same bytes.

The expected files live in `zpl_pinned/`. Rewrite them only for an intended change of output:

    .venv/bin/python tests/labels/test_label_zpl_pinned.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PINNED = HERE / "zpl_pinned"

BATCH = {
    "item": "Flour type 550",
    "item_code": "RM-FL550",
    "gtin": "09501101530003",
    "batch": "S01-261121-0007",
    "qty": "12.5",
    "unit": "kg",
    "produced": "2026-11-21",
    "expiry": "2027-05-21",
    "work_order": "WO-2026-0001",
    "operator": "OP-17",
    "url": "https://shopfloor.example/batches/S01-261121-0007",
}
GOODS_IN = {
    "item": "Hex bolt M8x40",
    "item_code": "BOLT-M8-40",
    "gtin": "4006381333931",
    "batch": "S01-261120-0003",
    "supplier_lot": "L_4711/A",
    "supplier": "Schrauben Müller GmbH",
    "qty": "250",
    "unit": "pcs",
    "received": "2026-11-20",
    "expiry": "2031-11-30",
    "url": "https://shopfloor.example/batches/S01-261120-0003",
}
CUSTOM = {
    "code": "a>b^c~d 0123456789",
    "note": "Müller ~ 5\\ ^x",
    "lot": "L_4711/A",
    "gtin": "4006381333931",
    "made": "2026-11-20",
    "qty": "0.125",
    "unit": "l",
}

#: Pinned file name -> (template, fields, dpi).
CASES = {
    "batch_203.zpl": ("batch", BATCH, 203),
    "batch_300.zpl": ("batch", BATCH, 300),
    "batch_pcs_no_gtin_no_expiry_203.zpl": (
        "batch",
        dict(BATCH, gtin=None, expiry="", qty="40", unit="pcs"),
        203,
    ),
    "batch_escapes_utf8_qr_300.zpl": (
        "batch",
        dict(BATCH, item="50^ off ~ today \\o/", url="https://shopfloor.example/lots/Straße"),
        300,
    ),
    "goods_in_203.zpl": ("goods_in", GOODS_IN, 203),
    "goods_in_300.zpl": ("goods_in", GOODS_IN, 300),
    "goods_in_m3_no_expiry_203.zpl": ("goods_in", dict(GOODS_IN, qty="1.5", unit="m3", expiry=None), 203),
    "custom_203.zpl": ("custom", CUSTOM, 203),
    "custom_300.zpl": ("custom", CUSTOM, 300),
    "custom_600.zpl": ("custom", CUSTOM, 600),
    "custom_no_note_203.zpl": ("custom", dict(CUSTOM, note=None), 203),
}


def _render(name: str) -> bytes:
    from labels import load_template, render

    template, fields, dpi = CASES[name]
    if template == "custom":
        template = str(PINNED / "custom.toml")
    return render(load_template(template), fields, fmt="zpl", dpi=dpi)


@pytest.mark.parametrize("name", sorted(CASES))
def test_zpl_is_byte_identical_to_the_pinned_output(name):
    assert _render(name) == (PINNED / name).read_bytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_zpl_rendered_twice_is_identical(name):
    # The second rendering of a label goes through whatever was kept from the first.
    first = _render(name)
    assert _render(name) == first == (PINNED / name).read_bytes()


def test_every_pinned_file_has_a_case():
    assert sorted(p.name for p in PINNED.glob("*.zpl")) == sorted(CASES)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    sys.path.insert(0, str(HERE.parent.parent))
    for case in CASES:
        (PINNED / case).write_bytes(_render(case))
        print("wrote", PINNED / case)
