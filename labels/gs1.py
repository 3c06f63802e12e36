"""GS1 element strings: check digits, AI values, FNC1 separators, HRI, biip round trip."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_messages import GS1Message

from labels.errors import LabelError

#: Group separator: what FNC1 in a non-leading position transmits.
GS = "\x1d"

# GS1 General Specifications, figure 7.11-1: the 82 characters an X field may hold.
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")
_CSET82_TEXT = "A-Z a-z 0-9 and !\"%&'()*+,-./:;<=>?_"
# SSCC, GTINs and GLNs end in a mod-10 check digit.
_CHECK_DIGIT_AIS = frozenset({"00", "01", "02", "410", "411", "412", "413", "414", "415", "416"})
_DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"})
_FORMAT = re.compile(r"^N\d\+?([NX])(\.\.)?(\d+)")

#: Units whose quantity is a net measure: AI prefix, with the decimals digit appended.
MEASURE_AIS = {"kg": "310", "m": "311", "m2": "314", "l": "315", "m3": "316"}
#: Units that are counted: the quantity goes in (37) as a whole number.
COUNT_UNITS = frozenset({"pcs", "pc", "count", "ea", "each", "units"})


@dataclass(frozen=True, slots=True)
class Element:
    """One application identifier and its value, remembering which field it came from."""

    ai: str
    value: str
    field: str


@dataclass(frozen=True, slots=True)
class ElementString:
    """A checked GS1 message: the data to encode and its human-readable form."""

    elements: tuple[Element, ...]
    #: AIs and values with GS after each variable-length element but the last;
    #: a symbol encodes a leading FNC1, then FNC1 wherever GS appears here.
    data: str

    @property
    def hri(self) -> str:
        """The human-readable interpretation, e.g. ``(01)09501101530003(10)AB12``."""
        return "".join(f"({e.ai}){e.value}" for e in self.elements)


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for a string of digits (GTIN, SSCC, GLN)."""
    # Weight 3 on the last digit and every second one before it, 1 on the others.
    total = 3 * sum(map(int, body[::-2])) + sum(map(int, body[-2::-2]))
    return str(-total % 10)


def gtin(value: str, field: str = "gtin") -> str:
    """A GTIN-8/12/13/14 checked and padded to the 14 digits (01) carries."""
    return _gtin(value, field)


# Checks below are cached by their exact arguments: a run of labels repeats GTINs, dates and
# quantities. Errors are never cached, so a bad value is refused every time.
@lru_cache(maxsize=4096)
def _gtin(value: str, field: str) -> str:
    value = value.strip()
    if not value.isdecimal() or not value.isascii():
        raise LabelError(field, f"GTIN {value!r} must be digits only")
    if len(value) not in (8, 12, 13, 14):
        raise LabelError(field, f"GTIN {value!r} has {len(value)} digits; expected 8, 12, 13 or 14")
    expected = check_digit(value[:-1])
    if value[-1] != expected:
        raise LabelError(field, f"GTIN {value!r} has check digit {value[-1]}, expected {expected}")
    return value.zfill(14)


def sscc(value: str, field: str = "sscc") -> str:
    """An 18-digit SSCC: 17 digits get their check digit appended, 18 are checked."""
    value = value.strip()
    if not value.isdecimal() or not value.isascii():
        raise LabelError(field, f"SSCC {value!r} must be digits only")
    if len(value) == 17:
        return value + check_digit(value)
    if len(value) != 18:
        raise LabelError(field, f"SSCC {value!r} has {len(value)} digits; expected 17 or 18")
    if value[-1] != check_digit(value[:-1]):
        raise LabelError(field, f"SSCC {value!r} has check digit {value[-1]}, expected {check_digit(value[:-1])}")
    return value


def date_value(day: dt.date) -> str:
    """The YYMMDD form GS1 date AIs (11), (13), (15), (17) carry."""
    return day.strftime("%y%m%d")


def quantity_element(qty: str | Decimal, unit: str, field: str = "qty") -> Element:
    """(310n)-style net measure for kg, m, l...; (37) for counted units."""
    if type(qty) is str and type(unit) is str:
        return _quantity_cached(qty, unit, field)
    return _quantity(qty, unit, field)


def _quantity(qty: str | Decimal, unit: str, field: str) -> Element:
    try:
        amount = Decimal(str(qty))
    except InvalidOperation:
        raise LabelError(field, f"quantity {qty!r} is not a decimal number") from None
    if not amount.is_finite() or amount < 0:
        raise LabelError(field, f"quantity {qty!r} must be a number of zero or more")
    unit_key = unit.strip().lower()
    if unit_key in COUNT_UNITS:
        if amount != amount.to_integral_value():
            raise LabelError(field, f"a count of {unit} must be whole, got {qty}")
        digits = str(int(amount))
        if len(digits) > 8:
            raise LabelError(field, f"count {qty} has more than the 8 digits (37) allows")
        return Element("37", digits, field)
    prefix = MEASURE_AIS.get(unit_key)
    if prefix is None:
        known = ", ".join(sorted(MEASURE_AIS) + sorted(COUNT_UNITS))
        raise LabelError(field, f"no GS1 quantity for unit {unit!r}; known units: {known}")
    normal = amount.normalize()
    decimals = max(0, -normal.as_tuple().exponent)
    if decimals > 5:
        raise LabelError(field, f"quantity {qty} {unit} has more than the 5 decimals GS1 allows")
    digits = str(int(amount.scaleb(decimals)))
    if len(digits) > 6:
        raise LabelError(field, f"quantity {qty} {unit} does not fit the 6 digits of ({prefix}n)")
    return Element(f"{prefix}{decimals}", digits.zfill(6), field)


