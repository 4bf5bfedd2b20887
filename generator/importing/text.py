"""Forms from text extracted from a published PDF (``pdftotext`` and the like).

Such text keeps the table's reading order but not its grid: a cell that wraps spreads over several
lines, the two goal columns come one after the other, a side label stands one character a line, a
reason follows its row. The reader works zone by zone, each zone starting at a label of the table
(`labels.reference_labels`): the lines above the table, the funding table, the goals, the indicators, the
total, the 自评结论 and the contact. Within the indicators a row ends with its four figures
(年度指标值 实际完成值 分值 得分); the cells before them are the 一级 and 二级指标 when they are the
scheme's names (wrapped or not) and the 三级指标 otherwise; text after a row is its reason.

Every line that is not placed is reported with its line number.

Why one module: it is the one reader of text without positions, and its zones all write one `Draft` through one
`_TextForm` (its lines, side labels and money factor). The indicator rows (`_IndicatorRows`, `_take`, `_tail`, ~200
lines) could be a module, but they work through their `_TextForm` (its draft, labels, scheme, level names);
`header_value` and `department_parts`, which grid.py imports from here, would sit better in draft.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ..config import Scheme
from ..findings import Finding
from ..i18n import _
from ..model import caption
from ..profile import form_model
from ..timelimit import Deadline
from ..values import DateValue, parse_decimal, parse_value
from .characters import ascii_digits, clean_line, describe
from .draft import (
    Draft,
    LevelNames,
    Location,
    conclusion_markdown,
    display_width,
    join_wrapped,
    level1_parts,
    note,
    score_text,
    unit_note,
)
from .labels import (
    IGNORED_LINES,
    INDICATOR_COLUMNS,
    MONEY_COLUMNS,
    MONEY_UNITS,
    SECTION_FIELDS,
    LabelTable,
    squash,
)

__all__ = ["read_text_forms"]

_SIDE_FIELDS = ("funds", "goals", "indicators", "conclusion")
_HEADER_FIELDS = {"seal", "filled_on", "title", "department", "implementer"}
"""The fields above the funding table, with the profile's extra header fields (`LabelTable.extra_fields`)."""
FUND_COLUMNS = ("initial", "budget", "executed", "weight", "execution_rate", "score")
"""The funding table's figure columns, in their usual order (the grid reader of PDFs and office files too)."""
_ZONES = ("funds.header", "goals.expected", "level1", "total", "contact")
_TERMINAL = tuple("。！？；!?;")
_YEAR = re.compile(r"[(（]\s*(\d{4})\s*年度?\s*[)）]")
_TITLE_YEAR = re.compile(r"(\d{4})\s*年度?")
_DEPARTMENT = re.compile(r"^[\[【［(（]\s*([0-9A-Za-z\-]*)\s*[\]】］)）]\s*(.*)$")


@dataclass(frozen=True)
class Line:
    number: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def _ignored(text: str) -> bool:
    cleaned = squash(text)
    return not cleaned or any(pattern.match(cleaned) for pattern in IGNORED_LINES)


def filled_on_text(value: str) -> str | None:
    """A printed 填报日期 (``20250123``, ``2025-01-23``, ``2025年1月23日``) as an ISO date; None if it is not one."""
    text = ascii_digits(squash(value))
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        parsed = parse_value(text)
    except ValueError:
        return None
    return parsed.date.isoformat() if isinstance(parsed, DateValue) and parsed.comparison is None else None


def department_parts(value: str) -> tuple[str, str]:
    """``[120]平塘县人民法院`` → (``120``, ``平塘县人民法院``); no code in brackets → (``""``, the text)."""
    found = _DEPARTMENT.match(value.strip())
    return (found.group(1), found.group(2).strip()) if found else ("", value.strip())


