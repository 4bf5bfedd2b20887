"""One form as read from a published source, before it is written: values, conclusion, what was left over.

Both readers (text and PDF) fill a `Draft`: each value as text, the way a form file holds it, with the
place in the source it came from, and a `note` (a `Finding`) for everything they could not place. Shared here: the
joining of wrapped lines, the 自评结论's structure as Markdown, money and the indicator cells' names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .. import formatting
from ..config import Scheme
from ..findings import Finding, Level
from ..i18n import _
from ..model import Form, empty_template_row, fields_of, label_for, printed_empty_cells
from ..values import normalize, parse_decimal
from .characters import ascii_digits
from .labels import MONEY_COLUMNS, MONEY_UNITS, squash

__all__ = ["Draft", "Location", "conclusion_markdown", "join_wrapped", "money_text", "note", "unit_note"]


@dataclass(frozen=True)
class Location:
    """A place in a source: ``file:line`` for text, ``file:page N`` for a PDF, the sheet and cell of a
    workbook (``file:sheet 汇总!B7``, as Excel names a cell), the table, row and column of a Word document
    — so a clerk can find the cell a value came from."""

    source: str
    line: int | None = None
    page: int | None = None
    sheet: str | None = None
    cell: str | None = None
    """A workbook's cell, A1-style (``B7``); with `sheet`."""
    table: int | None = None
    """A document's table, from 1, with `row` and `column` (from 1, as Word's grid counts them)."""
    row: int | None = None
    column: int | None = None
    paragraph: int | None = None
    """A document's paragraph outside any table, from 1."""
    position: tuple[int, int] | None = None
    """On a PDF's `page`: the top left of the cell or line, in millimetres from the page's left and top
    edges, as a ruler on the printed page finds it."""

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.source}:{self.line}"
        if self.sheet is not None:
            if self.cell is None:
                return _("{source}:sheet {sheet}").format(source=self.source, sheet=self.sheet)
            return _("{source}:sheet {sheet}!{cell}").format(source=self.source, sheet=self.sheet, cell=self.cell)
        if self.table is not None:
            return _("{source}:table {table} row {row} column {column}").format(
                source=self.source, table=self.table, row=self.row, column=self.column)
        if self.paragraph is not None:
            return _("{source}:paragraph {paragraph}").format(source=self.source, paragraph=self.paragraph)
        if self.page is not None and self.position is not None:
            return _("{source}:page {page} ({left} mm from the left, {top} mm from the top)").format(
                source=self.source, page=self.page, left=self.position[0], top=self.position[1])
        if self.page is not None:
            return _("{source}:page {page}").format(source=self.source, page=self.page)
        return self.source


def note(where: Location, code: str, error: bool, message: str) -> Finding:
    """Something the importer reports (a text it could not place, a value it could not find), as a finding at
    its place in the source: `path` is that place as the report names it (``notes.txt:12``, ``forms.xlsx:sheet
    汇总!B7``, ``forms.pdf:page 2``), and there is no line of a form file (0). `code` is documented in
    docs/import.md (``import-unplaced``). Errors make the import fail (exit 1); the form is still written,
    with placeholders."""
    return Finding(str(where), 0, Level.ERROR if error else Level.WARNING, code, "", "", message, "")


