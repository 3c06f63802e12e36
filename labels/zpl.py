"""ZPL II for Zebra printers: Code 128 with explicit subsets, GS1 FNC1, QR and Data Matrix."""

from __future__ import annotations

from labels import code128
from labels.errors import LabelError
from labels.layout import BarsItem, BoxItem, Label, MatrixItem, TextItem

# Code 128 subset-B values ZPL reserves (^ > ~ and DEL) and the invocation codes that print them.
_B_SPECIAL = {62: "><", 30: ">0", 94: ">=", 95: ">1"}
# Codewords that mean the same in subsets B and C, as invocation codes.
_INVOKE = {code128.CODE_C: ">5", code128.CODE_B: ">6", code128.FNC1_VALUE: ">8"}
_START = {code128.START_B: ">:", code128.START_C: ">;"}
#: Escape character given to ^BX: "_1" is FNC1 in the field data, "__" a literal underscore.
BX_ESCAPE = "_"
# ^FH hex escapes for the characters ZPL itself would read as commands.
_FH = "\\"
_HEX = str.maketrans({"\\": "\\5C", "^": "\\5E", "~": "\\7E"})


# Field data for each codeword value in subset B and in subset C (invocation codes in both).
_AS_B = tuple(_INVOKE.get(v) or _B_SPECIAL.get(v) or chr(v + 32) for v in range(106))
_AS_C = tuple(_INVOKE.get(v) or f"{v:02d}" for v in range(106))


def render(label: Label) -> bytes:
    """The label as one ZPL II format, UTF-8 encoded."""
    write = _WRITE
    out = ["^XA", "^CI28", f"^PW{label.width}", f"^LL{label.height}", "^LH0,0"]
    out += [write[type(item)](item) for item in label.items]
    out.append("^XZ")
    return "\n".join(out).encode("utf-8")


def field_data(data: str) -> str:
    """^FD with its data, preceded by ^FH when characters must be hex-escaped."""
    if "^" in data or "~" in data or "\\" in data:
        return f"^FH{_FH}^FD{data.translate(_HEX)}"
    return f"^FD{data}"


def code128_data(values: list[int] | tuple[int, ...]) -> str:
    """Codewords as ^BC field data: start code, characters and invocation codes."""
    out = [_START[values[0]]]
    table = _AS_C if values[0] == code128.START_C else _AS_B
    for v in values[1:]:
        out.append(table[v])
        if v == code128.CODE_C:
            table = _AS_C
        elif v == code128.CODE_B:
            table = _AS_B
    return "".join(out)


def _text(item: TextItem) -> str:
    # A one-line field block as wide as the text's box: the printer never draws past it.
    block = f"^FB{item.width},1,0,L,0" if item.width else ""
    return f"^FO{item.x},{item.y}{block}^A0N,{item.height},{item.height}{field_data(item.text)}^FS"


def _bars(item: BarsItem) -> str:
    # ^BC mode N with our own start code: the printer encodes exactly these codewords.
    return f"^FO{item.x},{item.y}^BY{item.module}^BCN,{item.height},N,N,N,N^FD{code128_data(item.codewords)}^FS"


def _matrix(item: MatrixItem) -> str:
    if item.kind == "qr":
        if not 1 <= item.module <= 10:
            raise LabelError("qr", f"a module of {item.module} dots is outside ZPL's QR magnification 1-10")
        raw = item.data.encode("utf-8")
        if raw.isascii():
            payload = f"MA,{item.data}"  # error correction M, automatic mode selection
        else:
            payload = f"MM,B{len(raw):04d}{item.data}"  # manual byte mode for UTF-8
        return f"^FO{item.x},{item.y}^BQN,2,{item.module}{field_data(payload)}^FS"
    data = item.data.replace(BX_ESCAPE, BX_ESCAPE * 2)
    if item.gs1 is not None:
        data = BX_ESCAPE + "1" + item.gs1.data.replace(BX_ESCAPE, BX_ESCAPE * 2).replace("\x1d", BX_ESCAPE + "1")
    # Columns and rows given: the printer draws the size the preview shows, not one of its choosing.
    aspect = ",2" if item.rows != item.cols else ""
    return (f"^FO{item.x},{item.y}^BXN,{item.module},200,{item.cols},{item.rows},,{BX_ESCAPE}{aspect}"
            f"{field_data(data)}^FS")


def _box(item: BoxItem) -> str:
    return f"^FO{item.x},{item.y}^GB{item.width},{item.height},{item.thickness},B,0^FS"


_WRITE = {TextItem: _text, BarsItem: _bars, MatrixItem: _matrix, BoxItem: _box}