def _clean_lines(text: str, source: str) -> tuple[list[Line], list[Finding]]:
    """The text's lines, numbered as the file's (by ``\\n``), without what a form file cannot hold; a
    note for each line that lost something. A form feed is pdftotext's page break: dropped unreported."""
    lines: list[Line] = []
    notes: list[Finding] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        cleaned, removed = clean_line(raw.replace("\f", ""))
        if removed:
            notes.append(note(Location(source, number), "import-character", False,
                              _("{characters}: a form file cannot hold such characters and the printed form does "
                                "not show them — compare the text around them with the source")
                              .format(characters=describe(removed))))
        lines.append(Line(number, cleaned))
    return lines, notes


def read_text_forms(text: str, source: str, scheme: Scheme, labels: LabelTable,
                    deadline: Deadline | None = None) -> tuple[list[Draft], list[Finding]]:
    """The forms in an extracted text, and what was found outside any form; `deadline` is checked
    between forms."""
    lines, notes = _clean_lines(text, source)
    starts = [index for index, line in enumerate(lines) if labels.is_title(line.text)]
    if not starts:
        first = next((index for index, line in enumerate(lines) if labels.starts(line.text, {"title"})), None)
        if first is None:
            return [], [*notes, note(Location(source), "import-no-form", True,
                                     _("no form found: no line reads {form} or {title} — is this a 自评表?")
                                     .format(form=labels.profile.labels.form_title,
                                             title=labels.profile.labels.title))]
        starts = [first]
    for line in lines[: starts[0]]:
        if not _ignored(line.text):
            notes.append(note(Location(source, line.number), "import-unplaced", False,
                              _("“{text}” comes before the first form: not imported")
                              .format(text=line.text.strip()[:60])))
    drafts = []
    for number, start in enumerate(starts, start=1):
        if deadline is not None:
            deadline.check()
        end = starts[number] if number < len(starts) else len(lines)
        draft = Draft(Location(source, lines[start].number), number, model=form_model(labels.profile),
                      conclusion_required=labels.profile.fields.conclusion == "required")
        _TextForm(lines[start:end], draft, source, LevelNames.of(scheme), labels, scheme).read()
        draft.finish()
        drafts.append(draft)
    return drafts, notes


def header_value(draft: Draft, field: str, value: str, where: Location, labels: LabelTable) -> None:
    """The value of a label: value line above or below the table (单位（盖章）, 填报日期, 主管部门及代码, 等级,
    a header field of the profile), for text and for a PDF's, workbook's or document's lines alike."""
    if field == "seal":
        if value:
            seal = caption(labels.profile.labels.seal).rstrip("：:")
            draft.unplaced(where, value, _("the {seal} line").format(seal=seal))
    elif field == "filled_on" and value:  # an optional 填报日期 is printed empty
        date = filled_on_text(value)
        if date is None:
            draft.unplaced(where, value, _("{field} is not a date").format(field=labels.profile.labels.filled_on))
        else:
            draft.set("filled_on", date, where)
    elif field == "department":
        code, name = department_parts(value)
        draft.set("department.code", code, where)
        draft.set("department.name", name, where)
    elif field == "grade":
        draft.set("stated.grade", value, where)
    elif value:
        # A line of check boxes (1、部门预算项目 □ 2、县直专项 ☑) is the choice ticked; one ticking none or several
        # stays as printed, and `formgen check` names the choices.
        draft.set(field, labels.profile.ticked_choice(field, value) or value, where)


