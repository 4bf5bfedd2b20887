"""formgen diff [REV_A [REV_B]] [PATH…]: the forms' changes between two git revisions, in their figures.

Informational, like git diff: exit 0 whatever changed or whatever errors either side has (``check``
is the gate); ``--exit-code`` exits 1 when forms differ. A path outside a repository, or an unknown
revision, is a usage error (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import N_, _
from .common import locate_site

HELP = N_("show what changed in the forms between two git revisions (default: HEAD against the working tree)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.usage = ("%(prog)s [-h] [REV_A [REV_B]] [PATH ...]\n"
                    "         [--format FORMAT] [--exit-code] [--config FILE] [--lang LANG]")
    parser.add_argument("words", nargs="*", metavar="REV_A REV_B PATH",
                        help=_("up to two revisions (HEAD, main, v1.0, A..B, or A...B for what a branch changes "
                               "since it forked), then form files or folders (default: content/); one revision: "
                               "against the working tree; none: HEAD against the working tree"))
    parser.add_argument("--format", choices=("text", "markdown"), default="text", metavar="FORMAT",
                        help=_("output format: text, or markdown for a pull-request comment"))
    parser.add_argument("--exit-code", action="store_true", help=_("exit 1 when forms differ, 0 when none does"))
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=_("formgen.toml to use, read at each revision (default: the nearest one from the "
                               "working folder up, at each revision)"))


def run(args: argparse.Namespace) -> int:
    from ..diff import diff, parse_request, render_markdown, render_text  # imported when used, as build's

    # The site as every verb finds it (its content/ from any folder inside it); each revision's settings are
    # then read as the site had them (`parse_request`).
    site = locate_site(argparse.Namespace(config=args.config, paths=[]))
    result = diff(parse_request(args.words, Path.cwd(), args.config, site.content))
    sys.stdout.write(render_markdown(result) if args.format == "markdown" else render_text(result))
    return 1 if args.exit_code and result.forms else 0
