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
import itertools
import json
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

from markupsafe import Markup

from .config import SiteConfig
from .errors import ProblemsFound, UsageError
from .feed import form_record
from .findings import Finding, Level
from .parallel import chunks, fork_map, in_shards
from .pipeline import Entry, FormKeys, cross_form_findings, form_keys, load_entry
from .progress import Counter, Report, watching
from .reading import discover
from .render import data as render_data
from .render import html as render_html
from .render import pdf as render_pdf
from .scoring import summarize

__all__ = ["BuildFailed", "BuildResult", "build_site"]

MARKER = ".formgen-output"
"""A file in every output folder: formgen only ever replaces a folder that has it (or an empty one)."""
ASSETS = ("formgen.css", "sheet.css", "formgen.js", "favicon.svg")
PDF_MANIFEST = "pdf/.keys.json"
"""The key of every PDF in the output, for the next build (see _Pdfs)."""
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
    reused: int = 0
    """PDFs whose inputs had not changed: linked from the previous output, not rendered."""

    def summary(self) -> str:
        pdfs = f", {self.pdfs} PDFs and {self.bundles} bundles" if self.pdfs or self.failures else ""
        if self.reused:
            pdfs += f" ({self.reused} unchanged)"
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

    def write(self, relative: str, content: str | bytes | Path) -> None:
        target = os.path.normpath(os.path.join(self.root, relative))
        if os.path.isabs(relative) or not target.startswith(self.root + os.sep):
            raise ProblemsFound(f"refusing to write outside the output folder: {relative}")
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        if isinstance(content, Path):  # a file of the previous output, unchanged: linked, not copied
            try:
                os.link(content, target)
            except OSError:
                shutil.copyfile(content, target)
        elif isinstance(content, bytes):
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
               review: bool = False, strict: bool = False, jobs: int = 1, pdf: bool = False,
               progress: Report | None = None) -> BuildResult:
    """Check everything, render the site into a temporary folder beside `out`, and swap it in.

    With `pdf`, each form also gets its PDF (raises PdfUnavailable, before anything is read, where
    this machine cannot make them), and `progress(done, total)` is told how many PDFs are made. With
    `jobs` > 1 and a large site, forms are read and rendered in that many worker processes."""
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
    pdfs_maker = _Pdfs(env, config, pdf_environment, roots, out) if pdf_environment is not None else None
    made = Counter()
    watchers = contextlib.ExitStack()
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
        if pdf and config.pdf.bundles:
            rows = render_html.with_bundles(rows, config.pdf.bundle_max_forms)
        neighbours = render_html.links(rows)
        contexts = iter([_FormContext(titles[d.keys.slug], *neighbours[d.keys.slug], more)
                         for d, more in zip(digests, extra, strict=True)])
        site_rows.extend(rows)
        # From here until the workers are done (they exist now: no thread runs while they fork).
        watchers.enter_context(watching(made, len(rows) if pdfs_maker is not None else 0, progress))
        return [list(itertools.islice(contexts, len(part))) for part in parts], lambda: write_site(rows, records)

    def render_part(state: tuple[list[Entry], list[_Digest]], contexts: list[_FormContext]) -> _PartResult:
        """A worker's own forms: their pages, their JSON and their PDFs (written where they were read),
        and each form's sheet for the bundles."""
        entries, digests = state
        writer = _Writer(staging)
        pdfs, reused, failures, sheets, keys = 0, 0, [], {}, {}
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
            if pdfs_maker is not None and view.pdf is not None:
                sheet = env.get_template("_form_table.html").module.sheet(view, config.scheme)
                try:
                    with _time_limit(config.pdf.timeout_seconds):
                        keys[view.pdf], was_reused = pdfs_maker.form(writer, view, sheet)
                    made.add()
                    pdfs += 1
                    reused += was_reused
                    sheets[view.slug] = str(sheet)
                except Exception as error:  # one form's failure is reported; the others are still written
                    failures.append((entry.document.display, f"{type(error).__name__}: {error}"))
        return _PartResult(len(entries), writer.count, pdfs, reused, failures, sheets, keys)

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
        with watchers:
            written = in_shards(parts, parallel, read, decide, render_part)
        bundles: list[_PartResult] = []
        if pdfs_maker is not None:
            sheets = {slug: sheet for part in written for slug, sheet in part.sheets.items()}
            groups = _bundle_groups([row for row in site_rows if row.slug in sheets]) if config.pdf.bundles else []

            def write_bundle(group: tuple[str, list[render_html.ListRow]]) -> _PartResult:
                path, rows = group
                try:
                    with _time_limit(config.pdf.timeout_seconds * max(1, len(rows) // 4)):
                        key, was_reused = pdfs_maker.bundle(_Writer(staging), path, rows, sheets)
                    return _PartResult(0, 1, 1, int(was_reused), [], {}, {path: key})
                except Exception as error:
                    return _PartResult(0, 0, 0, 0, [(path, f"{type(error).__name__}: {error}")], {}, {})

            bundles = fork_map(write_bundle, groups, parallel)
            keys = dict(sorted((path, key) for part in [*written, *bundles] for path, key in part.keys.items()))
            _Writer(staging).write(PDF_MANIFEST, json.dumps(keys, ensure_ascii=False, indent=0) + "\n")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site is readable
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    everything = [*written, *bundles]
    return BuildResult(out, sum(part.forms for part in written), counts["pages"],
                       counts["files"] + sum(part.files for part in everything), counts["warnings"],
                       time.perf_counter() - started, sum(part.pdfs for part in written),
                       tuple(failure for part in everything for failure in part.failures),
                       sum(part.pdfs for part in bundles), sum(part.reused for part in everything))


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
    """PDF path → its key, for the manifest."""


def _bundle_groups(rows: list[render_html.ListRow]) -> list[tuple[str, list[render_html.ListRow]]]:
    """(path, forms) of every bundle or volume, from the rows' own bundle (render_html.with_bundles)."""
    groups: dict[str, list[render_html.ListRow]] = {}
    for row in rows:
        if row.bundle is not None:
            groups.setdefault(row.bundle, []).append(row)
    return sorted(groups.items())


class _Pdfs:
    """Makes the PDFs of one build. A PDF whose key (render_pdf.PdfEnvironment.key) is the one recorded
    in the previous output's manifest is linked from there instead of rendered again."""

    def __init__(self, env: Any, config: SiteConfig, environment: render_pdf.PdfEnvironment, roots: list[Path],
                 out: Path) -> None:
        self.env, self.config, self.environment, self.roots = env, config, environment, roots
        self.previous: dict[str, tuple[str, Path]] = {}
        try:
            recorded = json.loads((out / PDF_MANIFEST).read_text(encoding="utf-8"))
            self.previous = {path: (key, out / path) for path, key in recorded.items() if isinstance(key, str)}
        except (OSError, ValueError, AttributeError):
            pass  # no previous output, or not ours: everything is rendered

    def form(self, writer: _Writer, view: render_html.FormView, sheet: str) -> tuple[str, bool]:
        """One form's PDF; raises ValueError for a character the fonts cannot draw."""
        page = render_html.Page(view.pdf or "", "pdf.html",
                                {"view": view, "sheet": sheet, "fonts": self.environment.fonts})
        html = render_html.render(self.env, page, self.config)
        missing = render_pdf.missing_glyphs(render_html.visible_text(html), self.environment)
        if missing:
            raise ValueError(f"the fonts ({', '.join(self.environment.fonts)}) cannot draw {''.join(missing[:20])}: "
                             f"install {render_pdf.FONT_PACKAGE} or name a font that has them in formgen.toml [pdf]")
        return self._write(writer, view.pdf or "", html, view.entry.document.path.parent)

    def bundle(self, writer: _Writer, path: str, rows: list[render_html.ListRow],
               sheets: dict[str, str]) -> tuple[str, bool]:
        """One bundle (or volume): cover, contents, the forms' sheets; fonts embedded once for all of them."""
        first = rows[0]
        page = render_html.Page(path, "bundle.html", {
            "rows": rows, "year": first.year, "unit": first.unit, "volume": first.volume,
            "summary": summarize(rows, self.config.scheme), "fonts": self.environment.fonts,
            "sheets": {slug: Markup(sheet) for slug, sheet in sheets.items()},
            "created": max(row.filled_on for row in rows)})
        return self._write(writer, path, render_html.render(self.env, page, self.config), self.roots[0])

    def _write(self, writer: _Writer, path: str, html: str, base: Path) -> tuple[str, bool]:
        """(key, whether it was reused)."""
        variant = self.config.pdf.variant
        key = self.environment.key(html, variant)
        previous = self.previous.get(path)
        if previous is not None and previous[0] == key and previous[1].is_file():
            writer.write(path, previous[1])
            return key, True
        identifier = bytes.fromhex(key)[:16]  # from the content: reproducible
        writer.write(path, render_pdf.render_pdf(html, base, self.roots, self.environment, variant=variant,
                                                 identifier=identifier))
        return key, False
