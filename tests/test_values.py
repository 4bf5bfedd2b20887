"""Parsing of 年度指标值 / 实际完成值 and money, and the one formatting module."""

from __future__ import annotations

import datetime as dt
import decimal
import threading
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import formatting
from generator.values import (
    DECIMAL_PRECISION,
    MAX_DECIMALS,
    MAX_INTEGER_DIGITS,
    Comparison,
    DateValue,
    Quantity,
    Text,
    TooManyDigits,
    UnitMismatch,
    ValueSyntaxError,
    convert,
    parse_decimal,
    parse_value,
    round_half_up,
)

FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


@pytest.mark.parametrize(
    ("text", "comparison", "number", "unit"),
    [
        ("≥5000平方米", Comparison.AT_LEAST, "5000", "平方米"),
        ("＝1栋", Comparison.EQUAL, "1", "栋"),
        ("≥90%", Comparison.AT_LEAST, "90", "%"),
        ("≤250000元", Comparison.AT_MOST, "250000", "元"),
        ("＝6万元", Comparison.EQUAL, "6", "万元"),
        ("＝100%", Comparison.EQUAL, "100", "%"),
        ("62", None, "62", ""),
        ("6339件", None, "6339", "件"),
        ("92.02%", None, "92.02", "%"),
        ("0元", None, "0", "元"),
        ("６３３９件", None, "6339", "件"),
        (">=95%", Comparison.AT_LEAST, "95", "%"),
        ("≧95%", Comparison.AT_LEAST, "95", "%"),
        ("=2个", Comparison.EQUAL, "2", "个"),
        ("<=28197.43元", Comparison.AT_MOST, "28197.43", "元"),
        ("不低于1,300件", Comparison.AT_LEAST, "1300", "件"),
        ("≥15个（套）", Comparison.AT_LEAST, "15", "个(套)"),
    ],
)
def test_quantities(text, comparison, number, unit):
    value = parse_value(text)
    assert isinstance(value, Quantity)
    assert value.comparison is comparison
    assert value.number == Decimal(number)
    assert value.unit == unit
    assert value.text == text


@pytest.mark.parametrize(
    ("text", "date"),
    [("2024年12月31日", dt.date(2024, 12, 31)), ("2024-06-30", dt.date(2024, 6, 30)),
     ("2024/6/1", dt.date(2024, 6, 1)), ("2024年2月", dt.date(2024, 2, 29)),
     ("２０２４年１２月３１日", dt.date(2024, 12, 31))],
)
def test_dates(text, date):
    value = parse_value(text)
    assert isinstance(value, DateValue)
    assert value.date == date


@pytest.mark.parametrize("text", ["优", "得到保障", "达成预期指标", "得到提升", "保质保量完成"])
def test_qualitative(text):
    assert parse_value(text) == Text(text)


def test_operator_without_number_is_an_error():
    with pytest.raises(ValueSyntaxError, match="no number or date"):
        parse_value("≥很多")


@pytest.mark.parametrize("text", ["2024年13月1日", "2025-02-30", "≤2024年2月30日"])
def test_impossible_dates_are_errors(text):
    with pytest.raises(ValueSyntaxError, match="not a real date"):
        parse_value(text)


def test_money_units_convert_and_others_do_not():
    assert convert(parse_value("＝6万元"), parse_value("60000元")) == (Decimal(60000), Decimal(60000))
    assert convert(parse_value("62"), parse_value("62万元"))[0] == Decimal(620000)
    with pytest.raises(UnitMismatch):
        convert(parse_value("≥90%"), parse_value("90件"))


_OPERATORS = {
    Comparison.AT_LEAST: ["≥", ">=", "≧", "不低于"],
    Comparison.AT_MOST: ["≤", "<=", "≦", "不超过"],
    Comparison.MORE_THAN: [">"],
    Comparison.LESS_THAN: ["<"],
    Comparison.EQUAL: ["＝", "=", "=="],
}
_spelling = st.sampled_from([(c, s) for c, spellings in _OPERATORS.items() for s in spellings])
_number = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
_unit = st.sampled_from(["", "%", "件", "元", "万元", "平方米", "个（套）", "人次"])


@given(_spelling, _number, _unit, st.booleans())
def test_parsing_any_spelling(spelling, number, unit, full_width):
    comparison, operator = spelling
    digits = f"{number:f}"
    if full_width:
        digits = digits.translate(FULL_WIDTH)
    value = parse_value(f"{operator}{digits}{unit}")
    assert isinstance(value, Quantity)
    assert value.comparison is comparison
    assert value.number == number
    assert value.unit == unit.replace("（", "(").replace("）", ")")


@given(_number)
def test_money_formats_and_parses_back(amount):
    assert parse_decimal(formatting.money(amount)) == amount
    assert Decimal(formatting.money_plain(amount)) == amount


@given(st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False))
def test_rounding_is_half_up_to_two_places(value):
    rounded = round_half_up(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded.as_tuple().exponent == -2


def test_formatting_as_printed():
    assert formatting.money(Decimal("845371.59")) == "845,371.59"
    assert formatting.money(Decimal("60000")) == "60,000"
    assert formatting.score(Decimal("7.09")) == "7.09"
    assert formatting.score(Decimal("100.00")) == "100"
    assert formatting.score(Decimal("7.1")) == "7.10"
    assert formatting.rate(Decimal("100")) == "100.00"
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")


# Limits: every number a form may hold is computed exactly; longer ones are refused with a message.

_ACCEPTED = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("999999999999999.999999"), places=6,
                        allow_nan=False, allow_infinity=False)


@given(target=_ACCEPTED, actual=_ACCEPTED, target_unit=st.sampled_from(["元", "万元", "亿元", ""]),
       actual_unit=st.sampled_from(["元", "万元", "亿元", ""]))
