"""What a build reports: the result of a build that published, the two ways it fails without
publishing, and what each unit of work (a part of the site, a chunk of PDFs, a bundle) tells the build."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProblemsFound, note_line
from ..findings import Finding
from ..i18n import _, ngettext
from ..output import Record

__all__ = ["BuildFailed", "BuildResult", "PartResult", "PdfsFailed"]


@dataclass(frozen=True)
class BuildResult:
    out: Path
    forms: int
    pages: int
    files: int
    warnings: int
    seconds: float
    pdfs: int = 0
    bundles: int = 0
    reused: int = 0
    """PDFs whose inputs had not changed: linked from the previous output, not rendered."""
    pages_reused: int = 0
    """Pages whose inputs had not changed: linked from the previous output, not rendered."""
    notes: tuple[str, ...] = ()
    """What the build repaired on its way (a link where the cache goes, a damaged cached part)."""

    def summary(self) -> str:
        """One line: what was built, how much of it was reused, how long it took, where it is."""
        pages = ngettext("{count} page", "{count} pages", self.pages).format(count=self.pages)
        if self.pages_reused:
            pages = _("{made} ({count} unchanged)").format(made=pages, count=self.pages_reused)
        if self.pdfs:
            pdfs = _("{pdfs} and {bundles}").format(
                pdfs=ngettext("{count} PDF", "{count} PDFs", self.pdfs).format(count=self.pdfs),
                bundles=ngettext("{count} bundle", "{count} bundles", self.bundles).format(count=self.bundles))
            if self.reused:
                pdfs = _("{made} ({count} unchanged)").format(made=pdfs, count=self.reused)
            pages = _("{pages}, {pdfs}").format(pages=pages, pdfs=pdfs)
        return ngettext("built {count} form: {pages}, {files} in {seconds} s → {out}",
                        "built {count} forms: {pages}, {files} in {seconds} s → {out}", self.forms).format(
            count=self.forms, pages=pages, seconds=f"{self.seconds:.2f}", out=self.out,
            files=ngettext("{count} file", "{count} files", self.files).format(count=self.files))

    def noted(self) -> list[str]:
        """The notes, each on its line as the terminal shows them."""
        return [note_line(note) for note in self.notes]


class BuildFailed(ProblemsFound):
    """The content has errors: nothing was written. Carries every finding, for the report."""

    def __init__(self, findings: list[Finding], forms: int, strict: bool) -> None:
        self.findings, self.forms, self.strict = findings, forms, strict
        errors = [f for f in findings if f.level.fails(strict)]
        super().__init__(ngettext("build failed: {count} error; the output folder was left unchanged",
                                  "build failed: {count} errors; the output folder was left unchanged",
                                  len(errors)).format(count=len(errors)))


class PdfsFailed(ProblemsFound):
    """Some PDF could not be made: nothing was published, since the pages would link PDFs that are
    not there (or are stale). Carries (form file or bundle, why) of each."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__(ngettext("build failed: {count} PDF could not be made; the output folder was left unchanged",
                                  "build failed: {count} PDFs could not be made; the output folder was left unchanged",
                                  len(failures)).format(count=len(failures)))

    def lines(self) -> list[str]:
        """One line per PDF not made, at its form file (or bundle), with why."""
        return [_("{path}:1: the PDF could not be made — {reason}").format(path=path, reason=reason)
                for path, reason in self.failures]


@dataclass
class PartResult:
    """What one unit of work made: a part of the site's pages, a chunk of PDFs, or a bundle."""

    forms: int = 0
    files: int = 0
    pdfs: int = 0
    reused: int = 0
    """PDFs linked from the previous output."""
    failures: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """(form file or bundle, why) of each PDF that could not be made."""
    bundle: bool = False
    """Counts a bundle, not forms."""
    pages: dict[str, Record] = dataclasses.field(default_factory=dict)
    """Page path → its key and hash (state.py), for the next build."""
    pages_reused: int = 0
    records: dict[str, Record] = dataclasses.field(default_factory=dict)
    """PDF path → its key and hash, for the manifest: the PDFs made (or taken unchanged)."""
    notes: list[str] = dataclasses.field(default_factory=list)
    """What was repaired on the way (a damaged part in the cache)."""
