"""Keyboard-wedge decoding: Linux key codes → characters under a keyboard layout (US, DE, FR AZERTY).

A HID scanner types the barcode as key presses for the layout it was set up for; the station
must decode with the same layout. Key codes are the Linux input codes (stable ABI), named by
their US position. Ctrl+<key> gives the control character of the key's US letter or symbol,
so Ctrl+] (KEY_RIGHTBRACE) is the GS1 separator on every layout; a scanner that sends a
function key for GS names it with ``gs_key`` (e.g. ``F8``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

EV_KEY = 1
ENTER, KP_ENTER = 28, 96
SHIFTS = frozenset({42, 54})
CTRLS = frozenset({29, 97})
ALTGR = 100
CAPSLOCK = 58

#: Linux key code → US position name.
CODES: dict[int, str] = {
    2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9", 11: "0", 12: "MINUS", 13: "EQUAL",
    15: "TAB", 16: "Q", 17: "W", 18: "E", 19: "R", 20: "T", 21: "Y", 22: "U", 23: "I", 24: "O", 25: "P",
    26: "LEFTBRACE", 27: "RIGHTBRACE", 30: "A", 31: "S", 32: "D", 33: "F", 34: "G", 35: "H", 36: "J", 37: "K",
    38: "L", 39: "SEMICOLON", 40: "APOSTROPHE", 41: "GRAVE", 43: "BACKSLASH", 44: "Z", 45: "X", 46: "C", 47: "V",
    48: "B", 49: "N", 50: "M", 51: "COMMA", 52: "DOT", 53: "SLASH", 55: "KPASTERISK", 57: "SPACE", 86: "102ND",
    71: "KP7", 72: "KP8", 73: "KP9", 74: "KPMINUS", 75: "KP4", 76: "KP5", 77: "KP6", 78: "KPPLUS", 79: "KP1",
    80: "KP2", 81: "KP3", 82: "KP0", 83: "KPDOT", 98: "KPSLASH",
    59: "F1", 60: "F2", 61: "F3", 62: "F4", 63: "F5", 64: "F6", 65: "F7", 66: "F8", 67: "F9", 68: "F10",
    87: "F11", 88: "F12",
}
NAME_TO_CODE = {name: code for code, name in CODES.items()}

_KEYPAD = {"KP0": "0", "KP1": "1", "KP2": "2", "KP3": "3", "KP4": "4", "KP5": "5", "KP6": "6", "KP7": "7",
           "KP8": "8", "KP9": "9", "KPDOT": ".", "KPSLASH": "/", "KPASTERISK": "*", "KPMINUS": "-", "KPPLUS": "+"}


def _letters(swap: dict[str, str] | None = None) -> dict[str, tuple[str, str, str]]:
    swap = swap or {}
    table = {}
    for name in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        ch = swap.get(name, name.lower())
        table[name] = (ch, ch.upper(), "")
    return table


def _rows(spec: str) -> dict[str, tuple[str, str, str]]:
    """``NAME normal shift [altgr]`` per line; ``␣`` stands for no character."""
    table = {}
    for line in spec.strip().splitlines():
        name, *chars = line.split()
        chars = [("" if c == "␣" else c) for c in chars] + ["", ""]
        table[name] = (chars[0], chars[1], chars[2])
    return table


_US = _letters() | _rows("""
1 1 !
2 2 @
3 3 #
4 4 $
5 5 %
6 6 ^
7 7 &
8 8 *
9 9 (
0 0 )
MINUS - _
EQUAL = +
LEFTBRACE [ {
RIGHTBRACE ] }
SEMICOLON ; :
APOSTROPHE ' "
GRAVE ` ~
BACKSLASH \\ |
COMMA , <
DOT . >
SLASH / ?
102ND \\ |
""")

_DE = _letters({"Y": "z", "Z": "y"}) | _rows("""
1 1 !
2 2 " ²
3 3 § ³
4 4 $
5 5 %
6 6 &
7 7 / {
8 8 ( [
9 9 ) ]
0 0 = }
MINUS ß ? \\
EQUAL ␣ ␣
LEFTBRACE ü Ü
RIGHTBRACE + * ~
SEMICOLON ö Ö
APOSTROPHE ä Ä
GRAVE ^ °
BACKSLASH # '
COMMA , ;
DOT . :
SLASH - _
102ND < > |
""")
_DE["Q"] = ("q", "Q", "@")
_DE["E"] = ("e", "E", "€")

_FR = _letters({"Q": "a", "A": "q", "W": "z", "Z": "w"}) | _rows("""
1 & 1
2 é 2 ~
3 " 3 #
4 ' 4 {
5 ( 5 [
6 - 6 |
7 è 7 `
8 _ 8 \\
9 ç 9 ^
0 à 0 @
MINUS ) ° ]
EQUAL = + }
LEFTBRACE ␣ ␣
RIGHTBRACE $ £ ¤
SEMICOLON m M
APOSTROPHE ù %
GRAVE ² ␣
BACKSLASH * µ
M , ?
COMMA ; .
DOT : /
SLASH ! §
102ND < >
""")
_FR["E"] = ("e", "E", "€")

#: Layouts by name: US position name → (normal, shift, AltGr).
LAYOUTS: dict[str, dict[str, tuple[str, str, str]]] = {"us": _US, "de": _DE, "fr": _FR}


@dataclass
class Decoder:
    """Turns key events into text; Enter ends a scan with CR (what the framer expects)."""

    layout: str = "us"
    gs_key: str = ""
    _shift: set = field(default_factory=set)
    _ctrl: set = field(default_factory=set)
    _altgr: bool = False
    _caps: bool = False

    def __post_init__(self):
        if self.layout not in LAYOUTS:
            raise ValueError(f"keyboard layout {self.layout!r} is not one of {', '.join(LAYOUTS)}")
        self._table = LAYOUTS[self.layout]

    def feed(self, type_: int, code: int, value: int) -> str:
        """One input event (type, code, value: 1 press, 2 repeat, 0 release) → the text it types."""
        if type_ != EV_KEY:
            return ""
        down = value in (1, 2)
        if code in SHIFTS:
            (self._shift.add if down else self._shift.discard)(code)
            return ""
        if code in CTRLS:
            (self._ctrl.add if down else self._ctrl.discard)(code)
            return ""
        if code == ALTGR:
            self._altgr = down
            return ""
        if not down:
            return ""
        if code == CAPSLOCK:
            self._caps = not self._caps
            return ""
        if code in (ENTER, KP_ENTER):
            return "\r"
        name = CODES.get(code)
        if name is None:
            return ""
        if self.gs_key and name == self.gs_key:
            return "\x1d"
        if name in _KEYPAD:
            return _KEYPAD[name]
        if name == "SPACE":
            return " "
        if self._ctrl:
            us = _US.get(name, ("", "", ""))[0].upper()
            return chr(ord(us) & 0x1F) if len(us) == 1 and "@" <= us <= "_" else ""
        normal, shifted, altgr = self._table.get(name, ("", "", ""))
        if self._altgr:
            return altgr
        upper = bool(self._shift)
        if self._caps and normal.isalpha():
            upper = not upper
        return shifted if upper else normal
