"""A form's sheet (office.SheetGrid) as an Excel worksheet, and the site's summary sheets, with openpyxl.

Figures are numbers with the page's format (money ``#,##0.00`` with the profile's decimals, rates as a
fraction shown ``0.00%``, scores with the scheme's decimals), so that a clerk can sum them; texts are text,
never formulas (openpyxl would take any string starting with "=" for one).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..formatting import COMPUTED_NOTE, decimals_of
from ..i18n import _
from ..profile import MoneyFormat
from .office import Cell, SheetGrid
from .office_files import stable_zip

__all__ = ["SheetColumn", "add_form_sheet", "add_table_sheet", "new_workbook", "saved", "sheet_name"]

TOTAL_WIDTH = 120
"""The sheet's width in Excel's character units, shared by the columns as the style sheet's % say: about
A4's width at the table's font size (the print setup fits it to the page's width anyway)."""
FONT = "宋体"
"""A font every Chinese Excel and WPS has; LibreOffice substitutes its own CJK serif."""
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NAME_LIMIT = 31
"""Excel's limit on a sheet name's length."""


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """A worksheet's name from a form's 项目名称: the characters Excel forbids (``[]:*?/\\``) replaced by ``_``,
    cut to 31 characters, and told apart from the names already `taken` by a (2), (3)… at its end."""
    base = _FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", title)).strip("'") or "Sheet"
    used = {name.casefold() for name in taken}  # Excel compares sheet names without case
    name, number = base[:NAME_LIMIT], 1
    while name.casefold() in used:
        number += 1
        suffix = f"({number})"
        name = base[:NAME_LIMIT - len(suffix)] + suffix
    return name


def new_workbook(when: datetime) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)  # its empty first sheet: every sheet is named after what it holds
    workbook.properties.created = when
    workbook.properties.creator = "formgen"
    return workbook


def saved(workbook: Workbook, when: datetime) -> bytes:
    """The workbook's bytes, the same for the same content (see office_files)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_zip(buffer.getvalue(), when)


def _clean(text: str) -> str:
    """A text as a cell may hold it: without the control characters the file format forbids."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _put_text(cell: Any, text: str) -> None:
    cell.value = _clean(text)
    cell.data_type = "s"  # a text starting with = + - @ stays text: never a formula


def _put_number(cell: Any, value: Decimal, number_format: str) -> None:
    cell.value = value
    cell.number_format = number_format


def _decimals(places: int) -> str:
    return "." + "0" * places if places else ""


def money_format(money: MoneyFormat, value: Decimal) -> str:
    """The format of an amount as the profile prints it: its shown decimals, or none for a whole amount
    where the profile leaves them out (60,000 beside 845,371.59)."""
    places = money.shown_decimals if "." in money.show(value) else 0  # as the sheet prints it
    return "#,##0" + _decimals(places)


