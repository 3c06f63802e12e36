"""Module grids of QR and Data Matrix symbols, encoded by zxing-cpp."""

from __future__ import annotations

from functools import lru_cache

import zxingcpp

from labels.errors import LabelError
from labels.layout import MatrixItem

_FORMATS = {"qr": zxingcpp.BarcodeFormat.QRCode, "datamatrix": zxingcpp.BarcodeFormat.DataMatrix}


def grid(item: MatrixItem) -> tuple[tuple[bool, ...], ...]:
    """Rows of dark (True) and light modules, top row first, quiet zone excluded."""
    if item.gs1 is not None:
        # zint's GS1 input takes [AI]value; square brackets never occur in GS1 data.
        content = "".join(f"[{e.ai}]{e.value}" for e in item.gs1.elements)
        return _grid(item.kind, content, True)
    return _grid(item.kind, item.data, False)


@lru_cache(maxsize=256)
def _grid(kind: str, content: str, is_gs1: bool) -> tuple[tuple[bool, ...], ...]:
    options = {"gs1": True} if is_gs1 else {}
    if kind == "qr":
        options["ec_level"] = "M"
    try:
        symbol = zxingcpp.create_barcode(content, _FORMATS[kind], **options)
    except Exception as exc:  # zxing-cpp raises its own error types for unencodable input
        raise LabelError(kind, f"cannot encode {content!r}: {exc}") from None
    image = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
    rows, cols = image.shape
    raw = image.tobytes()
    return tuple(tuple(raw[r * cols + c] < 128 for c in range(cols)) for r in range(rows))


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
