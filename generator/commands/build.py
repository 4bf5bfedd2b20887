"""formgen build [PATH…] [--out DIR] [--no-pdf] [--review] [--shard I/N | --merge DIR…]: check, then render
the site and swap it in."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import load_config
from ..errors import said
from ..i18n import N_, _
from ..parallel import default_jobs
from ..progress import console_reporter
from .common import add_content_arguments, content_paths, folder_to_write, locate_site, print_report

HELP = N_("check every form, then build the site into the output folder (untouched if anything fails)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help=_("the output folder, replaced as a whole on success (default: the site's output/, "
                               "beside its formgen.toml)"))
    parser.add_argument("--no-pdf", action="store_true", help=_("build the HTML site and data only"))
    parser.add_argument("--pdf-variant", choices=("pdf/a-3b", "pdf/ua-1"),
                        help=_("archival (PDF/A-3b) or tagged (PDF/UA-1) PDFs; overrides [pdf] variant"))
    parser.add_argument("--review", action="store_true",
                        help=_("internal review build: show each form's findings beside its table"))
    parser.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
    parser.add_argument("--jobs", type=int, default=default_jobs(), metavar="N",
                        help=_("worker processes for large sites (default: one per core)"))
    sharing = parser.add_mutually_exclusive_group()
    sharing.add_argument("--shard", type=_shard, metavar="I/N",
                         help=_("make only the I-th of N deterministic shares of the PDFs (CI machines in "
                                "parallel)"))
    sharing.add_argument("--merge", type=Path, nargs="+", metavar="DIR",
                         help=_("build the site taking every PDF from these output folders of `build --shard`"))


def _shard(text: str) -> tuple[int, int]:
    from ..build import MAX_SHARDS  # imported when used: every other command, check first, does without it

    index, _slash, count = text.partition("/")
    # A length bound before int(): a number of thousands of digits is refused before it is converted.
    if not (index.isdecimal() and count.isdecimal() and len(index) <= 4 and len(count) <= 4
            and 1 <= int(index) <= int(count) <= MAX_SHARDS):
        raise argparse.ArgumentTypeError(_("{text!r}: write I/N with 1 ≤ I ≤ N ≤ {most}, e.g. 2/3").format(
            text=text, most=MAX_SHARDS))
    return int(index), int(count)


def run(args: argparse.Namespace) -> int:
    from ..build import BuildFailed, PdfsFailed, build_site  # imported when used: the renderers take a while

    site = locate_site(args)
    paths = content_paths(args, site)
    out: Path = args.out if args.out is not None else site.output
    folder_to_write(out, "--out", itself=False)  # the folder itself: the build says what may stand there
    config = load_config(site.config)
    if args.pdf_variant:
        config = config.model_copy(update={"pdf": config.pdf.model_copy(update={"variant": args.pdf_variant})})
    report, close = console_reporter("PDF") if not args.no_pdf else (None, lambda: None)
    try:
        result = build_site(paths, config, out, site_templates=site.templates, root=site.root,
                            review=args.review, strict=args.strict, jobs=max(1, args.jobs), pdf=not args.no_pdf,
                            progress=report, shard=args.shard, merge=args.merge)
    except BuildFailed as failure:
        close()
        print_report(failure.findings, failure.forms, args.strict)
        print(said(str(failure)))
        return 1
    except PdfsFailed as failure:
        close()
        print("\n".join(failure.lines()))
        print(said(str(failure)))
        return 1
    finally:
        close()
    for line in result.noted():
        print(line)
    print(result.summary())
    return 0
