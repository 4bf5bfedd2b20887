"""What a build takes from the one before: files of the previous output whose key is unchanged, and the
cache folder's parts of bundles and page counts. Everything is verified before it is used (a regular
file reached through no link, hashing to what was recorded); anything else is made again."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from pathlib import Path

from .. import state
from ..i18n import _
from ..output import Record, Reusable, cache_folder, remove_unless, reusable, write_atomically
from ..render import pdf as render_pdf
from .plan import SHARD_MANIFEST, Plan

__all__ = ["CACHE_MANIFEST", "Cache", "Previous"]

CACHE_MANIFEST = "cache.json"
"""In the cache folder: the page count of each form PDF key, so that unchanged parts of bundles are
reused without laying their forms out, the hash of each part kept, verified before it is used, and how
each form was fitted to its pages, so that a part made again lays its unchanged forms out once each."""


class Previous:
    """The PDFs a previous build recorded (merging: the shards'), each with the folder that holds it."""

    def __init__(self, records: dict[str, tuple[Record, Path]], merging: bool) -> None:
        self.records, self.merging = records, merging
        self._verified: dict[str, Reusable | None] = {}

    @classmethod
    def recorded(cls, plan: Plan, cache: Cache) -> Previous:
        """The PDFs the previous build of `plan`'s output recorded in `cache` (merging: those the shards made
        and recorded in their outputs), each with the folder that holds it."""
        if plan.merge is None:
            return cls({path: (record, plan.out) for path, record in cache.records(state.PDFS_FILE).items()},
                       merging=False)
        found: dict[str, tuple[Record, Path]] = {}
        for folder in plan.merge:
            found.update((path, (record, folder))
                         for path, record in state.read_records(folder / SHARD_MANIFEST).items())
        return cls(found, merging=True)

    def unchanged(self, path: str, key: str) -> Reusable | None:
        """The previous output's file (merging: a shard's), where its key is the same and the file is intact
        (a regular file reached through no link, with the hash recorded when it was written)."""
        previous = self.records.get(path)
        if previous is None or previous[0][0] != key:
            return None
        if path not in self._verified:
            (_, sha256), folder = previous
            found = reusable(folder, path, sha256, link=not self.merging)
            if found is not None and self.merging and not render_pdf.is_pdf(found.path):
                found = None
            self._verified[path] = found
        return self._verified[path]


class Cache:
    """The build's cache folder: the records of the pages and PDFs it wrote, the parts of bundles, and the
    page count of every form PDF. Made of real folders (a link planted there goes) before any worker forks."""

    def __init__(self, base: Path, names: tuple[str, ...]) -> None:
        self.folder, self.notes = cache_folder(base, *names)
        self.parts, more = cache_folder(self.folder, "parts")
        self.notes += more
        self.page_counts: dict[str, int] = {}
        self.part_hashes: dict[str, str] = {}
        """Part key → the hash of its bytes when it was made: a part is used only if it still hashes so."""
        self.fits: dict[str, render_pdf.Fit] = {}
        """Form key → how it was fitted to its pages (`render_pdf.fit_form`)."""
        try:
            manifest = self.folder / CACHE_MANIFEST
            recorded = json.loads(manifest.read_text(encoding="utf-8")) if not manifest.is_symlink() else {}
            self.page_counts = {key: count for key, count in recorded["pages"].items()
                                if isinstance(count, int) and 0 < count < 10_000}
            self.part_hashes = {key: sha for key, sha in recorded["parts"].items() if isinstance(sha, str)}
            self.fits = {key: fit for key, value in recorded.get("fits", {}).items()
                         if (fit := render_pdf.Fit.from_json(value)) is not None}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            pass  # no cache yet, or not ours: every part is made

    def fingerprinted(self, plan: Plan) -> Plan:
        """`plan` with its PDF environment's fingerprint, the font files' hashes kept here (each file read
        again only when its status changed: `state.FileDigests`)."""
        if plan.pdf_environment is None:
            return plan
        digests = state.FileDigests(self.folder / state.FONTS_FILE)
        plan = dataclasses.replace(plan, pdf_environment=plan.pdf_environment.fingerprinted(digests.digest))
        if digests.changed:
            write_atomically(self.folder / state.FONTS_FILE, digests.json())
        return plan

    def records(self, name: str) -> dict[str, Record]:
        """What the previous build recorded in `name` (state.PAGES_FILE, state.PDFS_FILE)."""
        return state.read_records(self.folder / name)

    def keep_records(self, name: str, records: dict[str, Record]) -> None:
        write_atomically(self.folder / name, state.records_json(records).encode("utf-8"))

    def pdf_keys(self) -> dict[str, str]:
        """The PDF keys the previous build found, by their HTML's inputs (`pdfs.pdf_form`); none if the file is
        missing or not ours (every PDF's HTML is then rendered to find its key)."""
        path = self.folder / state.PDF_KEYS_FILE
        try:
            recorded = json.loads(path.read_text(encoding="utf-8")) if not path.is_symlink() else {}
        except (OSError, ValueError):
            return {}
        if not isinstance(recorded, dict):
            return {}
        return {inputs: key for inputs, key in recorded.items() if isinstance(key, str)}

    def keep_pdf_keys(self, keys: dict[str, str]) -> None:
        write_atomically(self.folder / state.PDF_KEYS_FILE,
                         (json.dumps(dict(sorted(keys.items())), indent=0) + "\n").encode("utf-8"))

    def to_parts(self, data: bytes, key: str | None = None) -> tuple[str, str]:
        """Keep a composed part in the parts folder (whole or not at all: later builds read it): (its file,
        the hash of its bytes)."""
        path = self.parts / f"{key or state.digest(data)}.pdf"
        write_atomically(path, data)
        return str(path), hashlib.sha256(data).hexdigest()

    def cached_part(self, key: str, bundle: str, notes: list[str]) -> Reusable | None:
        """The part kept for `key`, if it is still what was written; a damaged one is removed (noted)."""
        recorded = self.part_hashes.get(key)
        cached = reusable(self.parts, f"{key}.pdf", recorded)
        if cached is None and recorded is not None:  # kept by an earlier build, but no longer what it wrote
            with contextlib.suppress(OSError):
                (self.parts / f"{key}.pdf").unlink()
            notes.append(_("{part}: a part of {bundle} in the cache was damaged or missing; it was made "
                           "again").format(part=f"{self.parts / key}.pdf", bundle=bundle))
        return cached

    def keep_parts(self, counts: dict[str, int], kept: dict[str, str], fits: dict[str, render_pdf.Fit],
                   current: set[str]) -> None:
        """Keep the page counts, fits and parts of this build for the next, with each part's hash; drop the parts
        no build uses now (files and links in the cache's own parts folder; nothing is followed). The counts
        and fits of the `current` form keys whose bundle was not made again are kept as they were: a later
        change to such a bundle needs them."""
        if not counts:
            return
        counts = {**{key: count for key, count in self.page_counts.items() if key in current}, **counts}
        fits = {**{key: fit for key, fit in self.fits.items() if key in current}, **fits}
        remove_unless(self.parts, {f"{key}.pdf" for key in kept}, ".pdf")
        write_atomically(self.folder / CACHE_MANIFEST, json.dumps(
            {"pages": dict(sorted(counts.items())), "parts": dict(sorted(kept.items())),
             "fits": {key: fits[key].as_json() for key in sorted(fits)}}, indent=0).encode())
