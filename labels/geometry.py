"""Where each template element may draw, in printer dots, and the check that no two of them overlap.

Every element reserves its areas before any field is known: a text its box, a barcode the
largest symbol it may become plus its quiet zone, a line or a frame its strips. A template whose
areas overlap, or leave the label, is refused when it is loaded, at every supported resolution.
Elements are read by their attributes and class name, so this module imports no template code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from labels.errors import LabelError

#: Quiet zones in modules: Code 128 needs ten on each side, QR four, Data Matrix one.
QUIET = {"code128": 10, "qr": 4, "datamatrix": 1}
#: The gap between a Code 128's bars and its human-readable line, in mm.
HRI_GAP_MM = 0.5
#: GS1 General Specifications, symbol specification table for logistic labels: GS1-128 X-dimension
#: from 0.495 to 1.016 mm and bars at least 31.75 mm high.
LOGISTIC_X_MM = (0.495, 1.016)
LOGISTIC_MIN_HEIGHT_MM = 31.75
#: ISO/IEC 16022 ECC 200 sizes (rows, columns) with zint's version number for each.
DATAMATRIX_SIZES: dict[tuple[int, int], int] = {
    **{(n, n): v for v, n in enumerate((10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72,
                                         80, 88, 96, 104, 120, 132, 144), start=1)},
    (8, 18): 25, (8, 32): 26, (12, 26): 27, (12, 36): 28, (16, 36): 29, (16, 48): 30,
}
#: QR sizes: version v is 17 + 4v modules square.
QR_SIZES = {(17 + 4 * v, 17 + 4 * v): v for v in range(1, 41)}


def dots(mm: float, dpi: int) -> int:
    """Millimetres to whole printer dots."""
    return round(mm * dpi / 25.4)


def module(mm: float, dpi: int) -> int:
    """A module size in whole dots (at least one), so that preview and print agree bar for bar."""
    return max(1, round(mm * dpi / 25.4))


def symbol_size(kind: str, text: str, where: str) -> tuple[int, int]:
    """A template's "rows x columns" for a QR or Data Matrix, checked against the sizes that exist."""
    table = QR_SIZES if kind == "qr" else DATAMATRIX_SIZES
    try:
        rows, cols = (int(part) for part in str(text).lower().replace(" ", "").split("x"))
    except ValueError:
        rows = cols = 0
    if (rows, cols) not in table:
        known = ", ".join(f"{r}x{c}" for r, c in table)
        what = "a QR code" if kind == "qr" else "an ISO/IEC 16022 Data Matrix"
        raise LabelError("template", f"{where}: size {text!r} is not {what} size; sizes: {known}")
    return rows, cols


@dataclass(frozen=True, slots=True)
class Area:
    """A rectangle an element reserves, in dots; `strip` for the thin ones of lines and frames."""

    x: int
    y: int
    width: int
    height: int
    element: int
    strip: bool = False

    def overlaps(self, other: Area) -> bool:
        """True when the two rectangles share any dot."""
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


def text_box(el: Any, label_width_mm: float) -> tuple[float, float]:
    """Width and height in mm of a text element's box."""
    width = el.width_mm if el.width_mm is not None else label_width_mm - 2 * el.x_mm
    return width, el.size_mm * el.lines


def linear_room(el: Any, label_width_mm: float, dpi: int) -> int:
    """The widest a Code 128 or GS1-128 element may be, in dots, quiet zones excluded."""
    if el.width_mm is not None:
        return dots(el.width_mm, dpi)
    return dots(label_width_mm, dpi) - dots(el.x_mm, dpi) - QUIET["code128"] * module(el.module_mm, dpi)


def hri_size(el: Any, dpi: int) -> int:
    """Height in dots of a Code 128's human-readable line (at least 8 dots)."""
    return max(dots(el.hri_size_mm, dpi), 8)


def check_logistic(name: str, elements: tuple[Any, ...], dpis: Iterable[int]) -> None:
    """Refuse a logistic label whose GS1-128 symbols are outside GS1's X-dimension or height limits."""
    low, high = LOGISTIC_X_MM
    for index, el in enumerate(elements):
        if type(el).__name__ != "GS1_128":
            continue
        if el.height_mm < LOGISTIC_MIN_HEIGHT_MM:
            raise LabelError("template", f"{name}: {_describe(elements, index)} is {el.height_mm:g} mm high; "
                                         f"a logistic label needs at least {LOGISTIC_MIN_HEIGHT_MM} mm")
        for dpi in dpis:
            x = module(el.module_mm, dpi) * 25.4 / dpi  # what the printer makes of module_mm
            if not low <= x <= high:
                raise LabelError("template", f"{name}: {_describe(elements, index)} has an X-dimension of {x:.3f} mm "
                                             f"at {dpi} dpi; a logistic label needs {low} to {high} mm")


