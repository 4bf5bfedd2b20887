"""The Jinja environment and the site's pages: form pages, index, per-year and per-unit lists.

Rendering never computes a figure: every number comes from `scoring` and is formatted by
`formatting`. What is computed here is layout: which cells span which rows, how forms that share a
项目名称 are told apart, and relative links, so that the site works at any URL prefix and from disk.

Why one module: it owns the Jinja environment and every page's view of the site (the sheet's grid and rows, the form
page, the list pages), which share the output paths (`form_page_path` …) and `relative_url`. The list side (`ListRow`,
`display_titles`, `chart`, `bundle_links`, `list_pages`, ~250 lines) could move as it is; it has not, as build/ reaches
both sides through this one module.
"""

from __future__ import annotations

import dataclasses
import functools
import html as html_module
import importlib.resources
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .. import formatting, published, slugs
from ..config import SiteConfig
from ..findings import Finding, Level
from ..model import Status
from ..pipeline import Entry
from ..profile import FUNDS_LABEL_KEYS, MoneyFormat, Profile, per_profile
from ..scoring import IndicatorResult, Method, ScoredForm, summarize_by_year
from .narrative import to_html

__all__ = ["BundleLink", "FormView", "Grid", "Link", "ListRow", "Page", "bundle_links", "display_titles",
           "environment", "form_page", "form_view", "grid", "links", "list_pages", "list_row", "render",
           "with_bundles"]


def default_templates() -> Path:
    """The folder of the default templates (the top-level templates/, installed as package data)."""
    return Path(str(importlib.resources.files("generator.templates")))


@functools.lru_cache(maxsize=256)  # the side labels, the same on every form
def vertical(text: str) -> Markup:
    """A side label written top to bottom, one character per line, as on the printed form."""
    # Joined as plain strings of escaped characters: Markup.format, per character, was most of a page's labels.
    return Markup("".join(f'<span class="char">{escape(char)}</span>' for char in text))


def _signed(figure: str, sign: str) -> str:
    """A printed figure with its sign after it (100.00%), an empty one as it is."""
    return f"{figure}{sign}" if figure and sign else figure


def money(value: Decimal, unit: MoneyFormat | None = None) -> str:
    """Money as printed: in 元 (lists, bundle covers), or in a form's profile's unit on its sheet."""
    return formatting.money(value) if unit is None else unit.show(value)


# A figure as the tables print it: an amount, a count or a percentage with its sign and unit (`≤1,076,430.57元`,
# `534.78元/亩`, `≥90%`), or a date (`2024年12月31日`, a year `2024年` alone). The lookbehind keeps a match from
# starting inside another number or inside a character reference (`&#39;`). tests/layout.py looks for the same
# figures in the browser (the pattern is valid JavaScript too).
FIGURE = re.compile(r"(?<![#\d.,])(?:\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{4}年(?![\d月])"
                    r"|[≥≤＝=＜＞<>]?\d[\d,]*(?:\.\d+)?(?:%|‰|[\u4e00-\u9fff]{1,3}(?:/[\u4e00-\u9fff]{1,3})?)?)")
_TAG = re.compile(r"(<[^>]*>)")


def unbroken(value: object) -> Markup:
    """Text with each figure in it kept on one line (`<span class="fig">`, white-space: nowrap), so that a
    narrow cell wraps the words around a figure and never the figure itself. Plain text is escaped first;
    markup (the conclusion as HTML) has its text between tags marked, its tags left as they are."""
    if value is None or value == "":
        return Markup("")
    if isinstance(value, Markup):
        parts = _TAG.split(str(value))
        return Markup("".join(part if index % 2 else FIGURE.sub(r'<span class="fig">\g<0></span>', part)
                              for index, part in enumerate(parts)))
    text = str(value)
    pieces: list[str] = []
    last = 0
    for match in FIGURE.finditer(text):
        pieces.append(escape(text[last:match.start()]))
        pieces.append(f'<span class="fig">{escape(match.group())}</span>')
        last = match.end()
    if not pieces:  # most cells hold no figure
        return escape(text)
    pieces.append(escape(text[last:]))
    return Markup("".join(pieces))


