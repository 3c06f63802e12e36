"""A template filled with checked fields, placed in printer dots: what every renderer draws."""

from __future__ import annotations

import operator
import string
from dataclasses import dataclass, field
from typing import Any, Callable

from labels import code128, fields as fieldmod, geometry, gs1, gs1_rules, matrix, textfit
from labels import template as t
from labels.errors import LabelError

# Symbol capacities in bytes (QR at error correction M, Data Matrix ECC 200).
QR_CAPACITY = 2331
DATAMATRIX_CAPACITY = 1556
# GS1 General Specifications 5.4.1: at most 48 data characters in one GS1-128 symbol.
GS1_128_MAX = 48
# Code 128 needs ten modules of quiet zone on either side.
QUIET = geometry.QUIET["code128"]


@dataclass(frozen=True, slots=True)
class TextItem:
    """One line of text whose top-left corner is at (x, y), `height` dots tall, in a box `width` dots wide."""

    x: int
    y: int
    height: int
    text: str
    bold: bool = False
    width: int = 0


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
    """A QR or Data Matrix symbol of `data`; `gs1` set for GS1 DataMatrix.

    A Data Matrix is exactly `rows` x `cols` modules; a QR code at most that (each printer picks its
    QR version, so only the largest the data can need is fixed before layout).
    """

    x: int
    y: int
    module: int
    kind: str  # "qr" or "datamatrix"
    data: str
    gs1: gs1.ElementString | None = None
    rows: int = 0
    cols: int = 0


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
    plan = _plan(template, dpi)
    checked = fieldmod.check(template.fields, values)
    shown = fieldmod.display(checked)
    role = (checked.get(plan.role_field) if plan.role_field else None) or template.role
    gtin = next((checked[name] for name in plan.gtin_fields if checked[name] is not None), None)
    ctx = _Context(dpi, checked, shown, plan.width, plan.height, role, gtin)
    items: list[Item] = []
    for when, unless, place in plan.steps:
        if (when and checked.get(when) is None) or (unless and checked.get(unless) is not None):
            continue
        items.extend(place(ctx))
    if ctx.gs1:
        # The syntax dictionary's pair rules hold for all GS1 symbols on one item together.
        gs1_rules.check([(e.ai, e.field) for e in ctx.gs1])
    return Label(dpi, plan.width, plan.height, tuple(items))


