"""The build: read and check everything, then render into a staging folder and publish it.

Nothing is written until every form checks; a build that fails at any point (a PDF that cannot be
made included) leaves the previous output folder exactly as it was. The stages, each a module:

1. `plan` — the options checked, the form files found, the templates compiled;
2. `check` — every form read, validated, scored and checked (`read_part`), then the cross-form checks
   and each form's place in the site (`decide`);
3. `pages` — the form pages and their data where the forms were read, the lists and the open data;
4. `pdfs` — every form's PDF from its checked snapshot, and the parts of the bundles;
5. `bundles` — each bundle joined from its parts;
6. `swap` — the staging folder published, the build's records kept in the cache for the next build.

For speed on large sites the forms are split into one part per worker process (`parallel.in_shards`):
a worker reads and checks its part and keeps it; only small digests travel to this process, which
decides, writes the lists meanwhile, and lets each worker render its own forms' pages. The staging
folder, the lock that makes one build at a time, the swap and every write are `output.py`'s.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from .. import slugs, state
from ..config import SiteConfig
from ..output import MARKER, Record, Staging
from ..parallel import chunks, in_shards
from ..progress import Report
from . import bundles as bundling
from . import swap
from .check import FormContext, FormDigest, SiteIndex, decide, read_part
from .pages import PageKeys, PagesPart, render_part, write_lists
from .pdfs import PdfForm, PdfStage
from .plan import MAX_SHARDS, SHARD_MANIFEST, Plan, make_plan
from .results import BuildFailed, BuildResult, PartResult, PdfsFailed
from .reuse import Cache, Previous

__all__ = ["MARKER", "MAX_SHARDS", "SHARD_MANIFEST", "BuildFailed", "BuildResult", "PdfsFailed", "build_site"]


def build_site(paths: list[Path], config: SiteConfig, out: Path, *, site_templates: Path | None = None,
               review: bool = False, strict: bool = False, jobs: int = 1, pdf: bool = False,
               progress: Report | None = None, cache: Path | None = None, shard: tuple[int, int] | None = None,
               merge: list[Path] | None = None, root: Path | None = None) -> BuildResult:
    """Check everything, render the site into a temporary folder beside `out`, and swap it in.

    With `pdf`, each form also gets its PDF (raises PdfUnavailable, before anything is read, where
    this machine cannot make them), and `progress(done, total)` is told how many PDFs are made. With
    `jobs` > 1 and a large site, forms are read and rendered in that many worker processes. `cache`
    keeps what later builds reuse (the records of pages and PDFs, the parts of bundles; default:
    .formgen-cache/<output name> beside the output).

    For CI machines sharing the work: `shard` (I, N) makes only the I-th of N deterministic shares of
    the PDFs (the site is built whole); `merge` then builds the site taking every PDF from the shards'
    output folders, refusing if one is missing or was made from other inputs. N shards merged give
    the same bytes as one build. Findings, which the site publishes, name files relative to `root`, the
    site's folder (default: the working folder), so that a build from content/2024 writes the same bytes."""
    plan = make_plan(paths, config, out, site_templates=site_templates, review=review, strict=strict, jobs=jobs,
                     pdf=pdf, cache=cache, shard=shard, merge=merge, root=root)
    with Staging(out) as staging:
        cache_folder = Cache(plan.cache_base, plan.cache_names)
        plan = cache_folder.fingerprinted(plan)
        keys = PageKeys.of(plan, cache_folder.records(state.PAGES_FILE), cache_folder.pdf_keys())
        site = _SiteStep(plan, staging.folder, keys)
        parallel = plan.jobs if plan.large else 1
        written: list[PagesPart] = in_shards(
            [list(part) for part in chunks(plan.files, parallel, per_job=1)], parallel,
            functools.partial(_read, plan), site, functools.partial(_render, plan, staging.folder, keys),
            always=plan.large, idle=slugs.load_dictionaries)
        index, lists = site.decided
        pages = {path: record for part in written for path, record in part.result.pages.items()}
        pages.update(lists.pages)
        made: list[PartResult] = []
        pdf_records: dict[str, Record] | None = None
        pdf_forms = {form.slug: form for part in written for form in part.pdf_forms}
        if plan.pdf:
            made = _pdfs_and_bundles(plan, staging.folder, cache_folder, index, dict(pdf_forms), progress)
            pdf_records = {path: record for part in made for path, record in part.records.items()}
        swap.publish(plan, staging, cache_folder, pages, pdf_records,
                     {form.inputs: form.key for form in pdf_forms.values()})
        return BuildResult(out, sum(part.result.forms for part in written), site.page_count,
                           lists.files + sum(part.result.files for part in written) + sum(part.files for part in made),
                           index.warnings, time.perf_counter() - plan.started,
                           sum(part.pdfs for part in made if not part.bundle),
                           sum(part.pdfs for part in made if part.bundle), sum(part.reused for part in made),
                           lists.pages_reused + sum(part.result.pages_reused for part in written),
                           tuple(staging.notes + cache_folder.notes + [note for part in made for note in part.notes]))