def test_arithmetic_on_accepted_numbers_never_raises(target, actual, target_unit, actual_unit):
    """The widest figures computed from accepted numbers: a rate or an over-completion percentage, rounded
    to the cent (with 28 digits, Python's default, this raised InvalidOperation)."""
    goal, achieved = convert(parse_value(f"≥{target:f}{target_unit}"), parse_value(f"{actual:f}{actual_unit}"))
    for figure in (achieved / goal * 100, (achieved - goal) / goal * 100, Decimal(100) * goal / achieved):
        assert round_half_up(figure) == figure.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
        formatting.rate(figure)
        formatting.money(figure)


@pytest.mark.parametrize(("text", "message"), [
    ("1" + "0" * MAX_INTEGER_DIGITS, f"16 digits before the decimal point; a figure on a form has at most "
                                     f"{MAX_INTEGER_DIGITS}"),
    ("1,000,000,000,000,000", "16 digits before the decimal point"),
    ("０." + "０" * MAX_DECIMALS + "１", f"has 7 decimals; a figure on a form has at most {MAX_DECIMALS}"),
    ("≥" + "9" * 5000 + "元", "5000 digits before the decimal point"),
])
def test_numbers_longer_than_any_figure_are_refused(text, message):
    with pytest.raises(TooManyDigits, match=message) as raised:
        parse_value(text)
    assert len(str(raised.value)) < 200, "a long number is quoted in part"


def test_every_thread_computes_with_the_wide_context():
    """Worker threads copy the default context: it is the wide one too."""
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(decimal.getcontext().prec))
    worker.start()
    worker.join()
    assert seen == [DECIMAL_PRECISION] and decimal.getcontext().prec == DECIMAL_PRECISION


@pytest.mark.parametrize("text", ["0000年12月31日", "0000-01-01", "0000.12.31"])
def test_dates_python_cannot_hold_are_not_dates(text):
    """Year 0 raised Python's "year 0 is out of range"."""
    with pytest.raises(ValueSyntaxError, match="is not a real date"):
        parse_value(text)


# Issue 12: every spelling of an operator reads as its meaning; 以上/以下/以内 include the bound.
_SPELLINGS = {
    Comparison.AT_LEAST: ["≥{}", "＞＝{}", ">={}", "≧{}", "≮{}", "不低于{}", "不少于{}", "不小于{}", "大于等于{}",
                          "至少{}", "达到{}", "{}以上", "{}及以上", "{}以上（含）", "≥{}以上"],
    Comparison.AT_MOST: ["≤{}", "＜＝{}", "<={}", "≦{}", "≯{}", "不高于{}", "不超过{}", "不多于{}", "不大于{}",
                         "最多{}", "{}以下", "{}及以下", "{}以内", "{}之内"],
    Comparison.MORE_THAN: ["＞{}", ">{}", "大于{}", "高于{}", "超过{}", "多于{}", "{}以上（不含）"],
    Comparison.LESS_THAN: ["＜{}", "<{}", "小于{}", "低于{}", "少于{}", "不足{}", "{}以下（不含）"],
    Comparison.EQUAL: ["＝{}", "={}", "=={}", "等于{}"],
}


@pytest.mark.parametrize(("comparison", "spelling"),
                         [(c, s) for c, spellings in _SPELLINGS.items() for s in spellings])
def test_every_spelling_of_an_operator(comparison, spelling):
    for figure, number, unit in (("5000亩", "5000", "亩"), ("95%", "95", "%"), ("600元/亩", "600", "元/亩")):
        value = parse_value(spelling.format(figure))
        assert isinstance(value, Quantity), spelling
        assert (value.comparison, value.number, value.unit) == (comparison, Decimal(number), unit), spelling


@pytest.mark.parametrize("text", ["90%-95%", "90-95%", "90%～95%", "90%~95%", "90%至95%", "90%到95%", "90%—95%",
                                  "＝90%-95%"])
def test_ranges(text):
    value = parse_value(text)
    assert isinstance(value, Quantity)
    assert (value.comparison, value.number, value.upper, value.unit) == (Comparison.BETWEEN, 90, 95, "%")


@pytest.mark.parametrize("text", ["≤95%以上", "≥90%-95%"])
def test_contradicting_operators_are_errors(text):
    with pytest.raises(ValueSyntaxError, match=r"contradict|both an operator and a range"):
        parse_value(text)


@pytest.mark.parametrize("text", ["高于预期", "达到预期指标", "不低于往年水平", "超过预期目标"])
def test_operator_words_before_other_words_are_text(text):
    assert parse_value(text) == Text(text)


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("≥0.5万亩", "4800亩", ("5000", "4800")), ("≥5亿元", "3000万元", ("500000000", "30000000")),
    ("≥1.2公里", "1300米", ("1200", "1300")), ("≥1千米", "1公里", ("1000", "1000")),
    ("≥3万册", "29000册", ("30000", "29000")), ("≥100百分比", "93%", ("100", "93")),
    ("≤2吨", "1500公斤", ("2000000", "1500000")), ("百分之95", "95%", ("95", "95")),
])
def test_chinese_scale_prefixes_convert_exactly(target, actual, expected):
    goal, achieved = convert(parse_value(target), parse_value(actual))
    assert (goal, achieved) == tuple(Decimal(figure) for figure in expected)


@pytest.mark.parametrize(("target", "actual"), [("≥5000亩", "3000平方米"), ("≥90%", "5百分点"), ("≥10人", "10人次")])
def test_units_that_do_not_convert(target, actual):
    with pytest.raises(UnitMismatch):
        convert(parse_value(target), parse_value(actual))
