"""The PDF stage: every form's PDF, and the parts of the bundles they are bound in.

Each form is made from the checked snapshot of its file (the bytes the check stage read: `PdfForm.raw`),
laid out once (`render_pdf.fit_form`), its PDF written from that layout, and its pages kept to compose
its bundle's part (`bundles.PART_FORMS` forms). Chunks of forms, in the order of their bundles, go to a
standard process pool (`parallel.pool_map`); for a large site always to workers where forking is
possible, even with one job, so that their garbage-collector settings and memory stay out of this
process.

A part of a bundle numbers its pages after the bundle's earlier parts: each part publishes its page
count (`parallel.SharedCounts`) as soon as it knows it, and a later part blocks until those it follows
are known. Earlier parts are always further on (chunks are taken in order), so no part waits for one
that waits. A PDF whose key is the one the previous build recorded is linked from the previous output
instead of made again; a part whose forms and first page are unchanged comes from the cache, its forms
not laid out.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import state
from ..i18n import _
from ..output import Reusable, Writer
from ..parallel import SharedCounts, chunks, collections_paused, pool_map
from ..pipeline import Entry, display_path, load_entry
from ..progress import Report
from ..render import html as render_html
from ..render import pdf as render_pdf
from ..timelimit import OutOfTime
from . import bundles as bundling
from .check import SiteIndex
from .plan import Plan
from .results import PartResult
from .reuse import Cache, Previous

__all__ = ["PdfForm", "PdfStage", "form_html", "pdf_form", "pdf_key"]

FRONT_PAGES = 2
"""The pages a bundle's front is expected to take until one has been laid out: a cover and a page of contents
(a guess that costs only time where it is wrong, `PdfStage._front`)."""

_UNKNOWN, _FAILED = -1, -2
"""A page count not known yet, and that of a form or part that failed."""


@dataclass(frozen=True)
class PdfForm:
    """A form whose PDF the PDF stage makes: the checked snapshot it is made from, and its key."""

    slug: str
    source: Path
    raw: bytes
    """The file's bytes as they were checked."""
    key: str
    sheet: str | None
    """The form's table as an archival bundle shows it (archival variants only)."""
    inputs: str = ""
    """A hash of everything its PDF's HTML is made from (`pdf_form`): the next build takes `key` for it
    without rendering that HTML again."""


def form_html(plan: Plan, view: render_html.FormView, fit: render_pdf.Fit | None = None) -> tuple[str, str]:
    """(the HTML of a form's PDF, its sheet: the table as an archival bundle shows it), as it is or
    with a `fit` to its pages (render_pdf.fit_form)."""
    assert plan.pdf_environment is not None
    if fit is not None and fit.starts:
        view = dataclasses.replace(view, rows=render_html.split_rows(view.rows, fit.starts))
    sheet = Markup(render_html.render(plan.env, render_html.Page(view.pdf or "", "_sheet.html", {"view": view}),
                                      plan.config))
    page = render_html.Page(view.pdf or "", "pdf.html",
                            {"view": view, "sheet": sheet, "fonts": plan.pdf_environment.fonts,
                             "fit_style": Markup(fit.style) if fit is not None else ""})
    return render_html.render(plan.env, page, plan.config), str(sheet)


def pdf_key(plan: Plan, html: str) -> str:
    """What a PDF made of `html` depends on (render_pdf.PdfEnvironment.key)."""
    assert plan.pdf_environment is not None
    return plan.pdf_environment.key(html, plan.config.pdf.variant)


def pdf_form(plan: Plan, entry: Entry, view: render_html.FormView, page_key: str, known: dict[str, str]) -> PdfForm:
    """The PDF job of a checked form (in the pages stage, where its model is). Its key is the hash of its
    HTML, which is rendered only where the previous build recorded no key for the same inputs (`known`):
    those are the form page's key (the form's bytes and profile, what the site says of it, formgen's code
    and libraries, the settings), the PDF's templates, WeasyPrint and the fonts, the variant. An archival
    bundle needs the sheet too: rendered always."""
    assert plan.pdf_environment is not None
    archival = bool(plan.config.pdf.variant and plan.config.pdf.bundles)
    inputs = state.digest(page_key, state.template_fingerprint(plan.env, "pdf.html"),
                          state.template_fingerprint(plan.env, "_sheet.html"), plan.pdf_environment.fingerprint,
                          plan.config.pdf.variant or "")
    if not archival and inputs in known:
        return PdfForm(entry.slug, entry.document.path, entry.document.raw, known[inputs], None, inputs)
    html, sheet = form_html(plan, view)
    return PdfForm(entry.slug, entry.document.path, entry.document.raw, pdf_key(plan, html),
                   sheet if archival else None, inputs)


