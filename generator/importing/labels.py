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

__all__ = ["FORM_TITLES", "IGNORED_LINES", "LABELS", "MONEY_UNITS", "SECTION_FIELDS", "LabelTable", "squash"]

FORM_TITLES = ("项目支出绩效目标自评表", "项目支出绩效自评表")
"""The heading that starts a form: a file of several forms is cut at each."""

LABELS: dict[str, str] = {
    # The lines above the table.
    "单位（盖章）": "seal",  # where the seal goes: nothing of the model; text found there is reported
    "填报日期": "filled_on",
    # The basic rows.
    "项目名称": "title",
    "主管部门及代码": "department",
    "实施单位": "implementer",
    # The side labels, printed vertically one character a line.
    "项目资金": "funds",
    "年度总体目标": "goals",
    "绩效指标": "indicators",
    "自评结论": "conclusion",
    # The funding table: its header, rows and columns.
    "资金来源": "funds.header",
    "年度资金总额": "funds.total",
    "财政拨款": "funds.fiscal",
    "本级安排": "funds.own",
    "其中：上级补助": "funds.transfer",
    "上级补助": "funds.transfer",
    "其他": "funds.other",
    "年初预算数": "initial",
    "全年预算数（A）": "budget",
    "全年执行数（B）": "executed",
    "执行率": "execution_rate",
    # The goals.
    "预期目标": "goals.expected",
    "实际完成情况": "goals.actual",
    # The indicator table's columns.
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "name",
    "年度指标值（A）": "target",
    "实际完成值（B）": "actual",
    "分值": "weight",
    "得分": "score",
    "未完成原因分析": "reason",
    "备注": "note",
    # The end of the table and below it.
    "总分": "total",
    "等级": "grade",
    "执行率偏差原因": "execution_reason",
    "联系人": "contact",
}
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

MONEY_COLUMNS = ("initial", "budget", "executed")
INDICATOR_COLUMNS = ("level1", "level2", "name", "target", "actual", "weight", "score", "reason", "note")


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
    """Lookups in a label table (`LABELS` unless a profile gives another)."""

    def __init__(self, labels: Mapping[str, str] = LABELS) -> None:
        self.labels = dict(labels)
        self._fields = {_key(label): field for label, field in self.labels.items()}
        # Longest first, so that 其中：上级补助 wins over 上级补助 and 项目资金 over 项目.
        ordered = sorted(self.labels, key=lambda label: len(_key(label)), reverse=True)
        self._patterns = [(re.compile(_pattern(label)), label, self.labels[label]) for label in ordered]

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
