"""What the importer knows of a published form's printed labels: one table, label → field.

Every label the parsers look for is here, and nowhere else, so that a profile (a provincial variant of
the form) can hand the importer its own table. Labels are compared after NFKC normalisation with all
white space and a trailing colon removed: ``资 金 来 源``, ``全年预算数（A）`` and ``年度资金总额：`` match
``资金来源``, ``全年预算数(A)`` and ``年度资金总额``.

Field names are the model's key paths (docs/fields.md) where a label names one field. Column labels
name the column's key within its section: ``分值`` heads both the funding table (its 年度资金总额 row's
分值 is ``budget_weight``) and the indicator table (``indicators[].weight``); ``SECTION_FIELDS`` says
what a column means in each section.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from ..profile import DEFAULT_PROFILE, Profile, shipped_profiles

__all__ = ["BASE_VARIANTS", "DISCREPANCIES_HEADING", "FORM_TITLES", "IGNORED_LINES", "MONEY_UNITS",
           "SECTION_FIELDS", "LabelTable", "profile_labels", "reference_labels", "simplified", "squash"]

FORM_TITLES = ("项目支出绩效目标自评表", "项目支出绩效自评表")
"""The heading that starts a form: a file of several forms is cut at each (with the profile's own title)."""
MONEY_COLUMNS = ("initial", "budget", "executed")
INDICATOR_COLUMNS = ("level1", "level2", "name", "target", "actual", "weight", "score", "reason", "note")

def squash(text: str) -> str:
    """Text as labels are compared: NFKC (full-width → half-width), no white space, simplified characters."""
    return simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


@cache
def _converter() -> Any:
    from opencc import OpenCC  # here: the extra formgen[import] may be missing (generator/extras.py)

    return OpenCC("t2s")  # OpenCC's own tables, read once and only when a label is first compared


class _Simplified(dict[int, str]):
    """A `str.translate` table that asks OpenCC for each character the first time it is seen: one character
    for one, or the character itself where OpenCC gives more (no table entry then changes a length)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        converted = _converter().convert(char) if code >= 0x2E80 else char
        self[code] = converted if len(converted) == 1 else char
        return self[code]


_SIMPLIFIED = _Simplified()


def simplified(text: str) -> str:
    """`text` in simplified characters (項目名稱 → 项目名称), character by character through OpenCC's
    traditional → simplified table, so that each character stays where it was: a label found in the
    converted line is cut out of the line as printed, whose values are kept as published."""
    return text if text.isascii() else text.translate(_SIMPLIFIED)


def _key(label: str) -> str:
    return squash(label).rstrip(":")


_ATTACHMENT = re.compile(r"^(?:附件|附表)\d*:?")
_TITLE_YEAR = re.compile(r"\(\d{4}年度?\)|^\d{4}年度?")


BASE_VARIANTS: dict[str, tuple[str, ...]] = {
    # 项目支出名称: hunan-2020-xiangxi-industry-fund.yaml; 项目名, 年度预算数 and 实际执行数: forms tried in
    # issue 13 (#13), which printed them where the template prints 项目名称, 全年预算数 and 全年执行数.
    "title": ("项目名称", "项目名", "项目支出名称"),
    # 主管部门及代码 is the 贵州 reference's; 主管部门 the central template's (财预〔2020〕10号), as
    # yunnan-2023-linxiang-wildlife-shelter.yaml, anhui-2022-commissioned-services.yaml and
    # shanghai-2022-putuo-sports-settlement.yaml print it.
    "department": ("主管部门及代码", "主管部门"),
    # 全年预算数: the central template (hunan-2020-xiangxi-industry-fund.yaml); 调整后预算数:
    # sichuan-2023-qingshen-salaries.yaml; 调整预算数(A): ningxia-2021-junior-school-funds.yaml. Each with
    # and without (A) (see `_lettered`).
    "budget": ("全年预算数", "调整后预算数", "调整预算数", "年度预算数"),
    # 全年执行数: the central template; 实际执行数 and 预算执行数 (sichuan-2023-qingshen-salaries.yaml).
    "executed": ("全年执行数", "实际执行数", "预算执行数"),
    "execution_rate": ("执行率", "预算执行率"),
    # The reason column: the central template's 偏差原因分析及改进措施; the reference's 未完成原因分析;
    # 未完成原因分析及改进措施 (ningxia-2021-junior-school-funds.yaml); 未完成原因和改进措施
    # (hunan-2020-hengshan-grain-reserve.yaml); 未完成原因及拟采取的改进措施
    # (sichuan-2022-zhongjiang-water-gauges.yaml); 偏差原因, the shortest form of the column.
    "reason": ("偏差原因分析及改进措施", "未完成原因分析", "未完成原因分析及改进措施", "未完成原因和改进措施",
               "未完成原因及拟采取的改进措施", "偏差原因"),
    "target": ("年度指标值", "指标值"),
    "actual": ("实际完成值", "全年实际值", "全年完成值"),
    "total": ("总分",),  # the central template's, where the reference prints 总　　分
    # The central template's first funding row, printed 当年 or 本年 (anhui-2022-commissioned-services.yaml,
    # sichuan-2022-zhongjiang-water-gauges.yaml), with or without 其中.
    "funds.current": ("其中：当年财政拨款", "其中：本年财政拨款", "当年财政拨款", "本年财政拨款"),
    # The form's title: the reference's, the central template's and 四川's.
    "form_title": ("项目支出绩效目标自评表", "项目支出绩效自评表", "绩效目标自评表"),
}
"""Other ways the published forms print a label, by the label's key (a key of a profile's ``[labels]``,
or ``funds.`` and a funding row's key), shared by every profile: a profile adds its own in ``[labels.variants]``.
A variant counts for a profile only where the profile has the field (its row, its column), and never takes
the place of a label the profile prints for another field. Each is traced to a published form
(tests/fixtures/published/) or to the template that prints it."""

_LETTER = re.compile(r"[(（][A-Z/]+[)）]$")
_LETTERS = {"budget": "(A)", "executed": "(B)", "execution_rate": "(B/A)", "target": "(A)", "actual": "(B)"}
"""The letters the formula names a column by (执行率 = B ÷ A): printed by some forms, left out by others."""


def _lettered(label: str, key: str) -> tuple[str, ...]:
    """A label with and without the letter of its column: 全年预算数(A) and 全年预算数."""
    bare = _LETTER.sub("", squash(label))
    return (bare, f"{bare}{_LETTERS[key]}") if key in _LETTERS else (bare,)


def profile_variants(profile: Profile) -> dict[str, tuple[str, ...]]:
    """Every variant of the profile's labels, by key: the shared `BASE_VARIANTS` then the profile's own."""
    keys = dict.fromkeys((*BASE_VARIANTS, *profile.labels.variants))
    return {key: tuple(dict.fromkeys((*BASE_VARIANTS.get(key, ()), *profile.labels.variants.get(key, []))))
            for key in keys}


def profile_labels(profile: Profile) -> dict[str, str]:
    """Printed label → field, for the forms of `profile`: its labels, its funding rows and the header and
    footer fields it has, then the variants of each (`profile_variants`, with and without (A)/(B)). The
    reference's is `reference_labels()`; nothing here restates a label of the form."""
    table = _printed_labels(profile)
    seen = {_key(label) for label in table}

    def add(label: str, field: str) -> None:
        if _key(label) not in seen:  # a label the form prints for a field is never taken for another
            seen.add(_key(label))
            table[label] = field

    by_key = {key: getattr(profile.labels, key) for key in type(profile.labels).model_fields if key != "variants"}
    by_key.update({f"funds.{line.key}": line.label for line in profile.funds})
    for key, variants in profile_variants(profile).items():
        field = table.get(by_key.get(key, ""))
        if field is not None:  # else a field the profile's form does not have
            for variant in variants:
                add(variant, field)
    lettered = {table[by_key[key]]: key for key in _LETTERS if by_key[key] in table}
    for label, field in list(table.items()):
        for variant in _lettered(label, lettered.get(field, "")):
            add(variant, field)
    return table


def _printed_labels(profile: Profile) -> dict[str, str]:
    """Printed label → field, as the profile itself prints its form."""
    labels = profile.labels
    table: dict[str, str] = {
        # The lines above the table.
        labels.seal: "seal",  # where the seal goes: nothing of the model; text found there is reported
        labels.filled_on: "filled_on",
        # The basic rows, and the header fields the profile has (单位名称, 项目负责人…).
        labels.title: "title",
        labels.department: "department",
        labels.implementer: "implementer",
        **{getattr(labels, key): key for key in (*profile.fields.extra, *profile.fields.footer)},
        # The side labels, printed vertically one character a line.
        labels.funds: "funds",
        labels.goals: "goals",
        labels.indicators: "indicators",
        labels.conclusion: "conclusion",
        # The funding table: its header, rows and columns.
        labels.source: "funds.header",
    }
    for line in profile.funds:
        table[line.label] = f"funds.{line.key}"
        for prefix in _OF_WHICH:  # 其中：上级补助 is also printed 上级补助
            if line.label.startswith(prefix) and line.label != prefix:
                table[line.label.removeprefix(prefix)] = f"funds.{line.key}"
    table.update({
        labels.initial: "initial",
        labels.budget: "budget",
        labels.executed: "executed",
        labels.execution_rate: "execution_rate",
        # The goals.
        labels.expected: "goals.expected",
        labels.achieved: "goals.actual",
        # The indicator table's columns; 分值 and 得分 head the funding table's columns too.
        **{getattr(labels, key): key for key in INDICATOR_COLUMNS if key in profile.layout.columns},
        labels.funds_weight: "weight",
        labels.budget_score: "score",
        labels.weight: "weight",
        labels.score: "score",
        # The end of the table and below it.
        labels.total: "total",
        labels.grade: "grade",
        labels.execution_reason: "execution_reason",
        labels.contact: "contact",
    })
    return table


_OF_WHICH = ("其中：", "其中:")

@cache
def reference_labels() -> dict[str, str]:
    """Printed label → field, of the reference profile. Made on first use, not when the module is imported:
    `squash` needs OpenCC, of the extra formgen[import], and every command imports this module's readers."""
    return profile_labels(shipped_profiles()[DEFAULT_PROFILE])

SECTION_FIELDS: dict[str, dict[str, str]] = {
    "funds.total": {"initial": "funds.total.initial", "budget": "funds.total.budget",
                    "executed": "funds.total.executed", "weight": "budget_weight",
                    "execution_rate": "stated.execution_rate", "score": "stated.budget_score"},
    "indicators": {"level1": "level1", "level2": "level2", "name": "name", "target": "target", "actual": "actual",
                   "weight": "weight", "score": "score", "reason": "reason", "note": "note"},
    "end": {"total": "stated.total", "grade": "stated.grade"},
}
"""What a column means in a section (the other funding rows have only the three money columns)."""

MONEY_UNITS: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000)}
"""The money unit printed beside 项目资金 (``项目资金（元）``) and its factor to 元, the model's unit."""