class _TextForm:
    """One form's lines, read zone by zone."""

    def __init__(self, lines: list[Line], draft: Draft, source: str, names: LevelNames, labels: LabelTable,
                 scheme: Scheme) -> None:
        self.lines, self.draft, self.source, self.names, self.labels = lines, draft, source, names, labels
        self.scheme = scheme
        self.factor = Decimal(1)
        self.side = self._side_labels()

    def at(self, line: Line) -> Location:
        return Location(self.source, line.number)

    def unplaced(self, line: Line, why: str = "") -> None:
        self.draft.unplaced(self.at(line), line.text, why)

    # --- side labels ---

    def _side_labels(self) -> set[int]:
        """Lines that hold a side label printed vertically (年度 / 总体 / 目标, 绩 / 效 / 指 / 标), and the
        money unit of 项目资金（元）."""
        targets = self._side_targets()
        found: set[int] = set()
        printed = ""
        index = 0
        while index < len(self.lines):
            label = self._vertical_label(index, targets)
            if label is None:
                index += 1
                continue
            taken, field = label
            found.update(taken)
            if field in MONEY_UNITS:
                printed = field
                self.factor = MONEY_UNITS[printed] / self.labels.unit_factor
            index = taken[-1] + 1
        if self.factor != 1:
            self.draft.note(self.draft.where, "import-unit", unit_note(printed, self.labels.profile.money.unit))
        return found

    def _side_targets(self) -> dict[str, str]:
        """Each side label, squashed, and what it labels: its field, or for 项目资金（万元） the money unit."""
        targets: dict[str, str] = {}
        for field in _SIDE_FIELDS:
            for label in self.labels.labels_of(field):
                targets[squash(label).rstrip(":")] = field
                if field == "funds":
                    for unit in MONEY_UNITS:
                        targets[f"{squash(label)}({unit})"] = unit
        return targets

    def _vertical_label(self, index: int, targets: dict[str, str]) -> tuple[list[int], str] | None:
        """The longest side label that the short lines from `index` on spell (blank lines between them skipped):
        its lines and what it labels; None if they spell none."""
        text = squash(self.lines[index].text)
        if not text or len(text) > 8 or not any(target.startswith(text) for target in targets):
            return None
        accumulated, taken, best = "", [], None
        for probe in range(index, len(self.lines)):
            piece = squash(self.lines[probe].text)
            if not piece:
                continue
            if len(piece) > 8 or not any(target.startswith(accumulated + piece) for target in targets):
                break
            accumulated += piece
            taken.append(probe)
            if accumulated in targets:
                best = (list(taken), targets[accumulated])
        return best

    def content(self, start: int, end: int) -> list[Line]:
        """The lines of a zone, without side labels and page numbers (blank lines kept: they separate cells)."""
        return [line for index, line in enumerate(self.lines[start:end], start=start)
                if index not in self.side and (line.blank or not _ignored(line.text))]

    # --- zones ---

    def read(self) -> None:
        anchors: dict[str, int | None] = {}
        position = 0
        for field in _ZONES:
            index = next((index for index in range(position, len(self.lines))
                          if index not in self.side and self._starts(self.lines[index], field)), None)
            anchors[field] = index
            if index is not None:
                position = index + 1
        found = [index for index in anchors.values() if index is not None]

        def zone(field: str) -> list[Line] | None:
            start = anchors[field]
            if start is None:
                return None
            end = min([index for index in found if index > start], default=len(self.lines))
            return self.content(start, end)

        self._header(self.content(0, min(found, default=len(self.lines))))
        readers = {"funds.header": self._funds, "goals.expected": self._goals, "level1": self._indicators,
                   "total": self._total, "contact": self._contact}
        for field in _ZONES:
            lines = zone(field)
            if lines is not None:
                readers[field](lines)

    def _starts(self, line: Line, field: str) -> bool:
        return self.labels.starts(line.text, {field}) is not None

    def _header(self, lines: list[Line]) -> None:
        raw: dict[str, tuple[list[str], Line]] = {}
        last: str | None = None
        for line in lines:
            if line.blank:
                continue
            text = line.text
            year = _YEAR.search(text) or (_TITLE_YEAR.search(text) if self.labels.is_title(text) else None)
            if year:  # （2022年度） below the title, or in it: 2022年度…自评表, 附件：…自评表（2022年度）
                self.draft.set("year", ascii_digits(year.group(1)), self.at(line))
                text = (text[: year.start()] + text[year.end():])
            if not text.strip() or self.labels.is_title(line.text):
                continue
            found = list(self.labels.find(text, {*_HEADER_FIELDS, *self.labels.extra_fields}))
            if found and not text[: found[0].start].strip():
                for position, label in enumerate(found):
                    end = found[position + 1].start if position + 1 < len(found) else len(text)
                    raw[label.field] = ([text[label.end:end].strip()], line)
                    last = label.field
            elif last in ("title", "department", "implementer"):
                raw[last][0].append(text)  # a wrapped cell
            else:
                self.unplaced(line, _("above the funding table"))
        for field, (parts, line) in raw.items():
            self._header_value(field, join_wrapped(parts), line)

    def _header_value(self, field: str, value: str, line: Line) -> None:
        header_value(self.draft, field, value, self.at(line), self.labels)

    def _funds(self, lines: list[Line]) -> None:
        header, rows = lines[0], lines[1:]
        columns = [found.field for found in self.labels.find(header.text, set(FUND_COLUMNS))]
        if len(columns) < 3:
            columns = list(FUND_COLUMNS)  # the header is wrapped: read the columns in their usual order
        for line in rows:
            if line.blank:
                continue
            row = self.labels.starts(line.text, set(self.labels.row_fields))
            if row is None:
                self.unplaced(line, _("in the funding table"))
                continue
            cells = line.text[row.end:].split()
            money = [column for column in columns if column in MONEY_COLUMNS]
            if len(money) != len(cells) < len(columns):
                # Extracted text drops an empty cell: when a row's cells are neither all its columns nor its
                # money alone, which one is empty cannot be told, and reading them in order would shift them.
                self.draft.note(self.at(line), "import-row-misfit", _(
                    "the row “{text}” has {cells} cells for the funding table's {columns} columns: which is empty "
                    "cannot be told, so nothing of the row was imported — write it into the form by hand as the "
                    "source shows it").format(text=" ".join(line.text.split())[:60], cells=len(cells),
                                              columns=len(columns)), error=True)
                continue
            section = SECTION_FIELDS.get(row.field, {})
            for column, cell in zip(columns, cells, strict=False):
                self.draft.fund_cell(row.field, column, cell, self.at(line), self.factor, section)
            for cell in cells[len(columns):]:
                self.draft.unplaced(self.at(line), cell, _("more cells than the funding table has columns"))

    def _goals(self, lines: list[Line]) -> None:
        header, body = lines[0], lines[1:]
        found = {found.field for found in self.labels.find(header.text, {"goals.expected", "goals.actual"})}
        texts = [line for line in body if not line.blank]
        if not texts:
            return
        if "goals.actual" not in found:  # one column only
            self.draft.set("goals.expected", join_wrapped(line.text for line in texts), self.at(texts[0]))
            return
        expected, actual = split_columns(body)
        if expected:
            self.draft.set("goals.expected", join_wrapped(line.text for line in expected), self.at(expected[0]))
        if actual:
            self.draft.set("goals.actual", join_wrapped(line.text for line in actual), self.at(actual[0]))

    def _indicators(self, lines: list[Line]) -> None:
        header = squash(lines[0].text)
        index = 1
        while index < len(lines):
            piece = squash(lines[index].text)
            if piece and len(piece) <= 8 and self._header_like(header + piece):
                header += piece
            elif piece:
                break
            index += 1
        rows = _IndicatorRows(self)
        rows.read(lines[index:])
        if rows.rows:
            self.draft.values["indicators"] = rows.rows

    def _header_like(self, text: str) -> bool:
        """Whether a text is indicator column labels, the last one possibly cut (a wrapped header)."""
        keys = [squash(label) for field in INDICATOR_COLUMNS for label in self.labels.labels_of(field)]
        reachable = {0}
        for position in range(len(text) + 1):
            if position not in reachable:
                continue
            rest = text[position:]
            if any(key.startswith(rest) for key in keys) and rest:
                return True
            reachable.update(position + len(key) for key in keys if rest.startswith(key))
        return len(text) in reachable

    def _total(self, lines: list[Line]) -> None:
        line = lines[0]
        label = self.labels.starts(line.text, {"total"})
        assert label is not None
        numbers = [score_text(cell) for cell in line.text[label.end:].split()]
        if not numbers or any(number is None for number in numbers):
            self.unplaced(line, _("the {row} row").format(row=caption(self.labels.profile.labels.total)))
        else:
            self.draft.set("stated.total", str(numbers[-1]), self.at(line))
            if len(numbers) > 1:
                self.draft.printed_weight(self.scheme, "总分", numbers[0], self.at(line))
        body: list[Line] = []
        reason: list[Line] = []
        for line in lines[1:]:
            if line.blank:
                continue
            grade = self.labels.starts(line.text, {"grade"})
            if grade is not None and not body:
                self.draft.set("stated.grade", line.text[grade.end:].strip(), self.at(line))
                continue
            if self.labels.starts(line.text, {"execution_reason"}) or reason:
                reason.append(line)
                continue
            found = self.labels.starts(line.text, {"conclusion"})
            body.append(Line(line.number, line.text[found.end:]) if found and not body else line)
        if reason:
            label = self.labels.starts(reason[0].text, {"execution_reason"})
            assert label is not None
            first = Line(reason[0].number, reason[0].text[label.end:])
            self.draft.set("execution_reason", join_wrapped(line.text for line in [first, *reason[1:]]),
                           self.at(reason[0]))
        if body:
            # Wrapped lines join as printed; the markers (一、 1.) give the structure.
            self.draft.body = conclusion_markdown(["".join(line.text for line in body)])

    def _contact(self, lines: list[Line]) -> None:
        line = lines[0]
        label = self.labels.starts(line.text, {"contact"})
        assert label is not None
        value = line.text[label.end:].strip()
        if value:
            self.draft.set("contact", value, self.at(line))
        for other in lines[1:]:
            if not other.blank:
                self.unplaced(other, _("after {field}").format(field=self.labels.profile.labels.contact))


