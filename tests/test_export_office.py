"""`formgen export --format xlsx|docx`: what a clerk sees in the Excel and Word files, read back with openpyxl
and python-docx. The expected figures are the form files' own (content/2024/power-system-renovation.md:
全年预算数 845371.59, 全年执行数 599619.76, so 执行率 599619.76 / 845371.59 = 70.93%, 预算执行得分 10 × 70.93%
= 7.09, 总分 90 + 7.09 = 97.09), and the layout the form page prints (the reference's 10 columns: 1 side
label, 一级 … 备注)."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from docx.oxml.ns import qn

from generator.__main__ import main
from generator.render.office_xlsx import sheet_name

from .chinese import chinese_share
from .conftest import CONTENT, ROOT

FORM = CONTENT / "2024" / "power-system-renovation.md"
CENTRAL = ROOT / "tests" / "fixtures" / "profiles" / "central"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def reference_xlsx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx")
    assert main(["export", "--format", "xlsx", str(FORM), "--out", str(out)]) == 0
    return out / "power-system-renovation.xlsx"


@pytest.fixture(scope="module")
def reference_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docx")
    assert main(["export", "--format", "docx", str(FORM), "--out", str(out)]) == 0
    return out / "power-system-renovation.docx"


def _merged(sheet) -> set[str]:
    return {str(merged) for merged in sheet.merged_cells.ranges}


def test_the_sheet_is_laid_out_as_the_form_with_its_merged_cells(reference_xlsx):
    book = openpyxl.load_workbook(reference_xlsx)
    assert book.sheetnames == ["电力系统维修改造专项资金"]
    sheet = book.active
    # Lines above the table, across its 10 columns: 表名, （2024年度）, 单位（盖章） and 填报日期 side by side.
    assert sheet["A1"].value == "项目支出绩效目标自评表" and "A1:J1" in _merged(sheet)
    assert sheet["A2"].value == "（2024年度）" and "A2:J2" in _merged(sheet)
    assert sheet["A3"].value == "单位（盖章）：" and sheet["F3"].value == "填报日期：20250123"
    # 项目名称 over 3 columns, its value over the other 7; the 项目资金（元） side label down the 6 funding rows.
    assert sheet["A4"].value == "项目名称" and {"A4:C4", "D4:J4"} <= _merged(sheet)
    assert sheet["D4"].value == "电力系统维修改造专项资金"
    assert sheet["A6"].value == "项目\n资金\n（元）" and "A6:A11" in _merged(sheet)
    assert sheet["B7"].value == "年度资金总额：" and "I7:J7" in _merged(sheet)
    # The indicators: the side label down the 11 rows, 产出指标 down its 9, the header row above them.
    assert [cell.value for cell in sheet[14]][1:] == ["一级指标", "二级指标", "三级指标", "年度指标值(A)",
                                                       "实际完成值(B)", "分值", "得分", "未完成原因分析", "备注"]
    assert sheet["A15"].value == "绩效指标" and "A15:A25" in _merged(sheet)
    assert sheet["B15"].value == "产出指标\n(50分)" and "B15:B23" in _merged(sheet)
    assert sheet["D15"].value == "维修改造面积" and sheet["E15"].value == "≥5000平方米"
    assert sheet["A26"].value == "总　　分" and "A26:F26" in _merged(sheet)
    assert sheet["A27"].value == "自评结论" and "B27:J27" in _merged(sheet)
    assert sheet["B27"].value.startswith("电力系统维修改造专项资金各项指标均完成")
    assert "\n1. 供电安全性与稳定性提升。" in sheet["B27"].value  # the conclusion's numbered list, as printed
    assert sheet["A28"].value == "联系人：莫路路"
    # Thin borders on the table's cells (also the covered cells of a merge), none on the lines above it.
    assert sheet["A4"].border.left.style == "thin" and sheet["J4"].border.right.style == "thin"
    assert sheet["A1"].border.left.style is None


def test_figures_are_numbers_with_the_form_s_formats(reference_xlsx):
    sheet = openpyxl.load_workbook(reference_xlsx).active
    expected = {"D7": (Decimal("845371.59"), "#,##0.00"), "E7": (Decimal("845371.59"), "#,##0.00"),
                "F7": (Decimal("599619.76"), "#,##0.00"), "G7": (Decimal(10), "0"),
                "H7": (Decimal("0.7093"), "0.00%"), "I7": (Decimal("7.09"), "0.00"),
                "D10": (Decimal(0), "#,##0"),  # 其中：上级补助 0, printed 0 as the page prints it
                "G15": (Decimal(5), "0"), "H15": (Decimal(5), "0"), "G26": (Decimal(100), "0"),
                "H26": (Decimal("97.09"), "0.00")}
    for ref, (value, number_format) in expected.items():
        cell = sheet[ref]
        assert cell.data_type == "n", ref
        assert Decimal(str(cell.value)) == value, ref
        assert cell.number_format == number_format, ref
    # The rows below the total print a dash where the form has no figure: text, not a number.
    assert sheet["G8"].value == "-" and sheet["G8"].data_type == "s"


def test_a4_portrait_fitted_to_the_width_with_the_indicator_header_on_every_page(reference_xlsx):
    sheet = openpyxl.load_workbook(reference_xlsx).active
    # 9: A4 in the file format's list of paper sizes
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$14:$14"
    # Widths as templates/sheet.css sets them: 三级指标 14%, 未完成原因分析 18%, the side column 8%.
    widths = {column: sheet.column_dimensions[column].width for column in "ADI"}
    assert widths["I"] / widths["A"] == pytest.approx(18 / 8, rel=0.01)
    assert widths["D"] / widths["A"] == pytest.approx(14 / 8, rel=0.01)


def test_sheet_names_are_excel_s():
    assert sheet_name("a[b]:c*d?e/f\\g") == "a_b__c_d_e_f_g"
    long = "2024年中央政法纪检监察转移支付资金（办案费）-上级一般转移支付收入"
    assert len(long) > 31 and sheet_name(long) == long[:31]
    assert sheet_name(long, [long[:31]]) == long[:28] + "(2)"
    assert sheet_name("汇总", ["汇总", "汇总(2)"]) == "汇总(3)"


def _site(tmp_path: Path, form: Path = FORM, edit: tuple[str, str] | None = None) -> Path:
    """A site of one form, `edit` (old, new) applied to its text."""
    site = tmp_path / "site"
    (site / "content" / "2024").mkdir(parents=True)
    (site / "formgen.toml").write_text("[site]\ntitle = \"测试\"\n", encoding="utf-8")
    text = form.read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    (site / "content" / "2024" / form.name).write_text(text, encoding="utf-8")
    return site


def test_a_text_that_looks_like_a_formula_stays_text(tmp_path, capsys):
    site = _site(tmp_path, edit=("weight: 10, score: 10}\n  - {level1: 产出指标, level2: 成本指标, name: 配电部分",
                                 "weight: 10, score: 10, note: \"=HYPERLINK(\\\"http://x\\\")\"}\n"
                                 "  - {level1: 产出指标, level2: 成本指标, name: 配电部分"))
    code, _, err = run(capsys, "export", "--format", "xlsx", str(site / "content"), "--out", str(tmp_path / "out"))
    assert code == 0, err
    path = tmp_path / "out" / "power-system-renovation.xlsx"
    sheet = openpyxl.load_workbook(path).active
    assert sheet["J21"].value == '=HYPERLINK("http://x")' and sheet["J21"].data_type == "s"
    assert sheet["E19"].value == "＝215000元" and sheet["E19"].data_type == "s"
    assert "<f>" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_spaces_between_character_references_stay_in_the_conclusion(tmp_path, capsys, fmt):
    """The sheet's HTML writes < > and a no-break space as character references (&lt; &gt; &nbsp;): the
    spaces between and beside them are the clerk's text, not the space between two paragraphs."""
    sentence = "避免“重建设轻管理”。"
    site = _site(tmp_path, edit=(sentence, sentence + "比较符号 < > 之间有空格，金额\u00a0100万元。"))
    code, _, err = run(capsys, "export", "--format", fmt, str(site / "content"), "--out", str(tmp_path / "out"))
    assert code == 0, err
    path = tmp_path / "out" / f"power-system-renovation.{fmt}"
    if fmt == "xlsx":
        texts = [str(cell.value) for row in openpyxl.load_workbook(path).active.iter_rows() for cell in row]
    else:
        texts = [cell.text for table in docx.Document(str(path)).tables for row in table.rows for cell in row.cells]
    conclusion = next(text for text in texts if "比较符号" in text)
    assert "比较符号 < > 之间有空格，金额\u00a0100万元。" in conclusion


