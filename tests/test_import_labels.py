"""Which profile a published form is of, found by the labels it prints, and the labels' real variants:
with and without 及代码 or (A), 全年预算数 / 调整后预算数, the reason column's names, traditional characters,
attachment titles. Texts are laid out as pdftotext extracts a published form (the layout of
tests/test_import_profiles.py's CENTRAL_TEXT); the labels are those tests/fixtures/published/*.yaml say the
forms printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.importing.labels import detect_profile
from generator.profile import shipped_profiles

from . import test_import_profiles
from .fixturesites import FIXTURES
from .test_import import assert_same_forms, export, run
from .test_import_profiles import CENTRAL_TEXT, fixture_forms

PUBLISHED = FIXTURES.parent / "published"
site = test_import_profiles.site  # the fixture: a site of the reference profile, as the working folder


def _import(capsys, site: Path, text: str, *options: str) -> tuple[int, str, str]:
    """Import `text` as a file of extracted text into content/<year>/; the code, the report, the file written."""
    source = site / "form.txt"
    source.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--out", site / "content" / "2024", *options)
    written = [path.read_text(encoding="utf-8") for path in (site / "content" / "2024").glob("*.md")]
    return code, out, "\n".join(written)


# --- the published forms' labels tell their profile ------------------------------------------------------

def _label_text(published: dict) -> str:
    """The labels a published form printed (its yaml's `layout` and title), laid out as extracted text:
    the title and its year, the header fields, the funding block with its unit, rows and columns, the
    indicator columns and the footer fields. Cells hold a stand-in value: only the labels matter here."""
    layout = published["layout"]
    lines = [published["source"]["form_title"], f"（{published['source']['year']}年度）", ""]
    lines += [f"{label} 某某" for label in layout["header_fields"]]
    lines += ["项目资金", f"（{layout['money_unit']}）", " ".join(["资 金 来 源", *layout["funds_columns"]])]
    lines += [f"{row} 1 1 1" for row in layout["funds_rows"]]
    lines += [" ".join(layout["indicator_columns"])]
    lines += [f"{label} 某某" for label in layout["footer_fields"]]
    return "\n".join(lines)


# The profile each published form is of (tests/fixtures/published/README.md): the one that reproduces it,
# central for the two forms on the central template that no profile reproduces.
PUBLISHED_PROFILES = {
    "anhui-2022-commissioned-services.yaml": "anhui",
    "hunan-2020-hengshan-grain-reserve.yaml": "hunan",
    "hunan-2020-xiangxi-industry-fund.yaml": "central",
    "ningxia-2021-junior-school-funds.yaml": "ningxia",
    "shanghai-2022-putuo-sports-settlement.yaml": "shanghai",
    "sichuan-2022-zhongjiang-water-gauges.yaml": "sichuan",
    "sichuan-2023-qingshen-salaries.yaml": "sichuan-dept",
    "yunnan-2022-pig-farm.yaml": "yunnan",
    "yunnan-2023-linxiang-wildlife-shelter.yaml": "central",
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_PROFILES))
def test_a_published_form_s_labels_tell_its_profile(name):
    published = yaml.safe_load((PUBLISHED / name).read_text(encoding="utf-8"))
    detection = detect_profile([_label_text(published)], shipped_profiles(), "reference")
    assert detection.profile == PUBLISHED_PROFILES[name], detection


def test_hebei_prints_the_central_labels_and_is_read_as_central_naming_hebei():
    # 河北 is the central template with whole-number rates: no label tells the two apart.
    published = yaml.safe_load((PUBLISHED / "hebei-2019-hvac-renovation.yaml").read_text(encoding="utf-8"))
    detection = detect_profile([_label_text(published)], shipped_profiles(), "reference")
    assert detection.profile == "central" and detection.also == ("hebei",)


def test_the_hubei_prose_page_fits_no_profile_well():
    # A 自评结果 page: budget and score in sentences, an indicator table without 分值 or 得分.
    published = yaml.safe_load((PUBLISHED / "hubei-2021-hbust-student-aid.yaml").read_text(encoding="utf-8"))
    detection = detect_profile([_label_text(published)], shipped_profiles(), "reference")
    assert detection.profile is None and "hubei" in detection.candidates


# --- imported under the profile found ----------------------------------------------------------------------

def test_a_central_text_is_read_as_central_without_profile(capsys, site):
    code, out, text = _import(capsys, site, CENTRAL_TEXT)
    assert code == 0, out
    assert re.search(r"form\.txt: profile central, by the labels it prints: .*其中：当年财政拨款.*主管部门", out)
    assert "\nprofile: central " in text and "# 项目资金（万元） (required)" in text and "  current:" in text
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample"))


# The central text with the labels of other printings: 附件1 above a title that names the unit and the year,
# 项目名, 调整后预算数（A）, 实际执行数（B）, 偏差原因 and 当年 written 本年 would be 安徽's: kept as central's.
VARIANT_TEXT = (CENTRAL_TEXT
                .replace("项目支出绩效自评表\n（2024年度）", "附件1：\n示例部2024年度项目支出绩效自评表")
                .replace("项目名称 ", "项目名：")
                .replace("年初预算数 全年预算数 全年执行数", "年初预算数 调整后预算数（A） 实际执行数（B）")
                .replace("偏差原因分析及改进措施", "偏差原因"))


def test_variant_labels_and_an_attachment_title_are_read(capsys, site):
    code, out, _ = _import(capsys, site, VARIANT_TEXT)
    assert code == 0, out
    assert "0 errors, 0 warnings — ok" in out and "profile central" in out
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample"))


# The central text in traditional characters, labels and level names; the project's name too, which is kept
# as printed.
TRADITIONAL = {
    "项目支出绩效自评表": "項目支出績效自評表", "单位（盖章）": "單位（蓋章）", "填报日期": "填報日期",
    "项目名称 基层干部培训项目": "項目名稱 基層幹部培訓項目", "主管部门": "主管部門", "实施单位": "實施單位",
    "项目资金": "項目資金", "资 金 来 源": "資 金 來 源", "年初预算数 全年预算数 全年执行数 分值 执行率 得分":
    "年初預算數 全年預算數 全年執行數 分值 執行率 得分", "年度资金总额": "年度資金總額",
    "其中：当年财政拨款": "其中：當年財政撥款", "上年结转资金": "上年結轉資金", "其他资金": "其他資金",
    "预期目标 实际完成情况": "預期目標 實際完成情況",
    "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施":
    "一級指標 二級指標 三級指標 年度指標值 實際完成值 分值 得分 偏差原因分析及改進措施",
    "产出指标": "產出指標", "数量指标": "數量指標", "质量指标": "質量指標", "时效指标": "時效指標",
    "成本指标": "成本指標", "效益指标\n": "效益指標\n", "社会效益指标": "社會效益指標",
    "满意度指标(10分)": "滿意度指標(10分)", "服务对象满意度指标": "服務對象滿意度指標", "总分": "總分",
    "联系人": "聯繫人",
}


def test_a_form_in_traditional_characters_is_read_with_its_values_as_printed(capsys, site):
    text = CENTRAL_TEXT
    for simplified, traditional in TRADITIONAL.items():
        assert simplified in text
        text = text.replace(simplified, traditional)
    code, out, written = _import(capsys, site, text)
    assert code == 0, out
    assert "profile central" in out and "0 errors, 0 warnings — ok" in out
    assert "\ntitle: 基層幹部培訓項目 " in written  # a value stays as published
    assert "\n  - level1: 产出指标" in written or "level1: 产出指标" in written  # a level is the scheme's name
    imported = export(capsys, site / "content")
    [record] = imported
    assert record["title"] == "基層幹部培訓項目"
    record["title"] = "基层干部培训项目"
    assert_same_forms(imported, fixture_forms(capsys, "central-sample"))


def test_the_anhui_funding_row_tells_anhui(capsys, site):
    code, out, text = _import(capsys, site, CENTRAL_TEXT.replace("当年财政拨款", "本年财政拨款"))
    assert code == 0, out
    assert "profile anhui, by the labels it prints: 其中：本年财政拨款" in out
    assert "\nprofile: anhui " in text and "# 项目资金（万元） (required)" in text and "  current:" in text


def test_a_shanghai_title_in_yuan_tells_shanghai(capsys, site):
    text = CENTRAL_TEXT.replace("项目支出绩效自评表", "财政项目支出绩效自评表").replace("（万元）", "（元）")
    text = text.replace("120 120 108.5437", "1,200,000 1,200,000 1,085,437")
    text = text.replace("100 100 90.5437", "1,000,000 1,000,000 905,437").replace("20 20 18", "200,000 200,000 180,000")
    code, out, written = _import(capsys, site, text)
    assert "profile shanghai, by the labels it prints: 财政项目支出绩效自评表" in out, out
    assert "\nprofile: shanghai " in written and "# 项目资金（元） (required)" in written
    assert "executed: 1085437 " in written  # in 元 as printed, shanghai's unit: nothing converted
    assert code == 0, out


def test_the_reference_text_is_read_as_the_reference(capsys, site):
    from .test_import import REFERENCE_TEXT
    code, out, _ = run(capsys, "import", REFERENCE_TEXT, "--out", site / "content")
    assert code == 0, out
    assert "profile reference, by the labels it prints: 主管部门及代码" in out


def test_a_weak_match_keeps_the_site_s_profile_and_warns(capsys, site):
    text = "项目支出绩效自评表\n\n项目名称 某项目\n\n说明 只有这几行\n"
    _, out, _ = _import(capsys, site, text)
    assert re.search(r"form\.txt: warning: the labels fit no profile well \(closest: [a-z-]+(, [a-z-]+)*\): read as "
                     r"forms of reference, the site's profile — name the right one with --profile", out), out


def test_with_profile_no_detection_is_done(capsys, site):
    code, out, text = _import(capsys, site, CENTRAL_TEXT.replace("当年财政拨款", "本年财政拨款"), "--profile",
                              "central")
    assert code == 0, out
    assert "by the labels" not in out and "\nprofile: central " in text


# --- a row that does not fit the header --------------------------------------------------------------------

def test_a_figure_in_the_reason_cell_is_reported_not_shifted(capsys, site):
    # "0" written in the reason cell: read from the right, the row would be 实际完成值 10, 分值 10, 得分 0.
    text = CENTRAL_TEXT.replace("质量指标 培训合格率 ≥95% 96% 10 10\n", "质量指标 培训合格率 ≥95% 96% 10 10 0\n")
    code, out, written = _import(capsys, site, text)
    assert code == 1
    line = text.split("\n").index("质量指标 培训合格率 ≥95% 96% 10 10 0") + 1
    assert (f"form.txt:{line}: error: the row “质量指标 培训合格率 ≥95% 96% 10 10 0” does not fit the table's "
            "columns: its last figures read as 分值 10, 得分 0, or as 分值 10, 得分 10 and 偏差原因分析及改进措施 "
            "“0”") in out
    assert "name: 培训合格率" not in written  # not imported at all, rather than with its figures misplaced
    assert "name: 培训人次" in written and "name: 完成时间" in written  # the rows around it are


def test_figures_that_fit_one_way_only_are_read(capsys, site):
    # 500 450 20 18 read with a reason 18 would give 分值 450, more than 产出指标's 50: one reading only.
    text = CENTRAL_TEXT.replace("≥500人次 450人次 20 18 两期培训延至次年，将于一季度补齐", "500 450 20 18")
    code, out, written = _import(capsys, site, text)
    assert code == 0 and "does not fit" not in out, out
    assert re.search(r"name: 培训人次 .*\n +target: '?500'? .*\n +actual: '?450'? .*\n +weight: 20 .*\n +score: 18 ",
                     written), written


def test_a_funding_row_missing_a_middle_cell_is_reported_not_shifted(capsys, site):
    # The central template as 临翔区 published it (yunnan-2023-linxiang-wildlife-shelter.yaml): 年初预算数
    # left empty, which extracted text drops: read in order, 32.4 would become the 年初预算数 and 10 the 全年执行数.
    text = CENTRAL_TEXT.replace("年度资金总额 120 120 108.5437", "年度资金总额 120 108.5437")
    code, out, written = _import(capsys, site, text)
    assert code == 1
    assert ("error: the row “年度资金总额 120 108.5437 10 90.45 9.05” has 5 cells for the funding table's 6 "
            "columns: which is empty cannot be told, so nothing of the row was imported") in out
    placeholders = r"\n  total: .*\n +initial: 【待填写】 .*\n +budget: 【待填写】 .*\n +executed: 【待填写】 "
    assert re.search(placeholders, written), written
    assert "  current:" in written and "executed: 90.5437 " in written  # the rows that fit are read


# --- variants a profile declares -----------------------------------------------------------------------------

def test_a_site_profile_declares_its_own_variants_and_its_extensions_inherit_them(capsys, site):
    profiles = site / "profiles"
    profiles.mkdir()
    (profiles / "county.toml").write_text(
        'extends = "central"\n\n[labels.variants]\ndepartment = ["归口管理部门"]\n"funds.other" = ["其他来源资金"]\n',
        encoding="utf-8")
    (profiles / "town.toml").write_text('extends = "county"\n', encoding="utf-8")
    (site / "formgen.toml").write_text('[site]\ntitle = "示例"\nprofile = "town"\n', encoding="utf-8")
    text = CENTRAL_TEXT.replace("主管部门 示例部", "归口管理部门 示例部").replace("其他资金", "其他来源资金")
    code, out, written = _import(capsys, site, text, "--profile", "town")
    assert code == 0, out
    assert "name: 示例部" in written
    assert_same_forms(export(capsys, site / "content"), fixture_forms(capsys, "central-sample"))


def test_a_variant_of_no_label_is_a_profile_error(capsys, site):
    profiles = site / "profiles"
    profiles.mkdir()
    (profiles / "county.toml").write_text('extends = "central"\n\n[labels.variants]\ndepartmant = ["归口管理部门"]\n',
                                          encoding="utf-8")
    code, out, err = run(capsys, "profiles")
    assert code != 0
    assert "labels.variants.departmant" in out + err and "neither a label nor a funding row" in out + err


@pytest.mark.chinese
def test_the_profile_line_and_the_misfit_error_speak_chinese(capsys, site):
    from .chinese import chinese_share

    text = CENTRAL_TEXT.replace("质量指标 培训合格率 ≥95% 96% 10 10\n", "质量指标 培训合格率 ≥95% 96% 10 10 0\n")
    code, out, _ = _import(capsys, site, text)
    assert code == 1
    [chosen] = [line for line in out.splitlines() if line.startswith("form.txt: 表样 central：由表上的标签判断（")]
    [misfit] = [line for line in out.splitlines() if "[import-row-misfit]" in line]
    assert "这一行没有导入，请对照原表手工填写" in misfit
    for line in (chosen, misfit):
        assert chinese_share(line.split(": ", 1)[1].rsplit(" [", 1)[0]) >= 0.7, line


# --- a PDF -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def anhui_pdf(tmp_path_factory) -> Path:
    """formgen's own PDF of the 安徽 fixture: the central template with 其中：本年财政拨款, wrapped in its cell."""
    from .test_import import _pdf_or_skip

    _pdf_or_skip()
    from generator.build import build_site
    from generator.config import load_config

    out = tmp_path_factory.mktemp("anhui") / "site"
    build_site([FIXTURES / "anhui" / "content"], load_config(FIXTURES / "anhui" / "formgen.toml"), out, pdf=True)
    [pdf] = (out / "pdf").glob("*.pdf")
    return pdf


def test_a_pdf_s_labels_tell_its_profile(capsys, site, anhui_pdf):
    # Exit 1 whatever the profile: the 年度资金总额 row prints both figures, 0 计算值 90 (stated and computed).
    _, out, _ = run(capsys, "import", anhui_pdf, "--out", site / "content" / "2022")
    assert "commissioned-services.pdf: profile anhui, by the labels it prints: 其中：本年财政拨款" in out, out
    [path] = (site / "content" / "2022").glob("*.md")
    text = path.read_text(encoding="utf-8")
    assert "\nprofile: anhui " in text and "# 项目资金（万元） (required)" in text
    assert re.search(r"\n  current: .*\n +initial: 90 .*\n +budget: 89\.974 .*\n +executed: 89\.974 ", text), text