@dataclass
class Draft:
    """One form found in a source."""

    where: Location
    """Where the form starts."""
    number: int
    """Its position in the source, from 1."""
    values: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    notes: list[Finding] = field(default_factory=list)
    model: type[BaseModel] = Form
    """The model of the form's profile (`profile.form_model`): its required fields are the ones looked for."""
    conclusion_required: bool = True
    """Whether the profile requires the conclusion (`[fields] conclusion`): where it is optional (上海, 四川),
    a form without one is complete."""
    judged: frozenset[str] = frozenset()
    """The profile's 一级指标 scored by judgement (宁夏's 项目决策): their rows' 指标值 and 实际值 may be empty."""

    def set(self, path: str, value: str, where: Location | None = None) -> None:
        """Set a value by key path (``funds.total.initial``); a second value for a key is reported."""
        *parents, leaf = path.split(".")
        target = self.values
        for part in parents:
            target = target.setdefault(part, {})
        if target.get(leaf) and target[leaf] != value:
            self.unplaced(where or self.where, value,
                          _("a second {path} (the first was “{first}”)").format(path=path, first=target[leaf]))
            return
        target[leaf] = value

    def get(self, path: str) -> Any:
        target: Any = self.values
        for part in path.split("."):
            if not isinstance(target, Mapping):
                return None
            target = target.get(part)
        return target

    def fund_cell(self, row: str, column: str, text: str, where: Location, factor: Decimal,
                  section: Mapping[str, str]) -> None:
        """One cell of the funding table: an amount (initial, budget, executed, in 元 after `factor`), a
        figure of the row's section (分值, 执行率, 得分: `section` maps the column to its field), or a
        dash; anything else is reported where it was."""
        if column in MONEY_COLUMNS:
            amount = money_text(text, factor)
            if amount is None:
                self.unplaced(where, text, _("{column} of {row} is not an amount").format(column=column, row=row))
            else:
                self.set(f"{row}.{column}", amount, where)
        elif column in section:
            value = score_text(text)
            if value is None:
                self.unplaced(where, text, _("{field} is not a number").format(field=section[column]))
            else:
                self.set(section[column], value, where)
        elif squash(text) not in ("-", "—", "/", "－"):
            self.unplaced(where, text, _("a {column} on the {row} row").format(column=column, row=row))

    def unplaced(self, where: Location, text: str, why: str = "") -> None:
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        message = (_("“{text}” is not placed in any field ({why}): add it by hand if it belongs") if why else
                   _("“{text}” is not placed in any field: add it by hand if it belongs"))
        self.notes.append(note(where, "import-unplaced", False, message.format(text=shown, why=why)))

    def note(self, where: Location, code: str, message: str, error: bool = False) -> None:
        self.notes.append(note(where, code, error, message))

    def printed_weight(self, scheme: Scheme, what: str, printed: str | None, where: Location) -> None:
        """Report a printed weight — a 一级指标's ``(50分)``, or ``总分`` for the full score — that differs
        from the scheme's: the form file has no field for it, the scheme decides."""
        if printed is None or parse_decimal(printed) is None:
            return
        expected = scheme.total_points if what == "总分" else getattr(scheme.level1_named(what), "weight", None)
        if expected is not None and parse_decimal(printed) != expected:
            self.note(where, "import-differs", _("{what} is printed with {printed}分, the scheme gives it {expected}")
                      .format(what=what, printed=printed, expected=formatting.score(expected)))

    @property
    def title(self) -> str:
        return str(self.values.get("title") or "")

    def printed_empty(self) -> frozenset[tuple[str | int, ...]]:
        """The cells found in the source but printed empty (set to "") that the form model lets stay empty, by
        field path as `model.printed_empty_cells` gives them: written empty, as printed, not as placeholders.
        Under a judged 一级指标 the row's 指标值 and 实际值 (any form may leave them empty), and the figures a
        published copy keeps as printed (`published_only`)."""
        cells = set(self.published_only())
        rows = self.values.get("indicators")
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, Mapping) and row.get("level1") in self.judged:
                cells.update(("indicators", index, key) for key in ("target", "actual")
                             if key in row and not str(row[key] or "").strip())
        return frozenset(cells)

    def printed_empty_row(self, row: Mapping[str, Any]) -> frozenset[str]:
        """The keys of one indicator row as read that are printed empty and may stay so (`printed_empty`)."""
        row_draft = Draft(self.where, self.number, {"indicators": [row]}, judged=self.judged)
        return frozenset(str(cell[-1]) for cell in row_draft.printed_empty())

    def published_only(self) -> list[tuple[str | int, ...]]:
        """The cells printed empty that only a published copy (``status: published``) may keep empty: an
        unfilled copy's 实际完成值, 得分, amounts and stated figures. A draft must fill them in."""
        return list(printed_empty_cells(self.values))

    def missing(self) -> list[str]:
        """The required fields not found (docs/fields.md names), and the 自评结论 if there is none and the
        profile requires one. A cell printed empty that the model lets stay empty (`printed_empty`) was found."""
        kept = {_path(cell) for cell in self.printed_empty()}
        found = [path for path in _missing(self.model, self.values, "") if path not in kept]
        if self.conclusion_required and not self.body.strip():
            found.append("自评结论")
        return found

    def finish(self) -> None:
        """Report each required field that was not found, at the form's start: it is written as a placeholder;
        and the cells printed empty that only a published copy may keep so: they are written empty."""
        empty = [_path(cell) for cell in self.published_only() if cell[0] != "stated"]
        if empty:
            labels = [_labelled(path, self.model) for path in empty]
            self.note(self.where, "import-empty",
                      _("form {number} prints {fields} empty: written empty, as printed, which only a published "
                        "copy may keep (status: published); fill them in otherwise").format(
                          number=self.number, fields=_(", ").join(labels)))
        missing = self.missing()
        if missing:
            labels = [_labelled(path, self.model) for path in missing]
            self.note(self.where, "import-missing",
                      _("form {number} has no {fields} in the source: written as placeholders to fill in "
                        "(formgen check lists them)").format(number=self.number, fields=_(", ").join(labels)),
                      error=True)


