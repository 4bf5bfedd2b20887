"""The build: read and check everything, then render into a temporary folder and swap it in.

Nothing is written until every form checks; a build that fails at any point leaves the previous
output folder exactly as it was. Every path written is checked to stay inside the output folder.

For speed on large sites the forms are split into one part per worker process (`parallel.in_shards`).
A worker reads and checks its part and keeps it; only small digests travel to this process (the
feed record, the findings, the keys of the cross-form checks). Here the cross-form
checks run, lists and open data are written, and each worker renders its own forms' pages. With one
job the same steps run in this process.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .errors import ProblemsFound, UsageError
from .feed import form_record
from .findings import Finding, Level
from .parallel import chunks, fork_map, in_shards
from .pipeline import Entry, FormKeys, cross_form_findings, form_keys, load_entry
from .reading import discover
from .render import data as render_data
from .render import html as render_html
from .render import pdf as render_pdf
from .scoring import summarize

__all__ = ["BuildFailed", "BuildResult", "build_site"]

MARKER = ".formgen-output"
"""A file in every output folder: formgen only ever replaces a folder that has it (or an empty one)."""
ASSETS = ("formgen.css", "sheet.css", "formgen.js", "favicon.svg")
PARALLEL_FROM = 200
"""Below this many forms one process is faster than starting workers."""
PDF_PARALLEL_FROM = 4
"""With PDFs (about a third of a second each) workers pay off from a few forms."""


@dataclass(frozen=True)
class BuildResult:
    out: Path
    forms: int
    pages: int
    files: int
    warnings: int
    seconds: float
    pdfs: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    """(form file or bundle, why) of every PDF that could not be made; the rest was written."""
    bundles: int = 0

    def summary(self) -> str:
        pdfs = f", {self.pdfs} PDFs and {self.bundles} bundles" if self.pdfs or self.failures else ""
        failed = f", {len(self.failures)} PDFs FAILED" if self.failures else ""
        return (f"built {self.forms} forms: {self.pages} pages{pdfs}, {self.files} files{failed} in "
                f"{self.seconds:.2f} s → {self.out}")


class BuildFailed(ProblemsFound):
    """The content has errors: nothing was written. Carries every finding, for the report."""

    def __init__(self, findings: list[Finding], forms: int, strict: bool) -> None:
        self.findings, self.forms, self.strict = findings, forms, strict
        errors = [f for f in findings if f.level is Level.ERROR or strict]
        super().__init__(f"build failed: {len(errors)} errors; the output folder was left unchanged")


class _Writer:
    """Writes files under one root (a fresh staging folder that formgen alone fills), refusing any
    path that would leave it: absolute paths and ``..`` are checked lexically, which is enough since
    nothing in the staging folder is a link."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self.count = 0
        self._folders: set[str] = set()

    def write(self, relative: str, content: str | bytes) -> None:
        target = os.path.normpath(os.path.join(self.root, relative))
        if os.path.isabs(relative) or not target.startswith(self.root + os.sep):
            raise ProblemsFound(f"refusing to write outside the output folder: {relative}")
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        if isinstance(content, bytes):
            with open(target, "wb") as binary:
                binary.write(content)
        else:
            with open(target, "w", encoding="utf-8", newline="") as text:
                text.write(content)
        self.count += 1


