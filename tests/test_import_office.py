"""formgen import of Excel workbooks (.xlsx, .xls) and Word documents (.docx), as a clerk makes and sends them.

The workbooks and documents are built here, cell by cell, in the layout of the printed 自评表 (a merged
title, the funding table, the goals, indicator rows with 一级 and 二级 merged down, the total, a
conclusion of several paragraphs): no binary fixture but the one .xls (tests/fixtures/office/README.md).
Each imported form is compared with content/'s hand-made one through `formgen export --format json`,
figure for figure.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import frontmatter
import pytest

from generator.findings import Level
from generator.importing.office import number_text

from .conftest import CONTENT
from .test_import import assert_same_forms, export, run

FORM = CONTENT / "2024" / "power-system-renovation.md"
FIXTURES = Path(__file__).parent / "fixtures" / "office"
WIDTH = 10  # columns A..J, as the printed table has ten at its widest (the indicator rows)
FUND_ROWS = (("total", "年度资金总额"), ("fiscal", "财政拨款"), ("own", "本级安排"), ("transfer", "其中：上级补助"),
             ("other", "其他"))
HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值(A)", "实际完成值(B)", "分值", "得分", "未完成原因分析",
          "备注")
OTHER = CONTENT / "2024" / "trial-support-services.md"


# --- a form as a grid of cells ------------------------------------------------------------------------------

Cell = tuple[int, int, int, int, Any, str | None]
"""first row, last row, first column, last column (from 1), value, number format (None: General)."""


class _Sheet:
    """Cells put row by row, as a clerk fills a sheet: `row` is the row being filled."""

    def __init__(self, top: int) -> None:
        self.row = top
        self.cells: list[Cell] = []

    def put(self, value: Any, first: int, last: int | None = None, rows: int = 1, fmt: str | None = None) -> None:
        self.cells.append((self.row, self.row + rows - 1, first, last or first, value, fmt))


def form_cells(path: Path = FORM, top: int = 1, *, money: Callable[[str], Any] = float,
               rate_as_percent: bool = True) -> tuple[list[Cell], int]:
    """The cells of a form as a clerk lays it out in Excel, from `top` down, and the row after it.
    Money is a number (a float, as Excel holds it); the execution rate a fraction with a percent format."""
    post = frontmatter.load(path)
    form = post.metadata
    sheet = _Sheet(top)
    put = sheet.put
    put("项目支出绩效目标自评表", 1, WIDTH)
    sheet.row += 1
    put(f"（{form['year']}年度）", 1, WIDTH)
    sheet.row += 1
    put("单位（盖章）：", 1, 5)
    put(f"填报日期：{form['filled_on']}", 6, WIDTH)
    sheet.row += 1
    put("项目名称", 1, 3)
    put(form["title"], 4, WIDTH)
    sheet.row += 1
    put("主管部门及代码", 1, 3)
    put(f"[{form['department']['code']}]{form['department']['name']}", 4, 6)
    put("实施单位", 7)
    put(form["implementer"], 8, WIDTH)
    sheet.row += 1
    _fund_rows(sheet, form["funds"], money, rate_as_percent)
    put("年度总体目标", 1, 1, rows=2)
    put("预期目标", 2, 5)
    put("实际完成情况", 6, WIDTH)
    sheet.row += 1
    put(form["goals"]["expected"], 2, 5)
    put(form["goals"]["actual"], 6, WIDTH)
    sheet.row += 1
    _indicator_rows(sheet, form["indicators"])
    put("总　　分", 1, 6)
    put(100, 7)
    put(float(form["stated"]["total"]), 8)
    sheet.row += 1
    put("自评结论", 1)
    put(post.content.strip().replace("\n\n", "\n"), 2, WIDTH)
    sheet.row += 1
    put(f"联系人：{form['contact']}", 1, WIDTH)
    return sheet.cells, sheet.row + 1


def _fund_rows(sheet: _Sheet, funds: dict[str, Any], money: Callable[[str], Any], rate_as_percent: bool) -> None:
    """项目资金（元）: its header row, then a row per source; the total row has the 分值, 执行率 and 得分."""
    put = sheet.put
    put("项目资金（元）", 1, 1, rows=len(FUND_ROWS) + 1)
    for column, label in zip((2, 4, 5, 6, 7, 8, 9), ("资 金 来 源", "年初预算数", "全年预算数（A）", "全年执行数（B）",
                                                    "分值", "执行率", "得分"), strict=True):
        put(label, column, 3 if column == 2 else WIDTH if column == 9 else None)
    sheet.row += 1
    total = funds["total"]
    rate = Decimal(str(total["executed"])) / Decimal(str(total["budget"]))
    for key, label in FUND_ROWS:
        put(label, 2, 3)
        for column, name in zip((4, 5, 6), ("initial", "budget", "executed"), strict=True):
            put(money(str(funds[key][name])), column, fmt="#,##0.00")
        if key == "total":
            put(10, 7)
            put(float(rate) if rate_as_percent else f"{rate * 100:.2f}%", 8, fmt="0.00%" if rate_as_percent else None)
            put(float(Decimal(10) * rate.quantize(Decimal("0.0001"))), 9, WIDTH, fmt="0.00")
        else:
            put("—", 7)
            put("—", 8)
            put("—", 9, WIDTH)
        sheet.row += 1


def _indicator_rows(sheet: _Sheet, indicators: list[dict[str, Any]]) -> None:
    """The 绩效指标 header and a row per indicator, a 一级 or 二级指标 merged down the rows it spans."""
    put = sheet.put
    for column, label in enumerate(HEADER, start=2):
        put(label, column)
    sheet.row += 1
    put("绩效指标", 1, 1, rows=len(indicators))
    for index, indicator in enumerate(indicators):
        for column, key in ((2, "level1"), (3, "level2")):
            if index == 0 or indicators[index - 1][key] != indicator[key] or \
                    indicators[index - 1]["level1"] != indicator["level1"]:
                put(indicator[key], column, rows=_level_span(indicators, index, key))
        put(indicator["name"], 4)
        put(str(indicator["target"]), 5)
        put(str(indicator["actual"]), 6)
        put(indicator["weight"], 7)
        put(indicator["score"], 8)
        for column, key in ((9, "reason"), (10, "note")):
            if indicator.get(key):
                put(str(indicator[key]), column)
        sheet.row += 1


def _level_span(indicators: list[dict[str, Any]], index: int, key: str) -> int:
    """How many rows from `index` on share its 一级 (and, for level2, 二级) indicator."""
    span = 1
    while index + span < len(indicators) and indicators[index + span][key] == indicators[index][key] \
            and indicators[index + span]["level1"] == indicators[index]["level1"]:
        span += 1
    return span


def workbook(sheets: dict[str, list[Cell]]) -> Any:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, cells in sheets.items():
        sheet = book.create_sheet(name)
        for first_row, last_row, first_column, last_column, value, fmt in cells:
            cell = sheet.cell(first_row, first_column, value)
            if fmt:
                cell.number_format = fmt
            if (first_row, first_column) != (last_row, last_column):
                sheet.merge_cells(start_row=first_row, end_row=last_row, start_column=first_column,
                                  end_column=last_column)
    return book


def save_xlsx(path: Path, sheets: dict[str, list[Cell]]) -> Path:
    workbook(sheets).save(path)
    return path


def save_docx(path: Path, forms: list[list[Cell]]) -> Path:
    """Each form as a Word user writes it: the title, the year and 填报日期 as paragraphs, the table below."""
    import docx

    document = docx.Document()
    for cells in forms:
        above = [cell for cell in cells if cell[0] <= 3]
        table_cells = [cell for cell in cells if cell[0] > 3 and not str(cell[4]).startswith("联系人")]
        for cell in above:
            document.add_paragraph(str(cell[4]))
        first = min(cell[0] for cell in table_cells)
        rows = max(cell[1] for cell in table_cells) - first + 1
        table = document.add_table(rows=rows, cols=WIDTH)
        for first_row, last_row, first_column, last_column, value, fmt in table_cells:
            target = table.cell(first_row - first, first_column - 1)
            if (first_row, first_column) != (last_row, last_column):
                target = target.merge(table.cell(last_row - first, last_column - 1))
            text = number_text(Decimal(str(value)), fmt or "General") if isinstance(value, float) else str(value)
            lines = text.split("\n")
            target.text = lines[0]
            for line in lines[1:]:
                target.add_paragraph(line)
        for cell in cells:
            if str(cell[4]).startswith("联系人"):
                document.add_paragraph(str(cell[4]))
    document.save(path)
    return path


@pytest.fixture
def site(tmp_path: Path, project_root: Path) -> Path:
    return tmp_path / "imported"


def import_ok(capsys, site: Path, *files: Path) -> str:
    code, out, err = run(capsys, "import", *files, "--out", site / "2024")
    assert code == 0 and not err, out
    return out


def hand_made(capsys, *forms: Path) -> list[dict]:
    """The export records of content/'s forms, by file."""
    return [record for record in export(capsys, CONTENT / "2024") if record["slug"] in {form.stem for form in forms}]


