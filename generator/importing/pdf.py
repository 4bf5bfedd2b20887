"""Forms from a PDF's text layer and table structure (pdfplumber), cell by cell.

The only module that imports pdfplumber and pypdfium2. pdfplumber finds the table's ruling lines and
so its cells; each word goes to the cell it stands in, and words outside any cell become lines of
their own. A cell that is a label (`labels.LABELS`) finds its value by position: the cell to its
right (项目名称 → the title), the cell below (预期目标 → the goal), or the cell where its row meets a
column (年度资金总额 × 全年预算数（A）). Indicator rows are the 三级指标 cells under the header; every
other cell of the indicator table joins the row it lies beside, and a 一级 or 二级 cell joins every
row it spans, across pages too.

Text a PDF draws but nobody sees — glyphs outside their clipping path, such as a table caption hidden
for screen readers — is left out: pdfium knows each glyph's clip, pdfplumber does not.

Neither library bounds what it inflates or parses, so the file is checked first (`limits.py`): every
stream inflated as far as the limits allow, the pages counted, and each page's content measured before
the page is parsed; pages are read one at a time and let go of after.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from ..config import Scheme
from ..i18n import _
from ..model import PLACEHOLDER_FIGURES, caption
from ..profile import form_model
from ..timelimit import Deadline
from .characters import Removed, ascii_digits, clean_line, describe, printable
from .draft import (
    Draft,
    LevelNames,
    Location,
    Note,
    conclusion_markdown,
    join_wrapped,
    level1_parts,
    score_text,
    unit_note,
)
from .labels import (
    IGNORED_LINES,
    INDICATOR_COLUMNS,
    MONEY_UNITS,
    SECTION_FIELDS,
    LabelTable,
    squash,
)
from .limits import DEFAULT_LIMITS, Limits, mebibytes
from .text import department_parts, filled_on_text

__all__ = ["read_pdf_forms"]

_FUND_COLUMNS = ("initial", "budget", "executed", "weight", "execution_rate", "score")
_LINE_FIELDS = {"seal", "filled_on", "title", "department", "implementer", "contact", "execution_reason", "grade"}
"""Fields written as label: value lines, with the profile's extra header fields (`LabelTable.extra_fields`)."""
_YEAR = re.compile(r"^[(（]\s*(\d{4})\s*年度?\s*[)）]$")
_COMPUTED = "计算值"
"""What formgen's PDF of a published form writes before its own figure where the printed one differs
(`render.html`'s `figure`)."""
_TOLERANCE = 2.0  # points: how far apart two edges may be and still line up


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


