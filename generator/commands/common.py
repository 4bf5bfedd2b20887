"""What every verb that reads content shares: the paths, formgen.toml, loading the site."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..authoring import default_year
from ..config import CONFIG_NAME, CONTENT_FOLDER, TEMPLATES_FOLDER, find_config, load_config
from ..errors import UsageError, os_error_message, said
from ..findings import Finding, Level
from ..i18n import _, ngettext
from ..model import is_budget_year
from ..pipeline import Site, load_site
from ..reading import discover

DEFAULT_CONTENT = Path(CONTENT_FOLDER)
"""The site's forms, in the site's folder (its root)."""
DEFAULT_OUTPUT = Path("output")
"""Where `build` writes the site, in the site's folder."""


def add_content_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help=_("form files or folders (default: the site's content/)"))
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=_("formgen.toml to use (default: the nearest one from the first PATH up, else from "
                               "the working folder up)"))


def budget_year(year: int) -> int:
    """--year YEAR, checked by the model's rule (`model.is_budget_year`): a usage error outside it."""
    if not is_budget_year(year):
        raise UsageError(_("--year {year}: write the budget year, e.g. {example}").format(year=year,
                                                                                        example=default_year()))
    return year


def config_file(given: Path | None) -> Path | None:
    """--config FILE as given, checked to be a file (None when not given)."""
    if given is not None and not given.is_file():
        if given.is_dir():
            raise UsageError(_("--config {path}: is a folder: name the formgen.toml file itself").format(path=given))
        raise UsageError(_("{path}: no such file").format(path=given))
    return given


@dataclass(frozen=True)
class SiteFolder:
    """Where the site is, resolved once per command, as git and MkDocs find theirs: its formgen.toml (--config,
    else the nearest one from the first PATH up, else from the working folder up) and its folder, the root,
    which holds content/, output/, templates/ and profiles/. The default folders are written relative to the
    working folder — `content` and `output` at the root, as always; `../../output` from content/2024 — so
    that the messages naming them (`→ ../../output`, `wrote ../2025/….md`) read from where the user is.
    Findings name forms from the root instead (`pipeline.load_site`): the built site publishes them."""

    config: Path | None
    """The formgen.toml in force; None: there is none, the defaults apply."""
    root: Path
    """The site's folder: the formgen.toml's, else the working folder."""
    content: Path
    """The forms when no PATH is given."""
    output: Path
    """What `build` writes when no --out is given."""
    templates: Path
    """The site's own templates (templates/ beside formgen.toml)."""


def _start(paths: list[Path]) -> Path | None:
    """Where the search for formgen.toml starts from the PATH arguments: the first one's folder (resolved:
    "../.." walks up the folders it names, not the letters), None without any."""
    if not paths:
        return None
    try:
        first = paths[0].resolve()
        return first if first.is_dir() else first.parent
    except OSError:  # a name too long, a folder without permission: `content_paths` says what and where
        return None


def _from_here(path: Path, root: Path, here: Path) -> Path:
    """`path`, in the site `root`, as written from the working folder `here` (all absolute): relative inside
    the site (``../../content``, as git writes paths), absolute from outside it, where "../../.." would say
    less than the site's own address."""
    if here != root and root not in here.parents:
        return path
    return Path(os.path.relpath(path, here))


def locate_site(args: argparse.Namespace) -> SiteFolder:
    """The site the command works on (see `SiteFolder`). Says on stderr which settings it uses when they are
    not the working folder's own, so that nobody wonders why another title or profile applies."""
    given = config_file(getattr(args, "config", None))
    here = Path.cwd().resolve()
    found: Path | None = None
    if given is None:
        start = _start(list(getattr(args, "paths", None) or []))
        # A PATH in no site (a folder of drafts in /tmp) is read with the working folder's site, as before.
        found = (find_config(start) if start is not None else None) or find_config(here)
    config = given or found
    # A --config of another name (ci.toml) is a variant of the settings, not the site's folder.
    root = config.parent.resolve() if config is not None and config.name == CONFIG_NAME else here
    if found is not None and root != here:
        print(said(_("using the site settings {config} (site {root})").format(
            config=_from_here(root / CONFIG_NAME, root, here).as_posix(), root=root)), file=sys.stderr)
    return SiteFolder(config=config, root=root, content=_from_here(root / DEFAULT_CONTENT, root, here),
                      output=_from_here(root / DEFAULT_OUTPUT, root, here), templates=root / TEMPLATES_FOLDER)


def folder_to_write(folder: Path, option: str | None = None, *, itself: bool = True) -> Path:
    """A folder the command writes into (`option` names it on the command line), created later if missing:
    refused now if a file stands where it (with `itself`) or a folder above it would be, rather than failing
    halfway through the writing."""
    for place in [folder, *folder.parents] if itself else folder.parents:
        if place.is_dir():
            break
        if place.exists() or place.is_symlink():
            given = f"{option} {folder}" if option else str(folder)
            which = "" if place == folder else f" {place}"
            if option:
                raise UsageError(_("{given}:{which} is a file, not a folder: remove it or choose another {option}")
                                 .format(given=given, which=which, option=option))
            raise UsageError(_("{given}:{which} is a file, not a folder: remove it or choose another folder")
                             .format(given=given, which=which))
    return folder


def content_paths(args: argparse.Namespace, site: SiteFolder) -> list[Path]:
    """The PATH arguments (default: the site's content/), each checked to exist."""
    paths: list[Path] = args.paths or [site.content]
    for path in paths:
        try:
            path.stat()
        except FileNotFoundError:
            raise UsageError(_("{path}: no such file or folder").format(path=path)) from None
        except OSError as error:  # a name too long, a folder without permission: what, where, what to do
            raise UsageError(os_error_message(error)) from None
    if not discover(paths, site.root):
        raise UsageError(_("no form files (*.md) under {paths}").format(paths=", ".join(map(str, paths))))
    return paths


def print_report(findings: list[Finding], forms: int, strict: bool) -> None:
    """Every finding, one per line, then the verdict: what `check` prints, and a failed build too."""
    errors = sum(1 for finding in findings if finding.level is Level.ERROR)
    kept = sum(1 for finding in findings if finding.level is Level.DISCREPANCY)
    warnings = len(findings) - errors - kept
    for finding in findings:
        print(finding)
    failed = any(finding.level.fails(strict) for finding in findings)
    counts = {"forms": ngettext("{count} form checked", "{count} forms checked", forms).format(count=forms),
              "errors": ngettext("{count} error", "{count} errors", errors).format(count=errors),
              "warnings": ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
              "verdict": _("failed") if failed else _("ok")}
    # Discrepancies are named only where there are some, so that the verdict of a site of drafts reads as
    # it always has.
    if kept:
        line = _("{forms}: {errors}, {warnings}, {discrepancies} — {verdict}").format(
            discrepancies=ngettext("{count} discrepancy kept as published", "{count} discrepancies kept as published",
                                   kept).format(count=kept), **counts)
    else:
        line = _("{forms}: {errors}, {warnings} — {verdict}").format(**counts)
    if strict and warnings:
        line = _("{summary} (--strict: warnings count as errors)").format(summary=line)
    print(line)


def load(args: argparse.Namespace, located: SiteFolder | None = None) -> Site:
    """The site named on the command line (`located` already, where the command needs its folders too), fully
    checked. Raises UsageError for a bad path."""
    site = located or locate_site(args)
    return load_site(content_paths(args, site), load_config(site.config), root=site.root)
