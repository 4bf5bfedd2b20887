"""formgen import reads the forms of any profile: its labels, funding rows, columns, header fields and money
unit (`--profile`, or the site's). Checked against the profiles' fixtures: a text laid out as the published
reference text is, and formgen's own PDFs of the fixtures, import to the same forms."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .fixturesites import FIXTURES
from .test_import import _pdf_or_skip, assert_same_forms, export, run

CENTRAL_TEXT = """
项目支出绩效自评表
（2024年度）

单位（盖章）： 填报日期：20250120

项目名称 基层干部培训项目

主管部门 示例部 实施单位 示例部培训中心

项目资金

（万元）

资 金 来 源 年初预算数 全年预算数 全年执行数 分值 执行率 得分

年度资金总额 120 120 108.5437 10 90.45 9.05

  其中：当年财政拨款 100 100 90.5437 - - -

  上年结转资金 20 20 18 - - -

  其他资金 0 0 0 - - -

年度

总体
目标

预期目标 实际完成情况

全年培训基层干部500人次，培训合格率不低于95%。

全年培训基层干部450人次，培训合格率96%。

绩
效
指
标

一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施

产出指标

(50分)

数量指标 培训人次 ≥500人次 450人次 20 18 两期培训延至次年，将于一季度补齐

质量指标 培训合格率 ≥95% 96% 10 10

时效指标 完成时间 2024年12月31日 2024年11月30日 10 10

成本指标 项目总成本 ≤120万元 108.5437万元 10 10

效益指标

(30分)

社会效益指标 基层治理能力 有所提升 部分达成预期指标并具有一定效果 30 20 效果需要更长时间显现

满意度指标(10分)

服务对象满意度指标 参训学员满意度 ≥90% 92% 10 10

总分 100 87.05

自
评
结
论

培训项目总体完成，自评等级为“良”。

执行率偏差原因：部分培训班次因场地调整延至次年举办。

联系人：李四
"""
"""The central fixture's form as a text extraction of a published 中央 form reads (the layout of the published
贵州 text the importer is made for): 主管部门 without its code, 万元, the funding rows 其中：当年财政拨款 /
上年结转资金 / 其他资金, and one 偏差原因分析及改进措施 column in place of 未完成原因分析 and 备注."""


def fixture_forms(capsys, name: str, folder: Path | None = None) -> list[dict]:
    """The export of a profile's fixture (or of `folder`, a copy of it), read with the fixture's formgen.toml."""
    root = folder or FIXTURES / name
    code, out, err = run(capsys, "export", "--format", "json", "--config", root / "formgen.toml", root / "content")
    assert code == 0, err
    return json.loads(out)["forms"]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site of the reference profile, as the working folder."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "formgen.toml").write_text('[site]\ntitle = "示例"\n', encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_a_central_form_as_text_imports_with_its_profile(capsys, site):
    source = site / "central.txt"
    source.write_text(CENTRAL_TEXT, encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--profile", "central", "--out", site / "content" / "2024")
    assert code == 0, out
    assert "0 errors, 0 warnings — ok" in out
    [path] = (site / "content" / "2024").glob("*.md")
    text = path.read_text(encoding="utf-8")
    # The form names its profile (the site's is the reference), in 万元 as printed, with central's rows.
    assert "\nprofile: central " in text and "executed: 108.5437 " in text and "  current:" in text
    assert "# 项目资金（万元） (required)" in text and "fiscal:" not in text and "note:" not in text
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample"))


def test_with_the_reference_profile_the_central_text_is_not_read_as_a_reference_form(capsys, site):
    source = site / "central.txt"
    source.write_text(CENTRAL_TEXT, encoding="utf-8")
    # Without --profile its labels say central (tests/test_import_labels.py).
    code, out, _ = run(capsys, "import", source, "--profile", "reference", "--out", site / "content" / "2024")
    assert code == 1
    assert "has no" in out and "财政拨款" in out  # the reference's rows (by their labels), which the text lacks


def test_the_site_s_profile_is_the_default(capsys, site):
    (site / "formgen.toml").write_text('[site]\ntitle = "示例"\nprofile = "central"\n', encoding="utf-8")
    source = site / "central.txt"
    source.write_text(CENTRAL_TEXT, encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--out", site / "content" / "2024")
    assert code == 0, out
    [path] = (site / "content" / "2024").glob("*.md")
    assert re.search(r"^profile: +# ", path.read_text(encoding="utf-8"), flags=re.M)  # empty: the site's
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample"))


def test_money_printed_in_yuan_is_converted_to_the_profile_s_wanyuan(capsys, site):
    text = CENTRAL_TEXT.replace("（万元）", "（元）").replace("120 120 108.5437", "1,200,000 1,200,000 1,085,437")
    text = text.replace("100 100 90.5437", "1,000,000 1,000,000 905,437").replace("20 20 18", "200,000 200,000 180,000")
    source = site / "central.txt"
    source.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--profile", "central", "--out", site / "content" / "2024")
    assert "money is printed in 元 (×1/10000): imported in 万元, the unit of the form's profile [import-unit]" in out
    assert code == 0, out
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample"))


def test_an_unknown_profile_is_a_usage_error(capsys, site):
    source = site / "central.txt"
    source.write_text(CENTRAL_TEXT, encoding="utf-8")
    code, _, err = run(capsys, "import", source, "--profile", "nowhere")
    assert code == 2 and "--profile nowhere: not a profile" in err and "central" in err


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """formgen's own PDFs of the 河北 and 中央 fixtures."""
    _pdf_or_skip()
    from generator.build import build_site
    from generator.config import load_config

    found = {}
    for name in ("hebei", "central"):
        out = tmp_path_factory.mktemp(name) / "site"
        folder = FIXTURES / {"central": "central-sample"}.get(name, name)  # central's 示例部 form
        build_site([folder / "content"], load_config(folder / "formgen.toml"), out, pdf=True)
        [found[name]] = (out / "pdf").glob("*.pdf")
    return found


