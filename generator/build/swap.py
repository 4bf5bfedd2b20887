"""The last stage: publish the staging folder in place of the output (`output.Staging`: one rename, so a
reader sees the old site or the new, never a mix), then keep what the next build reuses — the key and
hash of every page and PDF — in the cache folder, never in the published output. A `--shard` build also
leaves its PDFs' manifest in its output, for `--merge` to check (a shard's output is a part to merge,
not a site to publish)."""

from __future__ import annotations

from .. import state
from ..output import Record, Staging, Writer
from .plan import SHARD_MANIFEST, Plan
from .reuse import Cache

__all__ = ["publish"]


def publish(plan: Plan, staging: Staging, cache: Cache, pages: dict[str, Record],
            pdfs: dict[str, Record] | None, pdf_keys: dict[str, str]) -> None:
    """Swap the staging folder in, then record its pages (and PDFs, and the PDFs' keys by their HTML's
    inputs) for the next build."""
    if plan.shard is not None and pdfs is not None:
        Writer(staging.folder).write(SHARD_MANIFEST, state.records_json(pdfs))
    staging.publish()
    cache.keep_records(state.PAGES_FILE, pages)
    if pdfs is not None:
        cache.keep_records(state.PDFS_FILE, pdfs)
        cache.keep_pdf_keys(pdf_keys)
