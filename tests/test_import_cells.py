"""Cells of a workbook or document that `formgen import` reads as the profile defines them: an amount as its
cell holds it, a three-cell target (指标性质 / 指标值 / 度量单位) as three fields, a line of check boxes as the
choice ticked, and the 三级指标 that scores budget execution (宁夏's 预算执行率) as an indicator row.

The round trips of tests/test_roundtrip.py pass through each; these tests name what a clerk sees.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import frontmatter
import pytest
import yaml

from generator.profile import shipped_profiles

from .fixturesites import FIXTURES
from .test_import import assert_same_forms, export, run
from .test_import_office import FORM, form_cells, hand_made, save_xlsx


def exported_and_imported(capsys, tmp_path: Path, monkeypatch, name: str, fmt: str,
                          as_text: bool = False) -> tuple[dict[str, Any], str]:
    """The fixture `name` exported as one .xlsx or .docx, imported with its profile: the imported form's front
    matter (`as_text`: every value as text, as formgen reads it: 四川's 指标性质 ``=`` is no YAML tag) and what
    import said."""
    fixture = FIXTURES / name
    code, _, err = run(capsys, "export", "--format", fmt, "--config", fixture / "formgen.toml", fixture / "content",
                       "--out", tmp_path / fmt)
    assert code == 0, err
    site = tmp_path / "site"
    site.mkdir()
    (site / "formgen.toml").write_text((fixture / "formgen.toml").read_text(encoding="utf-8"), encoding="utf-8")
    if (fixture / "profiles").is_dir():  # a site profile (split)
        shutil.copytree(fixture / "profiles", site / "profiles")
    monkeypatch.chdir(site)
    [file] = (tmp_path / fmt).glob(f"*.{fmt}")
    profile = frontmatter.load(next((fixture / "content").glob("*/*.md"))).metadata.get("profile") or name
    _code, out, err = run(capsys, "import", file, "--profile", profile, "--out", site / "content")
    [written] = (site / "content").glob("*.md")
    if as_text:
        return yaml.load(written.read_text(encoding="utf-8").split("---")[1], Loader=yaml.BaseLoader), out + err
    return frontmatter.load(written).metadata, out + err


# --- an amount as its cell holds it ---------------------------------------------------------------------------

def test_an_amount_in_wan_yuan_shown_with_two_decimals_imports_as_the_cell_holds_it(capsys, tmp_path, project_root):
    # A unit keeps 万元 to the 元 (84.537159 for 845,371.59 元) and formats the cells #,##0.00, so the sheet
    # shows 84.54: the amount is what the cell holds. Read as shown it would be 845,400 元 (and 599,600).
    cells, _ = form_cells(money=lambda text: float(Decimal(text) / 10000))
    cells = [(*cell[:4], "项目资金（万元）", None) if cell[4] == "项目资金（元）" else cell for cell in cells]
    assert any(cell[4] == 84.537159 and cell[5] == "#,##0.00" for cell in cells)  # the total's 全年执行数
    book = save_xlsx(tmp_path / "wan.xlsx", {"电力": cells})
    site = tmp_path / "imported"
    code, out, _ = run(capsys, "import", book, "--out", site / "2024")
    assert code == 0 and "0 errors, 1 warning" in out and "[import-unit]" in out, out
    [record] = export(capsys, site)
    assert (record["funds"]["total"]["budget"], record["funds"]["total"]["executed"]) == ("845371.59", "599619.76")
    assert_same_forms([record], hand_made(capsys, FORM))


def test_a_score_shown_with_fewer_decimals_than_it_holds_is_the_score_shown(capsys, tmp_path, project_root):
    # A formula's 得分 of 9.7093 under the format 0.00: the form says 9.71, whatever the cell holds.
    cells, _ = form_cells()
    score = next(cell for cell in cells if cell[5] == "0.00" and cell[2] == 9)
    cells = [(*cell[:4], 9.7093, "0.00") if cell is score else cell for cell in cells]
    site = tmp_path / "imported"
    run(capsys, "import", save_xlsx(tmp_path / "form.xlsx", {"电力": cells}), "--out", site / "2024")
    [written] = (site / "2024").glob("*.md")
    assert str(frontmatter.load(written).metadata["stated"]["budget_score"]) == "9.71"


# --- a target in three cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_target_in_three_cells_is_read_into_its_three_fields(capsys, tmp_path, monkeypatch, fmt):
    form, out = exported_and_imported(capsys, tmp_path, monkeypatch, "split", fmt)
    assert "import-misaligned" not in out and "0 errors" in out, out
    rows = [(row["name"], row["nature"], str(row["target"]), row.get("unit") or "") for row in form["indicators"]]
    # As tests/fixtures/profiles/split/content/2024/service-stations.md writes them.
    assert rows == [("新建服务站数量", "≥", "10", "个"), ("验收合格率", "＝", "100", "%"),
                    ("完成时间", "≤", "2024年12月31日", ""), ("单站建设成本", "≤", "5", "万元"),
                    ("群众办事便利度", "定性", "明显提高", ""), ("群众满意度", "≥", "90", "%")]


# --- a line of check boxes ------------------------------------------------------------------------------------

def test_a_line_of_check_boxes_reads_as_the_choice_ticked():
    profile = shipped_profiles()["yunnan"]
    ticked = profile.ticked_choice
    assert ticked("project_category", "1、部门预算项目 □ 2、县直专项 ☑ 3、省市对下转移支付项目 □") == "县直专项"
    assert ticked("project_category", "1、部门预算项目☑  2、县直专项 □") == "部门预算项目"
    for choice in profile.choices.of("project_attribute"):  # whatever the sheet prints, read back
        assert ticked("project_attribute", profile.checkbox_line("project_attribute", choice)) == choice
    # None ticked, or two: no choice is made for the clerk.
    assert ticked("project_category", "1、部门预算项目 □ 2、县直专项 □ 3、省市对下转移支付项目 □") is None
    assert ticked("project_category", "1、部门预算项目 ☑ 2、县直专项 ☑ 3、省市对下转移支付项目 □") is None
    assert ticked("title", "☑ 县直专项") is None  # a field without choices


def test_an_imported_check_box_line_is_the_choice_ticked(capsys, tmp_path, monkeypatch):
    form, _ = exported_and_imported(capsys, tmp_path, monkeypatch, "yunnan", "xlsx")
    assert (form["project_category"], form["project_attribute"]) == ("县直专项", "持续性项目")


# --- the row that scores budget execution ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_row_that_scores_budget_execution_is_an_indicator_row(capsys, tmp_path, monkeypatch, fmt):
    # 宁夏 scores budget execution by the 三级指标 预算执行率 (10 分, 得分 9 as published), whose words also
    # label an execution rate elsewhere: in the indicator table it is a row.
    form, out = exported_and_imported(capsys, tmp_path, monkeypatch, "ningxia", fmt)
    [row] = [row for row in form["indicators"] if row["name"] == "预算执行率"]
    assert (row["level1"], row["level2"], str(row["weight"]), str(row["score"])) == ("项目管理", "投入管理", "10", "9")
    assert "“预算执行率” is not placed" not in out and "has no name" not in out, out
