"""formgen help [TOPIC]: the documentation, in the terminal, from the copy installed with formgen.

The topics are the pages of the repository's docs/ folder, shipped as the package data
`generator.docs` (pyproject.toml maps the folder, as it does templates/): one copy of the docs, readable
where formgen is installed without its repository. Where docs/zh/ has a page in Chinese, a user who reads
Chinese (the default language) gets that one.
"""

from __future__ import annotations

import argparse
import importlib.resources
import sys
from importlib.resources.abc import Traversable

from .. import i18n
from ..errors import UsageError
from ..i18n import N_, _

HELP = N_("show the documentation in the terminal: the list of topics, or one of them")

_DOCS = "generator.docs"
_SUFFIX = ".md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topic", nargs="?", metavar="TOPIC",
                        help=_("the topic to show (without it: the list of topics, each with its title)"))


def _pages() -> dict[str, Traversable]:
    """Each topic's page in the active language: the Chinese one where docs/zh/ has it and messages are in
    Chinese, else the English one."""
    docs = importlib.resources.files(_DOCS)
    pages = {entry.name.removesuffix(_SUFFIX): entry for entry in docs.iterdir()
             if entry.name.endswith(_SUFFIX) and entry.is_file()}
    if i18n.language().startswith("zh"):
        translated = docs / "zh"
        pages |= {name: translated / f"{name}{_SUFFIX}" for name in pages
                  if (translated / f"{name}{_SUFFIX}").is_file()}
    return dict(sorted(pages.items()))


def _title(page: Traversable) -> str:
    """A page's first heading, without its ``#``: what the list shows beside the topic's name."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def topic_name(asked: str) -> str:
    """The topic a user means: ``checks``, also as written in a link (``docs/checks.md``, ``Checks.md``)."""
    name = asked.strip().replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name.removesuffix(_SUFFIX)


def run(args: argparse.Namespace) -> int:
    pages = _pages()
    if args.topic is None:
        width = max(len(name) for name in pages)
        print(_("Topics (formgen help TOPIC shows one):"))
        for name, page in pages.items():
            print(f"  {name.ljust(width)}  {_title(page)}")
        return 0
    name = topic_name(args.topic)
    if name not in pages:
        raise UsageError(_("{topic}: no such help topic; write one of {topics}").format(
            topic=args.topic, topics=", ".join(pages)))
    sys.stdout.write(pages[name].read_text(encoding="utf-8"))
    return 0
