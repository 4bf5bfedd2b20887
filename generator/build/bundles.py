"""Bundles: which forms each bundle (or volume) binds, what its bytes depend on, which shard makes it,
and the last stage of the PDFs — each bundle written whole, from its parts in the cache (or, with an
archival variant, laid out again as one document).

A bundle is composed in parts (`split`) by the PDF stage (pdfs.py): the forms of a part are laid out
once for their own PDFs and for the part. Here the parts are joined into one file, the contents' page
numbers filled in, and the outline and links of cover and contents set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ..errors import ProblemsFound
from ..i18n import _, ngettext
from ..output import Writer
from ..parallel import pool_map
from ..render import html as render_html
from ..render import pdf as render_pdf
from ..scoring import summarize
from ..timelimit import OutOfTime
from .plan import Plan
from .results import PartResult
from .reuse import Previous

__all__ = ["PART_FORMS", "Bundle", "BundleFront", "Part", "bundle_groups", "check_merged", "my_share", "split",
           "starts", "write_bundles"]

PART_FORMS = 25
"""Forms in one part of a bundle (a bundle is split into parts of PART_FORMS to 2 × PART_FORMS − 1
forms, the same way whatever the number of workers, so the output does not depend on it). A part's
forms stay laid out until the part is written, so this bounds a worker's memory whatever the size of
the bundle; a part embeds its fonts once (about 0.4 MB); a change to one form composes its part again."""

# Where a bundle's time goes (issue 16 asked for ≤ +25 % over the forms' own PDFs). py-spy, 50 generated forms
# in five one-part bundles, --jobs 1, seconds spent inside the bundle's own steps: writing each part 3.4 s
# (WeasyPrint paints every page again and subsets the fonts once per part: its API writes a PDF from one
# Document and cannot reuse what it painted for the forms' own files), collecting the part's laid-out forms
# at its end 2.2 s (cyclic box trees, which a build without bundles collects along the way instead), the
# front 1.0 s, the frame's empty pages 0.9 s, the pypdf join 0.2 s; the forms' own PDFs 27.6 s. In CPU
# seconds of the whole build (`python -m bench.targets --only bundles`, medians of three, a loaded machine)
# bundles added about 1 % at one worker and 16 % at two. The wall-clock extra at two workers is mostly
# waiting: a bundle's forms are laid out in the process that composes their part, and five one-part bundles
# are five chunks for two processes, the fifth running alone. Spreading them would need smaller parts, which
# changes the bytes (fonts are embedded once per part), or pages passed between processes (not picklable).


@dataclass(frozen=True)
class Bundle:
    """A bundle (or volume) to write."""

    path: str
    rows: list[render_html.ListRow]
    key: str


@dataclass(frozen=True)
class Part:
    """What the PDF stage made of one part of a bundle (or found in the cache)."""

    bundle: str
    file: str | None
    """The part's file in the cache, if it was composed (or found there); None if one of its forms failed."""
    key: str | None
    sha256: str | None
    """The hash of the part's bytes, recorded in the cache for the next build to verify."""
    front: render_pdf.Front | None
    """Where the part holds the bundle's cover (and contents)."""
    pages: dict[str, int]
    """Page count by form key, of the part's forms."""
    contents_pages: int = 0
    """From the cover's part of a bundle of several parts: the pages of the contents."""
    failed: tuple[str, ...] = ()
    """The form files whose PDF could not be made."""
    fits: dict[str, render_pdf.Fit] = field(default_factory=dict)
    """How each of its forms (by key) was fitted to its pages, for the next build to lay them out once."""


def bundle_groups(rows: list[render_html.ListRow]) -> list[tuple[str, list[render_html.ListRow]]]:
    """(path, forms) of every bundle or volume, from the rows' own bundle (render_html.with_bundles)."""
    groups: dict[str, list[render_html.ListRow]] = {}
    for row in rows:
        if row.bundle is not None:
            groups.setdefault(row.bundle, []).append(row)
    return sorted(groups.items())