@jinja2.pass_environment
def fit_columns(env: jinja2.Environment, sheet: Markup, view: FormView) -> Markup:
    """The screen rules that size a sheet's columns to what they hold (`fit.screen_style`), for its form page."""
    from .fit import screen_style  # fit reads the sheet back with office, which imports this module

    base = env.loader.get_source(env, "sheet.css")[0] if env.loader else ""
    return Markup("<style>{}</style>").format(screen_style(str(sheet), view.grid, view.profile, base))


_CSS_SPECIAL = frozenset('"\'\\<>&')


def css_string(text: str) -> Markup:
    """Any text (a font family from formgen.toml) as a quoted CSS string, safe inside <style>: quotes,
    backslashes, controls and ``< > &`` are written as CSS escapes, so that it can end neither the
    string, nor the rule, nor the <style> element (``</style>``)."""
    escaped = "".join(f"\\{ord(char):x} " if char in _CSS_SPECIAL or ord(char) < 0x20 or ord(char) == 0x7F else char
                      for char in text)
    return Markup(f'"{escaped}"')


def environment(site_templates: Path | None = None) -> jinja2.Environment:
    """Templates from the site's own folder first (overrides by file name), then the defaults."""
    folders = [default_templates()]
    if site_templates is not None and site_templates.is_dir() and site_templates.resolve() != folders[0].resolve():
        folders.insert(0, site_templates)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
        autoescape=True,  # every template, whatever its name: published pages are public
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # An environment serves one build (or one export): its templates do not change under it, and looking
        # at their files' times on every page (five a form page) is work no page needs.
        auto_reload=False,
    )
    env.filters.update(money=money, score=formatting.score, rate=formatting.rate,
                       vertical=vertical, markdown=to_html, css_string=css_string,
                       unbroken=unbroken, fit_columns=fit_columns)
    return env


@dataclass(frozen=True)
class Row:
    """One indicator row as laid out: the 一级/二级 cells span their groups' rows."""

    result: IndicatorResult
    level1_span: int
    """How many rows the 一级指标 cell spans; 0 where an earlier row's cell covers this one."""
    level2_span: int
    level1_weight: str
    level2_weight: str = ""
    """The 二级指标's own points where the scheme gives them (数量指标(10分)), else empty."""
    side_span: int = 0
    """In a PDF whose indicators run on to other pages (`split_rows`): how many rows the side label
    (绩效指标) spans from this row, 0 where an earlier row's covers it; 0 on every row otherwise, where the
    first row's spans them all."""
    level1_continued: bool = False
    level2_continued: bool = False
    """This row begins a page in the middle of its 一级 (二级) group: the group's cell is printed again
    here, marked 续 (`split_rows`)."""

    @property
    def placeholder(self) -> bool:
        """An empty template row (指标2:): printed with empty cells, as the published table prints it."""
        return self.result.method is Method.PLACEHOLDER


def _spans(results: tuple[IndicatorResult, ...], key: Callable[[IndicatorResult], tuple[str, ...]]) -> list[int]:
    spans = [0] * len(results)
    start = 0
    for index in range(1, len(results) + 1):
        if index == len(results) or key(results[index]) != key(results[start]):
            spans[start] = index - start
            start = index
    return spans


def layout_rows(scored: ScoredForm, profile: Profile) -> list[Row]:
    """The indicator rows with the spans of their 一级 and 二级 cells (rows of a group are together)."""
    results = scored.indicators
    level1 = _spans(results, lambda r: (r.indicator.level1,))
    level2 = _spans(results, lambda r: (r.indicator.level1, r.indicator.level2))
    # The 一级指标 cells name their points where the scheme fixes them: not for an unscored form, nor for free
    # weights, where the unit spreads the points over its rows and a 一级指标 has none of its own. A published
    # copy's name the points its rows carry, as printed (产出指标(70分) where the scheme says 50): the
    # difference is reported under the table.
    weights = {item.name: formatting.score(item.weight) for item in profile.scheme.level1} \
        if profile.scheme.weights == "fixed" and profile.layout.level1_points else {}
    if weights and scored.form.status is Status.PUBLISHED:
        carried: dict[str, Decimal] = {}
        for result in results:
            row = result.indicator
            if row.weight is not None:  # an empty template row carries no points
                carried[row.level1] = carried.get(row.level1, Decimal(0)) + row.weight
        weights = {name: formatting.score(points) for name, points in carried.items()}
    scheme = profile.scheme
    return [Row(result, level1[i], level2[i], weights.get(result.indicator.level1, ""),
                _points(scheme.level2_weight(result.indicator.level1, result.indicator.level2))
                if scheme.scored else "")
            for i, result in enumerate(results)]


