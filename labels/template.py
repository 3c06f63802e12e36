"""Label templates as data: frozen element classes loaded from TOML files."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from labels import geometry
from labels.errors import LabelError
from labels.fields import KINDS, ROLES, FieldSpec

SHIPPED = Path(__file__).with_name("templates")
DPIS = (203, 300, 600)
OVERFLOWS = ("ellipsis", "wrap")


@dataclass(frozen=True, slots=True)
class AI:
    """One GS1 element of a symbol: AI code, "gtin" (role-driven) or "qty" (unit-driven), and its field."""

    ai: str
    field: str
    unit_field: str = "unit"


@dataclass(frozen=True, slots=True)
class Text:
    """A line of text; `{field}` placeholders are filled in."""

    x_mm: float
    y_mm: float
    text: str
    size_mm: float = 3.0
    bold: bool = False
    when: str | None = None
    unless: str | None = None
    #: Box width; by default the text may run to as far from the right edge as it starts from the left.
    width_mm: float | None = None
    #: Text too wide for the box is first shrunk down to this size (default: no shrinking).
    min_size_mm: float | None = None
    #: At the smallest size, "ellipsis" cuts the text with "..."; "wrap" breaks it onto `lines` lines.
    overflow: str = "ellipsis"
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Code128:
    """A plain Code 128 barcode of `data` (placeholders allowed)."""

    x_mm: float
    y_mm: float
    data: str
    height_mm: float = 10.0
    module_mm: float = 0.25
    hri: bool = True
    hri_size_mm: float = 2.0
    when: str | None = None
    unless: str | None = None
    #: Widest the symbol may be; by default up to the right edge of the label less the quiet zone.
    width_mm: float | None = None


@dataclass(frozen=True, slots=True)
class GS1_128:
    """A GS1-128 barcode of the listed AIs; absent optional fields drop their AI."""

    x_mm: float
    y_mm: float
    ais: tuple[AI, ...]
    height_mm: float = 12.0
    module_mm: float = 0.25
    hri: bool = True
    hri_size_mm: float = 2.0
    when: str | None = None
    unless: str | None = None
    #: Widest the symbol may be; by default up to the right edge of the label less the quiet zone.
    width_mm: float | None = None


@dataclass(frozen=True, slots=True)
class QR:
    """A QR code of `data` (placeholders allowed), error correction M."""

    x_mm: float
    y_mm: float
    data: str
    module_mm: float = 0.5
    when: str | None = None
    unless: str | None = None
    #: The largest symbol the template has room for, "rows x columns" in modules (QR: 21x21 to 177x177).
    size: str = "33x33"


@dataclass(frozen=True, slots=True)
class DataMatrix:
    """A Data Matrix (ECC 200) of `data` (placeholders allowed)."""

    x_mm: float
    y_mm: float
    data: str
    module_mm: float = 0.5
    when: str | None = None
    unless: str | None = None
    #: The largest symbol the template has room for: an ISO/IEC 16022 size, "rows x columns".
    size: str = "22x22"


@dataclass(frozen=True, slots=True)
class GS1DataMatrix:
    """A GS1 DataMatrix (leading FNC1) of the listed AIs."""

    x_mm: float
    y_mm: float
    ais: tuple[AI, ...]
    module_mm: float = 0.5
    when: str | None = None
    unless: str | None = None
    #: The largest symbol the template has room for: an ISO/IEC 16022 size, "rows x columns".
    size: str = "22x22"


@dataclass(frozen=True, slots=True)
class Line:
    """A horizontal or vertical rule."""

    x_mm: float
    y_mm: float
    length_mm: float
    vertical: bool = False
    thickness_mm: float = 0.3
    when: str | None = None
    unless: str | None = None


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle outline."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    thickness_mm: float = 0.3
    when: str | None = None
    unless: str | None = None


Element = Text | Code128 | GS1_128 | QR | DataMatrix | GS1DataMatrix | Line | Box

#: The `type` key of an element table in TOML, and the class it makes.
ELEMENT_TYPES: dict[str, type] = {
    "text": Text,
    "code128": Code128,
    "gs1_128": GS1_128,
    "qr": QR,
    "datamatrix": DataMatrix,
    "gs1_datamatrix": GS1DataMatrix,
    "line": Line,
    "box": Box,
}


@dataclass(frozen=True, slots=True)
class Template:
    """A label: its size, the fields it takes and the elements drawn from them."""

    name: str
    width_mm: float
    height_mm: float
    fields: dict[str, FieldSpec]
    elements: tuple[Element, ...]
    #: The GTIN's role on this label, unless a field of kind "role" says otherwise for one label.
    role: str = "trade_item"


def load_template(name_or_path: str | Path) -> Template:
    """A shipped template by name ("batch", "goods_in") or one from a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        shipped = SHIPPED / f"{name_or_path}.toml"
        if not shipped.exists():
            names = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.toml")))
            raise LabelError("template", f"no template {str(name_or_path)!r}; shipped: {names}")
        path = shipped
    path = path.resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise LabelError("template", f"cannot read {path}: {exc.strerror}") from None
    # Keyed on the modification time too, so an edited file is read again.
    return _load(path, stamp)