# --- workbooks ------------------------------------------------------------------------------------------

def test_a_workbook_in_the_printed_layout_imports_to_the_hand_made_form(capsys, site, tmp_path):
    cells, _ = form_cells()
    out = import_ok(capsys, site, save_xlsx(tmp_path / "form.xlsx", {"电力": cells}))
    assert "0 errors, 0 warnings — ok" in out, out
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM))


def test_two_sheets_are_two_forms_and_two_forms_stacked_on_one_sheet_too(capsys, site, tmp_path):
    other = OTHER
    first, _ = form_cells()
    second, _ = form_cells(other)
    stacked_first, after = form_cells(top=1)
    stacked_second, _ = form_cells(other, top=after + 2)
    books = [save_xlsx(tmp_path / "sheets.xlsx", {"表一": first, "表二": second}),
             save_xlsx(tmp_path / "stacked.xlsx", {"汇总": stacked_first + stacked_second})]
    for number, book in enumerate(books):
        out = import_ok(capsys, site / str(number), book)
        assert "2 forms imported from 1 file: 0 errors, 0 warnings — ok" in out, out
        assert_same_forms(export(capsys, site / str(number)), hand_made(capsys, FORM, other))
    # Each form is reported at the sheet and cell its heading is in.
    out = import_ok(capsys, site / "again", books[1])
    assert re.search(rf"stacked\.xlsx:sheet 汇总!A1: form 1 .*\n.*stacked\.xlsx:sheet 汇总!A{after + 2}: form 2",
                     out), out


