"""formgen export --format json [PATH…]: the computed data feed on standard output."""

from __future__ import annotations

import argparse
import json
import sys

from ..feed import site_feed
from ..i18n import N_
from .common import add_content_arguments, load

HELP = N_("write the computed data feed (docs/feed.md) to standard output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--format", choices=("json",), default="json", help="feed format")


def run(args: argparse.Namespace) -> int:
    site = load(args)
    errors = site.errors()
    if errors:
        # A feed is public data: never publish figures computed from forms that do not check.
        for finding in errors:
            print(finding, file=sys.stderr)
        print(f"export refused: {len(errors)} errors (run formgen check)", file=sys.stderr)
        return 1
    json.dump(site_feed(site), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
