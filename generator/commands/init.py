"""formgen init DIR [--year Y] [--force]: scaffold a new site that checks and builds at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..authoring import default_year
from ..i18n import N_, _
from .common import budget_year, folder_to_write

HELP = N_("create a new site: formgen.toml, an example form, a template override, pre-commit and CI files")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, metavar="DIR", help=_("the new site's folder (created if missing)"))
    parser.add_argument("--year", type=int, metavar="YEAR",
                        help=_("the year of content/<year>/ and of the example form (default: last year)"))
    parser.add_argument("--force", action="store_true",
                        help=_("write into a non-empty folder (files already there are kept, not overwritten)"))


def run(args: argparse.Namespace) -> int:
    from ..scaffolding import init_site  # imported when used: its templates' jinja2 would cost every other verb

    year = budget_year(args.year or default_year())
    folder_to_write(args.folder)
    for item in init_site(args.folder, year, args.force):
        print((_("wrote {path}") if item.written else _("kept  {path}")).format(
            path=item.path.as_posix()))
    print(_("next: cd {folder} && formgen check && formgen build   (then, for each form: formgen new \"项目名称\" "
            "--year {year})").format(folder=args.folder.as_posix(), year=year))
    return 0