def test_a_word_document_imports_to_the_hand_made_forms(capsys, site, tmp_path):
    other = OTHER
    document = save_docx(tmp_path / "forms.docx", [form_cells()[0], form_cells(other)[0]])
    out = import_ok(capsys, site, document)
    assert "2 forms imported from 1 file: 0 errors, 0 warnings — ok" in out, out
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM, other))


def test_numbers_are_read_as_the_cells_show_them(capsys, site, tmp_path):
    cells, _ = form_cells()
    changed = []
    for cell in cells:
        first_row, last_row, first_column, last_column, value, _format = cell
        if value == "90%":  # 维修改造工程验收合格率's actual, typed as a number with a percent format
            cell = (first_row, last_row, first_column, last_column, 0.9, "0%")
        elif first_column == 7 and value == 10 and first_row > 20:  # a weight of 10 as Excel stores it
            cell = (first_row, last_row, first_column, last_column, 10.0, "0.00")
        changed.append(cell)
    import_ok(capsys, site, save_xlsx(tmp_path / "form.xlsx", {"电力": changed}))
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM))


@pytest.mark.parametrize(("value", "number_format", "text"), [
    (52.2, "General", "52.2"),            # repr(52.2) is 52.2; no binary noise
    (52.2, "0.00", "52.2"),               # not padded: the figure is 52.2
    (0.1 + 0.2, "General", "0.3"),        # a formula's 0.30000000000000004: Excel shows (and keeps) 15 digits
    (7.093, "0.00", "7.09"),              # more decimals than the cell shows: the form says 7.09
    (845371.585, "#,##0.00", "845371.59"),  # rounded half up, as Excel rounds what it shows
    (1076430.0, "#,##0.00", "1076430"),   # an integer without ".0"
    (0.7093, "0.00%", "70.93%"),          # a percent as the cell shows it
    (0.7, "0%", "70%"),
    (1, "0.0%", "100.0%"),
    (5, "General", "5"),
])
def test_a_number_cell_text(value, number_format, text):
    assert number_text(value, number_format) == text


def _moved(cells: list[Cell], name: str, column: int, to: int | None = None, value: Any = None) -> list[Cell]:
    """The cells with the one in `column` of the indicator row `name` moved to column `to` (None: removed)."""
    row = next(cell[0] for cell in cells if cell[4] == name)
    result = []
    for cell in cells:
        if cell[0] == row and cell[2] == column:
            if to is None:
                continue
            cell = (row, row, to, to, cell[4] if value is None else value, cell[5])
        result.append(cell)
    return result


