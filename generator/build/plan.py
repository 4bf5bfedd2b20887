"""The first stage: everything a build decides before it reads a form. The options are checked, the
form files found, the templates compiled, the PDF machinery checked (where PDFs are wanted), and where
the build keeps its state between builds. Nothing is written here; a mistake in the options stops the
build before any work."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..config import SiteConfig
from ..errors import UsageError
from ..i18n import _
from ..output import CACHE_FOLDER, check_output
from ..reading import discover
from ..render import html as render_html
from ..render import pdf as render_pdf
from ..timelimit import time_limit

__all__ = ["MAX_SHARDS", "PARALLEL_FROM", "SHARD_MANIFEST", "Plan", "make_plan"]

MAX_SHARDS = 256
"""--shard I/N: more shares than CI machines anyone runs; a larger N would only make empty shares (and a
huge one would not fit in memory)."""
PARALLEL_FROM = 200
"""Below this many forms one process is faster than starting workers."""
SHARD_MANIFEST = "pdf/.keys.json"
"""In the output of a `--shard` build only: the key and hash of every PDF it made, for `--merge` to check.
A shard's output is a part to merge, never a site to publish; other builds keep this in their cache."""
TEMPLATES = ("form.html", "list.html", "pdf.html", "bundle.html", "_form_table.html", "_sheet.html")
"""Compiled once, before any worker forks (each worker would otherwise compile them again)."""


@dataclass(frozen=True)
class Plan:
    """What the stages of one build share: its inputs and options, decided before any form is read."""

    config: SiteConfig
    out: Path
    files: list[Path]
    """The form files, in the site's order."""
    env: jinja2.Environment
    roots: list[Path]
    """The content folders: what a PDF may load files from."""
    root: Path
    """The site's folder: findings name files from it (they are published, and must not depend on the
    working folder)."""
    cache_base: Path
    cache_names: tuple[str, ...]
    """The cache folder is `cache_base/cache_names…`, each part made a real folder once the build holds
    the output's lock (`output.cache_folder`): by default .formgen-cache/<output name> beside the output."""
    pdf_environment: render_pdf.PdfEnvironment | None
    """The fonts and settings of the PDFs; None for a build without PDFs. Fingerprinted once the cache folder is
    known (`Cache.fingerprinted`); checked only where something is rendered."""
    review: bool = False
    strict: bool = False
    jobs: int = 1
    shard: tuple[int, int] | None = None
    merge: tuple[Path, ...] | None = None
    started: float = 0.0

    @property
    def pdf(self) -> bool:
        return self.pdf_environment is not None

    def pdf_time_limit(self, forms: int = 1) -> time_limit:
        """The time one PDF step may take: `[pdf] timeout_seconds` for a form, and for a part or a bundle of
        `forms` forms that times a quarter of them. Raises TimeoutError, which names the setting to raise."""
        return time_limit(self.pdf_seconds(forms), functools.partial(self.pdf_timeout, forms))

    def pdf_seconds(self, forms: int = 1) -> float:
        return self.config.pdf.timeout_seconds * max(1, forms // 4)

    def pdf_timeout(self, forms: int = 1) -> TimeoutError:
        """What a PDF step that ran out of time reports (also where the interrupt came just as the step ended,
        before its limit could say so: see timelimit.time_limit)."""
        return TimeoutError(_("took longer than {seconds} s: raise [pdf] timeout_seconds in formgen.toml, or "
                              "shorten the form").format(seconds=self.pdf_seconds(forms)))

    @property
    def large(self) -> bool:
        """Large enough that worker processes pay off (and keep their memory out of this process)."""
        return len(self.files) >= PARALLEL_FROM


def make_plan(paths: list[Path], config: SiteConfig, out: Path, *, site_templates: Path | None = None,
              review: bool = False, strict: bool = False, jobs: int = 1, pdf: bool = False,
              cache: Path | None = None, shard: tuple[int, int] | None = None, merge: list[Path] | None = None,
              root: Path | None = None) -> Plan:
    """Check the options, find the files, compile the templates: raises UsageError for a wrong option,
    PdfUnavailable where this machine cannot make PDFs."""
    started = time.perf_counter()
    check_output(out, paths)
    # Found, not checked: WeasyPrint is imported only where something is to be rendered (PdfStage.ready).
    pdf_environment = render_pdf.find_environment(config.pdf.fonts) if pdf else None
    files = discover(paths, root)
    if not files:
        raise UsageError(_("no form files (*.md) under {paths}").format(paths=", ".join(map(str, paths))))
    env = render_html.environment(site_templates)
    for name in TEMPLATES:
        env.get_template(name)
    if (shard is not None or merge is not None) and not pdf:
        raise UsageError(_("--shard and --merge share out the PDFs: they need PDFs to be built (leave out "
                           "--no-pdf)"))
    if shard is not None and not 1 <= shard[0] <= shard[1] <= MAX_SHARDS:
        raise UsageError(_("--shard {index}/{count}: write I/N with 1 ≤ I ≤ N ≤ {most}, e.g. 2/3").format(
            index=shard[0], count=shard[1], most=MAX_SHARDS))
    for folder in merge or []:
        if not (folder / SHARD_MANIFEST).is_file() or folder.is_symlink():
            raise UsageError(_("--merge {folder}: not the output of a formgen build with PDFs (no {manifest}): "
                               "name the output folders of `formgen build --shard`").format(
                folder=folder, manifest=SHARD_MANIFEST))
    cache_base, cache_names = (out.parent, (CACHE_FOLDER, out.name)) if cache is None else (cache.parent,
                                                                                            (cache.name,))
    return Plan(config, out, files, env, [path if path.is_dir() else path.parent for path in paths],
                (root or Path.cwd()).resolve(), cache_base, cache_names, pdf_environment, review, strict, jobs,
                shard, tuple(merge) if merge is not None else None, started)
