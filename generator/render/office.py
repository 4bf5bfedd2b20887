"""A form's sheet as a neutral grid, for the Excel and Word exports (office_xlsx, office_docx).

The table has one definition: the profile, through templates/_form_table.html, which the form page and the PDF
print. This module reads that HTML back into rows of cells with their spans, and tells the figures from the
texts by where they stand in the profile's grid (`html.Grid`): a 分值/得分 column holds scores, 执行率 rates, the
other funding columns money. A figure keeps the exact Decimal the page prints (845,371.59 →
Decimal("845371.59"), 70.93 → Decimal("0.7093")), so that a spreadsheet holds the number the clerk reads,
never a float computed here.

The HTML is read by libxml2's HTML parser through lxml's event target (lxml comes with python-docx): every
form page reads its own sheet back to fit its columns (`fit`), and the standard library's pure-Python
tokenizer took a third of a build's time there.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from lxml import etree

from ..profile import Profile
from .html import Grid

__all__ = ["Cell", "Kind", "Line", "SheetGrid", "column_widths", "parse_sheet"]

Kind = Literal["label", "text", "money", "rate", "score"]


@dataclass
class Cell:
    """One cell of the grid, at its top-left corner (`row`, `col`, counted from 0 in the grid)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    kind: Kind
    text: str
    """As the page prints it: a published form's own figure where formgen computes another, as the PDF."""
    value: Decimal | None = None
    """A figure's value: money in the profile's unit, a rate as a fraction (0.7093), a score."""
    decimals: int = 0
    """The decimals the page prints the figure with."""
    computed: str = ""
    """formgen's figure where a published form prints another (`text`): the PDF prints it under the
    published one, the workbook in the cell's note and the document under it, so that an import of either
    reads the published figure, as it reads the PDF's."""
    vertical: bool = False
    """A side label printed one character per line (绩效指标)."""
    align: Literal["left", "center", "right"] = "center"
    bold: bool = False
    indent: int = 0
    """The depth of a funding row's label (财政拨款 1, 本级安排 2), indented as the page indents it."""
    size: str = ""
    """The role of a line's cell: "title", "year" or "" (the table's text size)."""


@dataclass
class Line:
    """A row of the grid: table cells, or a line above or below the tables (表名, 填报日期) in cells of its own."""

    cells: list[Cell]
    table: int | None
    """Which of the sheet's tables the row belongs to (0, 1, 2); None for a line outside them."""
    header: bool = False
    """A header row that repeats on every printed page (the 绩效指标 columns)."""


@dataclass
class SheetGrid:
    """A form's sheet: its lines, the classes of its columns (as <col class=…>) and the width of each in %."""

    width: int
    cols: tuple[str, ...]
    lines: list[Line] = field(default_factory=list)
    widths: tuple[Decimal, ...] = ()


_WIDTH = re.compile(r"col\.([\w-]+)\s*\{\s*width:\s*([0-9.]+)%")


def column_widths(cols: tuple[str, ...], *styles: str) -> tuple[Decimal, ...]:
    """Each column's width in % from the style sheets' ``col.c-… { width: N% }`` rules (a later one wins: the
    profile's own widths in the sheet's <style> over templates/sheet.css); an unknown column gets the average."""
    found: dict[str, Decimal] = {}
    for style in styles:
        found.update((name, Decimal(width)) for name, width in _WIDTH.findall(style))
    known = [found[col] for col in cols if col in found]
    average = sum(known, Decimal(0)) / len(known) if known else Decimal(10)
    return tuple(found.get(col, average) for col in cols)


def _number(text: str) -> tuple[Decimal, int] | None:
    """A printed figure (``845,371.59``, ``97.09``) as a Decimal and its decimals; None for anything else
    (the blank ``-`` or ``/`` of the rows below the total)."""
    plain = text.replace(",", "").strip()
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", plain):
        return None
    try:
        value = Decimal(plain)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return value, len(plain.partition(".")[2])


def _funds_kinds(grid: Grid) -> dict[int, str]:
    """The funding table's column names by the grid column they start at (the side label holds column 0)."""
    kinds, at = {}, 1
    for column, span in zip(grid.funds_columns, grid.funds_spans, strict=True):
        kinds[at] = column
        at += span
    return kinds