def split_rows(rows: list[Row], starts: tuple[int, ...]) -> list[Row]:
    """The rows of a PDF whose indicators run on to other pages, each of `starts` (0-based) beginning
    one: there the side label, the 一级 and the 二级 cells that span it begin again, so that a reader of
    that page knows which groups its rows belong to, and the spans above end at the page."""
    if not starts:
        return rows
    bounds = sorted({0, *starts, len(rows)})
    cut = {index: bounds[position + 1] for position, index in enumerate(bounds[:-1])}

    def span_from(index: int, groups: list[int]) -> int:
        """The span of a group's cell from `index`: to the group's end or the page's, whichever is first."""
        start = max(start for start in range(index + 1) if groups[start])
        end = start + groups[start]
        page_end = next(bound for bound in bounds if bound > index)
        return min(end, page_end) - index

    level1 = [row.level1_span for row in rows]
    level2 = [row.level2_span for row in rows]
    split = []
    for index, row in enumerate(rows):
        if index in cut:
            split.append(dataclasses.replace(row, side_span=cut[index] - index, level1_span=span_from(index, level1),
                                 level2_span=span_from(index, level2), level1_continued=not row.level1_span,
                                 level2_continued=not row.level2_span))
        else:
            split.append(dataclasses.replace(row, level1_span=span_from(index, level1) if row.level1_span else 0,
                                 level2_span=span_from(index, level2) if row.level2_span else 0))
    return split


def _points(weight: Decimal | None) -> str:
    return "" if weight is None else formatting.score(weight)


_COLUMN_CLASSES = {"level1": "c-l1", "level2": "c-l2", "name": "c-l3"}


@dataclass(frozen=True)
class Grid:
    """The sheet's grid for a profile: one column per 绩效指标 column plus the side column, which the
    funding, goal and total rows above and below share. The spans below fill each of those rows."""

    width: int
    columns: tuple[str, ...]
    """The 绩效指标 columns, by front-matter key."""
    cols: tuple[str, ...]
    """The class of each <col>, the side column first."""
    table_class: str
    """Added to the tables' class where the profile sets its own widths (`` layout-central``), else empty."""
    style: Markup
    """Those widths as a style sheet for the sheet's tables alone (empty without widths): inside the sheet, so
    that the form page, its PDF and a bundle mixing profiles all get them, and templates/sheet.css (the
    reference's widths) stays as it is."""
    value_span: int
    """项目名称's value."""
    department_span: int
    implementer_span: int
    funds_columns: tuple[str, ...]
    """The funding table's columns, by `profile.FundsColumn` name (source, initial, budget, …)."""
    funds_labels: tuple[str, ...]
    """The `Labels` key of each funding column's header."""
    funds_spans: tuple[int, ...]
    """The grid columns each column of the funding table spans (for the reference: 资金来源, 年初预算数,
    全年预算数, 全年执行数, 分值, 执行率, 得分)."""
    expected_span: int
    achieved_span: int
    total_span: int
    """总分's label: up to the first of the 分值 and 得分 columns."""
    total_cells: tuple[tuple[str, int], ...]
    """The 总分 row's cells after its label, as (kind, span): ``points`` under 分值, ``total`` under 得分 (or in
    the last column where the table has no 得分), ``empty`` for a run of other columns."""
    funds_side: Markup
    """项目资金（元） as the side label prints it: 项目 / 资金 / （元）."""
    total_plain: str
    """总分 without its letter spacing (for captions)."""
    implementer_label_span: int = 2
    """实施单位's label: 2 columns, 1 in a grid too narrow to leave its value one."""
    indicators_points: str = ""
    """The indicator block's points after its side label where the profile prints them (`block_points`): the
    一级指标 weights added up (80); else empty."""

    @property
    def cells(self) -> tuple[str, ...]:
        """The columns after the 三级指标, which each row prints itself."""
        return self.columns[3:]