IGNORED_LINES = (
    re.compile(r"^(附件|附表)\d*:?$"),   # an attachment's number above its title: 附件1：
    re.compile(r"^第\d+页(共\d+页)?$"),  # page numbers: 第 1 页 共 3 页
    re.compile(r"^-?\d+-?$"),            # page numbers: - 3 -
    re.compile(r"^\d+/\d+$"),            # page numbers: 1/3
)
"""Lines that are not part of any form (matched after `squash`)."""

DISCREPANCIES_HEADING = "与计算结果不一致之处"
"""The heading under which formgen's own page, PDF and exports of a published form list where its figures
differ from the printed ones (templates/_form_table.html): nothing of the form; the figures are read from
the table, and `formgen check` lists the differences again."""


@dataclass(frozen=True)
class Found:
    """A label found in a line: where it starts and ends in the line, and its field."""

    start: int
    end: int
    field: str
    label: str


class LabelTable:
    """Lookups in a label table (`reference_labels()` unless a profile gives another), and what else the readers take
    from the profile: its form title, funding rows, header fields and money unit."""

    def __init__(self, labels: Mapping[str, str] | None = None, profile: Profile | None = None) -> None:
        self.profile = profile or shipped_profiles()[DEFAULT_PROFILE]
        self.titles = tuple(dict.fromkeys((*FORM_TITLES, squash(self.profile.labels.form_title),
                                           *map(squash, profile_variants(self.profile).get("form_title", ())))))
        """The headings that start a form, as `squash` leaves them."""
        self.labels = dict(labels if labels is not None else reference_labels())
        self._fields = {_key(label): field for label, field in self.labels.items()}
        # Longest first, so that 其中：上级补助 wins over 上级补助 and 项目资金 over 项目.
        ordered = sorted(self.labels, key=lambda label: len(_key(label)), reverse=True)
        self._patterns = [(re.compile(_pattern(label)), label, self.labels[label]) for label in ordered]

    @classmethod
    def of(cls, profile: Profile) -> LabelTable:
        """The table of the forms of `profile` (`profile_labels`)."""
        return cls(profile_labels(profile), profile)

    @property
    def row_fields(self) -> tuple[str, ...]:
        """The funding table's rows, in the profile's order (``funds.total``, …)."""
        return tuple(f"funds.{line.key}" for line in self.profile.funds)

    @property
    def extra_fields(self) -> tuple[str, ...]:
        """The header and footer fields of the profile's form beyond the reference's (单位名称, 项目负责人…)."""
        return (*self.profile.fields.extra, *self.profile.fields.footer)

    @property
    def unit_factor(self) -> Decimal:
        """元 per unit of the profile's money: printed amounts are converted to it."""
        return self.profile.money.factor

    def is_title(self, text: str) -> bool:
        """Whether a line is a form's heading: one of `titles`, after an attachment's number (``附件1：``,
        ``附表``), with the year before or after it (``2022年度…``, ``…（2022年度）``) and the unit's or the
        project's name before it (``…单位…项目支出绩效自评表``)."""
        key = _TITLE_YEAR.sub("", _ATTACHMENT.sub("", squash(text)))
        return len(key) <= 80 and any(key.endswith(title) for title in self.titles)

    def field(self, text: str) -> str | None:
        """The field of a cell or line that is a label and nothing else (``年度资金总额：``)."""
        return self._fields.get(_key(text))

    def labels_of(self, field: str) -> list[str]:
        return [label for label, named in self.labels.items() if named == field]

    def find(self, line: str, fields: set[str] | None = None) -> Iterator[Found]:
        """Labels written in a line (at its start or after white space), left to right, not overlapping."""
        taken: list[Found] = []
        line = simplified(line)  # the same length: positions are the printed line's
        for pattern, label, field in self._patterns:
            if fields is not None and field not in fields:
                continue
            for match in pattern.finditer(line):
                if any(match.start() < other.end and other.start < match.end() for other in taken):
                    continue
                taken.append(Found(match.start(), match.end(), field, label))
        yield from sorted(taken, key=lambda found: found.start)

    def starts(self, line: str, fields: set[str] | None = None) -> Found | None:
        """The label a line starts with, if any."""
        for found in self.find(line, fields):
            return found if not line[: found.start].strip() else None
        return None