@lru_cache(maxsize=64)
def _load(path: Path, stamp: int) -> Template:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabelError("template", f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LabelError("template", f"{path.name}: {exc}") from None
    return from_dict(data, default_name=path.stem)


def from_dict(data: dict[str, Any], default_name: str = "label") -> Template:
    """A template from already-parsed TOML data, checked for consistency."""
    data = dict(data)
    name = str(data.pop("name", default_name))
    try:
        width, height = float(data.pop("width_mm")), float(data.pop("height_mm"))
    except (KeyError, TypeError, ValueError):
        raise LabelError("template", f"{name}: width_mm and height_mm are required numbers") from None
    role = str(data.pop("role", "trade_item"))
    if role not in ROLES:
        raise LabelError("template", f"{name}: role {role!r} is not one of {', '.join(ROLES)}")
    fields = {k: _field(name, k, v) for k, v in data.pop("fields", {}).items()}
    elements = tuple(_element(name, i, e) for i, e in enumerate(data.pop("elements", [])))
    if data:
        raise LabelError("template", f"{name}: unknown keys {', '.join(sorted(data))}")
    template = Template(name, width, height, fields, elements, role)
    _check_references(template)
    geometry.check(name, width, height, elements, DPIS)
    if role == "logistic_unit":
        geometry.check_logistic(name, elements, DPIS)
    return template


def _field(template: str, name: str, table: dict[str, Any]) -> FieldSpec:
    try:
        spec = FieldSpec(name=name, **table)
    except TypeError as exc:
        raise LabelError("template", f"{template}: field {name}: {exc}") from None
    if spec.kind not in KINDS:
        raise LabelError("template", f"{template}: field {name}: unknown kind {spec.kind!r}")
    return spec


def _element(template: str, index: int, table: dict[str, Any]) -> Element:
    table = dict(table)
    kind = table.pop("type", None)
    cls = ELEMENT_TYPES.get(kind)
    where = f"{template}: element {index + 1}"
    if cls is None:
        raise LabelError("template", f"{where}: unknown type {kind!r}; known: {', '.join(ELEMENT_TYPES)}")
    if "ais" in table:
        try:
            table["ais"] = tuple(AI(**a) for a in table["ais"])
        except TypeError as exc:
            raise LabelError("template", f"{where}: ais: {exc}") from None
    try:
        element = cls(**table)
    except TypeError as exc:
        raise LabelError("template", f"{where} ({kind}): {exc}") from None
    if isinstance(element, Text):
        _check_text(where, element)
    return element


def _check_text(where: str, el: Text) -> None:
    if el.overflow not in OVERFLOWS:
        raise LabelError("template", f"{where}: overflow {el.overflow!r} is not one of {', '.join(OVERFLOWS)}")
    if el.lines < 1 or (el.lines > 1 and el.overflow != "wrap"):
        raise LabelError("template", f"{where}: lines must be 1, or more with overflow = \"wrap\"")
    if el.min_size_mm is not None and not 0 < el.min_size_mm <= el.size_mm:
        raise LabelError("template", f"{where}: min_size_mm must be above 0 and at most size_mm ({el.size_mm})")


def _check_references(template: Template) -> None:
    """Every placeholder, AI field and `when` must name a declared field."""
    declared = template.fields
    for el in template.elements:
        names: list[str] = []
        for attr in ("text", "data"):
            if hasattr(el, attr):
                names += [f for _, f, _, _ in string.Formatter().parse(getattr(el, attr)) if f is not None]
        for ai in getattr(el, "ais", ()):
            names.append(ai.field)
            if ai.ai == "qty":
                names.append(ai.unit_field)
        names += [n for n in (el.when, el.unless) if n]
        for n in names:
            if n not in declared:
                kind = type(el).__name__
                raise LabelError("template", f"{template.name}: {kind} uses undeclared field {n!r}")

