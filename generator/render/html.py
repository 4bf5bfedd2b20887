"""The Jinja environment and the site's pages: form pages, index, per-year and per-unit lists.

Rendering never computes a figure: every number comes from `scoring` and is formatted by
`formatting`. What is computed here is layout: which cells span which rows, how forms that share a
项目名称 are told apart, and relative links, so that the site works at any URL prefix and from disk.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import itertools
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .. import formatting
from ..config import SiteConfig
from ..findings import Finding
from ..pipeline import Entry, Site
from ..scoring import IndicatorResult, ScoredForm, Summary, summarize
from .narrative import to_html

__all__ = ["FormView", "Page", "environment", "form_views", "pages"]


def default_templates() -> Path:
    """The folder of the default templates (the top-level templates/, installed as package data)."""
    return Path(str(importlib.resources.files("generator.templates")))


def vertical(text: str) -> Markup:
    """A side label written top to bottom, one character per line, as on the printed form."""
    return Markup("").join(Markup('<span class="char">{}</span>').format(char) for char in text)


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
    )
    env.filters.update(money=formatting.money, score=formatting.score, rate=formatting.rate,
                       vertical=vertical, markdown=to_html)
    return env


@dataclass(frozen=True)
class Row:
    """One indicator row as laid out: the 一级/二级 cells span their groups' rows."""

    result: IndicatorResult
    level1_span: int
    """How many rows the 一级指标 cell spans; 0 where an earlier row's cell covers this one."""
    level2_span: int
    level1_weight: str


@dataclass
class FormView:
    """A form as its pages show it."""

    entry: Entry
    scored: ScoredForm
    display_title: str
    """项目名称, with a suffix where another form of the site has the same name."""
    short_title: str
    """The display title shortened for chart labels, keeping the distinguishing suffix."""
    page: str
    """The page's path inside the output folder: forms/<slug>.html."""
    json: str
    unit_page: str
    year_page: str
    pdf: str | None = None
    previous: FormView | None = None
    next: FormView | None = None
    rows: list[Row] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def form(self) -> Any:
        return self.scored.form

    @property
    def findings(self) -> list[Finding]:
        return self.entry.findings


def _spans(results: tuple[IndicatorResult, ...], key: Callable[[IndicatorResult], tuple[str, ...]]) -> list[int]:
    spans = [0] * len(results)
    start = 0
    for index in range(1, len(results) + 1):
        if index == len(results) or key(results[index]) != key(results[start]):
            spans[start] = index - start
            start = index
    return spans


def layout_rows(scored: ScoredForm, config: SiteConfig) -> list[Row]:
    """The indicator rows with the spans of their 一级 and 二级 cells (rows of a group are together)."""
    results = scored.indicators
    level1 = _spans(results, lambda r: (r.indicator.level1,))
    level2 = _spans(results, lambda r: (r.indicator.level1, r.indicator.level2))
    weights = {item.name: formatting.score(item.weight) for item in config.scheme.level1}
    return [Row(result, level1[i], level2[i], weights.get(result.indicator.level1, ""))
            for i, result in enumerate(results)]


def unit_id(unit: str) -> str:
    """A short, stable, ASCII name for a unit's page (unit names are Chinese)."""
    return "u" + hashlib.sha256(unit.encode("utf-8")).hexdigest()[:10]


SHORT_TITLE = 20


def _short(title: str, display: str) -> str:
    suffix = display[len(title):]
    return (title if len(title) <= SHORT_TITLE else title[:SHORT_TITLE - 1] + "…") + suffix


def _display_titles(forms: list[Entry]) -> dict[str, str]:
    """Forms sharing a 项目名称 get the amount, then the slug if needed, so every list tells them apart."""
    by_title: dict[str, list[Entry]] = {}
    for entry in forms:
        assert entry.scored is not None
        by_title.setdefault(entry.scored.form.title, []).append(entry)
    titles = {}
    for title, group in by_title.items():
        amounts = [formatting.money(entry.scored.form.funds.total.budget) for entry in group]  # type: ignore[union-attr]
        for entry, amount in zip(group, amounts, strict=True):
            if len(group) == 1:
                titles[entry.slug] = title
            elif amounts.count(amount) == 1:
                titles[entry.slug] = f"{title}（{amount}元）"
            else:
                titles[entry.slug] = f"{title}（{amount}元，{entry.slug}）"
    return titles


