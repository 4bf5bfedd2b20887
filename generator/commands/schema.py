"""formgen schema: the JSON Schema of a form's front matter, generated from the model."""

from __future__ import annotations

import argparse
import json
import sys

from ..schema import field_reference, form_schema

HELP = "print the JSON Schema of the front matter (every field with its Chinese label)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "markdown"), default="json",
                        help="json: JSON Schema; markdown: the field reference (docs/fields.md)")
    parser.add_argument("--indent", type=int, default=2, help="indentation of the JSON")


def run(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        sys.stdout.write(field_reference())
        return 0
    json.dump(form_schema(), sys.stdout, ensure_ascii=False, indent=args.indent)
    sys.stdout.write("\n")
    return 0