def _display_width(text: str) -> int:
    """A text's width in Excel's character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a cell `width` units wide."""
    usable = max(width - 1, 1)
    return sum(max(1, -(-_display_width(line) // int(usable))) for line in text.split("\n"))


def _write_cell(sheet: Worksheet, cell: Cell, top: int, money: MoneyFormat) -> Any:
    target = sheet.cell(row=top + cell.row, column=1 + cell.col)
    if cell.value is not None and cell.kind == "money":
        _put_number(target, cell.value, money_format(money, cell.value))
    elif cell.value is not None and cell.kind == "rate":
        _put_number(target, cell.value, "0" + _decimals(cell.decimals) + "%")
    elif cell.value is not None and cell.kind == "score":
        _put_number(target, cell.value, "0" + _decimals(cell.decimals))
    else:
        _put_text(target, cell.text)
    if cell.computed:
        # The note starts with “计算值 <figure>” in every language (COMPUTED_NOTE is not translated), as the PDF
        # and the document print it under the figure: `formgen import` reads formgen's figure from it.
        note = _("formgen's figure, computed from the form's other figures; the cell keeps the figure as printed")
        target.comment = Comment(f"{COMPUTED_NOTE} {cell.computed}\n{note}", "formgen")
    return target


def add_form_sheet(workbook: Workbook, title: str, grid: SheetGrid, money: MoneyFormat) -> Worksheet:
    """A worksheet laid out as the form's sheet: merged cells, thin borders on every table cell, the column
    widths of the style sheet, A4 portrait fitted to the width with the 绩效指标 header repeated on each page."""
    sheet = workbook.create_sheet(sheet_name(title, workbook.sheetnames))
    total = sum(grid.widths, Decimal(0)) or Decimal(1)
    widths = [float(width / total * TOTAL_WIDTH) for width in grid.widths]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width, 2)
    heights: dict[int, float] = {}
    for number, line in enumerate(grid.lines, start=1):
        for cell in line.cells:
            size = _lay_cell(sheet, cell, number, line.table is not None, money)
            # Excel does not grow a row for a wrapped text in merged cells: the height is set from the text.
            if cell.rowspan == 1 and not cell.vertical:
                lines = _lines(cell.text, sum(widths[cell.col:cell.col + cell.colspan]))
                line_height = size * 1.45
                heights[number] = max(heights.get(number, 0), lines * line_height + 4)
        if line.header:
            sheet.print_title_rows = f"{number}:{number}"
    _set_heights(sheet, grid, heights)
    _a4(sheet)
    return sheet


def _lay_cell(sheet: Worksheet, cell: Cell, number: int, boxed: bool, money: MoneyFormat) -> int:
    """A cell written on row `number` with its font, alignment, merge and (in a table) borders; returns its
    font size."""
    target = _write_cell(sheet, cell, 1, money)
    size = 16 if cell.size == "title" else 12 if cell.size == "year" else 10
    target.font = Font(name=FONT, size=size, bold=cell.bold)
    target.alignment = Alignment(horizontal=cell.align, vertical="center", wrap_text=True,
                                 text_rotation=255 if cell.vertical else 0, indent=cell.indent)
    last_row, last_col = number + cell.rowspan - 1, cell.col + cell.colspan
    if cell.rowspan > 1 or cell.colspan > 1:
        sheet.merge_cells(start_row=number, start_column=cell.col + 1, end_row=last_row, end_column=last_col)
    if boxed:
        for row in range(number, last_row + 1):
            for col in range(cell.col + 1, last_col + 1):
                sheet.cell(row=row, column=col).border = _BORDER
    return size


def _set_heights(sheet: Worksheet, grid: SheetGrid, heights: dict[int, float]) -> None:
    """Every row at least 18 points, and as tall as its wrapped texts and vertical labels need."""
    for number in range(1, len(grid.lines) + 1):
        heights[number] = max(heights.get(number, 0), 18)
    # A side label printed down the cell (绩效指标) needs its rows tall enough for one character per line.
    for number, line in enumerate(grid.lines, start=1):
        for cell in (cell for cell in line.cells if cell.vertical):
            rows = range(number, number + cell.rowspan)
            missing = len(cell.text) * 10 * 1.3 + 6 - sum(heights[row] for row in rows)
            for row in rows if missing > 0 else ():
                heights[row] += missing / cell.rowspan
    for number, height in heights.items():
        sheet.row_dimensions[number].height = round(height, 1)


def _a4(sheet: Worksheet) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.75, bottom=0.75, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True


SheetColumn = tuple[str, str]
"""A column of a summary sheet: its header and its kind ("text", "money", "rate", "score", "int")."""


TABLE_COLUMN_WIDTH = 10, 40
"""The narrowest and widest column of a summary sheet, in Excel's character units: a long 项目名称 wraps."""


def add_table_sheet(workbook: Workbook, name: str, columns: list[SheetColumn], rows: Iterable[list[Any]]) -> Worksheet:
    """A sheet of one header row and one row per record: figures numeric (Decimal in, a number out; None an
    empty cell), the header frozen and filtered, each column as wide as its longest text (within
    `TABLE_COLUMN_WIDTH`), printed on A4 landscape fitted to the width, the header on every page."""
    sheet = workbook.create_sheet(sheet_name(name, workbook.sheetnames))
    bold = Font(name=FONT, bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    widths = [_display_width(header) + 2 for header, _kind in columns]
    for col, (header, _kind) in enumerate(columns, start=1):
        target = sheet.cell(row=1, column=col)
        _put_text(target, header)
        target.font = bold
        target.border = _BORDER
        target.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    count = 1
    for count, values in enumerate(rows, start=2):
        for col, ((_header, kind), value) in enumerate(zip(columns, values, strict=True), start=1):
            if value is None or value == "":
                continue
            target = sheet.cell(row=count, column=col)
            if kind == "text":
                _put_text(target, str(value))
                target.alignment = wrap
                widths[col - 1] = max(widths[col - 1], _display_width(str(value)) + 2)
            else:
                number = Decimal(value)
                places = decimals_of(number)
                formats = {"money": "#,##0.00", "rate": "0" + _decimals(places) + "%", "int": "0"}
                _put_number(target, number / 100 if kind == "rate" else number,
                            formats.get(kind, "0" + _decimals(places)))
                widths[col - 1] = max(widths[col - 1], len(f"{number:,f}") + 3)
    narrowest, widest = TABLE_COLUMN_WIDTH
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = max(narrowest, min(widest, width))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"
    _a4(sheet)
    sheet.page_setup.orientation = "landscape"  # a row per form or indicator: wide, not tall
    sheet.print_title_rows = "1:1"
    return sheet
