"""How pages show quantities, money and times, and how list pages page by key."""
from datetime import datetime
from decimal import Decimal as D

import pytest

from central.catalog import create_item
from central.models import Item
from central.web.format import money, qty, readable, site_zone, unit_cost
from central.web.paging import keyset
from shopfloor.settings import SettingsError


def test_quantities_carry_their_unit_without_trailing_zeros():
    assert qty(D("12500.500"), "kg") == "12,500.5 kg"
    assert qty(D("3.000"), "pcs") == "3 pcs"
    assert qty(D("0E-6"), "kg") == "0 kg"
    assert qty(D("-0.25"), "l") == "-0.25 l"
    assert money(D("3.456")) == "3.46"
    assert unit_cost(D("0.123400")) == "0.1234"
    assert unit_cost(D("2")) == "2.00"


def test_times_read_in_the_site_zone():
    berlin = site_zone("Europe/Berlin")
    now = datetime(2026, 11, 30, 12, 0)
    assert readable(datetime(2026, 11, 30, 23, 30), berlin, now) == "Tue 1 Dec 00:30"
    assert readable(datetime(2026, 11, 30, 8, 5), berlin, now) == "today 09:05"
    assert readable(datetime(2025, 7, 1, 8, 5), berlin, now) == "1 Jul 2025 10:05"


def test_an_unknown_zone_is_a_configuration_error_naming_the_key():
    with pytest.raises(SettingsError, match="site.timezone"):
        site_zone("Mars/Olympus")


def test_keyset_pages_walk_every_row_once(app, db):
    for n in range(7):
        create_item({"code": f"I{n:02d}", "unit": "kg"})
    seen, after = [], None
    while True:
        with app.test_request_context("/items", query_string={"after": after} if after else {}):
            page = keyset(Item.select(), [Item.code, Item.id], size=3)
        seen += [i.code for i in page.rows]
        assert page.first == (after is None)
        if page.after is None:
            break
        after = page.after
    assert seen == [f"I{n:02d}" for n in range(7)]
    with app.test_request_context("/items", query_string={"after": "not-a-cursor"}):
        assert [i.code for i in keyset(Item.select(), [Item.code, Item.id], size=3).rows] == ["I00", "I01", "I02"]


def test_typed_times_are_read_on_the_site_clocks():
    from datetime import timezone

    from central.web.format import typed, typed_value

    berlin = site_zone("Europe/Berlin")
    winter = typed("2026-12-01T08:00", berlin)
    assert winter.astimezone(timezone.utc).replace(tzinfo=None) == datetime(2026, 12, 1, 7, 0)
    assert typed("2026-07-01T08:00", berlin).utcoffset().total_seconds() == 7200  # summer time
    assert typed("", berlin) is None and typed("   ", berlin) is None
    assert typed("next tuesday", berlin) == "next tuesday"  # handed on for the domain to name the field
    assert typed_value(datetime(2026, 12, 1, 7, 0), berlin) == "2026-12-01T08:00"
    assert typed_value("2026-07-01T06:00:00", berlin) == "2026-07-01T08:00"
    assert typed_value(None, berlin) == ""
