"""How much of a source `formgen import` reads before it gives up: sizes, pages and time (docs/import.md).

A published PDF is small and regular; a hostile one can be 77 KB on disk and inflate to gigabytes, or
hold thousands of pages, or draw a form that draws itself a thousand times over. Each limit below is
far above any real bundle of forms and low enough that no file can take the machine with it; a source
over one is reported as an error (`import-too-large`, `import-too-slow`) and nothing of it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits", "mebibytes"]

_MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one source file may take. The defaults, and why they are where they are:"""

    max_pages: int = 1000
    """Pages of a PDF. A county's bundle of 100 forms of 3 pages is 300 pages; a province's is
    larger but split by department. A page takes 0.1 to 0.2 s: 1,000 pages two to three minutes."""
    seconds: float = 300
    """Wall-clock time to read one file: 1,000 real pages, or 4,000 forms of text."""
    text_bytes: int = 16 * _MIB
    """A text file: a form extracted with pdftotext is about 4 KB, so this is 4,000 forms (read in
    about 90 s)."""
    pdf_bytes: int = 256 * _MIB
    """A PDF file on disk: a bundle of 300 forms with embedded fonts is a few tens of MB."""
    page_content_bytes: int = 2 * _MIB
    """Decoded content streams of one page (its own and the forms it draws): what the text is read
    from, at about 2.5 s a MB. A form page is about 50 KB; office suites write a few hundred KB."""
    stream_bytes: int = 64 * _MIB
    """Any one stream of a PDF, decoded (fonts and images included): a whole embedded CJK font is
    about 20 MB."""
    decoded_bytes: int = 512 * _MIB
    """All streams of a PDF together, decoded: what the readers may hold in memory at once."""
    office_bytes: int = 64 * _MIB
    """An Excel or Word file on disk: a workbook of 1,000 forms is a few MB; one with pictures pasted in
    a few tens of MB."""
    unpacked_bytes: int = 256 * _MIB
    """An .xlsx or .docx unpacked (it is a zip): its XML is about ten times the file, and the library that
    parses it holds all of it; a zip bomb of a few KB claims gigabytes."""
    zip_members: int = 10_000
    """Parts of an .xlsx or .docx: a sheet, its relations, each picture — a few per sheet."""
    max_cells: int = 300_000
    """Cells of a workbook or a document's tables, counted before they are parsed: a form has about 150,
    so this is 2,000 forms; openpyxl holds about 1 KB a cell (300 MB)."""


DEFAULT_LIMITS = Limits()


def mebibytes(size: int) -> str:
    """A size as the messages give it: ``4 MB``, ``0.5 MB``."""
    return f"{size / _MIB:.4g} MB"
