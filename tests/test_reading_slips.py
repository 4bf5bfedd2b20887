"""What a Chinese input method does to a form's YAML is reported at its line and read as meant; what is text
stays as written. The corpus (tests/badcases/reading.py) holds one file per slip; these tests hold what the
corpus cannot: that the form read is the one meant, and that text is never "repaired"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from generator.config import SiteConfig
from generator.pipeline import Site, load_site

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / "content" / "2024" / "power-system-renovation.md"
LINES = FORM.read_text(encoding="utf-8").split("\n")


def _site(tmp_path: Path, changes: dict[int, str]) -> Site:
    lines = list(LINES)
    for number, text in changes.items():
        lines[number - 1] = text
    path = tmp_path / "form.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return load_site([path], SiteConfig(), root=tmp_path)


def _codes(site: Site) -> list[tuple[int, str]]:
    return [(finding.line, finding.code) for finding in site.findings if finding.level.value == "error"]


def test_a_full_width_colon_is_an_error_and_the_form_is_read_as_meant(tmp_path: Path) -> None:
    site = _site(tmp_path, {21: LINES[20].replace("weight: 5", "weight：5"),
                            9: "  name：平塘县人民法院", 6: "title:\u3000电力系统维修改造专项资金"})
    assert _codes(site) == [(6, "yaml-full-width"), (9, "yaml-full-width"), (21, "yaml-full-width")]
    form = site.entries[0].scored
    assert form is not None  # scored as the original: the slips hide no other finding
    assert form.form.indicators[0].weight == Decimal(5)
    assert form.form.department.name == "平塘县人民法院"
    assert form.form.title == "电力系统维修改造专项资金"
    assert form.total == Decimal("97.09")


@pytest.mark.parametrize("line", [
    "title: 电力系统维修改造专项资金：一期",          # a colon in Chinese text
    "title: 'a，b：c'",                               # quoted text
    "title: 电力系统维修改造专项资金  # weight：5",    # a comment
    "title: 电力系统维修，改造：专项资金",
])
def test_text_with_full_width_punctuation_is_left_as_written(tmp_path: Path, line: str) -> None:
    site = _site(tmp_path, {6: line})
    assert _codes(site) == []
    scored = site.entries[0].scored
    assert scored is not None
    assert scored.form.title == line.split(": ", 1)[1].split("  #")[0].strip("'")


def test_a_block_text_is_never_repaired(tmp_path: Path) -> None:
    site = _site(tmp_path, {18: "  expected: |\n    Step1：建设系统\n    Step2:调试"})
    assert _codes(site) == []
    scored = site.entries[0].scored
    assert scored is not None
    assert scored.form.goals.expected == "Step1：建设系统\nStep2:调试"


@pytest.mark.parametrize("written", ["2025.1.5", "2025/1/5", "2025年1月5号", "2025年1月5日", "20250105"])
def test_unambiguous_dates_are_read(tmp_path: Path, written: str) -> None:
    scored = _site(tmp_path, {5: f"filled_on: {written}"}).entries[0].scored
    assert scored is not None
    assert scored.form.filled_on == dt.date(2025, 1, 5)


def test_money_in_another_unit_is_given_converted(tmp_path: Path) -> None:
    # 84.537159 万元 × 10,000 = 845,371.59 元, the amount the reference form writes.
    site = _site(tmp_path, {12: "  total:    {initial: 84.537159万元, budget: 845371.59, executed: 599619.76}"})
    [error] = [finding for finding in site.findings if finding.level.value == "error"]
    assert (error.line, error.code, error.field) == (12, "field-money-unit", "funds.total.initial")
    assert error.fix == "write 845371.59 (in 元, without the unit)"


def test_a_label_as_key_names_the_field_meant_once(tmp_path: Path) -> None:
    site = _site(tmp_path, {34: "联系人: 莫路路"})
    assert [(f.line, f.code, f.field, f.label) for f in site.findings] == [
        (34, "field-label-as-key", "contact", "联系人")]