def _path(cell: tuple[str | int, ...]) -> str:
    """A cell's field path (``("indicators", 3, "target")``, rows from 0) as `_missing` writes it
    (``indicators[4].target``, rows from 1)."""
    path = ""
    for part in cell:
        path += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def _labelled(path: str, model: type[BaseModel]) -> str:
    """A key path of `_missing` (``indicators[2].actual``, numbered from 1) as the form's label names it
    (绩效指标 第2项 实际完成值): what the clerk sees on the printed form."""
    loc: list[str | int] = []
    for part in path.split("."):
        name, _bracket, index = part.partition("[")
        loc.append(name)
        if index:
            loc.append(int(index.rstrip("]")) - 1)
    return label_for(tuple(loc), model) if loc[0] in model.model_fields else path


def _missing(model: type[BaseModel], values: Mapping[str, Any], prefix: str) -> Iterable[str]:
    for name, info, inner, _is_list in fields_of(model):
        if not info.is_required():
            continue
        value = values.get(name)
        if inner is not None and isinstance(value, list):
            if not value:
                yield f"{prefix}{name}"
            for index, row in enumerate(value, start=1):
                if not empty_template_row(inner, row):  # it has no figures to miss
                    yield from _missing(inner, row, f"{prefix}{name}[{index}].")
        elif inner is not None:
            yield from _missing(inner, value if isinstance(value, Mapping) else {}, f"{prefix}{name}.")
        elif not str(value or "").strip():
            yield f"{prefix}{name}"


def score_text(text: str) -> str | None:
    """A printed score or rate as written (``7.09``, ``100.00``; a % sign dropped), None if it is no number."""
    cleaned = ascii_digits(normalize(text)).rstrip("%").strip()
    return cleaned if parse_decimal(cleaned) is not None else None


def money_text(text: str, factor: Decimal = Decimal(1)) -> str | None:
    """A printed amount (``845,371.59``) as a form file holds it (``845371.59``), times `factor` (printed 万元
    → a 元 profile: 10,000; printed 元 → a 万元 profile: 1/10,000, exact); None if not a number."""
    number = parse_decimal(ascii_digits(text))
    if number is None:
        return None
    if factor > 1:  # to 元: to the fen, as the accounts
        return formatting.money_plain(number * factor)
    return formatting.plain(number * factor)


def unit_note(printed: str, unit: str) -> str:
    """The note of a form whose money is printed in another unit than its profile's."""
    factor = MONEY_UNITS[printed] / MONEY_UNITS[unit]
    shown = formatting.plain(factor) if factor >= 1 else f"1/{formatting.plain(1 / factor)}"
    return _("money is printed in {printed} (×{factor}): imported in {unit}, the unit of the form's profile").format(
        printed=printed, factor=shown, unit=unit)


def _ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def join_wrapped(fragments: Iterable[str]) -> str:
    """Lines of one cell, wrapped by the layout, as one text: Chinese lines join without a space, words
    of Latin script keep one; runs of white space become one space."""
    text = ""
    for fragment in fragments:
        piece = fragment.strip("\n")
        if not piece.strip():
            continue
        if text and _ascii_word(text.rstrip()[-1:]) and _ascii_word(piece.lstrip()[:1]) \
                and not text[-1:].isspace() and not piece[:1].isspace():
            text += " "
        text += piece
    return re.sub(r"[ \t\u3000]+", " ", text.replace("\n", " ")).strip()


# --- the 自评结论 as Markdown ---------------------------------------------------------------------------

