"""Office files made the way a unit makes them, built in code: the 中央 template (财预〔2020〕10号) filled in
Excel (openpyxl) and in Word (python-docx) with the figures of a real published form,
tests/fixtures/published/yunnan-2023-linxiang-wildlife-shelter.yaml — a layout no file formgen writes has.

As in Excel: the title merged across the table, 项目资金（万元） merged down its rows, 主管部门 and 实施单位 on
one row, 一级 and 二级指标 merged down the rows they head; figures typed as numbers (32.4, 31.69, 10); 97.80%
typed as a percent (the cell holds 0.978, formatted 0.00%), 100% likewise (1, formatted 0%); 2023年12月 typed
as a date (Excel turns it into 2023-12-01 shown as yyyy"年"m"月"). A Word table holds text only: the same
cells, the same merges.

What the published copy does not show is left as it shows it: the 年初预算数 cells are empty; the copy ends in
the 满意度指标 row after its name, so the workbook has no 满意度指标 row and its 总分 row has no figures; the
template's 上年结转资金 and 其他资金 rows, which the copy leaves out, hold 0. The 当年财政拨款 row repeats the total
row's 分值, 执行率 and 得分, as the copy prints them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

SOURCE = "tests/fixtures/published/yunnan-2023-linxiang-wildlife-shelter.yaml"

TITLE = "2023年马鹿坑国有林场新建野生动物收容所建设项目"
UNIT = "临沧市临翔区林业和草原局"
EXPECTED = "（概述）为国有林场补建野生动物临时收容所（约200平方米）和钢结构围栏（约120米），救助受伤野生动物"
ACHIEVED = "（概述）收容所与围栏按目标建成"

PERCENT = "0.00%"
WHOLE_PERCENT = "0%"
MONTH = 'yyyy"年"m"月"'

# (cell value, number format or None): what Excel holds once the clerk has typed the cell.
Cell = tuple[Any, str | None]

FUNDS: list[tuple[str, list[Cell]]] = [
    ("年度资金总额", [("", None), (Decimal("32.4"), None), (Decimal("31.69"), None), (10, None),
                ((Decimal("0.978")), PERCENT), (9, None)]),
    ("其中：当年财政拨款", [("", None), (Decimal("32.4"), None), (Decimal("31.69"), None), (10, None),
                   (Decimal("0.978"), PERCENT), (9, None)]),
    ("上年结转资金", [(0, None), (0, None), (0, None), ("-", None), ("-", None), ("-", None)]),
    ("其他资金", [(0, None), (0, None), (0, None), ("-", None), ("-", None), ("-", None)]),
]
"""年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分 of each funding row, in 万元."""

INDICATORS: list[tuple[str, str, str, Cell, Cell, int, int, str]] = [
    ("产出指标", "数量指标", "野生动物收容所", ("≥200平方米", None), ("204.46平方米", None), 10, 10, "无"),
    ("产出指标", "数量指标", "钢结构圈养围栏", ("≥120米", None), ("121.5米", None), 10, 10, "无"),
    ("产出指标", "时效指标", "项目完工时限", (datetime(2023, 12, 1), MONTH), (datetime(2023, 10, 1), MONTH), 15, 15,
     "无"),
    ("产出指标", "质量指标", "项目竣工验收率", (1, WHOLE_PERCENT), (1, WHOLE_PERCENT), 15, 15, "无"),
    ("效益指标", "经济效益指标", "务工人员年人均增收", ("≥8400元", None), ("8400元", None), 10, 10, "无"),
    ("效益指标", "社会效益指标", "提供务工岗位", ("≥5个", None), ("5个", None), 10, 10, "无"),
    ("效益指标", "可持续影响指标", "项目建成后可持续影响年限", ("≥15年", None), ("15年", None), 10, 10, "无"),
]
"""The indicator rows as published: 一级, 二级, 三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施."""

FUND_COLUMNS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
INDICATOR_COLUMNS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "偏差原因分析及改进措施"]
WIDTH = 10  # columns A–J: the label column, then the nine of the indicator table (the reason spans I:J)


def _shown(cell: Cell) -> str:
    """A cell as Excel shows it, which is what a Word table holds: 0.978 as 97.80%, a date as 2023年12月."""
    value, number_format = cell
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月"
    if number_format == PERCENT:
        return f"{Decimal(value) * 100:.2f}%"
    if number_format == WHOLE_PERCENT:
        return f"{Decimal(value) * 100:.0f}%"
    return str(value)


def _rows() -> list[tuple[list[Cell], list[tuple[int, int, int, int]]]]:
    """The table row by row (WIDTH cells each, "" where a merge covers it) with its merges (first row, first
    column, last row, last column; 0-based, rows counted from the table's first)."""
    rows: list[list[Cell]] = []
    merges: list[tuple[int, int, int, int]] = []

    def row(*cells: Any) -> int:
        filled = [cell if isinstance(cell, tuple) else (cell, None) for cell in cells]
        rows.append(filled + [("", None)] * (WIDTH - len(filled)))
        return len(rows) - 1

    merges.append((row("项目支出绩效自评表"), 0, 0, WIDTH - 1))
    merges.append((row("（2023年度）"), 0, 1, WIDTH - 1))
    at = row("项目名称", TITLE)
    merges.append((at, 1, at, WIDTH - 1))
    at = row("主管部门", UNIT, "", "", "", "实施单位", UNIT)
    merges += [(at, 1, at, 4), (at, 6, at, WIDTH - 1)]
    top = row("项目资金（万元）", "", "", "", *FUND_COLUMNS)
    merges.append((top, 1, top, 3))
    for label, cells in FUNDS:
        at = row("", label, "", "", *cells)
        merges.append((at, 1, at, 3))
    merges.append((top, 0, len(rows) - 1, 0))
    top = row("年度总体目标", "预期目标", "", "", "", "实际完成情况")
    merges += [(top, 1, top, 4), (top, 5, top, WIDTH - 1)]
    at = row("", EXPECTED, "", "", "", ACHIEVED)
    merges += [(at, 1, at, 4), (at, 5, at, WIDTH - 1), (top, 0, at, 0)]
    top = row("绩效指标", *INDICATOR_COLUMNS)
    merges.append((top, 8, top, 9))
    spans: dict[tuple[int, str], list[int]] = {}
    for level1, level2, name, target, actual, weight, score, reason in INDICATORS:
        at = row("", level1, level2, name, target, actual, weight, score, reason)
        merges.append((at, 8, at, 9))
        spans.setdefault((1, level1), []).append(at)
        spans.setdefault((2, f"{level1}/{level2}"), []).append(at)
    for (column, _name), lines in spans.items():
        if len(lines) > 1:
            merges.append((lines[0], column, lines[-1], column))
            for line in lines[1:]:
                rows[line][column] = ("", None)  # a merged cell keeps its value in its first cell only
    at = row("总分", "", "", "", "", "", "", "")
    merges += [(at, 0, at, 5), (top, 0, at - 1, 0)]
    return [(cells, [merge for merge in merges if merge[0] == index]) for index, cells in enumerate(rows)]


def central_workbook(path: Path) -> Path:
    """The form as an .xlsx: one sheet named after the project, the table from A1, merged cells, borders,
    numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "马鹿坑收容所"
    thin = Side(style="thin")
    for number, (cells, merges) in enumerate(_rows(), start=1):
        for column, (value, number_format) in enumerate(cells, start=1):
            target = sheet.cell(row=number, column=column)
            if value != "":
                target.value = float(value) if isinstance(value, Decimal) else value
            if number_format:
                target.number_format = number_format
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if number > 2:
                target.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        for first_row, first_column, last_row, last_column in merges:
            sheet.merge_cells(start_row=first_row + 1, start_column=first_column + 1, end_row=last_row + 1,
                              end_column=last_column + 1)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for letter, width in zip("ABCDEFGHIJ", (10, 10, 12, 16, 14, 14, 6, 8, 10, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    book.save(path)
    return path


def central_document(path: Path) -> Path:
    """The form as a .docx: the title and year as paragraphs, then one table of the same cells and merges,
    every cell text as Excel shows it."""
    from docx import Document

    document = Document()
    rows = _rows()[2:]  # the title and the year are paragraphs above a Word table
    document.add_paragraph("项目支出绩效自评表")
    document.add_paragraph("（2023年度）")
    table = document.add_table(rows=len(rows), cols=WIDTH)
    table.style = "Table Grid"
    for number, (cells, _merges) in enumerate(rows):
        for column, cell in enumerate(cells):
            text = _shown(cell)
            if text:
                table.cell(number, column).text = text
    for first_row, first_column, last_row, last_column in (merge for _cells, merges in rows for merge in merges):
        # python-docx merges the text of every cell it joins: the covered cells are empty.
        table.cell(first_row - 2, first_column).merge(table.cell(last_row - 2, last_column))
    document.save(str(path))
    return path