def _check_out(out: Path, sources: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something that is not formgen output."""
    resolved = out.resolve()
    for source in sources:
        source = source.resolve()
        if resolved == source or source.is_relative_to(resolved):
            raise UsageError(f"{out}: the output folder would contain the content ({source}); choose another --out")
    if resolved == Path.cwd().resolve() or resolved == Path(resolved.anchor):
        raise UsageError(f"{out}: refusing to use this folder as the output folder; choose another --out")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise UsageError(f"{out}: exists and is not a formgen output folder (no {MARKER}); "
                         "remove it or choose another --out")


def _swap(staging: Path, out: Path) -> None:
    """Put the new output in place: two renames on one file system, then remove the old one."""
    previous = None
    if out.exists():
        previous = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(previous)
    staging.rename(out)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


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


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in this thread after `seconds` (where signals allow it: the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s (pdf.timeout_seconds)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def build_site(paths: list[Path], config: SiteConfig, out: Path, *, site_templates: Path | None = None,
               review: bool = False, strict: bool = False, jobs: int = 1, pdf: bool = False) -> BuildResult:
    """Check everything, render the site into a temporary folder beside `out`, and swap it in.

    With `pdf`, each form also gets its PDF (raises PdfUnavailable, before anything is read, where
    this machine cannot make them). With `jobs` > 1 and a large site, forms are read and rendered in
    that many worker processes."""
    started = time.perf_counter()
    _check_out(out, paths)
    pdf_environment = render_pdf.check_environment(config.pdf.fonts) if pdf else None
    roots = [path if path.is_dir() else path.parent for path in paths]
    cwd = Path.cwd().resolve()
    files = discover(paths)
    if not files:
        raise UsageError(f"no form files (*.md) under {', '.join(map(str, paths))}")
    env = render_html.environment(site_templates)
    for name in ("form.html", "list.html", "pdf.html", "bundle.html", "_form_table.html"):
        env.get_template(name)  # compiled once, before workers fork
    minimum = config.checks.copied_text_min_chars
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
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
        if any(f.level is Level.ERROR or strict for f in findings):
            raise BuildFailed(findings, len(digests), strict)
        counts["warnings"] = len(findings)
        # Copies: in one process the workers' step below shares these dicts and adds the same findings.
        records = [{**digest.record, "findings": digest.record["findings"] + [f.as_dict() for f in more]}
                   for digest, more in zip(digests, extra, strict=True) if digest.record is not None]
        titles = render_html.display_titles([(r["slug"], r["title"], Decimal(r["funds"]["total"]["budget"]))
                                             for r in records])
        rows = [render_html.list_row(record, titles[record["slug"]], pdf) for record in records]
        neighbours = render_html.links(rows)
        contexts = iter([_FormContext(titles[d.keys.slug], *neighbours[d.keys.slug], more)
                         for d, more in zip(digests, extra, strict=True)])
        site_rows.extend(rows)
        return [list(itertools.islice(contexts, len(part))) for part in parts], lambda: write_site(rows, records)

    def render_part(state: tuple[list[Entry], list[_Digest]], contexts: list[_FormContext]) -> _PartResult:
        """A worker's own forms: their pages, their JSON and their PDFs (written where they were read),
        and each form's sheet for the bundles."""
        entries, digests = state
        writer = _Writer(staging)
        pdfs, failures, sheets = 0, [], {}
        for entry, digest, context in zip(entries, digests, contexts, strict=True):
            if entry.scored is None:
                continue
            entry.findings.extend(context.findings)
            view = render_html.form_view(entry, context.display_title, config, context.previous, context.next,
                                         pdf=pdf)
            writer.write(view.page, render_html.render(env, render_html.form_page(view, review), config))
            assert digest.record is not None
            digest.record["findings"] += [finding.as_dict() for finding in context.findings]
            writer.write(view.json, render_data.as_json(digest.record))
            if pdf_environment is not None and view.pdf is not None:
                sheet = env.get_template("_form_table.html").module.sheet(view, config.scheme)
                try:
                    with _time_limit(config.pdf.timeout_seconds):
                        writer.write(view.pdf, _form_pdf(env, view, sheet, config, pdf_environment, roots))
                    pdfs += 1
                    sheets[view.slug] = str(sheet)
                except Exception as error:  # one form's failure is reported; the others are still written
                    failures.append((entry.document.display, f"{type(error).__name__}: {error}"))
        return _PartResult(len(entries), writer.count, pdfs, failures, sheets)

    def write_site(rows: list[render_html.ListRow], records: list[dict[str, Any]]) -> None:
        writer = _Writer(staging)
        list_pages = list(render_html.list_pages(rows, config))
        for page in list_pages:
            writer.write(page.path, render_html.render(env, page, config))
        page_paths = [row.page for row in rows] + [page.path for page in list_pages]
        for relative, text in render_data.data_files(config, records, page_paths):
            writer.write(relative, text)
        for asset in ASSETS:
            source, _, _ = env.loader.get_source(env, asset)  # type: ignore[union-attr]
            writer.write(f"assets/{asset}", source)
        writer.write(MARKER, "This folder is written by formgen build and replaced as a whole.\n")
        counts["pages"], counts["files"] = len(page_paths), writer.count

    try:
        parallel = jobs if len(files) >= (PDF_PARALLEL_FROM if pdf else PARALLEL_FROM) else 1
        parts = [list(part) for part in chunks(files, parallel, per_job=1)]
        written = in_shards(parts, parallel, read, decide, render_part)
        bundles: list[tuple[int, list[tuple[str, str]]]] = []
        if pdf_environment is not None:
            sheets = {slug: sheet for part in written for slug, sheet in part.sheets.items()}
            groups = _bundle_groups([row for row in site_rows if row.slug in sheets])

            def write_bundle(group: tuple[str, list[render_html.ListRow]]) -> tuple[int, list[tuple[str, str]]]:
                path, rows = group
                try:
                    with _time_limit(config.pdf.timeout_seconds * max(1, len(rows) // 4)):
                        _Writer(staging).write(path, _bundle_pdf(env, rows, sheets, config, pdf_environment, roots))
                    return 1, []
                except Exception as error:
                    return 0, [(path, f"{type(error).__name__}: {error}")]

            bundles = fork_map(write_bundle, groups, parallel)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site is readable
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    forms = sum(part.forms for part in written)
    files_written = counts["files"] + sum(part.files for part in written) + sum(count for count, _ in bundles)
    failures = tuple(failure for part in written for failure in part.failures)
    failures += tuple(failure for _, failed in bundles for failure in failed)
    return BuildResult(out, forms, counts["pages"], files_written, counts["warnings"], time.perf_counter() - started,
                       sum(part.pdfs for part in written), failures, sum(count for count, _ in bundles))


@dataclass(frozen=True)
class _PartResult:
    """What a worker reports of its part: counts, failed PDFs, and each form's sheet for the bundles."""

    forms: int
    files: int
    pdfs: int
    failures: list[tuple[str, str]]
    sheets: dict[str, str]


def _bundle_groups(rows: list[render_html.ListRow]) -> list[tuple[str, list[render_html.ListRow]]]:
    """(path, forms) of every bundle: one per year and unit, in file order."""
    groups: dict[tuple[int, str], list[render_html.ListRow]] = {}
    for row in rows:
        groups.setdefault((row.year, row.unit), []).append(row)
    return [(render_html.bundle_path(year, unit), chosen) for (year, unit), chosen in sorted(groups.items())]


def _bundle_pdf(env: Any, rows: list[render_html.ListRow], sheets: dict[str, str], config: SiteConfig,
                environment: render_pdf.PdfEnvironment, roots: list[Path]) -> bytes:
    """One bundle: cover, contents, the forms' sheets; fonts embedded once for all of them."""
    from markupsafe import Markup

    year, unit = rows[0].year, rows[0].unit
    page = render_html.Page(render_html.bundle_path(year, unit), "bundle.html", {
        "rows": rows, "year": year, "unit": unit, "summary": summarize(rows, config.scheme),
        "sheets": {slug: Markup(sheet) for slug, sheet in sheets.items()}, "fonts": environment.fonts,
        "created": max(row.filled_on for row in rows)})
    html = render_html.render(env, page, config)
    identifier = hashlib.sha256(html.encode("utf-8")).digest()[:16]
    return render_pdf.render_pdf(html, roots[0], roots, environment, variant=config.pdf.variant,
                                 identifier=identifier)


def _form_pdf(env: Any, view: render_html.FormView, sheet: str, config: SiteConfig,
              environment: render_pdf.PdfEnvironment, roots: list[Path]) -> bytes:
    """One form's PDF: its HTML for print, checked for glyphs the fonts cannot draw, then rendered."""
    page = render_html.Page(view.pdf or "", "pdf.html", {"view": view, "sheet": sheet, "fonts": environment.fonts})
    html = render_html.render(env, page, config)
    missing = render_pdf.missing_glyphs(render_html.visible_text(html), environment)
    if missing:
        raise ValueError(f"the fonts ({', '.join(environment.fonts)}) cannot draw {''.join(missing[:20])}: "
                         f"install {render_pdf.FONT_PACKAGE} or name a font that has them in formgen.toml [pdf]")
    identifier = hashlib.sha256(html.encode("utf-8")).digest()[:16]  # from the content: reproducible
    return render_pdf.render_pdf(html, view.entry.document.path.parent, roots, environment,
                                 variant=config.pdf.variant, identifier=identifier)
