"""What every verb that reads content shares: the paths, formgen.toml, loading the site."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import SiteConfig, find_config, load_config
from ..errors import UsageError
from ..pipeline import Site, load_site
from ..reading import discover

DEFAULT_CONTENT = Path("content")


def add_content_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="form files or folders (default: content/)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="formgen.toml to use (default: the nearest one from the working folder up)")


def site_config(args: argparse.Namespace) -> SiteConfig:
    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"{args.config}: no such file")
        return load_config(args.config)
    return load_config(find_config(Path.cwd()))


def load(args: argparse.Namespace) -> Site:
    """The site named on the command line, fully checked. Raises UsageError for a bad path."""
    paths: list[Path] = args.paths or [DEFAULT_CONTENT]
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    config = site_config(args)
    if not discover(paths):
        raise UsageError(f"no form files (*.md) under {', '.join(map(str, paths))}")
    return load_site(paths, config)
