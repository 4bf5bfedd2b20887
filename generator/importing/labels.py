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

from ..profile import DEFAULT_PROFILE, Profile, shipped_profiles

__all__ = ["FORM_TITLES", "IGNORED_LINES", "LABELS", "MONEY_UNITS", "SECTION_FIELDS", "LabelTable", "profile_labels",
           "squash"]

FORM_TITLES = ("项目支出绩效目标自评表", "项目支出绩效自评表")
"""The heading that starts a form: a file of several forms is cut at each (with the profile's own title)."""
MONEY_COLUMNS = ("initial", "budget", "executed")
INDICATOR_COLUMNS = ("level1", "level2", "name", "target", "actual", "weight", "score", "reason", "note")

def profile_labels(profile: Profile) -> dict[str, str]:
    """Printed label → field, for the forms of `profile`: its labels, its funding rows and the header and
    footer fields it has. The reference's is `LABELS`; nothing here restates a label of the form."""
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

LABELS: dict[str, str] = profile_labels(shipped_profiles()[DEFAULT_PROFILE])
"""Printed label → field."""

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
    re.compile(r"^第\d+页(共\d+页)?$"),  # page numbers: 第 1 页 共 3 页
    re.compile(r"^-?\d+-?$"),            # page numbers: - 3 -
    re.compile(r"^\d+/\d+$"),            # page numbers: 1/3
)
"""Lines that are not part of any form (matched after `squash`)."""



def squash(text: str) -> str:
    """Text as labels are compared: NFKC (full-width → half-width), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _key(label: str) -> str:
    return squash(label).rstrip(":")


@dataclass(frozen=True)
class Found:
    """A label found in a line: where it starts and ends in the line, and its field."""

    start: int
    end: int
    field: str
    label: str


class LabelTable:
    """Lookups in a label table (`LABELS` unless a profile gives another), and what else the readers take
    from the profile: its form title, funding rows, header fields and money unit."""

    def __init__(self, labels: Mapping[str, str] = LABELS, profile: Profile | None = None) -> None:
        self.profile = profile or shipped_profiles()[DEFAULT_PROFILE]
        self.titles = tuple(dict.fromkeys((*FORM_TITLES, squash(self.profile.labels.form_title))))
        """The headings that start a form, as `squash` leaves them."""
        self.labels = dict(labels)
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

    def field(self, text: str) -> str | None:
        """The field of a cell or line that is a label and nothing else (``年度资金总额：``)."""
        return self._fields.get(_key(text))

    def labels_of(self, field: str) -> list[str]:
        return [label for label, named in self.labels.items() if named == field]

    def find(self, line: str, fields: set[str] | None = None) -> Iterator[Found]:
        """Labels written in a line (at its start or after white space), left to right, not overlapping."""
        taken: list[Found] = []
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
    chars = [char for char in unicodedata.normalize("NFKC", label) if not char.isspace()]
    if chars and chars[-1] == ":":
        chars.pop()
    body = r"[ \t\u3000]*".join(_VARIANTS.get(char, re.escape(char)) for char in chars)
    return rf"(?:(?<=\s)|^){body}[ \t\u3000]*[:：]?"
