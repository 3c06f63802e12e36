"""PNG previews for the web, drawn with Pillow at the printer's resolution."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from labels import matrix
from labels.fonts import font_path
from labels.layout import BarsItem, BoxItem, Label, MatrixItem, TextItem
from labels.pdf import box_rects


@lru_cache(maxsize=64)
def _font(height: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_path(bold)
    if path is None:
        return ImageFont.load_default(size=height)
    return ImageFont.truetype(path, height)


def render(label: Label) -> bytes:
    """The label as a 1-bit PNG, one pixel a printer dot."""
    image = Image.new("1", (label.width, label.height), 1)
    draw = ImageDraw.Draw(image)
    for item in label.items:
        _DRAW[type(item)](draw, item)
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(label.dpi, label.dpi))
    return buf.getvalue()


def _fill(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int) -> None:
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)


def _text(draw: ImageDraw.ImageDraw, item: TextItem) -> None:
    draw.text((item.x, item.y), item.text, font=_font(item.height, item.bold), fill=0)


def _bars(draw: ImageDraw.ImageDraw, item: BarsItem) -> None:
    for start, length in matrix.runs(item.modules):
        _fill(draw, item.x + start * item.module, item.y, length * item.module, item.height)


def _matrix(draw: ImageDraw.ImageDraw, item: MatrixItem) -> None:
    m = item.module
    for r, start, length in matrix.dark_runs(item):
        _fill(draw, item.x + start * m, item.y + r * m, length * m, m)


def _box(draw: ImageDraw.ImageDraw, item: BoxItem) -> None:
    for rect in box_rects(item):
        _fill(draw, *rect)


_DRAW = {TextItem: _text, BarsItem: _bars, MatrixItem: _matrix, BoxItem: _box}
