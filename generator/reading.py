"""Files → raw documents: bytes, encoding, front matter, YAML with a line number for every key.

The only module that knows YAML exists. It uses libyaml's C parser (six times faster than the
pure-Python one: YAML dominates the cost of reading a form) with safe construction, and adds:

* every scalar is the text as written (YAML 1.1's implicit typing is off): the model turns it into
  `Decimal`, dates and integers, so 845371.59 is never a float and 0120 is never octal;
* every key and list item gets its line, so that any finding can name it;
* aliases (``*anchor``) are refused: a form has no use for them, and they are how "billion laughs"
  bombs make a small file expand without bound;
* duplicate keys are refused instead of silently keeping the last one.

A file that cannot be read becomes a `Finding` with its line, never a traceback. What a pull request
can commit is not trusted: a form file, or a folder of them, that is a symbolic link leading outside
the site is reported and never read; only regular files are read (never a device or a pipe), and at
most `MAX_FILE_BYTES` of them; characters that editors and YAML count as different lines, or do not
show, are reported at their line (and the rest of the file is still checked).

Why one module: it is the only module that knows YAML exists, and every part turns bytes into a `Document` or a
`ReadError` at a line: the file's safety, its encoding, invisible characters, input-method slips, the YAML itself. The
input-method repairs (`_SUSPECT` to `_ime_slips`, ~170 lines) and the discovery of files (`discover`, `_walk`) could
each move out; they stay, as the repairs know YAML's syntax and discovery shares the site's boundary with `read_bytes`.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Where the front matter starts and ends, and nothing else: its YAML goes through _FormLoader below. Kept
# rather than replaced by a regex of our own (README.md, "Dependencies"): its handler's documented API
# (detect, split, FM_BOUNDARY) is the common reading of Jekyll-style `---` blocks, and it costs no package
# besides PyYAML.
from frontmatter.default_handlers import YAMLHandler

from .findings import Finding, Level, Reported
from .i18n import N_, _

__all__ = ["MAX_FILE_BYTES", "Document", "ReadError", "ascii_digits", "discover", "display_path", "escape_through_link",
           "printable", "read_bytes", "read_document", "read_text"]

try:  # libyaml's C parser; the pure-Python one is the fallback on a machine without libyaml
    _BaseLoader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - every supported install has libyaml
    _BaseLoader = yaml.BaseLoader

LineMap = dict[tuple[str | int, ...], int]


class ReadError(Reported):
    """A file that is not a readable form file: raised with the finding that says why, at its line (in no
    file yet: who reads the file names it, `at`)."""

    def __init__(self, line: int, code: str, message: str, fix: str) -> None:
        super().__init__(Finding("", line, Level.ERROR, code, "", "", message, fix))


_DEFAULT_TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
                 yaml.MappingNode: "tag:yaml.org,2002:map"}


class _FormLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Every scalar is loaded as the text written; the typed model (model.py) gives it its type.

    YAML 1.1's implicit typing is where a form's figures go wrong: 0120 becomes the octal 80, 1:20
    becomes 80, 845371.59 becomes a float, 2025-02-30 a crash, and a reason "no" becomes False.
    Loading text and typing it in the model avoids all of them, and is faster."""

    # libyaml calls these in Python for every node; with every scalar kept as text there is nothing
    # to resolve, so they are reduced to what they return for us (a fifth of the reading time).
    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


