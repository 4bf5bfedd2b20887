"""Targets and actuals as clerks write them (issue 12): phrasing that used to be refused or misread is read by
its meaning, in a whole form — no finding at all, and the row scored as a reader of the form would score it.

The form is content/2024/power-system-renovation.md made clean as the slips of tests/badcases/quantities.py
are (spent in full, its deadline in 2024, 总分 100), with one cell of one row written another way."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator.config import SiteConfig
from generator.pipeline import load_site

from .conftest import ROOT
from .fixturesites import FIXTURES, site_config

FORM = ROOT / "content" / "2024" / "power-system-renovation.md"


def _clean() -> str:
    text = FORM.read_text(encoding="utf-8")
    text = text.replace("executed: 599619.76}", "executed: 845371.59}").replace("target: 2023年12月31日",
                                                                               "target: 2024年12月31日")
    return text.replace("  total: 97.09", "  total: 100")


def _written(tmp_path: Path, line: int, key: str, value: str) -> Path:
    lines = _clean().split("\n")
    lines[line - 1], count = re.subn(rf"{key}: [^,]+,", f"{key}: {value},", lines[line - 1], count=1)
    assert count == 1
    path = tmp_path / FORM.name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_the_clean_form_has_no_finding(tmp_path):
    path = tmp_path / FORM.name
    path.write_text(_clean(), encoding="utf-8")
    assert load_site([path], SiteConfig()).findings == []


@pytest.mark.parametrize(("line", "key", "value"), [
    (23, "target", "90%以上"),            # 以上 includes the bound: ≥90%, met by 90%
    (23, "target", "不低于90%"),
    (23, "target", "≥90百分比"),          # 百分比 is %
    (23, "target", "90%-95%"),            # a range, both bounds included
    (23, "target", "90%～95%"),
    (23, "target", "90%至95%"),
    (23, "actual", "百分之90"),
    (31, "target", "＞＝95%"),            # full-width ＞＝ is ≥
    (31, "target", "95%及以上"),
    (21, "target", "≥0.5万平方米"),        # 0.5万平方米 = 5000平方米
    (21, "actual", "0.5万平方米"),
    (25, "target", "＝21.5万元"),          # 21.5万元 = 215000元
    (29, "target", "243313.19元以下"),     # 以下 includes the bound: ≤
    (29, "target", "不超过243313.19元"),
])
def test_phrasing_read_by_its_meaning(tmp_path, line, key, value):
    site = load_site([_written(tmp_path, line, key, value)], SiteConfig())
    assert [str(finding) for finding in site.findings] == []
    [entry] = site.forms
    assert entry.scored.total == Decimal(100)


@pytest.mark.parametrize(("value", "score"), [
    ("90%-95%", "4.72"),   # below the range: 5 × 85 ÷ 90 = 4.722…
    ("80%～85%", "5"),      # inside
    ("70%至80%", "4.71"),   # above: as a negative target, 5 × 80 ÷ 85 = 4.705…
])
def test_a_range_scores_full_inside_and_by_the_deviation_outside(tmp_path, value, score):
    path = _written(tmp_path, 23, "target", value)
    text = path.read_text(encoding="utf-8").replace("actual: 90%, weight: 5, score: 5}",
                                                    "actual: 85%, weight: 5, reason: 部分返工}")
    path.write_text(text, encoding="utf-8")
    site = load_site([path], SiteConfig())
    [entry] = site.forms
    assert entry.scored.indicators[2].score == Decimal(score)


@pytest.mark.parametrize(("line", "key", "value", "code"), [(23, "actual", "0.93", "actual-fraction"),
                                                            (21, "target", "＞5000平方米", "strict-bound")])
def test_a_published_copy_keeps_the_slip_as_printed(tmp_path, line, key, value, code):
    """A form already published printed its fraction, or its full 得分 at a strict bound: the copy keeps it,
    reported as a discrepancy that fails nothing, as a printed 得分 formgen computes otherwise is."""
    path = _written(tmp_path, line, key, value)
    path.write_text(path.read_text(encoding="utf-8").replace("contact: 莫路路", "contact: 莫路路\nstatus: published"),
                    encoding="utf-8")
    site = load_site([path], SiteConfig())
    assert [(f.code, f.level.value) for f in site.findings] == [(code, "discrepancy")]


def test_a_range_in_a_three_cell_target(tmp_path):
    """云南's and 四川's tables write 指标性质, 指标值 and 度量单位 apart: ＝, 95-100 and % are the range 95%–100%,
    not an operator misplaced in 指标值."""
    site = FIXTURES / "split"
    shutil.copytree(site, tmp_path / "split")
    form = tmp_path / "split" / "content" / "2024" / "service-stations.md"
    text = form.read_text(encoding="utf-8")
    old = 'nature: ＝, target: 100, unit: "%", actual: 100, weight: 15}'
    assert old in text
    form.write_text(text.replace(old, 'nature: ＝, target: 95-100, unit: "%", actual: 90, weight: 15}'),
                    encoding="utf-8")
    loaded = load_site([form], site_config(tmp_path / "split"), root=tmp_path / "split")
    assert [(f.code, f.field) for f in loaded.findings if f.level.value == "error"] == []
    [entry] = loaded.forms
    assert entry.scored.indicators[1].score == Decimal("14.21")  # below the range: 15 × 90 ÷ 95 = 14.2105…