def split_columns(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The two goal columns, printed one after the other: where the second starts, judged by the lines'
    widths (every line of a column but its last is as wide as the column) and the gaps between them."""
    texts = [line for line in lines if not line.blank]
    if len(texts) < 2:
        return texts, []
    gap_before = set()
    previous_blank = False
    for line in lines:
        if line.blank:
            previous_blank = True
        elif previous_blank:
            gap_before.add(line.number)
            previous_blank = False
    widths = [display_width(line.text.strip()) for line in texts]
    count = len(widths)
    # Running maxima and sums, so that every split costs the same: a long goal stays linear.
    widest_before = list(itertools.accumulate(widths, max))  # [i]: max(widths[:i + 1])
    widest_after = list(itertools.accumulate(reversed(widths), max))[::-1]  # [i]: max(widths[i:])
    total_before = [0, *itertools.accumulate(widths)]  # [i]: sum(widths[:i])

    def shape(start: int, end: int) -> float:
        # How far a column's lines (widths[start:end]) are from wrapping at one width: its lines but the
        # last are as wide as the widest.
        if end - start < 2:
            return 0.0
        full = widest_before[end - 1] if start == 0 else widest_after[start]
        return (end - start - 1) * full - (total_before[end - 1] - total_before[start])

    best: tuple[float, int] | None = None
    for split in range(1, count):
        cost = shape(0, split) + shape(split, count)
        if texts[split].number not in gap_before:
            cost += 8  # the columns are separate blocks of the extraction: prefer a gap
        if texts[split - 1].text.rstrip().endswith(_TERMINAL):
            cost -= 2
        if best is None or cost < best[0]:
            best = (cost, split)
    assert best is not None
    return texts[: best[1]], texts[best[1]:]


@dataclass
class _Token:
    text: str
    line: Line


class _IndicatorRows:
    """The indicator rows: each ends with 年度指标值 实际完成值 分值 得分 on one line."""

    def __init__(self, form: _TextForm) -> None:
        self.form = form
        self.rows: list[dict[str, str]] = []
        self.level1 = ""
        self.level2 = ""
        self.pending: list[Line] = []

    def read(self, lines: list[Line]) -> None:
        for line in lines:
            if line.blank:
                continue
            tail = _tail(line.text)
            if tail is None:
                self.pending.append(line)
                continue
            head, target, actual, weight, score, rest = tail
            before, pre = self._split_pending(bool(head))
            self._reason(before)
            self._row(pre, Line(line.number, " ".join(head)), line, target, actual, weight, score)
            other = self._other_reading(line.text) if not rest else None  # after _row: its 一级指标 is known
            if other is not None:
                self.rows.pop()  # its 一级 and 二级 cells stay the current ones, as the rows below take them
                self._misfit(line, weight, score, other)
            if rest:
                self.pending.append(Line(line.number, " ".join(rest)))
        before, pre = self._split_pending(has_head=True, last=True)
        self._reason(before)
        for line in pre:
            self.form.unplaced(line, _("in the indicator table, after its last row"))

    def _other_reading(self, text: str) -> tuple[str, str, str] | None:
        """(分值, 得分, reason) when a row's last cells can be read two ways: its last three words are figures,
        and the last may as well be the reason column's (a "0" written there) with the two before it as the
        分值 and 得分 — which puts every figure one cell further right. None when the row fits one way only:
        the form has no column after 得分, or that reading gives a 分值 above its 一级指标's, or a 得分 above
        its 分值."""
        columns = self.form.labels.profile.layout.columns
        if not ({"reason", "note"} & set(columns[columns.index("score") + 1:] if "score" in columns else [])):
            return None
        words = text.split()
        if len(words) < 5 or not all(_number(word) for word in words[-3:]):
            return None
        weight, score = (parse_decimal(ascii_digits(word)) for word in words[-3:-1])
        level1 = next((item for item in self.form.scheme.level1 if item.name == self.level1), None)
        most = Decimal(level1.weight) if level1 is not None and level1.weight else Decimal(100)
        if weight is None or score is None or not 0 < weight <= most or not 0 <= score <= weight:
            return None
        return words[-3], words[-2], words[-1]

    def _misfit(self, line: Line, weight: str, score: str, other: tuple[str, str, str]) -> None:
        """A row whose cells fit the header two ways: an error, and none of its figures placed."""
        columns = self.form.labels.profile.labels
        self.form.draft.note(self.form.at(line), "import-row-misfit", _(
            "the row “{text}” does not fit the table's columns: its last figures read as {weight} {w1}, {score} "
            "{s1}, or as {weight} {w2}, {score} {s2} and {reason} “{r2}” — nothing of the row was imported; write "
            "it into the form by hand as the source shows it").format(
            text=" ".join(line.text.split())[:60], weight=columns.weight, score=columns.score, w1=weight, s1=score,
            w2=other[0], s2=other[1], reason=caption(columns.reason), r2=other[2]), error=True)

    def _tokens(self, lines: list[Line]) -> list[_Token]:
        return [_Token(word, line) for line in lines for word in line.text.split()]

    def _level_at(self, tokens: list[_Token], index: int) -> tuple[int, int]:
        """How many tokens from `index` are a 一级指标 cell, then how many after those a 二级指标 cell."""
        names = self.form.names
        level1 = _take(tokens, index, names.is_level1, names.level1_prefix)
        level2 = _take(tokens, index + level1, names.is_level2, names.level2_prefix)
        if not level2 and index + level1 < len(tokens) - 1 and names.is_level2(tokens[index + level1].text, True):
            level2 = 1
        return level1, level2

    def _split_pending(self, has_head: bool, last: bool = False) -> tuple[list[Line], list[Line]]:
        """The pending lines cut in two: the previous row's reason, and the next row's cells."""
        pending, self.pending = self.pending, []
        if not self.rows:
            return [], pending
        # The tokens once, each line's first token found by its offset: a long reason stays linear.
        tokens = self._tokens(pending)
        offset = 0
        for index, line in enumerate(pending):
            level1, level2 = self._level_at(tokens, offset)
            if level1 or level2:
                return pending[:index], pending[index:]
            offset += len(line.text.split())
        if last or has_head:
            return pending, []
        ends = [index for index, line in enumerate(pending) if line.text.rstrip().endswith(_TERMINAL)]
        if not ends:
            return [], pending
        return pending[: ends[-1] + 1], pending[ends[-1] + 1:]

    def _reason(self, lines: list[Line]) -> None:
        if not lines:
            return
        if not self.rows:
            for line in lines:
                self.form.unplaced(line, _("in the indicator table, before its first row"))
            return
        row = self.rows[-1]
        text = join_wrapped(line.text for line in lines)
        row["reason"] = join_wrapped([row.get("reason", ""), text]) if row.get("reason") else text

    def _row(self, pre: list[Line], head: Line, line: Line, target: str, actual: str, weight: str,
             score: str) -> None:
        tokens = self._tokens([*pre, head])
        level1, level2 = self._level_at(tokens, 0)
        names = self.form.names
        if level1 and not level2 and len(tokens) > level1:
            # 满意度指标 alone: the 二级 cell of the same 一级, when no weight says it is the 一级 cell.
            text = "".join(token.text for token in tokens[:level1])
            if level1_parts(text)[1] is None and names.is_level2(text) and level1_parts(text)[0] == self.level1:
                level1, level2 = 0, level1
        where = self.form.at(line)
        if level1:
            name, points = level1_parts("".join(token.text for token in tokens[:level1]))
            self.level1, self.level2 = name, ""
            self.form.draft.printed_weight(self.form.scheme, name, points, self.form.at(tokens[level1 - 1].line))
        if level2:
            self.level2 = squash("".join(token.text for token in tokens[level1: level1 + level2]))
        rest = tokens[level1 + level2:]
        by_line: dict[int, list[str]] = {}
        for token in rest:
            by_line.setdefault(token.line.number, []).append(token.text)
        name = join_wrapped(" ".join(words) for words in by_line.values())
        row = {"level1": self.level1, "level2": self.level2, "name": name, "target": target, "actual": actual,
               "weight": score_text(weight) or weight, "score": score_text(score) or score}
        for field in ("level1", "level2", "name"):
            if not row[field]:
                self.form.draft.note(where, "import-missing", _("the row ending “{text}” has no {field}")
                                     .format(text=line.text.strip()[:40], field=field), error=True)
        self.rows.append(row)


def _take(tokens: list[_Token], index: int, full: Callable[[str], bool], prefix: Callable[[str], bool]) -> int:
    """How many tokens from `index`, joined, make the longest text `full` accepts (0 if none), going on
    while `prefix` accepts the text so far: a cell wrapped over several lines."""
    accumulated = ""
    best = 0
    for position in range(index, len(tokens)):
        accumulated += squash(tokens[position].text)
        if full(accumulated):
            best = position - index + 1
        if not prefix(accumulated):
            break
    return best


def _number(text: str) -> bool:
    return parse_decimal(ascii_digits(text)) is not None


def _tail(text: str) -> tuple[list[str], str, str, str, str, list[str]] | None:
    """A row's last cells: (cells before, 年度指标值, 实际完成值, 分值, 得分, cells after), or None."""
    words = text.split()
    for index in range(len(words) - 2, 1, -1):
        if _number(words[index]) and _number(words[index + 1]):
            return (words[: index - 2], ascii_digits(words[index - 2]), ascii_digits(words[index - 1]), words[index],
                    words[index + 1], words[index + 2:])
    return None