class PdfProblem(Exception):
    """A PDF that cannot be read at all: its code and message, and the page where that shows, if any."""

    def __init__(self, code: str, message: str, page: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.page = code, message, page


def read_pdf_forms(data: bytes, source: str, scheme: Scheme, labels: LabelTable, limits: Limits = DEFAULT_LIMITS,
                   deadline: Deadline | None = None) -> tuple[list[Draft], list[Note]]:
    """The forms in a PDF (its bytes, read once and checked against `limits` before any library parses
    them), and what was found outside any form; `deadline` is checked between pages."""
    notes: list[Note] = []
    try:
        blocks = _blocks(data, source, limits, deadline, notes)
    except PdfProblem as problem:
        return [], [*notes, Note(Location(source, page=problem.page), problem.code, True, problem.message)]
    if not blocks:
        return [], [*notes, Note(Location(source), "import-no-text", True,
                                 _("the PDF has no text layer (a scan?): run OCR on it first, or type the forms in "
                                   "(formgen new)"))]
    if not any(block.in_table for block in blocks):
        return [], [*notes, Note(Location(source, page=blocks[0].page), "import-no-table", True,
                                 _("the PDF has text but no table: formgen reads the 自评表's cells from its "
                                   "ruling lines; if this is a form, extract its text (pdftotext) and import the "
                                   ".txt"))]
    running = _running(blocks, labels)
    blocks = [block for block in blocks if id(block) not in running]
    starts = _form_starts(blocks, labels)
    if not starts:
        return [], [*notes, Note(Location(source, page=blocks[0].page), "import-no-form", True,
                                 _("no form found: no {form} heading and no {title} cell — is this a 自评表?")
                                 .format(form=labels.profile.labels.form_title, title=labels.profile.labels.title))]
    before = [block for block in blocks[: starts[0]] if not _ignored(block.key)]
    if before:
        notes.append(Note(Location(source, page=before[0].page), "import-unplaced", False,
                          _("{count} lines or cells come before the first form (from “{text}”): not imported")
                          .format(count=len(before), text=before[0].key[:30])))
    drafts = []
    for number, start in enumerate(starts, start=1):
        end = starts[number] if number < len(starts) else len(blocks)
        draft = Draft(Location(source, page=blocks[start].page), number, model=form_model(labels.profile),
                      conclusion_required=labels.profile.fields.conclusion == "required")
        _PdfForm(blocks[start:end], draft, source, scheme, labels).read()
        draft.finish()
        drafts.append(draft)
    return drafts, notes


def _ignored(key: str) -> bool:
    return not key or any(pattern.match(key) for pattern in IGNORED_LINES)


def _form_starts(blocks: list[Block], labels: LabelTable) -> list[int]:
    """Where each form starts: at its heading (项目支出绩效目标自评表); in a file without headings, at
    each 项目名称 cell (a summary table's 项目名称 column, as on a bundle's cover, is then not a form)."""
    headed = [index for index, block in enumerate(blocks)
              if block.lines and squash(block.lines[0].text) in labels.titles]
    if headed:
        return headed
    return [index for index, block in enumerate(blocks) if labels.field(block.text) == "title"]


def _running(blocks: list[Block], labels: LabelTable) -> set[int]:
    """Lines outside the table repeated at the same height on several pages: running headers and footers
    (a bundle prints each page's form title there). Lines with a label of the form are never such."""
    seen: dict[tuple[str, int], set[int]] = {}
    for block in blocks:
        if not block.in_table:
            seen.setdefault((block.key, round(block.top / 4)), set()).add(block.page)
    return {id(block) for block in blocks if not block.in_table and len(seen[(block.key, round(block.top / 4))]) > 1
            and block.key not in labels.titles and not any(labels.find(block.text))}


# --- reading the PDF ---------------------------------------------------------------------------------

def _open(data: bytes) -> Any:
    import pdfplumber  # only `formgen import` needs it
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if type(cause).__name__ == "PDFPasswordIncorrect":
            raise PdfProblem("import-encrypted", _("the PDF is encrypted with a password: open it with the password "
                                                   "and save an unprotected copy (e.g. qpdf --decrypt --password=… "
                                                   "in.pdf out.pdf)")) from None
        shown = printable(str(cause or type(cause).__name__))  # pdfminer's message may quote the file's bytes
        raise PdfProblem("import-unreadable",
                         _("not a readable PDF ({cause}): is the file complete?").format(cause=shown)) from None


def _blocks(data: bytes, source: str, limits: Limits, deadline: Deadline | None, notes: list[Note]) -> list[Block]:
    """Every cell and every line outside the tables, page by page, in reading order. Each page is
    checked against the limits before it is parsed, and let go of after (pdfplumber keeps every object
    of a page it has read until then); `notes` gets the characters taken out of each page's text."""
    from pdfplumber.utils.exceptions import PdfminerException

    _check_streams(data, limits)
    pdf = _open(data)
    glyphs = _Glyphs(data)
    try:
        _check_pages(pdf, limits)
        blocks: list[Block] = []
        for number, page in enumerate(pdf.pages, start=1):
            if deadline is not None:
                deadline.check()
            _check_page_content(page, number, limits)
            chars = page.chars  # pdfminer first: pure Python, so a time limit can stop it mid-page
            hidden = _hidden_chars(chars, glyphs.hidden(number - 1))
            visible = page.filter(lambda obj, hidden=hidden: id(obj) not in hidden) if hidden else page
            found, removed = _page_blocks(visible, number)
            blocks += found
            if removed:
                notes.append(Note(Location(source, page=number), "import-character", False,
                                  _("{characters} in the page's text: a form file cannot hold such characters and "
                                    "the printed form does not show them — compare the text around them with the "
                                    "source").format(characters=describe(removed))))
            page.close()
        return blocks
    except PdfminerException as error:
        shown = printable(str(error.args[0] if error.args else error))
        raise PdfProblem("import-unreadable", _("the PDF is damaged ({cause})").format(cause=shown)) from None
    finally:
        glyphs.close()
        pdf.close()


# --- limits (limits.py says why each is where it is) ---------------------------------------------------

_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
_ZLIB_HEADER = re.compile(rb"\x78[\x01\x5e\x9c\xda]")
_CHUNK = 64 * 1024
_NESTING = 3  # FlateDecode applied to its own output: how deep to follow (one level is the normal case)


def _inflate(data: bytes | memoryview, limit: int) -> tuple[int, bytes | None]:
    """How many bytes the zlib stream at the start of `data` inflates to, counting no further than
    `limit` + 1, and the output itself if it is zlib again (else None). Damaged data ends the count
    where it breaks, as pdfminer's own recovery does; data that is no zlib counts 0."""
    inflater = zlib.decompressobj()
    kept: list[bytes] | None = None
    size = offset = 0
    pending: bytes | memoryview = b""
    while size <= limit and not inflater.eof:
        if not pending:
            if offset >= len(data):
                break
            pending, offset = data[offset: offset + _CHUNK], offset + _CHUNK
        try:
            piece = inflater.decompress(pending, limit + 1 - size)
        except zlib.error:
            break
        pending = inflater.unconsumed_tail
        if size == 0 and _ZLIB_HEADER.match(piece):  # only output that is zlib again is worth keeping
            kept = []
        if kept is not None:
            kept.append(piece)
        size += len(piece)
    return size, b"".join(kept) if kept is not None else None


def _check_streams(data: bytes, limits: Limits) -> None:
    """Every stream of the file, inflated as far as the limits allow, before any library reads it: a
    few KB that inflate to gigabytes (in a page, a font or an object stream) never reach memory."""
    total = 0
    view = memoryview(data)
    for found in _STREAM_START.finditer(data):
        size, nested = _inflate(view[found.end():], limits.stream_bytes)
        for _round in range(_NESTING):
            if nested is None or size > limits.stream_bytes:
                break
            size, nested = _inflate(nested, limits.stream_bytes)
        if size > limits.stream_bytes:
            raise PdfProblem("import-too-large", _(
                "a stream of the PDF (at byte {offset}) inflates to more than {size}: no form needs that — is this "
                "the published form? Print it to a new PDF, or extract its text (pdftotext) and import the .txt")
                .format(offset=found.end(), size=mebibytes(limits.stream_bytes)))
        total += size
        if total > limits.decoded_bytes:
            raise PdfProblem("import-too-large", _(
                "the PDF's streams inflate to more than {size}: no bundle of forms needs that — split it into "
                "smaller files (e.g. qpdf --split-pages=100 in.pdf out.pdf) and import those")
                .format(size=mebibytes(limits.decoded_bytes)))


def _check_pages(pdf: Any, limits: Limits) -> None:
    """No more pages than `limits.max_pages`, counted without reading any (a page tree can lie about its count)."""
    from pdfminer.pdfpage import PDFPage

    if sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), limits.max_pages + 1)) > limits.max_pages:
        raise PdfProblem("import-too-large", _(
            "the PDF has more than {pages} pages: split it into smaller files (e.g. qpdf --split-pages={pages} "
            "in.pdf out.pdf), or raise the limit with --max-pages if it really is one bundle of forms")
            .format(pages=limits.max_pages))


