"""The sheet's column widths on a screen, derived from what its cells hold.

On paper the official table has fixed proportions (templates/sheet.css, or the profile's own widths): a 12-digit
amount or ``≤1,076,430.57元/平方米`` does not fit its 8% or 11% column, and on a phone the whole table is
squeezed to 330 px. On screen the form page instead gives every column the width its widest unbreakable piece
needs (a figure, a whole number cell, four characters of a label, never one alone on a line), read
from the sheet's own HTML (office.parse_sheet: the cells with their spans as the template writes them). The
table is then as wide as those widths add up to, and scrolls inside its frame where the screen is narrower;
where the frame is wide enough, each column takes at least its official share of an A4 sheet, so that a
desktop shows the official proportions. The rules are a style sheet inside `@media screen`, so that the PDFs
(print media) keep the official widths.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup

from ..formatting import COMPUTED_NOTE
from ..profile import Profile
from .html import FIGURE, Grid
from .office import Cell, column_widths, parse_sheet

__all__ = ["needs", "screen_style", "text_em"]

TABLE_PT = 9.5
"""The table's font size (sheet.css: table.form), in which the widths are written (em)."""
A4_TABLE_EM = (210 - 2 * 12) / 25.4 * 72 / TABLE_PT
"""The table's width on an A4 sheet in em (sheet.css: .sheet's max-width 210mm less its 12 mm padding each
side): the width the official proportions are shares of."""
PADDING_EM = 0.9
"""A cell's padding (4 px each side) and border, with a little to spare for a font wider than measured."""
COMPUTED_SIZE = 0.75
"""A published form's computed figure under its printed one (FormView.published_style: font-size 0.75em)."""
LABEL_CHARS = 4
"""A label (th) is given the width of at least four characters a line (产出指标 on one line), more where four would
leave one alone on the last line (年初预算数 whole, not 年初预算/数): never one character per line, in lines as
short as that allows, so that the table stays as narrow as it can. (formgen.css balances the lines too.)"""

_NARROW = {",": 0.5, ".": 0.5, ":": 0.5, ";": 0.5, "'": 0.4, "!": 0.4, "|": 0.4, "i": 0.4, "l": 0.4,
           "(": 0.5, ")": 0.5, "/": 0.5, " ": 0.35}
_WIDE = set("%@MWmw")


def text_em(text: str) -> float:
    """The width of a text in em, estimated on the generous side: a Chinese or full-width character 1, a digit
    or Latin letter 0.62 (Noto Serif CJK SC's digits measure 0.55 in Chromium, SimSun's 0.5), punctuation less."""
    width = 0.0
    for char in text:
        width += _char_em(char)
    return width


@functools.cache
def _char_em(char: str) -> float:
    """One character's width (text_em): cached, as every form page measures the same few thousand characters
    again and again."""
    if char in _NARROW:
        return _NARROW[char]
    if char in _WIDE or unicodedata.east_asian_width(char) in ("W", "F", "A") or ord(char) >= 0x2E80:
        return 1.0
    return 0.62


def _widest_pair(line: str) -> float:
    """The widest two characters standing together in a line: a text wraps anywhere, but a closing mark stays with
    the character before it (字。). Each sum is taken in text_em's order, so that the widths are the same to the
    last bit as text_em's of each pair."""
    widths = [_char_em(char) for char in line]
    pairs = (0.0 + first + second for first, second in itertools.pairwise(widths))
    return max(max(pairs, default=0.0), 0.0 + widths[-1]) if widths else 0.0


def _label_chars(length: int) -> int:
    """The characters a line of a label of `length` characters needs for no line to hold one alone."""
    return next(chars for chars in range(LABEL_CHARS, length + 1) if length % chars != 1) if length > LABEL_CHARS \
        else length


def _pieces(text: str, vertical: bool, nowrap: bool, label: bool, computed: str) -> Iterable[float]:
    """The widths (em) of the pieces of a cell that a line cannot break."""
    if vertical:  # one character per line, as the printed form writes its side labels
        yield from (text_em(char) for char in text if not char.isspace())
        return
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if nowrap:
            yield text_em(line)
            continue
        yield from (text_em(match.group()) for match in FIGURE.finditer(line))
        if label:
            yield text_em(line[:_label_chars(len(line))])
        else:
            yield _widest_pair(line)
    if computed:
        yield COMPUTED_SIZE * text_em(f"{COMPUTED_NOTE} {computed}")


