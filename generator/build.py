"""The build: read and check everything, then render into a staging folder and publish it.

Nothing is written until every form checks; a build that fails at any point (a PDF that cannot be
made included) leaves the previous output folder exactly as it was. The staging folder, the lock
that makes one build at a time, the swap and every write into the output folder or the cache are
`output.py`'s.

For speed on large sites the forms are split into one part per worker process (`parallel.in_shards`).
A worker reads and checks its part and keeps it; only small digests travel to this process (the
feed record, the findings, the keys of the cross-form checks). Here the cross-form
checks run, lists and open data are written, and each worker renders its own forms' pages. With one
job the same steps run in this process.

PDFs come after (`_Pdfs`): chunks of forms in the order of their bundles go to the processes in turn;
each form is laid out once, its PDF written, and its pages kept to compose its bundle's part.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import slugs, state
from .config import SiteConfig
from .errors import ProblemsFound, UsageError, note_line
from .feed import form_record
from .findings import Finding
from .i18n import _, ngettext
from .output import (
    CACHE_FOLDER,
    MARKER,
    Record,
    Reusable,
    Staging,
    Writer,
    cache_folder,
    check_output,
    remove_unless,
    reusable,
    write_atomically,
)
from .parallel import chunks, collections_paused, fork_map, in_shards, kept_out_of_collections, shared_ints
from .pipeline import Entry, FormKeys, cross_form_findings, display_path, form_keys, load_entry
from .progress import Counter, Report, watching
from .reading import discover
from .render import data as render_data
from .render import html as render_html
from .render import pdf as render_pdf
from .scoring import summarize
from .timelimit import OutOfTime, time_limit

__all__ = ["MARKER", "MAX_SHARDS", "BuildFailed", "BuildResult", "PdfsFailed", "build_site"]

ASSETS = ("formgen.css", "sheet.css", "formgen.js", "favicon.svg")
PDF_MANIFEST = "pdf/.keys.json"
"""The key of every PDF in the output, for the next build (see _Pdfs)."""
CACHE_MANIFEST = "cache.json"
"""In the cache folder: the page count of each form PDF key, so that unchanged parts of bundles are
reused without laying their forms out, and the hash of each part kept, verified before it is used."""
MAX_SHARDS = 256
"""--shard I/N: more shares than CI machines anyone runs; a larger N would only make empty shares (and a
huge one would not fit in memory)."""
PARALLEL_FROM = 200
"""Below this many forms one process is faster than starting workers."""
ARCHIVAL_VOLUME_FORMS = 100
"""Volumes of bundles with an archival variant, unless `[pdf] bundle_max_forms` says otherwise: such a
bundle is laid out as one document, which held about 12 MiB per form in the benchmark."""


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


@dataclass(frozen=True)
class _Digest:
    """What a worker tells this process about one form."""

    keys: FormKeys
    findings: list[Finding]
    record: dict[str, Any] | None


@dataclass(frozen=True)
class _FormContext:
    """What only the whole site knows about one form: its title in lists, its neighbours, more findings."""

    display_title: str
    previous: render_html.Link | None
    next: render_html.Link | None
    findings: list[Finding]
    unit_slug: str | None = None
    """Its unit's slug: unique among the site's units, so another unit's name may change it."""


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError, which names the setting to raise, when a PDF takes longer than `seconds`."""
    try:
        with time_limit(seconds):
            yield
    except OutOfTime:
        raise TimeoutError(_("took longer than {seconds} s: raise [pdf] timeout_seconds in formgen.toml, or "
                             "shorten the form").format(seconds=seconds)) from None


def build_site(paths: list[Path], config: SiteConfig, out: Path, *, site_templates: Path | None = None,
               review: bool = False, strict: bool = False, jobs: int = 1, pdf: bool = False,
               progress: Report | None = None, cache: Path | None = None, shard: tuple[int, int] | None = None,
               merge: list[Path] | None = None, root: Path | None = None) -> BuildResult:
    """Check everything, render the site into a temporary folder beside `out`, and swap it in.

    With `pdf`, each form also gets its PDF (raises PdfUnavailable, before anything is read, where
    this machine cannot make them), and `progress(done, total)` is told how many PDFs are made. With
    `jobs` > 1 and a large site, forms are read and rendered in that many worker processes. `cache`
    keeps what later builds can reuse beyond the output itself (the parts of bundles; default:
    .formgen-cache/<output name> beside the output).

    For CI machines sharing the work: `shard` (I, N) makes only the I-th of N deterministic shares of
    the PDFs (the site is built whole); `merge` then builds the site taking every PDF from the shards'
    output folders, refusing if one is missing or was made from other inputs. N shards merged give
    the same bytes as one build. Findings, which the site publishes, name files relative to `root`, the
    site's folder (default: the working folder), so that a build from content/2024 writes the same bytes."""
    started = time.perf_counter()
    check_output(out, paths)
    pdf_environment = render_pdf.check_environment(config.pdf.fonts) if pdf else None
    roots = [path if path.is_dir() else path.parent for path in paths]
    files = discover(paths, root)
    if not files:
        raise UsageError(_("no form files (*.md) under {paths}").format(paths=", ".join(map(str, paths))))
    env = render_html.environment(site_templates)
    for name in ("form.html", "list.html", "pdf.html", "bundle.html", "_form_table.html"):
        env.get_template(name)  # compiled once, before workers fork
    if (shard is not None or merge is not None) and not pdf:
        raise UsageError(_("--shard and --merge share out the PDFs: they need PDFs to be built (leave out "
                           "--no-pdf)"))
    if shard is not None and not 1 <= shard[0] <= shard[1] <= MAX_SHARDS:
        raise UsageError(_("--shard {index}/{count}: write I/N with 1 ≤ I ≤ N ≤ {most}, e.g. 2/3").format(
            index=shard[0], count=shard[1], most=MAX_SHARDS))
    for folder in merge or []:
        if not (folder / PDF_MANIFEST).is_file() or folder.is_symlink():
            raise UsageError(_("--merge {folder}: not the output of a formgen build with PDFs (no {manifest}): "
                               "name the output folders of `formgen build --shard`").format(
                folder=folder, manifest=PDF_MANIFEST))
    with Staging(out) as staging:
        return _build(config, out, staging, files, env, roots, pdf_environment, started, review=review,
                      strict=strict, jobs=jobs, pdf=pdf, progress=progress, cache=cache, shard=shard, merge=merge,
                      root=(root or Path.cwd()).resolve())


