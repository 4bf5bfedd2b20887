"""Parsing of the figures and texts written on a form into typed values.

Everything a form states as 年度指标值 (target), 实际完成值 (actual), money or score arrives here as text
(or a YAML number) and leaves as a typed value with `Decimal` numbers. Nothing here is a float.

Accepted spellings (full-width and half-width alike; the input is NFKC-normalised first, so
``６３３９`` is ``6339`` and ``＝`` is ``=``):

* operators: ``≥ >= ≧ ⩾ 不低于 不少于 大于等于`` (at least), ``≤ <= ≦ ⩽ 不高于 不超过 不多于 小于等于``
  (at most), ``> 大于 高于`` , ``< 小于 低于``, ``= == ＝ 等于``;
* numbers: ``5000``, ``1,354,628``, ``92.02``;
* units: the rest of the text (``平方米``, ``%``, ``个（套）``); money units convert (``万元`` = 10,000 ``元``);
* dates: ``2024年12月31日``, ``2024年12月`` (the month's last day), ``2024-12-31``, ``2024/12/31``,
  ``2024.12.31`` (with dots, only a full date: ``2024.12`` is a number);
* anything else is qualitative text (``优``, ``得到保障``, ``达成预期指标``).

Profiles that print the target in three columns (指标性质, 指标值, 度量单位; docs/profiles.md) write the
operator on its own: `parse_nature` reads it, and the three cells make the same text as one cell would.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum

__all__ = [
    "DECIMAL_PRECISION",
    "MAX_DECIMALS",
    "MAX_INTEGER_DIGITS",
    "Comparison",
    "DateValue",
    "Quantity",
    "Text",
    "TooManyDigits",
    "UnitMismatch",
    "Value",
    "ValueSyntaxError",
    "check_digits",
    "convert",
    "excerpt",
    "normalize",
    "parse_decimal",
    "parse_nature",
    "parse_value",
    "round_half_up",
]

CENT = Decimal("0.01")

MAX_INTEGER_DIGITS = 15
"""Digits before the decimal point of any number written on a form: 10¹⁵ 元 (1,000 万亿) is more than thirty
times a year's national budget, so no real figure reaches it, and every computation stays exact (below)."""
MAX_DECIMALS = 6
"""Digits after the decimal point of any number written (money has fewer: the profile's, 2 in 元)."""

DECIMAL_PRECISION = 60
"""Significant digits of every Decimal computation. The widest figure computed from accepted numbers is
a percentage such as (B − A) ÷ A × 100 with B in 亿元 (15 + 8 integer digits) and A of 6 decimals, about
33 digits before the point; 60 keeps every such figure, rounded to the cent, exact (Python's default,
28, does not: rounding it raised InvalidOperation)."""


def _use_wide_decimal_context() -> None:
    """The one place that sets the Decimal context: this thread's, and the default of every thread started
    later (worker threads copy it). Errors that would give a wrong figure stop the program instead."""
    for context in (decimal.DefaultContext, decimal.getcontext()):
        context.prec = DECIMAL_PRECISION
        context.rounding = decimal.ROUND_HALF_EVEN
        context.traps[decimal.InvalidOperation] = True
        context.traps[decimal.DivisionByZero] = True
        context.traps[decimal.Overflow] = True


_use_wide_decimal_context()


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round the way the forms print: half up, to two decimals unless told otherwise."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


class Comparison(Enum):
    """How an actual value is compared with the target (the 指标值's operator)."""

    AT_LEAST = "≥"
    MORE_THAN = ">"
    AT_MOST = "≤"
    LESS_THAN = "<"
    EQUAL = "＝"

    @property
    def positive(self) -> bool:
        """Positive indicators (正向指标): more is better."""
        return self in (Comparison.AT_LEAST, Comparison.MORE_THAN)

    @property
    def negative(self) -> bool:
        """Negative indicators (反向指标): less is better."""
        return self in (Comparison.AT_MOST, Comparison.LESS_THAN)

    def holds(self, actual: Decimal, target: Decimal) -> bool:
        """Whether `actual` meets a target of `target` under this operator."""
        match self:
            case Comparison.AT_LEAST:
                return actual >= target
            case Comparison.MORE_THAN:
                return actual > target
            case Comparison.AT_MOST:
                return actual <= target
            case Comparison.LESS_THAN:
                return actual < target
            case Comparison.EQUAL:
                return actual == target


