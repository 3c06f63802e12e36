"""Label fixtures: field sets for the shipped templates and decoding of what was rendered."""

from __future__ import annotations

import io
from dataclasses import dataclass

import biip
import pypdfium2
import pytest
import zxingcpp
from PIL import Image


@dataclass(frozen=True)
class Decoded:
    """One symbol read back from a rendered label."""

    format: str
    symbology: str
    is_gs1: bool
    text: str
    raw: bytes
    #: Bounding box of the symbol in pixels: left, top, right, bottom.
    box: tuple[int, int, int, int] = (0, 0, 0, 0)

    def gs1_fields(self) -> dict[str, str]:
        """AI -> value, as biip reads the symbol with its symbology identifier."""
        result = biip.parse(self.symbology + self.raw.decode("ascii"))
        assert result.gs1_message is not None, result.gs1_message_error
        return {e.ai.ai: e.value for e in result.gs1_message.element_strings}


def decode_image(image: Image.Image) -> list[Decoded]:
    """Every symbol zxing-cpp finds in an image."""
    found = zxingcpp.read_barcodes(image.convert("L"))
    return [
        Decoded(
            str(r.format),
            r.symbology_identifier,
            r.content_type == zxingcpp.ContentType.GS1,
            r.text,
            r.bytes,
            _box(r.position),
        )
        for r in found
    ]


def _box(position) -> tuple[int, int, int, int]:
    corners = [position.top_left, position.top_right, position.bottom_right, position.bottom_left]
    xs, ys = [p.x for p in corners], [p.y for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def zpl_image(data: bytes, dpi: int) -> Image.Image:
    """ZPL as the printer would print it, rendered offline by zplkit, one pixel a dot."""
    import zplkit

    document = zplkit.render(data, zplkit.Options(dpi=dpi))
    raster = document.labels[0].rasterize()
    return Image.frombytes("L", (raster.width, raster.height), raster.pixels)


def pdf_image(data: bytes, dpi: int) -> Image.Image:
    """Page one of a PDF rasterised at the printer's resolution with hard edges."""
    doc = pypdfium2.PdfDocument(data)
    try:
        # One pixel a printer dot, hard edges: what a thermal head would print.
        return doc[0].render(scale=dpi / 72, no_smoothpath=True, no_smoothtext=True).to_pil().convert("L")
    finally:
        doc.close()


def decode_pdf(data: bytes, dpi: int) -> list[Decoded]:
    """Rasterise page one of a PDF at the printer's resolution and decode it."""
    return decode_image(pdf_image(data, dpi))


def decode_png(data: bytes) -> list[Decoded]:
    """Decode a PNG preview."""
    return decode_image(Image.open(io.BytesIO(data)))


@pytest.fixture(name="decode_pdf")
def _decode_pdf_fixture():
    """`decode_pdf(data, dpi)`: the symbols on page one of a rendered PDF."""
    return decode_pdf


@pytest.fixture(name="decode_png")
def _decode_png_fixture():
    """`decode_png(data)`: the symbols in a PNG preview."""
    return decode_png


@pytest.fixture
def batch_fields() -> dict[str, str]:
    """A complete batch label: kg, so (3101) carries the net weight."""
    return {
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


@pytest.fixture
def goods_in_fields() -> dict[str, str]:
    """A complete goods-in label counted in pieces, so (37) carries the count."""
    return {
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


@pytest.fixture(name="raster")
def _raster_fixture():
    """`raster.zpl(data, dpi)`, `raster.pdf(data, dpi)`: a rendered label as a grey image; `raster.decode(image)`."""

    class Raster:
        zpl = staticmethod(zpl_image)
        pdf = staticmethod(pdf_image)
        decode = staticmethod(decode_image)

    return Raster
