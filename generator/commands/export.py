"""formgen export --format json|xlsx|docx [PATH…] [--out DIR] [--combined]: the computed data feed on
standard output, or the official table of each form as Excel or Word files (generator/exporting.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UsageError
from ..exporting import COMBINED_NAME, FORMATS, export_office
from ..feed import site_feed
from ..i18n import N_, _, ngettext
from .common import add_content_arguments, folder_to_write, load, locate_site

HELP = N_("write the computed figures of every form as JSON to standard output, or each form's table as an Excel "
          "workbook or a Word document")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default="json", metavar="FORMAT",
                        help=_("output format: json (standard output), xlsx (Excel) or docx (Word): one file per "
                               "form, in the folder given by --out"))
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help=_("folder for the xlsx or docx files (required with those formats)"))
    parser.add_argument("--combined", action="store_true",
                        help=_("with --format xlsx: one workbook {name} of all the forms (a summary sheet and an "
                               "indicators sheet) instead of one file per form").format(name=COMBINED_NAME))


def run(args: argparse.Namespace) -> int:
    if args.format == "json" and (args.out is not None or args.combined):
        raise UsageError(_("--format json writes to standard output: leave out --out and --combined, or choose "
                           "--format xlsx or docx"))
    if args.format != "json" and args.out is None:
        raise UsageError(_("--format {format} writes files: name their folder with --out, e.g. `--out exported`")
                         .format(format=args.format))
    if args.combined and args.format != "xlsx":
        raise UsageError(_("--combined makes one Excel workbook: use it with --format xlsx"))
    if args.out is not None:
        folder_to_write(args.out, "--out")
    located = locate_site(args)
    site = load(args, located)
    errors = site.errors()
    if errors:
        # A feed is public data, a workbook goes to the finance bureau: never figures of forms that do not check.
        for finding in errors:
            print(finding, file=sys.stderr)
        print(ngettext("export refused: {count} error (run `formgen check`)",
                       "export refused: {count} errors (run `formgen check`)", len(errors)).format(count=len(errors)),
              file=sys.stderr)
        return 1
    if args.format == "json":
        json.dump(site_feed(site), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    written = export_office(site, args.format, args.out, combined=args.combined, templates=located.templates,
                            root=located.root)
    for path in written:
        print(_("wrote {path}").format(path=path.as_posix()))
    print(ngettext("{count} file written to {folder}", "{count} files written to {folder}", len(written)).format(
        count=len(written), folder=args.out.as_posix()))
    return 0
