"""formgen import FILE… [--out DIR] [--force]: published forms (PDF, or text extracted from one) → form files.

Exit codes: 0 every form found was written complete; 1 a file could not be read or held no form, or a
form lacks required values (it is still written, with placeholders); 2 usage error, such as a file to
write that exists already (nothing is written then).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from ..config import load_config
from ..errors import UsageError
from ..i18n import N_
from ..importing import Planned, Source, escape_through_link, plan, read_source, write_planned
from ..importing.characters import printable
from ..importing.draft import Note
from ..importing.labels import LabelTable
from ..importing.limits import DEFAULT_LIMITS
from .common import folder_to_write, locate_site

Number = TypeVar("Number", int, float)

HELP = N_("read published forms (a PDF, or text extracted from one) and write one form file per form")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="published forms: PDF files, or UTF-8 text extracted from them")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="the folder to write into (default: content/<year>/ of each form)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist already")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="formgen.toml whose scheme names the 一级/二级指标 (default: the nearest one)")
    parser.add_argument("--profile", metavar="NAME",
                        help="the profile (表样) of the published forms: their labels, funding rows, columns, "
                             "fields and money unit (formgen profiles lists them; default: formgen.toml's [site] "
                             "profile); the files written name it unless it is the site's")
    parser.add_argument("--max-pages", type=_positive(int), metavar="N", default=DEFAULT_LIMITS.max_pages,
                        help=f"read no PDF of more than N pages (default: {DEFAULT_LIMITS.max_pages})")
    parser.add_argument("--time-limit", type=_positive(float), metavar="SECONDS", default=DEFAULT_LIMITS.seconds,
                        help=f"give up on a file that takes longer (default: {DEFAULT_LIMITS.seconds:g})")


def _positive(kind: Callable[[str], Number]) -> Callable[[str], Number]:
    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}” is not a number") from None
        if not 0 < value < math.inf:
            raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
        return value

    return parse


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _note(note: Note) -> str:
    level = "error" if note.error else "warning"
    return f"{note.where}: {level}: {note.message} [{note.code}]"


def _report(sources: list[Source], planned: list[Planned]) -> tuple[int, int]:
    errors = warnings = 0
    by_draft = {id(item.draft): item for item in planned}
    for source in sources:
        for note in source.notes:
            print(_note(note))
            errors += note.error
            warnings += not note.error
        for draft in source.drafts:
            item = by_draft[id(draft)]
            rows = len(draft.values.get("indicators", []))
            state = "complete" if not draft.missing() else "incomplete"
            print(f"{draft.where}: form {draft.number} “{draft.title or '?'}” → {printable(item.path.as_posix())} "
                  f"({rows} indicators, {state}, {_count(len(draft.notes), 'note')})")
            for note in draft.notes:
                print(f"  {_note(note)}")
                errors += note.error
                warnings += not note.error
    return errors, warnings


def run(args: argparse.Namespace) -> int:
    located = locate_site(args)
    site = located.root  # what no link may lead out of
    for path in args.files:
        if not path.is_file():
            raise UsageError(f"{printable(str(path))}: no such file")
        real = escape_through_link(path, site)
        if real is not None:
            raise UsageError(f"{printable(str(path))} is a link out of the site (to {printable(str(real))}) — "
                             "nothing was read: formgen reads no file outside the site through a link; name the "
                             "file itself if you mean it")
    if args.out is not None:
        folder_to_write(args.out, "--out")
    config = load_config(located.config)
    try:
        profile = config.profile_for(args.profile)
    except KeyError:
        raise UsageError(f"--profile {args.profile}: not a profile; write one of "
                         f"{', '.join(config.profile_names())} (docs/profiles.md)") from None
    limits = replace(DEFAULT_LIMITS, max_pages=args.max_pages, seconds=args.time_limit)
    table = LabelTable.of(profile)
    sources = [read_source(path, profile.scheme, table, limits=limits) for path in args.files]
    if profile.name != config.site.profile:  # else check would read the files as forms of the site's profile
        for draft in (draft for source in sources for draft in source.drafts):
            draft.values["profile"] = profile.name
    planned = plan(sources, args.out, located.content)
    write_planned(planned, args.force, site)
    errors, warnings = _report(sources, planned)
    forms = len(planned)
    folders = sorted({printable(item.path.parent.as_posix()) for item in planned})
    verdict = "failed" if errors or not forms else "ok"
    print(f"{_count(forms, 'form')} imported from {_count(len(sources), 'file')}: {_count(errors, 'error')}, "
          f"{_count(warnings, 'warning')} — {verdict}")
    if forms:
        print(f"next: formgen check {' '.join(folders)}   (stated figures are compared with formgen's; "
              "see docs/import.md)")
    return 1 if errors or not forms else 0