_quantity_cached = lru_cache(maxsize=4096)(_quantity)


@lru_cache(maxsize=None)
def _ai(code: str) -> tuple[GS1ApplicationIdentifier, str, int, bool]:
    """The biip AI record plus its data kind (N or X), length and whether it is fixed."""
    try:
        ai = GS1ApplicationIdentifier.extract(code)
    except ParseError:
        raise LabelError("gs1", f"unknown application identifier ({code})") from None
    if ai.ai != code:
        raise LabelError("gs1", f"unknown application identifier ({code})")
    match = _FORMAT.match(ai.format)
    if match is None:  # pragma: no cover - every AI in the GS1 table has this shape
        raise LabelError("gs1", f"cannot read the format {ai.format} of ({code})")
    kind, variable, length = match.groups()
    return ai, kind, int(length), not variable


@lru_cache(maxsize=None)
def _pattern(code: str) -> re.Pattern[str]:
    return re.compile(_ai(code)[0].pattern)


def element(ai: str, value: str, field: str) -> Element:
    """One element checked against its AI's format, with a message naming the field."""
    return _element(ai, value, field)


@lru_cache(maxsize=4096)
def _element(ai: str, value: str, field: str) -> Element:
    try:
        record, kind, length, fixed = _ai(ai)
    except LabelError as exc:
        raise LabelError(field, exc.message) from None
    if kind == "N" and not (value.isdecimal() and value.isascii()):
        raise LabelError(field, f"({ai}) takes digits only, got {value!r}")
    if kind == "X" and not _CSET82.fullmatch(value):
        bad = next(c for c in value if not _CSET82.fullmatch(c))
        raise LabelError(field, f"character {bad!r} cannot be encoded in GS1 ({ai}); allowed: {_CSET82_TEXT}")
    if fixed and len(value) != length:
        raise LabelError(field, f"({ai}) takes exactly {length} characters, got {len(value)}")
    if not fixed and not 1 <= len(value) <= length:
        raise LabelError(field, f"({ai}) takes 1 to {length} characters, got {len(value)}")
    if ai in _CHECK_DIGIT_AIS and value[-1] != check_digit(value[:-1]):
        raise LabelError(field, f"({ai}) {value} has check digit {value[-1]}, expected {check_digit(value[:-1])}")
    if ai in _DATE_AIS and not _is_gs1_date(value):
        raise LabelError(field, f"({ai}) {value} is not a date that exists (YYMMDD)")
    if not _pattern(ai).fullmatch(ai + value):
        raise LabelError(field, f"{value!r} is not a valid ({ai}) {record.data_title}")
    return Element(ai, value, field)


def _is_gs1_date(value: str) -> bool:
    # Day 00 is legal in GS1 date AIs: it means "the last day of the month".
    try:
        dt.date(2000 + int(value[:2]), int(value[2:4]), max(1, int(value[4:6])))
    except ValueError:
        return False
    return True


def build(elements: list[Element] | tuple[Element, ...]) -> ElementString:
    """Join elements into one message (GS after variable-length ones) and round-trip it."""
    if not elements:
        raise LabelError("gs1", "a GS1 symbol needs at least one element")
    parts = []
    for i, el in enumerate(elements):
        parts.append(el.ai + el.value)
        if _ai(el.ai)[0].separator_required and i < len(elements) - 1:
            parts.append(GS)
    message = ElementString(tuple(elements), "".join(parts))
    round_trip(message)
    return message


def round_trip(message: ElementString) -> None:
    """Parse the message back with biip; refuse it unless every AI and value comes back."""
    parsed = _parse(message.data)
    if isinstance(parsed, str):
        raise LabelError(_blame(message), f"GS1 data {message.hri} does not parse back: {parsed}")
    meant = [(e.ai, e.value) for e in message.elements]
    for i, want in enumerate(meant):
        got = parsed[i] if i < len(parsed) else None
        if got != want:
            raise LabelError(
                message.elements[i].field,
                f"GS1 ({want[0]}){want[1]} parses back as {_show(got)}",
            )
    if len(parsed) != len(meant):
        raise LabelError("gs1", f"GS1 data {message.hri} parses back with extra elements")


@lru_cache(maxsize=4096)
def _parse(data: str) -> tuple[tuple[str, str], ...] | str:
    """biip's reading of a message: (AI, value) pairs, or the parse error text."""
    # Cached because copies and reprints of one label carry the same message.
    try:
        parsed = GS1Message.parse(data)
    except ParseError as exc:
        return str(exc)
    return tuple((e.ai.ai, e.value) for e in parsed.element_strings)


def _blame(message: ElementString) -> str:
    fields = {e.field for e in message.elements}
    return fields.pop() if len(fields) == 1 else "gs1"


def _show(pair: tuple[str, str] | None) -> str:
    return "nothing" if pair is None else f"({pair[0]}){pair[1]}"
