"""A form's sheet (office.SheetGrid) as a Word document, with python-docx: the lines above and below the
tables as paragraphs (the 表名 as a heading), each table of the sheet as a Word table with its merged cells,
A4 portrait, in a font that has the Chinese characters. Figures are printed as the page prints them
(formatting.py made their text), right-aligned."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..formatting import COMPUTED_NOTE
from .office import Cell, Line, SheetGrid
from .office_files import stable_zip

__all__ = ["form_document"]

FONT = "宋体"
LATIN_FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Mm(15)
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _fonts(element: Any, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East Asian fonts of a style or a run: Word takes the Chinese characters' font from
    w:eastAsia, which python-docx's font.name does not set."""
    element.font.name = LATIN_FONT
    if size is not None:
        element.font.size = Pt(size)
    if bold is not None:
        element.font.bold = bold
    fonts = element.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)


def _fill(target: Any, cell: Cell, size: float) -> None:
    """A table cell's text: one paragraph per line, aligned as the page aligns it; a vertical side label one
    character per line, as printed; under a published form's figure formgen's where it differs, as the
    PDF prints it (计算值 9.78)."""
    lines = list(cell.text) if cell.vertical else cell.text.split("\n")
    if cell.computed:
        lines.append(f"{COMPUTED_NOTE} {cell.computed}")
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    first = target.paragraphs[0]
    for index, line in enumerate(lines or [""]):
        paragraph = first if index == 0 else target.add_paragraph()
        paragraph.alignment = _ALIGN[cell.align]
        if cell.indent:
            paragraph.paragraph_format.left_indent = Pt(size * cell.indent)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.space_before = Pt(0)
        if line:
            _fonts(paragraph.add_run(line), size, cell.bold)


def _repeat_header(row: Any) -> None:
    """Mark a row as the table's header, repeated at the top of each printed page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document: Any, lines: list[Line], grid: SheetGrid) -> None:
    first = lines[0].cells[0].row if lines[0].cells else 0
    table = document.add_table(rows=len(lines), cols=grid.width)
    table.style = "Table Grid"  # thin borders on every cell, as the printed form
    table.autofit = False
    usable = PAGE_WIDTH - 2 * MARGIN
    total = sum(grid.widths, Decimal(0)) or Decimal(1)
    widths = [int(usable * width / total) for width in grid.widths]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    # The grid's cells are taken once, before any merge: python-docx's table.cell() walks the whole table on
    # every call, which made a form's document take a second. A merge changes only its own range's cells.
    every = table._cells
    for index, cell in enumerate(every):
        cell.width = widths[index % grid.width]
    for index, line in enumerate(lines):
        if line.header:
            _repeat_header(table.rows[index])
    places = []
    for cell in (cell for line in lines for cell in line.cells):
        top = cell.row - first
        corner = every[top * grid.width + cell.col]
        end = every[(top + cell.rowspan - 1) * grid.width + cell.col + cell.colspan - 1]
        places.append((cell, corner, end))
    for cell, corner, end in places:
        target = corner.merge(end) if cell.rowspan > 1 or cell.colspan > 1 else corner
        _fill(target, cell, 8.5 if cell.align == "left" and len(cell.text) > 40 else 9.5)


def _spacer(document: Any) -> None:
    """A paragraph of no height between two tables, which Word would otherwise join into one."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(1)


def form_document(title: str, grid: SheetGrid, when: datetime) -> bytes:
    """The Word document of one form's sheet, the same bytes for the same sheet."""
    document = Document()
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = title, "formgen", "formgen"
    properties.created = properties.modified = when
    properties.revision = 1
    properties.comments = ""  # not python-docx's own "generated by python-docx"
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    _fonts(document.styles["Normal"], 10.5)
    heading = document.styles["Heading 1"]
    _fonts(heading, 18, True)
    heading.font.color.rgb = RGBColor(0, 0, 0)
    previous: int | None = None
    index = 0
    while index < len(grid.lines):
        line = grid.lines[index]
        if line.table is None:
            _line(document, line)
            previous, index = None, index + 1
            continue
        end = index
        while end < len(grid.lines) and grid.lines[end].table == line.table:
            end += 1
        if previous is not None:
            _spacer(document)
        _table(document, grid.lines[index:end], grid)
        previous, index = line.table, end
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue(), when)


def _line(document: Any, line: Line) -> None:
    """A line above or below the tables: the 表名 as a heading, the others as paragraphs; parts side by side
    (单位（盖章）, 填报日期) at the two ends of the line, as the page sets them apart."""
    cells = line.cells
    if cells and cells[0].size == "title":
        paragraph = document.add_heading(level=1)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(paragraph.add_run(cells[0].text), 18, True)
        return
    paragraph = document.add_paragraph()
    paragraph.alignment = _ALIGN[cells[0].align] if len(cells) == 1 else WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Pt(2)
    size = 12 if cells and cells[0].size == "year" else 10.5
    if len(cells) > 1:
        paragraph.paragraph_format.tab_stops.add_tab_stop(PAGE_WIDTH - 2 * MARGIN, WD_TAB_ALIGNMENT.RIGHT)
    for index, cell in enumerate(cells):
        if index:
            paragraph.add_run("\t")
        _fonts(paragraph.add_run(cell.text), size, cell.bold)
