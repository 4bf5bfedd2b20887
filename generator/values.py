"""Parsing of the figures and texts written on a form into typed values.

Everything a form states as 年度指标值 (target), 实际完成值 (actual), money or score arrives here as text
(or a YAML number) and leaves as a typed value with `Decimal` numbers. Nothing here is a float.

Accepted spellings (full-width and half-width alike; the input is NFKC-normalised first, so
``６３３９`` is ``6339`` and ``＝`` is ``=``):

* operators before the number: ``≥ >= ≧ ⩾ ≮ 不低于 不少于 不小于 大于等于 至少 达到`` (at least), ``≤ <= ≦ ⩽ ≯
  不高于 不超过 不多于 不大于 小于等于 最多`` (at most), ``> 大于 高于 超过 多于`` (more than), ``< 小于 低于 少于
  不足`` (less than), ``= == ＝ 等于``; full-width ``＞ ＜ ＝ ＞＝`` are the same (NFKC);
* words after the unit, as Chinese usage reads them, the bound included: ``95%以上`` (≥95%), ``600元/亩以下``
  (≤600元/亩), ``5天以内`` (≤5天); ``及以上``, ``及以下``, ``之内`` likewise; ``（含）`` after them changes nothing,
  ``（不含）`` excludes the bound (``95%以上（不含）`` is >95%);
* ranges: ``90%-95%``, ``90-95%``, ``90%～95%``, ``90%至95%`` (also ``~ 〜 — – 到``): both bounds included;
* numbers: ``5000``, ``1,354,628``, ``92.02``; ``百分之95`` is 95%;
* units: the rest of the text (``平方米``, ``%``, ``个（套）``); a Chinese scale prefix converts
  (``万元`` = 10,000 ``元``, ``0.5万亩`` = 5000 ``亩``; ``亿``, ``千万``, ``百万``, ``十万``, ``千``), and so do
  ``公里`` = ``千米`` = 1000 ``米``, ``厘米``, ``毫米``, ``公斤`` = ``千克``, ``吨``, ``平方公里``, ``公顷``;
  ``百分比`` is ``%``;
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

from .i18n import _

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
    "unit_base",
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
    BETWEEN = "～"
    """A range (``90%-95%``): both bounds included; the lower is the quantity's number, the upper its `upper`."""

    @property
    def positive(self) -> bool:
        """Positive indicators (正向指标): more is better."""
        return self in (Comparison.AT_LEAST, Comparison.MORE_THAN)

    @property
    def negative(self) -> bool:
        """Negative indicators (反向指标): less is better."""
        return self in (Comparison.AT_MOST, Comparison.LESS_THAN)

    @property
    def strict(self) -> bool:
        """> and <: the bound itself misses the target."""
        return self in (Comparison.MORE_THAN, Comparison.LESS_THAN)

    def holds(self, actual: Decimal, target: Decimal, upper: Decimal | None = None) -> bool:
        """Whether `actual` meets a target of `target` under this operator (of `target` to `upper`, a range)."""
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
            case Comparison.BETWEEN:
                return target <= actual <= (target if upper is None else upper)


# Longest spellings first, so that ">=" is not read as ">" followed by "=". (NFKC has made ＞ ＜ ＝ half-width.)
_OPERATOR_SPELLINGS: list[tuple[str, Comparison]] = sorted(
    [
        (">=", Comparison.AT_LEAST), ("≥", Comparison.AT_LEAST), ("≧", Comparison.AT_LEAST),
        ("⩾", Comparison.AT_LEAST), ("≮", Comparison.AT_LEAST), ("=>", Comparison.AT_LEAST),
        ("不低于", Comparison.AT_LEAST), ("不少于", Comparison.AT_LEAST), ("不小于", Comparison.AT_LEAST),
        ("大于等于", Comparison.AT_LEAST), ("大于或等于", Comparison.AT_LEAST), ("至少", Comparison.AT_LEAST),
        ("达到", Comparison.AT_LEAST),
        ("<=", Comparison.AT_MOST), ("≤", Comparison.AT_MOST), ("≦", Comparison.AT_MOST),
        ("⩽", Comparison.AT_MOST), ("≯", Comparison.AT_MOST), ("=<", Comparison.AT_MOST),
        ("不高于", Comparison.AT_MOST), ("不超过", Comparison.AT_MOST), ("不多于", Comparison.AT_MOST),
        ("不大于", Comparison.AT_MOST), ("小于等于", Comparison.AT_MOST), ("小于或等于", Comparison.AT_MOST),
        ("最多", Comparison.AT_MOST),
        (">", Comparison.MORE_THAN), ("大于", Comparison.MORE_THAN), ("高于", Comparison.MORE_THAN),
        ("超过", Comparison.MORE_THAN), ("多于", Comparison.MORE_THAN),
        ("<", Comparison.LESS_THAN), ("小于", Comparison.LESS_THAN), ("低于", Comparison.LESS_THAN),
        ("少于", Comparison.LESS_THAN), ("不足", Comparison.LESS_THAN),
        ("==", Comparison.EQUAL), ("=", Comparison.EQUAL), ("等于", Comparison.EQUAL),
    ],
    key=lambda pair: -len(pair[0]),
)

