"""What rendering keeps between labels: bounded, exact, and never a reason to skip a check."""

from __future__ import annotations

import os
from functools import _lru_cache_wrapper

import pytest
from biip import ParseError
from biip.gs1_messages import GS1Message

from labels import code128, gs1, layout, load_template, render
from labels.errors import LabelError
from labels.template import from_dict


def test_every_cache_is_bounded():
    caches = [gs1._parse, gs1._element, gs1._gtin, gs1._quantity_cached, code128._codewords]
    for cache in caches:
        assert isinstance(cache, _lru_cache_wrapper)
        assert cache.cache_info().maxsize is not None
    for n in range(layout._PLANS_MAX * 2 + 5):
        template = from_dict({"width_mm": 20 + n, "height_mm": 10, "fields": {"a": {}}, "elements": []})
        layout.layout(template, {"a": "x"}, 203)
        assert len(layout._PLANS) <= layout._PLANS_MAX


def test_every_distinct_gs1_payload_is_parsed_back_with_biip(monkeypatch, batch_fields):
    parsed: list[str] = []
    real = GS1Message.parse

    def spy(data, *args, **kwargs):
        parsed.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(GS1Message, "parse", spy)
    gs1._parse.cache_clear()
    for n in range(3):
        render("batch", dict(batch_fields, batch=f"S01-261121-000{n}"), fmt="zpl")
    # The first symbol is the same on all three labels, the second differs each time.
    assert parsed == [
        "01095011015300031126112117270521",
        "310100012510S01-261121-0000",
        "310100012510S01-261121-0001",
        "310100012510S01-261121-0002",
    ]


def test_a_payload_biip_refuses_is_refused_on_every_label(monkeypatch, batch_fields):
    def refuse(data, *args, **kwargs):
        raise ParseError(f"cannot read {data!r}")

    monkeypatch.setattr(GS1Message, "parse", refuse)
    gs1._parse.cache_clear()
    for _ in range(2):
        with pytest.raises(LabelError, match="does not parse back"):
            render("batch", batch_fields, fmt="zpl")
    gs1._parse.cache_clear()  # no refusal left behind for later tests


def test_round_trip_refuses_a_cached_bad_message_every_time():
    elements = (gs1.Element("10", "AB", "batch"), gs1.Element("17", "270521", "expiry"))
    broken = gs1.ElementString(elements, "10AB17270521")
    for _ in range(2):
        with pytest.raises(LabelError, match=r"parses back as \(10\)AB17270521"):
            gs1.round_trip(broken)


def test_a_bad_value_is_refused_every_time():
    assert gs1.element("10", "AB12", "batch") == gs1.Element("10", "AB12", "batch")
    for _ in range(2):
        with pytest.raises(LabelError, match="check digit"):
            gs1.gtin("09501101530004")
        with pytest.raises(LabelError, match="cannot be encoded in GS1"):
            gs1.element("10", "AB 12", "batch")
        with pytest.raises(LabelError, match="cannot be encoded in Code 128"):
            code128.codewords("ab\u00e9", "code")


def test_an_edited_template_file_is_placed_anew(tmp_path):
    path = tmp_path / "t.toml"
    source = (
        'width_mm = 40\nheight_mm = 20\n[fields]\na = {}\n'
        '[[elements]]\ntype = "text"\nx_mm = X\ny_mm = 2\ntext = "{a}"\n'
    )
    path.write_text(source.replace("X", "2"), encoding="utf-8")
    first = render(str(path), {"a": "x"}, fmt="zpl", dpi=203)
    path.write_text(source.replace("X", "10"), encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    second = render(str(path), {"a": "x"}, fmt="zpl", dpi=203)
    assert b"^FO16,16^" in first
    assert b"^FO80,16^" in second


def test_one_template_at_two_resolutions_keeps_both_apart(batch_fields):
    template = load_template("batch")
    for _ in range(2):
        at_203 = render(template, batch_fields, fmt="zpl", dpi=203)
        at_300 = render(template, batch_fields, fmt="zpl", dpi=300)
        assert b"^PW799" in at_203 and b"^PW1181" in at_300