def _side_label(text: str, points: str = "") -> Markup:
    """A side label in lines of two characters, a trailing （unit） on its own line: 项目<br>资金<br>（元）, and the
    block's points on the last where it prints them: 预算<br>执行<br>情况<br>（万元）<br>(20分)."""
    head, bracket, unit = text.partition("（")
    lines = [head[start:start + 2] for start in range(0, len(head), 2)] + ([bracket + unit] if bracket else [])
    return Markup("<br>").join(escape(line) for line in [*lines, *([f"({points}分)"] if points else [])])


def _block_points(profile: Profile) -> tuple[str, str]:
    """The points the funding and indicator blocks print after their titles (`layout.block_points`): the
    budget weight and the 一级指标 weights added up, as the level cells print theirs (20, 80); empty where the
    profile prints none, for an unscored form, or for a block worth no points (宁夏's funds: 0)."""
    scheme = profile.scheme
    if not (profile.layout.block_points and scheme.scored):
        return "", ""
    indicators = sum((level1.weight for level1 in scheme.level1), Decimal(0))
    return _points(scheme.budget_weight or None), _points(indicators or None)


@per_profile
def grid(profile: Profile) -> Grid:
    """The grid of a profile's sheet (for the reference: the published form's 10 columns)."""
    layout = profile.layout
    columns = tuple(layout.columns)
    width = len(columns) + 1
    cols = ["c-side", *(_COLUMN_CLASSES.get(column, f"c-{column}") for column in columns)]
    table_class, style = "", Markup("")
    if layout.widths:  # profile names are [a-z0-9-] and widths integers: nothing here needs escaping
        table_class = f" layout-{profile.name}"
        style = Markup(" ").join(Markup(f"table.form.layout-{profile.name} col.{col} {{ width: {percent}%; }}")
                                 for col, percent in zip(cols, layout.widths, strict=True))
    # 实施单位's label takes 2 columns, or 1 where the grid is too narrow to leave its value one.
    implementer_label = 2 if width >= 7 else 1
    rest = width - 3 - implementer_label  # after the label (3 columns) and 实施单位's label
    expected = (width - 1) // 2
    labels = profile.labels
    funds_points, indicators_points = _block_points(profile)
    return Grid(width, columns, tuple(cols), table_class, style, width - 3, rest - rest // 2, rest // 2,
                tuple(layout.funds_columns), tuple(FUNDS_LABEL_KEYS[column] for column in layout.funds_columns),
                _funds_spans(layout.funds_columns, layout.funds_spans, width), expected, width - 1 - expected,
                *_total_cells(columns), _side_label(f"{labels.funds}（{profile.money.unit}）", funds_points),
                re.sub(r"\s+", "", labels.total), implementer_label, indicators_points)


def _funds_spans(funds: tuple[str, ...], spans: tuple[int, ...], width: int) -> tuple[int, ...]:
    """The profile's spans, or by default 资金来源 2, 得分 the rest and the others 1 (the reference: 2, 1, 1,
    1, 1, 1, 2)."""
    if spans:
        return spans
    made = [2 if column == "source" else 1 for column in funds]
    # The rest goes to 得分, or to the last column of a table without one (an unscored form's).
    made[funds.index("score") if "score" in funds else -1] += width - 1 - sum(made)
    return tuple(made)


def _total_cells(columns: tuple[str, ...]) -> tuple[int, tuple[tuple[str, int], ...]]:
    """总分's label span and the cells after it: the points under 分值 and the total under 得分, or in the last
    column for a table without 得分 (its rows' scores are not printed, their sum is)."""
    total_at = columns.index("score") if "score" in columns else len(columns) - 1
    points_at = columns.index("weight") if "weight" in columns else None
    if points_at == total_at:
        points_at = None
    first = total_at if points_at is None else min(points_at, total_at)
    cells: list[tuple[str, int]] = []
    for index in range(first, len(columns)):
        kind = "total" if index == total_at else "points" if index == points_at else "empty"
        if kind == "empty" and cells and cells[-1][0] == "empty":
            cells[-1] = ("empty", cells[-1][1] + 1)
        else:
            cells.append((kind, 1))
    return 1 + first, tuple(cells)


