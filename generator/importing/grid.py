"""Forms read from blocks on a page or a grid: table cells with their place, and lines of text outside them.

A reader of a file format (`pdf.py`) turns each page into `Block`s — a table cell with its edges and its
lines of text, or a line outside the table — and `read_blocks` reads the forms from them by position. A
cell that is a label (`labels.reference_labels`) finds its value by position: the cell to its right (项目名称 →
the title), the cell below (预期目标 → the goal), or the cell where its row meets a column (年度资金总额 ×
全年预算数（A）). Indicator rows are the 三级指标 cells under the header; every other cell of the
indicator table joins the row it lies beside, and a 一级 or 二级 cell joins every row it spans, across
pages too.

Why one module: `GridForm` reads a form by position from `Block`s, whichever file they came from (a PDF's page, a
sheet, a document), and its readers share its `used` set, its field of each block and `_TOLERANCE`. The indicator table
(`_indicators` to `_cell_text`, ~160 lines) could be a class of its own, but it marks blocks used and writes the draft
as the other parts do, so it would take most of `GridForm`'s state with it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from ..config import Scheme
from ..findings import Finding
from ..formatting import COMPUTED_NOTE
from ..i18n import _
from ..model import PLACEHOLDER_FIGURES, caption
from ..profile import form_model
from .characters import ascii_digits
from .draft import (
    Draft,
    LevelNames,
    Location,
    conclusion_markdown,
    join_wrapped,
    level1_parts,
    note,
    score_text,
    unit_note,
)
from .labels import (
    DISCREPANCIES_HEADING,
    IGNORED_LINES,
    INDICATOR_COLUMNS,
    MONEY_COLUMNS,
    MONEY_UNITS,
    SECTION_FIELDS,
    LabelTable,
    squash,
)
from .text import FUND_COLUMNS, department_parts, header_value

__all__ = ["Block", "GridForm", "TextLine", "read_blocks", "running"]

_LINE_FIELDS = {"seal", "filled_on", "title", "department", "implementer", "contact", "execution_reason", "grade"}
"""Fields written as label: value lines, with the profile's extra header fields (`LabelTable.extra_fields`)."""
_YEAR = re.compile(r"^[(（]\s*(\d{4})\s*年度?\s*[)）]$")
_FIGURE_COLUMNS = ("target", "actual", "weight", "score")
_SPLIT_COLUMNS = ("nature", "unit")
"""The target's other two cells where the profile splits it in three (指标性质 / 指标值 / 度量单位): texts of
the row, each its own field of the profile's model (`profile.split_target`)."""
_DISCREPANCIES = squash(DISCREPANCIES_HEADING)
_TOLERANCE = 2.0  # points: how far apart two edges may be and still line up
_BLOCK_POINTS = re.compile(r"\(\d+(?:\.\d+)?分\)$")
"""The points a block's side label prints after it where the profile's form does (`layout.block_points`:
云南's 年度绩效目标(80分), 预算执行情况（万元）(20分)), as `squash` leaves them."""
_SIDE_FIELDS = ("goals", "indicators", "conclusion")

@dataclass
class TextLine:
    text: str
    x0: float
    x1: float
    top: float
    size: float


@dataclass(eq=False)
class Block:
    """A table cell with its lines of text, or a line of text outside the table."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[TextLine] = dataclass_field(default_factory=list)
    in_table: bool = True
    where: Location | None = None
    """Where a workbook's or document's block is (sheet!cell, table/row/column); a PDF's is its page."""
    breaks: bool = False
    """Each line is a paragraph of its own: a line break typed in a workbook's or document's cell is the
    writer's (a PDF's lines wrap at the cell's edge, so `_paragraphs` judges by their length)."""
    held: str = ""
    """A workbook's number as the cell holds it where its format shows fewer decimals (108.5437 万元 shown
    108.54): an amount is the figure typed, which the sheet only rounds for print; a score or a rate is
    what the cell shows (a formula's 7.093 under 0.00 is the form's 7.09). "" elsewhere."""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def key(self) -> str:
        return squash(self.text)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def beside(self, other: Block) -> bool:
        """On the same row: this block's middle lies within the other's height."""
        return self.page == other.page and other.top - _TOLERANCE <= self.cy <= other.bottom + _TOLERANCE

    def under(self, other: Block) -> bool:
        """In the same column: this block's middle lies within the other's width."""
        return other.x0 - _TOLERANCE <= self.cx <= other.x1 + _TOLERANCE


