"""formgen build [PATH…] [--out DIR] [--no-pdf] [--review]: check, then render the site and swap it in."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..build import BuildFailed, build_site
from ..parallel import default_jobs
from .common import add_content_arguments, content_paths, print_report, site_config, site_root

HELP = "check every form, then build the site into the output folder (untouched if anything fails)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                        help="the output folder, replaced as a whole on success (default: output/)")
    parser.add_argument("--no-pdf", action="store_true", help="build the HTML site and data only")
    parser.add_argument("--review", action="store_true",
                        help="internal review build: show each form's findings beside its table")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--jobs", type=int, default=default_jobs(), metavar="N",
                        help="worker processes for large sites (default: one per core)")


def run(args: argparse.Namespace) -> int:
    paths = content_paths(args)
    config = site_config(args)
    try:
        result = build_site(paths, config, args.out, site_templates=site_root(args) / "templates",
                            review=args.review, strict=args.strict, jobs=max(1, args.jobs))
    except BuildFailed as failure:
        print_report(failure.findings, failure.forms, args.strict)
        print(f"formgen: {failure}")
        return 1
    print(result.summary())
    return 0