@dataclass(frozen=True)
class _Job:
    """One form's PDF to make."""

    form: PdfForm
    display_title: str
    pdf: str
    """Its path in the output."""
    position: int = -1
    """Its place in the shared page counts of forms, where it is in a bundle being composed."""

    @property
    def key(self) -> str:
        return self.form.key


@dataclass(frozen=True)
class _Chunk:
    """Forms whose PDFs one process makes; where `bundle` is set, also one part of that bundle."""

    jobs: tuple[_Job, ...]
    bundle: bundling.Bundle | None = None
    index: int = 0
    """Its place in the shared page counts of parts."""
    before: tuple[int, ...] = ()
    """The bundle's earlier parts: their page counts decide this part's page numbers."""
    holds_front: bool = False
    """The bundle's only part, which also holds its cover and contents (their fonts are shared)."""
    front: bool = False
    """No forms: the cover of a bundle of several parts, and how long its contents will be."""


@dataclass
class _Made:
    """What one chunk made: its forms' PDFs, and its part of a bundle."""

    result: PartResult
    part: bundling.Part | None = None


class PdfStage:
    """Makes the PDFs of one build (see the module's text). With an archival variant (PDF/A, PDF/UA) a
    bundle must be one WeasyPrint document (joined parts would lose its tags and conformance), so it is
    laid out again from the forms' sheets by the bundles stage, and its forms are made alone here."""

    def __init__(self, plan: Plan, cache: Cache, previous: Previous) -> None:
        assert plan.pdf_environment is not None
        self.plan, self.cache, self.previous = plan, cache, previous
        self.environment = plan.pdf_environment
        self.front = bundling.BundleFront(plan)
        self.frame_source = str(plan.env.loader.get_source(plan.env, "bundle_frame.html")[0])  # type: ignore[union-attr]
        self.composed = bool(plan.config.pdf.bundles and not plan.config.pdf.variant)
        """Whether bundles are composed from their forms' layouts (else laid out again: archival)."""
        self.front_pages = FRONT_PAGES
        """The pages of the last front of a one-part bundle laid out in this process (`_front`)."""

    def bundles(self, index: SiteIndex, forms: dict[str, PdfForm]) -> list[bundling.Bundle]:
        """Every bundle (or volume) of the site, with its key."""
        found = []
        for path, members in bundling.bundle_groups(
                [row for row in index.rows if row.slug in forms]) if self.plan.config.pdf.bundles else []:
            if not self.composed:
                html = self.front.html(path, members, None, {row.slug: forms[row.slug].sheet or "" for row in members})
                found.append(bundling.Bundle(path, members, pdf_key(self.plan, html)))
            else:
                front = self.front.html(path, members, None)
                found.append(bundling.Bundle(path, members, pdf_key(self.plan, "\0".join(
                    [front, self.frame_source] + [forms[row.slug].key for row in members]))))
        return found

    def make(self, staging: Path, index: SiteIndex, forms: dict[str, PdfForm], bundles: list[bundling.Bundle],
             progress: Report | None, work: bool = True) -> list[_Made]:
        """Every form PDF of `forms` and every part of the composed `bundles`, over the build's jobs; in this
        process where there is no `work` (every one unchanged: each is linked)."""
        rows = {row.slug: row for row in index.rows}
        todo = {slug: _Job(form, rows[slug].display_title, rows[slug].pdf or "") for slug, form in forms.items()}
        chunk_list: list[_Chunk] = []
        positions = 0
        for bundle in bundles:
            if not self.composed or self.previous.unchanged(bundle.path, bundle.key) is not None:
                continue
            # Composed: its forms are laid out in parts; a bundle of several parts has a first chunk that
            # makes its cover and learns how long its contents will be (the parts number after them).
            parts, first = bundling.split(len(bundle.rows)), len(chunk_list)
            if len(parts) > 1:
                chunk_list.append(_Chunk((), bundle, len(chunk_list), front=True))
            for span in parts:
                part = tuple(dataclasses.replace(todo.pop(bundle.rows[number].slug), position=positions + number)
                             for number in span)
                chunk_list.append(_Chunk(part, bundle, len(chunk_list), tuple(range(first, len(chunk_list))),
                                         len(parts) == 1))
            positions += len(bundle.rows)
        rest = list(todo.values())
        chunk_list += [_Chunk(tuple(part), index=len(chunk_list) + number)
                       for number, part in enumerate(chunks(rest, self.plan.jobs) if rest else [])]
        part_pages, form_pages = SharedCounts(len(chunk_list), _UNKNOWN), SharedCounts(positions, _UNKNOWN)
        made, total = SharedCounts(1, 0), len(forms)  # PDFs made so far, for progress
        return pool_map(lambda chunk: self._chunk(staging, chunk, part_pages, form_pages, made), chunk_list,
                        self.plan.jobs if work else 1, always=self.plan.large and work,
                        waiting=(lambda: progress(made[0], total)) if progress is not None and total else None)

    def _chunk(self, staging: Path, chunk: _Chunk, part_pages: SharedCounts, form_pages: SharedCounts,
               made: SharedCounts) -> _Made:
        """The forms of one chunk; where it is a part of a bundle, that part too (written to the cache, for
        the bundles stage to join). Page counts are published as soon as they are known; failing, the part
        publishes _FAILED, so that no later part waits for it."""
        try:
            if chunk.front:
                return self._cover(chunk, part_pages)
            notes: list[str] = []
            cached = self._cached_part(staging, chunk, part_pages, form_pages, made, notes)
            if cached is not None:
                return cached
            # A part's forms stay laid out until it is written: no collection should traverse them again
            # and again meanwhile (they go by reference counting; what is cyclic, at the next collection).
            with collections_paused() if chunk.bundle is not None else contextlib.nullcontext():
                result = self._made_chunk(staging, chunk, part_pages, form_pages, made)
            result.result.notes.extend(notes)
            return result
        finally:
            if chunk.bundle is not None and part_pages[chunk.index] == _UNKNOWN:
                part_pages[chunk.index] = _FAILED

    def _cover(self, chunk: _Chunk, part_pages: SharedCounts) -> _Made:
        """The cover of a bundle of several parts (written to the cache, for the bundles stage to join), and
        the page count of cover and contents published for the parts' numbers. The contents are laid out
        with placeholders here; with the numbers at the end (the same length: the numbers have a fixed
        width)."""
        assert chunk.bundle is not None
        bundle, roots = chunk.bundle, self.plan.roots
        contents = len(render_pdf.layout_pdf(self.front.html(bundle.path, bundle.rows, None, part="contents"),
                                             roots[0], roots).pages)
        cover = self.front.html(bundle.path, bundle.rows, None, part="cover")
        data, front = render_pdf.compose_pdf([], "", roots[0], roots, front_html=cover,
                                             identifier=bytes.fromhex(bundle.key)[:16])
        assert front is not None
        part_pages[chunk.index] = front.pages + contents
        path, _ = self.cache.to_parts(data)
        return _Made(PartResult(), bundling.Part(bundle.path, path, None, None, front, {}, contents))

    def _cached_part(self, staging: Path, chunk: _Chunk, part_pages: SharedCounts, form_pages: SharedCounts,
                     made: SharedCounts, notes: list[str]) -> _Made | None:
        """A part whose forms are all unchanged, found in the cache for its first page: its forms' PDFs
        are linked and nothing is laid out. None where that is not so."""
        if chunk.bundle is None or chunk.holds_front:
            return None
        unchanged = [self.previous.unchanged(job.pdf, job.key) for job in chunk.jobs]
        counts = [self.cache.page_counts.get(job.key) for job in chunk.jobs]
        if any(path is None for path in unchanged) or any(count is None for count in counts):
            return None
        for job, count in zip(chunk.jobs, counts, strict=True):
            form_pages[job.position] = count or 0
        part_pages[chunk.index] = sum(count or 0 for count in counts)  # published before waiting: no one waits
        first_page = self._first_page(chunk, part_pages)
        if first_page is None:
            return None
        key = self._part_key(chunk, first_page)
        cached = self.cache.cached_part(key, chunk.bundle.path, notes)
        if cached is None:
            return None
        writer = Writer(staging)
        for job, path in zip(chunk.jobs, unchanged, strict=True):
            assert path is not None
            writer.write(job.pdf, path, job.key)
            made.add(0)
        return _Made(PartResult(files=writer.count, pdfs=len(chunk.jobs), reused=len(chunk.jobs),
                                records=writer.records, notes=notes),
                     bundling.Part(chunk.bundle.path, str(cached.path), key, cached.sha256, None,
                                   {job.key: count or 0 for job, count in zip(chunk.jobs, counts, strict=True)},
                                   fits={job.key: fit for job in chunk.jobs
                                         if (fit := self.cache.fits.get(job.key)) is not None}))

    def _first_page(self, chunk: _Chunk, part_pages: SharedCounts) -> int | None:
        """The number of the part's first page, once the earlier parts have published their page counts
        (this blocks until they have); None if one of them failed."""
        wait = self.plan.config.pdf.timeout_seconds * bundling.PART_FORMS * max(1, len(chunk.before))
        if not part_pages.wait_until(lambda: all(part_pages[index] != _UNKNOWN for index in chunk.before), wait):
            raise TimeoutError(_("an earlier part of the bundle never finished: build again"))
        if any(part_pages[index] == _FAILED for index in chunk.before):
            return None
        return sum(part_pages[index] for index in chunk.before) + 1

    def _made_chunk(self, staging: Path, chunk: _Chunk, part_pages: SharedCounts, form_pages: SharedCounts,
                    made: SharedCounts) -> _Made:
        writer = Writer(staging)
        laid_out: list[list[Any]] = []
        fits: dict[str, render_pdf.Fit] = {}
        failures: list[tuple[str, str]] = []
        reused = pdfs = 0
        for job in chunk.jobs:
            unchanged = self.previous.unchanged(job.pdf, job.key)
            try:
                if unchanged is None or chunk.bundle is not None:
                    with self.plan.pdf_time_limit():
                        pages = self._form(writer, job, unchanged, fits)
                    if chunk.bundle is not None:
                        laid_out.append(pages)
                        form_pages[job.position] = len(pages)
                else:
                    writer.write(job.pdf, unchanged, job.key)
                reused += unchanged is not None
                pdfs += 1
                made.add(0)
            except (Exception, OutOfTime) as error:  # one form's failure is reported; the others go on
                error = self.plan.pdf_timeout() if isinstance(error, OutOfTime) else error
                failures.append((display_path(job.form.source, self.plan.root), f"{type(error).__name__}: {error}"))
        result = PartResult(files=writer.count, pdfs=pdfs, reused=reused, failures=failures, records=writer.records)
        if chunk.bundle is None:
            return _Made(result)
        bundle = chunk.bundle
        failed = tuple(source for source, _ in failures)
        part_pages[chunk.index] = _FAILED if failures else sum(map(len, laid_out))
        first_page = self._first_page(chunk, part_pages) if not failures else None
        if first_page is None:
            return _Made(result, bundling.Part(bundle.path, None, None, None, None, {}, failed=failed))
        key = self._part_key(chunk, first_page)
        path, sha256, front = self._part(chunk, laid_out, first_page, form_pages, key)
        return _Made(result, bundling.Part(bundle.path, path, key, sha256, front,
                                           {job.key: len(pages) for job, pages in zip(chunk.jobs, laid_out,
                                                                                       strict=True)}, fits=fits))

    def _form(self, writer: Writer, job: _Job, unchanged: Reusable | None,
              fits: dict[str, render_pdf.Fit]) -> list[Any]:
        """Lay one form out and write its PDF (or link the unchanged one); its pages, for its bundle.
        Raises ValueError for a character the fonts cannot draw."""
        entry = load_entry(job.form.source, self.plan.config, self.plan.root, raw=job.form.raw)
        if entry.scored is None:  # pragma: no cover - the same bytes checked a moment ago
            raise ValueError(_("the form no longer checks: it changed during the build; build again"))
        view = render_html.form_view(entry, job.display_title, self.plan.config, pdf=True)
        html, _sheet = form_html(self.plan, view)
        missing = render_pdf.missing_glyphs(render_html.visible_text(html), self.environment)
        if missing:
            raise ValueError(render_pdf.missing_glyphs_message(missing, self.environment))
        # A form laid out again only for its part (its PDF is the previous one) takes the fit found then: the
        # same key, so the same HTML, so the same fit; fitting would lay it out up to _MAX_PASSES times.
        document, fit = render_pdf.fit_form(lambda fit: form_html(self.plan, view, fit)[0], job.form.source.parent,
                                            self.plan.roots, self.cache.fits.get(job.key) if unchanged else None)
        fits[job.key] = fit
        if unchanged is not None:
            writer.write(job.pdf, unchanged, job.key)
        else:
            writer.write(job.pdf, render_pdf.write_pdf(document, variant=self.plan.config.pdf.variant,
                                                       identifier=bytes.fromhex(job.key)[:16]), job.key)
        return list(document.pages)  # the document (and the fonts it gathered) goes; the pages stay

    def _part_key(self, chunk: _Chunk, first_page: int) -> str:
        """What a part's bytes depend on: its forms (their keys hold WeasyPrint, fonts, variant), their
        titles in the running header, its first page number and the frame template."""
        assert chunk.bundle is not None
        return pdf_key(self.plan, "\0".join([self.frame_source, str(first_page),
                                             chunk.bundle.key if chunk.holds_front else ""]
                                            + [f"{job.key}\0{job.display_title}" for job in chunk.jobs]))

    def _part(self, chunk: _Chunk, laid_out: list[list[Any]], first_page: int, form_pages: SharedCounts,
              key: str) -> tuple[str, str, render_pdf.Front | None]:
        """Compose one part of a bundle into the cache, within the time a PDF step may take: (its file, its hash,
        the front where it holds it)."""
        try:
            with self.plan.pdf_time_limit(len(chunk.jobs)):
                return self._composed(chunk, laid_out, first_page, form_pages, key)
        except OutOfTime:  # the interrupt came as the step ended, before its limit could translate it
            raise self.plan.pdf_timeout(len(chunk.jobs)) from None

    def _composed(self, chunk: _Chunk, laid_out: list[list[Any]], first_page: int, form_pages: SharedCounts,
                  key: str) -> tuple[str, str, render_pdf.Front | None]:
        """One part of a bundle. The only part of a bundle holds its cover and contents too (`_front`), and its
        forms are numbered after them."""
        assert chunk.bundle is not None
        bundle, front_document, roots = chunk.bundle, None, self.plan.roots
        if chunk.holds_front:
            first = chunk.jobs[0].position
            front_document = self._front(bundle, [form_pages[first + offset] for offset in range(len(bundle.rows))])
            first_page += len(front_document.pages)
        number, frame_pages = first_page, []
        for job, pages in zip(chunk.jobs, laid_out, strict=True):
            frame_pages += [(job.display_title, number + page) for page in range(len(pages))]
            number += len(pages)
        frame = render_html.render(self.plan.env, render_html.Page("", "bundle_frame.html", {
            "pages": frame_pages, "fonts": self.environment.fonts}), self.plan.config)
        data, front = render_pdf.compose_pdf(laid_out, frame, roots[0], roots, front_document=front_document,
                                             identifier=bytes.fromhex(bundle.key)[:16])
        return (*self.cache.to_parts(data, key), front)

    def _front(self, bundle: bundling.Bundle, counts: list[int]) -> Any:
        """The cover and contents of a bundle of one part, laid out with its forms' first pages (from their page
        `counts`), which depend on the pages the front itself takes. Each digit of a page number has a box of one
        width (bundle.css), so the front takes as many pages whatever its numbers: it is laid out with the numbers
        that the length of this process's previous front gives, and again, with the right ones, only where it
        took another number of pages. The same pages as laying it out with placeholders first to learn its
        length, without that layout in most bundles (a tenth of a small bundle's time)."""
        roots = self.plan.roots
        guess = self.front_pages
        for _attempt in range(2):
            document = render_pdf.layout_pdf(self.front.html(bundle.path, bundle.rows,
                                                             bundling.starts(bundle, counts, guess)), roots[0], roots)
            if len(document.pages) == guess:
                return document
            self.front_pages = guess = len(document.pages)
        raise RuntimeError(f"the contents took {len(document.pages)} pages with page numbers for a front of "
                           f"{guess} pages")
