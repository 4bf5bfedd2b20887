"""formgen export --format json [PATH…]: the computed data feed on standard output."""

from __future__ import annotations

import argparse
import json
import sys

from ..feed import site_feed
from ..i18n import N_, _, ngettext
from .common import add_content_arguments, load

HELP = N_("write the computed figures of every form as JSON to standard output, for other programs")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--format", choices=("json",), default="json", metavar="FORMAT",
                        help=_("output format: json"))


def run(args: argparse.Namespace) -> int:
    site = load(args)
    errors = site.errors()
    if errors:
        # A feed is public data: never publish figures computed from forms that do not check.
        for finding in errors:
            print(finding, file=sys.stderr)
        print(ngettext("export refused: {count} error (run `formgen check`)",
                       "export refused: {count} errors (run `formgen check`)", len(errors)).format(count=len(errors)),
              file=sys.stderr)
        return 1
    json.dump(site_feed(site), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