@dataclass(frozen=True)
class Link:
    """Another form, as a link names it."""

    page: str
    display_title: str


@dataclass
class FormView:
    """A form as its page shows it."""

    entry: Entry
    display_title: str
    """项目名称, with a suffix where another form of the site has the same name."""
    rows: list[Row]
    previous: Link | None = None
    next: Link | None = None
    pdf: str | None = None
    unit_slug: str | None = None
    """The slug of its 实施单位's page, unique in the site (`slugs.unit_slugs`); None where the build
    does not say (a form's PDF, which does not link it): the unit's name alone decides it then."""

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def scored(self) -> ScoredForm:
        assert self.entry.scored is not None
        return self.entry.scored
    @property
    def form(self) -> Any:
        return self.scored.form

    @property
    def page(self) -> str:
        return form_page_path(self.slug)

    @property
    def json(self) -> str:
        return form_json_path(self.slug)

    @property
    def year_page(self) -> str:
        return year_page_path(self.form.year)

    @property
    def unit_page(self) -> str:
        unit = self.form.implementer
        return unit_page_path(self.unit_slug if self.unit_slug is not None else slugs.unit_slugs([unit])[unit])

    @property
    def pdf_name(self) -> str:
        """The name its PDF downloads under: the 项目名称 as the site shows it."""
        return slugs.download_name(self.display_title)

    @property
    def findings(self) -> list[Finding]:
        return self.entry.findings

    @property
    def profile(self) -> Profile:
        """The form's profile (表样): its labels, money unit, columns and scheme."""
        return self.entry.profile or Profile()

    @property
    def grid(self) -> Grid:
        return grid(self.profile)

    @property
    def created(self) -> str:
        """The PDF's date: its 填报日期, or where the form has none the end of the evaluated year, never the
        clock (the same form makes the same PDF)."""
        filled = getattr(self.form, "filled_on", None)
        return filled.isoformat() if filled else f"{self.form.year}-12-31"

    @cached_property
    def printed(self) -> published.Printed | None:
        """A published form's figures as printed, with formgen's where they differ; None for a draft."""
        return published.printed(self.scored, self.profile)

    def shown(self, key: str, computed: str) -> str:
        """A figure as the form shows it, as text: the printed one of a published form, else `computed`."""
        printed = self.printed
        return computed if printed is None else printed.figures.get(key, computed)

    def figure(self, key: str, computed: str, sign: str = "") -> Markup:
        """A figure of the table (`key` as in `published.Printed`): formgen's `computed` one for a draft; for
        a published form the printed one, with formgen's on a small second line where they differ. `sign`
        follows each figure (a rate's ``%``); an empty one, printed empty, takes none."""
        printed = self.printed
        if printed is None:
            return escape(_signed(computed, sign))
        shown, differs = _signed(self.shown(key, computed), sign), printed.computed(key)
        if differs is None:
            return escape(shown)
        differs = _signed(differs, sign) if differs != self.profile.layout.funds_blank else differs
        beside = '{}<span class="computed" title="formgen 按规则计算为 {}，表上填写为 {}">{} {}</span>'
        return Markup(beside).format(shown, differs, shown, formatting.COMPUTED_NOTE, differs)

    def rate(self, key: str, value: Decimal) -> Markup:
        """A 执行率 of the table as `figure` prints it, with the profile's sign after it (``rate_sign``)."""
        return self.figure(key, formatting.rate(value, self.scored.places.rate), self.profile.layout.rate_sign)

    @property
    def discrepancies(self) -> list[Finding]:
        """A published form's discrepancies, listed under its table (empty for a draft)."""
        return [finding for finding in self.findings if finding.level is Level.DISCREPANCY]

    @property
    def published_style(self) -> Markup:
        """The style of formgen's figures beside the printed ones: inside the sheet, and only in a published
        form's, so that the shared style sheets (and every draft's page) stay as they are."""
        if self.printed is None:
            return Markup("")
        return Markup("table.form .computed { display: block; font-size: 0.75em; color: #8a4b00; "
                      "white-space: normal; } "
                      ".form-discrepancies { font-size: 0.85em; } .form-discrepancies h2 { font-size: 1em; }")