@dataclass(frozen=True, slots=True)
class _Context:
    dpi: int
    values: dict[str, Any]
    shown: dict[str, str]
    width: int
    height: int
    role: str
    #: The label's GTIN, if it has one.
    gtin: str | None
    #: Every GS1 element placed so far on this label.
    gs1: list[gs1.Element] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a template at one resolution is, before any field: label size and one placer an element."""

    template: t.Template  # held so that its id is not reused while the plan is cached
    width: int
    height: int
    steps: tuple[tuple[str | None, str | None, Callable[[_Context], list[Item]]], ...]
    #: The field of kind "role", if the template has one: it overrides the template's role.
    role_field: str | None
    gtin_fields: tuple[str, ...]


# Plans by (id(template), dpi). Templates are frozen and `load_template` hands out one object per
# file version (path and modification time), so an edited file gets a plan of its own.
_PLANS: dict[tuple[int, int], _Plan] = {}
_PLANS_MAX = 64


def _plan(template: t.Template, dpi: int) -> _Plan:
    key = (id(template), dpi)
    plan = _PLANS.get(key)
    if plan is not None and plan.template is template:
        return plan
    plan = _Plan(
        template,
        _dots(template.width_mm, dpi),
        _dots(template.height_mm, dpi),
        tuple((el.when, el.unless, _PLACE[type(el)](el, template, dpi)) for el in template.elements),
        next((name for name, spec in template.fields.items() if spec.kind == "role"), None),
        tuple(name for name, spec in template.fields.items() if spec.kind == "gtin"),
    )
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


_dots = geometry.dots
_module = geometry.module


def _filler(pattern: str) -> Callable[[dict[str, str]], str]:
    """`pattern` with its `{field}` placeholders filled from the shown values."""
    parts = list(string.Formatter().parse(pattern))
    if len(parts) == 1:
        literal, name, spec, conversion = parts[0]
        if name is None:
            return lambda shown: pattern.format_map(shown)
        if not literal and name.isidentifier() and not spec and conversion is None:
            return operator.itemgetter(name)  # shown values are already text
    return pattern.format_map


def _culprit(pattern: str) -> str:
    names = [f for _, f, _, _ in string.Formatter().parse(pattern) if f]
    return names[0] if len(names) == 1 else "data"


def _text(el: t.Text, template: t.Template, dpi: int) -> Callable[[_Context], list[Item]]:
    x, y, size, bold = _dots(el.x_mm, dpi), _dots(el.y_mm, dpi), _dots(el.size_mm, dpi), el.bold
    box_width = _dots(geometry.text_box(el, template.width_mm)[0], dpi)
    min_size = _dots(el.min_size_mm, dpi) if el.min_size_mm is not None else size
    wrap, lines = el.overflow == "wrap", el.lines
    fill = _filler(el.text)

    def place(ctx: _Context) -> list[Item]:
        fitted, rows = textfit.fit(fill(ctx.shown), box_width, size, min_size, wrap, lines, bold)
        return [TextItem(x, y + i * fitted, fitted, row, bold, box_width) for i, row in enumerate(rows)]

    return place


def _elements(ctx: _Context, ais: tuple[t.AI, ...]) -> gs1.ElementString:
    out = []
    values = ctx.values
    for spec in ais:
        value = values.get(spec.field)
        if value is None:
            continue
        if spec.ai == "gtin":
            out.append(gs1.element("01" if ctx.role == "trade_item" else "02", value, spec.field))
        elif spec.ai == "qty":
            unit = values.get(spec.unit_field)
            if unit is None:
                raise LabelError(spec.unit_field, "is required for the GS1 quantity")
            qty = gs1.quantity_element(value, unit, spec.field)
            if qty.ai == "37" and ctx.role == "trade_item":
                if not (ctx.gtin or "").startswith("9"):
                    continue  # (01) excludes (37); a fixed-measure GTIN already says how many it holds
                qty = gs1.Element("30", qty.value, qty.field)  # variable count of a variable-measure item
            out.append(qty)
        elif hasattr(value, "strftime"):
            out.append(gs1.element(spec.ai, gs1.date_value(value), spec.field))
        else:
            out.append(gs1.element(spec.ai, value, spec.field))
    message = gs1.build(out)
    ctx.gs1.extend(message.elements)
    return message


def _bars_placer(el, template: t.Template, dpi: int) -> Callable[[_Context, str, str, gs1.ElementString | None], list[Item]]:
    """Places a Code 128 symbol of some text with this element's geometry."""
    module = _module(el.module_mm, dpi)
    x, y, height = _dots(el.x_mm, dpi), _dots(el.y_mm, dpi), _dots(el.height_mm, dpi)
    room = geometry.linear_room(el, template.width_mm, dpi)
    hri = el.hri
    hri_y, hri_size = y + height + _dots(geometry.HRI_GAP_MM, dpi), geometry.hri_size(el, dpi)

    def place(ctx: _Context, text: str, field: str, message: gs1.ElementString | None) -> list[Item]:
        values = code128.codewords(text, field)
        # 11 modules a codeword, plus check (11) and stop (13).
        width = (11 * (len(values) + 1) + 13) * module
        if width > room:
            raise LabelError(
                field,
                f"Code 128 of {text.replace(code128.FNC1, '')!r} is {width * 25.4 / dpi:.1f} mm wide "
                f"at {dpi} dpi; the template has room for {room * 25.4 / dpi:.1f} mm",
            )
        items: list[Item] = [BarsItem(x, y, height, module, tuple(values), message)]
        if hri:
            shown = message.hri if message else text
            size, rows = textfit.fit(shown, room, hri_size, hri_size * 3 // 4, False, 1, False)
            items.append(TextItem(x, hri_y, size, rows[0], False, room))
        return items

    return place


def _code128(el: t.Code128, template: t.Template, dpi: int) -> Callable[[_Context], list[Item]]:
    bars, fill, culprit = _bars_placer(el, template, dpi), _filler(el.data), _culprit(el.data)
    return lambda ctx: bars(ctx, fill(ctx.shown), culprit, None)


def _gs1_128(el: t.GS1_128, template: t.Template, dpi: int) -> Callable[[_Context], list[Item]]:
    bars, ais = _bars_placer(el, template, dpi), el.ais

    def place(ctx: _Context) -> list[Item]:
        message = _elements(ctx, ais)
        if len(message.data) > GS1_128_MAX:
            raise LabelError(
                _blame(message),
                f"GS1-128 holds at most {GS1_128_MAX} characters, {message.hri} needs {len(message.data)}",
            )
        text = code128.FNC1 + message.data.replace(gs1.GS, code128.FNC1)
        return bars(ctx, text, _blame(message), message)

    return place


def _blame(message: gs1.ElementString) -> str:
    variable = [e.field for e in message.elements if e.ai == "10"]
    return variable[0] if variable else "gs1"


def _matrix(el, template: t.Template, dpi: int, kind: str) -> Callable[[_Context], list[Item]]:
    x, y, module = _dots(el.x_mm, dpi), _dots(el.y_mm, dpi), _module(el.module_mm, dpi)
    fill, culprit = _filler(el.data), _culprit(el.data)
    limit = QR_CAPACITY if kind == "qr" else DATAMATRIX_CAPACITY
    room = geometry.symbol_size(kind, el.size, f"{template.name}: {kind}")

    def place(ctx: _Context) -> list[Item]:
        data = fill(ctx.shown)
        if not data:
            raise LabelError(culprit, f"nothing to encode in the {kind}")
        if len(data) > limit // 4 and len(data.encode()) > limit:  # UTF-8 takes at most 4 bytes a character
            raise LabelError(culprit, f"{len(data.encode())} bytes do not fit a {kind} (at most {limit})")
        rows, cols = matrix.size(kind, data, False, room, culprit)
        return [MatrixItem(x, y, module, kind, data, None, rows, cols)]

    return place


def _gs1_datamatrix(el: t.GS1DataMatrix, template: t.Template, dpi: int) -> Callable[[_Context], list[Item]]:
    x, y, module, ais = _dots(el.x_mm, dpi), _dots(el.y_mm, dpi), _module(el.module_mm, dpi), el.ais
    room = geometry.symbol_size("datamatrix", el.size, f"{template.name}: gs1_datamatrix")

    def place(ctx: _Context) -> list[Item]:
        message = _elements(ctx, ais)
        rows, cols = matrix.size("datamatrix", matrix.gs1_content(message), True, room, _blame(message))
        return [MatrixItem(x, y, module, "datamatrix", message.data, message, rows, cols)]

    return place


def _line(el: t.Line, template: t.Template, dpi: int) -> Callable[[_Context], list[Item]]:
    thick = max(1, _dots(el.thickness_mm, dpi))
    length = _dots(el.length_mm, dpi)
    w, h = (thick, length) if el.vertical else (length, thick)
    items = [BoxItem(_dots(el.x_mm, dpi), _dots(el.y_mm, dpi), w, h, thick)]
    return lambda ctx: items


def _box(el: t.Box, template: t.Template, dpi: int) -> Callable[[_Context], list[Item]]:
    thick = max(1, _dots(el.thickness_mm, dpi))
    width, height = _dots(el.width_mm, dpi), _dots(el.height_mm, dpi)
    items = [BoxItem(_dots(el.x_mm, dpi), _dots(el.y_mm, dpi), width, height, thick)]
    return lambda ctx: items


#: Per element type: given the element, its template and a resolution, the function that places it.
_PLACE: dict[type, Callable[[Any, t.Template, int], Callable[[_Context], list[Item]]]] = {
    t.Text: _text,
    t.Code128: _code128,
    t.GS1_128: _gs1_128,
    t.QR: lambda el, template, dpi: _matrix(el, template, dpi, "qr"),
    t.DataMatrix: lambda el, template, dpi: _matrix(el, template, dpi, "datamatrix"),
    t.GS1DataMatrix: _gs1_datamatrix,
    t.Line: _line,
    t.Box: _box,
}
