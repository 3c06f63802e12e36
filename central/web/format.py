"""How pages show quantities, money and times: units without trailing zeros, the site's time zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app
from markupsafe import Markup

from shopfloor.settings import SettingsError


def site_zone(name: str) -> ZoneInfo:
    """The configured ``site.timezone``, or a SettingsError naming the key."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"site.timezone: {name!r} is not an IANA time zone (e.g. Europe/Berlin)") from exc


def number(value, places: int | None = None) -> str:
    """A decimal as a person reads it: thousands separated, no trailing zeros (``places`` rounds first)."""
    if value is None or value == "":
        return ""
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places))
        return format(d, f",.{places}f")
    d = d.normalize()
    if d == 0:
        return "0"
    return format(d, ",f")


def qty(value, unit: str | None = None) -> str:
    """A quantity with its unit: ``12,500.5 kg``; no trailing zeros."""
    text = number(value)
    return f"{text} {unit}" if unit and text else text


def money(value) -> str:
    """A value in the plant's money: two places, thousands separated."""
    return number(value, 2)


def unit_cost(value) -> str:
    """A unit cost: up to six places, trailing zeros dropped but at least two places."""
    if value is None:
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.000001")).normalize()
    places = max(2, -d.as_tuple().exponent) if d.as_tuple().exponent < 0 else 2
    return number(d, places)


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored moment (naive UTC, or aware) in the site's zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone)


def readable(moment: datetime | None, zone: ZoneInfo, now: datetime | None = None) -> str:
    """``14:05`` today, ``Mon 30 Nov 14:05`` this year, ``30 Nov 2025 14:05`` otherwise."""
    at = local(moment, zone)
    if at is None:
        return ""
    today = local(now or datetime.now(timezone.utc), zone)
    if at.date() == today.date():
        return f"today {at:%H:%M}"
    if at.year == today.year:
        return f"{at:%a} {at.day} {at:%b %H:%M}"
    return f"{at.day} {at:%b %Y %H:%M}"


def readable_date(day: date | None) -> str:
    """A calendar date: ``Mon 30 Nov 2026``."""
    return "" if day is None else f"{day:%a} {day.day} {day:%b %Y}"


def _zone() -> ZoneInfo:
    return current_app.extensions["shopfloor.zone"]


def when(moment: datetime | None) -> Markup:
    """A ``<time>`` element: readable in the site's zone, the exact UTC moment as its title."""
    if moment is None:
        return Markup('<span class="muted">—</span>')
    at = local(moment, timezone.utc)
    iso = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    exact = local(moment, _zone()).strftime("%Y-%m-%d %H:%M:%S %Z")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso, exact, readable(moment, _zone()))


def typed(text: str | None, zone: ZoneInfo | None = None) -> datetime | str | None:
    """A date and time typed in the site's zone (``YYYY-MM-DDTHH:MM``, what a ``datetime-local``
    field sends) as an aware moment. Empty is None; text that is no date and time is handed on as
    it is, for the domain's check to name the field and the problem."""
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone or _zone())  # a time a clock change skips or repeats: the earlier reading


def typed_value(moment: datetime | str | None, zone: ZoneInfo | None = None) -> str:
    """A stored moment (naive UTC, aware, or its ISO text) as a ``datetime-local`` field's value in the site's zone."""
    if moment in (None, ""):
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
    return local(moment, zone or _zone()).strftime("%Y-%m-%dT%H:%M")


def init_app(app: Flask) -> None:
    """Register the filters: ``qty``, ``number``, ``money``, ``unit_cost``, ``when``, ``day``, ``typed_value``."""
    app.extensions["shopfloor.zone"] = site_zone(app.config["SHOPFLOOR"]["site.timezone"])
    app.jinja_env.filters.update(qty=qty, number=number, money=money, unit_cost=unit_cost, when=when,
                                 day=readable_date, typed_value=typed_value)
    app.jinja_env.globals["site_zone"] = lambda: app.extensions["shopfloor.zone"].key


__all__ = ["init_app", "local", "money", "number", "qty", "readable", "site_zone", "typed", "typed_value", "unit_cost",
           "when"]
