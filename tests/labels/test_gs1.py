"""GS1 element strings: check digits, AI formats, FNC1 placement and the biip round trip."""

from __future__ import annotations

import pytest

from labels import LabelError, gs1


@pytest.mark.parametrize(
    "body, digit",
    [("0950110153000", "3"), ("400638133393", "1"), ("37612345000001009", "1"), ("9638507", "4")],
)
def test_check_digit(body, digit):
    assert gs1.check_digit(body) == digit


def test_gtin_is_padded_to_14_digits():
    assert gs1.gtin("4006381333931") == "04006381333931"
    assert gs1.gtin("96385074") == "00000096385074"


@pytest.mark.parametrize(
    "value, words",
    [
        ("0950110153000A", "digits only"),
        ("09501101530004", "check digit 4, expected 3"),
        ("123456789", "9 digits"),
    ],
)
def test_bad_gtins_name_the_problem(value, words):
    with pytest.raises(LabelError) as caught:
        gs1.gtin(value, "gtin")
    assert caught.value.field == "gtin"
    assert words in str(caught.value)
    assert str(caught.value).startswith("gtin: ")


def test_sscc_gets_or_checks_its_check_digit():
    assert gs1.sscc("37612345000001009") == "376123450000010091"
    assert gs1.sscc("376123450000010091") == "376123450000010091"
    with pytest.raises(LabelError, match="check digit"):
        gs1.sscc("376123450000010092")


@pytest.mark.parametrize(
    "qty, unit, ai, value",
    [
        ("12.5", "kg", "3101", "000125"),
        ("12.500", "kg", "3101", "000125"),
        ("0.125", "kg", "3103", "000125"),
        ("999999", "kg", "3100", "999999"),
        ("1.5", "l", "3151", "000015"),
        ("250", "pcs", "37", "250"),
        ("7", "count", "37", "7"),
    ],
)
def test_quantity_ai_follows_the_unit(qty, unit, ai, value):
    el = gs1.quantity_element(qty, unit)
    assert (el.ai, el.value) == (ai, value)


@pytest.mark.parametrize(
    "qty, unit, words",
    [
        ("1000000", "kg", "6 digits"),
        ("0.000001", "kg", "5 decimals"),
        ("2.5", "pcs", "whole"),
        ("3", "box", "no GS1 quantity for unit 'box'"),
        ("abc", "kg", "not a decimal"),
        ("-1", "kg", "zero or more"),
    ],
)
def test_quantity_refused(qty, unit, words):
    with pytest.raises(LabelError, match=words):
        gs1.quantity_element(qty, unit, "qty")


def test_fnc1_only_after_variable_length_fields_that_are_not_last():
    message = gs1.build(
        [
            gs1.element("01", "09501101530003", "gtin"),
            gs1.element("10", "AB12", "batch"),
            gs1.element("17", "270521", "expiry"),
            gs1.element("37", "12", "qty"),
            gs1.element("21", "X9", "serial"),
        ]
    )
    assert message.data == "0109501101530003" "10AB12\x1d" "17270521" "3712\x1d" "21X9"
    assert message.hri == "(01)09501101530003(10)AB12(17)270521(37)12(21)X9"


@pytest.mark.parametrize(
    "ai, value, words",
    [
        ("10", "A" * 21, "1 to 20 characters"),
        ("10", "AB 12", "character ' ' cannot be encoded"),
        ("10", "Ä1", "character 'Ä' cannot be encoded"),
        ("17", "270230", "not a date that exists"),
        ("17", "2705", "exactly 6"),
        ("37", "12a", "digits only"),
        ("01", "09501101530004", "check digit 4, expected 3"),
    ],
)
def test_element_refused(ai, value, words):
    with pytest.raises(LabelError) as caught:
        gs1.element(ai, value, "f")
    assert caught.value.field == "f"
    assert words in caught.value.message


def test_day_zero_means_end_of_month_and_is_allowed():
    assert gs1.element("17", "270200", "expiry").value == "270200"


def test_unknown_ai_is_refused():
    with pytest.raises(LabelError, match=r"unknown application identifier \(04\)") as caught:
        gs1.element("04", "1", "x")
    assert caught.value.field == "x"


def test_round_trip_refuses_a_message_biip_reads_differently():
    # Without the separator after (10), biip reads the date into the batch.
    elements = (gs1.Element("10", "AB", "batch"), gs1.Element("17", "270521", "expiry"))
    broken = gs1.ElementString(elements, "10AB17270521")
    with pytest.raises(LabelError) as caught:
        gs1.round_trip(broken)
    assert caught.value.field == "batch"
    assert "parses back as (10)AB17270521" in caught.value.message


def test_round_trip_refuses_garbage():
    with pytest.raises(LabelError, match="does not parse back"):
        gs1.round_trip(gs1.ElementString((gs1.Element("01", "1", "gtin"),), "011"))