def split(count: int) -> list[range]:
    """A bundle's forms in parts (see PART_FORMS)."""
    parts = max(1, count // PART_FORMS)
    size = -(-count // parts)
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def starts(bundle: Bundle, counts: list[int], front_pages: int) -> dict[str, int]:
    """Each form's first page in the bundle, from page counts in the bundle's order."""
    found, number = {}, front_pages
    for row, count in zip(bundle.rows, counts, strict=True):
        found[row.slug] = number + 1
        number += count
    return found


class BundleFront:
    """The cover and contents of a bundle, as HTML."""

    def __init__(self, plan: Plan) -> None:
        assert plan.pdf_environment is not None
        self.plan, self.fonts = plan, plan.pdf_environment.fonts

    def html(self, bundle: str, rows: list[render_html.ListRow], starts: dict[str, int] | None,
             sheets: dict[str, str] | None = None, part: str | None = None, first_page: int = 0) -> str:
        """A bundle's cover and contents (`part`: "cover" or "contents" alone): with the forms' first
        pages (`starts`; None: placeholders of the same width, to learn how many pages the front takes),
        or with the forms (`sheets`)."""
        first = rows[0]
        numbers = {row.slug: str(starts[row.slug]) if starts else "0000" for row in rows} if sheets is None else None
        page = render_html.Page(bundle, "bundle.html", {
            "rows": rows, "year": first.year, "unit": first.unit, "volume": first.volume, "part": part,
            "first_page": first_page,
            "summary": summarize(rows, self.plan.config.scheme), "fonts": self.fonts, "starts": numbers,
            "sheets": {slug: Markup(sheet) for slug, sheet in sheets.items()} if sheets is not None else None,
            "created": max(row.filled_on or f"{row.year}-12-31" for row in rows)})
        return render_html.render(self.plan.env, page, self.plan.config)


def my_share(shard: tuple[int, int], bundles: list[Bundle], forms: list[str],
             composed: set[str]) -> tuple[list[Bundle], set[str]]:
    """This shard's bundles and forms (--shard I/N), given the forms of composed bundles (`composed`), which
    go with their bundle: the largest first, each to the shard with the fewest forms so far. The same for
    every shard: no two make the same PDF, and together they make all."""
    index, count = shard
    load, owner = [0] * count, {}

    def place(name: str, weight: int) -> None:
        chosen = min(range(count), key=lambda number: (load[number], number))
        owner[name], load[chosen] = chosen, load[chosen] + weight

    for bundle in sorted(bundles, key=lambda bundle: (-len(bundle.rows), bundle.path)):
        place(bundle.path, len(bundle.rows))
        for row in bundle.rows if bundle.rows[0].slug in composed else []:
            owner[row.slug] = owner[bundle.path]
    for slug in forms:
        if slug not in composed:
            place(slug, 1)
    return ([bundle for bundle in bundles if owner[bundle.path] == index - 1],
            {slug for slug in forms if owner[slug] == index - 1})


def check_merged(previous: Previous, wanted: list[tuple[str, str]]) -> None:
    """--merge: every PDF (path, key) must come from a shard's output, made from the same inputs, and be intact
    there (a regular PDF file reached through no link, with the hash its shard recorded)."""
    missing, damaged = [], []
    for path, key in wanted:
        recorded = previous.records.get(path)
        if recorded is None or recorded[0][0] != key:
            missing.append(path)
        elif previous.unchanged(path, key) is None:
            damaged.append(f"{recorded[1] / path}")

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


def _write_bundle(plan: Plan, front: BundleFront, previous: Previous, writer: Writer, bundle: Bundle,
                 parts: list[Part], form_keys: dict[str, str], sheets: dict[str, str]) -> bool:
    """Write one bundle: link it if unchanged, else join its parts (or, with an archival variant, lay it out
    again as one document). Whether it was unchanged."""
    unchanged = previous.unchanged(bundle.path, bundle.key)
    identifier = bytes.fromhex(bundle.key)[:16]
    if unchanged is not None:
        writer.write(bundle.path, unchanged, bundle.key)
        return True
    assert plan.pdf_environment is not None
    roots = plan.roots
    if plan.config.pdf.variant:
        html = front.html(bundle.path, bundle.rows, None, {row.slug: sheets[row.slug] for row in bundle.rows})
        writer.write(bundle.path, render_pdf.render_pdf(html, roots[0], roots, plan.pdf_environment,
                                                        variant=plan.config.pdf.variant, identifier=identifier),
                     bundle.key)
        return False
    if not parts or any(part.file is None for part in parts):
        failed = ", ".join(source for part in parts for source in part.failed)
        raise RuntimeError(_("not made, since the PDF of {forms} could not be made (see above): a bundle of "
                             "record holds every one of its forms").format(forms=failed or _("one of its forms")))
    counts = {key: count for part in parts for key, count in part.pages.items()}
    documents = [Path(part.file).read_bytes() for part in parts if part.file]
    fronts: list[tuple[int, render_pdf.Front]] = []  # (first page index, front) of cover and contents
    form_counts = [counts[form_keys[row.pdf or ""]] for row in bundle.rows]
    if parts[0].front is not None and not parts[0].pages:  # a bundle of several parts: its cover first
        cover = parts[0].front
        first = starts(bundle, form_counts, cover.pages + parts[0].contents_pages)
        contents, made = render_pdf.compose_pdf([], "", roots[0], roots, identifier=identifier,
                                                front_html=front.html(bundle.path, bundle.rows, first,
                                                                      part="contents", first_page=cover.pages + 1))
        assert made is not None
        if made.pages != parts[0].contents_pages:
            raise RuntimeError(f"the contents took {made.pages} pages with page numbers, "
                               f"{parts[0].contents_pages} with placeholders")
        documents.insert(1, contents)
        fronts = [(0, cover), (cover.pages, made)]
    else:  # one part: its cover and contents come first in it
        assert parts[0].front is not None
        first = starts(bundle, form_counts, parts[0].front.pages)
        fronts = [(0, parts[0].front)]
    outline = [(label, page + index) for page, made in fronts for label, index in made.outline]
    outline += [(row.display_title, first[row.slug] - 1) for row in bundle.rows]
    links = [(page + index, rectangle, first[anchor.removeprefix("form-")] - 1)
             for page, made in fronts for index, rectangle, anchor in made.links
             if anchor.removeprefix("form-") in first]
    writer.write(bundle.path, render_pdf.join_pdfs(documents, outline, links, lang="zh-CN", identifier=identifier),
                 bundle.key)
    return False


def write_bundles(plan: Plan, front: BundleFront, previous: Previous, staging: Path, bundles: list[Bundle], work: bool,
                  parts: list[Part], form_keys: dict[str, str], sheets: dict[str, str]) -> list[PartResult]:
    """The bundles stage: every bundle written (`_write_bundle`) over the build's jobs, from the `parts` the
    PDF stage made; one result each, a bundle that could not be made reported with why. Without `work` (every
    bundle unchanged: each is linked) in this process."""
    by_bundle: dict[str, list[Part]] = {}
    for part in parts:
        by_bundle.setdefault(part.bundle, []).append(part)

    def write(bundle: Bundle) -> PartResult:
        writer = Writer(staging)
        try:
            with plan.pdf_time_limit(len(bundle.rows)):
                reused = _write_bundle(plan, front, previous, writer, bundle, by_bundle.get(bundle.path, []),
                                       form_keys, sheets)
            return PartResult(files=1, pdfs=1, reused=int(reused), bundle=True, records=writer.records)
        except (Exception, OutOfTime) as error:  # reported with the forms' failures; the other bundles go on
            error = plan.pdf_timeout(len(bundle.rows)) if isinstance(error, OutOfTime) else error
            return PartResult(failures=[(bundle.path, f"{type(error).__name__}: {error}")], bundle=True)

    return pool_map(write, bundles, plan.jobs if work else 1)