def read_blocks(blocks: list[Block], source: str, scheme: Scheme,
                labels: LabelTable) -> tuple[list[Draft], list[Finding]]:
    """The forms in `blocks` (in reading order, running headers taken out), and what was found outside any form."""
    notes: list[Finding] = []
    starts = _form_starts(blocks, labels)
    if not starts:
        return [], [note(_where(blocks[0], source), "import-no-form", True,
                         _("no form found: no {form} heading and no {title} cell — is this a 自评表?")
                         .format(form=labels.profile.labels.form_title, title=labels.profile.labels.title))]
    before = [block for block in blocks[: starts[0]] if not _ignored(block.key)]
    if before:
        notes.append(note(_where(before[0], source), "import-unplaced", False,
                          _("{count} lines or cells come before the first form (from “{text}”): not imported")
                          .format(count=len(before), text=before[0].key[:30])))
    drafts = []
    for number, start in enumerate(starts, start=1):
        end = starts[number] if number < len(starts) else len(blocks)
        draft = Draft(_where(blocks[start], source), number, model=form_model(labels.profile),
                      conclusion_required=labels.profile.fields.conclusion == "required",
                      judged=frozenset(level1.name for level1 in scheme.level1 if level1.judged))
        GridForm(blocks[start:end], draft, source, scheme, labels).read()
        draft.finish()
        drafts.append(draft)
    return drafts, notes


_MILLIMETRES_PER_POINT = 25.4 / 72  # a PDF's coordinates are points, 1/72 inch


def _where(block: Block, source: str) -> Location:
    """Where a block came from: its own place (a workbook's cell, a document's table cell), else, on a
    PDF's page, where its top left corner lies."""
    return block.where or Location(source, page=block.page, position=(
        round(block.x0 * _MILLIMETRES_PER_POINT), round(block.top * _MILLIMETRES_PER_POINT)))


def _ignored(key: str) -> bool:
    return not key or any(pattern.match(key) for pattern in IGNORED_LINES)


def _form_starts(blocks: list[Block], labels: LabelTable) -> list[int]:
    """Where each form starts: at its heading (项目支出绩效目标自评表); in a file without headings, at
    each 项目名称 cell (a summary table's 项目名称 column, as on a bundle's cover, is then not a form)."""
    # The heading is a block's first line, or its second under a 报表编号 line (四川's 部门预算 form prints
    # 报表编号：510000_0013zp above its title, in the same block or in one of its own): that line is the form's.
    def numbered(line: TextLine) -> bool:
        return any(not found.start for found in labels.find(line.text.strip(), {"report_number"}))

    headed = [index for index, block in enumerate(blocks)
              if any(squash(line.text) in labels.titles for line in block.lines[:1])
              or (len(block.lines) > 1 and squash(block.lines[1].text) in labels.titles and numbered(block.lines[0]))]
    if headed:
        return [index - 1 if index and len(blocks[index - 1].lines) == 1 and numbered(blocks[index - 1].lines[0])
                else index for index in headed]
    return [index for index, block in enumerate(blocks) if labels.field(block.text) == "title"]


