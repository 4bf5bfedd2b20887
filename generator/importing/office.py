"""Forms from Excel workbooks (.xlsx, .xls) and Word documents (.docx), read as the PDF's are: by position.

Each cell, or merged range, becomes one `grid.Block` on a grid — x from its columns, top and bottom from
its rows — so a label finds its value to its right, below it, or where its row meets a column, as in a
PDF (`grid.py`). A document's paragraphs outside its tables (the title, （2024年度）, 填报日期 …) are
blocks outside the table, in the order they come. Sheets are read one after the other, each its own
page; a workbook holds one form per sheet or several stacked on one sheet, a document several one after
the other: a form starts at its heading, as in a PDF.

A cell's text is what the cell holds: a number as Excel stores it, without a float's binary noise
(52.2 stays "52.2"; Excel keeps 15 significant digits, so do we), a percent-formatted number as it is
shown (0.7093 with 0.00% → "70.93%"), a date as a date. A number showing fewer decimals than it holds is
read as shown, and an amount as held (`Block.held`). A line break typed in a cell is a paragraph
break (`Block.breaks`). Every block keeps its place — sheet!cell, or table, row and column — and every
note names it.

The libraries (openpyxl, python-docx, xlrd) bound nothing they unpack, so the file is checked first
(`limits.py`): .xlsx and .docx are zip files, and their directory gives each member's unpacked size, which
Python's zipfile then holds them to; the cells are counted in the XML before any library parses it.

Why one module: it is the one reader of .xlsx, .xls and .docx (openpyxl and python-docx are imported elsewhere only to
write, in render/), and its three readers share what turns a cell into a `grid.Block`: its text as shown and as held,
its place, its merged range, `OfficeProblem`. The cell counts made before a library parses the file (`_check_zip`,
`_check_xls`) could move to limits.py; they stay beside the readers, as each counts cells as its library makes them.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..config import Scheme
from ..findings import Finding, Level, Reported
from ..formatting import COMPUTED_NOTE
from ..i18n import _
from ..timelimit import Deadline
from .characters import Removed, clean_line, describe
from .draft import Draft, Location, note
from .grid import Block, TextLine, read_blocks
from .labels import LabelTable
from .limits import DEFAULT_LIMITS, Limits, mebibytes

__all__ = ["CFB_MAGIC", "OfficeProblem", "office_kind", "read_office_forms"]

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""An OLE compound file: a .xls or .doc, or an .xlsx/.docx encrypted with a password (Office wraps those in one)."""
_ZIP_MAGIC = b"PK\x03\x04"
_WIDTH = 100.0  # grid units of a column and a row: far apart next to grid.py's tolerance of 2
_HEIGHT = 20.0
_PARAGRAPH_COLUMNS = 63  # a paragraph outside the tables spans the page: under no one column of a table
_MERGED_CELLS = 10_000  # a merged range larger than this is no form's (the conclusion spans about 10 cells)
_SIZE = 10.0  # the size a line of a cell is given (grid.py measures paragraphs of PDF lines with it)


