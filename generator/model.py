"""The typed form: every front-matter key, its Chinese label and what goes there.

This module is the author documentation. Each field's ``title`` is the label printed on the official
form, its docstring is the description, and ``formgen schema`` exports both as JSON Schema. The
Markdown body of a form file (below the front matter) is the 自评结论.

Types are strict where a slip would change a figure: money and scores are `Decimal` (never float),
money has at most two decimals (分) and is never negative; unknown keys are errors, so a typo such as
``exectued`` cannot silently drop a figure.

Why one module: it is the reference form's typed model, and so the author documentation, and each validator here turns
what a cell holds into a field's typed value, with the message and fix an author sees. The value types and their
validators (`_number` to `Year`, ~330 lines) and the walkers over any model (`inner_model` to `suggest`) could each
move; profile.py, which builds every other profile's model from these types, imports them (`_Strict`, `_text` too).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from .i18n import N_, _
from .profiles import reference_data
from .values import (
    MAX_DECIMALS,
    Comparison,
    DateValue,
    Quantity,
    TooManyDigits,
    ValueSyntaxError,
    check_digits,
    excerpt,
    normalize,
    parse_decimal,
    parse_nature,
    parse_value,
)

__all__ = [
    "MAX_CONCLUSION_CHARS",
    "MAX_TEXT_CHARS",
    "PLACEHOLDER_FIGURES",
    "Department",
    "Form",
    "FundRow",
    "Funds",
    "Goals",
    "Indicator",
    "IndicatorFigures",
    "ModelField",
    "SplitIndicatorFigures",
    "Stated",
    "StatedFundRow",
    "Status",
    "caption",
    "chinese_quoted",
    "empty_template_row",
    "field_name",
    "field_titles",
    "fields_of",
    "inner_model",
    "label_for",
    "money_type",
    "placeholder_row",
    "short_label",
    "walk_fields",
]


def _fail(kind: str, message: str, fix: str) -> PydanticCustomError:
    # The message template is a literal: braces in user text must not be read as placeholders.
    return PydanticCustomError(kind, "{message}", {"message": message, "fix": fix})


_EMPTY = {"", "~", "null", "Null", "NULL"}


def _is_empty(value: object) -> bool:
    """A key with nothing after it (or YAML's spellings of nothing)."""
    return value is None or (isinstance(value, str) and value.strip() in _EMPTY)


_DIGITS_FIX = N_("check the figure (a pasted cell, a digit typed twice?) and write it as the form prints it, "
                 "such as {example}")


def _number(value: object, what: str, example: str, max_decimals: int | None = MAX_DECIMALS) -> Decimal:
    try:
        return _bounded_number(value, what, example, max_decimals)
    except TooManyDigits as error:
        raise _fail(f"{what}_digits", str(error), _(_DIGITS_FIX).format(example=example)) from None


def _bounded_number(value: object, what: str, example: str, max_decimals: int | None) -> Decimal:
    """The number written, at most as long as a figure on a form (values.check_digits)."""
    def write() -> str:  # built only for an error: this runs for every figure of every form
        return _("write a number such as {example}").format(example=example)

    if _is_empty(value):
        raise _fail(f"{what}_empty", _("is empty"), write())
    if isinstance(value, bool):
        raise _fail(f"{what}_type", _("YAML read this as yes/no, not a number"), write())
    if isinstance(value, int):
        number = Decimal(value)
        return check_digits(number, str(number), max_decimals)  # str(number): str() of a long int raises
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _fail(f"{what}_type", _("{value} is not a finite number").format(value=value), write())
        return check_digits(value, str(value), max_decimals)
    if isinstance(value, str):
        parsed = parse_decimal(value, max_decimals)
        if parsed is None:
            _quoted(value, what, example)
            raise _fail(f"{what}_type", _("“{value}” is not a number").format(value=excerpt(value)), write())
        return parsed
    raise _fail(f"{what}_type", _("expected a number, found a list or mapping"), write())


_CHINESE_QUOTES = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"))
_OPENINGS = frozenset(pair[0] for pair in _CHINESE_QUOTES)


def chinese_quoted(text: str) -> str | None:
    """`text` without the Chinese quotation marks it is wholly written in (``“≥90%”``), or None. A text that
    only starts and ends with quoted words (``“三公”经费“压减”``) is not wholly quoted."""
    stripped = text.strip()
    if stripped[:1] not in _OPENINGS:  # most texts: every form's every text is asked
        return None
    for opening, closing in _CHINESE_QUOTES:
        inner = stripped[1:-1]
        if (len(stripped) > 2 and stripped.startswith(opening) and stripped.endswith(closing)
                and opening not in inner and closing not in inner):
            return inner.strip()
    return None


def _quoted(value: str, what: str, example: str) -> None:
    """Raise the error of a figure written in Chinese quotation marks: YAML does not read them as quotes, so
    the marks would be part of the figure (a target “≥90%” is then a text, scored as no figure is)."""
    inner = chinese_quoted(value)
    if inner is not None:
        raise _fail(f"{what}_quoted", _("{value} is written in Chinese quotation marks, which are part of the "
                                        "value in YAML").format(value=excerpt(value.strip())),
                    _("write {inner} without the quotation marks (to quote a value, use half-width ones: "
                      "'{inner}')").format(inner=inner))


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


_DECIMAL_WORDS = (N_("no"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six"))


def _money_parser(decimals: int, unit: str) -> Callable[[object], Decimal]:
    """The validator of amounts in `unit` written with at most `decimals` decimals (a profile's money)."""
    example = "845371.59" if unit == "元" else "84.54"

    def parse(value: object) -> Decimal:
        if isinstance(value, str) and not value.isascii():  # an ASCII text holds no 元 (NFKC leaves it as is)
            _money_with_unit(value, unit, decimals)
        amount = _number(value, "money", example, max_decimals=None)  # the profile's decimals, below
        if amount < 0:
            raise _fail("money_negative", _("{amount} is negative").format(amount=amount),
                        _("money on the form is never negative; write the amount"))
        if _decimals(amount.normalize()) > decimals:
            words = _(_DECIMAL_WORDS[decimals])
            fix = (_("round to the fen (two decimals), as the accounts do") if unit == "元" and decimals == 2 else
                   _("write the amount in {unit} with at most {decimals} decimals, as the profile's forms do").format(
                       unit=unit, decimals=words))
            raise _fail("money_precision", _("{amount} has more than {decimals} decimals").format(
                amount=amount, decimals=words), fix)
        return amount

    return parse


def _money_with_unit(text: str, unit: str, decimals: int) -> None:
    """Raise the error of an amount written with a money unit (``0元``, ``84.54万元``): the table's unit is the
    profile's, printed in its heading, and the cell holds the number alone, converted where the units differ."""
    try:
        written = parse_value(text)
    except ValueSyntaxError:
        return
    if not isinstance(written, Quantity) or written.comparison is not None or not written.is_money:
        return
    in_yuan, _base = written.base()
    converted = in_yuan / Quantity(unit, Decimal(1), unit).base()[0]
    if _decimals(converted.normalize()) > decimals:
        fix = _("write the amount in {unit} as a number alone").format(unit=unit)
    else:
        fix = _("write {amount} (in {unit}, without the unit)").format(amount=f"{converted.normalize():f}", unit=unit)
    raise _fail("money_unit", _("“{value}” is written with a unit; amounts are numbers in {unit}, the unit of the "
                                "table's heading").format(value=excerpt(text), unit=unit), fix)


_money = _money_parser(2, "元")

T = TypeVar("T")
def published_context(data: object) -> dict[str, object] | None:
    """The validation context of a form as read: for one marked ``status: published``, its empty cells are kept
    as printed (`Form.printed_empty`); None for a draft."""
    status = data.get("status") if isinstance(data, Mapping) else None
    if isinstance(status, str) and status.strip().lower() == Status.PUBLISHED.value:
        return {"published": True, "data": data}
    return None


def _published(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("published"))


def _printed_empty(parse: Callable[[object], T], empty: T) -> Callable[[object, ValidationInfo], T]:
    """`parse`, except that a published copy (`published_context`) may leave the cell empty, as it was printed:
    it reads as `empty`, and the form records it (`Form.printed_empty`). A draft's empty cell is `parse`'s error."""
    def parse_or_empty(value: object, info: ValidationInfo) -> T:
        return empty if _is_empty(value) and _published(info) else parse(value)

    return parse_or_empty


def _score(value: object) -> Decimal:
    points = _number(value, "score", "10")
    if points < 0:
        raise _fail("score_negative", _("{points} is negative").format(points=points),
                    _("scores and weights are 0 or more"))
    if _decimals(points.normalize()) > 2:
        raise _fail("score_precision", _("{points} has more than two decimals").format(points=points),
                    _("write at most two decimals"))
    return points


def _percent(value: object) -> Decimal:
    if isinstance(value, str) and normalize(value).endswith("%"):
        value = normalize(value)[:-1]
    return _number(value, "percent", "70.93")


MAX_TEXT_CHARS = 2000
"""The longest text of one field (a name, a goal, a reason): a cell of the printed form holds a few hundred
characters, 2,000 fill a page. Longer is text pasted by mistake, and would break the table's layout."""
MAX_CONCLUSION_CHARS = 20_000
"""The longest 自评结论 (the Markdown body): about ten printed pages; real ones are one or two."""


def _text(value: object) -> str:
    if _is_empty(value):
        return ""
    if isinstance(value, bool):
        raise _fail("text_type", _("YAML read this as yes/no"), _("put the text in quotes"))
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT_CHARS:
            raise _fail("text_too_long", _("is {length} characters long; a field holds at most {limit}").format(
                length=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}"),
                        _("shorten it to what the form's cell should say (the 自评结论 below the front matter "
                          "takes the long text)"))
        return text
    raise _fail("text_type", _("expected text, found a list or mapping"), _("write plain text (quote it if needed)"))


def _required_text(value: object) -> str:
    text = _text(value)
    if not text:
        raise _fail("text_empty", _("is empty"), _("fill it in"))
    return text


def _figure_text(value: object) -> str:
    text = _required_text(value)
    _quoted(text, "value", "≥95%")
    try:
        parse_value(text)
    except TooManyDigits as error:
        raise _fail("value_digits", str(error), _(_DIGITS_FIX).format(example="≥95%, ＝6万元")) from None
    except ValueError as error:
        raise _fail("value_syntax", str(error),
                    _("write an operator, a number and a unit, e.g. ≥95% or ＝6万元")) from None
    return text


_MONTH_ONLY = re.compile(r"(?P<y>\d{4})(?:年(?P<m>\d{1,2})月|[-/.](?P<n>\d{1,2}))")
"""A date without its day: 2026年1月, 2026-1, 2026.1 (a target's deadline may be a month; a day printed may not)."""


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        text = normalize(value)
        if len(text) == 8 and text.isdigit():  # the form prints 20250123
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        month = _MONTH_ONLY.fullmatch(text)
        if month:
            example = f"{month['y']}年{int(month['m'] or month['n'])}月20日"
            raise _fail("date_no_day", _("“{value}” names a month, not a day").format(value=excerpt(value)),
                        _("write the day the form was filled in too, e.g. {example}").format(example=example))
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}号", text):
            text = text[:-1] + "日"  # 号 is the spoken 日: 2026年1月5号 is 2026年1月5日
        try:
            parsed = parse_value(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, DateValue) and parsed.comparison is None:
            return parsed.date
        raise _fail("date_invalid", _("“{value}” is not a date").format(value=excerpt(value)),
                    _("write a real date, as 2025-01-23 or 20250123"))
    raise _fail("date_invalid", _("expected a date"), _("write the date as 2025-01-23"))


FIRST_YEAR, LAST_YEAR = 1990, 2100
"""The budget years a form may be for: wide enough for any archive, narrow enough to catch a typo (2204)."""


def is_budget_year(year: int) -> bool:
    """Whether `year` is one a form may be for (`FIRST_YEAR` to `LAST_YEAR`): the model's and the commands' one
    rule (`--year` of `formgen new` and `formgen init`)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def _year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _fail("year_invalid", _("is not a year"), _("write the budget year, e.g. 2024"))
    text = normalize(value) if isinstance(value, str) else ""
    if re.fullmatch(r"\d{4}\s*年度?", text):
        raise _fail("year_invalid", _("“{value}” is not a year: the year is a number alone").format(value=text),
                    _("write {year} (the form prints “年度” itself)").format(year=text[:4]))
    # Four digits at most before int(): int() of thousands of digits is slow, and refused past 4,300.
    year = value if isinstance(value, int) else int(text) if text.isascii() and text.isdigit() and len(text) <= 4 \
        else None
    if year is None or not is_budget_year(year):
        message = _("“{value}” is not a year").format(value=excerpt(text)) if text else _("is not a year")
        raise _fail("year_invalid", message, _("write the budget year, e.g. 2024"))
    return year


_NUMBER_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^[0-9０-９,，]+(\.[0-9]+)?$"}]}
_PRINTED_EMPTY_SCHEMA = {"const": "", "description": "Only in a status: published copy: printed empty."}
_MONEY_SCHEMA = {"anyOf": [*_NUMBER_SCHEMA["anyOf"], _PRINTED_EMPTY_SCHEMA], "minimum": 0}

Money = Annotated[Decimal, BeforeValidator(_printed_empty(_money, Decimal(0))), WithJsonSchema(_MONEY_SCHEMA)]
"""An amount in the form's money unit (元 by default): at most two decimals, never negative."""


def money_type(decimals: int, unit: str) -> Any:
    """The type of an amount in `unit` with at most `decimals` decimals (`Money` is 元 with two)."""
    if (decimals, unit) == (2, "元"):
        return Money
    return Annotated[Decimal, BeforeValidator(_printed_empty(_money_parser(decimals, unit), Decimal(0))),
                     WithJsonSchema(_MONEY_SCHEMA)]


Score = Annotated[Decimal, BeforeValidator(_score), WithJsonSchema({**_NUMBER_SCHEMA, "minimum": 0})]
"""Points (分值, 得分): 0 or more, at most two decimals."""
def _optional(parse: Callable[[object], Decimal]) -> Callable[[object], Decimal | None]:
    def parse_or_none(value: object) -> Decimal | None:
        return None if _is_empty(value) else parse(value)

    return parse_or_none


# "" is read as nothing, as the key left empty is: a published copy writes a 得分 printed empty so.
_OPTIONAL_NUMBER_SCHEMA = {"anyOf": [*_NUMBER_SCHEMA["anyOf"], {"type": "null"}, {"const": ""}], "minimum": 0}
OptionalScore = Annotated[Decimal | None, BeforeValidator(_optional(_score)), WithJsonSchema(_OPTIONAL_NUMBER_SCHEMA)]
"""Points, or nothing (the key left empty or out)."""
OptionalPercent = Annotated[Decimal | None, BeforeValidator(_optional(_percent)),
                            WithJsonSchema(_OPTIONAL_NUMBER_SCHEMA)]
"""A percentage, with or without the % sign (70.93, "70.93%"), or nothing."""
_TEXT_SCHEMA = {"type": "string", "maxLength": MAX_TEXT_CHARS}
_FILLED_TEXT_SCHEMA = {**_TEXT_SCHEMA, "minLength": 1}
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema(_TEXT_SCHEMA)]
RequiredText = Annotated[str, BeforeValidator(_required_text), WithJsonSchema(_FILLED_TEXT_SCHEMA)]
FigureText = Annotated[str, BeforeValidator(_figure_text),
                       WithJsonSchema({"anyOf": [_FILLED_TEXT_SCHEMA, {"type": "number"}]})]
ActualText = Annotated[str, BeforeValidator(_printed_empty(_figure_text, "")),
                       WithJsonSchema({"anyOf": [_FILLED_TEXT_SCHEMA, {"type": "number"}, _PRINTED_EMPTY_SCHEMA]})]
"""实际完成值: a figure, or in a published copy the empty cell it printed (`published_context`)."""


def _nature(value: object) -> str:
    text = _required_text(value)
    try:
        parse_nature(text)
    except ValueSyntaxError:
        raise _fail("nature_invalid", _("“{value}” is not a 指标性质").format(value=text),
                    _("write ≥, ≤, ＝, >, < or 定性 (正向 and 反向 are read as ≥ and ≤)")) from None
    return text


def _bare_figure(value: object) -> str:
    """指标值 of a three-column target: a number, a date or a level, without the operator."""
    text = _figure_text(value)
    parsed = parse_value(text)
    # A range (95-100) is a figure, not an operator: its 指标性质 is ＝.
    if isinstance(parsed, Quantity | DateValue) and parsed.comparison not in (None, Comparison.BETWEEN):
        raise _fail("value_operator", _("“{value}” holds an operator").format(value=text),
                    _("write the operator in 指标性质 and the number alone here, e.g. 5000"))
    return text


NatureText = Annotated[str, BeforeValidator(_nature), WithJsonSchema(_FILLED_TEXT_SCHEMA)]
"""指标性质: an operator (≥, ≤, ＝, >, <) or 定性."""
BareFigureText = Annotated[str, BeforeValidator(_bare_figure),
                           WithJsonSchema({"anyOf": [_FILLED_TEXT_SCHEMA, {"type": "number"}]})]
"""指标值 in a three-column target: a number, a date or a qualitative level, without operator or unit."""
FormDate = Annotated[dt.date, BeforeValidator(_date),
                     WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                                               {"type": "string", "pattern": r"^\d{8}$"},
                                               {"type": "integer"}]})]