_NUMERALS = "一二三四五六七八九十"
_HEADING_WORDS = ("成绩", "做法", "经验", "方案", "计划", "方向", "问题", "措施", "建议", "不足", "打算", "举措",
                  "成效", "情况", "原因", "思路", "目标", "亮点", "体会")
"""Words a section heading of a 自评结论 ends with (一、主要成绩, 二、经验做法, 三、下一步工作计划): where a
heading runs on into its text with nothing between, the shortest prefix ending in one of them is the heading."""
_HEADING_MAX = 20  # characters of a heading at most, after its numeral
_END = "。！？；!?;"


def _section_marker(number: int) -> re.Pattern[str]:
    numeral = _NUMERALS[number - 1] if number <= 10 else "十" + _NUMERALS[number - 11] if number < 20 else "〇"
    # 一、 but not 第一、 nor the 一、 of 十一、
    return re.compile(rf"(?<![{_NUMERALS}第]){numeral}、")


def _item_pattern(number: int) -> re.Pattern[str]:
    # 1. / 1． / 1、 — not part of a larger number (92.02, 2024.7) and not a decimal point (1.5倍).
    return re.compile(rf"(?<![0-9A-Za-z.．]){number}\s*[.．、](?![0-9])")


def _heading_end(text: str, marker_end: int) -> int | None:
    """Where a section heading that starts at a marker (一、) ends: at a colon, at its first item (1.), or
    after a heading word; None if what follows the marker is a sentence, not a heading."""
    window = text[: marker_end + _HEADING_MAX]
    ends = []
    colon = re.search(r"[:：]", window[marker_end:])
    if colon:
        ends.append(marker_end + colon.end())
    item = _item_pattern(1).search(window, marker_end)
    if item and item.start() > marker_end:
        ends.append(item.start())
    if len(text.rstrip()) <= len(window):  # the heading is the whole paragraph
        ends.append(len(text.rstrip()))
    if not ends:
        found = next((index for index in range(marker_end + 1, len(window) + 1)
                      if window[:index].rstrip().endswith(_HEADING_WORDS)), None)
        while found is not None and window[found:].startswith(_HEADING_WORDS):  # 经验 + 做法
            found += next(len(word) for word in _HEADING_WORDS if window[found:].startswith(word))
        ends += [found] if found is not None else []
    if not ends or any(char in _END for char in text[marker_end:min(ends)]):
        return None
    return min(ends)


_MARKDOWN_START = re.compile(r"^([#>*+\-=|`]|\d+[.)]\s)")


def _clean(text: str, escape: bool = True) -> str:
    text = re.sub(r"[ \t\u3000\n]+", " ", text).strip()
    # A paragraph that Markdown would read as a heading, quote or list must stay text.
    return "\\" + text if escape and _MARKDOWN_START.match(text) else text


def _closing(item: str) -> tuple[str, str]:
    """The conclusion's last item, and a closing paragraph after it: set off in an extracted text by a
    gap of two or more spaces after a full stop (a PDF shows it as a paragraph of its own)."""
    found = re.search(r"[。！？]([ \t\u3000]{2,})(?=\S)", item)
    if not found:
        return item, ""
    return item[: found.start() + 1], item[found.end():]


class _Structure:
    """The 自评结论's parts in order: paragraphs, section headings (一、主要成绩) and numbered points
    (1. 2. …). Numbering goes on across the source's paragraph breaks; a heading starts it again at 1."""

    def __init__(self) -> None:
        self.section = 1
        self.item = 1
        self.parts: list[tuple[str, str, int]] = []  # (kind, text, number): text, heading or item

    def add(self, paragraph: str) -> None:
        kind, number, start, position = "text", 0, 0, 0
        while True:
            section = _section_marker(self.section).search(paragraph, position)
            item = _item_pattern(self.item).search(paragraph, position)
            if section and (item is None or section.start() < item.start()):
                self.parts.append((kind, paragraph[start: section.start()], number))
                end = _heading_end(paragraph, section.end())
                if end is not None:
                    self.parts.append(("heading", paragraph[section.start(): end], 0))
                kind, number, start = "text", 0, end if end is not None else section.start()
                position = max(section.end(), start)
                self.section, self.item = self.section + 1, 1
            elif item:
                self.parts.append((kind, paragraph[start: item.start()], number))
                kind, number, start, position = "item", self.item, item.end(), item.end()
                self.item += 1
            else:
                break
        self.parts.append((kind, paragraph[start:], number))
        self.parts.append(("break", "", 0))

    def markdown(self) -> str:
        parts = [part for part in self.parts if part[0] == "break" or part[1].strip()]
        last = max((index for index, part in enumerate(parts) if part[0] != "break"), default=-1)
        if last >= 0 and parts[last][0] == "item":
            item, after = _closing(parts[last][1])
            parts[last: last + 1] = [("item", item, parts[last][2]), ("text", after, 0)]
        blocks: list[str] = []
        items: list[str] = []
        for kind, text, number in parts:
            if kind == "item":
                items.append(f"{number}. {_clean(text, escape=False)}")
                continue
            if kind == "break" or not text.strip():
                continue
            if items:
                blocks.append("\n".join(items))
                items = []
            blocks.append(_clean(text))
        if items:
            blocks.append("\n".join(items))
        return "\n\n".join(blocks) + "\n" if blocks else ""


