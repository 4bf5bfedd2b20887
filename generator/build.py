"""The build: read and check everything, then render into a temporary folder and swap it in.

Nothing is written until every form checks; a build that fails at any point leaves the previous
output folder exactly as it was. Every path written is checked to stay inside the output folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .errors import ProblemsFound, UsageError
from .pipeline import Site, load_site
from .render import data as render_data
from .render import html as render_html

__all__ = ["BuildResult", "build_site"]

MARKER = ".formgen-output"
"""A file in every output folder: formgen only ever replaces a folder that has it (or an empty one)."""
ASSETS = ("formgen.css", "formgen.js", "favicon.svg")


@dataclass(frozen=True)
class BuildResult:
    site: Site
    out: Path
    forms: int
    pages: int
    files: int
    seconds: float

    def summary(self) -> str:
        return (f"built {self.forms} forms: {self.pages} pages, {self.files} files in {self.seconds:.2f} s "
                f"→ {self.out}")


class BuildFailed(ProblemsFound):
    """The content has errors: nothing was written. Carries the site, for the report."""

    def __init__(self, site: Site, strict: bool) -> None:
        errors = site.errors(strict)
        super().__init__(f"build failed: {len(errors)} errors; the output folder was left unchanged")
        self.site = site


class _Writer:
    """Writes files under one root, refusing any path that would leave it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.count = 0

    def write(self, relative: str, text: str) -> None:
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root):
            raise ProblemsFound(f"refusing to write outside the output folder: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
        self.count += 1


def _check_out(out: Path, sources: Iterable[Path]) -> None:
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


def build_site(paths: list[Path], config: SiteConfig, out: Path, *, site_templates: Path | None = None,
               review: bool = False, strict: bool = False) -> BuildResult:
    """Check everything, render the site into a temporary folder beside `out`, and swap it in."""
    started = time.perf_counter()
    _check_out(out, paths)
    site = load_site(paths, config)
    if site.errors(strict):
        raise BuildFailed(site, strict)
    env = render_html.environment(site_templates)
    views = render_html.form_views(site)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        writer = _Writer(staging)
        page_paths = []
        for page in render_html.pages(site, views, review=review):
            writer.write(page.path, render_html.render(env, page, site))
            page_paths.append(page.path)
        for relative, text in render_data.data_files(site, views, page_paths):
            writer.write(relative, text)
        for asset in ASSETS:
            source, _, _ = env.loader.get_source(env, asset)  # type: ignore[union-attr]
            writer.write(f"assets/{asset}", source)
        writer.write(MARKER, "This folder is written by formgen build and replaced as a whole.\n")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site is readable
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(site, out, len(views), len(page_paths), writer.count, time.perf_counter() - started)