_VARIANTS = {"(": "[(（]", ")": "[)）]", ":": "[:：]"}


def _pattern(label: str) -> str:
    """A regular expression for a label as printed: full- or half-width brackets and colons, spaces
    between its characters (``资 金 来 源``), and a colon after it, which is part of the match."""
    return rf"(?:(?<=\s)|^){_body(label)}[ \t\u3000]*[:：]?"


def _body(label: str) -> str:
    chars = [char for char in simplified(unicodedata.normalize("NFKC", label)) if not char.isspace()]
    if chars and chars[-1] == ":":
        chars.pop()
    return r"[ \t\u3000]*".join(_VARIANTS.get(char, re.escape(char)) for char in chars)


# --- which profile a published form is of ---------------------------------------------------------------

_SIDE = frozenset({"seal", "funds", "goals", "indicators", "conclusion"})
"""Fields whose labels extraction breaks up (printed vertically, one character a line) or that every form
prints alike: they tell no profile from another."""
_UNIT = re.compile(r"[(（]\s*(?:单位\s*[:：]\s*)?(万元|元)\s*[)）]")
_VARIANT_WEIGHT = Decimal("0.8")
"""A field found through a variant counts for less than one printed as the profile prints it: so a form
printing 本年财政拨款 is 安徽's (which prints it) before central's (which takes it as a variant)."""
DETECTION_LINES = 3000
"""Lines looked at per file: a form has about a hundred, and the first forms of a file tell its profile."""
STRONG_MATCH = Decimal("0.6")
"""The least share of a profile's printed labels a form must show for its profile to be chosen unasked."""