def _build(config: SiteConfig, out: Path, staging_folder: Staging, files: list[Path], env: Any,  # noqa: C901 - the staged build (issue 15) replaces it
           roots: list[Path], pdf_environment: render_pdf.PdfEnvironment | None, started: float, *, review: bool,
           strict: bool, jobs: int, pdf: bool, progress: Report | None, cache: Path | None,
           shard: tuple[int, int] | None, merge: list[Path] | None, root: Path) -> BuildResult:
    """build_site, holding the output folder's lock, writing into the staging folder."""
    staging = staging_folder.folder
    cwd = root  # what findings name files from: they are published, and must not depend on the working folder
    cache_base, cache_names = (out.parent, (CACHE_FOLDER, out.name)) if cache is None else (cache.parent,
                                                                                            (cache.name,))
    pdfs_maker = (_Pdfs(env, config, pdf_environment, roots, out, cache_base, cache_names, shard, merge, root)
                  if pdf_environment is not None else None)
    sources: dict[str, Path] = {}
    previous_pages = state.read_state(out)
    # What every page depends on besides its own inputs: formgen's code, the settings, the build's options.
    page_inputs = state.digest(state.code_fingerprint(), config.model_dump_json(), f"review={review} pdf={pdf}")
    form_template = state.template_fingerprint(env, "form.html")
    site_records: dict[str, Record] = {}
    minimum = config.checks.copied_text_min_chars
    counts: dict[str, int] = {}
    site_rows: list[render_html.ListRow] = []

    def read(part: list[Path]) -> tuple[tuple[list[Entry], list[_Digest]], list[_Digest]]:
        entries = [load_entry(path, config, cwd) for path in part]
        digests = [_Digest(form_keys(entry, minimum), entry.findings, form_record(entry) if entry.scored else None)
                   for entry in entries]
        return (entries, digests), digests

    def decide(parts: list[list[_Digest]]) -> tuple[list[list[_FormContext]], Any]:
        digests = [digest for part in parts for digest in part]
        extra = cross_form_findings([digest.keys for digest in digests])
        findings = sorted(f for digest, more in zip(digests, extra, strict=True) for f in digest.findings + more)
        if any(f.level.fails(strict) for f in findings):
            raise BuildFailed(findings, len(digests), strict)
        counts["warnings"] = len(findings)
        # Copies: in one process the workers' step below shares these dicts and adds the same findings.
        records = [{**digest.record, "findings": digest.record["findings"] + [f.as_dict() for f in more]}
                   for digest, more in zip(digests, extra, strict=True) if digest.record is not None]
        titles = render_html.display_titles([(r["slug"], r["title"], Decimal(r["funds"]["total"]["budget"]))
                                             for r in records])
        units = slugs.unit_slugs(record["unit"] for record in records)
        unit_of = {record["slug"]: units[record["unit"]] for record in records}
        rows = [render_html.list_row(record, titles[record["slug"]], units[record["unit"]], pdf) for record in records]
        if pdf and config.pdf.bundles:
            rows = render_html.with_bundles(rows, config.pdf.bundle_max_forms or (
                ARCHIVAL_VOLUME_FORMS if config.pdf.variant else None))
        neighbours = render_html.links(rows)
        contexts = iter([_FormContext(titles[d.keys.slug], *neighbours[d.keys.slug], more, unit_of.get(d.keys.slug))
                         for d, more in zip(digests, extra, strict=True)])
        site_rows.extend(rows)
        sources.update((digest.keys.slug, file) for digest, file in zip(digests, files, strict=True))
        return [list(itertools.islice(contexts, len(part))) for part in parts], lambda: write_site(rows, records)

    def render_part(kept: tuple[list[Entry], list[_Digest]], contexts: list[_FormContext]) -> _PartResult:
        """A worker's own forms: their pages and their JSON (written where they were read), and each PDF's
        key (the PDFs themselves are made afterwards, in the order of the bundles)."""
        entries, digests = kept
        writer = Writer(staging, out, previous_pages)
        sheets, keys = {}, {}
        for entry, digest, context in zip(entries, digests, contexts, strict=True):
            if entry.scored is None:
                continue
            entry.findings.extend(context.findings)
            view = render_html.form_view(entry, context.display_title, config, context.previous, context.next,
                                         pdf=pdf, unit_slug=context.unit_slug)
            page_key = state.digest(page_inputs, form_template, entry.document.sha256,
                                    repr(entry.profile), repr(context))
            if not writer.reuse(view.page, page_key):
                writer.write(view.page, render_html.render(env, render_html.form_page(view, review), config),
                             page_key)
            assert digest.record is not None
            digest.record["findings"] += [finding.as_dict() for finding in context.findings]
            writer.write(view.json, render_data.as_json(digest.record))
            if pdfs_maker is not None and view.pdf is not None:
                html, sheet = pdfs_maker.form_html(view)
                keys[view.pdf] = pdfs_maker.key(html)
                if pdfs_maker.bundles_laid_out_again:
                    sheets[view.slug] = sheet
        return _PartResult(len(entries), writer.count, 0, 0, [], sheets, keys, pages=writer.records,
                           pages_reused=writer.reused)

    def write_site(rows: list[render_html.ListRow], records: list[dict[str, Any]]) -> None:
        writer = Writer(staging, out, previous_pages)
        list_pages = list(render_html.list_pages(rows, config))
        for page in list_pages:
            page_key = state.digest(page_inputs, state.template_fingerprint(env, page.template), repr(page.context))
            if not writer.reuse(page.path, page_key):
                writer.write(page.path, render_html.render(env, page, config), page_key)
        page_paths = [row.page for row in rows] + [page.path for page in list_pages]
        for relative, text in render_data.data_files(config, records, page_paths):
            writer.write(relative, text)
        for asset in ASSETS:
            source, _, _ = env.loader.get_source(env, asset)  # type: ignore[union-attr]
            writer.write(f"assets/{asset}", source)
        writer.write(MARKER, "This folder is written by formgen build and replaced as a whole.\n")
        counts["pages"], counts["files"], counts["pages_reused"] = len(page_paths), writer.count, writer.reused
        site_records.update(writer.records)

    parallel = jobs if len(files) >= PARALLEL_FROM else 1
    parts = [list(part) for part in chunks(files, parallel, per_job=1)]
    written = in_shards(parts, parallel, read, decide, render_part)
    site_records.update((path, record) for part in written for path, record in part.pages.items())
    Writer(staging).write(state.STATE_FILE, state.records_json(site_records))
    made: list[_PartResult] = []
    if pdfs_maker is not None:
        form_keys_made = {path: key for part in written for path, key in part.keys.items()}
        sheets = {slug: sheet for part in written for slug, sheet in part.sheets.items()}
        made = pdfs_maker.make(staging, site_rows, sources, form_keys_made, sheets, jobs, progress)
        failures = [failure for part in made for failure in part.failures]
        if failures:
            raise PdfsFailed(failures)
        Writer(staging).write(PDF_MANIFEST, state.records_json({path: record for part in made
                                                                 for path, record in part.records.items()}))
    staging_folder.publish()
    everything = [*written, *made]
    return BuildResult(out, sum(part.forms for part in written), counts["pages"],
                       counts["files"] + sum(part.files for part in everything), counts["warnings"],
                       time.perf_counter() - started, sum(part.pdfs for part in made if not part.bundle),
                       sum(part.pdfs for part in made if part.bundle), sum(part.reused for part in everything),
                       counts["pages_reused"] + sum(part.pages_reused for part in written),
                       tuple(staging_folder.notes + (pdfs_maker.notes if pdfs_maker else [])
                             + [note for part in made for note in part.notes]))