def form_page_path(slug: str) -> str:
    return f"forms/{slug}.html"


def form_json_path(slug: str) -> str:
    return f"data/forms/{slug}.json"


def year_page_path(year: int) -> str:
    return f"years/{year}.html"


def unit_page_path(unit_slug: str) -> str:
    """A unit's page, by the unit's slug (`slugs.unit_slugs`: its name in pinyin, unique in the site)."""
    return f"units/{unit_slug}.html"


def form_view(entry: Entry, display_title: str, config: SiteConfig, previous: Link | None = None,
              next_form: Link | None = None, pdf: bool = False, unit_slug: str | None = None) -> FormView:
    assert entry.scored is not None
    profile = entry.profile or config.profile_for()
    return FormView(entry, display_title, layout_rows(entry.scored, profile), previous, next_form,
                    form_pdf_path(entry.slug) if pdf else None, unit_slug)


def form_pdf_path(slug: str) -> str:
    return f"pdf/{slug}.pdf"


def bundle_path(year: int, unit_slug: str, volume: int | None = None) -> str:
    """The bundle (合订本) of one unit's forms of one year, or one volume of it: the year and the unit's
    slug, and for a volume ``-di-2-ce`` (第2册 in pinyin, as the rest of the name): a bare ``-2`` would make
    the second volume of 某某 the bundle of a unit named 某某2."""
    part = f"-di-{volume}-ce" if volume is not None else ""
    return f"pdf/bundles/{year}-{unit_slug}{part}.pdf"


def bundle_download_name(year: int, unit: str, volume: int | None = None) -> str:
    """The name a bundle downloads under: ``2024年 平塘县人民法院 合订本.pdf``, a volume's with （第2册）."""
    return slugs.download_name(f"{year}年 {unit} 合订本" + (f"（第{volume}册）" if volume is not None else ""))


def visible_text(html: str) -> str:
    """The text of an HTML document without its markup (for checking that every character has a glyph)."""
    return html_module.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S))


@dataclass(frozen=True)
class ListRow:
    """One form in a list page, from its feed record: no model needed, so worker processes can send it."""

    slug: str
    display_title: str
    short_title: str
    """The display title shortened for chart labels, keeping the distinguishing suffix."""
    year: int
    unit: str
    unit_slug: str
    """The slug of the unit's page and bundles, unique in the site (`slugs.unit_slugs`)."""
    budget: Decimal
    executed: Decimal
    execution_rate: Decimal
    total: Decimal | None
    """总分; None for an unscored form (``weights = "none"``), which the lists show as “—”."""
    grade: str | None
    pdf: str | None = None
    """The form's PDF, where built."""
    filled_on: str = ""
    """填报日期, ISO."""
    bundle: str | None = None
    """The bundle (or volume) that holds this form, where PDFs are built (see `with_bundles`)."""
    volume: int | None = None
    """The volume's number where the bundle is split into volumes."""
    places: formatting.Places = field(default_factory=formatting.Places)
    """The decimals the form's figures are printed with (its scheme's), as its feed record writes them."""

    @property
    def page(self) -> str:
        return form_page_path(self.slug)

    @property
    def unit_page(self) -> str:
        return unit_page_path(self.unit_slug)

    @property
    def pdf_name(self) -> str:
        """The name its PDF downloads under: the 项目名称 as the lists show it."""
        return slugs.download_name(self.display_title)

    @property
    def bundle_name(self) -> str:
        """The name its bundle (or volume) downloads under."""
        return bundle_download_name(self.year, self.unit, self.volume)


SHORT_TITLE = 20


def display_titles(forms: list[tuple[str, str, Decimal]]) -> dict[str, str]:
    """(slug, 项目名称, 全年预算数) → the title every list shows: forms sharing a 项目名称 get the amount,
    then the slug if the amounts are equal too."""
    by_title: dict[str, list[tuple[str, str]]] = {}
    for slug, title, budget in forms:
        by_title.setdefault(title, []).append((slug, formatting.money(budget)))
    titles = {}
    for title, group in by_title.items():
        amounts = [amount for _, amount in group]
        for slug, amount in group:
            if len(group) == 1:
                titles[slug] = title
            elif amounts.count(amount) == 1:
                titles[slug] = f"{title}（{amount}元）"
            else:
                titles[slug] = f"{title}（{amount}元，{slug}）"
    return titles