def _check_page_content(page: Any, number: int, limits: Limits) -> None:
    """The content a page's text is read from — its content streams and the forms (XObjects) they draw,
    each once — decoded, is within `limits.page_content_bytes`; checked before the page is parsed."""
    from pdfminer.pdftypes import PDFStream, resolve1

    size = 0
    seen: set[int] = set()
    pending = [(stream, resolve1(page.page_obj.resources)) for stream in page.page_obj.contents]
    while pending:
        stream, resources = pending.pop()
        stream = resolve1(stream)
        if not isinstance(stream, PDFStream) or id(stream) in seen:
            continue
        seen.add(id(stream))
        size += len(stream.get_data())
        if size > limits.page_content_bytes:
            raise PdfProblem("import-too-large", _(
                "the page's content is more than {size} decoded (a form page has about 50 KB): is this the "
                "published form? Print it to a new PDF, or extract its text (pdftotext) and import the .txt")
                .format(size=mebibytes(limits.page_content_bytes)), number)
        xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
        for xobject in (xobjects.values() if isinstance(xobjects, dict) else ()):
            drawn = resolve1(xobject)
            if isinstance(drawn, PDFStream) and getattr(resolve1(drawn.get("Subtype")), "name", None) == "Form":
                pending.append((drawn, resolve1(drawn.get("Resources")) or resources))