def _optional_date(value: object) -> dt.date | None:
    return None if _is_empty(value) else _date(value)


OptionalFormDate = Annotated[dt.date | None, BeforeValidator(_optional_date),
                             WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                                                       {"type": "string", "pattern": r"^\d{8}$"},
                                                       {"type": "integer"}, {"type": "null"}]})]
"""A date, or nothing (the key left empty or out): 填报日期 where the profile makes it optional."""
Year = Annotated[int, BeforeValidator(_year),
                 WithJsonSchema({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True,
                              arbitrary_types_allowed=False)


def short_label(title: str) -> str:
    """A column's label as messages name it: ``年度指标值(A)`` → ``年度指标值``, ``全年执行数（B）`` → ``全年执行数``.

    The letters A and B are the printed headers' cue for the formulas; messages read better without them."""
    for suffix in ("(A)", "(B)", "（A）", "（B）"):
        if title.endswith(suffix):
            return title[: -len(suffix)]
    return title


def caption(label: str) -> str:
    """A label as a heading outside the sheet reads it (a CSV header, a stated figure): without the formula's
    letter or the sheet's letter spacing (``年度指标值(A)`` → ``年度指标值``, ``总　　分`` → ``总分``), which a
    spreadsheet's filter or a message would keep."""
    return "".join(short_label(label).split())


def _label(key: str) -> str:
    """The reference profile's label of `key`. This static model is the reference form's; its labels are
    written in reference.toml alone, and `profile.form_model` gives every other profile's model its own."""
    return str(reference_data()["labels"][key])


def _fund_label(key: str) -> str:
    """The label of the reference profile's funding row `key` (年度资金总额 for ``total``)."""
    return str(next(line["label"] for line in reference_data()["funds"] if line["key"] == key))


class Department(_Strict):
    """主管部门及代码: printed as ``[120]平塘县人民法院``."""

    code: Text = Field(title=_label("department_code"))
    """The department's budget code (``"120"``). Quote it, so that leading zeros survive."""
    name: RequiredText = Field(title=_label("department_name"))
    """The supervising department (主管部门)."""


class FundRow(_Strict):
    """One row of the 项目资金（元） block."""

    initial: Money = Field(title=_label("initial"))
    """The budget approved at the start of the year."""
    budget: Money = Field(title=_label("budget"))
    """The budget for the whole year after adjustments: A, the base of the execution rate."""
    executed: Money = Field(title=_label("executed"))
    """What was actually spent in the year: B. Never more than A."""


class Funds(_Strict):
    """项目资金（元）: the funding rows. 年度资金总额 = 财政拨款 + 其他; 财政拨款 = 本级安排 + 其中：上级补助."""

    total: FundRow = Field(title=_fund_label("total"))
    """The project's total funds; its A and B give the execution rate (执行率)."""
    fiscal: FundRow = Field(title=_fund_label("fiscal"))
    """Fiscal appropriations."""
    own: FundRow = Field(title=_fund_label("own"))
    """Arranged by this level of government."""
    transfer: FundRow = Field(title=_fund_label("transfer"))
    """Of which: transfers from the level above."""
    other: FundRow = Field(title=_fund_label("other"))
    """Other funds."""


class Goals(_Strict):
    """年度总体目标: the year's overall goal, as planned and as achieved."""

    expected: RequiredText = Field(title=_label("expected"))
    """The goal set at the start of the year."""
    actual: RequiredText = Field(title=_label("achieved"))
    """What was actually achieved."""


class IndicatorFigures(_Strict):
    """What every indicator row offers beside its fields: its target and actual each as one text, the way a
    one-cell 年度指标值 writes them (``≥5000平方米``). Scoring parses these, whatever the profile's columns."""

    def _cell(self, key: str) -> str:
        value = self.__dict__.get(key, "")
        return value if isinstance(value, str) else ""

    @property
    def target_figure(self) -> str:
        return self._cell("target")

    @property
    def actual_figure(self) -> str:
        return self._cell("actual")

    @property
    def placeholder(self) -> bool:
        """An empty template row kept as the published table prints it (指标2:): no target, actual or 分值. Only
        a profile with ``layout.placeholder_rows`` reads one (`placeholder_row`); it is never scored."""
        return self.__dict__.get("weight", 0) is None and not self.target_figure and not self.actual_figure


PLACEHOLDER_FIGURES = ("nature", "target", "unit", "actual", "weight", "score")
"""The cells an empty template row leaves empty: its figures. Its names and texts may be written."""


def placeholder_row(model: type[IndicatorFigures], data: object) -> IndicatorFigures | None:
    """The row `data` (a row as read) as an empty template row of `model`, if it is one: every figure empty or
    left out, its 一级 and 二级指标 named (the row sits in their groups) and no unknown key. None otherwise: the
    row is validated as any other, and a figure left out is reported as missing."""
    if not isinstance(data, dict) or any(not _is_empty(data.get(key)) for key in PLACEHOLDER_FIGURES):
        return None
    fields = model.model_fields
    if any(key not in fields for key in data):
        return None
    try:
        texts = {key: _text(value) for key, value in data.items() if key not in PLACEHOLDER_FIGURES}
    except PydanticCustomError:
        return None
    if not texts.get("level1") or not texts.get("level2"):
        return None
    defaults = {key: info.get_default(call_default_factory=True) for key, info in fields.items()
                if not info.is_required()}
    empty = {key: "" for key in ("nature", "target", "unit", "actual") if key in fields}
    return model.model_construct(**{**defaults, **empty, "name": "", "weight": None, "score": None, **texts})


def empty_template_row(model: type[BaseModel], row: object) -> bool:
    """Whether a form of `model` reads `row` (a row as written, or as an import found it) as an empty template
    row: only where its profile keeps them (``layout.placeholder_rows``), and then nothing of it is missing."""
    if not isinstance(row, Mapping) or any(not _is_empty(row.get(key)) for key in PLACEHOLDER_FIGURES):
        return False
    try:
        return bool(getattr(model.model_validate(row), "placeholder", False))
    except ValidationError:
        return False


class SplitIndicatorFigures(IndicatorFigures):
    """A row whose target is three cells, 指标性质 (``nature``), 指标值 (``target``) and 度量单位 (``unit``):
    joined they read as one cell would (``≥`` ``5000`` ``平方米`` → ``≥5000平方米``; 定性 → the 指标值 alone)."""

    @property
    def target_figure(self) -> str:
        target = self._cell("target")
        try:
            comparison = parse_nature(self._cell("nature"))
        except ValueSyntaxError:  # the field's validator has said so; never reached on a validated row
            comparison = None
        if comparison is None:
            return target
        return f"{comparison.value}{target}{self._cell('unit')}"

    @property
    def actual_figure(self) -> str:
        """实际完成值 with the 度量单位 where it is a bare number (``6339`` + ``件`` → ``6339件``)."""
        actual, unit = self._cell("actual"), self._cell("unit")
        try:
            parsed = parse_value(actual)
        except ValueSyntaxError:
            return actual
        if unit and isinstance(parsed, Quantity) and not parsed.unit:
            return f"{actual}{unit}"
        return actual


class Indicator(IndicatorFigures):
    """One row of the 绩效指标 table."""

    level1: RequiredText = Field(title=_label("level1"))
    """First-level indicator: one of the scheme's (产出指标, 效益指标, 满意度指标)."""
    level2: RequiredText = Field(title=_label("level2"))
    """Second-level indicator, such as 数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, 满意度指标."""
    name: RequiredText = Field(title=_label("name"))
    """Third-level indicator: what is measured."""
    target: FigureText = Field(title=_label("target"))
    """The target: an operator, a number and a unit (``≥5000平方米``, ``＝6万元``, ``≤250000元``), a date
    (``2024年12月31日``, a deadline) or a qualitative level (``优``, ``得到保障``)."""
    actual: ActualText = Field(title=_label("actual"))
    """What was achieved: a number with the target's unit (``6339件``, ``92.02%``), a date, or an
    achievement level: ``达成预期指标``, ``部分达成预期指标并具有一定效果`` or ``未达成预期指标且效果较差``."""
    weight: Score = Field(title=_label("weight"))
    """The row's points. The rows of each 一级指标 add up to its weight (产出指标 50, 效益指标 30, 满意度指标 10)."""
    score: OptionalScore = Field(default=None, title=_label("score"))
    """The score. Computed for quantitative rows (write it to have it checked); the author's judgement,
    within the band the achievement level allows, for qualitative rows. Omitted for an achieved
    qualitative row, it is the full 分值."""
    reason: Text = Field(default="", title=_label("reason"))
    """Why the target was missed, or far exceeded, and what will be done about it."""
    note: Text = Field(default="", title=_label("note"))
    """Remarks."""


class Status(StrEnum):
    """What a form file is: a form being written, or the copy of one already published."""

    DRAFT = "draft"
    PUBLISHED = "published"


def _status(value: object) -> Status:
    if _is_empty(value):
        return Status.DRAFT
    text = normalize(value).strip().lower() if isinstance(value, str) else ""
    if text in (Status.DRAFT.value, Status.PUBLISHED.value):
        return Status(text)
    message = (_("“{value}” is not a status").format(value=excerpt(value)) if isinstance(value, str)
               else _("this is not a status"))
    raise _fail("status_invalid", message,
                _("write draft (a form being written, the default) or published (the copy of a form already "
                  "published, kept as printed, its differences from formgen's figures reported, not fixed)"))


FormStatus = Annotated[Status, BeforeValidator(_status),
                       WithJsonSchema({"type": "string", "enum": [status.value for status in Status]})]


def _subtotals(value: object) -> object:
    if _is_empty(value):
        return {}
    if not isinstance(value, dict):
        raise _fail("subtotals_type", _("must list 一级指标 with their printed 小计"),
                    _("write one line per 一级指标 under it, e.g. 产出指标: 50"))
    return value


Subtotals = Annotated[dict[str, Score], BeforeValidator(_subtotals),
                      WithJsonSchema({"type": "object", "additionalProperties": {**_NUMBER_SCHEMA, "minimum": 0}})]
"""Printed points per 一级指标, by its name."""


_printed_money = _money_parser(6, "万元")  # the finest a profile writes: the fen in 万元 (0.01 元 = 0.000001 万元)
OptionalPrintedMoney = Annotated[Decimal | None, BeforeValidator(_optional(_printed_money)),
                                 WithJsonSchema(_OPTIONAL_NUMBER_SCHEMA)]
"""An amount as a published form prints it, in its profile's unit, or nothing."""


class StatedFundRow(_Strict):
    """A funding row's figures as printed, where they differ from the row's own (a 年度资金总额 printed 0 / 0 / 0
    above a sub-row that holds the money), or a row's printed 执行率 and 得分."""

    initial: OptionalPrintedMoney = Field(default=None, title="年初预算数")
    """The printed 年初预算数."""
    budget: OptionalPrintedMoney = Field(default=None, title="全年预算数")
    """The printed 全年预算数 (A)."""
    executed: OptionalPrintedMoney = Field(default=None, title="全年执行数")
    """The printed 全年执行数 (B)."""
    rate: OptionalPercent = Field(default=None, title="执行率")
    """The row's printed 执行率 in percent, where the table prints one per row (the total row's is
    ``stated.execution_rate``)."""
    score: OptionalScore = Field(default=None, title="得分")
    """The row's printed 得分, where the row carries its own 分值 (the total row's is ``stated.budget_score``)."""


def _stated_funds(value: object) -> object:
    if _is_empty(value):
        return {}
    if not isinstance(value, dict):
        raise _fail("stated_funds_type", _("must list funding rows with their printed figures"),
                    _("write one key per funding row under it, e.g. {example}").format(
                        example="total: {initial: 0, budget: 0, executed: 0}"))
    return value


StatedFunds = Annotated[dict[str, StatedFundRow], BeforeValidator(_stated_funds)]
"""Printed funding figures per row, by the row's key (``total``, ``current``)."""


class Stated(_Strict):
    """Figures as printed on a published form, kept to be compared with formgen's computation.

    Optional: formgen computes all of them. Where a stated figure differs, ``check`` reports an error (in a
    form marked ``status: published``, a discrepancy: the figure is kept and published as printed)."""

    execution_rate: OptionalPercent = Field(default=None, title=_label("execution_rate"))
    """The printed execution rate in percent (``70.93``)."""
    budget_score: OptionalScore = Field(default=None, title=_label("execution_score"))
    """The printed score of the 年度资金总额 row (``7.09``)."""
    subtotals: Subtotals = Field(default_factory=dict, title=_label("subtotal"))
    """The printed 小计 of each 一级指标, by its name (``{产出指标: 50, 效益指标: 30}``), where the form prints them."""
    funds: StatedFunds = Field(default_factory=dict, title=_label("funds"))
    """Funding figures as printed, by row key, where they differ from the rows' (``{total: {budget: 0}}``), and
    each row's printed 执行率 where the table prints one per row."""
    total: OptionalScore = Field(default=None, title=caption(_label("total")))
    """The printed total (``97.09``)."""
    grade: Text = Field(default="", title=_label("grade"))
    """The printed grade: 优, 良, 中 or 差."""


class Form(_Strict):
    """项目支出绩效目标自评表: the front matter of one form file. The Markdown body is the 自评结论."""

    year: Year = Field(title=_label("year"))
    """The budget year evaluated (the ``（2024年度）`` under the title)."""
    filled_on: FormDate = Field(title=_label("filled_on"))
    """The date the form was filled in: ``2025-01-23`` (printed ``20250123``)."""
    title: RequiredText = Field(title=_label("title"))
    """The project's name, as in the budget."""
    department: Department = Field(title=_label("department"))
    """The supervising department and its code."""
    implementer: RequiredText = Field(title=_label("implementer"))
    """The unit that carried out the project."""
    funds: Funds = Field(title=f"{_label('funds')}（{reference_data()['money']['unit']}）")
    """The funding table, in 元."""
    budget_weight: OptionalScore = Field(default=None, title=_label("budget_weight"))
    """The 分值 of the 年度资金总额 row. Leave it out to use the scheme's (10); if written, it must match."""
    execution_reason: Text = Field(default="", title=_label("execution_reason"))
    """Why the execution rate is below 100%. Not a cell of the official table; shown as a note under it."""
    goals: Goals = Field(title=_label("goals"))
    """The overall goal: 预期目标 and 实际完成情况."""
    indicators: list[Indicator] = Field(title=_label("indicators"), min_length=1)
    """The indicator rows, in table order; rows of one 一级指标, and of one 二级指标 within it, stay together."""
    stated: Stated = Field(default_factory=Stated, title="表上填写的结果")
    """Figures as printed on a published form (optional), checked against the computation."""
    status: FormStatus = Field(default=Status.DRAFT, title="状态")
    """``draft`` (the default): a form being written, whose figures must agree with formgen's computation.
    ``published``: the copy of a form already published, kept as printed: where its printed figures differ
    from formgen's or do not add up, ``check`` reports each discrepancy and ``build`` still publishes it, with
    formgen's figure beside the printed one."""
    contact: RequiredText = Field(title=_label("contact"))
    """The contact person."""
    profile: Text = Field(default="", title="表样")
    """The form's profile (表样): its layout, labels, money unit and scoring rules, by name (``reference``,
    ``central``, a province's — ``formgen profiles`` lists them — or a profile of the site). Leave it out to
    use formgen.toml's."""
    _printed_empty: frozenset[tuple[str | int, ...]] = PrivateAttr(default=frozenset())

    @model_validator(mode="after")
    def _record_printed_empty(self, info: ValidationInfo) -> Form:
        """A published copy's figures written empty, as printed (`published_context`): their cells read as
        nothing (an amount as 0, an actual as ""), and the form remembers which they were. The context carries
        the data as read (`published_context`): the model sees the cells only as parsed."""
        context = info.context if isinstance(info.context, dict) else {}
        data = context.get("data") if context.get("published") else None
        if isinstance(data, Mapping):
            self._printed_empty = frozenset(printed_empty_cells(data))
        return self

    @property
    def printed_empty(self) -> frozenset[tuple[str | int, ...]]:
        """The cells a published copy printed empty, by field path: ``("indicators", 0, "actual")``,
        ``("funds", "other", "budget")``, ``("stated", "total")``. Empty for a draft."""
        return self._printed_empty


PRINTED_EMPTY_STATED = ("execution_rate", "budget_score", "total")
"""The stated figures a published copy may write empty (``total: ""``): printed empty, as an unfilled copy's."""


def printed_empty_cells(data: Mapping[Any, Any]) -> Iterator[tuple[str | int, ...]]:
    """The figures `data` (a published copy as read) writes empty, keys present with no value: each row's
    实际完成值 and 得分, the funding amounts, and the stated 执行率, 得分 and 总分."""
    rows = data.get("indicators")
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        # An empty template row (every figure empty: `placeholder_row`) is no unfilled row: it has no figure.
        if isinstance(row, Mapping) and not all(_is_empty(row.get(key)) for key in PLACEHOLDER_FIGURES):
            yield from (("indicators", index, key) for key in ("actual", "score")
                        if key in row and _is_empty(row[key]))
    funds = data.get("funds")
    for key, row in (funds.items() if isinstance(funds, Mapping) else ()):
        if isinstance(row, Mapping):
            yield from (("funds", str(key), column) for column in ("initial", "budget", "executed")
                        if column in row and _is_empty(row[column]))
    stated = data.get("stated")
    if isinstance(stated, Mapping):
        yield from (("stated", key) for key in PRINTED_EMPTY_STATED if key in stated and _is_empty(stated[key]))


def inner_model(annotation: Any) -> Any:
    """The model class a field holds, looking through list[...] and Optional[...]."""
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = inner_model(argument)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


class ModelField(NamedTuple):
    """A field of a model as the walkers over the model see it."""

    name: str
    info: FieldInfo
    inner: Any
    """The model class the field holds (through list[...] and Optional[...], `inner_model`), None for a value."""
    is_list: bool
    """A list of rows of `inner` (indicators), not one nested model (funds.total)."""


def fields_of(model: type[BaseModel]) -> Iterator[ModelField]:
    """The fields of `model`, in their order: the one place that tells a nested model, a list of rows and a
    value apart (the authoring skeleton, the carried-over values, the importer's missing fields, the schema)."""
    for name, info in model.model_fields.items():
        yield ModelField(name, info, inner_model(info.annotation), typing.get_origin(info.annotation) is list)


def walk_fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, ModelField]]:
    """Every field of `model` and of the models inside it, depth first, each with its key path as docs/fields.md
    writes it (``funds.total.executed``, ``indicators[].target``)."""
    for field in fields_of(model):
        path = f"{prefix}{field.name}"
        yield path, field
        if field.inner is not None:
            yield from walk_fields(field.inner, f"{path}[]." if field.is_list else f"{path}.")