@dataclass(frozen=True)
class Detection:
    """The profile `detect_profile` chose, or None for a tie or a weak match, and why."""

    profile: str | None
    score: Decimal
    """How well the best candidate matches: found fields (variants weighing less) ÷ (its printed fields +
    labels found that are not its own), 0 to 1."""
    evidence: tuple[str, ...]
    """The labels (and money unit) that decided: those of the chosen profile that the runner-up lacks."""
    candidates: tuple[str, ...]
    """The best candidates, best first (the tie, or the closest matches of a weak one)."""
    also: tuple[str, ...] = ()
    """Profiles that fit as well as the chosen one, which they extend: the labels cannot tell them apart."""
    weak: bool = False
    """The best match is under `STRONG_MATCH`: a profile chosen then is the site's, which fits best."""


@dataclass(frozen=True)
class _Expected:
    name: str
    printed: dict[str, frozenset[str]]
    """Field → the keys of the labels the profile itself prints for it."""
    accepted: dict[str, frozenset[str]]
    """Field → every key it accepts for it (its labels and their variants)."""
    titles: frozenset[str]
    unit: str
    shown: dict[str, str]
    """Key → the label as the profile prints it, for the report (其中：当年财政拨款, not 其中:当年财政拨款)."""


@cache
def _expected(profile: Profile) -> _Expected:
    printed: dict[str, set[str]] = {}
    shown: dict[str, str] = {}
    for label, field in _printed_labels(profile).items():
        if field not in _SIDE:
            printed.setdefault(field, set()).add(_key(label))
            shown.setdefault(_key(label), "".join(label.split()).rstrip(":："))
    accepted: dict[str, set[str]] = {}
    for label, field in profile_labels(profile).items():
        if field in printed:
            accepted.setdefault(field, set()).add(_key(label))
    titles = {squash(profile.labels.form_title), *map(squash, profile.labels.variants.get("form_title", []))}
    return _Expected(profile.name, {field: frozenset(keys) for field, keys in printed.items()},
                     {field: frozenset(keys) for field, keys in accepted.items()}, frozenset(titles),
                     profile.money.unit, {**shown, squash(profile.labels.form_title): profile.labels.form_title})