class OfficeProblem(Reported):
    """A workbook or document that cannot be read at all: an error with its code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(Finding("", 0, Level.ERROR, code, "", "", message, ""))


def office_kind(head: bytes, data: bytes, suffix: str) -> str | None:
    """What an office file is, from its content (its name's ending may lie): ``xlsx``, ``docx``, ``xls``,
    or one of the kinds formgen cannot read (``encrypted``, ``doc``, ``zip``); None if it is none of these."""
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    if head.startswith(CFB_MAGIC):
        # The directory of a compound file names its streams in UTF-16: Office's password protection keeps
        # the real file in one named EncryptedPackage, Word 97-2003 its text in WordDocument.
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "encrypted"
        if "WordDocument".encode("utf-16-le") in data or suffix == ".doc":
            return "doc"
        return "xls"
    return None


def _encrypted() -> tuple[str, str]:
    """The code and message of a file protected with a password (.xlsx, .docx or .xls)."""
    return "import-encrypted", _(
        "the file is protected with a password: open it in Excel, WPS or Word with the password, remove the "
        "password (File → Info → Protect) and save it, then import that copy")


def kind_problem(kind: str, suffix: str) -> OfficeProblem | None:
    """The message for a kind of file formgen does not read (`office_kind`), else None."""
    if kind == "encrypted":
        return OfficeProblem(*_encrypted())
    if kind == "doc":
        return OfficeProblem("import-unreadable", _(
            "a Word 97-2003 document (.doc) cannot be read: open it in Word or WPS and save it as .docx "
            "(File → Save As → Word Document), then import the .docx"))
    if kind == "zip":
        return OfficeProblem("import-unreadable", _(
            "the file is damaged or not an Excel or Word file (a zip without a workbook or document in it): is "
            "the file complete? Open it in Excel, WPS or Word and save it again"))
    return None


def read_office_forms(data: bytes, kind: str, source: str, scheme: Scheme, labels: LabelTable,
                      limits: Limits = DEFAULT_LIMITS, deadline: Deadline | None = None,
                      cells: list[str] | None = None) -> tuple[list[Draft], list[Finding]]:
    """The forms in a workbook or document (`kind`: ``xlsx``, ``xls``, ``docx``), and what was found outside
    any form; the file is checked against `limits` before a library reads it. `cells` gets the text of
    every cell and paragraph read (what tells the file's profile)."""
    notes: list[Finding] = []
    try:
        if kind == "xlsx":
            blocks = _xlsx_blocks(data, source, limits, deadline, notes)
        elif kind == "xls":
            blocks = _xls_blocks(data, source, limits, deadline, notes)
        else:
            blocks = _docx_blocks(data, source, limits, deadline, notes)
    except OfficeProblem as problem:
        return [], [*notes, problem.at(str(Location(source)))]
    if not blocks:
        message = (_("the document has no text: is it the file you meant? A form is a table with 项目名称, "
                     "年度资金总额 and the indicators") if kind == "docx" else
                   _("the workbook has no text in any cell: is it the file you meant? A form is a sheet with "
                     "项目名称, 年度资金总额 and the indicators"))
        return [], [*notes, note(Location(source), "import-no-form", True, message)]
    if cells is not None:
        cells += [block.text for block in blocks]
    drafts, found = read_blocks(blocks, source, scheme, labels)
    return drafts, [*notes, *found]


# --- a cell's text -----------------------------------------------------------------------------------

def number_text(value: float | int | Decimal, number_format: str = "General") -> str:
    """A number as the cell holds it: no binary noise (15 significant digits, as Excel keeps them), no
    ``.0`` on an integer; with a percent format, as the cell shows it (0.7093 with ``0.00%`` → ``70.93%``)."""
    exact = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    percent, places = _places(number_format)
    if percent:
        return f"{(exact * 100).quantize(Decimal(1).scaleb(-(places or 0)), ROUND_HALF_UP):f}%"
    exact = exact.normalize()
    exponent = exact.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and -exponent > places:
        # More decimals than the cell shows (a formula's 7.093 under 0.00): the form says what it shows, 7.09.
        exact = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{exact:f}" if exact != exact.to_integral_value() else f"{exact.to_integral_value():f}"


def _places(number_format: str) -> tuple[bool, int | None]:
    """Whether a number format shows a percent, and how many decimals it shows (``0.00%`` → True, 2;
    ``#,##0.00`` → False, 2); None decimals for General and formats without digits."""
    section = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format.split(";")[0])
    if not re.search(r"[0#?]", section):
        return "%" in section, None
    decimals = re.search(r"\.([0#?]+)", section)
    return "%" in section, len(decimals.group(1)) if decimals else 0


def _held_text(value: Any, number_format: str, shown: str) -> str:
    """A number as the cell holds it where the cell shows fewer of its decimals (108.5437 万元 under
    ``#,##0.00``, shown 108.54), else "": an amount keeps what the cell holds (`grid.Block.held`)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or _places(number_format)[0]:
        return ""
    held = number_text(value)
    return held if held != shown else ""


def _value_text(value: Any, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is one
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime) and value.time() != datetime.time():
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return _date_text(value if not isinstance(value, datetime.datetime) else value.date(), number_format)
    if isinstance(value, int | float | Decimal):
        return number_text(value, number_format)
    return str(value)


_DATE_PARTS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|y+|m+|d+|.', re.IGNORECASE)


def _date_text(day: datetime.date, number_format: str) -> str:
    """A date as its cell shows it where the format writes it in Chinese (2023年12月, 2023年12月31日: a
    target typed as a date keeps its precision, which a full date would change), else ISO (2023-12-31)."""
    if "年" not in number_format and "月" not in number_format:
        return day.isoformat()
    parts: list[str] = []
    for token in _DATE_PARTS.findall(number_format.split(";")[0]):
        letter = token[0].lower()
        if token.startswith('"'):
            parts.append(token.strip('"'))
        elif token.startswith("\\"):
            parts.append(token[1:])
        elif letter == "y":
            parts.append(str(day.year))
        elif letter == "m":
            parts.append(str(day.month))
        elif letter == "d":
            parts.append(str(day.day))
        elif not token.startswith("[") and token != "@":  # a locale tag [$-804], text's @: nothing shown
            parts.append(token)
    return "".join(parts)


def _block(text: str, page: int, rows: tuple[int, int], columns: tuple[int, int], where: Location,
           removed: list[Removed], in_table: bool = True, held: str = "") -> Block | None:
    """A block for a cell or merged range (rows and columns from 0, last included), or None if it holds no text."""
    x0, x1 = columns[0] * _WIDTH, (columns[1] + 1) * _WIDTH
    top, bottom = rows[0] * _HEIGHT, (rows[1] + 1) * _HEIGHT
    lines: list[TextLine] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line, taken = clean_line(raw)
        removed += taken
        if line.strip():
            lines.append(TextLine(line.strip(), x0, x1, top + len(lines), _SIZE))
    if not lines:
        return None
    return Block(page, x0, top, x1, bottom, lines, in_table=in_table, where=where, breaks=True, held=held)


def _removed_note(removed: list[Removed], where: Location, notes: list[Finding]) -> None:
    if removed:
        notes.append(note(where, "import-character", False, _(
            "{characters} in the cells' text: a form file cannot hold such characters — compare the text around "
            "them with the source").format(characters=describe(removed))))


def _cell_name(row: int, column: int) -> str:
    """A cell's name as Excel gives it (rows and columns from 0): B7."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


# --- limits -----------------------------------------------------------------------------------------

_XLSX_CELLS = re.compile(rb'<c[ >/]|<mergeCell [^>]*?ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')
"""A cell of a sheet's XML, and a merged range, which openpyxl fills with a cell object for each cell it covers."""
_DOCX_CELLS = re.compile(rb'<w:tc[ >/]|<w:gridSpan [^>]*?w:val="([0-9]{1,12})"')
"""A cell of a document's table, and its span, which python-docx repeats the cell for in each grid column."""
_TAIL = 128  # bytes kept from one chunk to the next: longer than any one match, so none is cut in two


def _cells_of(found: re.Match[bytes]) -> int:
    """How many cells a match stands for: 1 for a cell, the area of a merged range, the columns of a span."""
    groups = found.groups()
    if groups[0] is None:
        return 1
    if len(groups) == 1:
        return int(groups[0])
    first_row, last_row = int(groups[1]), int(groups[3])
    first_column, last_column = _column_number(groups[0]), _column_number(groups[2])
    return (abs(last_row - first_row) + 1) * (abs(last_column - first_column) + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _check_zip(data: bytes, limits: Limits, cells: re.Pattern[bytes], parts: str) -> None:
    """Before a library unpacks it: the members' unpacked sizes (from the zip's directory, which zipfile
    then holds each member to), and the cells in the parts under `parts` as the library will make them —
    counted in their XML, merged ranges and spans by their size, so that no part that is small on disk
    makes the library build millions of cells."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise OfficeProblem("import-unreadable", _("the file's zip container is damaged: is the file complete? "
                                                   "Open it in Excel, WPS or Word and save it again")) from None
    with archive:
        members = archive.infolist()
        total = sum(member.file_size for member in members)
        if len(members) > limits.zip_members or total > limits.unpacked_bytes:
            raise OfficeProblem("import-too-large", _(
                "the file unpacks to more than {size} (or more than {members} parts): no workbook or document of "
                "forms needs that — is this the file you meant? Split it into smaller files and import those")
                .format(size=mebibytes(limits.unpacked_bytes), members=limits.zip_members))
        count = 0
        for member in members:
            if not member.filename.startswith(parts) or not member.filename.endswith(".xml"):
                continue
            try:
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(1 << 20):
                        buffer = tail + chunk
                        # A match that ends in the tail was counted with the chunk before.
                        count += sum(_cells_of(found) for found in cells.finditer(buffer) if found.end() > len(tail))
                        if count > limits.max_cells:
                            raise _too_many_cells(limits)
                        tail = buffer[-_TAIL:]
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                raise OfficeProblem("import-unreadable", _(
                    "the part {part} of the file is damaged: is the file complete? Open it in Excel, WPS or Word and "
                    "save it again").format(part=member.filename)) from None


def _too_many_cells(limits: Limits) -> OfficeProblem:
    return OfficeProblem("import-too-large", _(
        "the file has more than {cells} cells, far more than a workbook of forms needs: is this the file you "
        "meant? Split it into smaller files (a few hundred forms each) and import those")
        .format(cells=f"{limits.max_cells:,}"))


# --- .xlsx (openpyxl) ---------------------------------------------------------------------------------

def _xlsx_blocks(data: bytes, source: str, limits: Limits, deadline: Deadline | None,
                 notes: list[Finding]) -> list[Block]:
    _check_zip(data, limits, _XLSX_CELLS, "xl/worksheets/")
    import openpyxl  # only `formgen import` of a workbook needs it

    try:
        with warnings.catch_warnings():  # "extension not supported" and the like: nothing a clerk can act on
            warnings.simplefilter("ignore")
            # data_only: a formula's value as Excel last saved it, which is what the form shows
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as error:  # openpyxl raises whatever its parsers raise on a damaged part
        raise OfficeProblem("import-unreadable", _(
            "the workbook cannot be read ({cause}): is the file complete? Open it in Excel or WPS and save it "
            "again").format(cause=type(error).__name__)) from None
    blocks: list[Block] = []
    try:
        for page, sheet in enumerate(book.worksheets, start=1):
            if deadline is not None:
                deadline.check()
            blocks += _sheet_blocks(page, sheet.title, _xlsx_cells(sheet), _xlsx_merged(sheet), source, notes)
    finally:
        book.close()
    return blocks


def _xlsx_cells(sheet: Any) -> Iterator[tuple[int, int, str, str]]:
    """Each cell with a value: its row and column (from 0), its text as shown and as held (`_held_text`)."""
    # The cells the sheet has, not iter_rows(): that walks (and creates) every cell of the rectangle up to
    # the farthest one, which a stray cell at XFD1048576 makes 17 billion.
    for (row, column), cell in sorted(sheet._cells.items()):
        if cell.value is not None:
            number_format = cell.number_format or "General"
            shown = _value_text(cell.value, number_format)
            yield row - 1, column - 1, shown + _computed_note(cell), _held_text(cell.value, number_format, shown)


def _computed_note(cell: Any) -> str:
    """formgen's own figure beside a published one, from the cell's note (“计算值 90”, its first line in any
    language, as formgen's export writes it), as a line under the figure, where the document and the PDF
    print it; "" for a cell without such a note."""
    text = cell.comment.text if cell.comment is not None else ""
    first = text.strip().split("\n")[0].strip()
    return f"\n{first}" if first.startswith(COMPUTED_NOTE) else ""


def _xlsx_merged(sheet: Any) -> list[tuple[int, int, int, int]]:
    return [(merged.min_row - 1, merged.max_row - 1, merged.min_col - 1, merged.max_col - 1)
            for merged in sheet.merged_cells.ranges]


def _sheet_blocks(page: int, name: str, cells: Iterable[tuple[int, int, str, str]],
                  merged: list[tuple[int, int, int, int]], source: str, notes: list[Finding]) -> list[Block]:
    """A sheet's blocks in reading order: a merged range is one block, with its first cell's text."""
    spans = {(first_row, first_column): (first_row, last_row, first_column, last_column)
             for first_row, last_row, first_column, last_column in merged}
    # The cells a merged range hides (Excel keeps only its first cell's value; a file written otherwise may
    # keep more). A range larger than any form's is left out: whatever is not its first cell is empty there.
    hidden = {(row, column) for first_row, last_row, first_column, last_column in merged
              if (last_row - first_row + 1) * (last_column - first_column + 1) <= _MERGED_CELLS
              for row in range(first_row, last_row + 1) for column in range(first_column, last_column + 1)
              if (row, column) != (first_row, first_column)}
    blocks: list[Block] = []
    removed: list[Removed] = []
    for row, column, text, held in cells:
        if (row, column) in hidden:
            continue
        first_row, last_row, first_column, last_column = spans.get((row, column), (row, row, column, column))
        where = Location(source, sheet=name, cell=_cell_name(row, column))
        block = _block(text, page, (first_row, last_row), (first_column, last_column), where, removed, held=held)
        if block is not None:
            blocks.append(block)
    _removed_note(removed, Location(source, sheet=name), notes)
    return sorted(blocks, key=lambda block: (block.top, block.x0))


# --- .xls (xlrd) ----------------------------------------------------------------------------------------

def _xls_blocks(data: bytes, source: str, limits: Limits, deadline: Deadline | None,
                notes: list[Finding]) -> list[Block]:
    import xlrd  # only `formgen import` of an Excel 97-2003 workbook needs it

    _check_xls(data, limits)
    try:
        # formatting_info: the merged ranges and each cell's number format (a percent, a date);
        # ragged_rows: a row holds the cells it has, not as many as the widest row
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True, on_demand=True,
                                  logfile=io.StringIO())  # its warnings go to standard output otherwise
    except Exception as error:  # xlrd raises its own and struct's errors on a damaged file
        if "encrypted" in str(error).lower():  # xlrd's "Workbook is encrypted": a .xls with a password
            raise OfficeProblem(*_encrypted()) from None
        raise OfficeProblem("import-unreadable", _(
            "the Excel 97-2003 workbook (.xls) cannot be read ({cause}): is the file complete? Open it in Excel "
            "or WPS and save it as .xlsx, then import that").format(cause=type(error).__name__)) from None
    blocks: list[Block] = []
    count = 0
    try:
        for page, name in enumerate(book.sheet_names(), start=1):
            if deadline is not None:
                deadline.check()
            sheet = book.sheet_by_name(name)
            cells = list(_xls_cells(book, sheet))
            count += len(cells)
            if count > limits.max_cells:
                raise _too_many_cells(limits)
            merged = [(rlo, rhi - 1, clo, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
            blocks += _sheet_blocks(page, name, cells, merged, source, notes)
            book.unload_sheet(name)
    finally:
        book.release_resources()
    return blocks


_BIFF_CELLS = {0x0006: 0, 0x00D6: 0, 0x00FD: 0, 0x0201: 0, 0x0203: 0, 0x0204: 0, 0x0205: 0, 0x027E: 0,
               0x00BD: 6, 0x00BE: 2}
"""The record types of an .xls that hold cells: one cell each (FORMULA, RSTRING, LABELSST, BLANK, NUMBER,
LABEL, BOOLERR, RK), or one per 6 or 2 bytes (MULRK, MULBLANK: a run of cells in one record)."""


def _check_xls(data: bytes, limits: Limits) -> None:
    """The cells of an .xls, counted in its records before xlrd reads it: xlrd keeps every cell of a sheet
    (a blank one too, with formatting_info), and one record of a few bytes stands for up to 256 blanks."""
    import struct

    from xlrd.compdoc import CompDoc

    try:
        document = CompDoc(data, logfile=io.StringIO())
        stream, start, size = document.locate_named_stream("Workbook")
        if stream is None:  # Excel 5/95 names it Book
            stream, start, size = document.locate_named_stream("Book")
    except Exception:  # a damaged compound file: xlrd says so, in _xls_blocks
        return
    if stream is None:
        return
    count, position, end = 0, start, start + size
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        per = _BIFF_CELLS.get(kind)
        if per is not None:
            count += 1 if per == 0 else max(length - 6, 0) // per
            if count > limits.max_cells:
                raise _too_many_cells(limits)
        position += 4 + length


def _xls_cells(book: Any, sheet: Any) -> Iterator[tuple[int, int, str, str]]:
    import xlrd

    for row in range(sheet.nrows):
        for column, cell in enumerate(sheet.row(row)):
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            number_format = "General"
            if cell.xf_index is not None and cell.xf_index < len(book.xf_list):
                found = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                number_format = found.format_str if found is not None else "General"
            value: Any = cell.value
            if cell.ctype == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(cell.value, book.datemode)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(cell.value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(cell.value, "#ERROR")
            shown = _value_text(value, number_format)
            yield row, column, shown, _held_text(value, number_format, shown)


# --- .docx (python-docx) --------------------------------------------------------------------------------

def _docx_blocks(data: bytes, source: str, limits: Limits, deadline: Deadline | None,
                 notes: list[Finding]) -> list[Block]:
    _check_zip(data, limits, _DOCX_CELLS, "word/document")
    import docx  # only `formgen import` of a document needs it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises whatever its parsers raise on a damaged part
        raise OfficeProblem("import-unreadable", _(
            "the document cannot be read ({cause}): is the file complete? Open it in Word or WPS and save it "
            "again").format(cause=type(error).__name__)) from None
    blocks: list[Block] = []
    removed: list[Removed] = []
    row_at = 0  # the grid row the next paragraph or table row takes: the document's order, top to bottom
    tables = paragraphs = 0
    for item in document.iter_inner_content():
        if deadline is not None:
            deadline.check()
        if isinstance(item, Paragraph):
            paragraphs += 1
            where = Location(source, paragraph=paragraphs)
            block = _block(item.text, 1, (row_at, row_at), (0, _PARAGRAPH_COLUMNS), where, removed, in_table=False)
            if block is not None:
                blocks.append(block)
                row_at += 1
        elif isinstance(item, Table):
            tables += 1
            found, rows = _table_blocks(item, tables, row_at, source, removed)
            blocks += found
            row_at += rows
    _removed_note(removed, Location(source), notes)
    return blocks


def _table_blocks(table: Any, number: int, row_at: int, source: str,
                  removed: list[Removed]) -> tuple[list[Block], int]:
    """A table's blocks, each cell one however many grid columns (gridSpan) and rows (vMerge) it spans,
    and how many rows the table has. python-docx repeats a merged cell in each row and column it covers."""
    spans: dict[Any, list[int]] = {}  # a cell's element (kept, so lxml gives the same one back) → its rectangle
    order: list[Any] = []
    rows = 0
    for row_index, row in enumerate(table.rows):
        rows = row_index + 1
        # A row may start later than the table's first grid column (gridBefore): its cells shift right.
        for column_index, cell in enumerate(row.cells, start=row.grid_cols_before):
            element = cell._tc
            if element not in spans:
                spans[element] = [row_index, row_index, column_index, column_index]
                order.append(cell)
            else:
                span = spans[element]
                span[1], span[3] = max(span[1], row_index), max(span[3], column_index)
    blocks: list[Block] = []
    for cell in order:
        first_row, last_row, first_column, last_column = spans[cell._tc]
        text = "\n".join(paragraph.text for paragraph in cell.paragraphs)
        where = Location(source, table=number, row=first_row + 1, column=first_column + 1)
        block = _block(text, 1, (row_at + first_row, row_at + last_row), (first_column, last_column), where, removed)
        if block is not None:
            blocks.append(block)
    return sorted(blocks, key=lambda block: (block.top, block.x0)), rows