def test_a_figure_out_of_its_column_is_reported_not_shifted(capsys, site, tmp_path):
    cells, _ = form_cells()
    row = next(cell[0] for cell in cells if cell[4] == "保障维修楼栋数量")
    # The score "0" typed into 未完成原因分析 (column I), 得分 (H) left empty: the shifted row.
    moved = _moved(cells, "保障维修楼栋数量", 8, 9, 0)
    code, out, err = run(capsys, "import", save_xlsx(tmp_path / "form.xlsx", {"电力": moved}), "--out", site)
    assert code == 1 and not err
    assert re.search(rf"form\.xlsx:sheet 电力!I{row}: error: the indicator row “保障维修楼栋数量” has the figure “0” "
                     r"under 未完成原因分析 and nothing under 得分.*\[import-misaligned\]", out), out
    # A figure beside the table's columns (K) is reported where it is, and placed nowhere.
    beyond = _moved(cells, "维修改造面积", 8, 11)
    row = next(cell[0] for cell in cells if cell[4] == "维修改造面积")
    code, out, err = run(capsys, "import", save_xlsx(tmp_path / "beyond.xlsx", {"电力": beyond}), "--out",
                         site / "beyond")
    assert code == 1 and not err
    assert re.search(rf"beyond\.xlsx:sheet 电力!K{row}: error: the cell “5” in the indicator table lies under no "
                     r"column of the header.*\[import-misaligned\]", out), out
    written = frontmatter.load(next((site / "beyond").glob("*.md")))
    assert not written["indicators"][0].get("score")  # not guessed


def test_notes_name_the_sheet_and_cell_or_the_table_row_and_column(capsys, site, tmp_path):
    cells, _ = form_cells()
    row = next(cell[0] for cell in cells if cell[4] == "维修改造面积")
    # The 指标值 cell left empty: required in every form of the profile, so still to fill in (an empty 实际完成值
    # is an unfilled copy's, written empty: tests/test_import_empty.py).
    cells = [cell if not (cell[0] == row and cell[2] == 5) else (row, row, 5, 5, "", None) for cell in cells]
    code, out, _ = run(capsys, "import", save_xlsx(tmp_path / "form.xlsx", {"电力": cells}), "--out", site)
    assert code == 1
    assert f"form.xlsx:sheet 电力!D{row}: error: the indicator row “维修改造面积” has no target" in out, out
    document = save_docx(tmp_path / "form.docx", [cells])
    code, out, _ = run(capsys, "import", document, "--out", site / "docx")
    assert code == 1
    # The table starts at the form's fourth row (项目名称): the 三级指标 cell is in the table's column 4.
    assert f"form.docx:table 1 row {row - 3} column 4: error: the indicator row “维修改造面积” has no target" in out, \
        out


@pytest.mark.chinese
def test_a_misaligned_figure_is_reported_in_chinese(capsys, site, tmp_path):
    from .chinese import chinese_share

    cells, _ = form_cells()
    moved = _moved(cells, "保障维修楼栋数量", 8, 9, 0)
    code, out, _ = run(capsys, "import", save_xlsx(tmp_path / "form.xlsx", {"电力": moved}), "--out", site)
    assert code == 1
    line = next(line for line in out.splitlines() if "import-misaligned" in line)
    assert "工作表 电力!I" in line and chinese_share(line) >= 0.7, line


# --- files that are no form, or cannot be read --------------------------------------------------------------