def _read(plan: Plan, part: list[Path]) -> tuple[tuple[list, list[FormDigest]], list[FormDigest]]:
    """Phase one of a part (check.read_part): the entries stay where they were read, the digests travel."""
    entries, digests = read_part(plan, part)
    return (entries, digests), digests


def _render(plan: Plan, staging: Path, keys: PageKeys, kept: tuple[list, list[FormDigest]],
            contexts: list[FormContext]) -> PagesPart:
    """Phase two of a part (pages.render_part), where its forms were read."""
    entries, digests = kept
    return render_part(plan, staging, keys, entries, digests, contexts)


class _SiteStep:
    """The middle of the read and pages stages, in this process: decide from every form's digest, then write
    the lists while the parts render their forms."""

    def __init__(self, plan: Plan, staging: Path, keys: PageKeys) -> None:
        self.plan, self.staging, self.keys = plan, staging, keys
        self.index: SiteIndex | None = None
        self.lists: PartResult | None = None
        self.page_count = 0

    def __call__(self, parts: list[list[FormDigest]]) -> tuple[list[list[FormContext]], functools.partial[None]]:
        self.index = decide(self.plan, parts)
        return self.index.contexts, functools.partial(self._write_lists, self.index)

    def _write_lists(self, index: SiteIndex) -> None:
        self.lists, self.page_count = write_lists(self.plan, self.staging, self.keys, index)

    @property
    def decided(self) -> tuple[SiteIndex, PartResult]:
        assert self.index is not None and self.lists is not None
        return self.index, self.lists


def _pdfs_and_bundles(plan: Plan, staging: Path, cache: Cache, index: SiteIndex, forms: dict[str, PdfForm],
                      progress: Report | None) -> list[PartResult]:
    """The PDF stage, then the bundles stage: one result per chunk of forms and one per bundle. Raises
    PdfsFailed where a PDF could not be made (nothing is published then)."""
    previous = Previous.recorded(plan, cache)
    stage = PdfStage(plan, cache, previous)
    bundles = stage.bundles(index, forms)
    rows = {row.slug: row for row in index.rows}
    if plan.shard is not None:
        composed = {row.slug for bundle in bundles for row in bundle.rows} if stage.composed else set()
        bundles, mine = bundling.my_share(plan.shard, bundles, list(forms), composed)
        forms = {slug: form for slug, form in forms.items() if slug in mine}
    if plan.merge is not None:
        bundling.check_merged(previous, [(rows[slug].pdf or "", form.key) for slug, form in forms.items()]
                              + [(bundle.path, bundle.key) for bundle in bundles])
    # Nothing to make (every PDF and bundle as the previous build left it): WeasyPrint is not even imported,
    # and no worker is started, as linking the previous files is quicker than forking.
    work = any(previous.unchanged(rows[slug].pdf or "", form.key) is None for slug, form in forms.items()) \
        or any(previous.unchanged(bundle.path, bundle.key) is None for bundle in bundles)
    if work:
        assert plan.pdf_environment is not None
        plan.pdf_environment.checked()  # here, before any worker forks: they inherit what it read
    made = stage.make(staging, index, forms, bundles, progress, work)
    written = bundling.write_bundles(plan, stage.front, previous, staging, bundles, work,
                                     [chunk.part for chunk in made if chunk.part is not None],
                                     {rows[slug].pdf or "": form.key for slug, form in forms.items()},
                                     {slug: form.sheet or "" for slug, form in forms.items()})
    cache.keep_parts({key: count for chunk in made if chunk.part for key, count in chunk.part.pages.items()},
                     {part.key: part.sha256 for chunk in made if (part := chunk.part) and part.key and part.sha256},
                     {key: fit for chunk in made if chunk.part for key, fit in chunk.part.fits.items()},
                     {form.key for form in forms.values()})
    results = [chunk.result for chunk in made] + written
    failures = [failure for result in results for failure in result.failures]
    if failures:  # every form and bundle not made, each once
        raise PdfsFailed(failures)
    return results
