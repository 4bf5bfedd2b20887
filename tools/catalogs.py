"""The message catalogs: extract formgen's texts, update every language's .po, compile each .mo.

    python tools/catalogs.py            # extract, update and compile (what `make catalogs` runs)
    python tools/catalogs.py --check    # exit 1 if a catalog is out of date or a translation is missing

Babel does the work (it is a development dependency: at run time formgen reads the compiled .mo with the
standard library's gettext). The output is stable — sorted, without source locations or dates — so that
a catalog changes only where a message does, and branches that add messages merge cleanly.
"""

from __future__ import annotations

import argparse
import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
LOCALES = PACKAGE / "locale"
DOMAIN = "formgen"
_EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SCAFFOLD = "scaffold/*"
"""The files `formgen init` writes: Jinja templates with the delimiters of generator/scaffolding.py."""


def extracted() -> Catalog:
    """Every marked text in formgen's source, as a template catalog."""
    template = Catalog(project="formgen", domain=DOMAIN, charset="utf-8", fuzzy=False,
                       copyright_holder="formgen contributors",
                       header_comment="# The messages of formgen (see generator/i18n.py); made by `make catalogs`.")
    sys.path.insert(0, str(ROOT))
    from generator.scaffolding import DELIMITERS

    methods = [("**.py", "python"), ("scaffold/example.yaml", "ignore"), (SCAFFOLD, "jinja2.ext:babel_extract")]
    for _filename, _line, message, _comments, context in extract_from_dir(
            PACKAGE, method_map=methods, options_map={SCAFFOLD: dict(DELIMITERS)}, keywords=KEYWORDS):
        template.add(message, None, context=context)
    for doc in field_docs():
        template.add(doc, None, auto_comments=["A field's doc: formgen new writes it beside the key."])
    return template


def field_docs() -> list[str]:
    """The docs of every field of every shipped profile's form model (docstrings, some written per profile),
    which `formgen new` writes beside each key: messages no keyword marks, so they are collected here."""
    from pydantic import BaseModel

    from generator.authoring import field_doc
    from generator.model import inner_model, keyed_model
    from generator.profile import form_model, shipped_profiles

    docs: dict[str, None] = {}

    def walk(model: type[BaseModel]) -> None:
        for info in model.model_fields.values():
            if field_doc(info):
                docs[field_doc(info)] = None
            inner = inner_model(info.annotation) or keyed_model(info.annotation)  # stated.funds: by row key
            if inner is not None:
                walk(inner)

    for profile in shipped_profiles().values():
        walk(form_model(profile))
    return list(docs)


def _stable(catalog: Catalog) -> Catalog:
    # Dates and versions in the header would make every run a change.
    catalog.creation_date = catalog.revision_date = _EPOCH
    catalog.fuzzy = False
    catalog.last_translator = "formgen contributors"
    catalog.language_team = "formgen"
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, _stable(catalog), width=0, no_location=True, omit_header=False, sort_output=True,
             ignore_obsolete=True, include_previous=False)
    return buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def updated(language: str, template: Catalog) -> Catalog:
    """The language's catalog with every message of `template`: translations kept, new ones empty."""
    catalog = read(language)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    return catalog


def _translated(message: Message) -> bool:
    """Whether a message has a whole translation (every plural form of one), not a fuzzy guess."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(forms)


def missing(catalog: Catalog) -> list[str]:
    """The messages with no translation (or only a fuzzy one)."""
    return sorted(str(message.id if isinstance(message.id, str) else message.id[0]) for message in catalog
                  if message.id and not _translated(message))


def start_catalog(language: str) -> None:
    """An empty catalog for `language`, to be filled by `updated` and a translator; an existing one stays."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_bytes(Catalog(locale=language, domain=DOMAIN, project="formgen",
                                      copyright_holder="formgen contributors")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing: exit 1 if a catalog is out of date")
    parser.add_argument("--take", metavar="PO", type=Path, action="append", default=[],
                        help="take translations from this .po file where a catalog has none (after a merge)")
    parser.add_argument("--init", metavar="LANG",
                        help="start a catalog for a new language (a locale name: ug, bo, zh_TW, mn), then update all")
    args = parser.parse_args()
    template = extracted()
    if args.init:
        start_catalog(args.init)
    donors = [read_po(path.open("rb")) for path in args.take]
    stale: list[str] = []
    if not args.check:
        (LOCALES / f"{DOMAIN}.pot").write_bytes(po_bytes(template))
    for language in languages():
        catalog = updated(language, template)
        for donor in donors:
            for message in catalog:
                given = donor.get(message.id, context=message.context) if message.id else None
                if given is not None and _translated(given) and not _translated(message):
                    message.string = given.string
        folder = LOCALES / language / "LC_MESSAGES"
        po, mo = po_bytes(catalog), mo_bytes(catalog)
        for path, data in ((folder / f"{DOMAIN}.po", po), (folder / f"{DOMAIN}.mo", mo)):
            if path.read_bytes() != data if path.exists() else True:
                stale.append(str(path.relative_to(ROOT)))
                if not args.check:
                    path.write_bytes(data)
        for message in missing(catalog):
            print(f"{language}: no translation: {message!r}", file=sys.stderr)
    if args.check and stale:
        print("out of date (run `make catalogs`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
