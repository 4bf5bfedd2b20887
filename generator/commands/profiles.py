"""formgen profiles [--format text|json]: every profile a form of the site may name, where it comes from
and what it changes in its base.

A unit choosing a profile, or writing one that extends another, needs to see which exist, which province
and official template each follows, and what each changes: the keys whose value differs from its base's,
computed from the resolved profiles (not the file's text), so that a key written with its base's value
is no difference."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..config import load_config
from ..i18n import N_, _, ngettext
from ..profile import DEFAULT_PROFILE, PROFILES_FOLDER, Profile, base_of, differences, shipped_profiles
from ..reading import display_path
from .common import locate_site

HELP = N_("list the profiles (表样) a form may name: province, base, source and what each changes in its base")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", metavar="FORMAT",
                        help=_("output format: text, or json for programs"))
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=_("formgen.toml to use (default: the nearest one from the working folder up)"))


def _file(profile: Profile, own: bool, folder: Path | None) -> str:
    if own and folder is not None:
        return display_path(folder / PROFILES_FOLDER / f"{profile.name}.toml")
    return f"generator/profiles/{profile.name}.toml"


def _entries(path: Path | None) -> tuple[str, list[dict[str, Any]]]:
    """The site's profile and one entry per profile it may name: the shipped ones (the reference first),
    then the site's own; a site's profile of a shipped one's name is listed in its place."""
    config = load_config(path)
    site = config.site_profiles()
    shipped = shipped_profiles()
    names = [DEFAULT_PROFILE, *sorted(name for name in shipped if name != DEFAULT_PROFILE)]
    names += sorted(name for name in site if name not in shipped)
    entries = []
    for name in names:
        own = name in site
        profile = site[name] if own else shipped[name]
        base = base_of(profile, site)
        source = profile.source
        entries.append({
            "name": name, "title": profile.title, "province": source.title, "base": profile.extends,
            "origin": "site" if own else "shipped", "replaces_shipped": own and name in shipped,
            "file": _file(profile, own, path.parent if path is not None else None),
            "description": profile.description,
            "source": {"document": source.document, "url": source.url,
                       "date": source.date.isoformat() if source.date else "", "notes": source.notes},
            "differs": differences(profile, base)})
    return config.site.profile, entries


_SOURCE_KEYS = {"url": N_("  url: {value}"), "date": N_("  date: {value}"), "notes": N_("  notes: {value}")}
"""The lines of a profile's source besides its document, in this order, where the profile has them."""


def _text(site_profile: str, entries: list[dict[str, Any]]) -> str:
    lines = []
    for entry in entries:
        title = f"{entry['name']} — {entry['title']}"
        lines.append(_("{profile}  (the site's profile)").format(profile=title) if entry["name"] == site_profile
                     else title)
        lines.append(_("  province: {province}").format(province=entry["province"] or "—"))
        lines.append(_("  base: {base}").format(base=entry["base"] or _("— (the base of every other profile)")))
        source = entry["source"]
        lines.append(_("  source: {document}").format(document=source["document"] or "—"))
        lines += [_(line).format(value=source[key]) for key, line in _SOURCE_KEYS.items() if source[key]]
        if entry["base"]:
            lines.append(_("  differs from {base}: {keys}").format(
                base=entry["base"], keys=", ".join(entry["differs"]) or _("nothing")))
        if entry["origin"] != "site":
            where = _("shipped")
        elif entry["replaces_shipped"]:
            where = _("the site's, in place of the shipped one")
        else:
            where = _("the site's")
        lines.append(_("  file: {path} ({where})").format(path=entry["file"], where=where))
        lines.append("")
    own = sum(1 for entry in entries if entry["origin"] == "site")
    lines.append(ngettext("{count} profile: {shipped} shipped, {own} the site's; the site uses {profile} "
                          "(formgen.toml's [site] profile; a form's profile: key overrides it)",
                          "{count} profiles: {shipped} shipped, {own} the site's; the site uses {profile} "
                          "(formgen.toml's [site] profile; a form's profile: key overrides it)", len(entries)).format(
        count=len(entries), shipped=len(entries) - own, own=own, profile=site_profile))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    site_profile, entries = _entries(locate_site(args).config)
    if args.format == "json":
        json.dump({"site_profile": site_profile, "profiles": entries}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_text(site_profile, entries))
    return 0
