"""formgen import FILE… [--out DIR] [--force]: forms (PDF, .xlsx, .xls, .docx, text from a PDF) → form files.

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

from ..config import SiteConfig, load_config
from ..errors import UsageError
from ..extras import require
from ..findings import Finding, Level
from ..i18n import N_, _, ngettext
from ..importing import Planned, Source, escape_through_link, plan, read_source, write_planned
from ..importing.characters import printable
from ..importing.detect import read_detected
from ..importing.draft import Location, note
from ..importing.labels import STRONG_MATCH, Detection, LabelTable
from ..importing.limits import DEFAULT_LIMITS
from ..profile import Profile
from .common import folder_to_write, locate_site

Number = TypeVar("Number", int, float)

HELP = N_("read forms from PDF, Excel, Word or text extracted from a PDF, and write one form file per form")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help=_("forms: PDF, Excel (.xlsx, .xls) or Word (.docx) files, or UTF-8 text extracted from "
                               "a PDF"))
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help=_("the folder to write into (default: content/<year>/ of each form)"))
    parser.add_argument("--force", action="store_true", help=_("overwrite files that exist already"))
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=_("formgen.toml whose scheme names the 一级/二级指标 (default: the nearest one)"))
    parser.add_argument("--profile", metavar="NAME",
                        help=_("the profile (表样) of the published forms: their labels, funding rows, columns, "
                               "fields and money unit (formgen profiles lists them; default: the profile whose labels "
                               "each file prints, else formgen.toml's [site] profile); the files written name it "
                               "unless it is the site's"))
    parser.add_argument("--max-pages", type=_positive(int), metavar="N", default=DEFAULT_LIMITS.max_pages,
                        help=_("read no PDF of more than N pages (default: {pages})").format(
                            pages=DEFAULT_LIMITS.max_pages))
    parser.add_argument("--time-limit", type=_positive(float), metavar="SECONDS", default=DEFAULT_LIMITS.seconds,
                        help=_("give up on a file that takes longer (default: {seconds})").format(
                            seconds=f"{DEFAULT_LIMITS.seconds:g}"))


def _positive(kind: Callable[[str], Number]) -> Callable[[str], Number]:
    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("“{text}” is not a number").format(text=text)) from None
        if not 0 < value < math.inf:
            raise argparse.ArgumentTypeError(_("{text} is not a number above 0").format(text=text))
        return value

    return parse


def _report(sources: list[Source], planned: list[Planned], chosen: dict[int, str]) -> tuple[int, int]:
    errors = warnings = 0
    by_draft = {id(item.draft): item for item in planned}
    for source in sources:
        if id(source) in chosen:
            print(f"{source.display}: {chosen[id(source)]}")
        for noted in source.notes:
            print(noted.tagged())
            errors += noted.level is Level.ERROR
            warnings += noted.level is not Level.ERROR
        for draft in source.drafts:
            item = by_draft[id(draft)]
            rows = len(draft.values.get("indicators", []))
            state = _("complete") if not draft.missing() else _("incomplete")
            print(_("{where}: form {number} “{title}” → {path} ({indicators}, {state}, {notes})").format(
                where=draft.where, number=draft.number, title=draft.title or "?", path=printable(item.path.as_posix()),
                indicators=ngettext("{count} indicator", "{count} indicators", rows).format(count=rows), state=state,
                notes=ngettext("{count} note", "{count} notes", len(draft.notes)).format(count=len(draft.notes))))
            for noted in draft.notes:
                print(f"  {noted.tagged()}")
                errors += noted.level is Level.ERROR
                warnings += noted.level is not Level.ERROR
    return errors, warnings


def _check_files(paths: list[Path], site: Path) -> None:
    """Refuse, before anything is read, a file that is not there or that a link leads out of the site to."""
    for path in paths:
        if not path.is_file():
            raise UsageError(_("{path}: no such file").format(path=printable(str(path))))
        real = escape_through_link(path, site)
        if real is not None:
            raise UsageError(_("{path} is a link out of the site (to {target}) — nothing was read: formgen reads no "
                               "file outside the site through a link; name the file itself if you mean it").format(
                path=printable(str(path)), target=printable(str(real))))


def _asked_profile(config: SiteConfig, name: str | None) -> Profile:
    try:
        return config.profile_for(name)
    except KeyError:
        raise UsageError(_("--profile {name}: not a profile; write one of {names} (`formgen profiles` describes "
                           "them)").format(name=name, names=", ".join(config.profile_names()))) from None


def _read_all(args: argparse.Namespace, config: SiteConfig, profile: Profile) -> tuple[list[Source], dict[int, str]]:
    """Each file read with the profile asked for, or else the one its labels fit; and the report's line on
    that choice, by source."""
    limits = replace(DEFAULT_LIMITS, max_pages=args.max_pages, seconds=args.time_limit)
    candidates = {name: config.profile_for(name) for name in config.profile_names()}
    sources: list[Source] = []
    chosen: dict[int, str] = {}
    for path in args.files:
        detection: Detection | None = None
        if args.profile:
            source = read_source(path, profile.scheme, LabelTable.of(profile), limits=limits)
        else:
            source, detection = read_detected(path, profile, candidates, config.site.profile, limits)
        used = candidates[detection.profile] if detection and detection.profile else profile
        if detection is not None:
            line, warning = _chosen(detection, used, source)
            if line is not None:
                chosen[id(source)] = line
            if warning is not None:
                source.notes.insert(0, warning)
        if used.name != config.site.profile:  # else check would read the files as forms of the site's profile
            for draft in source.drafts:
                draft.values["profile"] = used.name
        sources.append(source)
    return sources, chosen


def run(args: argparse.Namespace) -> int:
    require("import", "import")  # before any reader is reached: one line, not an ImportError
    located = locate_site(args)
    site = located.root  # what no link may lead out of
    _check_files(args.files, site)
    if args.out is not None:
        folder_to_write(args.out, "--out")
    config = load_config(located.config)
    sources, chosen = _read_all(args, config, _asked_profile(config, args.profile))
    planned = plan(sources, args.out, located.content)
    write_planned(planned, args.force, site)
    errors, warnings = _report(sources, planned, chosen)
    forms = len(planned)
    folders = sorted({printable(item.path.parent.as_posix()) for item in planned})
    print(_("{forms}: {errors}, {warnings} — {verdict}").format(
        forms=ngettext("{count} form imported from {files}", "{count} forms imported from {files}", forms).format(
            count=forms, files=ngettext("{count} file", "{count} files", len(sources)).format(count=len(sources))),
        errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
        warnings=ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
        verdict=_("failed") if errors or not forms else _("ok")))
    if forms:
        print(_("next: formgen check {folders}   (it compares the figures the forms state with formgen's own)")
              .format(folders=" ".join(folders)))
    return 1 if errors or not forms else 0


def _chosen(detection: Detection, used: Profile, source: Source) -> tuple[str | None, Finding | None]:
    """The report's line on the profile a file was read with, and a warning when the labels did not decide."""
    if detection.profile is not None and detection.weak:
        return _("profile {name}, the site's, which the few labels found fit best").format(name=used.name), None
    if detection.profile is not None:
        line = _("profile {name}, by the labels it prints: {labels}").format(
            name=detection.profile, labels=_(", ").join(detection.evidence))
        if detection.also:
            line += _(" (as well fitted by {names}, whose labels are the same: name one with --profile if it is "
                      "one of those)").format(names=_(", ").join(detection.also))
        return line, None
    if not detection.candidates:
        return None, None  # the file could not be read: its own notes say why
    message = (_("the labels fit {candidates} equally well") if detection.score >= STRONG_MATCH else
               _("the labels fit no profile well (closest: {candidates})")).format(
        candidates=_(", ").join(detection.candidates))
    warning = note(Location(source.display), "import-profile", False, _(
        "{message}: read as forms of {name}, the site's profile — name the right one with --profile "
        "(formgen profiles describes them)").format(message=message, name=used.name))
    return _("profile {name}, the site's").format(name=used.name), warning