def test_a_hebei_pdf_imports_to_its_fixture(capsys, site, built):
    code, out, _ = run(capsys, "import", built["hebei"], "--profile", "hebei", "--out", site / "content" / "2019")
    assert code == 0, out
    assert "0 errors, 0 warnings — ok" in out  # its empty 填报日期 (optional in 河北) is no note
    # The fixture is the copy of a published form (status: published), which nothing printed says.
    [path] = (site / "content" / "2019").glob("*.md")
    path.write_text(path.read_text(encoding="utf-8").replace("\nstatus:", "\nstatus: published", 1), encoding="utf-8")
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "hebei"))


def test_a_central_pdf_imports_with_its_amounts_as_printed(capsys, site, built):
    code, out, _ = run(capsys, "import", built["central"], "--profile", "central", "--out", site / "content")
    assert code == 0, out
    assert "0 errors, 0 warnings — ok" in out
    [path] = (site / "content").glob("*.md")
    text = path.read_text(encoding="utf-8")
    # The sheet prints 万元 with two decimals: 108.5437 is printed, and so imported, as 108.54.
    assert "executed: 108.54 " in text and "executed: 90.54 " in text
    fixture = shutil.copytree(FIXTURES / "central-sample", site / "fixture")
    form = fixture / "content" / "2024" / "training-program.md"
    form.write_text(form.read_text(encoding="utf-8").replace("108.5437}", "108.54}").replace("90.5437}", "90.54}"),
                    encoding="utf-8")
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample", fixture))


# --- a central form as a unit makes it in Excel and in Word ---------------------------------------------------

@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_a_central_form_made_in_office_imports_and_scores_as_published(capsys, site, suffix):
    from .officefiles import central_document, central_workbook
    from .test_roundtrip import differences

    made = (central_workbook if suffix == ".xlsx" else central_document)(site / f"linxiang{suffix}")
    code, out, _ = run(capsys, "import", made, "--profile", "central", "--out", site / "content" / "2023")
    # The template has no 自评结论 (the form's body): the one error import reports, the form written without it.
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert code == 1 and len(errors) == 1 and "has no 自评结论 in the source" in errors[0], out
    [path] = (site / "content" / "2023").glob("*.md")
    text = path.read_text(encoding="utf-8")
    assert "\nprofile: central " in text
    # As published, the form states the 执行率 and 得分 it prints; nothing printed says it was published.
    path.write_text(text.replace("\nstatus:", "\nstatus: published", 1), encoding="utf-8")
    [form] = export(capsys, site / "content")
    # The published figures, and formgen's from them (by hand: 31.69 ÷ 32.4 = 97.8086…% → 97.81; 10 × that
    # = 9.78; the rows' 得分 80 of their 分值 80; no 满意度指标 row, so (9.78 + 80) of 90 → 99.76 of 100, 优).
    assert form["funds"]["total"] == {"initial": "0", "budget": "324000", "executed": "316900"}  # in 元
    assert form["stated"] == {"execution_rate": "97.80", "budget_score": "9"}
    assert form["computed"]["execution_rate"] == "97.81" and form["computed"]["budget_score"] == "9.78"
    rows = [(row["name"], row["target"], row["actual"], row["weight"], row["score"]) for row in form["indicators"]]
    assert rows == [
        ("野生动物收容所", "≥200平方米", "204.46平方米", "10", "10"),
        ("钢结构圈养围栏", "≥120米", "121.5米", "10", "10"),
        ("项目完工时限", "2023年12月", "2023年10月", "15", "15"), ("项目竣工验收率", "100%", "100%", "15", "15"),
        ("务工人员年人均增收", "≥8400元", "8400元", "10", "10"), ("提供务工岗位", "≥5个", "5个", "10", "10"),
        ("项目建成后可持续影响年限", "≥15年", "15年", "10", "10")]
    assert form["subtotals"] == {"产出指标": "50", "效益指标": "30"}
    assert (form["total"], form["grade"]) == ("99.76", "优")
    # And so figure for figure the form transcribed by hand from the published page.
    assert differences([form], fixture_forms(capsys, "central")) == []


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_without_the_profile_the_central_office_form_is_read_as_central(capsys, site, suffix):
    from .officefiles import central_document, central_workbook

    made = (central_workbook if suffix == ".xlsx" else central_document)(site / f"linxiang{suffix}")
    _code, out, _ = run(capsys, "import", made, "--out", site / "content" / "2023")
    [path] = (site / "content" / "2023").glob("*.md")
    assert "\nprofile: central " in path.read_text(encoding="utf-8"), out