_INDENT = re.compile(r"indent-[0-9]")
_LINE_BREAKS = re.compile(r"\n+")


class _Parser:
    """Reads a sheet's HTML (as _form_table.html writes it) into `SheetGrid` lines: the target of lxml's
    HTML parser, which calls `start`, `end` and `data` as it meets the tags and the text between them.

    libxml2 hands a text over in pieces, cut at every character reference (金额&nbsp;100万元 in three), and
    a piece of white space alone (the &nbsp;) would be taken for the space between two blocks and dropped:
    the pieces are joined, and each whole text is read when the next tag begins or ends."""

    def __init__(self, grid: Grid, profile: Profile, form: Any = None) -> None:
        self.profile, self.form = profile, form
        self.funds_row = -1
        """The funding table's row being read: -1 its header, then the index of the profile's funding line."""
        self.funds = _funds_kinds(grid)
        self.sheet = SheetGrid(grid.width, grid.cols)
        self.tables = -1
        self.in_table = False
        self.tbody = ""
        self.in_thead = False
        self.row: list[Cell] | None = None
        self.row_classes: list[str] = []
        self.row_index = 0
        self.taken: dict[tuple[int, int], bool] = {}
        """Grid places covered by a cell above (rowspan), in the current table."""
        self.cell: Cell | None = None
        self.parts: list[str] = []
        self.computed: list[str] | None = None
        """The text of formgen's figure printed beside a published one (<span class="computed">), while read."""
        self.computed_text = ""
        self.cell_classes: list[str] = []
        self.skip = 0  # inside <caption>, <style> or <colgroup>: not text of the sheet
        self.line: list[tuple[str, list[str]]] | None = None
        """A line outside the tables: its parts (a <span> each, else one), with the class of each."""
        self.line_class = ""
        self.lists: list[list[int]] = []
        self.section = ""
        self.pieces: list[str] = []
        """The text read since the last tag, in libxml2's pieces."""

    # -- lxml's parser calls these ----------------------------------------------------------------------
    def start(self, tag: str, named: dict[str, str]) -> None:
        self._flush()
        self.handle_starttag(tag, named)

    def end(self, tag: str) -> None:
        self._flush()
        self.handle_endtag(tag)

    def data(self, data: str) -> None:
        self.pieces.append(data)

    def close(self) -> SheetGrid:
        self._flush()
        return self.sheet

    def _flush(self) -> None:
        if self.pieces:
            text = "".join(self.pieces)
            self.pieces.clear()
            self.handle_data(text)

    # -- the tags ---------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, named: dict[str, str]) -> None:
        classes = (named.get("class") or "").split()  # a bare attribute has no value
        if tag in ("caption", "colgroup") or (tag == "style"):
            self.skip += 1
            return
        if tag == "section":
            self.section = " ".join(classes)
        if tag in ("table", "tbody", "thead", "tr", "td", "th"):
            self._open_table_part(tag, named, classes)
        else:
            self._open_text_part(tag, classes)

    def _open_table_part(self, tag: str, named: dict[str, str], classes: list[str]) -> None:
        if tag == "table":
            self.tables += 1
            self.in_table = True
            self.taken = {}
        elif tag == "tbody":
            self.tbody = " ".join(classes)
            self.funds_row = -2
        elif tag == "thead":
            self.in_thead = True
        elif tag == "tr" and self.in_table:
            self.row, self.row_classes = [], classes
            self.funds_row += 1
        elif tag in ("td", "th") and self.row is not None:
            self._open_cell(tag, named, classes)

    def _open_text_part(self, tag: str, classes: list[str]) -> None:
        """A tag of the text in a cell or in a line outside the tables."""
        if tag == "span" and "computed" in classes and self.cell is not None:
            self.computed = []
        elif tag == "br":
            self._text("\n")  # 项目<br>资金, 产出指标<br>(50分): the page's own line breaks
        elif tag in ("p", "h1", "h2", "li") and self.cell is not None:
            self._paragraph(tag)
        elif tag in ("ol", "ul"):
            self.lists.append([0] if tag == "ol" else [-1])
        elif tag == "p" and "form-discrepancies" in self.section:
            # It says formgen's figures are printed under the published ones: in a workbook they are in
            # the cells' notes.
            self.skip += 1
        elif tag in ("p", "h1", "h2", "li") and not self.in_table:
            self.line, self.line_class = [], tag if tag != "p" else " ".join(classes)
            if tag == "li":
                self.line.append(("", ["• "]))
        elif tag == "span" and self.line is not None and self.cell is None:
            self.line.append((" ".join(classes), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "colgroup", "style"):
            self.skip -= 1
        elif tag == "section":
            self.section = ""
        elif tag == "table":
            self.in_table = False
        elif tag == "thead":
            self.in_thead = False
        elif tag == "span" and self.computed is not None:
            self.computed_text = "".join(self.computed)
            self.computed = None
        elif tag in ("td", "th") and self.cell is not None:
            self._close_cell()
        elif tag == "tr" and self.row is not None:
            self.sheet.lines.append(Line(self.row, self.tables, self.in_thead))
            self.row, self.row_index = None, self.row_index + 1
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag == "p" and "form-discrepancies" in self.section:
            self.skip -= 1
        elif tag in ("p", "h1", "h2", "li") and self.line is not None and self.cell is None:
            self._close_line(tag)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.computed is not None:
            self.computed.append(data)
        elif self.cell is not None:
            if data.strip():  # the new lines between the Markdown's blocks are not text
                self._text(data)
        elif self.line is not None:
            if not self.line:
                self.line.append(("", []))
            self.line[-1][1].append(data)

    # -- table cells ------------------------------------------------------------------------------------
    def _open_cell(self, tag: str, named: dict[str, str], classes: list[str]) -> None:
        assert self.row is not None
        col = self.row[-1].col + self.row[-1].colspan if self.row else 0
        while self.taken.get((self.row_index, col)):  # past the cells that rows above span down into this one
            col += 1
        rowspan, colspan = int(named.get("rowspan") or 1), int(named.get("colspan") or 1)
        for down in range(1, rowspan):
            for across in range(colspan):
                self.taken[(self.row_index + down, col + across)] = True
        kind: Kind = "label" if tag == "th" else "text"
        align: Literal["left", "center", "right"] = "center"
        # As templates/sheet.css aligns them: texts, the funding rows' labels (年度资金总额, the indented ones).
        if "text" in classes or (tag == "th" and ("fund-total" in self.row_classes or
                                                  any(c.startswith("indent-") for c in classes))):
            align = "left"
        if "num" in classes:
            align = "right"
        self.cell = Cell(len(self.sheet.lines), col, rowspan, colspan, kind, "", align=align,
                         vertical="vertical" in classes, bold="side" in classes,
                         indent=next((int(c[7:]) for c in classes if _INDENT.fullmatch(c)), 0))
        self.cell_classes = classes
        self.parts, self.computed_text = [], ""

    def _text(self, data: str) -> None:
        if self.cell is not None:
            self.parts.append(data)
        elif self.line is not None and self.line:
            self.line[-1][1].append(data)

    def _paragraph(self, tag: str) -> None:
        """A paragraph or list item inside a cell (the 自评结论's Markdown): a line of its own."""
        if self.parts and not "".join(self.parts).endswith("\n"):
            self.parts.append("\n")
        if tag == "li" and self.lists:
            counter = self.lists[-1]
            if counter[0] >= 0:
                counter[0] += 1
                self.parts.append(f"{counter[0]}. ")
            else:
                self.parts.append("• ")

    def _close_cell(self) -> None:
        cell, self.cell = self.cell, None
        assert cell is not None and self.row is not None
        text = _LINE_BREAKS.sub("\n", "".join(self.parts)).strip()
        if cell.vertical:
            text = text.replace("\n", "")
        cell.text = text
        if "num" in self.cell_classes:
            self._figure(cell, self.computed_text.split()[-1] if self.computed_text.strip() else "")
        self.row.append(cell)

    def _figure(self, cell: Cell, computed: str) -> None:
        """A class="num" cell: its kind by its column, its value the figure the form prints."""
        shown = cell.text
        cell.computed = computed
        kind: Kind = "score"
        if self.tbody == "form-funds":
            column = self.funds.get(cell.col, "")
            kind = "rate" if column == "rate" else "score" if column in ("weight", "score") else "money"
        sign = self.profile.layout.rate_sign
        figure = _number(shown[:-len(sign)] if kind == "rate" and sign and shown.endswith(sign) else shown)
        if figure is None:
            cell.kind = "text"  # a blank (- or /) of the rows below the total
            return
        value, decimals = figure
        cell.kind, cell.decimals = kind, decimals
        cell.value = value / 100 if kind == "rate" else value
        if kind == "money" and not computed:
            # The amount as entered where the sheet rounds it (84.5372 万元 printed 84.54): the cell's format
            # prints it the same, and a sum or an import of the file gets the form's own figure.
            exact = self._amount(self.funds.get(cell.col, ""))
            if exact is not None and self.profile.money.show(exact) == shown:
                cell.value = exact

    def _amount(self, column: str) -> Decimal | None:
        """The form's amount in `column` of the funding row being read, None where there is none."""
        lines = self.profile.funds
        if self.form is None or not 0 <= self.funds_row < len(lines):
            return None
        row = _field(getattr(self.form, "funds", None), lines[self.funds_row].key)
        amount = _field(row, column)
        return amount if isinstance(amount, Decimal) else None

    # -- lines above and below the tables ---------------------------------------------------------------
    def _close_line(self, tag: str) -> None:
        parts = [(classes, "".join(texts).strip()) for classes, texts in self.line or []]
        parts = [(classes, text) for classes, text in parts if text]
        self.line = None
        if not parts:
            return
        size = "title" if "form-title" in self.line_class or tag == "h1" else \
            "year" if "form-year" in self.line_class else ""
        width, cells = self.sheet.width, []
        # Parts side by side (单位（盖章） left, 填报日期 right), sharing the width; the first gets the rest.
        share = width // len(parts)
        at = 0
        row = len(self.sheet.lines)
        for index, (_classes, text) in enumerate(parts):
            span = width - share * (len(parts) - 1) if index == 0 else share
            align: Literal["left", "center", "right"] = "center" if size else \
                "right" if index and index == len(parts) - 1 else "left"
            cells.append(Cell(row, at, 1, span, "text", text, align=align, bold=size == "title" or tag == "h2",
                              size=size))
            at += span
        self.sheet.lines.append(Line(cells, None))


def _field(value: Any, key: str) -> Any:
    """`value[key]` of a mapping, else its attribute `key` (None when absent), as Jinja reads the form."""
    return value.get(key) if isinstance(value, dict) else getattr(value, key, None)


class _Target:
    """lxml's parser target: passes each event on to the reader of the sheet being read. Made once per thread
    with its parser, and reused: a parser made per sheet leaves reference cycles behind (about 200 objects a
    sheet), which a build's workers, whose collector is paused, would keep to their end (10,000 forms: a
    fifth of a GiB more in each)."""

    def __init__(self) -> None:
        self.reader: _Parser | None = None
        self.parser = etree.HTMLParser(target=self, no_network=True)

    def start(self, tag: str, named: dict[str, str]) -> None:
        assert self.reader is not None
        self.reader.start(tag, named)

    def end(self, tag: str) -> None:
        assert self.reader is not None
        self.reader.end(tag)

    def data(self, data: str) -> None:
        assert self.reader is not None
        self.reader.data(data)

    def close(self) -> SheetGrid:
        assert self.reader is not None
        return self.reader.close()

    def read(self, html: str, reader: _Parser) -> SheetGrid:
        self.reader = reader
        try:
            self.parser.feed(html)
            sheet: SheetGrid = self.parser.close()
        finally:
            self.reader = None
        return sheet


_TARGETS = threading.local()


def parse_sheet(html: str, grid: Grid, profile: Profile, base_style: str = "", form: Any = None) -> SheetGrid:
    """The grid of a sheet's HTML (`sheet` of _form_table.html), its widths from `base_style` (the site's
    sheet.css) and the sheet's own <style>; `form`: the form it shows, whose amounts the cells keep unrounded."""
    target: _Target | None = getattr(_TARGETS, "target", None)
    if target is None:
        target = _TARGETS.target = _Target()
    try:
        sheet = target.read(html, _Parser(grid, profile, form))
    except BaseException:
        _TARGETS.target = None  # whatever state a failed reading left its parser in, the next one has a new one
        raise
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    sheet.widths = column_widths(sheet.cols, base_style, *styles)
    return sheet