@dataclass
class Document:
    """One form file as read: its front matter as plain data, the body, and where everything is."""

    path: Path
    """The file, as found under the content folder."""
    display: str
    """The path as printed in findings (relative to the working folder where possible)."""
    slug: str
    """The form's identity: the file name without ``.md``."""
    data: dict[str, Any]
    lines: LineMap = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    read_errors: tuple[ReadError, ...] = ()
    """Problems of the text that did not stop it from being read (invisible characters), each at its line."""
    sha256: str = ""
    """The hash of the file's bytes as read: what an incremental build keys the form's page on, without
    reading the file a second time."""
    raw: bytes = b""
    """The file's bytes as read and checked: the PDF stage of a build makes the form's PDF from these
    (`pipeline.load_entry(raw=…)`), never from the file again, which may have changed since."""

    def release(self, keep: frozenset[str]) -> None:
        """Drop what is only needed until the form is validated and checked: the raw data, and the lines
        of every key but those whose name is in `keep` (what later, cross-form checks may report on).
        A site of 10,000 forms holds about a third less memory this way."""
        self.data = {}
        self.lines = {loc: line for loc, line in self.lines.items()
                      if not loc or (isinstance(loc[-1], str) and loc[-1] in keep)}

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """The line of a key path, or of its nearest parent that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _path_text(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path) or _("the front matter")


def _build(node: yaml.Node, offset: int, path: tuple[str | int, ...], lines: LineMap, seen: set[int],
           line: int) -> Any:
    """The node as plain data (text, lists, dicts), recording the line of every key and item.

    One walk does what PyYAML's constructor would do (with every scalar kept as text there is
    nothing else to construct) and refuses aliases and odd keys on the way. `line` is where `node`
    is written: a node reached twice is an alias, whose own mark would point at its anchor."""
    if id(node) in seen:
        raise ReadError(line, "yaml-alias", _("a YAML alias (*name) is used under “{path}”").format(
            path=_path_text(path)), _("write the value out in full: aliases are not allowed in a form"))
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + offset
            if not isinstance(key_node, yaml.ScalarNode):
                raise ReadError(key_line, "yaml-key", _("a list or mapping stands where a field name should be"),
                                _("field names are words such as title or funds (`formgen schema` lists them)"))
            key = key_node.value
            child = (*path, key)
            if child in lines:
                raise ReadError(key_line, "yaml-duplicate-key", _("key “{key}” appears twice (first on line {line})")
                                .format(key=key, line=lines[child]),
                                _("keep one of them: YAML would silently use only the last"))
            lines[child] = key_line
            mapping[key] = _build(value_node, offset, child, lines, seen, key_line)
        return mapping
    items: list[Any] = []
    for index, item in enumerate(node.value):
        child = (*path, index)
        item_line = item.start_mark.line + offset if id(item) not in seen else line
        lines[child] = item_line
        items.append(_build(item, offset, child, lines, seen, item_line))
    return items


_QUOTE_FIRST = {">": ">", "|": "|", "*": "*", "&": "&", "@": "@", "`": "`", "%": "%", "!": "!"}


_PROBLEMS = {
    "could not find expected ':'": N_("this line is not “name: value”"),
    "mapping values are not allowed here": N_("a colon and a space “: ” stand inside a value"),
    "mapping values are not allowed in this context": N_("a colon and a space “: ” stand inside a value"),
    "did not find expected ',' or '}'": N_("a row in { } is not closed, or its fields are not separated by “, ”"),
    "did not find expected ',' or ']'": N_("a list in [ ] is not closed, or its items are not separated by “, ”"),
    "found character '\\t' that cannot start any token": N_("a tab character stands here"),
    "found character that cannot start any token": N_("a value starts with a character that YAML reserves"),
    "expected <block end>, but found '-'": N_("a row starting with “- ” is not in line with the rows above it"),
    "expected <block end>, but found '<block mapping start>'": N_("this line is not in line with the lines above it"),
    "expected <block end>, but found '<scalar>'": N_("this line is not in line with the lines above it"),
    "found unexpected end of stream": N_("a quotation mark is opened and never closed"),
    "did not find expected key": N_("this line is not in line with the lines above it"),
    "did not find expected comment or line break": N_("more text follows where the value should end"),
    "did not find expected '-' indicator": N_("this line is not in line with the rows above it"),
    "found undefined alias": N_("a value starts with * (YAML reads it as an alias)"),
    "found undefined tag handle": N_("a value starts with ! (YAML reads it as a tag)"),
}
"""libyaml's words for the slips clerks make, as a clerk would say them (unlisted ones are shown as they are)."""


def _problem_text(problem: str, source_line: str) -> str:
    if "\t" in source_line and "cannot start any token" in problem:
        return _("a tab character stands here")  # libyaml does not name the character
    known = _PROBLEMS.get(problem)
    return _(known) if known else problem


