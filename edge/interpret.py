"""What a scan means: a badge, work order, batch, location, item, quantity, command, reason code,
or a GS1 element string from a supplier label (parsed with biip).

Prefixes and patterns come from the station's settings; codes in the cached station config
(reason codes, items) are recognised without a prefix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from biip import ParseError
from biip.gs1_messages import GS1Message

from edge.contract import code

GS = "\x1d"
SYMBOLOGY_IDS = ("]C1", "]e0", "]d2", "]Q3", "]J1")
_GS1_BARE = re.compile(r"^(00\d{18}|0[12]\d{14})")
_NUMBER = re.compile(r"^\d{1,9}([.,]\d{1,6})?$")

KINDS = ("badge", "work_order", "batch", "location", "item", "quantity", "number", "command", "reason", "gs1",
         "invalid")


@dataclass(frozen=True)
class Meaning:
    """One interpreted scan. ``fields`` holds GS1 values (gtin, batch, expiry, qty, unit)."""

    kind: str
    value: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class Patterns:
    """How this plant's barcodes look."""

    badge: re.Pattern = re.compile(r"^(OP|BADGE)-[A-Za-z0-9._-]+$")
    work_order: re.Pattern = re.compile(r"^WO-[A-Za-z0-9._-]+$")
    location: re.Pattern = re.compile(r"^LOC-[A-Za-z0-9._-]+$")
    quantity_prefix: str = "Q:"
    command_prefix: str = "CMD:"
    reason_prefix: str = "RC:"
    item_prefix: str = "ITEM:"

    @classmethod
    def from_settings(cls, settings) -> "Patterns":
        """Patterns from the edge settings (``scan.*`` keys)."""
        from shopfloor.settings import SettingsError

        compiled = {}
        for name in ("badge", "work_order", "location"):
            key = f"scan.{name}_pattern"
            try:
                compiled[name] = re.compile(settings[key])
            except re.error as exc:
                raise SettingsError(f"{key} is not a regular expression: {exc}") from None
        return cls(**compiled, quantity_prefix=settings["scan.quantity_prefix"],
                   command_prefix=settings["scan.command_prefix"], reason_prefix=settings["scan.reason_prefix"],
                   item_prefix=settings["scan.item_prefix"])


def _strip(text: str, prefix: str) -> str | None:
    if prefix and text.upper().startswith(prefix.upper()):
        return text[len(prefix):].strip()
    return None


def quantity(text: str) -> Decimal | None:
    """A positive decimal from a scan or keypad (comma or point), or None."""
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 and len(text) <= 32 else None


def interpret(text: str, patterns: Patterns, reason_codes: frozenset[str] = frozenset(),
              item_codes: frozenset[str] = frozenset()) -> Meaning:
    """The meaning of one scan's text."""
    text = text.strip(" \t")
    if not text:
        return Meaning("invalid", error="empty scan")
    if any((not ch.isprintable()) and ch != GS for ch in text):
        return Meaning("invalid", error="unreadable scan (control characters): scan again")
    if _looks_gs1(text):
        return _gs1(text)
    for kind, prefix in (("command", patterns.command_prefix), ("reason", patterns.reason_prefix),
                         ("item", patterns.item_prefix)):
        rest = _strip(text, prefix)
        if rest is not None:
            if not _is_code(rest):
                return Meaning("invalid", error=f"{kind} barcode {text[:40]!r} has no valid code")
            return Meaning(kind, rest.upper() if kind == "command" else rest)
    rest = _strip(text, patterns.quantity_prefix)
    if rest is not None:
        number = quantity(rest)
        if number is None:
            return Meaning("invalid", error=f"quantity {rest[:20]!r} is not a number greater than zero")
        return Meaning("quantity", format(number, "f"))
    if patterns.badge.match(text):
        return Meaning("badge", text)
    if patterns.work_order.match(text):
        return Meaning("work_order", text)
    if patterns.location.match(text):
        return Meaning("location", text)
    if text in reason_codes:
        return Meaning("reason", text)
    if text in item_codes:
        return Meaning("item", text)
    if _NUMBER.match(text):
        return Meaning("number", format(quantity(text) or Decimal(0), "f"))
    if _is_code(text):
        return Meaning("batch", text)
    return Meaning("invalid", error=f"not a barcode this station knows: {text[:40]!r}")


def _is_code(text: str) -> bool:
    try:
        code(text)
    except ValueError:
        return False
    return True


def _looks_gs1(text: str) -> bool:
    return text.startswith(SYMBOLOGY_IDS) or GS in text or text.startswith("(0") or bool(_GS1_BARE.match(text))


def _gs1(text: str) -> Meaning:
    """GTIN, batch/lot, expiry, count and net weight from a GS1 element string."""
    try:
        if text.startswith("("):
            message = GS1Message.parse_hri(text)
        else:
            body = text[3:] if text.startswith(SYMBOLOGY_IDS) else text
            message = GS1Message.parse(body)
    except (ParseError, ValueError) as exc:
        return Meaning("invalid", error=f"GS1 label not readable: {str(exc)[:80]}")
    fields: dict[str, Any] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        if ai in ("01", "02"):
            fields["gtin"] = element.value
        elif ai == "10":
            fields["batch"] = element.value
        elif ai in ("17", "15") and element.date is not None:
            fields.setdefault("expiry", element.date.isoformat())
        elif ai == "11" and element.date is not None:
            fields["produced"] = element.date.isoformat()
        elif ai in ("30", "37"):
            fields["qty"] = str(int(element.value))
            fields["unit"] = "pcs"
        elif ai.startswith("310") and element.decimal is not None:
            fields["qty"] = format(element.decimal, "f")
            fields["unit"] = "kg"
        elif ai == "00":
            fields["sscc"] = element.value
    return Meaning("gs1", message.as_hri(), fields)
