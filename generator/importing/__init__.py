"""Published forms → form files: `formgen import` (docs/import.md).

A source is text extracted from a published PDF (`text.py`), the PDF itself (`pdf.py`), or an Excel
workbook or Word document (`office.py`); any may hold many forms.
Each form becomes a `Draft` — its values as text, its 自评结论 as Markdown, and a note
for whatever could not be placed — and is written by `authoring.form_text`, the writer `formgen new`
uses, so an imported file looks like any other: every key, its label beside it, a placeholder for a
required value the source did not have.

A source may be hostile (docs/import.md, "Sizes, links and characters"): each is read within `Limits`,
cleaned of characters a form file cannot hold (`characters.py`), and nothing is read or written
through a link that leads out of the site.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..authoring import default_year, form_text
from ..checks import PLACEHOLDER
from ..config import Scheme
from ..errors import FormgenError, UsageError
from ..findings import Finding
from ..i18n import _
from ..reading import ReadError, display_path, escape_through_link, read_text
from ..slugs import form_slug
from ..timelimit import OutOfTime, time_limit
from .characters import ascii_digits, printable
from .draft import Draft, Location, note
from .labels import LabelTable
from .limits import DEFAULT_LIMITS, Limits, mebibytes

__all__ = ["Draft", "Planned", "Source", "escape_through_link", "is_office", "is_pdf", "plan", "read_source",
           "write_planned"]


@dataclass
class Source:
    """One file given to `formgen import`, and the forms found in it."""

    path: Path
    display: str
    drafts: list[Draft] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    """What concerns the whole file: it cannot be read, it holds no form, text before the first form."""
    cells: list[str] = field(default_factory=list)
    """A workbook's or document's cells and paragraphs, as read: what tells its profile (`labels.detect_profile`)."""


def is_pdf(head: bytes) -> bool:
    # The header may follow some junk, which readers tolerate within the first kilobyte.
    return b"%PDF-" in head[:1024]


def is_office(head: bytes) -> bool:
    """A zip (.xlsx, .docx) or an OLE compound file (.xls, .doc, or an encrypted .xlsx): told apart by
    `office.office_kind`, from the content, whatever the file's name says."""
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))


_OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx", ".doc")


def _is_html(data: bytes) -> bool:
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<html" in start