# Words after the unit (95%以上): in Chinese usage 以上 and 以下 include the bound, as 以内 does; （含） says so
# again, （不含） excludes it. Longest first, so that 及以上 is not read as 以上 after a unit ending in 及.
_SUFFIX_SPELLINGS: list[tuple[str, Comparison]] = sorted(
    [(word + mark, comparison)
     for words, comparison in ((("以上", "及以上", "或以上"), Comparison.AT_LEAST),
                               (("以下", "及以下", "或以下", "以内", "之内"), Comparison.AT_MOST))
     for word in words for mark in ("", "(含)", "(含本数)")]
    + [(word + mark, comparison)
       for words, comparison in ((("以上",), Comparison.MORE_THAN), (("以下", "以内"), Comparison.LESS_THAN))
       for word in words for mark in ("(不含)", "(不含本数)")],
    key=lambda pair: -len(pair[0]),
)

# Units that convert into another (the base unit): value × factor in the base unit. Every factor is a power of
# ten, so that conversions stay exact (亩 and 平方米 do not convert: 1亩 is 666.66… 平方米).
_UNIT_SYNONYMS: dict[str, tuple[str, Decimal]] = {
    "百分比": ("%", Decimal(1)),
    "公里": ("米", Decimal(1000)),
    "厘米": ("米", Decimal("0.01")),
    "毫米": ("米", Decimal("0.001")),
    "平方公里": ("平方米", Decimal(1_000_000)),
    "平方千米": ("平方米", Decimal(1_000_000)),
    "公顷": ("平方米", Decimal(10_000)),
    "公斤": ("克", Decimal(1000)),
    "吨": ("克", Decimal(1_000_000)),
}
# Chinese scale prefixes, longest first (千万 before 千 and 万). 百 and 十 alone are left out: 百分点 and 十分 are
# not a hundred or ten of anything.
_SCALE_PREFIXES: list[tuple[str, Decimal]] = [
    ("千万", Decimal(10_000_000)), ("百万", Decimal(1_000_000)), ("十万", Decimal(100_000)),
    ("万亿", Decimal(1_000_000_000_000)), ("亿", Decimal(100_000_000)), ("万", Decimal(10_000)),
    ("千", Decimal(1000)),
]
MONEY_UNIT = "元"


@functools.lru_cache(maxsize=4096)
def unit_base(unit: str) -> tuple[str, Decimal]:
    """The base unit of `unit` (NFKC-normalised) and the factor into it: ``万亩`` → (``亩``, 10000), ``公里`` →
    (``米``, 1000), ``亿元`` → (``元``, 10⁸), ``百分比`` → (``%``, 1); a unit without prefix is its own base."""
    if unit in _UNIT_SYNONYMS:
        return _UNIT_SYNONYMS[unit]
    for prefix, factor in _SCALE_PREFIXES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            base, inner = unit_base(unit[len(prefix):])
            return base, factor * inner
    return unit, Decimal(1)