def _yaml_hint(problem: str, source_line: str, column: int) -> str:
    """A fix for a YAML syntax error, from the character where the parser stopped."""
    stripped = source_line.strip()
    if "\t" in source_line[: max(column, 1)] or "\t" in source_line.lstrip(" ")[:1]:
        return _("indent with spaces, not tabs")
    if "：" in source_line:
        return _("a colon in this line is the full-width “：”: write the field name (in English: `formgen schema` "
                 "lists them), a half-width colon and a space, e.g. “weight: 10”")
    for index in range(min(column, len(source_line) - 1), -1, -1):
        char = source_line[index]
        if char in _QUOTE_FIRST and (index == 0 or source_line[index - 1] in " :{[,"):
            return (_("a value that starts with {char} must be quoted, e.g. '{char}=90%'").format(char=char)
                    if char in "><" else _("a value that starts with {char} must be quoted").format(char=char))
        if char in ":,{[":
            break
    if "mapping values are not allowed" in problem:
        return _("a text with ': ' in it must be quoted")
    if "could not find expected ':'" in problem:
        return _("write each field as “name: value”, with a half-width colon and a space")
    if stripped.startswith("- ") or "expected <block end>" in problem or "expected key" in problem:
        return _("check the indentation: keys of one mapping start in the same column")
    return _("fix the YAML syntax at that spot (check indentation and quotes)")


def _load_yaml(front: str, offset: int) -> tuple[Any, LineMap]:
    loader = _FormLoader(front)
    try:
        node = loader.get_single_node()
        lines: LineMap = {}
        if node is None:
            return None, lines
        lines[()] = node.start_mark.line + offset
        return _build(node, offset, (), lines, set(), lines[()]), lines
    except yaml.MarkedYAMLError as error:
        # A key without its ": " (a full-width colon) is found only at the next line: name the key's own.
        simple_key = error.context == "while scanning a simple key" and error.context_mark is not None
        mark = error.context_mark if simple_key else error.problem_mark or error.context_mark
        line = (mark.line + offset) if mark else offset
        source_lines = front.splitlines()
        source_line = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
        problem = error.problem or str(error)
        near = source_line.strip()[:40]
        message = (_("the front matter is not valid YAML near “{near}”: {problem}") if near
                   else _("the front matter is not valid YAML: {problem}"))
        raise ReadError(line, "yaml-syntax", message.format(near=near, problem=_problem_text(problem, source_line)),
                        _yaml_hint(problem, source_line, mark.column if mark else 0)) from None
    except yaml.YAMLError as error:
        raise ReadError(offset, "yaml-syntax", _("the front matter is not valid YAML: {problem}").format(
            problem=error), _("fix the YAML syntax")) from None
    except RecursionError:
        raise ReadError(offset, "yaml-too-deep", _("the front matter is nested too deeply"),
                        _("a form's front matter is at most a few levels deep")) from None
    finally:
        loader.dispose()


_MASKED = re.compile(r""""[^"\n]*"|'[^'\n]*'""")
_KEY_AT = re.compile(r"(?:^(?P<indent>[ \u3000]*)(?P<dash>[-－][ \u3000]+)*|(?P<sep>[{｛,，])[ \u3000]*)"
                     r"(?P<key>[A-Za-z_][A-Za-z0-9_]*|(?P<label>[\u4e00-\u9fff（）()]{1,12}))[ \u3000]*"
                     r"(?P<colon>[:：])(?P<after>.?)")
_DASH = re.compile(r"^[ \u3000]*(?P<dash>－)[ \u3000]")
_BLOCK_SCALAR = re.compile(r"[:-]\s+[|>][-+0-9]*\s*$")
_SUSPECT = re.compile(r"[\u3000｛－]|[A-Za-z_][A-Za-z0-9_]*[ ]*：|，[ ]*[A-Za-z_]"
                      r"|[{,][ ]*[\u4e00-\u9fff（）()]{1,12}[ ]*："
                      r"|^[ \t]*(?:-[ \t]+)?[A-Za-z_][A-Za-z0-9_]*:[^ \t\n]"
                      r"|[{,][ \t]*[A-Za-z_][A-Za-z0-9_]*:[^ \t\n,}]", re.MULTILINE)