@dataclass(frozen=True)
class _PartResult:
    """What a worker reports of its part: counts, failed PDFs, and each form's sheet for the bundles."""

    forms: int
    files: int
    pdfs: int
    reused: int
    """PDFs linked from the previous output."""
    failures: list[tuple[str, str]]
    sheets: dict[str, str]
    keys: dict[str, str]
    """PDF path → its key, known before the PDFs are made."""
    bundle: bool = False
    """Counts a bundle, not forms."""
    pages: dict[str, Record] = dataclasses.field(default_factory=dict)
    """Page path → its key and hash (state.py), for the next build."""
    pages_reused: int = 0
    records: dict[str, Record] = dataclasses.field(default_factory=dict)
    """PDF path → its key and hash, for the manifest: the PDFs made (or taken unchanged)."""
    notes: list[str] = dataclasses.field(default_factory=list)
    """What was repaired on the way (a damaged part in the cache)."""


def _bundle_groups(rows: list[render_html.ListRow]) -> list[tuple[str, list[render_html.ListRow]]]:
    """(path, forms) of every bundle or volume, from the rows' own bundle (render_html.with_bundles)."""
    groups: dict[str, list[render_html.ListRow]] = {}
    for row in rows:
        if row.bundle is not None:
            groups.setdefault(row.bundle, []).append(row)
    return sorted(groups.items())


PART_FORMS = 25
"""Forms in one part of a bundle (a bundle is split into parts of PART_FORMS to 2 × PART_FORMS − 1
forms, the same way whatever the number of workers, so the output does not depend on it). A part's
forms stay laid out until the part is written, so this bounds a worker's memory whatever the size of
the bundle; a part embeds its fonts once (about 0.4 MB); a change to one form composes its part again."""
_UNKNOWN, _FAILED = -1, -2
"""A page count not known yet, and that of a form or part that failed (see _Pdfs.make)."""


@dataclass(frozen=True)
class _Job:
    """One form's PDF to make."""

    slug: str
    source: Path
    display_title: str
    pdf: str
    """Its path in the output."""
    key: str
    position: int = -1
    """Its place in the shared page counts of forms, where it is in a bundle being composed."""


@dataclass(frozen=True)
class _Bundle:
    """A bundle (or volume) to write."""

    path: str
    rows: list[render_html.ListRow]
    key: str