def list_row(record: dict[str, Any], display_title: str, unit_slug: str, pdf: bool = False) -> ListRow:
    """A list row from a form's feed record (figures parsed back from their exact decimal strings), and
    the slug of its unit (`slugs.unit_slugs` of all the site's units)."""
    title = record["title"]
    short = title if len(title) <= SHORT_TITLE else title[:SHORT_TITLE - 1] + "…"
    total = record["funds"]["total"]
    rate = Decimal(record["execution_rate"])
    points = None if record["total"] is None else Decimal(record["total"])  # null: an unscored form
    # The feed writes a rate with exactly its scheme's decimals and a score with them where it is not
    # whole, so the strings say how the lists are to print them (86 in a whole-number scheme, 70.93).
    places = formatting.Places(score=formatting.decimals_of(points) if points is not None else 2,
                               rate=formatting.decimals_of(rate))
    return ListRow(record["slug"], display_title, short + display_title[len(title):], record["year"],
                   record["unit"], unit_slug, Decimal(total["budget"]), Decimal(total["executed"]),
                   rate, points, record["grade"],
                   form_pdf_path(record["slug"]) if pdf else None, record.get("filled_on", ""), places=places)


def with_bundles(rows: list[ListRow], most: int | None) -> list[ListRow]:
    """The rows with their bundle: one per year and unit, in volumes of `most` forms where larger."""
    groups: dict[tuple[int, str], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((row.year, row.unit_slug), []).append(index)
    placed = list(rows)
    for (year, unit_slug), members in groups.items():
        for position, index in enumerate(members):
            volume = position // most + 1 if most is not None and len(members) > most else None
            placed[index] = dataclasses.replace(rows[index], bundle=bundle_path(year, unit_slug, volume),
                                                volume=volume)
    return placed


def links(rows: list[ListRow]) -> dict[str, tuple[Link | None, Link | None]]:
    """Each form's previous and next form, in file order."""
    named = [Link(row.page, row.display_title) for row in rows]
    return {row.slug: (named[i - 1] if i else None, named[i + 1] if i + 1 < len(named) else None)
            for i, row in enumerate(rows)}


@dataclass(frozen=True)
class Page:
    """One HTML page to write: its path inside the output folder, its template and its context."""

    path: str
    template: str
    context: dict[str, Any]


def relative_url(from_page: str, target: str) -> str:
    """A link from one page of the site to another file of it, relative, so the site works anywhere."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


@dataclass(frozen=True)
class ChartBar:
    """One row of the chart: a form (its title, linking to its page) or, in the distribution chart, a bin of
    ten points (no link), with its two bars."""

    label: str
    href: str
    """The form's page, relative to the list page; empty for a bin."""
    rate: str
    """The 执行率 as printed (a bin: the number of forms in it)."""
    total: str
    rate_width: str
    """The bar's length, in percent of the bar's track, as CSS reads it (``70.93``)."""
    total_width: str


@dataclass(frozen=True)
class Chart:
    """Bars of 执行率 and 总分 per form (up to `PER_FORM_LIMIT` forms), else their distribution: rows of HTML
    laid out by CSS, so that on a phone a row puts its title above its bars and the text keeps its size (an
    SVG drawn for 800 px shrank its labels below legibility at 390 px)."""

    per_form: bool
    bars: list[ChartBar]


PER_FORM_LIMIT = 60
UNSCORED = "—"
"""What the lists, covers and chart show for the 总分 and 等级 of an unscored form."""
_PERCENT = Decimal("0.01")


def _width(value: Decimal, full: Decimal) -> str:
    """`value` as a share of `full`, in percent with two decimals, within 0 to 100 (a 执行率 above 100% fills
    the track and no more)."""
    share = min(max(value, Decimal(0)) * 100 / full, Decimal(100)) if full else Decimal(0)
    return f"{share.quantize(_PERCENT):f}"


def chart(rows: list[ListRow], from_page: str) -> Chart:
    """Layout of the list page's chart (drawn by _chart.html at build time; no JavaScript needed)."""
    hundred = Decimal(100)
    if len(rows) <= PER_FORM_LIMIT:
        # An unscored form has a 执行率 bar and no 总分 bar.
        return Chart(True, [ChartBar(row.short_title, relative_url(from_page, row.page),
                                     row.places.show_rate(row.execution_rate),
                                     UNSCORED if row.total is None else row.places.show_score(row.total),
                                     _width(row.execution_rate, hundred),
                                     _width(Decimal(0) if row.total is None else row.total, hundred))
                            for row in rows])
    by_rate, by_total = [0] * 10, [0] * 10
    for row in rows:  # bins of ten points; 100 falls in the last
        by_rate[min(int(row.execution_rate) // 10, 9)] += 1
        if row.total is not None:  # an unscored form counts by 执行率 only
            by_total[min(int(row.total) // 10, 9)] += 1
    largest = Decimal(max(*by_rate, *by_total) or 1)
    return Chart(False, [ChartBar(f"{low * 10}–{low * 10 + 10}", "", str(by_rate[low]), str(by_total[low]),
                                  _width(Decimal(by_rate[low]), largest), _width(Decimal(by_total[low]), largest))
                         for low in range(10)])


@dataclass(frozen=True)
class BundleLink:
    """A bundle (or one volume of it) as a list page offers it for download."""

    path: str
    download: str
    """The name it downloads under."""
    unit: str
    year: int
    volume: int | None
    forms: int


def bundle_links(rows: list[ListRow]) -> list[BundleLink]:
    """The bundles holding `rows`, newest year first, then units by pinyin, then volumes in order."""
    groups: dict[str, list[ListRow]] = {}
    for row in rows:
        if row.bundle is not None:
            groups.setdefault(row.bundle, []).append(row)
    found = [BundleLink(path, members[0].bundle_name, members[0].unit, members[0].year, members[0].volume,
                        len(members)) for path, members in groups.items()]
    return sorted(found, key=lambda link: (-link.year, slugs.pinyin_order(link.unit), link.volume or 0))


def form_page(view: FormView, review: bool = False) -> Page:
    """A form's own page."""
    return Page(view.page, "form.html", {"view": view, "review": review})


def list_pages(rows: list[ListRow], config: SiteConfig) -> Iterator[Page]:
    """The index and the per-year and per-unit lists, in a stable order: newest year first everywhere (the
    navigation, the pages, each table's rows; within a year the forms keep their file order), units by pinyin
    (`slugs.pinyin_order`), as a reader looks for them."""
    newest_first = sorted(rows, key=lambda row: -row.year)  # stable: file order within a year
    years = sorted({row.year for row in rows}, reverse=True)
    units = sorted({row.unit for row in rows}, key=slugs.pinyin_order)
    navigation = {
        "years": years,
        "units": units,
        "unit_pages": {row.unit: row.unit_page for row in rows},
        "year_pages": {row.year: year_page_path(row.year) for row in rows},
        "grades": [grade.name for grade in config.scheme.ranked_grades],
    }

    def page(path: str, heading: str, chosen: list[ListRow], year: int | None = None) -> Page:
        # Figures per year, never summed across years (scoring.summarize_by_year); a year's page is that year's.
        return Page(path, "list.html", {"heading": heading, "rows": chosen, "chart": chart(chosen, path),
                                        "summaries": summarize_by_year(chosen, config.scheme), "page_year": year,
                                        "bundles": bundle_links(chosen), **navigation})

    yield page("index.html", config.site.title, newest_first)
    for year in years:
        yield page(year_page_path(year), f"{year}年度", [row for row in newest_first if row.year == year], year)
    for unit in units:
        chosen = [row for row in newest_first if row.unit == unit]
        yield page(chosen[0].unit_page, unit, chosen)


def render(env: jinja2.Environment, page: Page, config: SiteConfig) -> str:
    """One page's HTML. Links in templates go through `url()`, relative to this page."""
    def url(target: str) -> str:
        return relative_url(page.path, target)

    return env.get_template(page.template).render(site=config.site, scheme=config.scheme, url=url,
                                                  page_path=page.path, **page.context)
