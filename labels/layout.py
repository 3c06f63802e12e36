"""A template filled with checked fields, placed in printer dots: what every renderer draws."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from labels import code128, fields as fieldmod, gs1
from labels import template as t
from labels.errors import LabelError

# Symbol capacities in bytes (QR at error correction M, Data Matrix ECC 200).
QR_CAPACITY = 2331
DATAMATRIX_CAPACITY = 1556
# GS1 General Specifications 5.4.1: at most 48 data characters in one GS1-128 symbol.
GS1_128_MAX = 48
# Code 128 needs ten modules of quiet zone on either side.
QUIET = 10


@dataclass(frozen=True, slots=True)
class TextItem:
    """Text whose top-left corner is at (x, y), `height` dots tall."""

    x: int
    y: int
    height: int
    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class BarsItem:
    """A Code 128 symbol: its codewords, `module` dots per module, GS1 message if any."""

    x: int
    y: int
    height: int
    module: int
    codewords: tuple[int, ...]
    gs1: gs1.ElementString | None

    @property
    def modules(self) -> str:
        """The bars as '1'/'0' modules, check and stop included."""
        return code128.modules(list(self.codewords))


@dataclass(frozen=True, slots=True)
class MatrixItem:
    """A QR or Data Matrix symbol of `data`; `gs1` set for GS1 DataMatrix."""

    x: int
    y: int
    module: int
    kind: str  # "qr" or "datamatrix"
    data: str
    gs1: gs1.ElementString | None = None


@dataclass(frozen=True, slots=True)
class BoxItem:
    """A rectangle outline `thickness` dots thick; a line is a box one thickness wide."""

    x: int
    y: int
    width: int
    height: int
    thickness: int


Item = TextItem | BarsItem | MatrixItem | BoxItem


@dataclass(frozen=True, slots=True)
class Label:
    """Everything to draw on one label at one resolution."""

    dpi: int
    width: int
    height: int
    items: tuple[Item, ...]

    def mm(self, dots: float) -> float:
        """Dots at this resolution back to millimetres."""
        return dots * 25.4 / self.dpi


def layout(template: t.Template, values: dict[str, Any], dpi: int = 203) -> Label:
    """Check `values` against the template and place every element in dots."""
    if dpi not in t.DPIS:
        raise LabelError("dpi", f"{dpi} is not supported; use one of {', '.join(map(str, t.DPIS))}")
    checked = fieldmod.check(template.fields, values)
    shown = fieldmod.display(checked)
    ctx = _Context(dpi, checked, shown, _dots(template.width_mm, dpi), _dots(template.height_mm, dpi))
    items: list[Item] = []
    for el in template.elements:
        if el.when and checked.get(el.when) is None:
            continue
        items.extend(_PLACE[type(el)](ctx, el))
    return Label(dpi, ctx.width, ctx.height, tuple(items))


@dataclass(frozen=True, slots=True)
class _Context:
    dpi: int
    values: dict[str, Any]
    shown: dict[str, str]
    width: int
    height: int

    def dots(self, mm: float) -> int:
        return _dots(mm, self.dpi)

    def module(self, mm: float) -> int:
        # Modules are whole printer dots so that preview and print agree bar for bar.
        return max(1, round(mm * self.dpi / 25.4))


def _dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def _fill(ctx: _Context, pattern: str) -> str:
    return pattern.format_map(ctx.shown)


def _culprit(pattern: str) -> str:
    names = [f for _, f, _, _ in string.Formatter().parse(pattern) if f]
    return names[0] if len(names) == 1 else "data"


def _text(ctx: _Context, el: t.Text) -> list[Item]:
    return [TextItem(ctx.dots(el.x_mm), ctx.dots(el.y_mm), ctx.dots(el.size_mm), _fill(ctx, el.text), el.bold)]


def _elements(ctx: _Context, ais: tuple[t.AI, ...]) -> gs1.ElementString:
    out = []
    for spec in ais:
        value = ctx.values.get(spec.field)
        if value is None:
            continue
        if spec.ai == "qty":
            unit = ctx.values.get(spec.unit_field)
            if unit is None:
                raise LabelError(spec.unit_field, "is required for the GS1 quantity")
            out.append(gs1.quantity_element(value, unit, spec.field))
        elif hasattr(value, "strftime"):
            out.append(gs1.element(spec.ai, gs1.date_value(value), spec.field))
        else:
            out.append(gs1.element(spec.ai, value, spec.field))
    return gs1.build(out)


def _bars(ctx: _Context, el, text: str, field: str, message: gs1.ElementString | None) -> list[Item]:
    values = code128.codewords(text, field)
    module = ctx.module(el.module_mm)
    x, y, height = ctx.dots(el.x_mm), ctx.dots(el.y_mm), ctx.dots(el.height_mm)
    # 11 modules a codeword, plus check (11) and stop (13).
    width = (11 * (len(values) + 1) + 13) * module
    if x - QUIET * module < 0 or x + width + QUIET * module > ctx.width:
        raise LabelError(
            field,
            f"Code 128 of {text.replace(code128.FNC1, '')!r} is {width * 25.4 / ctx.dpi:.1f} mm wide "
            f"at {ctx.dpi} dpi and does not fit the label with its quiet zones",
        )
    items: list[Item] = [BarsItem(x, y, height, module, tuple(values), message)]
    if el.hri:
        hri = message.hri if message else text
        size = max(ctx.dots(2.0), 8)
        items.append(TextItem(x, y + height + ctx.dots(0.5), size, hri))
    return items


def _code128(ctx: _Context, el: t.Code128) -> list[Item]:
    return _bars(ctx, el, _fill(ctx, el.data), _culprit(el.data), None)


def _gs1_128(ctx: _Context, el: t.GS1_128) -> list[Item]:
    message = _elements(ctx, el.ais)
    if len(message.data) > GS1_128_MAX:
        raise LabelError(
            _blame(message), f"GS1-128 holds at most {GS1_128_MAX} characters, {message.hri} needs {len(message.data)}"
        )
    text = code128.FNC1 + message.data.replace(gs1.GS, code128.FNC1)
    return _bars(ctx, el, text, _blame(message), message)


def _blame(message: gs1.ElementString) -> str:
    variable = [e.field for e in message.elements if e.ai == "10"]
    return variable[0] if variable else "gs1"


def _matrix(ctx: _Context, el, kind: str) -> list[Item]:
    data = _fill(ctx, el.data)
    limit = QR_CAPACITY if kind == "qr" else DATAMATRIX_CAPACITY
    if not data:
        raise LabelError(_culprit(el.data), f"nothing to encode in the {kind}")
    if len(data.encode()) > limit:
        raise LabelError(_culprit(el.data), f"{len(data.encode())} bytes do not fit a {kind} (at most {limit})")
    return [MatrixItem(ctx.dots(el.x_mm), ctx.dots(el.y_mm), ctx.module(el.module_mm), kind, data)]


def _gs1_datamatrix(ctx: _Context, el: t.GS1DataMatrix) -> list[Item]:
    message = _elements(ctx, el.ais)
    return [MatrixItem(ctx.dots(el.x_mm), ctx.dots(el.y_mm), ctx.module(el.module_mm), "datamatrix", message.data, message)]


def _line(ctx: _Context, el: t.Line) -> list[Item]:
    thick = max(1, ctx.dots(el.thickness_mm))
    length = ctx.dots(el.length_mm)
    w, h = (thick, length) if el.vertical else (length, thick)
    return [BoxItem(ctx.dots(el.x_mm), ctx.dots(el.y_mm), w, h, thick)]


def _box(ctx: _Context, el: t.Box) -> list[Item]:
    thick = max(1, ctx.dots(el.thickness_mm))
    return [BoxItem(ctx.dots(el.x_mm), ctx.dots(el.y_mm), ctx.dots(el.width_mm), ctx.dots(el.height_mm), thick)]


_PLACE = {
    t.Text: _text,
    t.Code128: _code128,
    t.GS1_128: _gs1_128,
    t.QR: lambda ctx, el: _matrix(ctx, el, "qr"),
    t.DataMatrix: lambda ctx, el: _matrix(ctx, el, "datamatrix"),
    t.GS1DataMatrix: _gs1_datamatrix,
    t.Line: _line,
    t.Box: _box,
}