_UNSIGNED = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER = re.compile(r"[-+]?" + _UNSIGNED)
# A range: a number, its unit or none, a dash, tilde or word, a number and its unit (90%-95%, 90～95%, 90%至95%).
_RANGE = re.compile(rf"(?P<low>{_UNSIGNED})\s*(?P<low_unit>[^\d\s~〜\-—–至到]*)\s*(?:~|〜|-|—|–|至|到)\s*"
                    rf"(?P<high>{_UNSIGNED})\s*(?P<unit>.*)")
_PERCENT_WORDS = "百分之"
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
    return nfkc(text).strip()


_WIDE = re.compile("[\uff01-\uff5e\u3000]")
"""Full-width ASCII (，：（）１Ａ) and the ideographic space: what keeps most Chinese texts from being NFKC-normal."""


def nfkc(text: str) -> str:
    """`text` NFKC-normalised. Checks run this on every cell and every free text of every form, and normalising
    is slow, so two cheaper routes come first: most texts already are normal (a fast test), and most others are
    only because of full-width punctuation, each of which NFKC turns into one ASCII character (``，`` → ``,``,
    ``　`` → a space). Replacing those first changes nothing of the result: both are characters that never
    combine with their neighbours, and NFKC of the text is NFKC of the text so replaced."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide in set(_WIDE.findall(text)):
        text = text.replace(wide, " " if wide == "\u3000" else chr(ord(wide) - 0xFEE0))
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


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
    """The operator, None when none was written; `Comparison.BETWEEN` for a range."""
    upper: Decimal | None = None
    """A range's upper bound, in `unit` (the lower is `number`); None for anything else."""

    def base(self) -> tuple[Decimal, str]:
        """The number in its base unit (万元 → 元, 万亩 → 亩), with that unit."""
        base_unit, factor = unit_base(self.unit)
        return self.number * factor, base_unit

    @property
    def is_money(self) -> bool:
        return bool(self.unit) and unit_base(self.unit)[0] == MONEY_UNIT

    @property
    def is_percent(self) -> bool:
        return bool(self.unit) and unit_base(self.unit)[0] == "%"


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


def factors(quantity: Quantity, unit_of: Quantity) -> tuple[Decimal, Decimal]:
    """The factors that bring the numbers of each quantity into one common unit (powers of ten: exact).

    Raises UnitMismatch when the units differ and do not convert into each other. A quantity
    without a unit takes the other's unit (``62`` against ``62万元``)."""
    left_unit, left = unit_base(quantity.unit)
    right_unit, right = unit_base(unit_of.unit)
    if not quantity.unit:
        return right, right
    if not unit_of.unit or left_unit == right_unit:
        return left, right if unit_of.unit else left
    raise UnitMismatch(_("{unit} cannot be compared with {other}").format(unit=quantity.unit, other=unit_of.unit))


def convert(quantity: Quantity, unit_of: Quantity) -> tuple[Decimal, Decimal]:
    """Both numbers in one common unit, so that they can be compared (`factors`).

    Raises UnitMismatch when the units differ and do not convert into each other."""
    left, right = factors(quantity, unit_of)
    return quantity.number * left, unit_of.number * right


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
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int), "parsed numbers are finite"
    decimals = max(0, -exponent)
    integer_digits = len(digits) + exponent if digits != (0,) else 0
    if integer_digits > MAX_INTEGER_DIGITS:
        raise TooManyDigits(_("“{text}” has {digits} digits before the decimal point; a figure on a form has at most "
                              "{most}").format(text=excerpt(text), digits=integer_digits, most=MAX_INTEGER_DIGITS))
    if max_decimals is not None and decimals > max_decimals:
        raise TooManyDigits(_("“{text}” has {decimals} decimals; a figure on a form has at most {most}").format(
            text=excerpt(text), decimals=decimals, most=max_decimals))
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


def _split_suffix(unit: str) -> tuple[str, Comparison | None]:
    """A unit without its closing word (``%以上`` → ``%``, ≥), and the operator that word names."""
    for spelling, comparison in _SUFFIX_SPELLINGS:
        if unit.endswith(spelling):
            return unit[:-len(spelling)].strip(), comparison
    return unit, None


def _word(spelling: str) -> bool:
    """Whether an operator is spelt in Chinese words (不低于), not in signs (≥)."""
    return any("\u4e00" <= char <= "\u9fff" for char in spelling)


