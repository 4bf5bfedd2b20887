"""A new site for another unit (`formgen init`): the package's scaffold files, and one example form.

The files live in generator/scaffold/ as package data, under plain names; `SCAFFOLD` says where each
goes. The example form is written through `authoring.form_text`, like `formgen new`'s forms, so it
shows every field with its label.

The scaffold files are Jinja templates whose comments are messages of the catalog, so that the files a
unit gets speak its language (Chinese by default, English with ``--lang en``) and a translator adds a
language in the .po file alone: ``make catalogs`` extracts them with Jinja's Babel extractor. Their
delimiters are ``<< … >>`` (and ``<% … %>``), not ``{{ … }}``: site.html is itself a template of the
site, whose own Jinja must be written as it is. Every ``<< … >>`` stands in a comment or a value, so each
file is still valid TOML or YAML as it is stored (tests read them). A comment's message is one paragraph;
`authoring.wrapped` breaks it into lines to fit the file, the way each language breaks lines.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .authoring import WIDTH, form_text, wrapped
from .config import CONFIG_NAME
from .errors import UsageError
from .i18n import _

__all__ = ["EXAMPLE_SLUG", "SCAFFOLD", "Written", "example_form", "init_site"]

HOOK_SCRIPT = ".pre-commit-formgen.sh"
"""What the pre-commit hook runs: it finds formgen where a desktop git client's short PATH does not lead."""

SCAFFOLD = {
    "formgen.toml": "formgen.toml",
    "site.html": "templates/site.html",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "pre-commit-formgen.sh": HOOK_SCRIPT,
    "workflow.yml": ".github/workflows/formgen.yml",
}
"""Each scaffold file of the package → its path in the new site."""

EXAMPLE_SLUG = "example-office-equipment"


@dataclass(frozen=True)
class Written:
    path: Path
    written: bool
    """False: the file was there already and was kept (``--force`` into a non-empty folder)."""


DELIMITERS: dict[str, Any] = {"block_start_string": "<%", "block_end_string": "%>", "variable_start_string": "<<",
                              "variable_end_string": ">>", "comment_start_string": "<#", "comment_end_string": "#>"}
"""The scaffold templates' Jinja delimiters (tools/catalogs.py extracts their messages with the same)."""

_CONTINUED = "\0"  # marks a comment's next line: it takes the marks of the line above (`_continued`)


def _comment(text: str) -> str:
    """A comment's message broken into lines; each line after the first gets the marks of the line the
    message stands in (``# `` and its indent) once the file is rendered."""
    return ("\n" + _CONTINUED).join(wrapped(text, WIDTH))


def _continued(rendered: str) -> str:
    lines: list[str] = []
    for line in rendered.split("\n"):
        if line.startswith(_CONTINUED):
            marks = re.match(r"\s*(?:#+ ?)?", lines[-1])
            lines.append((marks.group(0) if marks else "") + line[len(_CONTINUED):])
        else:
            lines.append(line)
    return "\n".join(lines)


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML one


def _sh(text: str) -> str:
    """Text inside a double-quoted shell string."""
    return re.sub(r'(["\\$`])', r"\\\1", text)


_ENVIRONMENT = jinja2.Environment(**DELIMITERS, keep_trailing_newline=True, autoescape=False,
                                  undefined=jinja2.StrictUndefined)
_ENVIRONMENT.filters.update(comment=_comment, yaml=_yaml, sh=_sh)
_ENVIRONMENT.globals.update(_=_)  # looks the message up in the language active when the file is written


def _source(name: str) -> str:
    return (importlib.resources.files("generator.scaffold") / name).read_text(encoding="utf-8")


def _scaffold(name: str) -> str:
    """A scaffold file in the active language."""
    return _continued(_ENVIRONMENT.from_string(_source(name)).render())


def example_form(year: int) -> str:
    """The example form for `year`: filled in after the year ended, every date inside it."""
    source = _source("example.yaml").replace("{next_year}", str(year + 1)).replace("{year}", str(year))
    example: dict[str, Any] = yaml.load(source, Loader=yaml.BaseLoader)  # text only, as formgen reads forms
    header = [_("An example form: every field filled in, to show how each is written; formgen check and formgen "
                "build read it. Delete this file once your own forms are here: it would be published as the unit's "
                "own.")]
    return form_text(example["values"], example["body"], header)


def _files(year: int, example: bool) -> Iterator[tuple[str, str]]:
    for name, target in SCAFFOLD.items():
        yield target, _scaffold(name)
    if example:
        yield f"content/{year}/{EXAMPLE_SLUG}.md", example_form(year)


def init_site(folder: Path, year: int, force: bool = False) -> list[Written]:
    """Write a new site into `folder` (created if missing). A non-empty folder only with `force`, and
    then files already there are kept, not overwritten: `init` never destroys a unit's work. The example
    form is for a new site only: into a folder that is a site already (its formgen.toml is there), `force`
    writes none, since the unit deleted it once and it would be published as the unit's own."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(_("{folder} is a file, not a folder").format(folder=folder))
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise UsageError(_("{folder} is not empty: choose a new folder, or add --force (files already there are "
                           "kept, the others written)").format(folder=folder))
    written = []
    for relative, text in _files(year, example=not (folder / CONFIG_NAME).exists()):
        path = folder / relative
        if path.exists():
            written.append(Written(path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(Written(path, True))
    return written
