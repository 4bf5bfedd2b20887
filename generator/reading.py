"""Files → raw documents: bytes, encoding, front matter, YAML with a line number for every key.

The only module that knows YAML exists. It uses libyaml's C parser (six times faster than the
pure-Python one: YAML dominates the cost of reading a form) with safe construction, and adds:

* numbers with a fraction are `Decimal` built from the written digits, never float;
* every key and list item gets its line, so that any finding can name it;
* aliases (``*anchor``) are refused: a form has no use for them, and they are how "billion laughs"
  bombs make a small file expand without bound;
* duplicate keys are refused instead of silently keeping the last one.

A file that cannot be read becomes a `Finding` with its line, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

__all__ = ["Document", "ReadError", "discover", "read_document", "read_text"]

try:  # libyaml's C parser; the pure-Python one is the fallback on a machine without libyaml
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - every supported install has libyaml
    _BaseLoader = yaml.SafeLoader

LineMap = dict[tuple[str | int, ...], int]


class ReadError(Exception):
    """A file that is not a readable form file."""

    def __init__(self, line: int, code: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.line, self.code, self.message, self.fix = line, code, message, fix


class _FormLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading, with Decimal for fractions and nothing shared between nodes."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:  # a node reached twice is an alias
            raise _AliasUsed(node.start_mark.line)
        return super().construct_object(node, deep=deep)


class _AliasUsed(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return node.value  # such as '.inf' or a sexagesimal: validation says what is wrong with it


_FormLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


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
    text_hash: str = ""

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """The line of a key path, or of its nearest parent that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _map_lines(node: yaml.Node, offset: int, path: tuple[str | int, ...], lines: LineMap, seen: set[int]) -> None:
    """Record the line of every key and item; refuse aliases and duplicate keys before construction."""
    if id(node) in seen:
        raise _AliasUsed(node.start_mark.line)
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            child = (*path, key)
            if child in lines:
                raise ReadError(key_node.start_mark.line + offset, "yaml-duplicate-key",
                                f"key “{key}” appears twice (first on line {lines[child]})",
                                "keep one of them: YAML would silently use only the last")
            lines[child] = key_node.start_mark.line + offset
            _map_lines(value_node, offset, child, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + offset
            _map_lines(item, offset, child, lines, seen)


def _yaml_hint(problem: str, context_line: str) -> str:
    stripped = context_line.split(":", 1)[-1].strip()
    if stripped.startswith((">", "|")):
        return "a value that starts with > or | must be quoted ('>=90%'), or use ≥ / ≤"
    if stripped.startswith(("*", "&")):
        return "a value that starts with * or & must be quoted"
    if "mapping values are not allowed" in problem:
        return "a text with ': ' in it must be quoted"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "fix the YAML syntax at that spot (check indentation and quotes)"


def _load_yaml(front: str, offset: int) -> tuple[Any, LineMap]:
    loader = _FormLoader(front)
    try:
        node = loader.get_single_node()
        lines: LineMap = {}
        if node is None:
            return None, lines
        lines[()] = node.start_mark.line + offset
        _map_lines(node, offset, (), lines, set())
        return loader.construct_document(node), lines
    except _AliasUsed as alias:
        raise ReadError(alias.line + offset, "yaml-alias", "YAML aliases (*name) are not allowed in a form",
                        "write the value out in full") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + offset) if mark else offset
        source_lines = front.splitlines()
        context_line = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
        problem = error.problem or str(error)
        raise ReadError(line, "yaml-syntax", f"the front matter is not valid YAML: {problem}",
                        _yaml_hint(problem, context_line)) from None
    except yaml.YAMLError as error:
        raise ReadError(offset, "yaml-syntax", f"the front matter is not valid YAML: {error}",
                        "fix the YAML syntax") from None
    except RecursionError:
        raise ReadError(offset, "yaml-too-deep", "the front matter is nested too deeply",
                        "a form's front matter is at most a few levels deep") from None
    finally:
        loader.dispose()


_HANDLER = YAMLHandler()


def read_text(raw: bytes) -> str:
    """Decode a form file: UTF-8 (with or without BOM), line ends normalised to LF."""
    if not raw.strip():
        raise ReadError(1, "file-empty", "the file is empty", "write a form (see docs/format.md), or delete the file")
    if b"\x00" in raw:
        raise ReadError(1, "file-binary", "the file is binary, not text",
                        "a form is a UTF-8 text file; remove this file from content/")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
            guess = "it looks like GBK/GB18030"
        except UnicodeDecodeError:
            guess = "the encoding is unknown"
        raise ReadError(line, "file-encoding", f"the file is not UTF-8 ({guess})",
                        "save it as UTF-8, e.g. iconv -f GBK -t UTF-8 in.md > out.md") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(path: Path, display: str | None = None) -> Document:
    """Read one form file. Raises ReadError with the line for anything that is not a form file."""
    import hashlib

    raw = path.read_bytes()
    text = read_text(raw)
    shown = display or str(path)
    if not _HANDLER.detect(text):
        raise ReadError(1, "frontmatter-missing", "the file does not start with front matter",
                        "start the file with a line '---', the form's YAML fields, then another '---'")
    boundaries = list(_HANDLER.FM_BOUNDARY.finditer(text))
    if len(boundaries) < 2:
        raise ReadError(text.count("\n") + 1, "frontmatter-unclosed", "the front matter is not closed",
                        "add a line '---' after the last field")
    front, _body = _HANDLER.split(text)
    start, end = boundaries[0], boundaries[1]
    offset = text.count("\n", 0, start.end()) + 1
    data, lines = _load_yaml(front, offset)
    if data is None:
        raise ReadError(offset, "frontmatter-empty", "the front matter is empty",
                        "write the form's fields between the two '---' lines (see docs/format.md)")
    if not isinstance(data, dict):
        raise ReadError(offset, "frontmatter-not-mapping",
                        f"the front matter is a {type(data).__name__}, not a set of fields",
                        "write 'key: value' lines between the two '---' lines")
    body_start = end.end()
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)
    return Document(path=path, display=shown, slug=path.stem, data=data, lines=lines,
                    body=stripped.rstrip() + "\n" if stripped.strip() else "", body_line=body_line,
                    text_hash=hashlib.sha256(raw).hexdigest())


_IGNORED = re.compile(r"^[._]")


def discover(paths: list[Path]) -> list[Path]:
    """Every form file under the given files and folders, in a stable order.

    Folders are searched recursively for ``*.md``; names starting with ``.`` or ``_`` are skipped
    (drafts and editor files), and so is ``README.md``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.md")):
                relative = candidate.relative_to(path).parts
                if any(_IGNORED.match(part) for part in relative) or candidate.name.lower() == "readme.md":
                    continue
                if candidate.is_file():
                    found.append(candidate)
        else:
            found.append(path)
    return found