def _parse_date(text: str) -> dt.date | None:
    """A date in one of the accepted spellings, None if the text is not shaped like a date.

    Raises ValueSyntaxError for a date-shaped text that names no real day (2024年13月1日)."""
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month = int(match["y"]), int(match["m"])
            if year < dt.MINYEAR:  # 0000年: Python's dates start at year 1
                raise ValueSyntaxError(_("“{text}” is not a real date").format(text=text))
            last_day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            day = int(match["d"]) if match["d"] else last_day
            if not 1 <= day <= last_day:
                raise ValueSyntaxError(_("“{text}” is not a real date").format(text=text))
            return dt.date(year, month, day)
    return None


@functools.lru_cache(maxsize=65536)  # targets and actuals repeat across forms; values are immutable
def parse_value(raw: str | int | Decimal) -> Value:
    """Parse a 年度指标值 or 实际完成值 into a Quantity, a DateValue or qualitative Text.

    Raises ValueSyntaxError for an operator sign that is not followed by a number or date (an operator
    word followed by other words, 高于预期, is a text), or two operators that contradict each other."""
    original = str(raw).strip()
    text = normalize(original)
    comparison, rest = _split_operator(text)
    date = _parse_date(rest)
    if date is not None:
        return DateValue(original, date, comparison)
    if rest.startswith(_PERCENT_WORDS) and parse_decimal(rest[len(_PERCENT_WORDS):]) is not None:
        rest = rest[len(_PERCENT_WORDS):] + "%"  # 百分之95: 95%
    ranged = _parse_range(original, rest, comparison)
    if ranged is not None:
        return ranged
    match = _NUMBER.match(rest)
    if match:
        unit, closing = _split_suffix(rest[match.end():].strip())
        # A number glued to more words ("2个基层立法联系点已建成") is a quantity with a long unit;
        # that is still comparable with the same unit, so accept it and let unit checks judge.
        number = check_digits(Decimal(match.group().replace(",", "")), match.group())
        return Quantity(original, number, unit, _agreeing(original, comparison, closing))
    if comparison is not None:
        spelling = text[:len(text) - len(rest)].strip()
        if _word(spelling):
            return Text(original)  # 高于预期, 达到预期指标: words, not a figure
        raise ValueSyntaxError(_("“{text}” has an operator but no number or date after it").format(
            text=excerpt(original)))
    return Text(original)


def _agreeing(original: str, first: Comparison | None, second: Comparison | None) -> Comparison | None:
    """The operator of a figure written with one before and one after (≥95%以上): they must agree."""
    if first is None or second is None or first is second \
            or (first.positive and second.positive) or (first.negative and second.negative):
        return first or second
    raise ValueSyntaxError(_("“{text}” has two operators that contradict each other").format(text=excerpt(original)))


def _parse_range(original: str, rest: str, comparison: Comparison | None) -> Quantity | None:
    """A range (``90%-95%``, ``90～95%``, ``90%至95%``), or None when `rest` is not one (or its lower bound
    is above its upper: ``0851-1234567`` is no range)."""
    match = _RANGE.fullmatch(rest)
    if match is None:
        return None
    low_unit, unit = match["low_unit"].strip(), match["unit"].strip()
    low = check_digits(Decimal(match["low"].replace(",", "")), match["low"])
    high = check_digits(Decimal(match["high"].replace(",", "")), match["high"])
    if low_unit and unit and low_unit != unit:
        (low_base, low_factor), (base, factor) = unit_base(low_unit), unit_base(unit)
        if low_base != base:
            return None
        low = low * low_factor / factor  # 0.5万-6000亩: both in 亩 (powers of ten, exact)
    unit = unit or low_unit
    if low > high:
        return None
    if comparison not in (None, Comparison.EQUAL):  # ＝ is a three-cell target's 指标性质 of a range
        raise ValueSyntaxError(_("“{text}” has both an operator and a range").format(text=excerpt(original)))
    return Quantity(original, low, unit, Comparison.BETWEEN, upper=high)


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
        raise ValueSyntaxError(_("“{text}” is not a 指标性质").format(text=raw))
    return comparison
