"""Published forms → form files: `formgen import` (docs/import.md).

A source is text extracted from a published PDF (`text.py`) or the PDF itself (`pdf.py`); either may
hold many forms. Each form becomes a `Draft` — its values as text, its 自评结论 as Markdown, and a note
for whatever could not be placed — and is written by `authoring.form_text`, the writer `formgen new`
uses, so an imported file looks like any other: every key, its label beside it, a placeholder for a
required value the source did not have.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..authoring import default_year, form_text, write_form
from ..config import Scheme
from ..errors import UsageError
from ..reading import ReadError, read_text
from .draft import Draft, Location, Note
from .labels import LABELS, LabelTable

__all__ = ["Draft", "Note", "Planned", "Source", "import_slug", "plan", "read_source", "write_planned"]

_SLUG_LENGTH = 60  # characters of pinyin at most, before the year: long titles make unwieldy file names


@dataclass
class Source:
    """One file given to `formgen import`, and the forms found in it."""

    path: Path
    display: str
    drafts: list[Draft] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    """What concerns the whole file: it cannot be read, it holds no form, text before the first form."""


def _display(path: Path) -> str:
    """The path as the report prints it: relative to the working folder when it lies below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _is_pdf(raw: bytes) -> bool:
    # The header may follow some junk, which readers tolerate within the first kilobyte.
    return b"%PDF-" in raw[:1024]


def read_source(path: Path, scheme: Scheme, labels: Mapping[str, str] = LABELS) -> Source:
    """The forms in one file: a PDF, or text extracted from one (UTF-8)."""
    source = Source(path, _display(path))
    table = LabelTable(labels)
    try:
        raw = path.read_bytes()
    except OSError as error:
        source.notes.append(Note(Location(source.display), "import-unreadable", True,
                                 f"cannot read the file ({error.strerror})"))
        return source
    try:
        if _is_pdf(raw):
            from .pdf import read_pdf_forms  # pdfplumber is loaded only for PDFs

            source.drafts, source.notes = read_pdf_forms(path, source.display, scheme, table)
        else:
            from .text import read_text_forms

            source.drafts, source.notes = read_text_forms(read_text(raw), source.display, scheme, table)
    except ReadError as error:
        source.notes.append(Note(Location(source.display, error.line), "import-unreadable", True,
                                 f"{error.message} — {error.fix}"))
    except Exception as error:  # a malformed PDF can fail anywhere in pdfminer: a report, never a traceback
        source.notes.append(Note(Location(source.display), "import-unreadable", True,
                                 f"formgen failed on this file ({type(error).__name__}: {error}) — please report "
                                 "it with the file attached"))
    return source


def _syllables(title: str) -> list[str]:
    """The title as ASCII words: pinyin a syllable a word (电力 → dian, li), letters and digits as written."""
    from pypinyin import lazy_pinyin  # its dictionaries take a moment to load: only import needs them

    text = "-".join(lazy_pinyin(unicodedata.normalize("NFKC", title))).lower()
    return [word for word in re.split(r"[^a-z0-9]+", text) if word]


def _fitting(words: list[str]) -> int:
    """How many words fit in a slug of `_SLUG_LENGTH` characters (at least one)."""
    length = 0
    for count, word in enumerate(words, start=1):
        length += len(word) + (count > 1)
        if length > _SLUG_LENGTH:
            return max(1, count - 1)
    return len(words)


def import_slug(title: str, year: str, others: tuple[str, ...] = ()) -> str:
    """A readable ASCII slug: the title in pinyin, a syllable a word, cut after about 60 characters but
    never before it differs from the other titles given, then the year (slugs are unique across years,
    and a project comes back every year): 电力系统维修改造专项资金 →
    ``dian-li-xi-tong-wei-xiu-gai-zao-zhuan-xiang-zi-jin-2024``."""
    words = _syllables(title)
    keep = _fitting(words)
    for other in others:
        theirs = _syllables(other)
        if theirs == words:
            continue
        common = next((index for index, (mine, their) in enumerate(zip(words, theirs, strict=False))
                       if mine != their), min(len(words), len(theirs)))
        keep = max(keep, min(common + 3, len(words)))  # a word or so past where the titles part
    slug = "-".join(words[:keep])
    return f"{slug}-{year}" if slug else f"form-{year}"


@dataclass(frozen=True)
class Planned:
    """A draft and the file it is written to."""

    draft: Draft
    source: Source
    path: Path


def plan(sources: list[Source], out: Path | None, content: Path) -> list[Planned]:
    """Where each form goes: `out`, or content/<year>/; slugs made unique within the import."""
    planned: list[Planned] = []
    taken: set[Path] = set()
    titles = tuple(dict.fromkeys(draft.title for source in sources for draft in source.drafts))
    for source in sources:
        for draft in source.drafts:
            year = str(draft.values.get("year") or default_year())
            folder = out if out is not None else content / year
            slug = import_slug(draft.title, year, titles)
            path = folder / f"{slug}.md"
            number = 2
            while path in taken:  # two forms of one name (the reference has three such pairs): …-2-2024
                path = folder / f"{slug.removesuffix(f'-{year}')}-{number}-{year}.md"
                number += 1
            taken.add(path)
            planned.append(Planned(draft, source, path))
    return planned


def write_planned(planned: list[Planned], force: bool) -> None:
    """Write every planned file; without `force`, none at all if any exists already."""
    existing = [item.path for item in planned if item.path.exists()]
    if existing and not force:
        names = ", ".join(path.as_posix() for path in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise UsageError(f"{len(existing)} of the files to write exist already: {names} — nothing was written; "
                         "add --force to overwrite them, or import into another folder with --out")
    for item in planned:
        write_form(item.path, form_text(item.draft.values, item.draft.body, _header(item)), force=force)


def _header(item: Planned) -> list[str]:
    where = item.draft.where
    lines = [f"formgen import 导入自 {where}（第 {item.draft.number} 张表）。Imported from {where} "
             f"(form {item.draft.number}); check it against the source."]
    if item.draft.missing():
        lines.append("来源中缺少的内容写作“【待填写】”，formgen check 逐项列出。"
                     "Values the source lacked are placeholders.")
    return lines
