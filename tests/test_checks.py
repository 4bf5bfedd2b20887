"""Checks not exercised by the reference forms or the bad-input corpus: each made to fire on a variant of form 1."""

from __future__ import annotations

import shutil

import pytest

from generator.config import SiteConfig, load_config
from generator.pipeline import load_site

from .conftest import CONTENT, ROOT

FORM_1 = CONTENT / "2024" / "power-system-renovation.md"


def _variant(tmp_path, old, new, name="variant.md"):
    text = FORM_1.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _findings(*paths):
    return load_site(list(paths), SiteConfig()).findings


@pytest.mark.parametrize(
    ("old", "new", "code", "level", "message"),
    [
        ("自评等级为“优”", "自评等级为“良”", "grade-contradiction", "warning",
         "the conclusion names the grade “良” but the total 97.09 gives “优”"),
        ("target: ≥5000平方米, actual: 5000平方米", "target: ≥5000平方米, actual: 6100平方米",
         "over-completion", "warning", "exceeds 年度指标值 ≥5000平方米 by 22.00% with no explanation"),
        ("name: 维修改造面积, target: ≥5000平方米, actual: 5000平方米, weight: 5, score: 5",
         "name: 维修改造面积, target: ≥5000平方米, actual: 4500平方米, weight: 5, score: 4.5",
         "missed-unexplained", "warning", "the target ≥5000平方米 was missed (4500平方米) with no explanation"),
        ("level2: 可持续影响指标", "level2: 长远影响指标", "level2-unknown", "warning",
         "“长远影响指标” is not a usual 二级指标 of 效益指标"),
        ("filled_on: 2025-01-23", "filled_on: 2024-06-30", "filled-before-year-end", "warning",
         "填报日期 2024-06-30 is before the end of the evaluated year 2024"),
        ("actual: 1栋, weight: 5, score: 5", "actual: 很好, weight: 5, score: 5", "unscorable", "error",
         "实际完成值 “很好” cannot be scored against 年度指标值 “＝1栋”"),
        ("budget_weight", "budget_weight", "budget-weight", "error", "分值 8 differs from the scheme's 10"),
    ],
)
def test_check_fires(tmp_path, old, new, code, level, message):
    if code == "budget-weight":
        path = _variant(tmp_path, "contact: 莫路路", "budget_weight: 8\ncontact: 莫路路")
    else:
        path = _variant(tmp_path, old, new)
    found = [f for f in _findings(path) if f.code == code]
    assert len(found) == 1, [str(f) for f in _findings(path)]
    assert found[0].level.value == level
    assert message in found[0].message, found[0].message


def test_zero_budget_is_an_error(tmp_path):
    path = tmp_path / "zero.md"
    path.write_text(FORM_1.read_text(encoding="utf-8").replace("845371.59", "0").replace("599619.76", "0"),
                    encoding="utf-8")
    errors = [f for f in _findings(path) if f.code == "funds-no-budget"]
    assert len(errors) == 1
    assert errors[0].message == "全年预算数 is 0: the execution rate is undefined"


def test_duplicate_slugs_across_folders(tmp_path):
    for year in ("2024", "2025"):
        (tmp_path / year).mkdir()
        shutil.copy(FORM_1, tmp_path / year / FORM_1.name)
    errors = [f for f in _findings(tmp_path) if f.code == "slug-duplicate"]
    assert len(errors) == 1
    assert errors[0].path.endswith("2025/power-system-renovation.md")
    assert errors[0].line == 1
    assert "also the slug of" in errors[0].message and "2024/power-system-renovation.md" in errors[0].message


def test_copied_text_threshold_is_a_setting(tmp_path):
    first = _variant(tmp_path, "莫路路", "莫路路", "a.md")
    second = _variant(tmp_path, "莫路路", "莫路路", "b.md")
    copied = [f for f in _findings(first, second) if f.code == "text-copied"]
    assert {f.field for f in copied} == {"goals.expected", "goals.actual", "body"}
    assert all(f.path.endswith("b.md") for f in copied)
    config = SiteConfig.model_validate({"checks": {"copied_text_min_chars": 10_000}})
    assert not [f for f in load_site([first, second], config).findings if f.code == "text-copied"]


# --- what a text, a cell or a row says against the table (issue 12) ----------------------------------------