def conclusion_markdown(paragraphs: list[str]) -> str:
    """The 自评结论 as Markdown: a paragraph for the summary, each section heading (一、主要成绩) a paragraph,
    its numbered points (1. 2. …) a list, the rest paragraphs. `paragraphs` are the breaks the source
    shows (a PDF's lines that end short); a text extraction shows none, so the markers carry the structure."""
    structure = _Structure()
    for paragraph in paragraphs:
        if paragraph.strip():
            structure.add(paragraph)
    return structure.markdown()


# --- indicator cells -----------------------------------------------------------------------------------

_WEIGHT = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]$")
_WEIGHT_PREFIX = re.compile(r"^([(（](\s*\d+(\.\d*)?\s*(分\s*[)）]?)?)?)?$")  # (50分) cut short by a line end


_CONTINUED = re.compile(r"[(（]\s*续\s*[)）]$")
"""What formgen's PDFs add to the 一级/二级 cells repeated on a page where their group goes on (产出指标（续）):
not part of the name."""
_CONTINUED_PREFIX = re.compile(r"^[(（](\s*(续\s*[)）]?)?)?$")  # （续） cut short by a line end


def level_name(text: str) -> str:
    """A 一级 or 二级 cell's text without white space and without a continuation mark (``数量指标（续）`` →
    ``数量指标``)."""
    return _CONTINUED.sub("", squash(text))


def level1_parts(text: str) -> tuple[str, str | None]:
    """``产出指标(50分)`` → (``产出指标``, ``50``); ``产出指标（续）`` → (``产出指标``, None)."""
    cleaned = level_name(text)
    found = _WEIGHT.search(cleaned)
    if found:
        return cleaned[: found.start()], found.group(1)
    return cleaned, None


@dataclass(frozen=True)
class LevelNames:
    """The 一级 and 二级指标 names the importer recognises: the scheme's, and for 二级 any short name
    ending in 指标 written as a cell of its own."""

    level1: tuple[str, ...]
    level2: tuple[str, ...]

    @classmethod
    def of(cls, scheme: Scheme) -> LevelNames:
        level2 = tuple(dict.fromkeys(name for item in scheme.level1 for name in item.level2))
        return cls(tuple(item.name for item in scheme.level1), level2)

    def is_level1(self, text: str) -> bool:
        return level1_parts(text)[0] in self.level1

    def level1_prefix(self, text: str) -> bool:
        cleaned = squash(text)
        return any(name.startswith(cleaned) or (cleaned.startswith(name) and (
            _WEIGHT_PREFIX.match(cleaned[len(name):]) or _CONTINUED_PREFIX.match(cleaned[len(name):])))
                   for name in self.level1)

    def is_level2(self, text: str, generic: bool = False) -> bool:
        cleaned = level_name(text)
        if cleaned in self.level2:
            return True
        return generic and 2 < len(cleaned) <= 8 and cleaned.endswith("指标") and cleaned not in self.level1

    def level2_prefix(self, text: str) -> bool:
        cleaned = squash(text)
        return any(name.startswith(cleaned)
                   or (cleaned.startswith(name) and _CONTINUED_PREFIX.match(cleaned[len(name):]))
                   for name in self.level2)


def display_width(text: str) -> int:
    """Columns a text takes: a Chinese character two, a Latin one one (how a cell wraps its lines)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)