@dataclass(frozen=True)
class _Chunk:
    """Forms whose PDFs one process makes; where `bundle` is set, also one part of that bundle."""

    jobs: tuple[_Job, ...]
    bundle: _Bundle | None = None
    index: int = 0
    """Its place in the shared page counts of parts."""
    before: tuple[int, ...] = ()
    """The bundle's earlier parts: their page counts decide this part's page numbers."""
    holds_front: bool = False
    """The bundle's only part, which also holds its cover and contents (their fonts are shared)."""
    front: bool = False
    """No forms: the cover of a bundle of several parts, and how long its contents will be."""


@dataclass(frozen=True)
class _ChunkResult:
    """What one chunk made: its forms' PDFs, and its part of a bundle (sent back from the worker)."""

    result: _PartResult
    bundle: str | None
    part: str | None
    """The part's file, if it was composed (or found in the cache)."""
    part_key: str | None
    part_sha256: str | None
    """The hash of the part's bytes, recorded in the cache for the next build to verify."""
    front: render_pdf.Front | None
    """Where the part holds the bundle's cover (and contents)."""
    pages: dict[str, int]
    """Page count by form key, of the forms of a bundle's part."""
    contents_pages: int = 0
    """From the cover's chunk: the pages of the contents (laid out with placeholder numbers)."""


