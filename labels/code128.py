"""Code 128 codewords with the fewest symbols (subsets B and C), FNC1 included."""

from __future__ import annotations

import re
from functools import lru_cache

from barcode.charsets.code128 import CODES, STOP

from labels.errors import LabelError

#: Marks FNC1 in the text handed to `codewords`.
FNC1 = "\xf1"

START_B, START_C = 104, 105
CODE_B, CODE_C = 100, 99
FNC1_VALUE = 102


# Text `codewords` encodes without a closer look: printable ASCII, DEL and FNC1.
_ENCODABLE = re.compile(r"[\x20-\x7f\xf1]+")


def codewords(text: str, field: str) -> list[int]:
    """Start code and data codewords (no check, no stop) for `text`, as few as possible."""
    if _ENCODABLE.fullmatch(text) is None:
        for ch in text:
            if ch != FNC1 and not 32 <= ord(ch) <= 127:
                raise LabelError(field, f"character {ch!r} cannot be encoded in Code 128")
        raise LabelError(field, "nothing to encode in Code 128")
    return list(_codewords(text))


# Copies and reprints, and the unchanging first symbol of a run of labels, encode the same text.
@lru_cache(maxsize=1024)
def _codewords(text: str) -> tuple[int, ...]:
    n = len(text)
    inf = 1 << 30
    digit = [ch.isdigit() for ch in text]
    digit.append(False)
    # cost_x[i]: fewest codewords that encode text[:i] and leave subset x active;
    # from_x[i]: how that was reached (-1 start, 0 a character, 1 a switch, 2 a digit pair).
    cost_b, cost_c = [inf] * (n + 2), [inf] * (n + 2)
    from_b, from_c = [-1] * (n + 2), [-1] * (n + 2)
    cost_b[0] = cost_c[0] = 1  # the start code picks the subset
    for i in range(n + 1):
        cb, cc = cost_b[i], cost_c[i]
        if i:
            # A subset switch costs one codeword and consumes nothing.
            if cc + 1 < cb:
                cost_b[i] = cb = cc + 1
                from_b[i] = 1
            elif cb + 1 < cc:
                cost_c[i] = cc = cb + 1
                from_c[i] = 1
        if i == n:
            break
        cb += 1
        cc += 1
        if cb < cost_b[i + 1]:
            cost_b[i + 1] = cb
            from_b[i + 1] = 0
        if text[i] == FNC1:
            if cc < cost_c[i + 1]:
                cost_c[i + 1] = cc
                from_c[i + 1] = 0
        elif digit[i] and digit[i + 1] and cc < cost_c[i + 2]:
            cost_c[i + 2] = cc
            from_c[i + 2] = 2
    # Walk back from the cheaper end state.
    out: list[int] = []
    i, in_c = n, cost_c[n] < cost_b[n]
    while True:
        step = from_c[i] if in_c else from_b[i]
        if step == -1:
            out.append(START_C if in_c else START_B)
            break
        if step == 1:
            out.append(CODE_C if in_c else CODE_B)
            in_c = not in_c
        elif step == 2:
            out.append(int(text[i - 2 : i]))
            i -= 2
        else:
            ch = text[i - 1]
            out.append(FNC1_VALUE if ch == FNC1 else ord(ch) - 32)
            i -= 1
    out.reverse()
    return tuple(out)


def check_value(values: list[int]) -> int:
    """The mod-103 check codeword for a start code and data codewords."""
    return (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103


def modules(values: list[int]) -> str:
    """The symbol as '1' (bar) and '0' (space) modules, check and stop included."""
    return "".join(CODES[v] for v in values) + CODES[check_value(values)] + STOP + "11"
