"""Module grids of QR and Data Matrix symbols, encoded by zxing-cpp, in sizes chosen before layout."""

from __future__ import annotations

import re
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
        raise LabelError(field, f"needs a {what} of {rows}x{cols} modules; the template has room for {room[0]}x{room[1]}")
    return rows, cols


# Bytes a QR code holds in byte mode at error correction M, versions 1 to 40.
_QR_BYTES_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711,
               779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099,
               2213, 2331)


def _qr_bound(content: str) -> tuple[int, int] | None:
    """The largest QR code ASCII `content` can need: byte mode, which no other mode exceeds."""
    if not content.isascii():
        return None  # an ECI header may be added: ask the encoder
    version = next((v for v, n in enumerate(_QR_BYTES_M, 1) if n >= len(content)), 40)
    return 17 + 4 * version, 17 + 4 * version


@lru_cache(maxsize=1024)
def _size(kind: str, content: str, is_gs1: bool, room: tuple[int, int]) -> tuple[int, int]:
    if kind == "qr":
        # The printer picks the QR version itself; what matters before layout is that it fits the room.
        bound = _qr_bound(content)
        if bound is not None and bound[0] <= room[0]:
            return bound
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
    height, width, raw = _pixels(kind, content, is_gs1, rows, cols)
    return tuple(tuple(raw[r * width + c] < 128 for c in range(width)) for r in range(height))


def dark_runs(item: MatrixItem) -> tuple[tuple[int, int, int], ...]:
    """(row, start, length) of every run of dark modules in the item's symbol, for drawing."""
    if item.gs1 is not None:
        return _dark_runs(item.kind, gs1_content(item.gs1), True, item.rows, item.cols)
    return _dark_runs(item.kind, item.data, False, item.rows, item.cols)


_DARK = re.compile(rb"[\x00-\x7f]+")
_BARS = re.compile("1+")


@lru_cache(maxsize=256)
def _dark_runs(kind: str, content: str, is_gs1: bool, rows: int, cols: int) -> tuple[tuple[int, int, int], ...]:
    height, width, raw = _pixels(kind, content, is_gs1, rows, cols)
    # One light byte after every row, so that one scan finds every row's runs and none crosses rows.
    stride = width + 1
    padded = b"\xff".join(raw[r * width:(r + 1) * width] for r in range(height))
    return tuple((*divmod(m.start(), stride), m.end() - m.start()) for m in _DARK.finditer(padded))


def _pixels(kind: str, content: str, is_gs1: bool, rows: int, cols: int) -> tuple[int, int, bytes]:
    """Height, width and one byte a module (dark below 128) of the symbol in the item's size."""
    # A square is the smallest that holds the data, as `size` found it (the same cached encoding);
    # a rectangle is asked for by its version.
    version = geometry.DATAMATRIX_SIZES[(rows, cols)] if kind == "datamatrix" and rows != cols else 0
    image = _image(_encode(kind, content, is_gs1, version))
    height, width = image.shape
    return height, width, image.tobytes()


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
    if isinstance(row, str):
        return [(m.start(), m.end() - m.start()) for m in _BARS.finditer(row)]
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