def test_the_same_forms_give_the_same_bytes(tmp_path):
    for fmt in ("xlsx", "docx"):
        first, second = tmp_path / f"{fmt}-1", tmp_path / f"{fmt}-2"
        assert main(["export", "--format", fmt, str(CONTENT), "--out", str(first)]) == 0
        assert main(["export", "--format", fmt, str(CONTENT), "--out", str(second)]) == 0
        names = sorted(path.name for path in first.iterdir())
        assert len(names) == 10 and names == sorted(path.name for path in second.iterdir())
        for name in names:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert main(["export", "--format", "xlsx", "--combined", str(CONTENT), "--out", str(tmp_path / "c1")]) == 0
    assert main(["export", "--format", "xlsx", "--combined", str(CONTENT), "--out", str(tmp_path / "c2")]) == 0
    assert (tmp_path / "c1" / "forms.xlsx").read_bytes() == (tmp_path / "c2" / "forms.xlsx").read_bytes()


def _indicator_count(folder: Path) -> int:
    """The indicator rows of the form files under `folder`, counted from their front matter."""
    return sum(len(yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["indicators"])
               for path in folder.rglob("*.md"))


def test_the_combined_workbook_has_a_row_per_form_and_per_indicator(tmp_path, capsys):
    code, out, _ = run(capsys, "export", "--format", "xlsx", "--combined", str(CONTENT), "--out", str(tmp_path))
    assert code == 0 and "1 file written" in out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["forms.xlsx"]
    book = openpyxl.load_workbook(tmp_path / "forms.xlsx")
    assert book.sheetnames == ["汇总", "绩效指标"]
    summary, indicators = book["汇总"], book["绩效指标"]
    assert summary.max_row == 1 + 10
    assert indicators.max_row == 1 + _indicator_count(CONTENT)
    headers = [cell.value for cell in summary[1]]
    assert headers[:3] == ["slug", "项目名称", "年度"] and "全年预算数" in headers and "执行率" in headers
    row = next(row for row in summary.iter_rows(min_row=2) if row[0].value == "power-system-renovation")
    cells = dict(zip(headers, row, strict=True))
    assert Decimal(str(cells["全年预算数"].value)) == Decimal("845371.59")
    assert cells["全年预算数"].number_format == "#,##0.00"
    assert Decimal(str(cells["执行率"].value)) == Decimal("0.7093") and cells["执行率"].number_format == "0.00%"
    assert Decimal(str(cells["总分"].value)) == Decimal("97.09") and cells["年度"].value == 2024
    for sheet in (summary, indicators):
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    heads = [cell.value for cell in indicators[1]]
    assert heads[4:11] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]