def label_for(loc: tuple[str | int, ...], model: type[BaseModel] = Form) -> str:
    """The Chinese label of a field path: ``('indicators', 3, 'weight')`` → ``绩效指标 第4项 分值``."""
    parts: list[str] = []
    current: Any = model
    keyed = None  # the model of a mapping's values (stated.funds): the next part is its key
    mapping = ""  # that mapping's field name (funds)
    for part in loc:
        if isinstance(part, int):
            parts.append(f"第{part + 1}项")
            continue
        if keyed is not None:
            # A key of stated.funds names a row of the form's own funds: its label is that row's (年度资金总额).
            mirrored = inner_model(model.model_fields[mapping].annotation) if mapping in model.model_fields else None
            row = mirrored.model_fields.get(str(part)) if mirrored is not None else None
            parts.append(row.title or str(part) if row is not None else str(part))
            current, keyed = keyed, None
            continue
        if current is None or part not in current.model_fields:
            parts.append(str(part))
            current = None
            continue
        info = current.model_fields[part]
        parts.append(info.title or part)
        current = inner_model(info.annotation)
        if typing.get_origin(_bare(info.annotation)) is dict:
            keyed, current, mapping = keyed_model(info.annotation), None, part
    return " ".join(parts)


def keyed_model(annotation: Any) -> Any:
    """The model class of a mapping's values, by key (``stated.funds``: a `StatedFundRow` per funding row),
    or None for any other field."""
    bare = _bare(annotation)
    return inner_model(typing.get_args(bare)[1]) if typing.get_origin(bare) is dict else None


