"""formgen new [TITLE] [--year Y] [--from SLUG] [--slug SLUG] [--out DIR] [--force]: start a form file."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import authoring
from ..checks import PLACEHOLDER
from ..config import find_config, load_config
from ..errors import UsageError
from ..profile import form_model
from ..reading import escape_through_link, printable
from .common import DEFAULT_CONTENT, folder_to_write

HELP = "write a new form file with every field, its label beside it and placeholders to fill in"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("title", nargs="?", metavar="TITLE",
                        help="项目名称 (may be left out with --from: the earlier form's is kept)")
    parser.add_argument("--year", type=int, metavar="YEAR",
                        help="年度 (default: the earlier form's year + 1 with --from, else last year)")
    parser.add_argument("--from", dest="source", metavar="SLUG",
                        help="start from the earlier form with this slug under content/: its structure, "
                             "not its figures")
    parser.add_argument("--slug", metavar="SLUG",
                        help="the file name without .md (default: the earlier slug with the new year, "
                             "else form-<year>-<hash of the title>)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="the folder to write into (default: content/<year>/)")
    parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")


def run(args: argparse.Namespace) -> int:
    title = (args.title or "").strip()
    header = ["（formgen new 生成）。把每个“" + PLACEHOLDER + "”换成实际内容：",
              "formgen check 逐项报出尚未填写之处（文件:行）。标“可选”的键可以留空。",
              f"Fill in every {PLACEHOLDER}: `formgen check` lists those left, with their lines. "
              "可选 keys may stay empty."]
    config = load_config(find_config(Path.cwd()))
    profile = config.profile_for()
    if args.source:
        source = authoring.find_form(DEFAULT_CONTENT, args.source)
        data, earlier_slug = authoring.read_source(source)
        named = data.get("profile")
        try:  # the earlier form's own profile, if it names one
            profile = config.profile_for(named.strip() or None) if isinstance(named, str) else profile
        except KeyError:
            raise UsageError(f"{source.as_posix()}: its profile “{named}” is not a profile; write one of "
                             f"{', '.join(config.profile_names())}") from None
        earlier_year = authoring.source_year(data)
        year = args.year or (earlier_year + 1 if earlier_year else authoring.default_year())
        values = authoring.carried_over_values(data, year, form_model(profile))
        if title:
            values["title"] = title
        title = str(values.get("title", ""))
        slug = args.slug or authoring.derived_slug(title, year, earlier_slug, earlier_year)
        header += [f"以 {source.as_posix()} 为底稿：保留项目名称、主管部门、实施单位、预期目标、联系人和绩效指标",
                   "（一级、二级、三级指标，年度指标值，分值）；资金、实际完成值、得分、原因、备注和自评结论须重新填写。",
                   "Started from that form: its structure is kept, its figures cleared (docs/authoring.md)."]
    else:
        if not title:
            raise UsageError("give the 项目名称: formgen new \"项目名称\" (or --from SLUG to start from an "
                             "earlier form)")
        year = args.year or authoring.default_year()
        values = authoring.skeleton_values(title, year, profile.scheme)
        slug = args.slug or authoring.derived_slug(title, year)
        header += [f"绩效指标：每个一级指标先给一行；需要更多行时复制整行（从 “- level1:” 到 "
                   f"“{profile.layout.columns[-1]}:”）。",
                   "Indicators: one row per 一级指标 to start with; copy a whole row for more."]
    if not 1990 <= year <= 2100:
        raise UsageError(f"--year {year}: write the budget year, e.g. {authoring.default_year()}")
    authoring.validate_slug(slug)
    path = (args.out if args.out is not None else DEFAULT_CONTENT / str(year)) / f"{slug}.md"
    folder_to_write(path.parent, "--out" if args.out is not None else None)
    found = find_config(Path.cwd())
    real = escape_through_link(path.parent, found.parent if found is not None else Path.cwd())
    if real is not None:
        raise UsageError(f"{path.parent}: leads outside the site (to {printable(str(real))}) through a link — "
                         "nothing was written: formgen writes only inside the site; replace the link with a folder")
    other = authoring.slug_in_use(DEFAULT_CONTENT, slug, path)
    if other is not None:
        raise UsageError(f"the slug “{slug}” is already {other}: slugs are unique across the site; "
                         "choose another with --slug")
    header[0] = profile.labels.form_title + header[0]  # the title of the form's profile
    authoring.write_form(path, authoring.form_text(values, header=header, model=form_model(profile)),
                         force=args.force)
    print(f"wrote {path.as_posix()}: fill in every {PLACEHOLDER}, then run formgen check {path.as_posix()}")
    if authoring.is_derived_hash_slug(slug):
        print(f"the slug {slug} becomes the page's and the PDF's name: before publishing, rename the file to a "
              "readable one (lowercase letters, digits and hyphens), or pass --slug next time")
    return 0