def areas(el: Any, index: int, label_width_mm: float, dpi: int) -> list[Area]:
    """The areas one template element reserves at `dpi`."""
    kind = type(el).__name__
    x, y = dots(el.x_mm, dpi), dots(el.y_mm, dpi)
    if kind == "Text":
        width, height = text_box(el, label_width_mm)
        return [Area(x, y, dots(width, dpi), dots(height, dpi), index)]
    if kind in ("Code128", "GS1_128"):
        m = module(el.module_mm, dpi)
        quiet = QUIET["code128"] * m
        height = dots(el.height_mm, dpi) + (dots(HRI_GAP_MM, dpi) + hri_size(el, dpi) if el.hri else 0)
        return [Area(x - quiet, y, linear_room(el, label_width_mm, dpi) + 2 * quiet, height, index)]
    if kind in ("QR", "DataMatrix", "GS1DataMatrix"):
        matrix = "qr" if kind == "QR" else "datamatrix"
        rows, cols = symbol_size(matrix, el.size, f"element {index + 1}")
        m = module(el.module_mm, dpi)
        quiet = QUIET[matrix] * m
        return [Area(x - quiet, y - quiet, cols * m + 2 * quiet, rows * m + 2 * quiet, index)]
    thick = max(1, dots(el.thickness_mm, dpi))
    if kind == "Line":
        length = dots(el.length_mm, dpi)
        return [Area(x, y, thick, length, index, True) if el.vertical else Area(x, y, length, thick, index, True)]
    width, height = dots(el.width_mm, dpi), dots(el.height_mm, dpi)  # a Box: its four sides
    return [
        Area(x, y, width, thick, index, True),
        Area(x, y + height - thick, width, thick, index, True),
        Area(x, y, thick, height, index, True),
        Area(x + width - thick, y, thick, height, index, True),
    ]


def check(name: str, width_mm: float, height_mm: float, elements: tuple[Any, ...], dpis: Iterable[int]) -> None:
    """Refuse a template with an element off the label or two elements whose areas overlap."""
    for dpi in dpis:
        width, height = dots(width_mm, dpi), dots(height_mm, dpi)
        placed = [a for i, el in enumerate(elements) for a in areas(el, i, width_mm, dpi)]
        for a in placed:
            if a.x < 0 or a.y < 0 or a.x + a.width > width or a.y + a.height > height:
                raise LabelError("template", f"{name}: {_describe(elements, a.element)} {_off(a, dpi)} "
                                             f"does not fit the {width_mm:g} x {height_mm:g} mm label at {dpi} dpi")
        for i, a in enumerate(placed):
            for b in placed[i + 1:]:
                if a.element == b.element or (a.strip and b.strip) or _exclusive(elements[a.element], elements[b.element]):
                    continue
                if a.overlaps(b):
                    raise LabelError(
                        "template",
                        f"{name}: {_describe(elements, a.element)} and {_describe(elements, b.element)} overlap "
                        f"at {dpi} dpi (barcodes count with their quiet zones, texts with their boxes)",
                    )


def _exclusive(a: Any, b: Any) -> bool:
    # Drawn on different labels: one only when a field is given, the other only when it is not.
    return bool((a.when and a.when == b.unless) or (a.unless and a.unless == b.when))


def _describe(elements: tuple[Any, ...], index: int) -> str:
    el = elements[index]
    label = getattr(el, "text", None) or getattr(el, "data", None)
    if label is None and getattr(el, "ais", None):
        label = "".join(f"({a.ai})" for a in el.ais)
    return f"element {index + 1} ({type(el).__name__.lower()}{' ' + repr(label) if label else ''})"


def _off(a: Area, dpi: int) -> str:
    mm = 25.4 / dpi
    return f"(reserving {a.x * mm:.1f},{a.y * mm:.1f} to {(a.x + a.width) * mm:.1f},{(a.y + a.height) * mm:.1f} mm)"
