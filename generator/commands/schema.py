"""formgen schema [--profile NAME]: the JSON Schema of a form's front matter, generated from the model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import load_config
from ..errors import UsageError
from ..i18n import N_, _
from ..profile import form_model
from ..schema import field_reference, form_schema
from .common import locate_site

HELP = N_("print the JSON Schema of the front matter (every field with its Chinese label)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "markdown"), default="json", metavar="FORMAT",
                        help=_("json: JSON Schema, for editors; markdown: a table of every field with its label "
                               "and what to write"))
    parser.add_argument("--indent", type=int, default=2, metavar="N",
                        help=_("indentation of the JSON, in spaces (default: 2)"))
    parser.add_argument("--profile", metavar="NAME",
                        help=_("the profile (表样) whose forms to describe: reference, central, a province's or "
                               "one of the site's (formgen profiles lists them; default: formgen.toml's [site] "
                               "profile)"))
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help=_("formgen.toml to use (default: the nearest one from the working folder up)"))


def run(args: argparse.Namespace) -> int:
    config = load_config(locate_site(args).config)
    try:
        profile = config.profile_for(args.profile)
    except KeyError:
        raise UsageError(_("--profile {name}: not a profile; write one of {names} (`formgen profiles` describes "
                           "them)").format(name=args.profile, names=", ".join(config.profile_names()))) from None
    model = form_model(profile)
    if args.format == "markdown":
        sys.stdout.write(field_reference(model, profile.labels.conclusion))
        return 0
    json.dump(form_schema(model, profile.name, profile.labels.conclusion), sys.stdout, ensure_ascii=False,
              indent=args.indent)
    sys.stdout.write("\n")
    return 0
