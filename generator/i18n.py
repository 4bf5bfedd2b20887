"""The language formgen speaks: Chinese by default, English on request, any other through a catalog.

Every user-facing text is written in English in the code and marked for translation: ``_("…")`` where it
is used, ``N_("…")`` where it is defined before the language is known (a command's help, a table of
messages), then translated with ``_()`` where it is shown. Placeholders are named (``{path}``) and
filled with ``str.format`` after translation, so a translation may reorder them.

The catalogs are GNU gettext's, as Python and Sphinx use them: ``generator/locale/<lang>/LC_MESSAGES/
formgen.po`` (translators edit it) and the compiled ``formgen.mo`` beside it (what is read at run time;
``make catalogs`` extracts the messages with Babel, updates every ``.po`` and compiles it). A language is
added by adding its folder: no code changes. The language is chosen by ``--lang`` on the command line,
else the ``FORMGEN_LANG`` environment variable, else Chinese; ``en`` is the source text itself.

argparse's own words (``usage:``, ``options``, ``error:``) come from its gettext calls: they are routed
through the same catalog, so ``formgen --help`` is one language throughout.
"""

from __future__ import annotations

import argparse
import gettext
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DEFAULT_LANGUAGE", "ENVIRONMENT_VARIABLE", "LOCALES", "N_", "_", "activate", "available", "language",
           "ngettext", "requested", "speak_through_argparse"]

DOMAIN = "formgen"
LOCALES = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "zh_CN"
SOURCE_LANGUAGE = "en"
"""The language the messages are written in: it needs no catalog."""
ENVIRONMENT_VARIABLE = "FORMGEN_LANG"
_ALIASES = {"zh": "zh_CN", "zh-cn": "zh_CN", "zh_cn": "zh_CN", "zh-hans": "zh_CN", "cn": "zh_CN", "chinese": "zh_CN",
            "en": "en", "en_us": "en", "en-us": "en", "en_gb": "en", "english": "en", "c": "en", "posix": "en"}

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def N_(message: str) -> str:
    """Mark a text for translation where it is defined; ``_()`` translates it where it is shown."""
    return message


def _(message: str) -> str:
    """The text in the active language (itself if the catalog lacks it)."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural text for `count`, in the active language (Chinese has one form for both)."""
    return _active.ngettext(singular, plural, count)


def available() -> list[str]:
    """The languages formgen speaks: English and every language with a compiled catalog."""
    found = sorted(path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [SOURCE_LANGUAGE, *found]


def normalized(name: str) -> str | None:
    """A language name as users write it (``zh``, ``zh-CN``, ``en_US.UTF-8``) → a catalog's name, or None."""
    bare = name.strip().split(".")[0].split("@")[0]
    key = _ALIASES.get(bare.lower(), bare)
    if key == SOURCE_LANGUAGE:
        return key
    for candidate in (key, key.split("_")[0].split("-")[0]):
        if (LOCALES / candidate / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
            return candidate
    return None


def requested(argv: Sequence[str] | None = None) -> str:
    """The language asked for: ``--lang X`` (or ``--lang=X``) anywhere on the command line, else
    FORMGEN_LANG, else Chinese. An unknown name falls back to Chinese: see `activate`'s caller."""
    words = list(argv or ())
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_LANGUAGE


def activate(name: str) -> str:
    """Speak `name` from now on (in this process and the workers it forks); returns the catalog's name,
    the default language's if `name` has no catalog."""
    global _active, _language
    chosen = normalized(name) or DEFAULT_LANGUAGE
    if chosen == SOURCE_LANGUAGE:
        _active = gettext.NullTranslations()
    else:
        _active = gettext.translation(DOMAIN, LOCALES, languages=[chosen], fallback=True)
    _language = chosen
    return chosen


def language() -> str:
    """The active language's name (``zh_CN``, ``en``): part of the key of everything that holds text."""
    return _language


def speak_through_argparse() -> None:
    """Route argparse's own words through the catalog. argparse looks them up through two module globals
    when it formats them; the CLI calls this when it builds its parser, so that importing formgen as a
    library leaves other programs' argparse (pytest's) as they were."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]

# argparse's words that formgen's users see, for extraction into the catalog (Python 3.11–3.13 wording).
_ARGPARSE = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    N_("invalid %(type)s value: %(value)r"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"), N_("one of the arguments %s is required"),
)

activate(os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_LANGUAGE)
