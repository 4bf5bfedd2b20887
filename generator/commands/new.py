"""formgen new [TITLE] [--year Y] [--from SLUG] [--slug SLUG] [--out DIR] [--force]: start a form file."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import authoring
from ..checks import PLACEHOLDER
from ..config import SiteConfig, load_config
from ..errors import UsageError
from ..i18n import N_, _
from ..model import caption
from ..profile import EXTRA_FIELDS, Profile, form_model
from ..reading import escape_through_link, printable
from ..slugs import derived_slug
from .common import budget_year, folder_to_write, locate_site

HELP = N_("write a new form file with every field, its label beside it and placeholders to fill in")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("title", nargs="?", metavar="TITLE",
                        help=_("项目名称 (may be left out with --from: the earlier form's is kept)"))
    parser.add_argument("--year", type=int, metavar="YEAR",
                        help=_("年度 (default: the earlier form's year + 1 with --from, else last year)"))
    parser.add_argument("--from", dest="source", metavar="SLUG",
                        help=_("start from the earlier form with this slug (its file name without .md) under "
                               "content/: its structure, not its figures"))
    parser.add_argument("--slug", metavar="SLUG",
                        help=_("the file name without .md (default: the earlier slug with the new year, else the "
                               "title in pinyin with the year)"))
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help=_("the folder to write into (default: the site's content/<year>/)"))
    parser.add_argument("--force", action="store_true", help=_("overwrite the file if it exists"))
    parser.add_argument("--profile", metavar="NAME",
                        help=_("the profile (表样) of the new form: its fields, funding rows, columns and labels "
                               "(formgen profiles lists them; default: the earlier form's with --from, else "
                               "formgen.toml's [site] profile)"))


def _profile(config: SiteConfig, name: str | None, where: str) -> Profile:
    try:
        return config.profile_for(name)
    except KeyError:
        raise UsageError(_("{where}: “{name}” is not a profile; write one of {names} (`formgen profiles` describes "
                           "them)").format(where=where, name=name, names=", ".join(config.profile_names()))) from None


def _listed(labels: list[str]) -> str:
    """Labels as a list in the active language: 甲、乙和丙 (A, B and C)."""
    if len(labels) < 2:
        return "".join(labels)
    return _("{items} and {last}").format(items=_(", ").join(labels[:-1]), last=labels[-1])


def _from_note(profile: Profile, source: str) -> list[str]:
    """What `--from` keeps and clears, in the labels of the new form's profile (`authoring.CARRIED_OVER`)."""
    labels, columns, scored = profile.labels, profile.layout.columns, profile.scheme.scored
    header = [key for key in sorted(authoring.KEPT_FIELDS, key=EXTRA_FIELDS.index) if profile.fields.present(key)]
    kept = [labels.title, labels.department_name, labels.implementer, *(getattr(labels, key) for key in header),
            labels.expected, *([labels.contact] if profile.fields.present("contact") else [])]
    row = [caption(labels.level1), caption(labels.level2), caption(labels.name), caption(labels.target),
           *([caption(labels.weight)] if scored else [])]
    cleared = [labels.funds, caption(labels.actual), *([caption(labels.score)] if scored else []),
               *(caption(getattr(labels, key)) for key in ("reason", "note") if key in columns), labels.conclusion]
    kept.append(_("{table} ({columns})").format(table=labels.indicators, columns=_(", ").join(row)))
    return [_("Started from {source}: its structure is kept, its figures cleared. Kept: {kept}. To be filled in "
              "anew: {cleared}.").format(source=source, kept=_listed(kept), cleared=_listed(cleared))]


def run(args: argparse.Namespace) -> int:
    title = (args.title or "").strip()
    header: list[str] = []  # what the file says at its top, after the paragraph that names its form
    site = locate_site(args)
    config = load_config(site.config)
    profile = _profile(config, args.profile, "--profile")
    if args.source:
        source = authoring.find_form(site.content, args.source)
        data, earlier_slug = authoring.read_source(source)
        named = data.get("profile")
        if args.profile is None and isinstance(named, str):  # the earlier form's own profile, if it names one
            profile = _profile(config, named.strip() or None,
                               _("{path}: its profile").format(path=source.as_posix()))
        earlier_year = authoring.source_year(data)
        year = args.year or (earlier_year + 1 if earlier_year else authoring.default_year())
        values = authoring.carried_over_values(data, year, form_model(profile))
        if title:
            values["title"] = title
        title = str(values.get("title", ""))
        slug = args.slug or derived_slug(title, year, earlier_slug, earlier_year)
        header += _from_note(profile, source.as_posix())
    else:
        if not title:
            raise UsageError(_("give the 项目名称: formgen new \"项目名称\" (or --from SLUG to start from an "
                               "earlier form)"))
        year = args.year or authoring.default_year()
        values = authoring.skeleton_values(title, year, profile.scheme)
        slug = args.slug or derived_slug(title, year)
        labels = profile.labels
        header.append(_("{indicators}: one row per {level1} to start with; for more rows, copy a whole row (from "
                        "“- level1:” to “{last}:”).").format(indicators=labels.indicators,
                                                             level1=caption(labels.level1),
                                                             last=profile.layout.columns[-1]))
    budget_year(year)
    authoring.validate_slug(slug)
    path = (args.out if args.out is not None else site.content / str(year)) / f"{slug}.md"
    folder_to_write(path.parent, "--out" if args.out is not None else None)
    real = escape_through_link(path.parent, site.root)
    if real is not None:
        raise UsageError(_("{folder}: leads outside the site (to {target}) through a link — nothing was written: "
                           "formgen writes only inside the site; replace the link with a folder").format(
            folder=path.parent, target=printable(str(real))))
    other = authoring.slug_in_use(site.content, slug, path)
    if other is not None:
        raise UsageError(_("the slug “{slug}” is already {other}: slugs are unique across the site; choose another "
                           "with --slug").format(slug=slug, other=other))
    header.insert(0, _("{form} (written by formgen new). Replace every “{placeholder}” with what goes there: "
                       "formgen check lists each one left, with its line. Keys marked optional may stay empty.")
                  .format(form=profile.labels.form_title, placeholder=PLACEHOLDER))  # the form's profile's title
    if args.profile is not None and profile.name != config.site.profile:
        values["profile"] = profile.name  # else check would read it as a form of the site's profile
    authoring.write_form(path, authoring.form_text(values, header=header, model=form_model(profile)),
                         force=args.force)
    print(_("wrote {path}: fill in every {placeholder}, then run formgen check {path}").format(
        path=path.as_posix(), placeholder=PLACEHOLDER))
    return 0
