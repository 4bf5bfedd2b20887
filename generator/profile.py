"""Profiles (表样): what differs between one province's form and another's, as data.

A profile names a form's labels, its money unit and precision, its header and footer fields (``[fields]``:
each required, optional or absent), its funding rows, its indicator columns and its scoring scheme (budget
weight, 一级指标 with weights, qualitative bands, grades, rounding). The shipped profiles are TOML files in
generator/profiles/: ``reference`` (the 贵州 form of rules.md section 5, the default), ``central``
(财预〔2020〕10号) and the provinces' (``formgen profiles`` lists them all). A site adds its own as
``profiles/<name>.toml`` beside its formgen.toml; docs/profiles.md documents every key.

From a profile formgen builds the form's model (`form_model`): the front matter's keys, their labels,
their validation and so the JSON Schema follow the profile, and a new profile needs no code. Every
problem of a profile file is reported at once, with its file, line, key and fix, like formgen.toml's.

Why one module: a profile file becomes a `Profile`, and a `Profile` a form's model; the settings models, the loader
that checks files and resolves them over their bases, and the model builder share the settings classes and their
reference defaults. The model builder (from `_field` on, ~360 lines) and the loader could each move as they are; they
have not, as each reads the others' private helpers (`_SCORE_COLUMNS`, `_reference_funds`, `_layout_problems`).
"""

from __future__ import annotations

import datetime
import difflib
import functools
import importlib.resources
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from . import formatting
from .config import ConfigError, Points, Scheme, _Settings, settings_findings, toml_line
from .findings import Finding, Level
from .formatting import plain
from .i18n import N_, _
from .model import (
    MAX_TEXT_CHARS,
    PLACEHOLDER_FIGURES,
    BareFigureText,
    Department,
    Form,
    Goals,
    Indicator,
    IndicatorFigures,
    NatureText,
    OptionalFormDate,
    OptionalScore,
    RequiredText,
    Score,
    SplitIndicatorFigures,
    Stated,
    Text,
    _Strict,
    _text,
    caption,
    money_type,
    placeholder_row,
)
from .profiles import reference_data
from .reading import ReadError, display_path, read_bytes
from .slugs import PROFILE_NAME

__all__ = ["DEFAULT_PROFILE", "EXTRA_FIELDS", "FOOTER_FIELDS", "FUNDS_LABEL_KEYS", "PLACED_FIELDS", "Column", "Fields",
           "FundLine", "FundsColumn", "Labels", "Layout",
           "MoneyFormat", "Presence", "Profile", "ProfileError", "Source", "base_of", "differences", "form_model",
           "local_profiles", "parse_profile", "per_profile", "profile_problems", "shipped_profiles"]

DEFAULT_PROFILE = "reference"
"""The profile of a site that names none: the 贵州 reference form, which the ten published forms use."""
PROFILES_FOLDER = "profiles"
"""A site's own profiles: ``profiles/<name>.toml`` beside its formgen.toml."""

Column = Literal["level1", "level2", "name", "nature", "target", "unit", "actual", "weight", "score", "reason", "note"]
"""A column of the 绩效指标 table, named by its front-matter key."""
REQUIRED_COLUMNS: tuple[Column, ...] = ("level1", "level2", "name", "target", "actual")
"""Every 绩效指标 table has them. 分值, 得分, the reason and 备注 are optional: a form whose table prints no 分值 or
得分 still writes each row's weight and score (scoring needs them), and the sheet leaves them out; a profile
without a reason or 备注 column has no such key. The three-cell target (指标性质, 度量单位) is optional too."""
FundsColumn = Literal["source", "initial", "budget", "executed", "weight", "rate", "score", "reason"]
"""A column of the funding table: 资金来源, 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分, and the reason a
row's 执行率 falls short (执行率偏差原因)."""
REQUIRED_FUNDS_COLUMNS: tuple[FundsColumn, ...] = ("source", "budget", "executed", "rate")
"""A funding table always has them; 年初预算数, 分值 and the reason are optional (a form without 年初预算数 writes no
``initial``; one with a reason column writes each row's ``reason``)."""

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Label = Annotated[str, Field(min_length=1)]
_UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10_000)}
_FEN_DECIMALS = {"元": 2, "万元": 6}
"""Decimals that reach the fen (分), the accounts' precision: 0.01 元 = 0.000001 万元."""


def _reference(section: str, key: str) -> Callable[[], Any]:
    """A default of a profile's key: the reference profile's value, read from reference.toml (which writes
    every key), so that the reference form is written there alone and not restated here."""
    return lambda: getattr(_reference_section(section), key)


@functools.cache
def _reference_section(section: str) -> _Settings:
    """reference.toml's [section], validated by its model (every key written: none asks for its default)."""
    models: dict[str, type[_Settings]] = {"money": MoneyFormat, "fields": Fields, "layout": Layout, "labels": Labels,
                                         "choices": Choices}
    model = models[section]
    return model.model_validate(reference_data()[section])


class MoneyFormat(_Settings):
    """How money is written in the form file and printed on the sheet."""

    unit: Literal["元", "万元"] = Field(default_factory=_reference("money", "unit"))
    """The unit of every amount of the funding table, entered and printed (项目资金（元）)."""
    decimals: int = Field(default_factory=_reference("money", "decimals"), ge=0, le=6)
    """At most this many decimals when entered (元: 2, the fen; 万元: up to 6, also the fen)."""
    shown_decimals: int = Field(default_factory=_reference("money", "shown_decimals"), ge=0, le=6)
    """Decimals printed on the sheet: amounts are rounded half up to this many."""
    always_show_decimals: bool = Field(default_factory=_reference("money", "always_show_decimals"))
    """Print every amount with `shown_decimals` decimals (``60.00``); false: only where it has them
    (``60,000``, ``845,371.59``)."""

    @property
    def factor(self) -> Decimal:
        """元 per unit: 1, or 10,000 for 万元 (the data feed is always in 元)."""
        return _UNIT_FACTORS[self.unit]

    def show(self, value: Decimal) -> str:
        """An amount as the sheet prints it: ``845,371.59``, ``60,000``; in 万元 ``84.54``."""
        return formatting.amount(value, self.shown_decimals, always=self.always_show_decimals)

    def message(self, value: Decimal) -> str:
        """An amount in a message with its unit where it is not 元 (元 is the reference's, left unsaid)."""
        exact = formatting.money_exact(value)
        return exact if self.unit == "元" else f"{exact}{self.unit}"


class Labels(_Settings):
    """The labels printed on the sheet and used in findings. No defaults here: reference.toml writes every one,
    and every other profile extends it (`Profile`'s default is read from it)."""

    form_title: Label
    seal: Label
    year: Label
    filled_on: Label
    title: Label
    department: Label
    department_code: Label
    department_name: Label
    implementer: Label
    funds: Label
    """The funding block; the money unit is added: 项目资金（元）."""
    source: Label
    initial: Label
    budget: Label
    executed: Label
    funds_weight: Label
    execution_rate: Label
    budget_score: Label
    budget_weight: Label
    execution_score: Label
    """The 年度资金总额 row's 得分 named outside the table: the CSV header, `diff`, the stated figure."""
    execution_reason: Label
    goals: Label
    expected: Label
    achieved: Label
    indicators: Label
    level1: Label
    level2: Label
    name: Label
    nature: Label
    target: Label
    unit: Label
    actual: Label
    weight: Label
    score: Label
    reason: Label
    note: Label
    total: Label
    subtotal: Label
    """An 一级指标's points added up (小计)."""
    grade: Label
    """The grade the total gives (等级)."""
    conclusion: Label
    contact: Label
    unit_name: Label
    project_lead: Label
    project_category: Label
    project_attribute: Label
    review_score: Label
    report_number: Label
    finance_lead: Label
    project_type: Label
    project_overview: Label
    problems: Label
    improvements: Label
    variants: dict[str, list[Label]] = Field(default_factory=dict)
    """Other ways published forms of the profile print a label, for `formgen import` only: by the label's
    key (``department = ["主管部门"]``) or a funding row's (``"funds.current" = ["本年财政拨款"]``). A
    profile that extends another takes its base's lists, key by key: a key it writes replaces that key's list.
    The importer adds a shared list to every profile's (generator/importing/labels.py, ``BASE_VARIANTS``)."""

    def __hash__(self) -> int:
        # Profiles are cache keys (form_model…): hash the printed labels, which a dict of lists cannot be.
        # Equal labels hash alike still, as equality compares the variants too.
        return hash(tuple(value for key, value in self.__dict__.items() if key != "variants"))