def running(blocks: list[Block], labels: LabelTable) -> set[int]:
    """Lines outside the table repeated at the same height on several pages: running headers and footers
    (a bundle prints each page's form title there). Lines with a label of the form are never such."""
    seen: dict[tuple[str, int], set[int]] = {}
    for block in blocks:
        if not block.in_table:
            seen.setdefault((block.key, round(block.top / 4)), set()).add(block.page)
    # A bundle's header names each page's form: a form of one page has its name there once, at the height
    # where the other forms' names repeat.
    heights = {height for (_key, height), pages in seen.items() if len(pages) > 1}
    return {id(block) for block in blocks if not block.in_table
            and (len(seen[(block.key, round(block.top / 4))]) > 1 or round(block.top / 4) in heights)
            and block.key not in labels.titles and not any(labels.find(block.text))}


# --- one form -----------------------------------------------------------------------------------------

class GridForm:
    """One form read from its blocks (those from its heading to the next form's)."""

    def __init__(self, blocks: list[Block], draft: Draft, source: str, scheme: Scheme, labels: LabelTable) -> None:
        self.blocks, self.draft, self.source, self.scheme, self.labels = blocks, draft, source, scheme, labels
        self.names = LevelNames.of(scheme)
        self.used: set[int] = set()
        self.factor = Decimal(1)
        self.fields = {id(block): labels.field(block.text) or _side_label(block, labels) for block in blocks}
        self.header_columns: set[str] = set()
        self.header_blocks: list[Block] = []
        """The indicator table's (first) header row: where its columns are."""
        names = labels.profile.labels
        self.split = {squash(names.nature): "nature", squash(names.unit): "unit"} \
            if labels.profile.split_target else {}
        """The headers of the split target's 指标性质 and 度量单位 columns, which the label table does not hold."""

    def column(self, block: Block) -> str:
        """The indicator table's column a header cell names ("" for none)."""
        field = self.fields[id(block)] or ""
        return field if field in INDICATOR_COLUMNS else self.split.get(block.key, "")

    def at(self, block: Block) -> Location:
        return _where(block, self.source)

    def use(self, *blocks: Block) -> None:
        self.used.update(id(block) for block in blocks)

    def labelled(self, field: str) -> Iterator[Block]:
        return (block for block in self.blocks if self.fields[id(block)] == field)

    def first(self, field: str) -> Block | None:
        return next(self.labelled(field), None)

    def right_of(self, label: Block) -> list[Block]:
        found = [block for block in self.blocks if block is not label and block.beside(label)
                 and block.x0 >= label.x1 - _TOLERANCE and not self.fields[id(block)]]
        return sorted(found, key=lambda block: block.x0)

    def below(self, label: Block) -> Block | None:
        found = [block for block in self.blocks if block.page == label.page and block.top >= label.bottom - _TOLERANCE
                 and block.under(label) and block is not label and not self.fields[id(block)]]
        return min(found, key=lambda block: block.top, default=None)

    def read(self) -> None:
        self._side_labels()
        self._basic()
        self._funds()
        self._goals()
        self._indicators()
        self._end()
        self._lines()
        formgen_notes = False  # formgen's own list of differences: its heading, then lines up to one placed
        for block in self.blocks:
            formgen_notes = not block.in_table and (block.key == _DISCREPANCIES or
                                                    (formgen_notes and id(block) not in self.used))
            if id(block) not in self.used and not formgen_notes and not _ignored(block.key):
                self.draft.unplaced(self.at(block), block.text)

    def _side_labels(self) -> None:
        for block in self.blocks:
            key = _BLOCK_POINTS.sub("", block.key)
            for label in self.labels.labels_of("funds"):
                for unit, factor in MONEY_UNITS.items():
                    if key in (squash(label), f"{squash(label)}({unit})"):
                        self.use(block)
                        if key.endswith(f"({unit})") and factor != self.labels.unit_factor:
                            self.factor = factor / self.labels.unit_factor
                            self.draft.note(self.at(block), "import-unit",
                                            unit_note(unit, self.labels.profile.money.unit))
            if self.fields[id(block)] in ("goals", "indicators", "conclusion", "funds.header"):
                self.use(block)

    def _value(self, field: str) -> tuple[str, Block] | None:
        label = self.first(field)
        if label is None:
            return None
        self.use(label)
        values = self.right_of(label)
        if not values:
            return None
        self.use(values[0])
        return join_wrapped(line.text for line in values[0].lines), values[0]

    def _basic(self) -> None:
        for field in ("title", "implementer", *self.labels.extra_fields):
            found = self._value(field)
            if found:
                header_value(self.draft, field, found[0], self.at(found[1]), self.labels)
        found = self._value("department")
        if found:
            code, name = department_parts(found[0])
            self.draft.set("department.code", code, self.at(found[1]))
            self.draft.set("department.name", name, self.at(found[1]))

    def _funds(self) -> None:
        total = self.first("funds.total")
        if total is None:
            return
        header = self.first("funds.header")
        columns = [block for block in self.blocks if self.fields[id(block)] in FUND_COLUMNS
                   and (block.beside(header) if header else (block.page == total.page and block.bottom <= total.top))]
        if header is None:  # the nearest header row above 年度资金总额
            lowest = max((block.top for block in columns), default=0)
            columns = [block for block in columns if abs(block.top - lowest) < 20]
        self.use(*columns)
        for row_field in self.labels.row_fields:
            row = self.first(row_field)
            if row is None:
                continue
            self.use(row)
            section = SECTION_FIELDS.get(row_field, {})
            for column in columns:
                cells = [block for block in self.blocks if block.beside(row) and block.under(column)
                         and not self.fields[id(block)]]
                for cell in cells:
                    self.use(cell)
                    self._fund_cell(row_field, self.fields[id(column)] or "", cell, section)
            self._blank_initial(row_field, row, columns)
            # A cell of this row under a money column, or a stated figure's (得分), that holds nothing was printed
            # empty (an unfilled copy's 其他资金 row): "", as printed, not a figure not found (`Draft.printed_empty`).
            for column in columns:
                field = self.fields[id(column)] or ""
                path = f"{row_field}.{field}" if field in MONEY_COLUMNS else section.get(field, "")
                if path.startswith(("funds.", "stated.")) and self.draft.get(path) is None \
                        and not any(block.beside(row) and block.under(column) and "".join(
                            line.text for line in _printed(block)).strip() for block in self.blocks):
                    self.draft.set(path, "", self.at(row))

    def _blank_initial(self, row_field: str, row: Block, columns: list[Block]) -> None:
        """A 年初预算数 left blank where the row has its 全年预算数 (the 临翔 form, as many units fill it):
        0, which no figure is computed from, with a warning naming the cell; a blank 全年预算数 or 执行数
        stays missing, and so an error."""
        initial = next((column for column in columns if self.fields[id(column)] == "initial"), None)
        if initial is None or self.draft.get(f"{row_field}.initial") is not None \
                or self.draft.get(f"{row_field}.budget") is None:
            return
        where = self.at(row)
        self.draft.set(f"{row_field}.initial", "0", where)
        self.draft.note(where, "import-blank", _("{column} of the {row} row is blank: written as 0 (no figure is "
                                                 "computed from it); write the amount if the form had one").format(
            column=caption(initial.text), row=caption(row.text)))

    def _fund_cell(self, row: str, column: str, cell: Block, section: dict[str, str]) -> None:
        printed = "".join(line.text for line in _printed(cell))
        if cell.held and column in MONEY_COLUMNS:
            printed = cell.held
        computed = _computed(cell)
        if printed and computed and column in MONEY_COLUMNS:
            # A published amount with formgen's own under it (安徽's 年度资金总额 printed 0 above rows that
            # hold 90): the row holds formgen's figure, which the rates and scores are computed from, and
            # the form states the printed one (stated.funds, docs/format.md).
            self.draft.fund_cell(row, column, computed, self.at(cell), self.factor, section)
            self.draft.fund_cell(f"stated.{row}", column, printed, self.at(cell), self.factor, section)
        elif printed:  # else the cell holds only formgen's figure beside one printed empty
            self.draft.fund_cell(row, column, printed, self.at(cell), self.factor, section)

    def _goals(self) -> None:
        for field in ("goals.expected", "goals.actual"):
            label = self.first(field)
            if label is None:
                continue
            self.use(label)
            value = self.below(label)
            if value is not None:
                self.use(value)
                self.draft.set(field, join_wrapped(line.text for line in value.lines), self.at(value))

    def _indicators(self) -> None:
        # The table ends at the 总分 row, or, in a profile without one (湖南), at the conclusion (说明) below it.
        heading = self.first("level1")
        start = self.blocks.index(heading) if heading is not None else 0
        ends = [index for index, block in enumerate(self.blocks)
                if index > start and self.fields[id(block)] in ("total", "conclusion")]
        stop = min(ends, default=len(self.blocks))
        headers: dict[int, list[Block]] = {}  # page → its header row (一级指标 … 备注)
        body: list[Block] = []
        for block in self.blocks[:stop]:
            if self.fields[id(block)] == "level1":
                headers[block.page] = [other for other in self.blocks
                                       if other.beside(block) and self.column(other)]
                self.use(*headers[block.page])
                self.header_columns.update(self.column(header) for header in headers[block.page])
                self.header_blocks = self.header_blocks or headers[block.page]
            elif headers and block.in_table and id(block) not in self.used \
                    and (not self.fields[id(block)] or self._budget_row(block)):
                body.append(block)
        cells: dict[str, list[Block]] = {name: [] for name in (*INDICATOR_COLUMNS, *_SPLIT_COLUMNS)}
        columns: list[Block] = []
        for block in body:
            columns = headers.get(block.page, columns)  # a page without a header row goes on in the last one's
            under = [header for header in columns if block.under(header)]
            spanned = [header for header in columns if block.x0 - _TOLERANCE <= header.cx <= block.x1 + _TOLERANCE]
            if not under or len(spanned) > 1:
                # Never guess which column a figure belongs to: a cell beside the header's columns, or across
                # two of them, is reported where it is.
                self.use(block)
                self.misaligned(block, _("lies under no column of the header") if not under else
                                _("spans the columns {columns}").format(columns=_(", ").join(
                                    caption(header.key) for header in spanned)))
                continue
            column = self.column(under[0])
            if column in cells:
                cells[column].append(block)
        rows = self._rows(cells)
        if rows:
            self.draft.values["indicators"] = rows

    def _budget_row(self, block: Block) -> bool:
        """The 三级指标 that scores budget execution (宁夏's 预算执行率, `scheme.budget_indicator`): in the
        indicator table a row's name, though the same words label the funding table's 执行率 elsewhere."""
        return bool(self.scheme.budget_indicator) and block.key == squash(self.scheme.budget_indicator)

    def _rows(self, cells: dict[str, list[Block]]) -> list[dict[str, str]]:
        """One row per 三级指标 cell; the other cells join the row beside them, a 一级 or 二级 cell every
        row it spans (one cut at a page break at least the rows it reaches; the next rows inherit it)."""
        rows = self._named_rows(cells)
        for column in ("nature", "target", "unit", "actual", "weight", "score", "reason", "note", "level1", "level2"):
            for cell in cells[column]:
                self._place(column, cell, rows)
        self._carry_levels(rows)
        return [{key: row[key] for key in (*INDICATOR_COLUMNS, *_SPLIT_COLUMNS)
                 if row.get(key) or (key in row and any(row.get(figure) for figure in PLACEHOLDER_FIGURES))}
                for _, row in rows]

    def _named_rows(self, cells: dict[str, list[Block]]) -> list[tuple[Block, dict[str, str]]]:
        """The rows, each with the cell that names it, top to bottom."""
        rows: list[tuple[Block, dict[str, str]]] = []
        for name_cell in cells["name"]:
            self.use(name_cell)
            rows.append((name_cell, {"name": join_wrapped(line.text for line in name_cell.lines)}))
        if self.labels.profile.layout.placeholder_rows:
            # An empty template row the profile keeps (经济效益指标 with nothing in it) has no 三级指标 cell:
            # its 二级指标 cell, beside no row, is the row.
            rows += [(cell, {"name": ""}) for cell in cells["level2"]
                     if cell.key and not any(_overlap(block, cell) > 0 for block, _row in rows)]
            rows.sort(key=lambda pair: (pair[0].page, pair[0].top))
        return rows

    def _place(self, column: str, cell: Block, rows: list[tuple[Block, dict[str, str]]]) -> None:
        """A cell of `column` into the row beside it (a 一级 or 二级 cell: every row it spans); a figure beside
        no row, or a second figure in a row, is misaligned."""
        beside = [(block, row) for block, row in rows if _overlap(block, cell) > 0]
        if column not in ("level1", "level2"):
            beside = sorted(beside, key=lambda pair: _overlap(pair[0], cell))[-1:]
        if not cell.key:
            return
        if not beside:
            if column in _FIGURE_COLUMNS:  # a figure beside no 三级指标: whose is it?
                self.use(cell)
                self.misaligned(cell, _("is beside no {name} cell").format(
                    name=caption(self.labels.profile.labels.name)))
            return
        self.use(cell)
        for _position, row in beside:
            if column in _FIGURE_COLUMNS and row.get(column):
                self.misaligned(cell, _("is a second cell under {column} in the row “{name}” (the first "
                                        "holds “{first}”)").format(column=self._column(column),
                                                                    name=row["name"][:30], first=row[column]))
                continue
            row[column] = self._cell_text(column, cell, row.get(column, ""))
            if column in ("reason", "note"):
                self._figure_in_text(cell, column, row)

    def _carry_levels(self, rows: list[tuple[Block, dict[str, str]]]) -> None:
        """Each row gets the 一级 and 二级指标 printed on it or above it; the rows are then checked."""
        level1 = level2 = ""
        for block, row in rows:
            if row.get("level1"):
                name, points = level1_parts(row["level1"])
                level2 = "" if name != level1 else level2
                level1 = name
                self.draft.printed_weight(self.scheme, name, points, self.at(block))
            # 宁夏 prints a 二级指标 with its points (数量指标(10分)), which the scheme gives: the name is the 二级指标.
            level2 = level1_parts(row["level2"])[0] if row.get("level2") else level2
            row["level1"], row["level2"] = level1, level2
            if self.labels.profile.layout.placeholder_rows and level1 and level2 \
                    and not any(row.get(key) for key in PLACEHOLDER_FIGURES):
                continue  # an empty template row (指标2, ……) the profile keeps: imported as printed, empty
            self._complete_row(block, row)

    def _complete_row(self, block: Block, row: dict[str, str]) -> None:
        """Figures the header has and the row leaves empty are empty; a required field missing is an error."""
        # A figure whose column the header has, and which the row leaves empty, was printed empty: "" (the
        # row's 指标值 under a judged 一级指标, an unfilled copy's 完成值), not a cell that was not found.
        for column in ("target", "actual", "score"):
            if column in self.header_columns and not row.get(column):
                row[column] = ""
        kept = self.draft.printed_empty_row(row)
        # An unscored profile's rows have no 分值 (湖南: weights = "none").
        for required in ("level1", "level2", "name", "target", "actual",
                         *(("weight",) if self.scheme.weights != "none" else ())):
            if not row.get(required) and required not in kept:
                self.draft.note(self.at(block), "import-missing", _("the indicator row “{name}” has no {field}")
                                .format(name=row["name"][:30], field=required), error=True)

    def _column(self, column: str) -> str:
        return caption(getattr(self.labels.profile.labels, column))

    def misaligned(self, cell: Block, why: str) -> None:
        """A cell of the indicator table whose place is uncertain: an error naming it, its text not placed."""
        self.draft.note(self.at(cell), "import-misaligned", _(
            "the cell “{text}” in the indicator table {why}: its figure is not placed — check the row in the "
            "source, put each value under its column and import again, or write the row in by hand")
            .format(text=" ".join(cell.text.split())[:30], why=why), error=True)

    def _figure_in_text(self, cell: Block, column: str, row: dict[str, str]) -> None:
        """A bare figure under 未完成原因分析 or 备注 while a figure of the row is missing: a row whose cells
        moved one column over (the "0" of 得分 in the reason), not a reason."""
        empty = [name for name in _FIGURE_COLUMNS if name in self.header_columns and not row.get(name)]
        if empty and score_text(_figure(cell)) is not None:
            self.draft.note(self.at(cell), "import-misaligned", _(
                "the indicator row “{name}” has the figure “{text}” under {column} and nothing under {empty}: "
                "its cells may have moved a column — check the row in the source and put each value under its "
                "column").format(name=row["name"][:30], text=_figure(cell), column=self._column(column),
                                 empty=_(", ").join(self._column(name) for name in empty)), error=True)

    def _cell_text(self, column: str, cell: Block, before: str) -> str:
        if column in ("level1", "level2"):
            return cell.key
        if column in ("target", "actual", "weight", "score"):
            text = _figure(cell)
            return score_text(text) or text if column in ("weight", "score") else text
        text = join_wrapped(line.text for line in cell.lines)
        return join_wrapped([before, text]) if before else text

    def _end(self) -> None:
        total = self.first("total")
        if total is not None:
            self.use(total)
            cells = self.right_of(total)
            numbers = [score_text(_figure(cell)) for cell in cells if _figure(cell)]
            self.use(*cells)
            score = next((header for header in self.header_blocks if self.column(header) == "score"), None)
            if score is not None and (total.page, total.top) > (score.page, score.bottom) and numbers \
                    and all(number is not None for number in numbers) and not any(
                    _figure(cell) and cell.x0 - _TOLERANCE <= score.cx <= cell.x1 + _TOLERANCE for cell in cells):
                # Nothing under 得分 (an unfilled copy): the total printed empty; the figure beside it is 总分's 分值.
                self.draft.set("stated.total", "", self.at(total))
                self.draft.printed_weight(self.scheme, "总分", numbers[0], self.at(total))
            elif numbers and all(number is not None for number in numbers):
                self.draft.set("stated.total", str(numbers[-1]), self.at(total))
                if len(numbers) > 1:
                    self.draft.printed_weight(self.scheme, "总分", numbers[0], self.at(total))
            elif cells:
                self.draft.unplaced(self.at(total), " ".join(cell.text for cell in cells),
                                    _("the {row} row").format(row=caption(self.labels.profile.labels.total)))
        label = self.first("conclusion")
        if label is None:
            return
        self.use(label)
        found = self.right_of(label)
        if not found:
            return
        cell = found[0]
        parts = [cell]
        # A conclusion longer than a page goes on in the same column on the next pages.
        for block in self.blocks:
            if block.page > parts[-1].page and abs(block.x0 - cell.x0) <= _TOLERANCE \
                    and abs(block.x1 - cell.x1) <= _TOLERANCE and id(block) not in self.used and block.in_table:
                parts.append(block)
        self.use(*parts)
        self.draft.body = conclusion_markdown([paragraph for part in parts for paragraph in _paragraphs(part)])

    def _lines(self) -> None:
        """Label: value lines (填报日期, 联系人, the year …) in blocks nothing has claimed yet."""
        for block in self.blocks:
            if id(block) in self.used:
                continue
            rest: list[str] = []
            for line in block.lines:
                if not self._line(line.text, block):
                    rest.append(line.text)
            if not rest:
                self.use(block)
            elif len(rest) < len(block.lines):
                self.use(block)
                for text in rest:
                    if not _ignored(squash(text)):
                        self.draft.unplaced(self.at(block), text)

    def _line(self, text: str, block: Block) -> bool:
        key = squash(text)
        if key in self.labels.titles or _ignored(key):
            return True
        year = _YEAR.match(text.strip())
        if year:
            self.draft.set("year", ascii_digits(year.group(1)), self.at(block))
            return True
        found = list(self.labels.find(text, {*_LINE_FIELDS, *self.labels.extra_fields}))
        if not found or text[: found[0].start].strip():
            return False
        for position, label in enumerate(found):
            end = found[position + 1].start if position + 1 < len(found) else len(text)
            value = text[label.end:end].strip()
            where = self.at(block)
            if not value and position == len(found) - 1 and label.field != "seal" and len(block.lines) == 1:
                # A label alone in its cell (联系人 | 莫路路, as a workbook lays it out): its value is the cell
                # to its right.
                beside = [other for other in self.right_of(block) if id(other) not in self.used and other.in_table]
                if not beside and label.field == "execution_reason" \
                        and "reason" in self.labels.profile.layout.funds_columns:
                    # A 原因 column of the funding table (四川): the reason is the cell under its heading.
                    under = self.below(block)
                    beside = [under] if under is not None and id(under) not in self.used and under.in_table else []
                if beside:
                    self.use(beside[0])
                    value, where = join_wrapped(line.text for line in beside[0].lines), self.at(beside[0])
            header_value(self.draft, label.field, value, where, self.labels)
        return True