def _read_bounded(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a file: enough to tell that it is over the limit, whatever it claims."""
    with path.open("rb") as file:
        return file.read(limit + 1)


def read_source(path: Path, scheme: Scheme, labels: LabelTable | None = None,
                limits: Limits = DEFAULT_LIMITS) -> Source:
    """The forms in one file: a PDF, an .xlsx, .xls or .docx, or text extracted from a PDF (UTF-8), read
    within `limits`. `labels` is
    the table of the forms' profile (`LabelTable.of`; default: the reference's)."""
    source = Source(path, display_path(path))
    table = labels or LabelTable()
    where = Location(source.display)
    try:
        with path.open("rb") as file:
            head = file.read(1024)
        pdf = is_pdf(head)
        office = not pdf and is_office(head)
        limit = limits.pdf_bytes if pdf else limits.office_bytes if office else limits.text_bytes
        raw = _read_bounded(path, limit)
    except OSError as error:
        source.notes.append(note(where, "import-unreadable", True,
                                 _("cannot read the file ({reason})").format(reason=error.strerror)))
        return source
    if not pdf and not office and path.suffix.lower() in _OFFICE_SUFFIXES:
        # Named as a workbook or document, but neither: budget systems export their tables as a web page
        # named .xls; the text reader would find no form in its markup and not say why.
        source.notes.append(note(where, "import-unreadable", True, _(
            "the file is named {suffix} but is not an Excel or Word file ({what}): open it in Excel, WPS or Word "
            "and save it as .xlsx or .docx, then import that").format(
                suffix=path.suffix, what=_("a web page, as budget systems export tables") if _is_html(raw) else
                _("its content is neither a workbook nor a document"))))
        return source
    if len(raw) > limit:
        message = (_("the PDF file is larger than {size}, more than any bundle of forms: split it into smaller "
                     "files (e.g. qpdf --split-pages=100 in.pdf out.pdf) and import those") if pdf else
                   _("the Excel or Word file is larger than {size}, more than any workbook of forms: split it into "
                     "smaller files and import those") if office else
                   _("the text file is larger than {size}, more than any bundle of forms: split it into smaller "
                     "files, each a few hundred forms, and import those"))
        source.notes.append(note(where, "import-too-large", True, message.format(size=mebibytes(limit))))
        return source
    try:
        with time_limit(limits.seconds) as deadline:
            if pdf:
                from .pdf import read_pdf_forms  # pdfplumber is loaded only for PDFs

                source.drafts, source.notes = read_pdf_forms(raw, source.display, scheme, table, limits, deadline)
            elif office:
                from .office import kind_problem, office_kind, read_office_forms

                kind = office_kind(head, raw, path.suffix.lower()) or "zip"
                problem = kind_problem(kind, path.suffix.lower())
                if problem is not None:
                    source.notes.append(problem.at(str(where)))
                else:
                    source.drafts, source.notes = read_office_forms(raw, kind, source.display, scheme, table, limits,
                                                                    deadline, source.cells)
            else:
                from .text import read_text_forms

                source.drafts, source.notes = read_text_forms(read_text(raw), source.display, scheme, table,
                                                              deadline)
    except OutOfTime:
        source.drafts = []
        source.notes.append(note(where, "import-too-slow", True, _(
            "reading the file took longer than {seconds} s, far more than a bundle of forms needs: is this the "
            "published form? Split it into smaller files, or raise the limit with --time-limit")
            .format(seconds=f"{limits.seconds:g}")))
    except ReadError as error:
        read = error.finding
        source.notes.append(note(Location(source.display, read.line), "import-unreadable", True,
                                 f"{read.message} — {read.fix}"))
    except Exception as error:  # a malformed PDF can fail anywhere in pdfminer: a report, never a traceback
        cause = printable(str(error))  # a library's message may quote the file's bytes
        source.notes.append(note(where, "import-unreadable", True,
                                 _("formgen failed on this file ({error}: {cause}) — please report it with the file "
                                   "attached").format(error=type(error).__name__, cause=cause)))
    return source


def _year(draft: Draft) -> str:
    """The form's 年度 as its file name and folder give it: four ASCII digits (a year printed in other
    digits is read as ASCII already), else the default year of a new form."""
    year = ascii_digits(str(draft.values.get("year") or ""))
    return year if re.fullmatch(r"[0-9]{4}", year) else str(default_year())


@dataclass(frozen=True)
class Planned:
    """A draft and the file it is written to."""

    draft: Draft
    source: Source
    path: Path


def plan(sources: list[Source], out: Path | None, content: Path) -> list[Planned]:
    """Where each form goes: `out`, or content/<year>/; slugs made unique within the import."""
    planned: list[Planned] = []
    taken: set[Path] = set()
    titles = tuple(dict.fromkeys(draft.title for source in sources for draft in source.drafts))
    for source in sources:
        for draft in source.drafts:
            year = _year(draft)
            folder = out if out is not None else content / year
            slug = form_slug(draft.title, year, titles)
            path = folder / f"{slug}.md"
            number = 2
            while path in taken:  # two forms of one name (the reference has three such pairs): …-2-2024
                path = folder / f"{slug.removesuffix(f'-{year}')}-{number}-{year}.md"
                number += 1
            taken.add(path)
            planned.append(Planned(draft, source, path))
    return planned


def write_planned(planned: list[Planned], force: bool, site: Path) -> None:
    """Write every planned file; without `force`, none at all if any exists already. Nothing is written
    through a link: not a file that is one (even with `force`), not into a folder of the site that a
    link takes outside it (`escape_through_link`); then nothing at all is written."""
    for folder in dict.fromkeys(item.path.parent for item in planned):
        real = escape_through_link(folder, site)
        if real is not None:
            raise UsageError(_("{folder} leads outside the site (to {target}) through a link — nothing was written: "
                               "formgen writes only inside the site; replace the link with a folder, or name the "
                               "folder you mean with --out").format(folder=folder.as_posix(),
                                                                      target=printable(str(real))))
    links = [item.path for item in planned if item.path.is_symlink()]
    if links:
        raise UsageError(_("{count} of the files to write are links: {names} — nothing was written: formgen import "
                           "never writes through a link, which may lead anywhere; remove the links, or import into "
                           "another folder with --out").format(count=len(links), names=_names(links)))
    others = [item.path for item in planned if item.path.exists() and not item.path.is_file()]
    if others:
        raise UsageError(_("{count} of the files to write exist and are not files: {names} — nothing was written; "
                           "move them away, or import into another folder with --out")
                         .format(count=len(others), names=_names(others)))
    existing = [item.path for item in planned if item.path.exists()]
    if existing and not force:
        raise UsageError(_("{count} of the files to write exist already: {names} — nothing was written; add "
                           "--force to overwrite them, or import into another folder with --out")
                         .format(count=len(existing), names=_names(existing)))
    for item in planned:
        _write(item.path, form_text(item.draft.values, item.draft.body, _header(item), item.draft.model,
                                      item.draft.printed_empty()), force)


def _names(paths: list[Path]) -> str:
    return _(", ").join(path.as_posix() for path in paths[:5]) + (" …" if len(paths) > 5 else "")


def _write(path: Path, text: str, force: bool) -> None:
    """Write a form file as a regular file of its own: O_NOFOLLOW refuses a link that appeared since the
    checks (where the system has it), O_EXCL without `force` a file that did."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_TRUNC if force else os.O_EXCL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, flags, 0o666)
    except FileExistsError:
        raise UsageError(_("{path} appeared while importing — add --force to overwrite it")
                         .format(path=path.as_posix())) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UsageError(_("{path} became a link while importing — formgen import never writes through a link; "
                               "remove it and import again").format(path=path.as_posix())) from None
        raise FormgenError(_("{path}: cannot write the file ({reason}) — check the folder's permissions, or import "
                             "into another folder with --out").format(path=path.as_posix(),
                                                                      reason=error.strerror)) from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)


def _header(item: Planned) -> list[str]:
    where = item.draft.where
    lines = [_("Imported by formgen import from {source} (form {number}): check it against the source.")
             .format(source=where, number=item.draft.number)]
    if item.draft.missing():
        lines.append(_("What the source lacked is written as “{placeholder}”: formgen check lists each one.")
                     .format(placeholder=PLACEHOLDER))
    return lines