def _bare(annotation: Any) -> Any:
    """An annotation without its Annotated[...] metadata."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation


def field_name(loc: tuple[str | int, ...]) -> str:
    """A field path as authors read it: ``indicators[4].weight`` (rows numbered from 1, like the label)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_LABEL_ALIASES = {"实际值": "actual", "实际完成": "actual", "指标值": "target", "年度指标值": "target",
                  "偏差原因": "reason", "原因": "reason", "权重": "weight", "代码": "code", "编码": "code",
                  "部门编码": "code", "名称": "name", "指标名称": "name", "项目资金": "funds", "主管部门": "department",
                  "执行率偏差原因说明": "execution_reason"}
"""Other words clerks write for a field, beside its label on the form (`field_titles`)."""


def field_titles(loc: tuple[str | int, ...], model: type[BaseModel] = Form) -> dict[str, str]:
    """The Chinese labels of the keys allowed in the mapping at `loc`, as `caption` writes them, → the key
    (``分值`` → ``weight``): for a key written as the label printed on the form."""
    keys = known_fields(loc, model)
    current = _model_at(loc, model)
    titles = {alias: key for alias, key in _LABEL_ALIASES.items() if key in keys}
    if current is not None:
        for key in keys:
            title = current.model_fields[key].title
            if title:
                titles[caption(title)] = key
                titles.setdefault(caption(title).split("（")[0], key)  # 项目资金（元） → 项目资金
    return titles


def _model_at(loc: tuple[str | int, ...], model: type[BaseModel]) -> Any:
    """The model of the mapping at `loc`, or None (a key path that leads nowhere, or to a value)."""
    current: Any = model
    keyed = None  # the model of a mapping's values (stated.funds): the next part is its key
    for part in loc:
        if isinstance(part, int):
            continue
        if keyed is not None:
            current, keyed = keyed, None
            continue
        if current is None or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        current = inner_model(annotation)
        if typing.get_origin(_bare(annotation)) is dict:
            keyed, current = inner_model(typing.get_args(_bare(annotation))[1]), None
    return current


def known_fields(loc: tuple[str | int, ...], model: type[BaseModel] = Form) -> list[str]:
    """The keys allowed in the mapping at `loc` (for 'did you mean' hints)."""
    current = _model_at(loc, model)
    return list(current.model_fields) if current is not None else []


def suggest(name: str, choices: list[str]) -> str | None:
    """The closest known name to a misspelt one, if any is close."""
    matches = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None
