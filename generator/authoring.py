"""New form files, written from the model: every key, its label and doc beside it, placeholders to fill.

`formgen new` and `formgen init` write forms through `form_text`, which walks `model.Form` field by
field, so a field added to the model appears in new forms with its label at once and no second copy
of the schema exists. A required value that is not known yet is written as `checks.PLACEHOLDER`,
which `formgen check` reports as an error with its line until it is replaced; optional values are
left empty (empty means "not given" to the model).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .checks import PLACEHOLDER
from .config import Scheme
from .errors import UsageError
from .i18n import _
from .model import Form, empty_template_row, fields_of, keyed_model, label_for, walk_fields
from .reading import ReadError, discover, read_document
from .slugs import is_slug
from .values import DateValue, parse_value

__all__ = ["CARRIED_OVER", "NEW_BODY", "WIDTH", "carried_over_values", "default_year", "field_doc",
           "find_form", "form_text", "leaf_paths", "read_source", "skeleton_values",
           "slug_in_use", "source_year", "validate_slug", "wrapped", "write_form"]

NEW_BODY = f"""{PLACEHOLDER}第一段写总体结论与自评等级。

一、主要成绩

{PLACEHOLDER}

二、存在的问题及改进措施

{PLACEHOLDER}
"""
"""The 自评结论 of a new form: the usual sections, each a placeholder. Kept short, so that two new forms
do not trip the copied-text warning (texts under 60 characters are not compared)."""

KEPT_FIELDS = frozenset({"unit_name", "project_lead", "project_category", "report_number", "project_type",
                         "finance_lead"})
"""The extra header fields `formgen new --from` keeps: who and what the project is, not what a year did."""

CARRIED_OVER = frozenset({
    "title", "department.code", "department.name", "implementer", "budget_weight", "goals.expected",
    "indicators[].level1", "indicators[].level2", "indicators[].name", "indicators[].target",
    "indicators[].weight", "contact", "profile", "indicators[].nature", "indicators[].unit",
    *KEPT_FIELDS,  # header fields of profiles that have them ([fields])
})
"""What `formgen new --from` keeps of the earlier form (keys as in docs/fields.md): the project, its
units, its goal and its indicator table. Everything else is a figure or text of the earlier year and
is cleared: required ones become placeholders, optional ones empty."""

_COMMENT_COLUMN = 44  # comments line up here (in display columns: a Chinese character is two)


def default_year(today: dt.date | None = None) -> int:
    """The budget year a new form is for: the year just ended, as a 自评表 evaluates a finished year."""
    return (today or dt.date.today()).year - 1


def leaf_paths(model: type[BaseModel] = Form, prefix: str = "") -> Iterator[str]:
    """Every key that holds a value, named as in docs/fields.md (``indicators[].target``)."""
    return (path for path, field in walk_fields(model, prefix) if field.inner is None)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


WIDTH = 90
"""The widest text of a comment's line in the files formgen writes, in display columns (a Chinese character
is two): with its indent and ``# `` a line is at most 100."""

_NO_BREAK_BEFORE = set("，。、；：？！）》」』”’,.;:?!)]")
_NO_BREAK_AFTER = set("（《「『“‘([")