def form_views(site: Site, pdf_built: bool = False) -> list[FormView]:
    """Every scored form as its pages show it, linked to its neighbours in file order."""
    forms = site.forms
    titles = _display_titles(forms)
    views = []
    for entry in forms:
        scored = entry.scored
        assert scored is not None
        views.append(FormView(
            entry=entry, scored=scored, display_title=titles[entry.slug],
            short_title=_short(scored.form.title, titles[entry.slug]),
            page=f"forms/{entry.slug}.html", json=f"data/forms/{entry.slug}.json",
            unit_page=f"units/{unit_id(scored.form.implementer)}.html", year_page=f"years/{scored.form.year}.html",
            pdf=f"pdf/{entry.slug}.pdf" if pdf_built else None,
            rows=layout_rows(scored, site.config)))
    for before, after in itertools.pairwise(views):
        before.next, after.previous = after, before
    return views


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
    label: str
    href: str
    rate: str
    total: str
    rate_width: float
    total_width: float
    y: int


@dataclass(frozen=True)
class Chart:
    """Bars of 执行率 and 总分 per form (up to `PER_FORM_LIMIT` forms), else their distribution."""

    per_form: bool
    bars: list[ChartBar]
    bins: list[tuple[str, int, int, float, float]]
    """(label, forms by 执行率, forms by 总分, widths) for the distribution chart."""
    height: int


PER_FORM_LIMIT = 60
_BAR = 9  # px per bar; two bars and a gap per form


def chart(views: list[FormView], from_page: str) -> Chart:
    """Layout of the index chart (drawn as inline SVG by _chart.html; no JavaScript needed)."""
    if len(views) <= PER_FORM_LIMIT:
        bars = [ChartBar(view.short_title, relative_url(from_page, view.page),
                         formatting.rate(view.scored.execution_rate), formatting.score(view.scored.total),
                         float(view.scored.execution_rate), float(view.scored.total), 30 + index * (2 * _BAR + 8))
                for index, view in enumerate(views)]
        return Chart(True, bars, [], 30 + len(views) * (2 * _BAR + 8) + 10)
    edges = list(range(0, 100, 10))
    bins = []
    for low in edges:
        def inside(value: Any, low: int = low) -> bool:
            return low <= value < low + 10 or (low == 90 and value == 100)
        by_rate = sum(1 for view in views if inside(view.scored.execution_rate))
        by_total = sum(1 for view in views if inside(view.scored.total))
        bins.append((f"{low}–{low + 10}", by_rate, by_total, 0.0, 0.0))
    largest = max(max(item[1], item[2]) for item in bins) or 1
    bins = [(label, rate, total, rate / largest * 100, total / largest * 100) for label, rate, total, _, _ in bins]
    return Chart(False, [], bins, 30 + len(bins) * (2 * _BAR + 8) + 10)


def _list_page(path: str, heading: str, views: list[FormView], everything: list[FormView], site: Site,
               summary: Summary) -> Page:
    return Page(path, "list.html", {
        "heading": heading, "views": views, "summary": summary, "chart": chart(views, path),
        "years": sorted({view.form.year for view in everything}, reverse=True),
        "units": sorted({view.form.implementer for view in everything}),
        "unit_pages": {view.form.implementer: view.unit_page for view in everything},
        "grades": list(summary.grades),
    })


def pages(site: Site, views: list[FormView], review: bool = False) -> Iterator[Page]:
    """Every HTML page of the site, in a stable order."""
    scheme = site.config.scheme
    for view in views:
        yield Page(view.page, "form.html", {"view": view, "review": review})
    everything = summarize([view.scored for view in views], scheme)
    yield _list_page("index.html", site.config.site.title, views, views, site, everything)
    for year in sorted({view.form.year for view in views}):
        chosen = [view for view in views if view.form.year == year]
        yield _list_page(f"years/{year}.html", f"{year}年度", chosen, views, site,
                         summarize([view.scored for view in chosen], scheme))
    for unit in sorted({view.form.implementer for view in views}):
        chosen = [view for view in views if view.form.implementer == unit]
        yield _list_page(chosen[0].unit_page, unit, chosen, views, site,
                         summarize([view.scored for view in chosen], scheme))


def render(env: jinja2.Environment, page: Page, site: Site) -> str:
    """One page's HTML. Links in templates go through `url()`, relative to this page."""
    def url(target: str) -> str:
        return relative_url(page.path, target)

    return env.get_template(page.template).render(site=site.config.site, scheme=site.config.scheme, url=url,
                                                  page_path=page.path, **page.context)