CONCLUSION = "绩效目标基本达成，自评等级为“优”。"


@pytest.mark.parametrize("sentence", [
    "全年预算执行率70.93%。",     # the computed 599,619.76 ÷ 845,371.59 = 70.93%
    "预算执行率为71%。",          # rounded to the decimals written
    "资金执行率：70.9%。",        # cut to them
    "执行率低于90%。",            # a comparison, not the rate
    "自评总分97.09分。",          # the computed total
    "总分100分，得分97.09分。",   # the full marks, not the total
    "预算1234567890123456789012元。",  # no figure a form could hold: not read
    "计划维修改造面积6000平方米。",  # a plan, not what was done
    "维修改造面积5000平方米。",   # the actual
    "预算845371.59元。",          # a cell of the table: no scale slip
])
def test_texts_that_agree_with_the_table_are_not_reported(tmp_path, sentence):
    path = _variant(tmp_path, CONCLUSION, CONCLUSION + sentence)
    new = {f.code for f in _findings(path)} - {f.code for f in _findings(FORM_1)}
    assert new == set(), [str(f) for f in _findings(path)]


def test_a_wan_yuan_table_typed_in_yuan_is_an_error_naming_the_figure(tmp_path):
    """The other way round: the 安徽 profile's table is in 万元; typed in 元 (899,740 for 89.974万元), against a
    text that says 89.97万元, every published amount would be 10,000 times too large."""
    site = ROOT / "tests" / "fixtures" / "profiles" / "anhui"
    text = (site / "content" / "2022" / "commissioned-services.md").read_text(encoding="utf-8")
    text = text.replace("{initial: 90, budget: 89.974, executed: 89.974}",
                        "{initial: 900000, budget: 899740, executed: 899740}")
    text = text.replace("actual: （概述）完成89.97万元", "actual: （概述）全年支出89.97万元")
    path = tmp_path / "commissioned-services.md"
    config = load_config(site / "formgen.toml")
    path.write_text(text, encoding="utf-8")
    published = [f for f in load_site([path], config, root=tmp_path).findings if f.code == "money-scale"]
    assert [(f.level.value, f.field) for f in published] == [("discrepancy", "funds.total.budget")]  # as printed
    assert "status: published\n" in text
    path.write_text(text.replace("status: published\n", ""), encoding="utf-8")
    found = [f for f in load_site([path], config, root=tmp_path).findings if f.code == "money-scale"]
    assert [(f.level.value, f.field) for f in found] == [("error", "funds.total.budget")]
    assert "is 899,740万元, but the text says “支出89.97万元”: the table seems written in 元, not in 万元" \
        in found[0].message
    assert found[0].fix == "write every amount of the table in 万元: here 89.97, not 899740"


def test_a_published_copy_without_conclusion_is_kept_as_printed(tmp_path):
    path = _variant(tmp_path, "contact: 莫路路", "contact: 莫路路\nstatus: published")
    path.write_text(path.read_text(encoding="utf-8").split("\n---\n")[0] + "\n---\n", encoding="utf-8")
    assert [f for f in _findings(path) if f.code == "conclusion-empty"] == []


def test_a_cost_control_rate_against_unexplained_low_spending_is_named_in_that_warning():
    # Form 1 spends 70.93% with no reason and reports 项目或定额成本控制率 100%: one warning says both.
    [warning] = [f for f in _findings(FORM_1) if f.code == "execution-unexplained"]
    assert "correct “项目或定额成本控制率” 100%" in warning.fix
    assert not [f for f in _findings(FORM_1) if f.code == "cost-control-rate"]


def test_a_budget_cut_that_the_form_explains_is_not_reported(tmp_path):
    path = _variant(tmp_path, "total:    {initial: 845371.59, budget: 845371.59, executed: 599619.76}",
                    "total:    {initial: 900000, budget: 599619.76, executed: 599619.76}")
    assert [f.code for f in _findings(path) if f.code == "budget-cut-to-spending"] == ["budget-cut-to-spending"]
    text = path.read_text(encoding="utf-8").replace("contact: 莫路路",
                                                    "execution_reason: 年中调减预算300380.24元\ncontact: 莫路路")
    path.write_text(text, encoding="utf-8")
    assert [f for f in _findings(path) if f.code == "budget-cut-to-spending"] == []
