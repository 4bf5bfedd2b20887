"""formgen init DIR [--year Y] [--force]: scaffold a new site that checks and builds at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..authoring import default_year
from ..errors import UsageError
from ..i18n import N_
from ..scaffolding import init_site
from .common import folder_to_write

HELP = N_("create a new site: formgen.toml, an example form, a template override, pre-commit and CI files")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, metavar="DIR", help="the new site's folder (created if missing)")
    parser.add_argument("--year", type=int, metavar="YEAR",
                        help="the year of content/<year>/ and of the example form (default: last year)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty folder (files already there are kept, not overwritten)")


def run(args: argparse.Namespace) -> int:
    year = args.year or default_year()
    if not 1990 <= year <= 2100:
        raise UsageError(f"--year {year}: write the budget year, e.g. {default_year()}")
    folder_to_write(args.folder)
    for item in init_site(args.folder, year, args.force):
        print(f"{'wrote' if item.written else 'kept '} {item.path.as_posix()}")
    print(f"next: cd {args.folder.as_posix()} && formgen check && formgen build   "
          f"(then: formgen new \"项目名称\" --year {year}; see docs/authoring.md)")
    return 0