def _side_label(block: Block, labels: LabelTable) -> str | None:
    """The side label of a block whose title prints its points (年度绩效目标(80分)), if the block is one."""
    key = _BLOCK_POINTS.sub("", block.key)
    field = labels.field(key) if key != block.key else None
    return field if field in _SIDE_FIELDS else None


def _overlap(row: Block, cell: Block) -> float:
    """How much of their height two blocks on one page share."""
    if row.page != cell.page:
        return 0.0
    return min(row.bottom, cell.bottom) - max(row.top, cell.top)


def _figure(cell: Block) -> str:
    # A figure wrapped in its cell (≤1076430. / 57元) joins without a space; its digits are ASCII.
    return ascii_digits("".join(line.text.strip() for line in _printed(cell)))


def _printed(cell: Block) -> list[TextLine]:
    """A cell's lines above the note formgen adds under a published form's figure that differs from its own
    (“计算值 9.78” under the printed 9, wrapped in a narrow cell): the figure the form states is the printed
    one, and formgen computes the other again."""
    return list(itertools.takewhile(lambda line: not squash(line.text).startswith(COMPUTED_NOTE), cell.lines))


def _computed(cell: Block) -> str:
    """formgen's figure noted under a published one (“计算值 90”, perhaps wrapped as “计算值” / “90”), as
    `_printed` leaves it out; "" where there is none."""
    note = "".join(line.text for line in cell.lines[len(_printed(cell)):])
    return ascii_digits(squash(note)[len(COMPUTED_NOTE):]) if note else ""


def _paragraphs(cell: Block) -> list[str]:
    """A cell's text in paragraphs: a line that ends well short of the cell's text edge ends one."""
    if cell.breaks:
        return [join_wrapped([line.text]) for line in cell.lines if line.text.strip()]
    paragraphs: list[list[str]] = [[]]
    right = max(line.x1 for line in cell.lines)
    for line in cell.lines:
        paragraphs[-1].append(line.text)
        if line.x1 < right - 1.5 * line.size:
            paragraphs.append([])
    return [join_wrapped(lines) for lines in paragraphs if lines]
