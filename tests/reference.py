"""The published figures, read from tests/fixtures/reference/pingtang-court-2024.txt.

Tests compare formgen's computation with these; nothing here is typed in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FORM_TITLE = "项目支出绩效目标自评表"


@dataclass(frozen=True)
class PublishedForm:
    number: int
    """1-based position in the published PDF."""
    text: str
    title: str
    initial: str
    budget: str
    executed: str
    weight: str
    execution_rate: str
    budget_score: str
    total: str
    grade: str


_TOTAL_ROW = re.compile(r"年度资金总额：\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)")
_TITLE = re.compile(r"项目名称\s+(.+)")
_TOTAL = re.compile(r"总\s+分\s+(\S+)\s+(\S+)")
_GRADE = re.compile(r"等级\s*为\s*[“\"]\s*(优|良|中|差)")


def published_forms(path: Path) -> list[PublishedForm]:
    text = path.read_text(encoding="utf-8")
    chunks = [chunk for chunk in text.split(FORM_TITLE) if chunk.strip()]
    forms = []
    for number, chunk in enumerate(chunks, start=1):
        row = _TOTAL_ROW.search(chunk)
        title = _TITLE.search(chunk)
        total = _TOTAL.search(chunk)
        grade = _GRADE.search(chunk)
        assert row and title and total and grade, f"cannot read published form {number}"
        forms.append(PublishedForm(number, chunk, title.group(1).strip(), *row.groups(), total.group(2),
                                   grade.group(1)))
    return forms


def squash(text: str) -> str:
    """Text with all white space removed."""
    return re.sub(r"\s+", "", text)