Presence = Literal["required", "optional", "absent"]
"""Whether a form of the profile must write a header or footer field, may leave it out, or has no such field."""
EXTRA_FIELDS = ("report_number", "unit_name", "project_lead", "project_category", "project_attribute",
                "project_type", "project_overview", "problems", "improvements", "finance_lead")
"""Text fields that only some provinces print (报表编号, 单位名称, 项目负责人, 项目类别, 项目属性, 项目类型,
项目实施内容及过程概述, 存在问题, 改进措施, 财务负责人). Most are a row of the sheet's header when the
profile has them; the others have their printed places (`PLACED_FIELDS`)."""
PLACED_FIELDS = ("report_number", "project_overview", "problems", "improvements", "finance_lead")
"""Extra text fields printed outside the header rows, where the 四川 部门预算 form prints them: 报表编号 on a
line above the title, 项目实施内容及过程概述 a row under the goals, 存在问题 and 改进措施 cells under the
conclusion, 财务负责人 on a line under the table, with 项目负责人 beside it (which then leaves the header)."""
FOOTER_FIELDS = ("review_score",)
"""Footer fields that only some provinces print: 财政审核评分, the finance bureau's score, under the 总分."""


class Fields(_Settings):
    """Which header and footer fields the profile's form has, and which must be filled in. The defaults are
    the reference form's: 填报日期 and 联系人 required, the fields it does not print absent."""

    filled_on: Presence = Field(default_factory=_reference("fields", "filled_on"))
    contact: Presence = Field(default_factory=_reference("fields", "contact"))
    unit_name: Presence = Field(default_factory=_reference("fields", "unit_name"))
    project_lead: Presence = Field(default_factory=_reference("fields", "project_lead"))
    project_category: Presence = Field(default_factory=_reference("fields", "project_category"))
    project_attribute: Presence = Field(default_factory=_reference("fields", "project_attribute"))
    review_score: Presence = Field(default_factory=_reference("fields", "review_score"))
    report_number: Presence = Field(default_factory=_reference("fields", "report_number"))
    finance_lead: Presence = Field(default_factory=_reference("fields", "finance_lead"))
    project_type: Presence = Field(default_factory=_reference("fields", "project_type"))
    project_overview: Presence = Field(default_factory=_reference("fields", "project_overview"))
    problems: Presence = Field(default_factory=_reference("fields", "problems"))
    improvements: Presence = Field(default_factory=_reference("fields", "improvements"))
    conclusion: Literal["required", "optional"] = Field(default_factory=_reference("fields", "conclusion"))
    """Whether a form being written must have its conclusion (the Markdown body): an empty one is an error
    where the published forms print one (自评结论, 评价结论), a warning where they have no such cell or an
    optional note (上海, 四川, 湖南's 说明)."""

    def present(self, key: str) -> bool:
        return getattr(self, key) != "absent"

    @property
    def extra(self) -> tuple[str, ...]:
        """The extra header fields the form has, in the order the sheet prints them."""
        return tuple(key for key in EXTRA_FIELDS if self.present(key))

    def rows(self, layout: Layout) -> tuple[str, ...]:
        """The extra header fields the sheet prints as rows of its table, in order: those without a place of
        their own (a line above the title or under the table, a block of text) and not a 单位名称 printed above
        the table."""
        return tuple(key for key in self.extra if key not in PLACED_FIELDS and key not in self.signatures
                     and not (key == "unit_name" and layout.unit_name_above))

    @property
    def signatures(self) -> tuple[str, ...]:
        """The line under the table where the form prints 财务负责人: 项目负责人 (where the form has one) beside
        it; empty where the form has no 财务负责人, and 项目负责人 is then a header row."""
        if not self.present("finance_lead"):
            return ()
        return tuple(key for key in ("project_lead", "finance_lead") if self.present(key))

    @property
    def closing(self) -> tuple[str, ...]:
        """The text cells under the conclusion (存在问题, 改进措施), in order."""
        return tuple(key for key in ("problems", "improvements") if self.present(key))

    @property
    def footer(self) -> tuple[str, ...]:
        """The footer fields the form has, printed under the 总分 in this order."""
        return tuple(key for key in FOOTER_FIELDS if self.present(key))


class Layout(_Settings):
    """The sheet's columns and a few printing choices."""

    columns: tuple[Column, ...] = Field(default_factory=_reference("layout", "columns"))
    """The 绩效指标 columns, in order, by front-matter key."""
    widths: tuple[Annotated[int, Field(ge=1, le=60)], ...] = ()
    """Percent of the sheet's width per column, the side column first; empty: templates/sheet.css's."""
    funds_columns: tuple[FundsColumn, ...] = Field(default_factory=_reference("layout", "funds_columns"))
    """The funding table's columns, in order, 资金来源 first; 年初预算数 (``initial``) and 分值 (``weight``) may be
    left out."""
    funds_spans: tuple[Annotated[int, Field(ge=1)], ...] = ()
    """How many grid columns each of `funds_columns` spans, adding up to the 绩效指标 columns; empty: 资金来源 2,
    得分 the rest, the others 1."""
    department_code: bool = Field(default_factory=_reference("layout", "department_code"))
    """Print 主管部门 as ``[120]平塘县人民法院``, the code required; false: the name alone, the code optional."""
    fund_label_suffix: str = Field(default_factory=_reference("layout", "fund_label_suffix"))
    """After each funding row's label on the sheet (年度资金总额：)."""
    level1_points: bool = Field(default_factory=_reference("layout", "level1_points"))
    """Print each 一级指标's points in its cell (产出指标(50分)); false: the name alone, as tables that print the
    points only in the 分值 column do (上海)."""
    funds_row_rate: bool = Field(default_factory=_reference("layout", "funds_row_rate"))
    """Every funding row prints its own 执行率 (B ÷ A of that row), as the central template's rows do; false: only
    the total row, the others print `funds_blank`."""
    funds_blank: str = Field(default_factory=_reference("layout", "funds_blank"))
    """What a funding cell without a figure prints: 分值 and 得分 of the rows below the total, and the 执行率 of a
    row without budget (A = 0) or of every row below the total where `funds_row_rate` is false."""
    funds_rate_without_budget: Literal["blank", "zero"] = Field(
        default_factory=_reference("layout", "funds_rate_without_budget"))
    """The 执行率 a row without budget (A = 0) prints where every row prints one: `funds_blank`, or 0 with the
    rate's decimals (0.00), as forms whose tables compute B ÷ A as 0 there print it."""

    rate_sign: str = Field(default_factory=_reference("layout", "rate_sign"), max_length=2)
    """Printed after every 执行率 on the sheet: nothing (the reference: 70.93), or ``%`` where the form prints
    100.00%. Only the sheet: the feed and the CSV keep the bare figure."""

    def row_rate(self, rate: Decimal | None) -> Decimal | None:
        """A funding row's 执行率 as its table prints it (`ScoredForm.fund_rates`' value): None, printed as the
        blank, for a row without budget, or 0 where the profile prints that."""
        if rate is None and self.funds_rate_without_budget == "zero":
            return Decimal(0)
        return rate
    total_in_header: bool = Field(default_factory=_reference("layout", "total_in_header"))
    """Print the total in a header row (宁夏: 自评得分 98, with 财政审核评分 beside it: the footer fields), in
    place of the 总分 row under the table."""
    placeholder_rows: bool = Field(default_factory=_reference("layout", "placeholder_rows"))
    """Keep the empty template rows a published table prints (指标2:, a 经济效益指标 row without name or figures):
    a row that writes no target, actual, 分值 or 得分 is printed empty in its place, never scored and never
    counted (a form being written gets a warning). False: every row is a scored row, its figures required."""
    block_points: bool = Field(default_factory=_reference("layout", "block_points"))
    """Print each block's points after its title, as tables that give the funds and the indicators their share
    of the 100 print them (云南: 预算执行情况(万元)(20分), 年度绩效目标(80分)); false: the titles alone."""
    choice_format: str = Field(default_factory=_reference("layout", "choice_format"))
    """How a field with `[choices]` prints each choice: ``{choice}``, its ``{box}`` (☑ chosen, □ not) and
    optionally its ``{number}`` (1, 2, …); the choices are printed in order, a space apart."""

    unit_name_above: bool = Field(default_factory=_reference("layout", "unit_name_above"))
    """Print 单位名称 in the line above the table, in place of the seal's label (单位名称：…, 填报日期 on its right),
    as tables that print it there do (云南), and not as a header row; false, or without a 单位名称 field: the
    seal's label there."""
    filled_on_format: str = Field(default_factory=_reference("layout", "filled_on_format"))
    """How the sheet prints 填报日期: ``{year}``, ``{month}`` and ``{day}`` as numbers (4, 15), ``{mm}`` and ``{dd}``
    with two digits (04): ``{year}{mm}{dd}`` prints 20230415, ``{year}年{month}月{day}日`` 2023年4月15日."""

    @field_validator("choice_format")
    @classmethod
    def _choice_placeholders(cls, value: str) -> str:
        return _checked_format(value, N_("“{value}” is not a choice format"), CHOICE_PLACEHOLDERS, ("choice", "box"),
                               N_("write {{choice}} and {{box}} (☑ or □), and {{number}} if the choices are numbered, "
                                  "with any text between them, e.g. \"{{box}}{{choice}}\" or \"{{number}}、{{choice}} "
                                  "{{box}}\""), "choice")

    @field_validator("filled_on_format")
    @classmethod
    def _date_placeholders(cls, value: str) -> str:
        return _checked_format(value, N_("“{value}” is not a date format"), DATE_PLACEHOLDERS, (),
                               N_("write {{year}}, {{month}} or {{mm}}, {{day}} or {{dd}} with any text between them, "
                                  "e.g. \"{{year}}{{mm}}{{dd}}\" or \"{{year}}年{{month}}月{{day}}日\""), "date")

    def choice(self, number: int, choice: str, chosen: bool) -> str:
        """One choice of a check-box line as the profile prints it: ``☑延续项目``, ``2、县直专项 ☑``."""
        return _filled(self.choice_format, {"choice": choice, "box": CHECKED if chosen else UNCHECKED,
                                            "number": str(number)})

    def date(self, value: datetime.date) -> str:
        """填报日期 as the sheet prints it (`filled_on_format`)."""
        return _filled(self.filled_on_format, {"year": str(value.year), "month": str(value.month),
                                               "day": str(value.day), "mm": f"{value.month:02}",
                                               "dd": f"{value.day:02}"})


