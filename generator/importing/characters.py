"""Characters a source may hold that a form file must not: control characters, Unicode line separators,
digits of other scripts, and file names that carry any of them.

A form file is YAML, which refuses control characters (``formgen check`` fails on a DEL) and reads
U+2028, U+2029 and NEL as line breaks (a value would change on the way back). Published text never
means them: they come from copying out of office suites or from a PDF's odd font tables. The readers
clean every line with `clean_line` and report what was removed where; a name or place written into
the file or the report goes through `printable`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..reading import ascii_digits, printable  # ascii_digits: slugs use it too

__all__ = ["Removed", "ascii_digits", "clean_line", "describe", "printable"]

LINE_SEPARATORS = frozenset("\u2028\u2029\x85")
"""Line breaks to YAML and to `str.splitlines`, but not to the source's own line numbering (``\\n``)."""

_KEPT = frozenset("\n\t")
"""Control characters text keeps: the line end, and the tab extracted text uses between cells."""


def _unwritable(char: str) -> bool:
    """A character a form file cannot hold as it is: a control character (but `_KEPT`), a line
    separator, a lone surrogate (from a file name that is not UTF-8), or the non-characters U+FFFE
    and U+FFFF."""
    if char in _KEPT:
        return False
    return char in LINE_SEPARATORS or unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff"


@dataclass(frozen=True)
class Removed:
    """A character taken out of a line, or replaced by a space (a line separator)."""

    char: str
    column: int
    """1-based, in characters of the line as read."""

    @property
    def replaced(self) -> bool:
        """Replaced by a space rather than removed: it separates words (`str.isspace`), so that taking it
        out would join them — ``100\v200`` (Word's line break) must not become the figure 100200."""
        return self.char.isspace()


def clean_line(line: str) -> tuple[str, list[Removed]]:
    """A line of a source without the characters a form file cannot hold: a line separator, or a control
    character that separates words (vertical tab, U+001C–U+001F), becomes a space; any other control
    character is removed (it is invisible and separates nothing)."""
    if not any(_unwritable(char) for char in line):
        return line, []
    kept: list[str] = []
    removed: list[Removed] = []
    for column, char in enumerate(line, start=1):
        if not _unwritable(char):
            kept.append(char)
            continue
        removed.append(Removed(char, column))
        if removed[-1].replaced:
            kept.append(" ")
    return "".join(kept), removed


_NAMES = {"\x7f": "DELETE", "\x85": "NEXT LINE"}
"""Names of control characters, which Unicode's name table leaves out."""


def describe(removed: list[Removed], shown: int = 5) -> str:
    """``U+007F DELETE at column 5 removed, U+2028 LINE SEPARATOR at column 9 replaced by a space``."""
    parts = []
    for item in removed[:shown]:
        name = _NAMES.get(item.char) or unicodedata.name(item.char, "control character")
        what = "replaced by a space" if item.replaced else "removed"
        parts.append(f"U+{ord(item.char):04X} {name} at column {item.column} {what}")
    more = f" and {len(removed) - shown} more" if len(removed) > shown else ""
    return ", ".join(parts) + more