# Longest spellings first, so that ">=" is not read as ">" followed by "=".
_OPERATOR_SPELLINGS: list[tuple[str, Comparison]] = sorted(
    [
        (">=", Comparison.AT_LEAST), ("≥", Comparison.AT_LEAST), ("≧", Comparison.AT_LEAST),
        ("⩾", Comparison.AT_LEAST), ("不低于", Comparison.AT_LEAST), ("不少于", Comparison.AT_LEAST),
        ("大于等于", Comparison.AT_LEAST), ("大于或等于", Comparison.AT_LEAST),
        ("<=", Comparison.AT_MOST), ("≤", Comparison.AT_MOST), ("≦", Comparison.AT_MOST),
        ("⩽", Comparison.AT_MOST), ("不高于", Comparison.AT_MOST), ("不超过", Comparison.AT_MOST),
        ("不多于", Comparison.AT_MOST), ("小于等于", Comparison.AT_MOST), ("小于或等于", Comparison.AT_MOST),
        (">", Comparison.MORE_THAN), ("大于", Comparison.MORE_THAN), ("高于", Comparison.MORE_THAN),
        ("<", Comparison.LESS_THAN), ("小于", Comparison.LESS_THAN), ("低于", Comparison.LESS_THAN),
        ("==", Comparison.EQUAL), ("=", Comparison.EQUAL), ("等于", Comparison.EQUAL),
    ],
    key=lambda pair: -len(pair[0]),
)

# Units that convert into a base unit: factor × value in the base unit.
_UNIT_FACTORS: dict[str, tuple[str, Decimal]] = {
    "元": ("元", Decimal(1)),
    "千元": ("元", Decimal(1000)),
    "万元": ("元", Decimal(10_000)),
    "亿元": ("元", Decimal(100_000_000)),
}

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# Each matched whole (fullmatch: a pattern ending in "$" would also take a text ending in a line end).
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?"),
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?"),
    # With dots only a full date: 2024.12 is a number.
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
]


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC-normalise and trim: full-width digits, letters, operators and brackets become half-width."""
    return unicodedata.normalize("NFKC", text).strip()


class UnitMismatch(ValueError):
    """Two quantities whose units cannot be compared (for example 件 against 元)."""


@dataclass(frozen=True)
class Quantity:
    """A number with an optional operator and unit: ``≥5000平方米``, ``92.02%``, ``62``."""

    text: str
    """The text as written."""
    number: Decimal
    unit: str
    """The unit after NFKC normalisation, ``""`` when none was written."""
    comparison: Comparison | None = None
    """The operator, None when none was written."""

    def base(self) -> tuple[Decimal, str]:
        """The number in its base unit (万元 → 元), with that unit."""
        base_unit, factor = _UNIT_FACTORS.get(self.unit, (self.unit, Decimal(1)))
        return self.number * factor, base_unit

    @property
    def is_money(self) -> bool:
        return self.unit in _UNIT_FACTORS


@dataclass(frozen=True)
class DateValue:
    """A date such as ``2024年12月31日``; as a target it is a deadline unless an operator says otherwise."""

    text: str
    date: dt.date
    comparison: Comparison | None = None


@dataclass(frozen=True)
class Text:
    """Qualitative text: ``优``, ``得到保障``, ``达成预期指标``."""

    text: str


Value = Quantity | DateValue | Text


def convert(quantity: Quantity, unit_of: Quantity) -> tuple[Decimal, Decimal]:
    """Both numbers in one common unit, so that they can be compared.

    Raises UnitMismatch when the units differ and do not convert into each other. A quantity
    without a unit takes the other's unit (``62`` against ``62万元``)."""
    left, left_unit = quantity.base()
    right, right_unit = unit_of.base()
    if left_unit == right_unit or not quantity.unit or not unit_of.unit:
        if not quantity.unit and unit_of.unit:
            left = quantity.number * (unit_of.base()[0] / unit_of.number if unit_of.number else 1)
        elif quantity.unit and not unit_of.unit:
            right = unit_of.number * (quantity.base()[0] / quantity.number if quantity.number else 1)
        return left, right
    raise UnitMismatch(f"{quantity.unit} cannot be compared with {unit_of.unit}")


def excerpt(text: str, length: int = 40) -> str:
    """`text` as a message quotes it: whole when short, else its start and end (a value pasted by mistake
    may be megabytes long)."""
    return text if len(text) <= length else f"{text[:length // 2]}…{text[-(length // 4):]}"


class ValueSyntaxError(ValueError):
    """Text that starts like a figure but is not one: ``≥很多``, ``2024年13月1日``."""