CHOICE_PLACEHOLDERS = ("choice", "box", "number")
"""What `Layout.choice_format` may name."""
DATE_PLACEHOLDERS = ("year", "month", "day", "mm", "dd")
"""What `Layout.filled_on_format` may name."""
_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")


def _checked_format(value: str, message: str, names: tuple[str, ...], required: tuple[str, ...], fix: str,
                   kind: str) -> str:
    """A printing format of a profile: only `names` are filled in, so any other brace would be printed as
    written, which is never meant; each of `required` must be there. `message` and `fix` are marked texts
    (`N_`), the fix's placeholders written doubled: they are shown, not filled in."""
    used = _PLACEHOLDER.findall(value)
    stray = _PLACEHOLDER.sub("", value)
    if set(used) - set(names) or set(required) - set(used) or "{" in stray or "}" in stray:
        raise PydanticCustomError(f"{kind}_format", "{message}", {
            "message": _(message).format(value=value), "fix": _(fix).format()})
    return value


def _filled(template: str, values: Mapping[str, str]) -> str:
    """A format checked by `_checked_format` with its placeholders filled in."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
CHECKED, UNCHECKED = "☑", "□"
"""The boxes of a check-box line: the chosen one ticked, the others empty, as printed forms tick them."""
CHOICE_FIELDS = ("project_category", "project_attribute")
"""The header fields a profile may give choices (`Choices`): they name one of a few kinds printed on the form."""


class Choices(_Settings):
    """The header fields whose value is one of a fixed list, printed as a check-box line that shows every
    choice (☑延续项目 □新增项目). Empty: the field is free text, printed as written."""

    project_category: tuple[Label, ...] = Field(default_factory=_reference("choices", "project_category"))
    """项目类别's choices, in the printed order."""
    project_attribute: tuple[Label, ...] = Field(default_factory=_reference("choices", "project_attribute"))
    """项目属性's choices, in the printed order."""

    def of(self, key: str) -> tuple[str, ...]:
        """The choices of a header field; empty for free text (or a field that cannot have any)."""
        return tuple(getattr(self, key)) if key in CHOICE_FIELDS else ()


class FundLine(_Settings):
    """A row of the funding table."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Its key in the front matter (``funds.total``)."""
    label: Label
    """Its label (年度资金总额)."""
    doc: str = ""
    """What goes there (the JSON Schema's description); default: the label."""
    depth: int = Field(default=1, ge=0, le=2)
    """Indentation on the sheet: 0 for the total row, 1 and 2 below it."""
    parts: tuple[str, ...] = ()
    """Keys of the rows this row is the sum of, column by column (an error otherwise)."""
    weight: Points | None = None
    """The row's own 分值, where the table scores each source: its 得分 is 分值 × its 执行率 (capped and rounded as
    the total's), and the rows' 分值 add up to the scheme's budget_weight. None: the row prints no 分值 or 得分."""


def _reference_labels() -> Labels:
    return _reference_section("labels")  # type: ignore[return-value]


def _reference_funds() -> tuple[FundLine, ...]:
    return tuple(FundLine.model_validate(line) for line in reference_data()["funds"])


FUNDS_LABEL_KEYS: dict[str, str] = {"source": "source", "initial": "initial", "budget": "budget",
                                    "executed": "executed", "weight": "funds_weight", "rate": "execution_rate",
                                    "score": "budget_score", "reason": "execution_reason"}
"""The `Labels` key of each funding column's header."""


_URL = re.compile(r"https?://[^\s\"<>]+")


class Source(_Settings):
    """Where a profile comes from: the province and the official template or published forms its table
    follows. Metadata for `formgen profiles`: it changes nothing on the form, and is not inherited."""

    title: str = ""
    """Its province, or 中央 for the central template (贵州, 四川…)."""
    document: str = ""
    """The official template it follows (财预〔2020〕10号), or the published forms it reproduces."""
    url: str = ""
    """Where that document or form is published (http or https); empty where none is known."""
    date: datetime.date | None = None
    """The document's date, as an ISO date (2020-02-25); none where it is not known."""
    notes: str = ""
    """What the profile chose where its source is silent, or anything else a reader should know."""

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not _URL.fullmatch(value):
            raise PydanticCustomError("url", "{message}", {
                "message": _("“{value}” is not a web address").format(value=value),
                "fix": _("write the address the document is published at, starting with https:// or http://, "
                         "or leave url out")})
        return value


class Profile(_Settings):
    """A profile file, resolved over its base. Every key has the reference profile's value as its default."""

    name: str = DEFAULT_PROFILE
    """The file's name without ``.toml``: set by the loader, not written in the file."""
    extends: str | None = None
    """The base profile whose keys this one takes where it writes none; None only for the reference."""
    title: str = Field(default_factory=lambda: reference_data()["title"])
    """What the profile is, in a few words (not inherited: default, the profile's name)."""
    description: str = ""
    source: Source = Field(default_factory=Source)
    money: MoneyFormat = Field(default_factory=MoneyFormat)
    labels: Labels = Field(default_factory=_reference_labels)
    layout: Layout = Field(default_factory=Layout)
    fields: Fields = Field(default_factory=Fields)
    funds: tuple[FundLine, ...] = Field(default_factory=_reference_funds)
    scheme: Scheme = Field(default_factory=Scheme)
    choices: Choices = Field(default_factory=Choices)

    def checkbox_line(self, key: str, value: str) -> str:
        """A header field's cell: with choices, every one of them with its box, the form's value ticked
        (☑延续项目 □新增项目, in `layout.choice_format`); without, the value as written."""
        choices = self.choices.of(key)
        if not choices:
            return value
        return " ".join(self.layout.choice(number, choice, choice == value)
                        for number, choice in enumerate(choices, start=1))

    def ticked_choice(self, key: str, line: str) -> str | None:
        """The choice a printed check-box line ticks (`checkbox_line` read back: ``1、部门预算项目 □ 2、县直专项 ☑``
        → 县直专项): the one choice whose ticked box the line holds, in `layout.choice_format`, white space
        aside; None where the line ticks none or several, or the field has no choices."""
        printed = "".join(line.split())
        ticked = [choice for number, choice in enumerate(self.choices.of(key), start=1)
                  if "".join(self.layout.choice(number, choice, True).split()) in printed]
        return ticked[0] if len(ticked) == 1 else None

    @property
    def split_target(self) -> bool:
        """Whether the target is three cells: 指标性质, 指标值, 度量单位."""
        return "nature" in self.layout.columns

    @property
    def total_row(self) -> FundLine:
        return self.funds[0]

    @property
    def fund_weights(self) -> dict[str, Decimal]:
        """The 分值 of the funding rows that carry their own, by row key (`score_form`'s `fund_weights`)."""
        return {line.key: line.weight for line in self.funds if line.weight is not None}


