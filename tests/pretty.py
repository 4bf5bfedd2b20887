"""The form in which golden files are stored: one element, one JSON member, one CSV row a line.

formgen publishes pages with little white space between tags, so a page stored as published diffs as a
few huge lines and a template change cannot be reviewed. These functions lay the same bytes out a line per
element. They drop exactly one thing: white space that stands alone between two tags. Everything else
(the text in each cell with its inner spaces, every attribute as written, the order of elements and
members) stays on the page as it was published, each piece copied from the original bytes. The
white space they drop, and escapes that JSON decoding hides, are caught by the byte digests that
test_golden keeps beside these files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

INDENT = "  "

# Tags that are never closed, so they do not open a level of indentation.
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"))
# Elements whose content is kept exactly as published, tags and white space included: in <pre> and
# <textarea> white space is what the reader sees, in <script> and <style> it is code.
_VERBATIM = frozenset(("pre", "textarea", "script", "style"))

# One token of HTML, copied whole from the source: a comment, a doctype, an end tag, a start tag (quoted
# attribute values may hold ">") or the text up to the next "<".
_TOKEN = re.compile(r"""
    (?P<comment><!--.*?-->)
  | (?P<decl><![^>]*>)
  | (?P<end></(?P<endname>[A-Za-z][^\s/>]*)\s*>)
  | (?P<start><(?P<name>[A-Za-z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>)
  | (?P<text>[^<]+|<)
""", re.VERBOSE | re.DOTALL)


Token = tuple[str, str]
"""What a piece of the page is (comment, decl, end, start or text) and the piece as published."""


def _typed_tokens(page: str) -> list[Token]:
    tokens: list[Token] = []
    at = 0
    while at < len(page):
        match = _TOKEN.match(page, at)
        assert match is not None and match.lastgroup is not None  # the last alternative matches any character
        kind = "start" if match.group("start") else "end" if match.group("end") else match.lastgroup
        tokens.append((kind, match.group()))
        at = match.end()
        name = (match.group("name") or "").lower()
        if name in _VERBATIM:
            # The content up to the matching end tag is one text, whatever it holds.
            close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(page, at)
            stop = close.start() if close else len(page)
            if stop > at:
                tokens.append(("text", page[at:stop]))
            at = stop
    return tokens


def html_tokens(page: str) -> list[str]:
    """The page cut into tags and texts; joined again they are the page, byte for byte."""
    return [text for _kind, text in _typed_tokens(page)]


def _tag_name(token: str) -> str:
    return re.match(r"</?([A-Za-z][^\s/>]*)", token).group(1).lower()  # type: ignore[union-attr]


def _opens(token: Token) -> bool:
    """A start tag that opens a level: not void, not self-closed."""
    kind, text = token
    return kind == "start" and not text.endswith("/>") and _tag_name(text) not in _VOID


def _one_line_element(tokens: list[Token], index: int) -> int:
    """How many tokens from `index` make an element holding only text (`<td>18.33</td>`, `<p></p>`), or 0."""
    if not _opens(tokens[index]):
        return 0
    name = _tag_name(tokens[index][1])
    for length in (3, 2):
        span = tokens[index + 1:index + length]
        if len(span) == length - 1 and span[-1][0] == "end" and _tag_name(span[-1][1]) == name \
                and all(kind == "text" for kind, _text in span[:-1]):
            return length
    return 0


def html_lines(page: str) -> list[tuple[int, str]]:
    """The page's lines before indentation: (depth, the tags and text of the line, copied from the page).

    An element holding only text stays on one line: `<td class="num">18.33</td>` stays whole, so a change
    to one cell's text is a one-line diff that names the cell."""
    tokens = [token for token in _typed_tokens(page) if token[1].strip()]
    lines: list[tuple[int, str]] = []
    depth = 0
    index = 0
    while index < len(tokens):
        length = _one_line_element(tokens, index) or 1
        if tokens[index][0] == "end":
            depth = max(depth - 1, 0)
        lines.append((depth, "".join(text for _kind, text in tokens[index:index + length])))
        if length == 1 and _opens(tokens[index]):
            depth += 1
        index += length
    return lines


def pretty_html(page: str) -> str:
    """One element, tag or text a line, indented by depth."""
    return "".join(f"{INDENT * depth}{line}\n" for depth, line in html_lines(page))


class _Number(str):
    """A JSON number as it was written (so 9.50 does not come back as 9.5)."""


class _Object(list[tuple[str, Any]]):
    """A JSON object's members in their published order (a dict would hide a repeated key)."""


def _json(value: Any, depth: int) -> str:
    pad = INDENT * (depth + 1)
    if isinstance(value, _Object):
        members = [f"{pad}{json.dumps(key, ensure_ascii=False)}: {_json(member, depth + 1)}" for key, member in value]
        return "{\n" + ",\n".join(members) + "\n" + INDENT * depth + "}" if members else "{}"
    if isinstance(value, list):
        items = [pad + _json(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + INDENT * depth + "]" if items else "[]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(object_pairs_hook=_Object, parse_float=_Number, parse_int=_Number,
                            parse_constant=_Number)


def pretty_json(text: str) -> str:
    """One member or item a line, in the published order, numbers as written."""
    return _json(_decoder().decode(text), 0) + "\n"


def pretty_script(text: str) -> str:
    """`window.NAME = {...};`: the JSON value laid out as pretty_json does, what surrounds it kept."""
    start = min(at for at in (text.find("{"), text.find("[")) if at >= 0)
    value, end = _decoder().raw_decode(text, start)
    return text[:start] + _json(value, 0) + text[end:]


def pretty(relative: str, text: str) -> str:
    """The stored form of a published file, chosen by its name."""
    if relative.endswith(".html"):
        return pretty_html(text)
    if relative.endswith(".json"):
        return pretty_json(text)
    if relative.endswith(".js"):
        return pretty_script(text)
    if relative.endswith(".csv"):
        # Already a row a line; checked to be sure no cell spans lines, which would make a row two.
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == text.count("\n") + (not text.endswith("\n")), f"{relative}: a cell spans lines"
        return text
    raise ValueError(f"no stored form for {relative}")
