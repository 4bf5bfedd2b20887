"""formgen check [PATH…]: report every problem in every form; exit 1 if there are errors."""

from __future__ import annotations

import argparse
import json
import sys

from ..findings import Level
from ..i18n import N_, _
from .common import add_content_arguments, load, print_report

HELP = N_("validate forms and report every error and warning")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
    parser.add_argument("--format", choices=("text", "json"), default="text", metavar="FORMAT",
                        help=_("output format: text, or json for programs"))


def run(args: argparse.Namespace) -> int:
    site = load(args)
    findings = site.findings
    errors = sum(1 for finding in findings if finding.level is Level.ERROR)
    kept = sum(1 for finding in findings if finding.level is Level.DISCREPANCY)
    warnings = len(findings) - errors - kept
    if args.format == "json":
        counts: dict[str, object] = {"forms": len(site.entries), "errors": errors, "warnings": warnings}
        if kept:  # only where there are some: the report of a site of drafts keeps its shape
            counts["discrepancies"] = kept
        json.dump({**counts, "findings": [finding.as_dict() for finding in findings]}, sys.stdout,
                  ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_report(findings, len(site.entries), args.strict)
    return 1 if site.errors(args.strict) else 0
