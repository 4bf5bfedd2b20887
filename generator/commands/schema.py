"""formgen schema: the JSON Schema of a form's front matter, generated from the model."""

from __future__ import annotations

import argparse
import json
import sys

from ..schema import form_schema

HELP = "print the JSON Schema of the front matter (every field with its Chinese label)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indent", type=int, default=2, help="indentation of the JSON")


def run(args: argparse.Namespace) -> int:
    json.dump(form_schema(), sys.stdout, ensure_ascii=False, indent=args.indent)
    sys.stdout.write("\n")
    return 0
