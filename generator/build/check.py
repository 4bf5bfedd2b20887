"""The second stage: read and check every form, then what only the whole site knows.

`read_part` reads, validates, scores and checks the forms of one part of the site (in a worker process
for a large site), keeping each form's model where it was read; only a small `FormDigest` per form
travels on. `decide` takes every digest: the cross-form findings, the build's verdict (any error stops
it here, before anything is written), and each form's place in the site — its title in the lists,
its neighbours, its unit's page and bundle — as one `SiteIndex`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import slugs
from ..feed import form_record
from ..findings import Finding
from ..pipeline import Entry, FormKeys, cross_form_findings, form_keys, load_entry
from ..render import html as render_html
from .plan import Plan
from .results import BuildFailed

__all__ = ["ARCHIVAL_VOLUME_FORMS", "FormContext", "FormDigest", "SiteIndex", "decide", "read_part"]

ARCHIVAL_VOLUME_FORMS = 100
"""Volumes of bundles with an archival variant, unless `[pdf] bundle_max_forms` says otherwise: such a
bundle is laid out as one document, which held about 12 MiB per form in the benchmark."""


@dataclass(frozen=True)
class FormDigest:
    """What the site needs to know of one checked form, from wherever it was read."""

    keys: FormKeys
    findings: list[Finding]
    record: dict[str, Any] | None
    """Its record of the feed (open data); None where it could not be scored."""


@dataclass(frozen=True)
class FormContext:
    """What only the whole site knows about one form: its title in lists, its neighbours, more findings."""

    display_title: str
    previous: render_html.Link | None
    next: render_html.Link | None
    findings: list[Finding]
    unit_slug: str | None = None
    """Its unit's slug: unique among the site's units, so another unit's name may change it."""


@dataclass(frozen=True)
class SiteIndex:
    """The checked site as the lists, the open data and the PDFs see it."""

    contexts: list[list[FormContext]]
    """Per part of the site, per form of the part."""
    rows: list[render_html.ListRow]
    """One per scored form, in file order."""
    records: list[dict[str, Any]]
    """The feed's records, with the cross-form findings."""
    warnings: int
    sources: dict[str, Path]
    """Form file by slug."""


def read_part(plan: Plan, part: list[Path]) -> tuple[list[Entry], list[FormDigest]]:
    """Read, validate, score and check the forms of one part: (their entries, kept where they were read;
    their digests, which travel)."""
    minimum = plan.config.checks.copied_text_min_chars
    entries = [load_entry(path, plan.config, plan.root) for path in part]
    return entries, [FormDigest(form_keys(entry, minimum), entry.findings,
                                form_record(entry) if entry.scored else None) for entry in entries]


def decide(plan: Plan, parts: list[list[FormDigest]]) -> SiteIndex:
    """The cross-form findings and the verdict (raises BuildFailed, which carries every finding), then
    each form's place in the site."""
    digests = [digest for part in parts for digest in part]
    extra = cross_form_findings([digest.keys for digest in digests])
    findings = sorted(f for digest, more in zip(digests, extra, strict=True) for f in digest.findings + more)
    if any(f.level.fails(plan.strict) for f in findings):
        raise BuildFailed(findings, len(digests), plan.strict)
    # Copies: in one process the pages stage shares these dicts and adds the same findings to its own.
    records = [{**digest.record, "findings": digest.record["findings"] + [f.as_dict() for f in more]}
               for digest, more in zip(digests, extra, strict=True) if digest.record is not None]
    titles = render_html.display_titles([(r["slug"], r["title"], Decimal(r["funds"]["total"]["budget"]))
                                         for r in records])
    units = slugs.unit_slugs(record["unit"] for record in records)
    unit_of = {record["slug"]: units[record["unit"]] for record in records}
    rows = [render_html.list_row(record, titles[record["slug"]], units[record["unit"]], plan.pdf)
            for record in records]
    if plan.pdf and plan.config.pdf.bundles:
        rows = render_html.with_bundles(rows, plan.config.pdf.bundle_max_forms or (
            ARCHIVAL_VOLUME_FORMS if plan.config.pdf.variant else None))
    neighbours = render_html.links(rows)
    contexts = iter([FormContext(titles[d.keys.slug], *neighbours[d.keys.slug], more, unit_of.get(d.keys.slug))
                     for d, more in zip(digests, extra, strict=True)])
    return SiteIndex([list(itertools.islice(contexts, len(part))) for part in parts], rows, records, len(findings),
                     {digest.keys.slug: file for digest, file in zip(digests, plan.files, strict=True)})