"""What any slip of `_ime_line` has (and little else has): most forms, and most lines, have none of it, and
are not looked at further (reading stays as fast as YAML lets it)."""
# `_suspect`'s pieces of `_SUSPECT`. Python's re tries every alternative of a pattern at every character, and
# tries a pattern that starts with no fixed character at each one too; a pattern that starts with a fixed
# character jumps from one of those to the next. So the ones that end in "：" are searched for backwards.
_COMMA_KEY = re.compile(r"，[ ]*[A-Za-z_]")
_COLON_KEY_BACKWARDS = re.compile(r"：[ ]*(?:[0-9]*[A-Za-z_]|[\u4e00-\u9fff（）()]{1,12}[ ]*[{,])")
_COLON_NO_SPACE = re.compile(r":[^ \t\n]")
_ASCII_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?[A-Za-z_][A-Za-z0-9_]*:[^ \t\n]"
                        r"|[{,][ \t]*[A-Za-z_][A-Za-z0-9_]*:[^ \t\n,}]", re.MULTILINE)


def _suspect(front: str) -> bool:
    """Whether `_SUSPECT` matches somewhere in `front`: the same answer, several times faster on a whole front
    matter (tests/test_reading_ime.py compares them)."""
    return ("\u3000" in front or "｛" in front or "－" in front or _COMMA_KEY.search(front) is not None
            or ("：" in front and _COLON_KEY_BACKWARDS.search(front[::-1]) is not None)
            or (_COLON_NO_SPACE.search(front) is not None and _ASCII_KEY.search(front) is not None))


_FLOW_START = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)?(?:[A-Za-z_][A-Za-z0-9_]*:[ ]+)?)｛(?=.*｝\s*$)")


def _code_part(line: str) -> str:
    """The line with quoted texts masked (same length) and its comment cut: where YAML's syntax is."""
    masked = _MASKED.sub(lambda match: match.group()[0] + "x" * (len(match.group()) - 2) + match.group()[-1], line)
    comment = re.search(r"(?:^|[ \t\u3000])#", masked)
    return masked[: comment.start()] if comment else masked


def _in_flow(code: str, position: int) -> bool:
    before = code[:position]
    return before.count("{") + before.count("｛") > before.count("}") + before.count("｝")


Slip = tuple[str, str, str]
"""An input-method slip: its code, what is wrong and the fix."""
Edit = tuple[int, int, str]
"""A repair of a line: the characters from one index to another replaced by a text."""


def _ime_line(line: str, number: int) -> tuple[str, ReadError | None]:
    """One line of front matter with the half-width characters a Chinese input method typed full-width where
    YAML needs them (the colon after a field name, the space after it, indentation, a row's braces and commas,
    a list's dash), and the first such slip as an error at the line. Only where YAML's syntax is: quoted texts,
    comments and Chinese text are never touched."""
    edits: list[Edit] = []
    slips: list[Slip] = []
    code = _line_start_slips(_code_part(line), edits, slips)
    _key_slips(code, edits, slips)
    if not slips:
        return line, None
    for start, end, text in sorted(edits, reverse=True):
        line = line[:start] + text + line[end:]
    return line, ReadError(number, *slips[0])


def _line_start_slips(code: str, edits: list[Edit], slips: list[Slip]) -> str:
    """The slips where a line starts (its indent, a row's dash, a row's braces), added to `edits` and `slips`;
    the code with the dash and braces repaired, so that the keys after them are found."""
    indent = re.match(r"[ \u3000]*", code)
    if indent and "\u3000" in indent.group():
        edits.append((0, indent.end(), " " * indent.end()))
        slips.append(("yaml-full-width", _("the line is indented with full-width spaces “　”"),
                      _("indent with half-width spaces (switch the input method to half-width, or retype the spaces)")))
    dash = _DASH.match(code)
    if dash:
        edits.append((dash.start("dash"), dash.end("dash"), "-"))
        code = code[:dash.start("dash")] + "-" + code[dash.end("dash"):]
        slips.append(("yaml-full-width", _("the list item starts with a full-width dash “－”"),
                      _("write a half-width dash and a space “- ” at the start of the row")))
    braces = _FLOW_START.match(code)
    if braces:
        start, end = braces.end() - 1, code.rstrip().rindex("｝")
        edits += [(start, start + 1, "{"), (end, end + 1, "}")]
        code = code[:start] + "{" + code[start + 1:end] + "}" + code[end + 1:]
        slips.append(("yaml-full-width", _("the row is enclosed in full-width braces “｛ ｝”"),
                      _("write half-width braces “{ }” around the row")))
    return code