def _found(texts: list[str], expected: list[_Expected]) -> tuple[set[str], str | None, str | None]:
    """The label keys any profile knows that the texts print (longest first, as the readers find them),
    the longest known title a line ends with, and the money unit printed in brackets (项目资金（万元）)."""
    keys = frozenset(key for profile in expected for field in profile.accepted.values() for key in field)
    titles = sorted({title for profile in expected for title in profile.titles}, key=len, reverse=True)
    pattern = _union(keys)
    found: set[str] = set()
    title: str | None = None
    unit: str | None = None
    for text in texts:
        lines = text.split("\n")
        for line, after in zip(lines, [*lines[1:], ""], strict=True):
            # The line, and the line with the next one after it: a label wrapped in its cell (其中：本年财政拨 / 款).
            found.update(_key(match.group()) for match in pattern.finditer(simplified(line)))
            found.update(_key(match.group()) for match in pattern.finditer(simplified(line.rstrip() + after.lstrip()))
                         if match.end() > len(line.rstrip()))
            if title is None and table_title(line, titles):
                title = table_title(line, titles)
            if unit is None and (match := _UNIT.search(unicodedata.normalize("NFKC", line))):
                unit = match.group(1)
    return found, title, unit


@cache
def _union(keys: frozenset[str]) -> re.Pattern[str]:
    """Every label any candidate knows, as one expression, longest first (其中：当年财政拨款 before 当年财政拨款),
    as `LabelTable.find` tries them: made once per set of profiles, and one pass over a line."""
    bodies = "|".join(_body(key) for key in sorted(keys, key=lambda key: (-len(key), key)))
    return re.compile(rf"(?:(?<=\s)|^)(?:{bodies})")