Run = tuple[str, list[tuple[float, float]]]
"""Glyphs hidden one after the other: their text, and each one's centre (PDF coordinates)."""


def _hidden_chars(chars: list[dict[str, Any]], runs: list[Run]) -> set[int]:
    """The ids of pdfplumber's chars that pdfium found hidden. A run of hidden text is looked for in
    pdfplumber's chars as the same text at the same places: a hidden glyph may lie exactly on a visible
    twin, and the two libraries may order a page's glyphs a little differently."""
    mine = "".join(char["text"][:1] or " " for char in chars)
    found: set[int] = set()
    for text, centres in runs:
        start = mine.find(text)
        while start >= 0:
            span = chars[start: start + len(text)]
            if all(char["x0"] - 1 <= x <= char["x1"] + 1 and char["y0"] - 1 <= y <= char["y1"] + 1
                   for char, (x, y) in zip(span, centres, strict=True)):
                found.update(id(char) for char in span)
                break
            start = mine.find(text, start + 1)
    return found


class _Glyphs:
    """Per page, the runs of glyphs drawn outside their clipping path. pdfplumber reads every glyph a
    page draws, seen or not; pdfium knows each glyph's clip. A page is loaded only when asked for (after
    its limits are checked) and closed at once."""

    def __init__(self, data: bytes) -> None:
        import pypdfium2 as pdfium

        try:
            self.document: Any = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            self.document = None  # pdfplumber read it: read it without this refinement

    def close(self) -> None:
        if self.document is not None:
            self.document.close()

    def hidden(self, index: int) -> list[Run]:
        import pypdfium2.raw as raw

        if self.document is None or index >= len(self.document):
            return []
        page = self.document[index]
        textpage = page.get_textpage()
        clips: dict[int, tuple[float, float, float, float] | None] = {}
        runs: list[Run] = []
        previous_hidden = False
        try:
            for char in range(textpage.count_chars()):
                if raw.FPDFText_IsGenerated(textpage.raw, char):  # spaces and line ends pdfium adds
                    continue
                obj = raw.FPDFText_GetTextObject(textpage.raw, char)
                hidden = False
                if not obj:
                    previous_hidden = False
                    continue
                address = ctypes.cast(obj, ctypes.c_void_p).value or 0
                if address not in clips:
                    clips[address] = _clip_box(raw, obj)
                box = clips[address]
                if box is not None:
                    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
                    raw.FPDFText_GetCharBox(textpage.raw, char, left, right, bottom, top)
                    x, y = (left.value + right.value) / 2, (bottom.value + top.value) / 2
                    hidden = not (box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5)
                if hidden:
                    if not previous_hidden:
                        runs.append(("", []))
                    text, centres = runs[-1]
                    centres.append((x, y))
                    runs[-1] = (text + chr(raw.FPDFText_GetUnicode(textpage.raw, char)), centres)
                previous_hidden = hidden
        finally:
            textpage.close()
            page.close()
        return runs


def _clip_box(raw: Any, obj: Any) -> tuple[float, float, float, float] | None:
    """The bounding box of a page object's clipping path (the intersection of its paths), or None."""
    clip = raw.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box: tuple[float, float, float, float] | None = None
    for path in range(raw.FPDFClipPath_CountPaths(clip)):
        xs, ys = [], []
        for segment in range(raw.FPDFClipPath_CountPathSegments(clip, path)):
            point = raw.FPDFClipPath_GetPathSegment(clip, path, segment)
            x, y = ctypes.c_float(), ctypes.c_float()
            if point and raw.FPDFPathSegment_GetPoint(point, x, y):
                xs.append(x.value)
                ys.append(y.value)
        if not xs:
            continue
        own = (min(xs), min(ys), max(xs), max(ys))
        box = own if box is None else (max(box[0], own[0]), max(box[1], own[1]), min(box[2], own[2]),
                                       min(box[3], own[3]))
    return box


def _cells(page: Any) -> list[tuple[float, float, float, float]]:
    """The table cells of a page; a 'cell' that holds other cells (drawn where a border is missing) is not one."""
    found: list[tuple[float, float, float, float]] = []
    for table in page.find_tables():
        found += [cell for cell in table.cells if cell not in found]

    def inside(cell: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
        x, y = (other[0] + other[2]) / 2, (other[1] + other[3]) / 2
        return other != cell and cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]

    return [cell for cell in found if sum(1 for other in found if inside(cell, other)) < 2]


