"""Fitting text into its box: shrink to the smallest size allowed, then wrap or cut with an ellipsis.

Widths are measured with the font the PDF and PNG draw with (DejaVu Sans, see `labels.fonts`),
taking the wider of its exact outline advance and its hinted advance at the size drawn. The
printer's font 0 is narrower than DejaVu Sans at the same height, and ZPL text is also confined
to its box with ``^FB``, so a line that fits here fits on the printed label too.
"""

from __future__ import annotations

from functools import lru_cache

from labels.fonts import font_path

#: What replaces the cut end of a line: three full stops, which every printer font has.
ELLIPSIS = "..."
_REFERENCE = 1000  # font size at which outline advances are read, in pixels


@lru_cache(maxsize=64)
def _font(size: int, bold: bool):
    from PIL import ImageFont  # loaded on the first text that needs fitting

    path = font_path(bold)
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size)


def width(text: str, size: int, bold: bool = False) -> float:
    """How wide `text` is at `size` dots, in dots: no less than either way the renderers draw it."""
    advances = _advances(size, bold)
    try:
        return sum(map(advances.__getitem__, text))
    except KeyError:
        for ch in text:
            if ch not in advances:
                advances[ch] = _advance(ch, size, bold)
        return sum(map(advances.__getitem__, text))


# Per font size and weight, each character's advance; kerning only ever narrows a pair, so the sum
# of advances is an upper bound of the width drawn.
_ADVANCES: dict[tuple[int, bool], dict[str, float]] = {}


def _advances(size: int, bold: bool) -> dict[str, float]:
    table = _ADVANCES.get((size, bold))
    if table is None or len(table) > 4096:  # bounded: a text of rare characters starts the table afresh
        table = _ADVANCES[(size, bold)] = {}
    return table


def _advance(ch: str, size: int, bold: bool) -> float:
    # The outline's advance, as PDF draws it, and the hinted one at this size, as PNG draws it.
    if font_path(bold) is None:
        # No DejaVu: the PDF falls back to Helvetica, the PNG to Pillow's own font.
        from reportlab.pdfbase.pdfmetrics import stringWidth

        exact = stringWidth(ch, "Helvetica-Bold" if bold else "Helvetica", size)
    else:
        exact = _font(_REFERENCE, bold).getlength(ch) * size / _REFERENCE
    return max(exact, _font(size, bold).getlength(ch))


def fit(text: str, box_width: int, size: int, min_size: int, wrap: bool, lines: int, bold: bool) -> tuple[int, list[str]]:
    """The size and lines that put `text` inside a box `box_width` dots wide and `lines` lines high."""
    if width(text, size, bold) <= box_width:
        return size, [text]
    # Width grows in proportion to size: try the size that should just fit, then step down.
    guess = max(min_size, min(size - 1, int(size * box_width / width(text, size, bold))))
    for s in range(guess + 1, min_size - 1, -1):
        if s <= size and width(text, s, bold) <= box_width:
            return s, [text]
    if wrap:
        return min_size, _wrap(text, box_width, min_size, lines, bold)
    return min_size, [_cut(text, box_width, min_size, bold)]


def _cut(text: str, box_width: int, size: int, bold: bool) -> str:
    """The longest start of `text` that fits with an ellipsis after it (nothing if not even that fits)."""
    if width(ELLIPSIS, size, bold) > box_width:
        return ""
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on the number of characters kept
        mid = (lo + hi + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, size, bold) <= box_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def _wrap(text: str, box_width: int, size: int, lines: int, bold: bool) -> list[str]:
    """Words onto at most `lines` lines; a word too long for a line is broken; the last line cut if need be."""
    out: list[str] = []
    rest = text.split()
    while rest and len(out) < lines:
        if len(out) == lines - 1:
            last = " ".join(rest)
            out.append(last if width(last, size, bold) <= box_width else _cut(last, box_width, size, bold))
            return out
        line = rest.pop(0)
        if width(line, size, bold) > box_width:  # one word wider than the box: break it
            cut = max(1, len(_cut(line, box_width, size, bold)) - len(ELLIPSIS))
            line, rest = line[:cut], [line[cut:], *rest]
        while rest and width(f"{line} {rest[0]}", size, bold) <= box_width:
            line = f"{line} {rest.pop(0)}"
        out.append(line)
    return out
