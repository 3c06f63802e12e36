"""PDF through reportlab: one page the size of the label, dot for dot as the printer would print."""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from labels import code128, matrix
from labels.fonts import font_path
from labels.layout import BarsItem, BoxItem, Label, MatrixItem, TextItem

# Baseline sits this far down a text cell; DejaVu's ascent is about 0.76 em.
ASCENT = 0.78


@lru_cache(maxsize=None)
def font_name(bold: bool = False) -> str:
    """A registered reportlab font name: DejaVu Sans when found, else a base-14 Helvetica."""
    path = font_path(bold)
    if path is None:
        return "Helvetica-Bold" if bold else "Helvetica"
    name = "ShopfloorSans-Bold" if bold else "ShopfloorSans"
    pdfmetrics.registerFont(TTFont(name, path))
    return name


def render(label: Label) -> bytes:
    """The label as a one-page PDF."""
    buf = io.BytesIO()
    scale = 72.0 / label.dpi
    canvas = Canvas(buf, pagesize=(label.width * scale, label.height * scale), pageCompression=1)
    canvas.setTitle("label")
    # Draw in printer dots, origin top-left, as ZPL does.
    canvas.translate(0, label.height * scale)
    canvas.scale(scale, -scale)
    shapes = canvas.beginPath()
    texts = canvas.beginText()
    for item in label.items:
        _DRAW[type(item)](texts, shapes, item)
    canvas.drawPath(shapes, stroke=0, fill=1)
    canvas.drawText(texts)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _text(texts, shapes, item: TextItem) -> None:
    # One text object for the label; the text matrix flips glyphs upright while coordinates stay in dots.
    texts.setFont(font_name(item.bold), item.height)
    texts.setTextTransform(1, 0, 0, -1, item.x, item.y + item.height * ASCENT)
    texts.textOut(item.text)


def _bars(texts, shapes, item: BarsItem) -> None:
    m, x, y, height = item.module, item.x, item.y, item.height
    for start, length in _bar_runs(item.codewords):
        shapes.rect(x + start * m, y, length * m, height)


@lru_cache(maxsize=256)
def _bar_runs(codewords: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    return tuple(matrix.runs(code128.modules(list(codewords))))  # reprints repeat a symbol


def _matrix(texts, shapes, item: MatrixItem) -> None:
    m, x, y = item.module, item.x, item.y
    for r, start, length in matrix.dark_runs(item):
        shapes.rect(x + start * m, y + r * m, length * m, m)


def _box(texts, shapes, item: BoxItem) -> None:
    for x, y, w, h in box_rects(item):
        shapes.rect(x, y, w, h)


def box_rects(item: BoxItem) -> list[tuple[int, int, int, int]]:
    """The filled rectangles of a ZPL-style box: the border grows inwards."""
    t = item.thickness
    if item.width <= 2 * t or item.height <= 2 * t:
        return [(item.x, item.y, item.width, item.height)]
    return [
        (item.x, item.y, item.width, t),
        (item.x, item.y + item.height - t, item.width, t),
        (item.x, item.y + t, t, item.height - 2 * t),
        (item.x + item.width - t, item.y + t, t, item.height - 2 * t),
    ]


_DRAW = {TextItem: _text, BarsItem: _bars, MatrixItem: _matrix, BoxItem: _box}