def _page_blocks(page: Any, number: int) -> tuple[list[Block], list[Removed]]:
    """A page's blocks, and the characters taken out of its words (`characters.clean_line`)."""
    cells = _cells(page)
    blocks = {cell: Block(number, *cell) for cell in cells}
    loose: dict[tuple[float | None, float | None], list[dict[str, Any]]] = {}
    verticals = [(edge["x0"], edge["top"], edge["bottom"]) for edge in page.edges if edge["orientation"] == "v"]
    removed: list[Removed] = []
    for word in page.extract_words(extra_attrs=["size"]):
        word["text"], taken = clean_line(word["text"])
        removed += taken
        if not word["text"].strip():
            continue
        x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
        holders = [cell for cell in cells if cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]]
        if holders:
            smallest = min(holders, key=lambda cell: (cell[2] - cell[0]) * (cell[3] - cell[1]))
            _add_word(blocks[smallest], word)
        else:
            loose.setdefault(_strip(word, y, verticals), []).append(word)
    result = [block for block in blocks.values() if block.lines]
    for (left, right), words in loose.items():
        lines = _lines(words)
        if left is None or right is None:  # outside the table: each line a block of its own
            result += [Block(number, line.x0, line.top, line.x1, line.top + line.size, [line], in_table=False)
                       for line in lines]
            continue
        # Between two rules but in no closed cell (a cell cut by a page break has no bottom rule): lines
        # close together are one cell.
        current: Block | None = None
        for line in lines:
            if current is not None and line.top - current.bottom <= line.size:
                current.lines.append(line)
                current.x0, current.x1 = min(current.x0, line.x0), max(current.x1, line.x1)
                current.bottom = line.top + line.size
            else:
                current = Block(number, line.x0, line.top, line.x1, line.top + line.size, [line])
                result.append(current)
    return sorted(result, key=lambda block: (block.top, block.x0)), removed


def _strip(word: dict[str, Any], y: float, verticals: list[tuple[float, float, float]]) -> tuple[float | None,
                                                                                                  float | None]:
    """The nearest vertical rules left and right of a word (at its height), if any: its column."""
    left = max((x for x, top, bottom in verticals if x <= word["x0"] + 0.5 and top <= y <= bottom), default=None)
    right = min((x for x, top, bottom in verticals if x >= word["x1"] - 0.5 and top <= y <= bottom), default=None)
    return left, right


def _add_word(block: Block, word: dict[str, Any]) -> None:
    for line in block.lines:
        if abs(line.top - word["top"]) <= line.size / 2:
            _merge(line, word)
            return
    block.lines.append(TextLine(word["text"], word["x0"], word["x1"], word["top"], word["size"]))
    block.lines.sort(key=lambda line: line.top)


def _merge(line: TextLine, word: dict[str, Any]) -> None:
    # pdfplumber splits words where the gap is wider than a character's spacing: a space was printed there.
    if word["x0"] >= line.x1:
        line.text, line.x1 = f"{line.text} {word['text']}", word["x1"]
    else:
        line.text, line.x0 = f"{word['text']} {line.text}", word["x0"]


def _lines(words: list[dict[str, Any]]) -> list[TextLine]:
    lines: list[TextLine] = []
    for word in sorted(words, key=lambda word: (word["top"], word["x0"])):
        for line in lines:
            if abs(line.top - word["top"]) <= line.size / 2:
                _merge(line, word)
                break
        else:
            lines.append(TextLine(word["text"], word["x0"], word["x1"], word["top"], word["size"]))
    return lines


# --- one form -----------------------------------------------------------------------------------------