def test_a_site_with_an_error_is_not_exported(tmp_path, capsys):
    site = _site(tmp_path, edit=("weight: 30, score: 30}", "weight: 30, score: 31}"))
    code, _, err = run(capsys, "export", "--format", "xlsx", str(site / "content"), "--out", str(tmp_path / "out"))
    # The score above its weight, and the stated 总分 97.09 that no longer adds up: both named, nothing written.
    assert code == 1 and "export refused: 2 errors (run `formgen check`)" in err
    assert "power-system-renovation.md:" in err and "98.09" in err
    assert not (tmp_path / "out").exists()


def test_usage_errors_say_what_to_write(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--format", "xlsx", str(FORM))
    assert code != 0 and "--out" in err
    code, _, err = run(capsys, "export", "--format", "docx", "--combined", str(FORM), "--out", str(tmp_path))
    assert code != 0 and "--format xlsx" in err
    code, _, err = run(capsys, "export", "--format", "json", "--out", str(tmp_path), str(FORM))
    assert code != 0 and "standard output" in err


@pytest.mark.chinese
def test_usage_errors_are_in_chinese(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--format", "xlsx", str(FORM))
    assert code != 0 and chinese_share(err) >= 0.7, err


def test_out_through_a_link_out_of_the_site_is_refused(tmp_path, capsys):
    site = _site(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "exported").symlink_to(elsewhere)
    code, _, err = run(capsys, "export", "--format", "xlsx", str(site / "content"), "--out", str(site / "exported"))
    assert code != 0 and "leads outside the site" in err
    assert not any(elsewhere.iterdir())


def test_another_profile_exports_its_own_rows_columns_and_unit(tmp_path, capsys):
    """The central profile (中央部门, 万元): 9 columns (no 备注), 4 funding rows, amounts in 万元; the published
    form states 执行率 97.80 and 得分 9 where formgen computes 31.69 / 32.4 = 97.81% and 10 × 97.81% = 9.78."""
    code, _, err = run(capsys, "export", "--format", "xlsx", str(CENTRAL / "content"), "--out", str(tmp_path))
    assert code == 0, err
    sheet = openpyxl.load_workbook(tmp_path / "wildlife-shelter.xlsx").active
    assert sheet.max_column == 9 and "A1:I1" in _merged(sheet)
    assert sheet["A1"].value == "项目支出绩效自评表"
    assert sheet["A6"].value == "项目\n资金\n（万元）" and "A6:A10" in _merged(sheet)
    assert sheet["B7"].value == "年度资金总额"
    assert Decimal(str(sheet["E7"].value)) == Decimal("32.4") and sheet["E7"].number_format == "#,##0.00"
    assert Decimal(str(sheet["F7"].value)) == Decimal("31.69")
    assert Decimal(str(sheet["D7"].value)) == 0 and sheet["D7"].number_format == "#,##0.00"  # 0.00 as printed
    # As the PDF: the figures the published form states in the cells, formgen's in the cells' notes.
    assert Decimal(str(sheet["H7"].value)) == Decimal("0.978") and sheet["H7"].number_format == "0.00%"
    assert sheet["H7"].comment.text.startswith("计算值 97.81\n")  # 计算值 in every language: import reads it
    assert Decimal(str(sheet["I7"].value)) == Decimal("9") and sheet["I7"].comment.text.startswith("计算值 9.78\n")
    assert [cell.value for cell in sheet[13]][-1] == "偏差原因分析及改进措施"
    # The Word document: the same 9 columns and 万元, the published figures with formgen's under them, as printed.
    assert run(capsys, "export", "--format", "docx", str(CENTRAL / "content"), "--out", str(tmp_path))[0] == 0
    top = docx.Document(str(tmp_path / "wildlife-shelter.docx")).tables[0]
    assert len(top.columns) == 9 and top.cell(2, 0).text == "项目\n资金\n（万元）"
    assert [top.cell(3, i).text for i in (4, 5, 7, 8)] == ["32.40", "31.69", "97.80\n计算值 97.81", "9\n计算值 9.78"]


def test_the_word_document_has_the_form_s_tables(reference_docx):
    document = docx.Document(str(reference_docx))
    heading = document.paragraphs[0]
    assert heading.text == "项目支出绩效目标自评表" and heading.style.name == "Heading 1"
    assert [p.text for p in document.paragraphs[1:3]] == ["（2024年度）", "单位（盖章）：\t填报日期：20250123"]
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    top, indicators, end = document.tables
    assert len(top.columns) == len(indicators.columns) == len(end.columns) == 10
    # Merged cells: 项目名称 over three columns, the funding side label down six rows.
    assert top.cell(0, 0)._tc is top.cell(0, 2)._tc and top.cell(0, 0).text == "项目名称"
    assert top.cell(2, 0)._tc is top.cell(7, 0)._tc
    total = top.rows[3]
    assert [total.cells[i].text for i in (3, 4, 5, 7, 8)] == ["845,371.59", "845,371.59", "599,619.76", "70.93", "7.09"]
    assert total.cells[3].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    # The 绩效指标 header row repeats on every page; 总分 and the conclusion in the last table.
    assert indicators.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert indicators.cell(1, 3).text == "维修改造面积"
    assert end.cell(0, 0).text == "总　　分" and end.cell(0, 7).text == "97.09"
    # Chinese characters in a font that has them.
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"


def test_export_to_json_is_unchanged_by_the_new_formats(capsys, project_root):
    code, out, _ = run(capsys, "export", str(FORM))
    assert code == 0 and out.startswith("{") and '"845371.59"' in out


def test_an_office_export_leaves_the_site_as_it_was(tmp_path, capsys):
    site = _site(tmp_path)
    before = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    assert run(capsys, "export", "--format", "docx", str(site / "content"), "--out", str(tmp_path / "o"))[0] == 0
    assert {path: path.read_bytes() for path in site.rglob("*") if path.is_file()} == before


def test_an_amount_keeps_the_decimals_entered_where_the_sheet_rounds_it(tmp_path, capsys):
    """万元 may be entered to the yuan (32.4037 万元) and the central sheet prints two decimals (32.40): the cell
    holds 32.4037, shown 32.40 by its format, so that a sum, or an import of the file, gets the form's figure."""
    site = tmp_path / "central"
    shutil.copytree(CENTRAL, site)
    form = site / "content" / "2023" / "wildlife-shelter.md"
    form.write_text(form.read_text(encoding="utf-8").replace("budget: 32.4,", "budget: 32.4037,"), encoding="utf-8")
    code, _, err = run(capsys, "export", "--format", "xlsx", str(site / "content"), "--out", str(tmp_path / "out"))
    assert code == 0, err
    sheet = openpyxl.load_workbook(tmp_path / "out" / "wildlife-shelter.xlsx").active
    for ref in ("E7", "E8"):  # 年度资金总额 and 其中：当年财政拨款
        assert Decimal(str(sheet[ref].value)) == Decimal("32.4037") and sheet[ref].number_format == "#,##0.00"
    # 31.69 ÷ 32.4037 = 97.797…%: the rate the sheet prints, 97.80%.
    assert Decimal(str(sheet["H7"].value)) == Decimal("0.9780") and sheet["H7"].number_format == "0.00%"
