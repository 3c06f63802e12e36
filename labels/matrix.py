"""Module grids of QR and Data Matrix symbols, encoded by zxing-cpp, in sizes chosen before layout."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import zxingcpp

from labels import geometry
from labels.errors import LabelError

if TYPE_CHECKING:
    from labels.gs1 import ElementString
    from labels.layout import MatrixItem

_FORMATS = {"qr": zxingcpp.BarcodeFormat.QRCode, "datamatrix": zxingcpp.BarcodeFormat.DataMatrix}
# Rectangular ISO/IEC 16022 sizes, smallest capacity first; never the DMRE extension (ISO/IEC 21471).
_RECTANGLES = sorted((size for size in geometry.DATAMATRIX_SIZES if size[0] != size[1]), key=lambda s: s[0] * s[1])


def gs1_content(message: ElementString) -> str:
    """A GS1 message as zint's GS1 input: [AI]value, square brackets never occurring in GS1 data."""
    return "".join(f"[{e.ai}]{e.value}" for e in message.elements)


def size(kind: str, content: str, is_gs1: bool, room: tuple[int, int], field: str) -> tuple[int, int]:
    """Rows and columns of the smallest symbol for `content` no larger than `room`; LabelError if none is."""
    rows, cols = _size(kind, content, is_gs1, room)
    if not rows:
        raise LabelError(field, f"does not fit any rectangular Data Matrix up to {room[0]}x{room[1]}")
    if rows > room[0] or cols > room[1]:
        what = "Data Matrix" if kind == "datamatrix" else "QR code"
        raise LabelError(field, f"needs a {rows}x{cols} {what}; the template has room for {room[0]}x{room[1]}")
    return rows, cols


@lru_cache(maxsize=1024)
def _size(kind: str, content: str, is_gs1: bool, room: tuple[int, int]) -> tuple[int, int]:
    if kind == "datamatrix" and room[0] != room[1]:
        # An explicitly allowed rectangle: the smallest ISO/IEC 16022 rectangle within it that holds the data.
        for rows, cols in _RECTANGLES:
            if rows <= room[0] and cols <= room[1]:
                try:
                    _encode(kind, content, is_gs1, geometry.DATAMATRIX_SIZES[(rows, cols)])
                except LabelError:
                    continue
                return rows, cols
        return 0, 0
    return _shape(_encode(kind, content, is_gs1, 0))


def grid(item: MatrixItem) -> tuple[tuple[bool, ...], ...]:
    """Rows of dark (True) and light modules, top row first, quiet zone excluded, in the item's size."""
    if item.gs1 is not None:
        return _grid(item.kind, gs1_content(item.gs1), True, item.rows, item.cols)
    return _grid(item.kind, item.data, False, item.rows, item.cols)


@lru_cache(maxsize=256)
def _grid(kind: str, content: str, is_gs1: bool, rows: int = 0, cols: int = 0) -> tuple[tuple[bool, ...], ...]:
    version = geometry.DATAMATRIX_SIZES.get((rows, cols), 0) if kind == "datamatrix" else 0
    image = _image(_encode(kind, content, is_gs1, version))
    height, width = image.shape
    raw = image.tobytes()
    return tuple(tuple(raw[r * width + c] < 128 for c in range(width)) for r in range(height))


@lru_cache(maxsize=256)
def _encode(kind: str, content: str, is_gs1: bool, version: int) -> zxingcpp.Barcode:
    """The symbol; Data Matrix square (smallest that fits) unless a version fixes its size."""
    options: dict = {"gs1": True} if is_gs1 else {}
    if kind == "qr":
        options["ec_level"] = "M"
    elif version:
        options["version"] = version
    else:
        options["force_square"] = True  # zxing-cpp would otherwise pick DMRE rectangles
    try:
        return zxingcpp.create_barcode(content, _FORMATS[kind], **options)
    except Exception as exc:  # zxing-cpp raises its own error types for unencodable input
        raise LabelError(kind, f"cannot encode {content!r}: {exc}") from None


def _image(symbol: zxingcpp.Barcode):
    return memoryview(symbol.to_image(scale=1, add_quiet_zones=False))


def _shape(symbol: zxingcpp.Barcode) -> tuple[int, int]:
    return tuple(_image(symbol).shape)  # type: ignore[return-value]


def runs(row: tuple[bool, ...] | str) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row ('1' or True is dark)."""
    out = []
    start = None
    for i, dark in enumerate(row):
        dark = dark is True or dark == "1"
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            out.append((start, i - start))
            start = None
    if start is not None:
        out.append((start, len(row) - start))
    return out
