"""A new site for another unit (`formgen init`): the package's scaffold files, and one example form.

The files live in generator/scaffold/ as package data, under plain names; `SCAFFOLD` says where each
goes. The example form is written through `authoring.form_text`, like `formgen new`'s forms, so it
shows every field with its label, and it checks with no errors and no warnings.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .authoring import form_text
from .config import CONFIG_NAME
from .errors import UsageError

__all__ = ["EXAMPLE_SLUG", "SCAFFOLD", "Written", "example_form", "init_site"]

SCAFFOLD = {
    "formgen.toml": "formgen.toml",
    "site.html": "templates/site.html",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "workflow.yml": ".github/workflows/formgen.yml",
}
"""Each scaffold file of the package → its path in the new site."""

EXAMPLE_SLUG = "example-office-equipment"


@dataclass(frozen=True)
class Written:
    path: Path
    written: bool
    """False: the file was there already and was kept (``--force`` into a non-empty folder)."""


def _scaffold(name: str) -> str:
    return (importlib.resources.files("generator.scaffold") / name).read_text(encoding="utf-8")


def example_form(year: int) -> str:
    """The example form for `year`: filled in after the year ended, every date inside it."""
    source = _scaffold("example.yaml").replace("{next_year}", str(year + 1)).replace("{year}", str(year))
    example: dict[str, Any] = yaml.load(source, Loader=yaml.BaseLoader)  # text only, as formgen reads forms
    header = ["示例表：展示每一栏的写法，可以 formgen check 和 formgen build。换成本单位的表后删除本文件。",
              "An example: every field filled in; it checks and builds. Delete it once your own forms are here."]
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
        raise UsageError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise UsageError(f"{folder} is not empty: choose a new folder, or add --force "
                         "(files already there are kept, the others written)")
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