def _key_slips(code: str, edits: list[Edit], slips: list[Slip]) -> None:
    """The slips around each field name of a line (the comma before it, its colon, the space after the
    colon), added to `edits` and `slips`."""
    for match in _KEY_AT.finditer(code):
        key, colon, after, separator = match["key"], match["colon"], match["after"], match["sep"]
        flow = separator is not None and _in_flow(code, match.start())
        if (separator is not None or match["label"]) and not flow:
            continue  # a comma or a colon in a text, not between the fields of a row
        if separator == "，":
            edits.append((match.start("sep"), match.end("sep"), ", "))
            slips.append(("yaml-full-width", _("a full-width comma “，” stands before `{key}`").format(key=key),
                          _("separate the fields of a row with half-width commas: `, {key}: `").format(key=key)))
        if colon == "：":
            end = match.end("colon") + (1 if after in (" ", "\u3000") else 0)
            edits.append((match.start("colon"), end, ": "))
            slips.append(("yaml-full-width", _("the colon after `{key}` is the full-width “：”").format(key=key),
                          _("write a half-width colon and a space: `{key}: `").format(key=key)))
        elif after == "\u3000":
            edits.append((match.start("after"), match.end("after"), " "))
            slips.append(("yaml-full-width", _("`{key}:` is followed by a full-width space “　”").format(key=key),
                          _("type a half-width space after the colon: `{key}: `").format(key=key)))
        elif after not in ("", " ", "\t", "/") and not (flow and after in ",}"):
            edits.append((match.start("after"), match.start("after"), " "))
            slips.append(("yaml-colon-space", _("there is no space after the colon of `{key}:`").format(key=key),
                          _("write a space after the colon: `{key}: `").format(key=key)))


def _ime_slips(front: str, offset: int) -> tuple[str, list[ReadError]]:
    """The front matter with `_ime_line`'s repairs, and an error at each line repaired: the form is still read
    (so that one run shows every other problem too), and the error keeps it from being published until the
    file itself says what it means. Lines of a block text (after ``|`` or ``>``) are text, never repaired."""
    if not _suspect(front):
        return front, []
    lines = front.split("\n")
    errors: list[ReadError] = []
    block_indent: int | None = None
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _SUSPECT.search(line):
            lines[index], error = _ime_line(line, index + offset)
            if error is not None:
                errors.append(error)
        if ("|" in line or ">" in line) and _BLOCK_SCALAR.search(_code_part(lines[index])):
            block_indent = indent
    return ("\n".join(lines), errors) if errors else (front, [])


_HANDLER = YAMLHandler()
_KINDS: dict[type, str] = {list: N_("a list"), str: N_("a single text")}

MAX_FILE_BYTES = 1024 * 1024
"""The largest form file read (1 MiB). A real form is 5 to 20 KB, its 自评结论 included; a larger file is
a mistake (a pasted document, a generated file), and reading stops there instead of filling the memory."""

# Byte order marks of the encodings a Windows editor may save in ("Unicode" in Notepad is UTF-16 LE);
# UTF-32's come first, as UTF-32 LE's starts with UTF-16 LE's.
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"))