def _split(count: int) -> list[range]:
    """A bundle's forms in parts (see PART_FORMS)."""
    parts = max(1, count // PART_FORMS)
    size = -(-count // parts)
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class _Pdfs:
    """Makes the PDFs of one build: each form laid out once, its own PDF written from that layout, and
    its bundle composed from the same pages (render_pdf.compose_pdf) in parts (PART_FORMS), joined into
    one file at the end. A PDF whose key (render_pdf.PdfEnvironment.key) is the one recorded in the
    previous output's manifest is linked from there instead of made again; a part of a bundle whose
    forms and first page number are unchanged is taken from the cache folder, its forms not laid out.

    With an archival variant (PDF/A, PDF/UA) a bundle must be one WeasyPrint document (joined parts
    would lose its tags and conformance), so it is laid out again from the forms' sheets, in volumes
    (ARCHIVAL_VOLUME_FORMS)."""

    def __init__(self, env: Any, config: SiteConfig, environment: render_pdf.PdfEnvironment, roots: list[Path],
                 out: Path, cache_base: Path, cache_names: tuple[str, ...], shard: tuple[int, int] | None = None,
                 merge: list[Path] | None = None, root: Path | None = None) -> None:
        self.env, self.config, self.environment, self.roots = env, config, environment, roots
        self.variant = config.pdf.variant
        self.bundles_laid_out_again = bool(config.pdf.bundles and self.variant)
        self.cwd = (root or Path.cwd()).resolve()
        self.frame_source = str(env.loader.get_source(env, "bundle_frame.html")[0])
        self.shard, self.merging = shard, merge is not None
        self.previous: dict[str, tuple[Record, Path]] = {}
        """Where each PDF of the previous output (or, merging, of the shards' outputs) is, with its record."""
        for folder in merge if merge is not None else [out]:
            self.previous.update((path, (record, folder)) for path, record in
                                 state.read_records(folder / PDF_MANIFEST).items())
        self._verified: dict[str, Reusable | None] = {}
        self.keys: dict[str, str] = {}
        """Every form PDF's key, by its path."""
        # The cache is made of real folders here, before any worker forks: a link planted there goes.
        self.cache, self.notes = cache_folder(cache_base, *cache_names)
        self.parts, more = cache_folder(self.cache, "parts")
        self.notes += more
        self.page_counts: dict[str, int] = {}
        self.part_hashes: dict[str, str] = {}
        """Part key → the hash of its bytes when it was made: a part is used only if it still hashes so."""
        try:
            manifest = self.cache / CACHE_MANIFEST
            recorded = json.loads(manifest.read_text(encoding="utf-8")) if not manifest.is_symlink() else {}
            self.page_counts = {key: count for key, count in recorded["pages"].items()
                                if isinstance(count, int) and 0 < count < 10_000}
            self.part_hashes = {key: sha for key, sha in recorded["parts"].items() if isinstance(sha, str)}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            pass  # no cache yet, or not ours: every part is made

    def form_html(self, view: render_html.FormView, fit: render_pdf.Fit | None = None) -> tuple[str, str]:
        """(the HTML of a form's PDF, its sheet: the table as an archival bundle shows it), as it is or
        with a `fit` to its pages (render_pdf.fit_form)."""
        if fit is not None and fit.starts:
            view = dataclasses.replace(view, rows=render_html.split_rows(view.rows, fit.starts))
        sheet = self.env.get_template("_form_table.html").module.sheet(view, self.config.scheme)
        page = render_html.Page(view.pdf or "", "pdf.html",
                                {"view": view, "sheet": sheet, "fonts": self.environment.fonts,
                                 "fit_style": Markup(fit.style) if fit is not None else ""})
        return render_html.render(self.env, page, self.config), str(sheet)

    def key(self, html: str) -> str:
        return self.environment.key(html, self.variant)

    def _unchanged(self, path: str, key: str) -> Reusable | None:
        """The previous output's file (merging: a shard's), where its key is the same and the file is intact
        (a regular file reached through no link, with the hash recorded when it was written)."""
        previous = self.previous.get(path)
        if previous is None or previous[0][0] != key:
            return None
        if path not in self._verified:
            (_, sha256), folder = previous
            found = reusable(folder, path, sha256, link=not self.merging)
            if found is not None and self.merging and not render_pdf.is_pdf(found.path):
                found = None
            self._verified[path] = found
        return self._verified[path]

    def _front_html(self, bundle: str, rows: list[render_html.ListRow], starts: dict[str, int] | None,
                    sheets: dict[str, str] | None = None, part: str | None = None, first_page: int = 0) -> str:
        """A bundle's cover and contents (`part`: "cover" or "contents" alone): with the forms' first
        pages (`starts`; None: placeholders of the same width, to learn how many pages the front takes),
        or with the forms (`sheets`)."""
        first = rows[0]
        numbers = {row.slug: str(starts[row.slug]) if starts else "0000" for row in rows} if sheets is None else None
        page = render_html.Page(bundle, "bundle.html", {
            "rows": rows, "year": first.year, "unit": first.unit, "volume": first.volume, "part": part,
            "first_page": first_page,
            "summary": summarize(rows, self.config.scheme), "fonts": self.environment.fonts, "starts": numbers,
            "sheets": {slug: Markup(sheet) for slug, sheet in sheets.items()} if sheets is not None else None,
            "created": max(row.filled_on or f"{row.year}-12-31" for row in rows)})
        return render_html.render(self.env, page, self.config)

    def make(self, staging: Path, rows: list[render_html.ListRow], sources: dict[str, Path], keys: dict[str, str],  # noqa: C901 - the staged build (issue 15) replaces it
             sheets: dict[str, str], jobs: int, progress: Report | None) -> list[_PartResult]:
        """Every form's PDF and every bundle, over `jobs` processes; one result per chunk and per bundle.

        Chunks go to the processes in turn (parallel.fork_map). A part of a bundle can only number its
        pages once the bundle's earlier parts are laid out: each part publishes its forms' page counts
        in shared memory as soon as it has them, and waits for those of the earlier parts (which are
        always further on, so no part waits for one that waits)."""
        self.keys = keys
        made_rows = [row for row in rows if row.pdf is not None and row.pdf in keys]
        todo = {row.slug: _Job(row.slug, sources[row.slug], row.display_title, row.pdf or "", keys[row.pdf or ""])
                for row in made_rows}
        bundles = []
        for path, members in _bundle_groups(made_rows) if self.config.pdf.bundles else []:
            if self.bundles_laid_out_again:
                html = self._front_html(path, members, None, {row.slug: sheets[row.slug] for row in members})
                bundles.append(_Bundle(path, members, self.key(html)))
            else:
                front = self._front_html(path, members, None)
                bundles.append(_Bundle(path, members, self.key("\0".join(
                    [front, self.frame_source] + [todo[row.slug].key for row in members]))))
        if self.shard is not None:
            bundles, todo = self._my_share(bundles, todo)
        if self.merging:
            self._check_merged(bundles, todo)
        chunk_list: list[_Chunk] = []
        positions = 0
        for bundle in bundles:
            if self.bundles_laid_out_again or self._unchanged(bundle.path, bundle.key) is not None:
                continue
            # Composed: its forms are laid out in parts; a bundle of several parts has a first chunk that
            # makes its cover and learns how long its contents will be (the parts number after them).
            split, first = _split(len(bundle.rows)), len(chunk_list)
            if len(split) > 1:
                chunk_list.append(_Chunk((), bundle, len(chunk_list), front=True))
            for span in split:
                part = tuple(dataclasses.replace(todo.pop(bundle.rows[index].slug), position=positions + index)
                             for index in span)
                chunk_list.append(_Chunk(part, bundle, len(chunk_list), tuple(range(first, len(chunk_list))),
                                         len(split) == 1))
            positions += len(bundle.rows)
        rest = list(todo.values())
        chunk_list += [_Chunk(tuple(part), index=len(chunk_list) + number)
                       for number, part in enumerate(chunks(rest, jobs) if rest else [])]
        part_pages, form_pages = shared_ints(len(chunk_list), _UNKNOWN), shared_ints(positions, _UNKNOWN)
        made = Counter()
        with watching(made, len(made_rows), progress), kept_out_of_collections():
            results = fork_map(lambda chunk: self._chunk(staging, chunk, part_pages, form_pages, made), chunk_list,
                               jobs)
        by_bundle: dict[str, list[_ChunkResult]] = {}
        for result in results:
            if result.bundle is not None:
                by_bundle.setdefault(result.bundle, []).append(result)

        def write_bundle(bundle: _Bundle) -> _PartResult:
            writer = Writer(staging)
            try:
                with _time_limit(self.config.pdf.timeout_seconds * max(1, len(bundle.rows) // 4)):
                    reused = self._bundle(writer, bundle, by_bundle.get(bundle.path, []), sheets)
                return _PartResult(0, 1, 1, int(reused), [], {}, {}, bundle=True, records=writer.records)
            except Exception as error:
                return _PartResult(0, 0, 0, 0, [(bundle.path, f"{type(error).__name__}: {error}")], {}, {},
                                   bundle=True)

        written = fork_map(write_bundle, bundles, jobs)
        self._keep_in_cache(results)
        return [result.result for result in results] + written

    def _my_share(self, bundles: list[_Bundle], todo: dict[str, _Job]) -> tuple[list[_Bundle], dict[str, _Job]]:
        """This shard's bundles and forms (--shard I/N): a composed bundle goes with its forms; the largest
        first, each to the shard with the fewest forms so far. The same for every shard: no two make the
        same PDF, and together they make all."""
        assert self.shard is not None
        index, count = self.shard
        load, owner = [0] * count, {}

        def place(name: str, weight: int) -> None:
            shard = min(range(count), key=lambda number: (load[number], number))
            owner[name], load[shard] = shard, load[shard] + weight

        composed = set() if self.bundles_laid_out_again else {row.slug for bundle in bundles for row in bundle.rows}
        for bundle in sorted(bundles, key=lambda bundle: (-len(bundle.rows), bundle.path)):
            place(bundle.path, len(bundle.rows))
            for row in bundle.rows if bundle.rows[0].slug in composed else []:
                owner[row.slug] = owner[bundle.path]
        for slug in todo:
            if slug not in composed:
                place(slug, 1)
        return ([bundle for bundle in bundles if owner[bundle.path] == index - 1],
                {slug: job for slug, job in todo.items() if owner[slug] == index - 1})

    def _check_merged(self, bundles: list[_Bundle], todo: dict[str, _Job]) -> None:
        """--merge: every PDF must come from a shard's output, made from the same inputs, and be intact
        there (a regular PDF file reached through no link, with the hash its shard recorded)."""
        wanted = [(job.pdf, job.key) for job in todo.values()] + [(bundle.path, bundle.key) for bundle in bundles]
        missing, damaged = [], []
        for path, key in wanted:
            previous = self.previous.get(path)
            if previous is None or previous[0][0] != key:
                missing.append(path)
            elif self._unchanged(path, key) is None:
                damaged.append(f"{previous[1] / path}")

        def listed(paths: list[str]) -> str:  # the first five, enough to find the shard
            return ", ".join(paths[:5]) + ("…" if len(paths) > 5 else "")

        if missing:
            raise ProblemsFound(ngettext(
                "--merge: {count} PDF is in none of the shards' outputs, or was made from other content or "
                "settings ({paths}): build every shard of the same commit",
                "--merge: {count} PDFs are in none of the shards' outputs, or were made from other content or "
                "settings ({paths}): build every shard of the same commit", len(missing)).format(
                count=len(missing), paths=listed(missing)))
        if damaged:
            raise ProblemsFound(ngettext(
                "--merge: {count} PDF of the shards is not the file its shard made (not a PDF, changed since, or "
                "a link): {paths}; build those shards again",
                "--merge: {count} PDFs of the shards are not the files their shard made (not a PDF, changed "
                "since, or a link): {paths}; build those shards again", len(damaged)).format(
                count=len(damaged), paths=listed(damaged)))

    def _keep_in_cache(self, results: list[_ChunkResult]) -> None:
        """Keep the page counts and parts of this build for the next, with each part's hash; drop those no
        build uses now (files and links in the cache's own parts folder; nothing is followed)."""
        counts = {key: count for result in results for key, count in result.pages.items()}
        if not counts:
            return
        kept = {result.part_key: result.part_sha256 for result in results if result.part_key and result.part_sha256}
        remove_unless(self.parts, {f"{key}.pdf" for key in kept}, ".pdf")
        write_atomically(self.cache / CACHE_MANIFEST, json.dumps(
            {"pages": dict(sorted(counts.items())), "parts": dict(sorted(kept.items()))}, indent=0).encode())

    def _part_key(self, chunk: _Chunk, first_page: int) -> str:
        """What a part's bytes depend on: its forms (their keys hold WeasyPrint, fonts, variant), their
        titles in the running header, its first page number and the frame template."""
        assert chunk.bundle is not None
        return self.key("\0".join([self.frame_source, str(first_page), chunk.bundle.key if chunk.holds_front else ""]
                                  + [f"{job.key}\0{job.display_title}" for job in chunk.jobs]))

    def _chunk(self, staging: Path, chunk: _Chunk, part_pages: Any, form_pages: Any, made: Counter) -> _ChunkResult:
        """The forms of one chunk; where it is a part of a bundle, that part too (written beside the
        output, for _bundle to join). Page counts are published as soon as they are known; failing, the
        part publishes _FAILED, so that no later part waits for it."""
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

    def _cover(self, chunk: _Chunk, part_pages: Any) -> _ChunkResult:
        """The cover of a bundle of several parts (written to the cache, for _bundle to join), and the
        page count of cover and contents published for the parts' numbers. The contents are laid out
        with placeholders here; with the numbers at the end (the same length: the numbers have a fixed
        width)."""
        assert chunk.bundle is not None
        bundle = chunk.bundle
        contents = len(render_pdf.layout_pdf(self._front_html(bundle.path, bundle.rows, None, part="contents"),
                                             self.roots[0], self.roots).pages)
        cover = self._front_html(bundle.path, bundle.rows, None, part="cover")
        data, front = render_pdf.compose_pdf([], "", self.roots[0], self.roots, front_html=cover,
                                             identifier=bytes.fromhex(bundle.key)[:16])
        assert front is not None
        part_pages[chunk.index] = front.pages + contents
        path, _ = self._to_cache(data)
        return _ChunkResult(_PartResult(0, 0, 0, 0, [], {}, {}), bundle.path, path, None, None, front, {}, contents)

    def _to_cache(self, data: bytes, key: str | None = None) -> tuple[str, str]:
        """Keep a composed part in the cache's parts folder (whole or not at all: later builds read it):
        (its file, the hash of its bytes)."""
        path = self.parts / f"{key or state.digest(data)}.pdf"
        write_atomically(path, data)
        return str(path), hashlib.sha256(data).hexdigest()

    def _cached_part(self, staging: Path, chunk: _Chunk, part_pages: Any, form_pages: Any,
                     made: Counter, notes: list[str]) -> _ChunkResult | None:
        """A part whose forms are all unchanged, found in the cache for its first page: its forms' PDFs
        are linked and nothing is laid out. None where that is not so."""
        if chunk.bundle is None or chunk.holds_front:
            return None
        unchanged = [self._unchanged(job.pdf, job.key) for job in chunk.jobs]
        counts = [self.page_counts.get(job.key) for job in chunk.jobs]
        if any(path is None for path in unchanged) or any(count is None for count in counts):
            return None
        for job, count in zip(chunk.jobs, counts, strict=True):
            form_pages[job.position] = count
        part_pages[chunk.index] = sum(count or 0 for count in counts)  # published before waiting: no one waits
        first_page = self._first_page(chunk, part_pages)
        if first_page is None:
            return None
        key = self._part_key(chunk, first_page)
        recorded = self.part_hashes.get(key)
        cached = reusable(self.parts, f"{key}.pdf", recorded)
        if cached is None:
            if recorded is not None:  # kept by an earlier build, but no longer what it wrote: made again
                with contextlib.suppress(OSError):
                    (self.parts / f"{key}.pdf").unlink()
                notes.append(_("{part}: a part of {bundle} in the cache was damaged or missing; it was made "
                               "again").format(part=f"{self.parts / key}.pdf", bundle=chunk.bundle.path))
            return None
        writer = Writer(staging)
        for job, path in zip(chunk.jobs, unchanged, strict=True):
            assert path is not None
            writer.write(job.pdf, path, job.key)
            made.add()
        return _ChunkResult(_PartResult(0, writer.count, len(chunk.jobs), len(chunk.jobs), [], {},
                                        {job.pdf: job.key for job in chunk.jobs}, records=writer.records),
                            chunk.bundle.path, str(cached.path), key, cached.sha256, None,
                            {job.key: count or 0 for job, count in zip(chunk.jobs, counts, strict=True)})

    def _first_page(self, chunk: _Chunk, part_pages: Any) -> int | None:
        """The number of the part's first page, once the earlier parts have published their page
        counts; None if one of them failed."""
        assert chunk.bundle is not None
        limit = time.monotonic() + self.config.pdf.timeout_seconds * PART_FORMS * max(1, len(chunk.before))
        while any(part_pages[index] == _UNKNOWN for index in chunk.before):
            if time.monotonic() > limit:
                raise TimeoutError(_("an earlier part of the bundle never finished: build again"))
            time.sleep(0.02)
        if any(part_pages[index] == _FAILED for index in chunk.before):
            return None
        return sum(part_pages[index] for index in chunk.before) + 1

    def _made_chunk(self, staging: Path, chunk: _Chunk, part_pages: Any, form_pages: Any,
                    made: Counter) -> _ChunkResult:
        writer = Writer(staging)
        laid_out: list[list[Any]] = []
        failures: list[tuple[str, str]] = []
        reused = pdfs = 0
        keys: dict[str, str] = {}
        for job in chunk.jobs:
            unchanged = self._unchanged(job.pdf, job.key)
            try:
                if unchanged is None or chunk.bundle is not None:
                    with _time_limit(self.config.pdf.timeout_seconds):
                        pages = self._form(writer, job, unchanged)
                    if chunk.bundle is not None:
                        laid_out.append(pages)
                        form_pages[job.position] = len(pages)
                else:
                    writer.write(job.pdf, unchanged, job.key)
                reused += unchanged is not None
                pdfs += 1
                keys[job.pdf] = job.key
                made.add()
            except Exception as error:  # one form's failure is reported; the others go on, to report theirs
                failures.append((display_path(job.source, self.cwd), f"{type(error).__name__}: {error}"))
        result = _PartResult(0, writer.count, pdfs, reused, failures, {}, keys, records=writer.records)
        if chunk.bundle is None:
            return _ChunkResult(result, None, None, None, None, None, {})
        part_pages[chunk.index] = _FAILED if failures else sum(map(len, laid_out))
        first_page = self._first_page(chunk, part_pages) if not failures else None
        if first_page is None:
            return _ChunkResult(result, chunk.bundle.path, None, None, None, None, {})
        key = self._part_key(chunk, first_page)
        path, sha256, front = self._part(chunk, laid_out, first_page, form_pages, key)
        return _ChunkResult(result, chunk.bundle.path, path, key, sha256, front,
                            {job.key: len(pages) for job, pages in zip(chunk.jobs, laid_out, strict=True)})

    def _form(self, writer: Writer, job: _Job, unchanged: Reusable | None) -> list[Any]:
        """Lay one form out and write its PDF (or link the unchanged one); its pages, for its bundle.
        Raises ValueError for a character the fonts cannot draw."""
        entry = load_entry(job.source, self.config, self.cwd)
        if entry.scored is None:  # changed since it was checked
            raise ValueError(_("the form no longer checks: it changed during the build; build again"))
        view = render_html.form_view(entry, job.display_title, self.config, pdf=True)
        html, _sheet = self.form_html(view)
        missing = render_pdf.missing_glyphs(render_html.visible_text(html), self.environment)
        if missing:
            raise ValueError(render_pdf.missing_glyphs_message(missing, self.environment))
        document = render_pdf.fit_form(lambda fit: self.form_html(view, fit)[0], job.source.parent, self.roots)
        if unchanged is not None:
            writer.write(job.pdf, unchanged, job.key)
        else:
            writer.write(job.pdf, render_pdf.write_pdf(document, variant=self.variant,
                                                       identifier=bytes.fromhex(job.key)[:16]), job.key)
        return list(document.pages)  # the document (and the fonts it gathered) goes; the pages stay

    @staticmethod
    def _starts(bundle: _Bundle, counts: Any, front_pages: int) -> dict[str, int]:
        """Each form's first page in the bundle, from page counts in the bundle's order."""
        starts, number = {}, front_pages
        for row, count in zip(bundle.rows, counts, strict=True):
            starts[row.slug] = number + 1
            number += count
        return starts

    def _part(self, chunk: _Chunk, laid_out: list[list[Any]], first_page: int, form_pages: Any,
              key: str) -> tuple[str, str, render_pdf.Front | None]:
        """Compose one part of a bundle into the cache: (its file, its hash, the front where it holds it). The only
        part of a bundle holds its cover and contents too: laid out with placeholders to learn their
        length (its forms are numbered after them), then with the numbers."""
        assert chunk.bundle is not None
        bundle, front_html = chunk.bundle, None
        if chunk.holds_front:
            front_pages = len(render_pdf.layout_pdf(self._front_html(bundle.path, bundle.rows, None),
                                                    self.roots[0], self.roots).pages)
            first_page += front_pages
            first = chunk.jobs[0].position
            front_html = self._front_html(bundle.path, bundle.rows, self._starts(
                bundle, [form_pages[first + offset] for offset in range(len(bundle.rows))], front_pages))
        number, frame_pages = first_page, []
        for job, pages in zip(chunk.jobs, laid_out, strict=True):
            frame_pages += [(job.display_title, number + page) for page in range(len(pages))]
            number += len(pages)
        frame = render_html.render(self.env, render_html.Page("", "bundle_frame.html", {
            "pages": frame_pages, "fonts": self.environment.fonts}), self.config)
        with _time_limit(self.config.pdf.timeout_seconds * max(1, len(chunk.jobs) // 4)):
            data, front = render_pdf.compose_pdf(laid_out, frame, self.roots[0], self.roots, front_html=front_html,
                                                 identifier=bytes.fromhex(bundle.key)[:16])
        if front is not None and front.pages != first_page - 1:
            raise RuntimeError(f"the contents took {front.pages} pages with page numbers, {first_page - 1} with "
                               "placeholders")
        return (*self._to_cache(data, key), front)

    def _bundle(self, writer: Writer, bundle: _Bundle, parts: list[_ChunkResult], sheets: dict[str, str]) -> bool:
        """Write one bundle: link it if unchanged, else join its parts (or, with an archival variant,
        lay it out again as one document). Whether it was unchanged."""
        unchanged = self._unchanged(bundle.path, bundle.key)
        identifier = bytes.fromhex(bundle.key)[:16]
        if unchanged is not None:
            writer.write(bundle.path, unchanged, bundle.key)
            return True
        if self.bundles_laid_out_again:
            html = self._front_html(bundle.path, bundle.rows, None, {row.slug: sheets[row.slug] for row in bundle.rows})
            writer.write(bundle.path, render_pdf.render_pdf(html, self.roots[0], self.roots, self.environment,
                                                            variant=self.variant, identifier=identifier), bundle.key)
            return False
        if not parts or any(part.part is None for part in parts):
            failed = ", ".join(source for part in parts for source, _ in part.result.failures)
            raise RuntimeError(_("not made, since the PDF of {forms} could not be made (see above): a bundle of "
                                 "record holds every one of its forms").format(forms=failed or _("one of its forms")))
        counts = {key: count for part in parts for key, count in part.pages.items()}
        documents = [Path(part.part).read_bytes() for part in parts if part.part]
        fronts: list[tuple[int, render_pdf.Front]] = []  # (first page index, front) of cover and contents
        if parts[0].front is not None and not parts[0].pages:  # a bundle of several parts: its cover first
            cover = parts[0].front
            front_pages = cover.pages + parts[0].contents_pages
            starts = self._starts(bundle, [counts[self.keys[row.pdf or ""]] for row in bundle.rows], front_pages)
            contents, front = render_pdf.compose_pdf([], "", self.roots[0], self.roots, identifier=identifier,
                                                     front_html=self._front_html(bundle.path, bundle.rows, starts,
                                                                                 part="contents",
                                                                                 first_page=cover.pages + 1))
            assert front is not None
            if front.pages != parts[0].contents_pages:
                raise RuntimeError(f"the contents took {front.pages} pages with page numbers, "
                                   f"{parts[0].contents_pages} with placeholders")
            documents.insert(1, contents)
            fronts = [(0, cover), (cover.pages, front)]
        else:  # one part: its cover and contents come first in it
            assert parts[0].front is not None
            starts = self._starts(bundle, [counts[self.keys[row.pdf or ""]] for row in bundle.rows],
                                  parts[0].front.pages)
            fronts = [(0, parts[0].front)]
        outline = [(label, first + index) for first, front in fronts for label, index in front.outline]
        outline += [(row.display_title, starts[row.slug] - 1) for row in bundle.rows]
        links = [(first + index, rectangle, starts[anchor.removeprefix("form-")] - 1)
                 for first, front in fronts for index, rectangle, anchor in front.links
                 if anchor.removeprefix("form-") in starts]
        writer.write(bundle.path, render_pdf.join_pdfs(documents, outline, links, lang="zh-CN", identifier=identifier),
                     bundle.key)
        return False
