"""What every verb that reads content shares: the paths, formgen.toml, loading the site."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import CONFIG_NAME, SiteConfig, find_config, load_config
from ..errors import UsageError, os_error_message
from ..findings import Finding, Level
from ..pipeline import Site, load_site
from ..reading import discover

DEFAULT_CONTENT = Path("content")


def add_content_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="form files or folders (default: content/)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="formgen.toml to use (default: the nearest one from the working folder up)")


def config_file(given: Path | None) -> Path | None:
    """--config FILE as given, checked to be a file (None when not given)."""
    if given is not None and not given.is_file():
        if given.is_dir():
            raise UsageError(f"--config {given}: is a folder: name the formgen.toml file itself")
        raise UsageError(f"{given}: no such file")
    return given


def site_config(args: argparse.Namespace) -> SiteConfig:
    return load_config(config_file(args.config) or find_config(Path.cwd()))


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
            raise UsageError(f"{given}:{which} is a file, not a folder: remove it or choose another "
                             f"{option or 'folder'}")
    return folder


def site_root(args: argparse.Namespace) -> Path:
    """The site's folder: where its formgen.toml is, else the working folder."""
    config = args.config if args.config is not None else find_config(Path.cwd())
    return config.parent if config is not None and config.name == CONFIG_NAME else Path.cwd()


def content_paths(args: argparse.Namespace) -> list[Path]:
    """The PATH arguments (default content/), each checked to exist."""
    paths: list[Path] = args.paths or [DEFAULT_CONTENT]
    for path in paths:
        try:
            path.stat()
        except FileNotFoundError:
            raise UsageError(f"{path}: no such file or folder") from None
        except OSError as error:  # a name too long, a folder without permission: what, where, what to do
            raise UsageError(os_error_message(error)) from None
    if not discover(paths):
        raise UsageError(f"no form files (*.md) under {', '.join(map(str, paths))}")
    return paths


def print_report(findings: list[Finding], forms: int, strict: bool) -> None:
    """Every finding, one per line, then the verdict: what `check` prints, and a failed build too."""
    errors = sum(1 for finding in findings if finding.level is Level.ERROR)
    kept = sum(1 for finding in findings if finding.level is Level.DISCREPANCY)
    warnings = len(findings) - errors - kept
    for finding in findings:
        print(finding)
    failed = any(finding.level.fails(strict) for finding in findings)
    # Named only where there are some, so that the verdict of a site of drafts reads as it always has.
    published = f", {kept} discrepancies kept as published" if kept else ""
    print(f"{forms} forms checked: {errors} errors, {warnings} warnings{published} — {'failed' if failed else 'ok'}"
          + (" (--strict: warnings count as errors)" if strict and warnings else ""))


def load(args: argparse.Namespace) -> Site:
    """The site named on the command line, fully checked. Raises UsageError for a bad path."""
    paths = content_paths(args)
    return load_site(paths, site_config(args))