def _compound_file(stream: str) -> bytes:
    """The start of an OLE compound file whose directory names `stream` (as Office's are laid out: header,
    then a directory sector of UTF-16 names) — enough for formgen to tell what it is, which is all it reads."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entry = stream.encode("utf-16-le").ljust(64, b"\0") + bytes(64)
    return header + entry + bytes(4096)


@pytest.mark.parametrize(("name", "content", "code", "says"), [
    ("locked.xlsx", _compound_file("EncryptedPackage"), "import-encrypted", "protected with a password"),
    ("locked.docx", _compound_file("EncryptedPackage"), "import-encrypted", "protected with a password"),
    ("old.doc", _compound_file("WordDocument"), "import-unreadable", "save it as .docx"),
    ("renamed.xlsx", _compound_file("WordDocument"), "import-unreadable", "save it as .docx"),
    ("cut.xlsx", None, "import-unreadable", "damaged"),
    ("other.xlsx", b"PK\x03\x04" + bytes(100), "import-unreadable", "damaged"),
    ("export.xls", "<html><body><table><tr><td>项目名称</td></tr></table></body></html>".encode(),
     "import-unreadable", "is named .xls but is not an Excel or Word file (a web page"),
    ("notes.docx", "项目名称 测试".encode(), "import-unreadable", "is named .docx but is not an Excel or Word file"),
])
def test_a_file_that_cannot_be_read_fails_clearly(capsys, site, tmp_path, name, content, code, says):
    path = tmp_path / name
    if content is None:  # the first half of a real workbook: a download cut short
        data = save_xlsx(tmp_path / "whole.xlsx", {"电力": form_cells()[0]}).read_bytes()
        content = data[: len(data) // 2]
    path.write_bytes(content)
    status, out, err = run(capsys, "import", path, "--out", site)
    assert status == 1 and not err, err
    assert re.search(rf"{re.escape(name)}: error: .*{re.escape(says)}.*\[{code}\]", out), out
    assert not site.exists()


def test_a_workbook_without_a_form_fails_clearly(capsys, site, tmp_path):
    empty = save_xlsx(tmp_path / "empty.xlsx", {"Sheet1": []})
    status, out, _ = run(capsys, "import", empty, "--out", site)
    assert status == 1 and "empty.xlsx: error: the workbook has no text in any cell" in out, out
    other = save_xlsx(tmp_path / "budget.xlsx", {"预算": [(1, 1, 1, 1, "科目", None), (1, 1, 2, 2, 1200.5, None)]})
    status, out, _ = run(capsys, "import", other, "--out", site)
    assert status == 1 and "budget.xlsx:sheet 预算!A1: error: no form found" in out and "[import-no-form]" in out, out
    # A form on one sheet beside an empty sheet and a sheet of notes: the form is imported.
    cells, _ = form_cells()
    mixed = save_xlsx(tmp_path / "mixed.xlsx", {"说明": [], "电力": cells})
    import_ok(capsys, site, mixed)
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM))


def test_a_huge_workbook_or_a_zip_bomb_is_refused_before_it_is_parsed(tmp_path):
    from generator.config import find_config, load_config
    from generator.importing import read_source
    from generator.importing.limits import Limits

    from .conftest import ROOT

    scheme = load_config(find_config(ROOT)).scheme
    cells, _ = form_cells()
    book = save_xlsx(tmp_path / "form.xlsx", {"电力": cells})
    source = read_source(book, scheme, limits=Limits(max_cells=50))
    assert [(note.code, note.level) for note in source.notes] == [("import-too-large", Level.ERROR)]
    assert "more than 50 cells" in source.notes[0].message and not source.drafts
    # A few hundred KB that claim 300 MB unpacked: refused from the zip's directory, before openpyxl reads it.
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(300):
                member.write(bytes(1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    source = read_source(bomb, scheme)
    assert [(note.code, note.level) for note in source.notes] == [("import-too-large", Level.ERROR)]
    assert "unpacks to more than 256 MB" in source.notes[0].message


def test_an_excel_97_workbook_imports_to_the_hand_made_forms(capsys, site, tmp_path):
    # Made with LibreOffice from the workbook form_cells() builds (tests/fixtures/office/README.md).
    out = import_ok(capsys, site, FIXTURES / "forms.xls")
    assert "forms.xls:sheet 电力!A1: form 1" in out and "forms.xls:sheet 审判辅助!A1: form 2" in out, out
    assert "2 forms imported from 1 file: 0 errors, 0 warnings — ok" in out, out
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM, OTHER))


def test_a_workbook_in_wan_yuan_is_converted_to_the_profiles_yuan(capsys, site, tmp_path):
    # A unit's workbook keeps money in 万元 (84.537159 for 845,371.59 元), as floats: converted exactly.
    cells, _ = form_cells(money=lambda text: float(Decimal(text) / 10000))
    cells = [(*cell[:4], "项目资金（万元）", None) if cell[4] == "项目资金（元）" else cell for cell in cells]
    cells = [(*cell[:5], "#,##0.000000") if cell[5] == "#,##0.00" else cell for cell in cells]
    book = save_xlsx(tmp_path / "wan.xlsx", {"电力": cells})
    code, out, _ = run(capsys, "import", book, "--out", site / "2024")
    assert code == 0 and "0 errors, 1 warning" in out and "[import-unit]" in out, out
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM))


def test_the_time_limit_holds_for_a_workbook(tmp_path):
    from generator.config import find_config, load_config
    from generator.importing import read_source
    from generator.importing.limits import Limits

    from .conftest import ROOT

    cells, after = form_cells()
    for number in range(1, 40):  # 40 forms stacked: far more than a millisecond's work
        cells += form_cells(top=after * number + 1)[0]
    book = save_xlsx(tmp_path / "many.xlsx", {"汇总": cells})
    source = read_source(book, load_config(find_config(ROOT)).scheme, limits=Limits(seconds=0.001))
    assert [(note.code, note.level) for note in source.notes] == [("import-too-slow", Level.ERROR)]
    assert not source.drafts


def _with_sheet_xml(book: Path, path: Path, before_end_of_data: str = "", after_data: str = "") -> Path:
    """A copy of a workbook with XML added to its first sheet: what no spreadsheet program would write."""
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", f"{before_end_of_data}</sheetData>{after_data}".encode())
            target.writestr(member, data)
    return path


def test_a_sheet_that_claims_billions_of_cells_is_read_by_the_cells_it_has(capsys, site, tmp_path):
    book = save_xlsx(tmp_path / "form.xlsx", {"电力": form_cells()[0]})
    # A merged range over the whole sheet: openpyxl would make 17 billion cells of it. Refused, at once.
    merged = _with_sheet_xml(book, tmp_path / "merged.xlsx",
                             after_data='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
    code, out, _ = run(capsys, "import", merged, "--out", site)
    assert code == 1 and "merged.xlsx: error: the file has more than 300,000 cells" in out, out
    # One cell at the sheet's far corner: the sheet is read by the cells it has, not by its rectangle.
    corner = _with_sheet_xml(book, tmp_path / "corner.xlsx", before_end_of_data=(
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>角落</t></is></c></row>'))
    code, out, _ = run(capsys, "import", corner, "--out", site / "2024")
    assert code == 0 and "corner.xlsx:sheet 电力!XFD1048576: warning: “角落” is not placed" in out, out
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM))


def test_an_excel_97_workbook_is_counted_before_it_is_read(tmp_path):
    from generator.config import find_config, load_config
    from generator.importing import read_source
    from generator.importing.limits import Limits

    from .conftest import ROOT

    scheme = load_config(find_config(ROOT)).scheme
    assert len(read_source(FIXTURES / "forms.xls", scheme, limits=Limits(max_cells=600)).drafts) == 2
    # 514 cells, the blanks LibreOffice writes under merged ranges included (516 as xlrd reads them)
    source = read_source(FIXTURES / "forms.xls", scheme, limits=Limits(max_cells=500))
    assert [(note.code, note.level) for note in source.notes] == [("import-too-large", Level.ERROR)]


def test_a_label_and_its_value_in_two_cells_and_a_real_date(capsys, site, tmp_path):
    # 填报日期 | 2025-01-23 (an Excel date) and 联系人 | 莫路路, each in two cells, as many units lay them out.
    import datetime

    cells, _ = form_cells()
    split = []
    for cell in cells:
        first_row, last_row, value = cell[0], cell[1], cell[4]
        if str(value).startswith("填报日期："):
            split += [(first_row, last_row, 6, 7, "填报日期", None),
                      (first_row, last_row, 8, WIDTH, datetime.datetime(2025, 1, 23), "yyyy-mm-dd")]
        elif str(value).startswith("联系人："):
            split += [(first_row, last_row, 1, 2, "联系人", None), (first_row, last_row, 3, WIDTH, "莫路路", None)]
        else:
            split.append(cell)
    out = import_ok(capsys, site, save_xlsx(tmp_path / "form.xlsx", {"电力": split}))
    assert "0 errors, 0 warnings — ok" in out, out
    assert_same_forms(export(capsys, site), hand_made(capsys, FORM))


def test_a_word_row_that_starts_later_than_the_grid_keeps_its_columns(tmp_path):
    # Word lets a row start at the second grid column (w:gridBefore): its first cell is in column 2.
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from generator.importing.office import _table_blocks

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(("一级指标", "二级指标", "三级指标")):
        table.cell(0, column).text = text
    row = table.rows[1]._tr
    row.remove(row.tc_lst[0])
    row.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
    row.tc_lst[0].clear_content()
    row.tc_lst[0].add_p().add_r().text = "数量指标"
    blocks, rows = _table_blocks(table, 1, 0, "form.docx", [])
    assert rows == 2
    placed = {block.text: str(block.where) for block in blocks}
    assert placed["数量指标"] == "form.docx:table 1 row 2 column 2"
    assert next(block for block in blocks if block.text == "数量指标").under(
        next(block for block in blocks if block.text == "二级指标"))