def table_title(line: str, titles: list[str]) -> str | None:
    """The longest of `titles` a heading line ends with (after its attachment number and year), if any."""
    key = _TITLE_YEAR.sub("", _ATTACHMENT.sub("", squash(line)))
    if len(key) > 80:
        return None
    return next((title for title in titles if key.endswith(title)), None)


def _score(profile: _Expected, found: set[str], title: str | None,
           unit: str | None) -> tuple[Decimal, list[str], set[str]]:
    """How well the labels found match a profile, the labels it prints that were found as printed, and the
    fields it found through variants."""
    hits = Decimal(0)
    exact: list[str] = []
    through_variants: set[str] = set()
    for field, keys in profile.printed.items():
        if keys & found:
            hits += 1
            exact.extend(sorted(keys & found))
        elif profile.accepted[field] & found:
            hits += _VARIANT_WEIGHT
            through_variants.add(field)
    accepted = set().union(*profile.accepted.values())
    foreign = len(found - accepted)
    expected = len(profile.printed)
    if title is not None:
        expected += 1
        if title in profile.titles:
            hits += 1
            exact.append(title)
    if unit is not None:
        expected += 1
        if unit == profile.unit:
            hits += 1
            exact.append(unit)
    return (hits / (expected + foreign) if expected + foreign else Decimal(0)), exact, through_variants


def detect_profile(texts: list[str], profiles: Mapping[str, Profile], preferred: str | None = None) -> Detection:
    """The profile whose printed labels the texts match best (its funding rows, column labels, header fields,
    title and money unit): `texts` are the lines extracted from a file (a PDF's text, a text file, a
    workbook's or document's cells), `profiles` the candidates by name (shipped and the site's own),
    `preferred` the site's profile, which wins a tie it is part of, and a weak match (below `STRONG_MATCH`)
    it fits best. A tie without it or its base, or a weak match of another profile, chooses none: the caller
    keeps the site's profile and warns."""
    lines = [line for text in texts for line in text.split("\n")][:DETECTION_LINES]
    expected = [_expected(profile) for profile in profiles.values()]
    found, title, unit = _found(["\n".join(lines)], expected)
    scored = sorted(((*_score(profile, found, title, unit), profile.name) for profile in expected),
                    key=lambda item: (-item[0], item[3]))
    if not scored:
        return Detection(None, Decimal(0), (), ())
    best_score, best_exact, _variants, best_name = scored[0]
    tied = [item for item in scored if item[0] == best_score]
    also: tuple[str, ...] = ()
    if len(tied) > 1:
        names = [item[3] for item in tied]
        # The site's profile, else the base the others extend without printing anything else (河北 is the
        # central template with whole-number rates, which no label shows): the general case of the form.
        base = preferred if preferred in names else next(
            (name for name in names if all(name == other or name in _bases(other, profiles) for other in names)),
            None)
        if base is None:
            return Detection(None, best_score, (), tuple(names))
        best_exact, best_name = next((item[1], item[3]) for item in tied if item[3] == base)
        also = tuple(name for name in names if name != base)
    if best_score < STRONG_MATCH:
        # Few labels, or a layout no profile has: the site's profile when it fits them best (nothing points
        # elsewhere), else none.
        return Detection(best_name if best_name == preferred else None, best_score, (),
                         tuple(item[3] for item in scored[:3]), weak=True)
    # What tells it from the next best, and from the site's profile: the labels those lack.
    others = [item[1] for item in scored if item[3] not in (best_name, *also)][:1]
    others += [item[1] for item in scored if item[3] == preferred and item[3] != best_name]
    evidence = [key for other in others for key in best_exact if key not in other] or best_exact
    shown = next(profile.shown for profile in expected if profile.name == best_name)
    evidence = [shown.get(key, key) for key in evidence]
    return Detection(best_name, best_score, tuple(dict.fromkeys(evidence))[:6],
                     tuple(item[3] for item in scored[:3]), also)


def _bases(name: str, profiles: Mapping[str, Profile]) -> list[str]:
    """The profiles `name` extends, nearest first."""
    found: list[str] = []
    base = profiles[name].extends
    while base is not None and base in profiles and base not in found and base != name:
        found.append(base)
        base = profiles[base].extends
    return found