@functools.lru_cache(maxsize=1 << 16)
def _need(text: str, vertical: bool, nowrap: bool, label: bool, computed: str) -> float:
    """The width (em) a cell needs. Cached: labels, headers and many figures recur from form to form."""
    return max(_pieces(text, vertical, nowrap, label, computed), default=0.0) + PADDING_EM


def needs(cells: Iterable[Cell], width: int) -> list[float]:
    """Each grid column's width (em) at which every cell's content fits: a cell of one column sets its own; a
    cell spanning several widens them evenly where they do not yet add up to what it needs."""
    widths = [0.0] * width
    spanning: list[tuple[Cell, float]] = []
    for cell in cells:
        # A number cell (class="num", right-aligned) is nowrap as a whole.
        need = _need(cell.text, cell.vertical, cell.align == "right", cell.kind == "label", cell.computed)
        if cell.colspan == 1:
            widths[cell.col] = max(widths[cell.col], need)
        else:
            spanning.append((cell, need))
    for cell, need in spanning:
        columns = range(cell.col, min(cell.col + cell.colspan, width))
        short = need - sum(widths[col] for col in columns)
        if short > 0:
            for col in columns:
                widths[col] += short / len(columns)
    return [max(w, PADDING_EM + 1) for w in widths]


def _em(value: float) -> str:
    return f"{value:.2f}em"


def _pt(em: float) -> str:
    """A width in em of the table's text, in pt."""
    return f"{em * TABLE_PT:.1f}pt"


def screen_style(html: str, grid: Grid, profile: Profile, base_style: str) -> Markup:
    """The screen rules of one sheet (`html`, as _form_table.html writes it for `profile`): its columns'
    widths, the offsets of its sticky label columns, and the width at which its columns take their official
    shares (`base_style`: the site's sheet.css, whose widths the profile's own may override)."""
    sheet = parse_sheet(html, grid, profile, base_style)
    cells = [cell for line in sheet.lines if line.table is not None for cell in line.cells]
    base = needs(cells, grid.width)
    shares = column_widths(grid.cols, base_style, str(grid.style))
    wide = [max(need, float(share) / 100 * A4_TABLE_EM) for need, share in zip(base, shares, strict=True)]
    scope = ".sheet .sheet-frame table.form"
    rules = [f"{scope} col.{col} {{ width: {_em(w)}; }}" for col, w in zip(grid.cols, base, strict=True)]
    # The label columns stay in view while the frame scrolls (formgen.css makes them sticky): each sticks
    # where the ones before it end, at the widths above (the frame scrolls only at those).
    left = 0.0
    for col, cell in (("c-side", "side"), ("c-l1", "level1"), ("c-l2", "level2"), ("c-l3", "level3")):
        if col in grid.cols:
            rules.append(f"{scope} .{cell} {{ left: {_em(left)}; }}")
            left += base[grid.cols.index(col)]
    # Four label columns would take most of a phone's frame: below twice their width only the 三级指标 sticks,
    # at the left edge, and the others scroll away under it. (Container sizes are in pt: its em is not the
    # table's.)
    rules.append(f"@container sheet (max-width: {_pt(2 * left)}) {{ {scope} th.level3 {{ left: 0; }} "
                 f"{scope} th.level1, {scope} th.level2, {scope} .side {{ position: static; }} }}")
    total = sum(wide)
    rules.append(f"@container sheet (min-width: {_pt(total + 0.2)}) {{ "
                 + " ".join(f"{scope} col.{col} {{ width: {_em(w)}; }}" for col, w in zip(grid.cols, wide, strict=True))
                 + " }")
    if total > A4_TABLE_EM:
        # A desktop has room for a wider sheet than A4: it grows to fit its table rather than scroll.
        rules.append(f".sheet {{ max-width: max(210mm, calc({_pt(total)} + 24mm + 2px)); }}")
    # Printed from the browser the sheet is A4 again: the same widths, the whole table's text smaller where
    # they add up to more than the page (a 12-digit amount), so that every figure stays inside its cell.
    fitted = [f"{scope} col.{col} {{ width: {_em(w)}; }}" for col, w in zip(grid.cols, wide, strict=True)]
    if total > A4_TABLE_EM:
        # The padding shrinks with the text (4 px = 0.32em of 9.5pt), as the widths above count it in em.
        fitted.append(f"{scope} {{ font-size: {TABLE_PT * A4_TABLE_EM / total:.2f}pt; }} "
                      f"{scope} td.small {{ font-size: 0.9em; }} "
                      f"{scope} th, {scope} td {{ padding: 0.24em 0.32em; }}")
    return Markup("@media screen {\n" + "\n".join(rules) + "\n}\n@media print {\n" + "\n".join(fitted) + "\n}")
