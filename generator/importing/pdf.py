"""Forms from a PDF's text layer and table structure (pdfplumber), cell by cell.

The only module that imports pdfplumber and pypdfium2. pdfplumber finds the table's ruling lines and
so its cells; each word goes to the cell it stands in, and words outside any cell become lines of
their own. These blocks are read as forms by position in `grid.py`, as a workbook's or a document's are.

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
from typing import Any

from ..config import Scheme
from ..findings import Finding, Level, Reported
from ..i18n import _
from ..timelimit import Deadline
from .characters import Removed, clean_line, describe, printable
from .draft import Draft, Location, note
from .grid import Block, TextLine, read_blocks, running
from .labels import LabelTable
from .limits import DEFAULT_LIMITS, Limits, mebibytes

__all__ = ["read_pdf_forms"]


class PdfProblem(Reported):
    """A PDF that cannot be read at all: its code and message, and the page where that shows, if any."""

    def __init__(self, code: str, message: str, page: int | None = None) -> None:
        super().__init__(Finding("", 0, Level.ERROR, code, "", "", message, ""))
        self.page = page


def read_pdf_forms(data: bytes, source: str, scheme: Scheme, labels: LabelTable, limits: Limits = DEFAULT_LIMITS,
                   deadline: Deadline | None = None) -> tuple[list[Draft], list[Finding]]:
    """The forms in a PDF (its bytes, read once and checked against `limits` before any library parses
    them), and what was found outside any form; `deadline` is checked between pages."""
    notes: list[Finding] = []
    try:
        blocks = _blocks(data, source, limits, deadline, notes)
    except PdfProblem as problem:
        return [], [*notes, problem.at(str(Location(source, page=problem.page)))]
    if not blocks:
        return [], [*notes, note(Location(source), "import-no-text", True,
                                 _("the PDF has no text layer (a scan?): run OCR on it first, or type the forms in "
                                   "(formgen new)"))]
    if not any(block.in_table for block in blocks):
        return [], [*notes, note(Location(source, page=blocks[0].page), "import-no-table", True,
                                 _("the PDF has text but no table: formgen reads the 自评表's cells from its "
                                   "ruling lines; if this is a form, extract its text (pdftotext) and import the "
                                   ".txt"))]
    found = running(blocks, labels)
    drafts, found_notes = read_blocks([block for block in blocks if id(block) not in found], source, scheme, labels)
    return drafts, [*notes, *found_notes]


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


def _blocks(data: bytes, source: str, limits: Limits, deadline: Deadline | None, notes: list[Finding]) -> list[Block]:
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
                notes.append(note(Location(source, page=number), "import-character", False,
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
