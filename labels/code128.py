"""Code 128 codewords with the fewest symbols (subsets B and C), FNC1 included."""

from __future__ import annotations

from barcode.charsets.code128 import CODES, STOP

from labels.errors import LabelError

#: Marks FNC1 in the text handed to `codewords`.
FNC1 = "\xf1"

START_B, START_C = 104, 105
CODE_B, CODE_C = 100, 99
FNC1_VALUE = 102
_B, _C = 0, 1


def codewords(text: str, field: str) -> list[int]:
    """Start code and data codewords (no check, no stop) for `text`, as few as possible."""
    for ch in text:
        if ch != FNC1 and not 32 <= ord(ch) <= 127:
            raise LabelError(field, f"character {ch!r} cannot be encoded in Code 128")
    if not text:
        raise LabelError(field, "nothing to encode in Code 128")
    n = len(text)
    inf = 1 << 30
    # cost[i][s]: fewest codewords that encode text[:i] and leave subset s active.
    cost = [[inf, inf] for _ in range(n + 1)]
    back: list[list[tuple[int, int, int] | None]] = [[None, None] for _ in range(n + 1)]
    cost[0] = [1, 1]
    for i in range(n + 1):
        # A subset switch costs one codeword and consumes nothing (not at the start,
        # where the start code already picks the subset).
        if i:
            for s in (_B, _C):
                if cost[i][1 - s] + 1 < cost[i][s]:
                    cost[i][s] = cost[i][1 - s] + 1
                    back[i][s] = (i, 1 - s, CODE_B if s == _B else CODE_C)
        if i == n:
            break
        ch = text[i]
        step_b = cost[i][_B] + 1
        if step_b < cost[i + 1][_B]:
            cost[i + 1][_B] = step_b
            back[i + 1][_B] = (i, _B, FNC1_VALUE if ch == FNC1 else ord(ch) - 32)
        if ch == FNC1:
            if cost[i][_C] + 1 < cost[i + 1][_C]:
                cost[i + 1][_C] = cost[i][_C] + 1
                back[i + 1][_C] = (i, _C, FNC1_VALUE)
        elif i + 1 < n and "0" <= ch <= "9" and "0" <= text[i + 1] <= "9":
            if cost[i][_C] + 1 < cost[i + 2][_C]:
                cost[i + 2][_C] = cost[i][_C] + 1
                back[i + 2][_C] = (i, _C, int(text[i : i + 2]))
    state = (n, _B if cost[n][_B] <= cost[n][_C] else _C)
    out: list[int] = []
    while True:
        step = back[state[0]][state[1]]
        if step is None:
            out.append(START_B if state[1] == _B else START_C)
            break
        out.append(step[2])
        state = (step[0], step[1])
    out.reverse()
    return out


def check_value(values: list[int]) -> int:
    """The mod-103 check codeword for a start code and data codewords."""
    return (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103


def modules(values: list[int]) -> str:
    """The symbol as '1' (bar) and '0' (space) modules, check and stop included."""
    return "".join(CODES[v] for v in values) + CODES[check_value(values)] + STOP + "11"
