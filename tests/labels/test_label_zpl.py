"""ZPL output checked command by command, barcodes decoded back from their field data."""

from __future__ import annotations

import re

import biip
import pytest

from labels import render

# ZPL manual, "Code 128 Invocation Characters": the code after '>' and the Code 128 value.
INVOKE = {"<": 62, "0": 30, "=": 94, "1": 95, "5": 99, "6": 100, "8": 102}
START = {":": "B", ";": "C"}


def commands(zpl: bytes) -> list[tuple[str, str]]:
    """(command, parameters) in order; ^FD data runs to the next ^FS."""
    text = zpl.decode("utf-8")
    return [(m.group(1), m.group(2)) for m in re.finditer(r"\^([A-Z][A-Z0-9@]?)([^^]*)", text)]


def fields(zpl: bytes) -> list[dict[str, str]]:
    """One dict per ^FO...^FS field: command name -> parameters."""
    out, current = [], None
    for name, params in commands(zpl):
        if name == "FO":
            current = {}
        if current is not None:
            current[name] = params.rstrip("\n")
        if name == "FS":
            out.append(current)
            current = None
    return out


def unhex(data: str, params: dict[str, str]) -> str:
    """Undo ^FH escapes (indicator given as the ^FH parameter)."""
    if "FH" not in params:
        return data
    mark = re.escape(params["FH"] or "_")
    return re.sub(mark + r"([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), data)


def code128_text(data: str) -> str:
    """What a ^BC field in mode N encodes, FNC1 shown as GS (leading FNC1 as ']C1')."""
    assert data[0] == ">" and data[1] in START, "field data must begin with a start code"
    subset, i, out = START[data[1]], 2, []
    while i < len(data):
        if data[i] == ">":
            value = INVOKE[data[i + 1]]
            i += 2
            if value == 102:
                out.append("\x1d")
            elif value == 99:
                subset = "C"
            elif value == 100 and subset == "C":
                subset = "B"
            else:
                out.append(chr(value + 32))
        elif subset == "C":
            pair = data[i : i + 2]
            assert pair.isdigit() and len(pair) == 2
            out.append(pair)
            i += 2
        else:
            out.append(data[i])
            i += 1
    text = "".join(out)
    return "]C1" + text[1:] if text.startswith("\x1d") else text


def gs1(symbology_and_data: str) -> dict[str, str]:
    result = biip.parse(symbology_and_data)
    assert result.gs1_message is not None, result.gs1_message_error
    return {e.ai.ai: e.value for e in result.gs1_message.element_strings}


@pytest.mark.parametrize("dpi, module", [(203, 2), (300, 3)])
def test_batch_label_zpl(batch_fields, dpi, module):
    zpl = render("batch", batch_fields, fmt="zpl", dpi=dpi)
    cmds = commands(zpl)
    assert cmds[0] == ("XA", "\n") and cmds[-1][0] == "XZ"
    header = dict(cmds[:6])
    assert header["CI"].strip() == "28"  # UTF-8 field data
    assert int(header["PW"]) == round(100 * dpi / 25.4)
    assert int(header["LL"]) == round(78 * dpi / 25.4)

    bars = [f for f in fields(zpl) if "BC" in f]
    assert [f["BY"] for f in bars] == [str(module)] * 2
    assert all(f["BC"].split(",")[2:] == ["N", "N", "N", "N"] for f in bars)  # no printer HRI, mode N
    decoded = [gs1(code128_text(f["FD"])) for f in bars]
    assert decoded == [
        {"01": "09501101530003", "11": "261121", "17": "270521"},
        {"3101": "000125", "10": "S01-261121-0007"},
    ]

    qr = [f for f in fields(zpl) if "BQ" in f]
    assert len(qr) == 1
    assert qr[0]["BQ"].startswith("N,2,")
    assert qr[0]["FD"] == "MA," + batch_fields["url"]

    texts = [unhex(f["FD"], f) for f in fields(zpl) if "A0" in f]
    assert "Batch S01-261121-0007" in texts
    assert "(3101)000125(10)S01-261121-0007" in texts
    assert "Expiry 2027-05-21" in texts


def test_fnc1_follows_a_variable_length_count(batch_fields):
    # A variable-measure trade item (indicator digit 9) counted in pieces: (01) with a (30) count.
    zpl = render("batch", dict(batch_fields, gtin="99501101530006", unit="pcs", qty="40"), fmt="zpl")
    bars = [f["FD"] for f in fields(zpl) if "BC" in f]
    assert bars[1] == ">;>83040>810>6S01->5261121>6->50007"
    assert code128_text(bars[1]) == "]C13040\x1d10S01-261121-0007"


@pytest.mark.parametrize("dpi", [203, 300])
def test_goods_in_zpl_gs1_datamatrix_and_code128(goods_in_fields, dpi):
    zpl = render("goods_in", goods_in_fields, fmt="zpl", dpi=dpi)
    dm = [f for f in fields(zpl) if "BX" in f]
    assert len(dm) == 1
    params = dm[0]["BX"].split(",")
    assert params[0] == "N" and params[2] == "200" and params[6] == "_"
    assert params[3:5] == ["22", "22"]  # the size the preview shows, not the printer's choice
    data = dm[0]["FD"]
    assert data.startswith("_1")  # FNC1 first: GS1 DataMatrix
    message = data[2:].replace("_1", "\x1d").replace("__", "_")
    assert gs1("]d2" + message) == {"01": "04006381333931", "17": "311130", "10": "S01-261120-0003"}

    lot = [f for f in fields(zpl) if "BC" in f]
    assert [code128_text(f["FD"]) for f in lot] == ["L_4711/A"]
    assert "Supplier Schrauben Müller GmbH".encode() in zpl


def test_characters_zpl_would_read_as_commands_are_hex_escaped(batch_fields):
    zpl = render("batch", dict(batch_fields, item="50^ off ~ today \\o/"), fmt="zpl")
    item = next(f for f in fields(zpl) if "FH" in f)
    assert item["FH"] == "\\"
    assert item["FD"] == "50\\5E off \\7E today \\5Co/"
    assert unhex(item["FD"], item) == "50^ off ~ today \\o/"


def test_code128_special_characters_use_invocation_codes(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        'width_mm = 80\nheight_mm = 30\n[fields]\ncode = {}\n'
        '[[elements]]\ntype = "code128"\nx_mm = 5\ny_mm = 5\ndata = "{code}"\n',
        encoding="utf-8",
    )
    zpl = render(str(path), {"code": "a>b^c~d"}, fmt="zpl")
    fd = next(f["FD"] for f in fields(zpl) if "BC" in f)
    assert fd == ">:a>0b><c>=d"
    assert code128_text(fd) == "a>b^c~d"


def test_utf8_qr_uses_byte_mode_with_its_length(batch_fields):
    url = "https://shopfloor.example/lots/Straße"
    zpl = render("batch", dict(batch_fields, url=url), fmt="zpl")
    qr = next(f for f in fields(zpl) if "BQ" in f)
    assert qr["FD"] == f"MM,B{len(url.encode()):04d}{url}"


def test_field_data_is_hex_escaped_only_when_needed():
    from labels.zpl import field_data

    assert field_data("plain") == "^FDplain"
    assert field_data("a^b") == "^FH\\^FDa\\5Eb"