_INVISIBLE_CHARACTERS = ("\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                         "\ufeff\ufdd0-\ufdef\ufffe\uffff")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
"""Characters a form has no use for, that editors do not show, and that shift line numbers: control
characters (DEL, NEL U+0085…), the line and paragraph separators U+2028/U+2029 (Python and YAML count a
line there, editors do not), bidirectional overrides (they make published text read other than it is),
a byte order mark inside the text, and noncharacters (U+FFFE)."""


def _utf16_or_32(raw: bytes) -> str | None:
    """The name of the wide encoding a file is saved in, from its byte order mark or (without one) from a
    first line ``---`` written two or four bytes a character; None for any other file."""
    for mark, name in _BOMS:
        if raw.startswith(mark):
            return name
    for name, codecs in (("UTF-32", ("utf-32-le", "utf-32-be")), ("UTF-16", ("utf-16-le", "utf-16-be"))):
        if any(raw.startswith("---".encode(codec)) for codec in codecs):
            return name
    return None


_UNNAMED = {"Cc": N_("a control character"), "Cn": N_("a noncharacter")}
_UNPRINTABLE = re.compile(f"[\x00\t\n\r{_INVISIBLE_CHARACTERS}\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` (a file name, a library's message quoting a file) with line ends, tabs, invisible characters
    and lone surrogates (a file name that is not UTF-8) written as ``\\u000a``: a finding stays one line,
    and a name cannot send escape codes to the terminal, fake another finding or fail to print."""
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII: ``٢٠٢٤`` (Arabic-Indic) and ``２０２４`` (full-width) → ``2024``.
    Years, dates and figures are read through it, so a file name and a form file hold ASCII digits."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def _invisible_characters(text: str) -> tuple[str, list[ReadError]]:
    """`text` with each character of `_INVISIBLE` replaced by U+FFFD (so that the YAML parser, which would
    refuse some and count a line at others, reads the rest as written, and every other problem is still
    found), and one error for each line that has any, at that line as editors count it."""
    errors: dict[int, ReadError] = {}
    for match in _INVISIBLE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line in errors:
            continue
        character = match.group()
        code = f"U+{ord(character):04X}"
        name = unicodedata.name(character, "") or _(_UNNAMED.get(unicodedata.category(character),
                                                                N_("an invisible character")))
        errors[line] = ReadError(
            line, "text-invisible", _("an invisible character {code} ({name}) is on this line").format(
                code=code, name=name),
            _("delete the invisible character (an editor may not show it: retype the line, or search for {code}); "
              "it hides text or shifts line numbers").format(code=code))
    if not errors:
        return text, []
    return _INVISIBLE.sub("\ufffd", text), list(errors.values())


def read_text(raw: bytes) -> str:
    """Decode a form file: UTF-8 (with or without BOM), line ends normalised to LF."""
    if not raw.strip():
        raise ReadError(1, "file-empty", _("the file is empty"),
                        _("write a form (`formgen new` makes one to fill in), or delete the file"))
    wide = _utf16_or_32(raw)
    if wide is not None:
        raise ReadError(1, "file-encoding", _("the file is saved as {encoding}, not UTF-8").format(encoding=wide),
                        _("save it as UTF-8 (Notepad: 另存为, 编码 UTF-8), or `iconv -f {encoding} -t UTF-8 in.md > "
                          "out.md`").format(encoding=wide))
    if b"\x00" in raw:
        raise ReadError(1, "file-binary", _("the file is binary, not text"),
                        _("a form is a UTF-8 text file; remove this file from the content folder"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
            message = _("the file is not UTF-8 (it looks like GBK/GB18030)")
        except UnicodeDecodeError:
            message = _("the file is not UTF-8 (the encoding is unknown)")
        raise ReadError(line, "file-encoding", message,
                        _("save it as UTF-8 (Notepad: 另存为, 编码 UTF-8), or `iconv -f GBK -t UTF-8 in.md > out.md`")
                        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _boundary(path: Path, site: Path) -> Path:
    """The folder a form file (or a folder of them) must stay inside, whatever links say: the site (the
    working folder) when the path, as written, lies in it; else the folder written around it (a PATH
    outside the site is the user's own choice, its links still may not lead elsewhere)."""
    written = Path(os.path.abspath(path))  # ".." folded as written, links not followed
    root = Path(os.path.realpath(site))
    for candidate in (Path(os.path.abspath(site)), root):
        if _inside(written, candidate):
            return root
    return Path(os.path.realpath(written.parent))


def escape_through_link(path: Path, site: Path) -> Path | None:
    """Where `path` really is, if it names a place inside `site` that a link takes outside it; else None.
    A path named outside the site is the user's own choice on their own machine and is taken as it is;
    a link inside the site may have come with a pull request, and is never followed out of it."""
    named, root = Path(os.path.abspath(path)), Path(os.path.abspath(site))
    if not named.is_relative_to(root):
        return None
    real = named.resolve()
    return None if real.is_relative_to(root.resolve()) else real


def _outside_site() -> ReadError:
    return ReadError(1, "link-outside-site", _("this is a symbolic link, or lies in a linked folder, that leads "
                                               "outside the site: formgen reads nothing there"),
                     _("put the file itself in the site instead of a link, or remove the link"))


_NOT_REGULAR = ((stat.S_ISDIR, N_("a folder")), (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
                (stat.S_ISSOCK, N_("a socket")), (stat.S_ISCHR, N_("a device")), (stat.S_ISBLK, N_("a device")))


def _not_regular(mode: int) -> ReadError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _NOT_REGULAR if test(mode)), N_("not a regular file"))
    return ReadError(1, "file-not-regular", _("this is {kind}, not a form file").format(kind=_(kind)),
                     _("name form files (*.md, regular files) or the folders that hold them"))


def _too_large(size: str) -> ReadError:
    return ReadError(1, "file-too-large", _("the file is {size}; a form file is at most {limit} MiB").format(
        size=size, limit=MAX_FILE_BYTES // 1024 // 1024),
                     _("a form is a few kilobytes: remove what was pasted in by mistake"))


def read_bytes(path: Path, site: Path | None = None) -> bytes:
    """The bytes of a form file, read only if it is a regular file inside the site (`site`, default the
    working folder; see `_boundary`) and at most `MAX_FILE_BYTES` long. Raises ReadError otherwise."""
    real = Path(os.path.realpath(path))
    if not _inside(real, _boundary(path, site or Path.cwd())):
        raise _outside_site()
    problem = _not_regular(os.stat(real).st_mode)
    if problem is not None:
        raise problem
    # Not blocking: a pipe put in the file's place since does not hang the open; O_NOFOLLOW: nor a link.
    descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())
        problem = _not_regular(status.st_mode)
        if problem is not None:
            raise problem
        if status.st_size > MAX_FILE_BYTES:
            raise _too_large(f"{status.st_size / 1024 / 1024:.1f} MiB")
        raw = file.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(_("more than {limit} MiB").format(limit=MAX_FILE_BYTES // 1024 // 1024))
    return raw


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as findings, reports and notes print it, as the user would type it: relative to `cwd` where it
    lies below it, else as given (control characters in it escaped, see `printable`). `cwd` is the working
    folder (the default), or the site's folder when formgen runs from elsewhere (`formgen check` in
    content/2024): a relative `path` is still the working folder's, so it is made absolute from there ("../.."
    folded) before it is named from the site's."""
    here = Path.cwd().resolve()
    cwd = here if cwd is None else cwd
    # A relative path is the working folder's: from there it is absolute, whatever `cwd` is.
    absolute = path if path.is_absolute() else cwd / path if cwd == here else Path(os.path.abspath(path))
    try:
        return printable(str(absolute.relative_to(cwd)))
    except ValueError:
        return printable(str(path))


def read_document(path: Path, display: str | None = None, site: Path | None = None, raw: bytes | None = None
                  ) -> Document:
    """Read one form file (or, given `raw`, the bytes read from it before). Raises ReadError with the line
    for anything that is not a form file, and for a file outside the site (`site`, default the working
    folder: see `read_bytes`)."""
    if path.suffix != FORM_SUFFIX and path.suffix.lower() in MARKDOWN_SUFFIXES:
        # Found by discover so that it is not skipped without a word: the slug, the links and diff all
        # take a form's name as NAME.md, so it is reported rather than read under another name.
        raise ReadError(1, "file-suffix", _("the file name ends in {suffix}, and form files end in {form}: it is not "
                                            "published").format(suffix=path.suffix, form=FORM_SUFFIX),
                        _("rename it {name}").format(name=f"{path.stem}{FORM_SUFFIX}"))
    raw = read_bytes(path, site) if raw is None else raw
    text, read_errors = _invisible_characters(read_text(raw))
    shown = display or str(path)
    if not _HANDLER.detect(text):
        raise ReadError(1, "frontmatter-missing", _("the file does not start with front matter"),
                        _("start the file with a line '---', the form's YAML fields, then another '---'"))
    boundaries = list(_HANDLER.FM_BOUNDARY.finditer(text))
    if len(boundaries) < 2:
        raise ReadError(1, "frontmatter-unclosed", _("the front matter opened here is never closed"),
                        _("add a line '---' after the last field"))
    front, _body = _HANDLER.split(text)
    start, end = boundaries[0], boundaries[1]
    offset = text.count("\n", 0, start.end()) + 1
    front, slips = _ime_slips(front, offset)
    read_errors += slips
    data, lines = _load_yaml(front, offset)
    if data is None or data == "":
        raise ReadError(offset, "frontmatter-empty", _("the front matter is empty"),
                        _("write the form's fields between the two '---' lines (`formgen new` makes a form to fill "
                          "in)"))
    if not isinstance(data, dict):
        raise ReadError(offset, "frontmatter-not-mapping",
                        _("the front matter is {kind}, not a set of fields").format(
                            kind=_(_KINDS.get(type(data), N_("a single value")))),
                        _("write 'key: value' lines between the two '---' lines"))
    body_start = end.end()
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)
    return Document(path=path, display=shown, slug=path.stem, data=data, lines=lines,
                    body=stripped.rstrip() + "\n" if stripped.strip() else "", body_line=body_line,
                    read_errors=tuple(read_errors), sha256=hashlib.sha256(raw).hexdigest(), raw=raw)


_IGNORED = re.compile(r"^[._]")
FORM_SUFFIX = ".md"
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
"""Markdown's file name endings, any case: a form file saved as NAME.MD or NAME.markdown is found and
reported (`file-suffix`), never skipped without a word."""


def _skipped(name: str) -> bool:
    """Drafts and editor files (names starting with ``.`` or ``_``), and README.md (any Markdown ending)."""
    stem, suffix = os.path.splitext(name.lower())
    return bool(_IGNORED.match(name)) or (stem == "readme" and suffix in MARKDOWN_SUFFIXES)


def _markdown(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES


def _walk(folder: Path, boundary: Path) -> Iterator[Path]:
    """The form files below `folder`. A linked folder is walked if it stays inside `boundary` and was not
    walked already (a link to a walked folder would repeat it, or loop); if it leads outside, the link
    itself is yielded, to be reported, and what it leads to is never listed."""
    walked: set[str] = set()
    linked: list[Path] = [folder]
    while linked:
        top = linked.pop(0)
        real = os.path.realpath(top)
        if real in walked:
            continue
        walked.add(real)
        for here, folders, files in os.walk(top, followlinks=False):
            kept = []
            for name in sorted(folders):
                inner = Path(here, name)
                real = os.path.realpath(inner)
                if _skipped(name) or real in walked:
                    continue
                if not inner.is_symlink():
                    walked.add(real)
                    kept.append(name)
                elif _inside(Path(real), boundary):
                    linked.append(inner)  # after the real folders, so that those are walked by their own name
                else:
                    yield inner
            folders[:] = kept
            yield from (Path(here, name) for name in files if _markdown(name) and not _skipped(name))


def discover(paths: list[Path], site: Path | None = None) -> list[Path]:
    """Every form file under the given files and folders, in a stable order.

    Folders are searched recursively for ``*.md`` and other Markdown endings (reported by read_document);
    names starting with ``.`` or ``_`` are skipped (drafts and editor files), and so is ``README.md``.
    Links are not followed out of the site (`site`, default the working folder): a link that leads
    outside is listed as it is, for `read_document` to report, and what it leads to is never listed."""
    found: list[Path] = []
    for path in paths:
        boundary = _boundary(path, site or Path.cwd())
        if not path.is_dir() or not _inside(Path(os.path.realpath(path)), boundary):
            found.append(path)  # a file, or a linked folder leading outside: read_document says which
        else:
            found.extend(sorted(_walk(path, boundary)))
    return found
