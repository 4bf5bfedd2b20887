"""What the tests of profiles and their fixture sites need of PDFs: whether this machine can make them,
and a PDF's text as a reader would search it."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from generator.render import pdf as render_pdf

NO_PDF = "PDFs cannot be made on this machine (generator.render.pdf.check_environment failed)"
"""The reason a PDF test skips where `pdf_available` is false."""


def pdf_available() -> bool:
    """Whether this machine can make PDFs (fonts, HarfBuzz's subsetter): fixture sites are built with them
    where it can."""
    try:
        render_pdf.check_environment()
    except render_pdf.PdfUnavailable:
        return False
    return True


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF, white space removed (cells are read in order, whatever the wrapping)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)