class ProfileError(ConfigError):
    """A profile file cannot be used; carries every finding."""


Problems = Iterator[tuple[tuple[str | int, ...], str, str]]


def profile_problems(profile: Profile) -> Problems:
    """(key, problem, fix) for everything a valid-looking profile gets wrong as a whole."""
    yield from _layout_problems(profile.layout)
    yield from _funds_problems(profile.funds)
    yield from _fund_weights_problems(profile)
    yield from _money_problems(profile.money)
    yield from _weights_problems(profile)
    yield from _choices_problems(profile.choices)
    yield from _variants_problems(profile)


def _variants_problems(profile: Profile) -> Problems:
    """A variant names a label of the form or one of its funding rows: any other key would be read by no one."""
    rows = {f"funds.{line.key}" for line in profile.funds}
    for key in profile.labels.variants:
        if key not in rows and (key == "variants" or key not in Labels.model_fields):
            yield (("labels", "variants", key), _("“{key}” is neither a label nor a funding row of the profile")
                   .format(key=key),
                   _("write a key of [labels] (such as department or budget), or “funds.” and a funding row's key "
                     "(one of {rows})").format(rows=", ".join(sorted(rows))))


def _choices_problems(choices: Choices) -> Problems:
    """A choice listed twice could be ticked twice on the printed line."""
    for key in CHOICE_FIELDS:
        listed = choices.of(key)
        for index, choice in enumerate(listed):
            if choice in listed[:index]:
                yield (("choices", key, index), _("“{choice}” is listed twice").format(choice=choice),
                       _("list each choice once"))


_SCORE_COLUMNS = ("weight", "score")


def _weights_problems(profile: Profile) -> Problems:
    """A scored table prints its 预算执行得分; an unscored one (``weights = "none"``) has no 分值 or 得分 to print."""
    layout = profile.layout
    if profile.scheme.scored:
        # A funding table gives budget execution no points where an indicator row scores it (宁夏).
        if "score" not in layout.funds_columns and profile.scheme.budget_weight:
            yield (("layout", "funds_columns"), _("lacks score"),
                   _('add score (预算执行得分), or set [scheme] weights = "none" for an unscored form, or score '
                     "budget execution by an indicator row (budget_weight = 0 and budget_indicator)"))
        return
    for key, columns in (("columns", layout.columns), ("funds_columns", layout.funds_columns)):
        for index, column in enumerate(columns):
            if column in _SCORE_COLUMNS:
                yield (("layout", key, index), _("“{column}” is a column of a scored table, and the scheme's weights "
                                                 'are "none"').format(column=column),
                       _("leave {column} out of layout.{key}: an unscored form has no 分值 or 得分").format(
                           column=column, key=key))


def _each_once_and_all_required(key: str, columns: tuple[str, ...], required: tuple[str, ...],
                                why: str) -> Problems:
    """A list of columns (`layout.<key>`) that names a column twice, or lacks one of `required`."""
    for index, column in enumerate(columns):
        if column in columns[:index]:
            yield (("layout", key, index), _("“{column}” is listed twice").format(column=column),
                   _("list each column once"))
    missing = [column for column in required if column not in columns]
    if missing:
        yield (("layout", key), _("lacks {columns}").format(columns=", ".join(missing)),
               _("add {columns}: {why} {required}").format(columns=", ".join(missing), why=_(why),
                                                          required=", ".join(required)))


def _layout_problems(layout: Layout) -> Problems:
    columns = layout.columns
    yield from _each_once_and_all_required("columns", columns, REQUIRED_COLUMNS, N_("scoring needs every one of"))
    if columns[:3] != ("level1", "level2", "name"):
        yield (("layout", "columns"), _("does not start with level1, level2, name"),
               _("put level1, level2 and name first: their cells span the rows of their group"))
    if ("nature" in columns) != ("unit" in columns):
        yield (("layout", "columns"), _("has only one of nature and unit"),
               _("list both nature (指标性质) and unit (度量单位) for a three-cell target, or neither"))
    if "weight" in columns and "score" in columns and columns.index("score") < columns.index("weight"):
        yield (("layout", "columns"), _("score does not follow weight"),
               _("put score right after weight, or anywhere after it: the 总分 row's label ends before 分值, and "
                 "it prints the points under 分值 and the total under 得分"))
    widths = layout.widths
    if widths and len(widths) != len(columns) + 1:
        yield (("layout", "widths"), _("has {widths} widths for {columns} columns").format(
            widths=len(widths), columns=len(columns) + 1),
               _("give {columns} widths (the side column first, then one per column), or none").format(
                   columns=len(columns) + 1))
    elif widths and sum(widths) != 100:
        yield (("layout", "widths"), _("adds up to {total}, not 100").format(total=sum(widths)),
               _("make the widths add up to 100 (percent of the sheet)"))
    funds = layout.funds_columns
    yield from _each_once_and_all_required("funds_columns", funds, REQUIRED_FUNDS_COLUMNS,
                                           N_("every funding table has"))
    if funds[:1] != ("source",):
        yield (("layout", "funds_columns"), _("does not start with source"),
               _("put source (资金来源) first: it holds each row's label"))
    spans = layout.funds_spans
    labels = _reference_labels()  # a layout is checked before its profile's labels are known
    names = "、".join(caption(getattr(labels, FUNDS_LABEL_KEYS[column])) for column in funds)
    if spans and (len(spans) != len(funds) or sum(spans) != len(columns)):
        yield (("layout", "funds_spans"), _("has {spans} spans adding up to {total}").format(
            spans=len(spans), total=sum(spans)),
               _("give {spans} spans ({names}) adding up to the {columns} columns, or none").format(
                   spans=len(funds), names=names, columns=len(columns)))
    elif not spans and len(columns) < len(funds) + 1:
        yield (("layout", "columns"), _("has {columns} columns, too few for the funding table's").format(
            columns=len(columns)), _("list at least {columns}, or give funds_spans").format(columns=len(funds) + 1))


def _money_problems(money: MoneyFormat) -> Problems:
    fen = _FEN_DECIMALS[money.unit]
    if money.decimals > fen:
        yield (("money", "decimals"), _("{decimals} decimals of {unit} are finer than the fen").format(
            decimals=money.decimals, unit=money.unit),
               _("write decimals = {fen} or fewer: formgen's money is exact to the fen (分)").format(fen=fen))


def _funds_problems(funds: tuple[FundLine, ...]) -> Problems:
    if not funds:
        yield (("funds",), _("has no rows"),
               _("add the rows of the funding table, the total row (key = \"total\") first"))
        return
    keys = [line.key for line in funds]
    if funds[0].key != "total":
        yield (("funds", 0, "key"), _("the first row is “{key}”, not total").format(key=funds[0].key),
               _("make the first [[funds]] the total row (key = \"total\"): its A and B give the execution rate"))
    for index, line in enumerate(funds):
        if line.key in keys[:index]:
            yield (("funds", index, "key"), _("“{key}” is the key of an earlier row").format(key=line.key),
                   _("give every row its own key"))
        if (line.depth == 0) != (index == 0):
            message = (_("depth {depth} on the first row") if index == 0 else _("depth {depth} on a lower row"))
            yield (("funds", index, "depth"), message.format(depth=line.depth),
                   _("depth = 0 is the total row's, the first; the rows below it have 1 or 2"))
        for part in line.parts:
            if part == line.key or part not in keys:
                yield (("funds", index, "parts"), _("“{part}” is not the key of another row").format(part=part),
                       _("name other rows: {keys}").format(keys=", ".join(key for key in keys if key != line.key)))
    sums = {line.key: set(line.parts) for line in funds}
    for index, line in enumerate(funds):
        seen, todo = set(), list(line.parts)
        while todo:
            part = todo.pop()
            if part not in seen:
                seen.add(part)
                todo += sums.get(part, ())
        if line.key in seen:
            yield (("funds", index, "parts"), _("“{key}” is a part of itself (through {parts})").format(
                key=line.key, parts=", ".join(line.parts)), _("a row is the sum of rows below it: remove the loop"))