class _PdfForm:
    def __init__(self, blocks: list[Block], draft: Draft, source: str, scheme: Scheme, labels: LabelTable) -> None:
        self.blocks, self.draft, self.source, self.scheme, self.labels = blocks, draft, source, scheme, labels
        self.names = LevelNames.of(scheme)
        self.used: set[int] = set()
        self.factor = Decimal(1)
        self.fields = {id(block): labels.field(block.text) for block in blocks}

    def at(self, block: Block) -> Location:
        return Location(self.source, page=block.page)

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
        for block in self.blocks:
            if id(block) not in self.used and not _ignored(block.key):
                self.draft.unplaced(self.at(block), block.text)

    def _side_labels(self) -> None:
        for block in self.blocks:
            key = block.key
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
                self.draft.set(field, found[0], self.at(found[1]))
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
        columns = [block for block in self.blocks if self.fields[id(block)] in _FUND_COLUMNS
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

    def _fund_cell(self, row: str, column: str, cell: Block, section: dict[str, str]) -> None:
        printed = "".join(line.text for line in _printed(cell))
        if printed:  # else the cell holds only formgen's figure beside one printed empty
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
                                       if other.beside(block) and self.fields[id(other)] in INDICATOR_COLUMNS]
                self.use(*headers[block.page])
            elif headers and block.in_table and id(block) not in self.used and not self.fields[id(block)]:
                body.append(block)
        cells: dict[str, list[Block]] = {name: [] for name in INDICATOR_COLUMNS}
        columns: list[Block] = []
        for block in body:
            columns = headers.get(block.page, columns)  # a page without a header row goes on in the last one's
            column = next((self.fields[id(header)] for header in columns if block.under(header)), None)
            if column in cells:
                cells[column].append(block)
        rows = self._rows(cells)
        if rows:
            self.draft.values["indicators"] = rows

    def _rows(self, cells: dict[str, list[Block]]) -> list[dict[str, str]]:
        """One row per 三级指标 cell; the other cells join the row beside them, a 一级 or 二级 cell every
        row it spans (one cut at a page break at least the rows it reaches; the next rows inherit it)."""
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
        for column in ("target", "actual", "weight", "score", "reason", "note", "level1", "level2"):
            for cell in cells[column]:
                beside = [(block, row) for block, row in rows if _overlap(block, cell) > 0]
                if column not in ("level1", "level2"):
                    beside = sorted(beside, key=lambda pair: _overlap(pair[0], cell))[-1:]
                if not beside or not cell.key:
                    continue
                self.use(cell)
                for _position, row in beside:
                    row[column] = self._cell_text(column, cell, row.get(column, ""))
        level1 = level2 = ""
        for block, row in rows:
            if row.get("level1"):
                name, points = level1_parts(row["level1"])
                level2 = "" if name != level1 else level2
                level1 = name
                self.draft.printed_weight(self.scheme, name, points, self.at(block))
            level2 = row.get("level2") or level2
            row["level1"], row["level2"] = level1, level2
            if self.labels.profile.layout.placeholder_rows and level1 and level2 \
                    and not any(row.get(key) for key in PLACEHOLDER_FIGURES):
                continue  # an empty template row (指标2, ……) the profile keeps: imported as printed, empty
            # An unscored profile's rows have no 分值 (湖南: weights = "none").
            for required in ("level1", "level2", "name", "target", "actual",
                             *(("weight",) if self.scheme.weights != "none" else ())):
                if not row.get(required):
                    self.draft.note(self.at(block), "import-missing", _("the indicator row “{name}” has no {field}")
                                    .format(name=row["name"][:30], field=required), error=True)
        return [{key: row[key] for key in INDICATOR_COLUMNS if row.get(key)} for _, row in rows]

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
            if numbers and all(number is not None for number in numbers):
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
            if label.field == "seal":
                if value:
                    seal = caption(self.labels.profile.labels.seal).rstrip("：:")
                    self.draft.unplaced(where, value, _("the {seal} line").format(seal=seal))
            elif label.field == "filled_on" and value:  # an optional 填报日期 is printed empty
                date = filled_on_text(value)
                if date is None:
                    self.draft.unplaced(where, value, _("{field} is not a date")
                                        .format(field=self.labels.profile.labels.filled_on))
                else:
                    self.draft.set("filled_on", date, where)
            elif label.field == "department":
                code, name = department_parts(value)
                self.draft.set("department.code", code, where)
                self.draft.set("department.name", name, where)
            elif label.field == "grade":
                self.draft.set("stated.grade", value, where)
            elif value:
                self.draft.set(label.field, value, where)
        return True


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
    lines = list(itertools.takewhile(lambda line: not squash(line.text).startswith(_COMPUTED), cell.lines))
    return lines


def _paragraphs(cell: Block) -> list[str]:
    """A cell's text in paragraphs: a line that ends well short of the cell's text edge ends one."""
    paragraphs: list[list[str]] = [[]]
    right = max(line.x1 for line in cell.lines)
    for line in cell.lines:
        paragraphs[-1].append(line.text)
        if line.x1 < right - 1.5 * line.size:
            paragraphs.append([])
    return [join_wrapped(lines) for lines in paragraphs if lines]