class TooManyDigits(ValueSyntaxError):
    """A number longer than any figure on a form (`MAX_INTEGER_DIGITS`, `MAX_DECIMALS`)."""


def check_digits(number: Decimal, text: str, max_decimals: int | None = MAX_DECIMALS) -> Decimal:
    """`number` (written as `text`), if it has at most `MAX_INTEGER_DIGITS` digits before the point and
    `max_decimals` after (None: any, for a caller with a stricter rule of its own, such as money's).
    Raises TooManyDigits otherwise: such a number is a slip (a pasted cell, a repeated key), and
    arithmetic on it might not be exact."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int), "parsed numbers are finite"
    decimals = max(0, -exponent)
    integer_digits = len(digits) + exponent if digits != (0,) else 0
    if integer_digits > MAX_INTEGER_DIGITS:
        raise TooManyDigits(f"“{excerpt(text)}” has {integer_digits} digits before the decimal point; a figure on "
                            f"a form has at most {MAX_INTEGER_DIGITS}")
    if max_decimals is not None and decimals > max_decimals:
        raise TooManyDigits(f"“{excerpt(text)}” has {decimals} decimals; a figure on a form has at most {max_decimals}")
    return number


def parse_decimal(text: str, max_decimals: int | None = MAX_DECIMALS) -> Decimal | None:
    """A plain number (thousands separators allowed, full-width digits allowed), or None.

    Raises TooManyDigits for a number longer than any figure on a form (`check_digits`)."""
    cleaned = normalize(text).replace("，", ",")
    if not _NUMBER.fullmatch(cleaned):
        return None
    try:
        number = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None
    return check_digits(number, text.strip(), max_decimals)


def _split_operator(text: str) -> tuple[Comparison | None, str]:
    for spelling, comparison in _OPERATOR_SPELLINGS:
        if text.startswith(spelling):
            return comparison, text[len(spelling):].strip()
    return None, text


def _parse_date(text: str) -> dt.date | None:
    """A date in one of the accepted spellings, None if the text is not shaped like a date.

    Raises ValueSyntaxError for a date-shaped text that names no real day (2024年13月1日)."""
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month = int(match["y"]), int(match["m"])
            if year < dt.MINYEAR:  # 0000年: Python's dates start at year 1
                raise ValueSyntaxError(f"“{text}” is not a real date")
            last_day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            day = int(match["d"]) if match["d"] else last_day
            if not 1 <= day <= last_day:
                raise ValueSyntaxError(f"“{text}” is not a real date")
            return dt.date(year, month, day)
    return None


@functools.lru_cache(maxsize=65536)  # targets and actuals repeat across forms; values are immutable
def parse_value(raw: str | int | Decimal) -> Value:
    """Parse a 年度指标值 or 实际完成值 into a Quantity, a DateValue or qualitative Text.

    Raises ValueSyntaxError for an operator that is not followed by a number or date."""
    original = str(raw).strip()
    text = normalize(original)
    comparison, rest = _split_operator(text)
    date = _parse_date(rest)
    if date is not None:
        return DateValue(original, date, comparison)
    match = _NUMBER.match(rest)
    if match:
        unit = rest[match.end():].strip()
        # A number glued to more words ("2个基层立法联系点已建成") is a quantity with a long unit;
        # that is still comparable with the same unit, so accept it and let unit checks judge.
        number = check_digits(Decimal(match.group().replace(",", "")), match.group())
        return Quantity(original, number, unit, comparison)
    if comparison is not None:
        raise ValueSyntaxError(f"“{excerpt(original)}” has an operator but no number or date after it")
    return Text(original)


QUALITATIVE_NATURES = frozenset({"定性", "定性指标"})
"""指标性质 of an indicator judged by level, not measured: its target has no operator."""
_NATURE_WORDS = {"正向": Comparison.AT_LEAST, "正向指标": Comparison.AT_LEAST,
                 "反向": Comparison.AT_MOST, "反向指标": Comparison.AT_MOST}


def parse_nature(raw: str) -> Comparison | None:
    """The operator a 指标性质 cell names (``≥``, ``不高于``, ``正向``), or None for ``定性``.

    Raises ValueSyntaxError for anything else."""
    text = normalize(raw)
    if text in QUALITATIVE_NATURES:
        return None
    if text in _NATURE_WORDS:
        return _NATURE_WORDS[text]
    comparison, rest = _split_operator(text)
    if comparison is None or rest:
        raise ValueSyntaxError(f"“{raw}” is not a 指标性质")
    return comparison