def _fund_weights_problems(profile: Profile) -> Problems:
    """Funding rows with their own 分值 share the budget weight: below the total row, adding up to it, in a
    scored table that prints 得分."""
    weighted = [(index, line) for index, line in enumerate(profile.funds) if line.weight is not None]
    if not weighted:
        return
    scheme = profile.scheme
    if not scheme.scored:
        index = weighted[0][0]
        yield (("funds", index, "weight"), _('is a 分值, and the scheme\'s weights are "none"'),
               _("remove weight: an unscored form has no 分值 or 得分"))
        return
    if weighted[0][0] == 0:
        yield (("funds", 0, "weight"), _("is set on the total row"),
               _("its 分值 is [scheme] budget_weight: give weight to the rows below it, or to none"))
    total = sum((line.weight for index, line in weighted if index and line.weight is not None), Decimal(0))
    if weighted[-1][0] and total != scheme.budget_weight:
        index = next(index for index, _line in weighted if index)
        yield (("funds", index, "weight"),
               _("the rows' 分值 add up to {total}, not budget_weight {weight}").format(
                   total=plain(total), weight=plain(scheme.budget_weight)),
               _("make the [[funds]] weights add up to {weight}, or change [scheme] budget_weight").format(
                   weight=plain(scheme.budget_weight)))
    if "score" not in profile.layout.funds_columns:
        yield (("funds", weighted[0][0], "weight"), _("has no 得分 column to print its score in"),
               _("add score to [layout] funds_columns, or remove weight"))


_NOT_INHERITED = ("title", "description", "source")
"""Keys that describe a profile file, not its form: a profile never takes them from its base."""
_NOT_COMPARED = frozenset({"name", "extends", *_NOT_INHERITED})
"""Keys that are no difference between a profile and its base: they name or describe the file."""
_UNWRITTEN = object()


@dataclass(frozen=True)
class _File:
    """A profile file as read: its name, its path as findings show it, its text and its TOML data."""

    name: str
    shown: str
    text: str
    data: dict[str, Any]

    def finding(self, loc: tuple[str | int, ...], message: str, fix: str, code: str = "profile-invalid") -> Finding:
        return Finding(self.shown, toml_line(self.text, loc), Level.ERROR, code, ".".join(map(str, loc)), "表样",
                       message, fix)

    def writes(self, loc: tuple[str | int, ...]) -> bool:
        """Whether the file itself writes the key at `loc` (else it comes from its base)."""
        value: Any = self.data
        for part in loc:
            in_list = isinstance(part, int) and isinstance(value, list) and part < len(value)
            if not in_list and not (isinstance(value, dict) and part in value):
                return False
            value = value[part]
        return True


class _Resolved(NamedTuple):
    profile: Profile
    data: dict[str, Any]
    """Its keys as its file and its bases write them, merged: what a profile extending it starts from."""