def _pieces(text: str) -> list[str]:
    """The pieces a line may break between: Latin words with the space before them, each CJK character, a
    short text in quotes (“- level1:”) whole; the punctuation that may not begin a line sticks to the piece
    before it, the one that may not end a line to the piece after it."""
    pieces: list[str] = []
    for match in re.finditer(r" *“[^”]{1,40}”| *[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+| *[^ ]", text):
        piece = match.group(0)
        stuck = piece[:1] in _NO_BREAK_BEFORE or (pieces and pieces[-1][-1:] in _NO_BREAK_AFTER)
        if pieces and stuck and not piece.startswith(" "):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def wrapped(text: str, width: int) -> list[str]:
    """A paragraph in lines of at most `width` columns (a longer word stands alone on its line)."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(" ".join(text.split())):
        if line and _width(line + piece) > width:
            lines.append(line)
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line] if line else lines


def field_doc(info: FieldInfo) -> str:
    """A field's doc as one line, as `formgen schema` shows it: the message the catalog translates it by
    (tools/catalogs.py extracts the docs of every shipped profile's form)."""
    return " ".join((info.description or "").split())


def _comment(info: FieldInfo, name: str) -> str:
    label = info.title or name
    doc = field_doc(info)
    doc = _(doc).replace("``", "`") if doc else ""  # _("") would be the catalog's header
    if info.is_required():
        line = _("{label} (required): {doc}") if doc else _("{label} (required)")
    else:
        line = _("{label} (optional): {doc}") if doc else _("{label} (optional)")
    return "# " + line.format(label=label, doc=doc)


def _scalar(value: str, quote: bool = False) -> str:
    """A value as YAML: plain where it reads back unchanged (formgen reads every scalar as text),
    double-quoted otherwise (JSON's escapes are YAML's)."""
    if value == "":
        return ""
    if not quote and "\n" not in value:
        try:
            plain = yaml.load(f"k: {value}  # c\n", Loader=yaml.BaseLoader)  # BaseLoader: text only, like reading.py
        except yaml.YAMLError:
            plain = None
        if plain == {"k": value}:
            return value
    return json.dumps(value, ensure_ascii=False)


def _line(indent: str, key: str, value: str, comment: str) -> str:
    code = f"{indent}{key}: {value}" if value else f"{indent}{key}:"
    return code + " " * max(2, _COMMENT_COLUMN - _width(code)) + comment


Cell = tuple[str | int, ...]
"""A value's place in a form by field path, rows from 0: ``("indicators", 3, "target")`` (`Form.printed_empty`)."""

_STATED = "stated."
"""The figures as a published form prints them (docs/format.md), where empty means printed empty."""

# Keys whose values are quoted even when plain would do: a code such as "0120" is text, and looks it.
_ALWAYS_QUOTED = {"department.code"}


def _mapping(model: type[BaseModel], values: Mapping[str, Any], indent: str, prefix: str,
             fill: bool = True, empty: Collection[Cell] = (), cell: Cell = (),
             root: type[BaseModel] | None = None) -> list[str]:
    """The lines of `values` as `model`'s keys; `fill`: a placeholder for each required value not given (an
    empty template row, `empty_template_row`, gets none: its cells stay empty as printed). `empty`: the cells
    (by field path, `cell` the path of `values`) printed empty in a source, written ``""`` as printed.
    `root`: the form model whose field `prefix` leads to (for the labels of a mapping's keys)."""
    root = root or model
    lines: list[str] = []
    for name, info, inner, is_list in fields_of(model):
        value = values.get(name)
        keyed = keyed_model(info.annotation)
        comment = _comment(info, name)
        path = f"{prefix}{name}"
        if keyed is not None and isinstance(value, Mapping) and value:
            # Figures by key (stated.funds: a published 年度资金总额 printed 0 / 0 / 0 above rows holding the
            # money), each key labelled as the row it names.
            lines.append(_line(indent, name, "", comment))
            for key, row in value.items():
                label = label_for((*path.split("."), key), root).split()[-1]
                lines.append(_line(indent + "  ", key, "", f"# {label}"))
                lines += _mapping(keyed, row if isinstance(row, Mapping) else {}, indent + "    ", f"{path}.{key}.",
                                  empty=empty, cell=(*cell, name, key), root=root)
        elif inner is not None and is_list:
            lines.append(_line(indent, name, "", comment))
            rows = [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []
            for index, row in enumerate(rows or [{}]):
                row_lines = _mapping(inner, row, indent + "    ", f"{path}[].", not empty_template_row(inner, row),
                                     empty, (*cell, name, index), root)
                # The first key of a row carries the list's dash: "  - level1: …".
                row_lines[0] = f"{indent}  - {row_lines[0][len(indent) + 4:]}"
                lines += row_lines
        elif inner is not None:
            children = _mapping(inner, value if isinstance(value, Mapping) else {}, indent + "  ", f"{path}.",
                                empty=empty, cell=(*cell, name), root=root)
            parent = _line(indent, name, "", comment)
            if all(child.startswith(f"{indent}  # ") for child in children):  # `stated` with nothing stated
                parent = f"{indent}# {parent[len(indent):]}"
            lines += [parent, *children]
        else:
            text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
            if (*cell, name) in empty and not text.strip():
                lines.append(_line(indent, name, '""', comment))  # printed empty: kept so, said so
                continue
            if not text.strip() and info.is_required() and fill:
                text = PLACEHOLDER
            line = _line(indent, name, _scalar(text.strip(), path in _ALWAYS_QUOTED), comment)
            if not text.strip() and path.startswith(_STATED):
                # An empty stated figure says the published form printed it empty: one that was not given
                # is written commented out, so that stating it, empty or not, is the clerk's choice.
                line = f"{indent}# {line[len(indent):]}"
            lines.append(line)
    return lines


def form_text(values: Mapping[str, Any], body: str = NEW_BODY, header: Sequence[str] = (),
              model: type[BaseModel] = Form, empty: Collection[Cell] = ()) -> str:
    """A complete form file: every field of the model in order, with `values` where given (text, as
    formgen reads YAML), a placeholder for any other required value, and its label and doc beside it.
    `model` is the form model of the form's profile (`profile.form_model`); `empty` the cells an imported
    source printed empty and the model lets stay so (`importing.draft.Draft.printed_empty`): ``""``."""
    comments = [f"# {line}" for paragraph in header for line in wrapped(paragraph, WIDTH)]
    lines = ["---", *comments, *_mapping(model, values, "", "", empty=empty), "---"]
    return "\n".join(lines) + "\n" + body.strip("\n") + "\n"


def skeleton_values(title: str, year: int, scheme: Scheme) -> dict[str, Any]:
    """A new form from nothing: its year and title, and one indicator row per 一级指标 of the scheme
    (the names must be the scheme's exactly; everything else in the row is the author's)."""
    return {"year": str(year), "title": title, "indicators": [{"level1": level1.name} for level1 in scheme.level1]}


def source_year(data: Mapping[str, Any]) -> int | None:
    """The 年度 of an earlier form's raw data, if it is written as a year."""
    text = str(data.get("year", "")).strip()
    return int(text) if text.isdigit() else None


def _shift_date(target: str, from_year: int, to_year: int) -> str:
    """A deadline of the earlier year moved to the new one (2024年12月31日 → 2025年12月31日); any other
    target as it is. Without this every copied deadline would be reported as outside the form's year."""
    try:
        value = parse_value(target)
    except ValueError:
        return target
    if not isinstance(value, DateValue) or value.date.year != from_year:
        return target
    moved = target.replace(str(from_year), str(to_year))
    try:
        shifted = parse_value(moved)
    except ValueError:  # 29 February of a leap year, moved to a year without one
        return target
    return moved if isinstance(shifted, DateValue) and shifted.date.year == to_year else target


def _carry(model: type[BaseModel], data: Any, prefix: str) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    if not isinstance(data, Mapping):
        return kept
    for name, _info, inner, is_list in fields_of(model):
        value, path = data.get(name), f"{prefix}{name}"
        if inner is not None and is_list:
            rows = [_carry(inner, row, f"{path}[].") for row in value] if isinstance(value, list) else []
            if any(rows):
                kept[name] = rows
        elif inner is not None:
            kept[name] = _carry(inner, value, f"{path}.")
        elif path in CARRIED_OVER and isinstance(value, str):
            kept[name] = value
    return kept


def carried_over_values(data: Mapping[str, Any], year: int, model: type[BaseModel] = Form) -> dict[str, Any]:
    """What a new form keeps of an earlier form's raw data (`CARRIED_OVER`), for `year`; deadlines of
    the earlier year move to the new one. `model` is the form model of the earlier form's profile."""
    values = _carry(model, data, "")
    values["year"] = str(year)
    before = source_year(data)
    if before is not None and before != year:
        for row in values.get("indicators", []):
            if isinstance(row.get("target"), str):
                row["target"] = _shift_date(row["target"], before, year)
    return values


def validate_slug(slug: str) -> str:
    """The slug, if it is one `check` accepts (the same rule); a usage error otherwise."""
    if not is_slug(slug):
        raise UsageError(_("--slug {slug}: lowercase letters, digits and hyphens only (e.g. office-equipment-2025)")
                         .format(slug=repr(slug)))
    return slug


def find_form(content: Path, slug: str) -> Path:
    """The form file with this slug under `content` (or `slug` itself, when it names a form file)."""
    given = Path(slug)
    if given.suffix == ".md" and given.is_file():
        return given
    if not content.is_dir():
        raise UsageError(_("--from {slug}: there is no {folder}/ folder to look in").format(slug=slug, folder=content))
    found = [path for path in discover([content]) if path.stem == slug]
    if not found:
        raise UsageError(_("--from {slug}: no form {slug}.md under {folder}/").format(slug=slug, folder=content))
    if len(found) > 1:
        raise UsageError(_("--from {slug}: several forms have this slug ({paths}); give the file's path instead")
                         .format(slug=slug, paths=_(", ").join(map(str, found))))
    return found[0]


def read_source(path: Path) -> tuple[dict[str, Any], str]:
    """The raw front matter and slug of an earlier form; a file that cannot be read is a usage error."""
    try:
        document = read_document(path)
    except ReadError as error:
        raise UsageError(_("{finding}; fix it first, or start without --from")
                         .format(finding=error.at(str(path)))) from None
    except OSError as error:
        raise UsageError(_("{path}: cannot read the file ({reason})")
                         .format(path=path, reason=error.strerror)) from None
    return document.data, document.slug


def slug_in_use(content: Path, slug: str, target: Path) -> Path | None:
    """Another form file under `content` with this slug (the site's forms must have unique slugs)."""
    if not content.is_dir():
        return None
    for path in discover([content]):
        if path.stem == slug and path.resolve() != target.resolve():
            return path
    return None


def write_form(path: Path, text: str, force: bool = False) -> None:
    """Write a form file, creating its folder; an existing file only with `force`; never through a link
    (a link where the file goes may lead anywhere: it is refused, and O_NOFOLLOW refuses one that appears
    meanwhile)."""
    if path.is_symlink():
        raise UsageError(_("{path}: is a link — formgen never writes through a link, which may lead anywhere; "
                           "remove it, or choose another --slug").format(path=path))
    if path.exists() and not force:
        raise UsageError(_("{path} already exists: choose another --slug, or add --force to overwrite it")
                         .format(path=path))
    if path.exists() and not path.is_file():
        raise UsageError(_("{path} exists and is not a file").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL refuses a file that appeared since the checks above: nothing is overwritten by accident.
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_TRUNC if force else os.O_EXCL)
    try:
        descriptor = os.open(path, flags, 0o666)
    except FileExistsError:
        raise UsageError(_("{path} already exists: choose another --slug, or add --force to overwrite it")
                         .format(path=path)) from None
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        raise UsageError(_("{path}: became a link — formgen never writes through a link; remove it")
                         .format(path=path)) from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
