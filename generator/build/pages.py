"""The third stage: write the pages. `render_part` renders the form pages and open data of one part of
the site where its forms were read (a worker process, for a large site) and returns, for each form that
gets a PDF, what the PDF stage makes it from; `write_lists` writes the list pages, the site's data
files and assets. A page whose key (`state`) is the one recorded by the previous build is linked from
the previous output instead of rendered again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import state
from ..output import MARKER, Record, Writer
from ..pipeline import Entry
from ..render import data as render_data
from ..render import html as render_html
from . import pdfs
from .check import FormContext, FormDigest, SiteIndex
from .plan import Plan
from .results import PartResult

__all__ = ["ASSETS", "PageKeys", "PagesPart", "render_part", "write_lists"]

ASSETS = ("formgen.css", "sheet.css", "formgen.js", "favicon.svg")


@dataclass(frozen=True)
class PageKeys:
    """What every page's key holds besides its own inputs, and the pages the previous build recorded."""

    inputs: str
    """formgen's code and libraries, the settings, the build's options."""
    previous: dict[str, Record]
    pdf_keys: dict[str, str] = field(default_factory=dict)
    """The PDF keys the previous build found, by the hash of their HTML's inputs (`pdfs.pdf_form`)."""

    @classmethod
    def of(cls, plan: Plan, previous: dict[str, Record], pdf_keys: dict[str, str]) -> PageKeys:
        return cls(state.digest(state.code_fingerprint(), plan.config.model_dump_json(),
                                f"review={plan.review} pdf={plan.pdf}"), previous, pdf_keys)


@dataclass
class PagesPart:
    """What one part of the site's pages stage made: its counts, and its forms that get a PDF."""

    result: PartResult
    pdf_forms: list[pdfs.PdfForm] = field(default_factory=list)


def render_part(plan: Plan, staging: Path, keys: PageKeys, entries: list[Entry], digests: list[FormDigest],
                contexts: list[FormContext]) -> PagesPart:
    """A part's own forms: their pages and their JSON, and for each PDF the checked snapshot, its HTML's key
    and (archival bundles) its sheet. The PDFs themselves are made afterwards, in the order of the bundles."""
    writer = Writer(staging, plan.out, keys.previous)
    form_template = state.template_fingerprint(plan.env, "form.html")
    pdf_forms = []
    profile_texts: dict[int, str] = {}  # a site has a profile or two: each serialised once for the keys
    for entry, digest, context in zip(entries, digests, contexts, strict=True):
        if entry.scored is None:
            continue
        entry.findings.extend(context.findings)
        view = render_html.form_view(entry, context.display_title, plan.config, context.previous, context.next,
                                     pdf=plan.pdf, unit_slug=context.unit_slug)
        profile_text = profile_texts.get(id(entry.profile))
        if profile_text is None:
            profile_text = profile_texts[id(entry.profile)] = state.stable(entry.profile)
        page_key = state.digest(keys.inputs, form_template, entry.document.sha256, profile_text, state.stable(context))
        if not writer.reuse(view.page, page_key):
            writer.write(view.page, render_html.render(plan.env, render_html.form_page(view, plan.review), plan.config),
                         page_key)
        assert digest.record is not None
        digest.record["findings"] += [finding.as_dict() for finding in context.findings]
        writer.write(view.json, render_data.as_json(digest.record))
        if plan.pdf and view.pdf is not None:
            pdf_forms.append(pdfs.pdf_form(plan, entry, view, page_key, keys.pdf_keys))
    return PagesPart(PartResult(forms=len(entries), files=writer.count, pages=writer.records,
                                pages_reused=writer.reused), pdf_forms)


def write_lists(plan: Plan, staging: Path, keys: PageKeys, index: SiteIndex) -> tuple[PartResult, int]:
    """The list pages, the open data, the assets and the marker of a formgen output: (what was written,
    how many pages the site has)."""
    writer = Writer(staging, plan.out, keys.previous)
    list_pages = list(render_html.list_pages(index.rows, plan.config))
    for page in list_pages:
        page_key = state.digest(keys.inputs, state.template_fingerprint(plan.env, page.template),
                                state.stable(page.context))
        if not writer.reuse(page.path, page_key):
            writer.write(page.path, render_html.render(plan.env, page, plan.config), page_key)
    page_paths = [row.page for row in index.rows] + [page.path for page in list_pages]
    for relative, text in render_data.data_files(plan.config, index.records, page_paths):
        writer.write(relative, text)
    for asset in ASSETS:
        source, _, _ = plan.env.loader.get_source(plan.env, asset)  # type: ignore[union-attr]
        writer.write(f"assets/{asset}", source)
    writer.write(MARKER, "This folder is written by formgen build and replaced as a whole.\n")
    return PartResult(files=writer.count, pages=writer.records, pages_reused=writer.reused), len(page_paths)