def _read(text: str, shown: str, name: str) -> _File:
    """A profile file's TOML. Raises ProfileError for a syntax error: nothing else of the file can be read."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or 1
        raise ProfileError([Finding(shown, line, Level.ERROR, "profile-syntax", "", "",
                                    _("not valid TOML: {error}").format(error=error),
                                    _("fix the syntax (https://toml.io)"))]) from None
    return _File(name, shown, text, data)


def _merged(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """`own` over `base`, table by table and key by key. Any other value replaces the base's whole, lists
    too: a profile that lists columns or funding rows lists all of them, in its own order."""
    merged = dict(base)
    for key, value in own.items():
        below = merged.get(key)
        merged[key] = _merged(below, value) if isinstance(value, dict) and isinstance(below, dict) else value
    return merged


def _drop_stale_sizes(data: dict[str, Any], own_layout: object) -> None:
    """Widths and spans belong to the columns they size: a profile that lists its own columns without their
    widths (or its funding columns without their spans) takes the defaults, not its base's numbers, which
    would size other columns, or fail to add up, with nothing in the file to say why."""
    if not isinstance(own_layout, dict) or not isinstance(data.get("layout"), dict):
        return
    layout = data["layout"] = dict(data["layout"])
    if "columns" in own_layout and "widths" not in own_layout:
        layout["widths"] = []
    if ("columns" in own_layout or "funds_columns" in own_layout) and "funds_spans" not in own_layout:
        layout["funds_spans"] = []


def _validated(file: _File, base: _Resolved | None) -> _Resolved:
    """One file over its resolved base. Raises ProfileError listing every problem of the file."""
    inherited = {key: value for key, value in base.data.items() if key not in _NOT_INHERITED} if base else {}
    data = _merged(inherited, {key: value for key, value in file.data.items() if key not in ("name", "extends")})
    _drop_stale_sizes(data, file.data.get("layout"))
    base_name = base.profile.name if base else None
    findings: list[Finding] = []
    if not PROFILE_NAME.fullmatch(file.name):  # not match(): "$" would accept a name ending in a line end
        findings.append(Finding(file.shown, 1, Level.ERROR, "profile-invalid", "", "",
                                _("“{name}” cannot name a profile").format(name=file.name),
                                _("name the file in lowercase letters, digits and hyphens, e.g. my-province.toml")))
    if "name" in file.data:
        findings.append(file.finding(("name",), _("is not written in the file"),
                                     _("remove it: the profile's name is its file's ({name})").format(name=file.name)))

    def whole(loc: tuple[str | int, ...], message: str, fix: str) -> Finding:
        # A problem of the combination: say where a value the file does not write comes from.
        inherited_value = base_name is not None and not file.writes(loc)
        return file.finding(loc, _("{message} (the value of its base “{base}”)").format(message=message, base=base_name)
                            if inherited_value else message, fix)

    try:
        profile = Profile.model_validate({"title": file.name, **data, "name": file.name, "extends": base_name})
    except ValidationError as error:
        findings += settings_findings(error, file.shown, file.text, Profile, "profile-invalid", "表样",
                                      _("`formgen profiles` lists the profiles and what each changes in its base"))
        findings += [whole(loc, message, fix) for loc, message, fix in _section_problems(data)]
    else:
        findings += [whole(loc, message, fix) for loc, message, fix in profile_problems(profile)]
    if findings:
        raise ProfileError(sorted(findings))
    return _Resolved(profile, data)


def _resolve(files: Mapping[str, _File], outside: Mapping[str, _Resolved]) -> tuple[dict[str, _Resolved],
                                                                                     list[Finding]]:
    """Every file over its base, and the problems of those that cannot be used. A base is another of
    `files`, else one of `outside` (the shipped profiles, for a site's files): so a site's central.toml may
    extend the shipped central and take its place. A file that names no base extends the reference;
    the reference itself, shipped, has none."""
    resolver = _Resolver(files, outside)
    for name in sorted(files):
        resolver.resolve(name, ())
    return {name: item for name in sorted(files) if (item := resolver.done[name]) is not None}, resolver.findings


class _Resolver:
    """The work of `_resolve`: each file resolved once (`done`; None where it cannot be used), the problems
    found on the way (`findings`)."""

    def __init__(self, files: Mapping[str, _File], outside: Mapping[str, _Resolved]) -> None:
        self.files, self.outside = files, outside
        self.done: dict[str, _Resolved | None] = {}
        self.findings: list[Finding] = []
        self.choices = sorted({*files, *outside})

    def fail(self, file: _File, message: str, fix: str, code: str) -> None:
        self.findings.append(file.finding(("extends",), message, fix, code))
        self.done[file.name] = None

    def resolve(self, name: str, chain: tuple[str, ...]) -> _Resolved | None:
        """The file `name` over its base; `chain`, the files whose base it is being resolved for."""
        if name in self.done:
            return self.done[name]
        file = self.files[name]
        usable, base = self._base(file, chain)
        if not usable:  # the file's or its base's findings say why
            self.done[name] = None
            return None
        try:
            self.done[name] = _validated(file, base)
        except ProfileError as error:
            self.findings.extend(error.findings)
            self.done[name] = None
        return self.done[name]

    def _base(self, file: _File, chain: tuple[str, ...]) -> tuple[bool, _Resolved | None]:
        """Whether `file`'s base can be used, and that base resolved (None: the reference, which has none)."""
        name = file.name
        wanted = file.data.get("extends", _UNWRITTEN)
        the_reference = name == DEFAULT_PROFILE and not self.outside
        if wanted is _UNWRITTEN:
            if the_reference:
                return True, None
            wanted = DEFAULT_PROFILE
        elif the_reference:
            self.fail(file, _("the reference profile has no base"), _("remove extends: every other profile extends "
                                                                       "the reference, which writes every key"),
                      "profile-invalid")
            return False, None
        others = ", ".join(choice for choice in self.choices if choice != name)
        if not isinstance(wanted, str):
            self.fail(file, _("is not the name of a profile"), _('write the base\'s name in quotes, e.g. extends = '
                                                                 '"{default}": one of {others}').format(
                default=DEFAULT_PROFILE, others=others), "profile-invalid")
            return False, None
        if wanted != name and wanted in self.files:
            if wanted in chain:
                self._circle((*chain[chain.index(wanted):], name))
                return False, None
            base = self.resolve(wanted, (*chain, name))
            return base is not None, base
        if wanted in self.outside:
            return True, self.outside[wanted]
        if wanted == name:
            self.fail(file, _("“{name}” names this profile itself").format(name=name),
                      _("name the profile it changes as its base: one of {others}").format(others=others),
                      "profile-base-cycle")
        else:
            self._unknown(file, wanted, others)
        return False, None

    def _circle(self, circle: tuple[str, ...]) -> None:
        """Every profile of a circle of bases gets the finding, each with the circle as seen from it."""
        for index, member in enumerate(circle):
            path = " → ".join((*circle[index:], *circle[:index], member))
            self.fail(self.files[member], _("the bases go round in a circle: {path}").format(path=path),
                      _("make one of {names} extend another profile, such as {default}").format(
                          names=", ".join(circle), default=DEFAULT_PROFILE), "profile-base-cycle")

    def _unknown(self, file: _File, wanted: str, others: str) -> None:
        close = difflib.get_close_matches(wanted, self.choices, n=1, cutoff=0.6)
        hint = _("did you mean “{close}”? ").format(close=close[0]) if close else ""
        site = (_(", or add {file} beside formgen.toml").format(file=f"{PROFILES_FOLDER}/{wanted}.toml")
                if self.outside else "")
        self.fail(file, _("“{name}” is not a profile").format(name=wanted),
                  _("{hint}name one of {others}{site}").format(hint=hint, others=others, site=site),
                  "profile-base-unknown")


def parse_profile(text: str, shown: str, name: str) -> Profile:
    """A profile from the text of its file, over its base among the shipped profiles. Raises ProfileError
    listing every problem."""
    resolved, findings = _resolve({name: _read(text, shown, name)}, _shipped())
    if findings:
        raise ProfileError(sorted(findings))
    return resolved[name].profile


def _section_problems(data: dict[str, Any]) -> Problems:
    """The whole-profile problems of the sections that are valid on their own, when another is not: so
    that one run names every problem of the file."""
    sections: tuple[tuple[str, Any, Any], ...] = (
        ("layout", Layout, _layout_problems), ("money", MoneyFormat, _money_problems))
    for key, model, problems in sections:
        try:
            section = model.model_validate(data.get(key, {}))
        except ValidationError:
            continue
        yield from problems(section)
    try:
        funds = Profile.model_validate({"funds": data["funds"]}).funds if "funds" in data else _reference_funds()
    except ValidationError:
        return
    yield from _funds_problems(funds)


@functools.cache
def _shipped() -> dict[str, _Resolved]:
    folder = importlib.resources.files("generator.profiles")
    files: dict[str, _File] = {}
    findings: list[Finding] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            try:
                files[name] = _read(entry.read_text(encoding="utf-8"), f"generator/profiles/{entry.name}", name)
            except ProfileError as error:
                findings += error.findings
    resolved, problems = _resolve(files, {})
    if findings or problems:
        raise ProfileError(sorted(findings + problems))
    return resolved


@functools.cache
def shipped_profiles() -> dict[str, Profile]:
    """The profiles that come with formgen, by name, each resolved over its base."""
    return {name: item.profile for name, item in _shipped().items()}


def local_profiles(folder: Path) -> dict[str, Profile]:
    """A site's own profiles (``profiles/*.toml``), by name, each resolved over its base (another of the
    site's, or a shipped one). Raises ProfileError listing the problems of every file at once."""
    files: dict[str, _File] = {}
    findings: list[Finding] = []
    if not folder.is_dir():
        return {}
    for path in sorted(folder.glob("*.toml")):
        shown = display_path(path)
        try:
            text = read_bytes(path, folder.parent).decode("utf-8-sig")  # inside the site, regular, bounded
            files[path.stem] = _read(text, shown, path.stem)
        except ReadError as error:
            findings.append(error.at(shown))
        except (OSError, UnicodeDecodeError) as error:
            findings.append(Finding(shown, 1, Level.ERROR, "profile-syntax", "", "",
                                    _("cannot read the profile: {error}").format(error=error),
                                    _("save it as UTF-8 text")))
        except ProfileError as error:
            findings += error.findings
    resolved, problems = _resolve(files, _shipped())
    if findings or problems:
        raise ProfileError(sorted(findings + problems))
    return {name: item.profile for name, item in resolved.items()}


def base_of(profile: Profile, site: Mapping[str, Profile]) -> Profile | None:
    """The profile `profile` extends, found as the loader found it: for one of the site's own (`site`),
    another of the site's of that name, else the shipped one; for a shipped profile, a shipped one.
    None for the reference."""
    if profile.extends is None:
        return None
    if site.get(profile.name) is profile and profile.extends != profile.name and profile.extends in site:
        return site[profile.extends]
    return shipped_profiles().get(profile.extends)


def differences(profile: Profile, base: Profile | None) -> list[str]:
    """The keys whose value differs from the base's, as dotted paths (``labels.reason``, ``layout.columns``,
    ``funds``); a table all of whose keys differ is named alone (``money``). Empty for the reference."""
    if base is None:
        return []
    return _changed(profile.model_dump(exclude=set(_NOT_COMPARED)), base.model_dump(exclude=set(_NOT_COMPARED)))


def _changed(ours: dict[str, Any], theirs: dict[str, Any], table: str = "") -> list[str]:
    keys = [key for key, value in ours.items() if value != theirs.get(key)]
    if table and len(ours) > 1 and len(keys) == len(ours):
        return [table]
    found: list[str] = []
    for key in keys:
        path = f"{table}.{key}" if table else key
        if isinstance(ours[key], dict) and isinstance(theirs.get(key), dict):
            found += _changed(ours[key], theirs[key], path)
        else:
            found.append(path)
    return found


# --- the form's model, from the profile --------------------------------------------------------------

def _field(model: type[BaseModel], name: str, **changes: Any) -> tuple[Any, FieldInfo]:
    """A field of the reference model with a new title, description or default; its validation kept."""
    info = model.model_fields[name]
    return info.annotation, FieldInfo.merge_field_infos(info, **changes)


_NATURE_DOC = ("The target's nature (指标性质): ``≥`` or ``>`` (正向: more is better), ``≤`` or ``<`` (反向), ``＝``, "
               "or ``定性`` (qualitative: judged by achievement level).")
_SPLIT_TARGET_DOC = ("The target's value (指标值), without operator or unit: a number (``5000``, ``95``), a date "
                     "(``2024年12月31日``), or for a 定性 indicator a level (``优``, ``得到保障``).")
_UNIT_DOC = "The unit of measurement (度量单位): ``平方米``, ``%``, ``万元``; empty for a 定性 indicator."
_SPLIT_ACTUAL_DOC = ("What was achieved: a number in the 度量单位 (``6339``; the unit may be repeated, ``6339件``), "
                     "a date, or an achievement level: ``达成预期指标``, ``部分达成预期指标并具有一定效果`` or "
                     "``未达成预期指标且效果较差``.")


class _Unscored:
    """A row of an unscored form (``weights = "none"``): it writes no 分值 or 得分. Scoring still compares its
    target and actual (missed targets, unit mismatches are reported), so it reads the row as worth a notional
    100 points: its computed score is then the completion in percent, which nothing prints."""

    @property
    def weight(self) -> Decimal:
        return NOTIONAL_WEIGHT

    @property
    def score(self) -> None:
        return None


NOTIONAL_WEIGHT = Decimal(100)


class UnscoredIndicator(_Unscored, IndicatorFigures):
    """A one-cell-target row of an unscored form."""


class UnscoredSplitIndicator(_Unscored, SplitIndicatorFigures):
    """A three-cell-target row of an unscored form."""


class _Made(BaseModel):
    """Mixed into every model made from a profile. Their fields are described by the Field()s they are given
    and by their bases' docstrings, read when the bases were defined; reading a made class's docstrings
    again finds no source, and cost pydantic about 50 ms a run searching every loaded module for one."""

    model_config = ConfigDict(use_attribute_docstrings=False)


def _made(name: str, base: type[M], /, **definitions: Any) -> type[M]:
    """A model made from a profile over `base`, with the fields, __doc__, __validators__ and __cls_kwargs__
    given (pydantic's create_model)."""
    bases: tuple[type[M], ...] = (base, cast(type[M], _Made))  # _Made only configures: the model is an M
    made: type[M] = create_model(name, __base__=bases, **definitions)
    return made


def _indicator_model(profile: Profile) -> type[BaseModel]:
    labels, scheme = profile.labels, profile.scheme
    split = profile.split_target
    names = ", ".join(level1.name for level1 in scheme.level1)
    weights = ", ".join(f"{level1.name} {plain(level1.weight)}" for level1 in scheme.level1)
    fields: dict[str, Any] = {}
    judged = frozenset(level1.name for level1 in scheme.level1 if level1.judged)
    placeholder = (" Left out, with every other figure, in an empty template row (指标2:), printed empty and not "
                   "scored.") if profile.layout.placeholder_rows else ""
    # A table without 分值 or 得分 still scores: each row writes its weight and score, printed nowhere on the
    # sheet but carried by the feed, the CSV and the totals (docs/profiles.md). They come last in the model.
    columns = profile.layout.columns
    # An unscored form (weights = "none") has neither key: each row compares its target and actual only.
    unprinted_keys = [key for key in _SCORE_COLUMNS if key not in columns and scheme.scored]
    for column in (*columns, *unprinted_keys):
        title = getattr(labels, column)
        if column == "nature":
            fields[column] = (NatureText, Field(title=title, description=_NATURE_DOC))
        elif column == "unit":
            fields[column] = (Text, Field(default="", title=title, description=_UNIT_DOC))
        elif column == "target" and split:
            fields[column] = (BareFigureText, Field(title=title, description=_SPLIT_TARGET_DOC))
        elif column == "actual" and split:
            fields[column] = _field(Indicator, column, title=title, description=_SPLIT_ACTUAL_DOC)
        elif column == "level1":
            fields[column] = _field(Indicator, column, title=title,
                                    description=f"First-level indicator: one of the scheme's ({names}).")
        elif column == "weight":
            unprinted = "" if column in columns else " Not printed: the table has no such column."
            fields[column] = _field(Indicator, column, title=title, description=(
                f"The row's points. The rows of each 一级指标 add up to its weight ({weights})"
                f"{_level2_doc(scheme)}.{unprinted}{placeholder}"))
        elif column in ("target", "actual") and judged:
            fields[column] = _field(Indicator, column, title=title, description=(
                f"{Indicator.model_fields[column].description} Under {'、'.join(sorted(judged))} (scored by "
                "judgement): any text, or nothing (“—”)."))
        else:
            fields[column] = _field(Indicator, column, title=title)
    if scheme.scored:
        base: type[IndicatorFigures] = SplitIndicatorFigures if split else IndicatorFigures
    else:
        base = UnscoredSplitIndicator if split else UnscoredIndicator
    validators: dict[str, Any] = {}
    if judged:
        validators["_judged_cells"] = field_validator("target", "actual", mode="wrap")(_judged_cells(judged))
    if profile.layout.placeholder_rows:
        validators["_placeholder"] = model_validator(mode="wrap")(_placeholder)
    extra = {"json_schema_extra": functools.partial(_row_schema, judged, profile.layout.placeholder_rows)} \
        if judged or profile.layout.placeholder_rows else {}
    return _made("Indicator", base, __doc__=f"One row of the {labels.indicators} table.",
                        __validators__=validators, __cls_kwargs__=extra, **fields)


def _row_schema(judged: frozenset[str], placeholders: bool, schema: dict[str, Any]) -> None:
    """The JSON Schema of a row as the validators read it: under a judged 一级指标, 指标值 and 实际值 any text; with
    empty template rows, a row that names its 一级 and 二级指标 and writes no figure (`PLACEHOLDER_FIGURES`)."""
    properties = schema["properties"]
    if judged:
        strict = {key: properties[key] for key in ("target", "actual")}
        free = {key: {"type": "string", "maxLength": MAX_TEXT_CHARS} for key in strict}
        for key in strict:
            properties[key] = {name: properties[key][name] for name in ("title", "description")
                               if name in properties[key]}
        schema["allOf"] = [{"if": {"properties": {"level1": {"enum": sorted(judged)}}, "required": ["level1"]},
                            "then": {"properties": free}, "else": {"properties": strict}}]
    if placeholders:
        figures = [key for key in PLACEHOLDER_FIGURES if key in properties]
        schema["anyOf"] = [{"required": schema.pop("required", [])},
                           {"required": ["level1", "level2"],
                            "not": {"anyOf": [{"required": [key]} for key in figures]}}]


def _level2_doc(scheme: Scheme) -> str:
    """The 二级指标 with points of their own, as the weight's description names them (`Level1.level2_weights`)."""
    named = [f"{level1.name} {level2} {plain(points)}" for level1 in scheme.level1
             for level2, points in level1.level2_weights]
    return f", and those of each of these 二级指标 its points ({', '.join(named)})" if named else ""


def _judged_cells(judged: frozenset[str]) -> Callable[..., Any]:
    """The validator of 指标值 and 实际值 in a profile with judged 一级指标: under one of `judged` they are free
    text, and may be empty (宁夏 prints “—”, or nothing, and a finding); elsewhere a figure, as always."""
    def validate(cls: type[BaseModel], value: object, handler: ValidatorFunctionWrapHandler,
                 info: ValidationInfo) -> object:
        if info.data.get("level1") in judged:
            return _text(value)
        return handler(value)

    return validate


def _placeholder(cls: type[IndicatorFigures], data: object, handler: ModelWrapValidatorHandler[IndicatorFigures]
                 ) -> IndicatorFigures:
    """A profile that keeps empty template rows reads one as such (`model.placeholder_row`), any other as a row."""
    return placeholder_row(cls, data) or handler(data)


def _funds_model(profile: Profile, funds_title: str) -> type[BaseModel]:
    labels, money = profile.labels, profile.money
    amount = money_type(money.decimals, money.unit)
    figures: dict[str, Any] = {
        **({"initial": (amount, Field(title=labels.initial,
                                      description="The budget approved at the start of the year."))}
           if "initial" in profile.layout.funds_columns else {}),  # a table without 年初预算数 has no such key
        "budget": (amount, Field(title=labels.budget, description=(
            "The budget for the whole year after adjustments: A, the base of the execution rate."))),
        "executed": (amount, Field(title=labels.executed, description="What was actually spent in the year: B. "
                                                                      "Never more than A."))}
    row = _made("FundRow", _Strict, __doc__=f"One row of the {funds_title} block.", **figures)
    below = row
    if "reason" in profile.layout.funds_columns:
        # A reason column: each row below the total writes its own; the total row's is the form's
        # execution_reason, which the checks already ask for when the 执行率 falls short.
        below = _made("FundRow", _Strict, __doc__=f"One row of the {funds_title} block.", **figures,
                            reason=(Text, Field(default="", title=labels.execution_reason, description=(
                                "Why this row's execution rate falls short, as its reason cell prints it."))))
    by_key = {line.key: line for line in profile.funds}
    sums = "; ".join(f"{line.label} = {' + '.join(by_key[part].label for part in line.parts)}"
                     for line in profile.funds if line.parts)
    rows: dict[str, Any] = {
        line.key: (row if index == 0 else below, Field(title=line.label, description=line.doc or f"{line.label}."))
        for index, line in enumerate(profile.funds)}
    return _made(
        "Funds", _Strict, __doc__=f"{funds_title}: the funding rows." + (f" {sums}." if sums else ""), **rows)


def per_profile(build: Callable[[Profile], T]) -> Callable[[Profile], T]:
    """`build` computed once per profile: by the profile object first (configs keep theirs, and hashing a
    profile costs more than a form's other lookups together), then by value (equal profiles share it).
    The objects are kept, so that their ids are not reused; there are a handful per run."""
    by_value = functools.lru_cache(maxsize=64)(build)
    by_identity: dict[int, tuple[Profile, T]] = {}

    @functools.wraps(build)
    def cached(profile: Profile) -> T:
        known = by_identity.get(id(profile))
        if known is not None and known[0] is profile:
            return known[1]
        made = by_value(profile)
        if len(by_identity) < 256:
            by_identity[id(profile)] = (profile, made)
        return made

    return cached


def _stated_model(profile: Profile) -> type[BaseModel]:
    """``stated:``, the figures printed on a published form, named by the profile's labels (its 执行率, its
    total row's score, its 一级指标 and grades in the examples)."""
    labels, scheme = profile.labels, profile.scheme
    subtotals = ", ".join(f"{level1.name}: {plain(level1.weight)}" for level1 in scheme.level1[:2])
    grades = [grade.name for grade in scheme.grades]
    grade_names = f"{', '.join(grades[:-1])} or {grades[-1]}" if len(grades) > 1 else "".join(grades)
    return _made(
        "Stated", Stated, __doc__=Stated.__doc__,
        execution_rate=_field(Stated, "execution_rate", title=labels.execution_rate),
        budget_score=_field(Stated, "budget_score", title=labels.execution_score,
                            description=f"The printed score of the {profile.total_row.label} row (``7.09``)."),
        subtotals=_field(Stated, "subtotals", title=labels.subtotal, description=(
            f"The printed {labels.subtotal} of each {caption(labels.level1)}, by its name "
            f"(``{{{subtotals}}}``), where the form prints them.")),
        funds=_field(Stated, "funds", title=labels.funds),
        total=_field(Stated, "total", title=caption(labels.total)),
        grade=_field(Stated, "grade", title=labels.grade, description=f"The printed grade: {grade_names}."))


@per_profile
def form_model(profile: Profile) -> type[Form]:
    """The model of a form of this profile: its keys, labels, validation and JSON Schema.

    For the reference profile it is `model.Form` field for field (a test holds them to it); only the
    ``profile`` key differs, which names the profile in the JSON Schema."""
    labels, money, scheme = profile.labels, profile.money, profile.scheme
    funds_title = f"{labels.funds}（{money.unit}）"
    coded = profile.layout.department_code
    department = _made(
        "Department", _Strict,
        __doc__=(f"{labels.department}: printed as ``[120]平塘县人民法院``." if coded
                 else f"{labels.department}: printed as the name alone."),
        code=_field(Department, "code", title=labels.department_code, **({} if coded else {"default": ""})),
        name=_field(Department, "name", title=labels.department_name))
    goals = _made(
        "Goals", _Strict, __doc__=f"{labels.goals}: the year's overall goal, as planned and as achieved.",
        expected=_field(Goals, "expected", title=labels.expected),
        actual=_field(Goals, "actual", title=labels.achieved))
    indicator = _indicator_model(profile)
    named = Annotated[Text, WithJsonSchema({"type": "string", "enum": [profile.name]})]
    header = _header_fields(profile)
    extra = {key: header.pop(key) for key in (*profile.fields.extra, *profile.fields.footer)}
    keys: dict[str, Any] = {
        "year": _field(Form, "year", title=labels.year),
        "filled_on": _field(Form, "filled_on", title=labels.filled_on, description=_filled_on_doc(profile) + "."),
        "title": _field(Form, "title", title=labels.title),
        "department": (department, FieldInfo.merge_field_infos(Form.model_fields["department"],
                                                               title=labels.department)),
        "implementer": _field(Form, "implementer", title=labels.implementer),
        **extra,  # near the fields they are printed with: 实施单位 for the header rows
        "funds": (_funds_model(profile, funds_title), FieldInfo.merge_field_infos(
            Form.model_fields["funds"], title=funds_title, description=f"The funding table, in {money.unit}.")),
        "budget_weight": _field(Form, "budget_weight", title=labels.budget_weight, description=(
            f"The 分值 of the {profile.total_row.label} row. Leave it out to use the scheme's "
            f"({plain(scheme.budget_weight)}); if written, it must match.")),
        "execution_reason": _field(Form, "execution_reason", title=labels.execution_reason),
        "goals": (goals, FieldInfo.merge_field_infos(Form.model_fields["goals"], title=labels.goals)),
        "indicators": (list[indicator],  # type: ignore[valid-type]
                       FieldInfo.merge_field_infos(Form.model_fields["indicators"], title=labels.indicators)),
        "stated": (stated := _stated_model(profile), FieldInfo.merge_field_infos(
            Form.model_fields["stated"], default_factory=stated)),
        "contact": _field(Form, "contact", title=labels.contact),
        "profile": (named, FieldInfo.merge_field_infos(Form.model_fields["profile"])),
    }
    model: type[Form] = _made(
        "Form", Form,
        __doc__=(f"{labels.form_title}: the front matter of one form file. The Markdown body is the "
                 f"{labels.conclusion}."),
        **{**keys, **header})
    absent = [key for key in ("filled_on", "contact") if not profile.fields.present(key)]
    if not scheme.scored:  # an unscored form has no 分值 for its budget row either
        absent.append("budget_weight")
    # pydantic puts the fields new to `Form` after its own: put the extra header and footer fields back after
    # 实施单位, as `keys` orders them, so that the JSON Schema, the field reference and `formgen new`'s
    # skeleton list them near the fields they are printed with.
    order = [key for key in model.model_fields if key not in extra]
    order[order.index("implementer") + 1:order.index("implementer") + 1] = list(extra)
    if absent or order != list(model.model_fields):
        # A field the profile's form does not have is not a key of its model: written in a form it is an
        # unknown key, and the JSON Schema, `formgen new` and the sheet leave it out.
        fields = dict(model.model_fields)
        model.model_fields.clear()
        model.model_fields.update({key: fields[key] for key in order if key not in absent})
        model.model_rebuild(force=True)
    return model


_EXTRA_DOCS = {
    "unit_name": "The unit that fills in the form (单位名称), where the form prints it apart from the seal.",
    "project_lead": "The person responsible for the project (项目负责人).",
    "project_category": "The project's category (项目类别), as the budget names it.",
    "project_attribute": "The project's attribute (项目属性): ``新增项目`` or ``延续项目``.",
    "report_number": "The form's report number (报表编号), printed on a line above the title: ``510000_0013zp``.",
    "finance_lead": "The person responsible for the finances (财务负责人), printed beside 项目负责人 under the table.",
    "project_type": "The project's type (项目类型), as the budget names it.",
    "project_overview": "What the project did and how (项目实施内容及过程概述): a row of text under the goals.",
    "problems": "The problems found (存在问题): a cell of its own under the conclusion.",
    "improvements": "The measures to improve (改进措施): a cell of its own under the conclusion.",
    "review_score": ("The score the finance bureau gave on review (财政审核评分), as printed under the 总分; "
                     "formgen does not compute it."),
}


def _filled_on_doc(profile: Profile) -> str:
    """填报日期's description, with the date as the profile's sheet prints it (``20250123``, ``2025年1月23日``)."""
    return (f"The date the form was filled in: ``2025-01-23`` (printed "
            f"``{profile.layout.date(datetime.date(2025, 1, 23))}``)")


def _header_fields(profile: Profile) -> dict[str, Any]:
    """The profile's choices for 填报日期 and 联系人 (required as in `model.Form`, or optional), and the extra
    header fields it has: an optional one may be left out, and the sheet prints an empty cell."""
    labels, fields = profile.labels, profile.fields
    made: dict[str, Any] = {}
    if fields.filled_on == "optional":
        # Fresh fields, not the reference's changed: its FieldInfo carries the required types' validators.
        made["filled_on"] = (OptionalFormDate, Field(default=None, title=labels.filled_on, description=(
            f"{_filled_on_doc(profile)}; may be left out.")))
    if fields.contact == "optional":
        made["contact"] = (Text, Field(default="", title=labels.contact,
                                       description="The contact person; may be left out."))
    for key in (*fields.extra, *fields.footer):
        title, doc, required = getattr(labels, key), _EXTRA_DOCS[key], getattr(fields, key) == "required"
        if key == "review_score":  # a score, Decimal like every other
            made[key] = ((Score, Field(title=title, description=doc)) if required
                         else (OptionalScore, Field(default=None, title=title, description=doc)))
        elif choices := profile.choices.of(key):
            made[key] = _choice_field(title, choices, required)
        else:
            made[key] = ((RequiredText, Field(title=title, description=doc)) if required
                         else (Text, Field(default="", title=title, description=doc)))
    return made


def _choice_field(title: str, choices: tuple[str, ...], required: bool) -> tuple[Any, Any]:
    """A header field that names one of `choices` (an optional one may be left empty): the JSON Schema lists
    them, and any other value is an error naming them, with the closest as a hint."""
    allowed = choices if required else ("", *choices)

    def one_of(value: str) -> str:
        if value in allowed:
            return value
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
        listed = "、".join(choices)
        raise PydanticCustomError("choice", "{message}", {
            "message": _("is “{value}”, not one of the choices the form prints ({listed})").format(
                value=value, listed=listed),
            "fix": (_("did you mean “{close}”? ").format(close=close[0]) if close else "")
                   + _("write one of {listed} as printed, or list it in the profile's [choices] (`formgen profiles` "
                       "lists the profiles)").format(listed=listed)})

    kind: Any = Annotated[RequiredText, AfterValidator(one_of)] if required else Annotated[Text, AfterValidator(one_of)]
    described = (f"One of {'、'.join(choices)}, as the form prints them; the sheet prints every choice with a "
                 "box, the chosen one ticked (☑).")
    enum: dict[str, Any] = {"enum": list(allowed)}
    field: Any = (Field(title=title, description=described, json_schema_extra=enum) if required
                  else Field(default="", title=title, description=described + " May be left out.",
                             json_schema_extra=enum))
    return kind, field

