"""Preview equals print: the ZPL, rendered offline by zplkit as a printer would, carries the same
symbols with the same content as the PDF of the same label, each inside the label; and no text,
at the longest values the fields take, puts a dot inside a symbol or its quiet zone."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from labels import load_template, matrix, pdf, png, zpl
from labels.layout import BarsItem, Label, MatrixItem, TextItem, layout

#: Quiet zones in modules (ISO/IEC 15417, 18004, 16022).
QUIET = {"code128": 10, "qr": 4, "datamatrix": 1}


# The longest values each field takes, in wide letters: what pushed text over the symbols.
LONGEST_BATCH = {
    "item": "W" * 28,
    "item_code": "M" * 30,
    "gtin": "09501101530003",
    "batch": "WWWWWWWWWW0123456789",
    "qty": "99999.9",
    "unit": "kg",
    "produced": "2026-11-21",
    "expiry": "2027-05-21",
    "work_order": "W" * 24,
    "operator": "M" * 24,
    "url": "https://shopfloor.example/batches/" + "W" * 86,
}
LONGEST_GOODS_IN = {
    "item": "W" * 28,
    "item_code": "M" * 30,
    "gtin": "4006381333931",
    "batch": "WWWWWWWWWW0123456789",
    "supplier_lot": "L" * 20,
    "supplier": "W" * 30,
    "qty": "250",
    "unit": "pcs",
    "received": "2026-11-20",
    "expiry": "2031-11-30",
    "url": "https://shopfloor.example/batches/" + "W" * 86,
}
LONGEST_SSCC = {
    "sscc": "00950110150000001",
    "ship_from": "W" * 35,
    "ship_to": "W" * 35,
    "item": "W" * 28,
    "item_code": "M" * 30,
    "gtin": "09501101530003",
    "count": "12345678",
    "batch": "S01-261121-0007",
    "expiry": "2027-05-21",
    "reference": "W" * 30,
}


def _without(fields: dict, *names: str) -> dict:
    return {k: v for k, v in fields.items() if k not in names}


CASES = [
    ("batch", LONGEST_BATCH, 203),
    ("batch", LONGEST_BATCH, 300),
    ("batch", _without(LONGEST_BATCH, "gtin", "expiry"), 203),
    ("goods_in", LONGEST_GOODS_IN, 203),
    ("goods_in", LONGEST_GOODS_IN, 300),
    ("goods_in", LONGEST_GOODS_IN, 600),
    ("goods_in", _without(LONGEST_GOODS_IN, "gtin"), 600),
    ("sscc", LONGEST_SSCC, 203),
    ("sscc", _without(LONGEST_SSCC, "gtin", "expiry", "ship_to", "reference"), 300),
]
IDS = [f"{t}-{'no_gtin' if 'gtin' not in f else 'gtin'}-{dpi}" for t, f, dpi in CASES]


def _symbols(found) -> list[tuple[str, str]]:
    return sorted((d.format, d.text) for d in found)


def _symbol_count(label: Label) -> int:
    return sum(isinstance(item, (BarsItem, MatrixItem)) for item in label.items)


@pytest.mark.parametrize(("name", "fields", "dpi"), CASES, ids=IDS)
def test_zpl_printed_carries_the_symbols_of_the_pdf_preview(name, fields, dpi, raster):
    label = layout(load_template(name), fields, dpi)
    printed = raster.decode(raster.zpl(zpl.render(label), dpi))
    preview = raster.decode(raster.pdf(pdf.render(label), dpi))
    assert len(printed) == _symbol_count(label)
    assert _symbols(printed) == _symbols(preview)
    for found in (printed, preview):
        for symbol in found:
            left, top, right, bottom = symbol.box
            assert 0 <= left and right < label.width and 0 <= top and bottom < label.height, symbol
    # Each symbol prints where the preview shows it, give or take a module.
    for p, q in zip(sorted(printed, key=lambda d: d.text), sorted(preview, key=lambda d: d.text)):
        assert all(abs(a - b) <= 12 for a, b in zip(p.box, q.box)), (p, q)


def _quiet_areas(label: Label) -> list[tuple[int, int, int, int]]:
    """Each symbol with its quiet zone, as (left, top, right, bottom) in dots."""
    out = []
    for item in label.items:
        if isinstance(item, BarsItem):
            q = QUIET["code128"] * item.module
            width = len(item.modules) * item.module
            out.append((item.x - q, item.y, item.x + width + q, item.y + item.height))
        elif isinstance(item, MatrixItem):
            q = QUIET[item.kind] * item.module
            grid = matrix.grid(item)
            out.append((item.x - q, item.y - q, item.x + len(grid[0]) * item.module + q,
                        item.y + len(grid) * item.module + q))
    return out


def _images(label: Label, dpi: int, raster) -> dict[str, Image.Image]:
    return {
        "zpl": raster.zpl(zpl.render(label), dpi),
        "pdf": raster.pdf(pdf.render(label), dpi),
        "png": Image.open(io.BytesIO(png.render(label))).convert("L"),
    }


@pytest.mark.parametrize(("name", "fields", "dpi"), CASES, ids=IDS)
def test_text_at_the_longest_values_never_touches_a_symbol(name, fields, dpi, raster):
    label = layout(load_template(name), fields, dpi)
    symbols_only = Label(label.dpi, label.width, label.height,
                         tuple(i for i in label.items if isinstance(i, (BarsItem, MatrixItem))))
    full, bare = _images(label, dpi, raster), _images(symbols_only, dpi, raster)
    for fmt in full:
        for area in _quiet_areas(label):
            # The symbol and its quiet zone look exactly as they do with nothing else on the label.
            difference = ImageChops.difference(full[fmt].crop(area), bare[fmt].crop(area)).point(lambda v: v > 128 and 255)
            assert difference.getbbox() is None, (fmt, area)


@pytest.mark.parametrize(("name", "fields", "dpi"), CASES[:1] + CASES[3:4] + CASES[7:8], ids=IDS[:1] + IDS[3:4] + IDS[7:8])
def test_each_text_stays_inside_its_box(name, fields, dpi, raster):
    label = layout(load_template(name), fields, dpi)
    for item in label.items:
        if not isinstance(item, TextItem):
            continue
        alone = Label(label.dpi, label.width, label.height, (item,))
        for fmt, image in _images(alone, dpi, raster).items():
            ink = image.point(lambda v: v < 128 and 255).getbbox()
            if ink is None:
                continue
            left, top, right, bottom = ink
            # Glyphs may dip a few dots below the cell (descenders); never past the box's sides.
            box_width = getattr(item, "width", 0) or label.width - 2 * item.x
            assert left >= item.x - 1 and right <= item.x + box_width + 1, (fmt, item.text, ink)
            assert top >= item.y - item.height // 4 and bottom <= item.y + item.height * 5 // 4, (fmt, item.text, ink)
