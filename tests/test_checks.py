"""Checks not exercised by the reference forms or the bad-input corpus: each made to fire on a variant of form 1."""

from __future__ import annotations

import shutil

import pytest

from generator.config import SiteConfig
from generator.pipeline import load_site

from .conftest import CONTENT

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
