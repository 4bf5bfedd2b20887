"""The index, year and unit pages: figures per year, newest year first, units by pinyin, and in Chromium at
360 to 1280 px no overflowing cell, broken figure, sideways scroll or axe violation, a chart that reads on a
phone, summary cards that fill their rows, and sort, filter and search by keyboard alone.

Built from the stress site (tests/fixtures/stress: three years, two units, 12-digit amounts) and the
reference site plus its 123,456,789,012.34 元 form moved to 2024 (the issue's measure)."""

from __future__ import annotations

import html
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import SiteConfig, load_config
from generator.render.html import ListRow, bundle_links, environment, list_pages, render, with_bundles

from . import layout
from .conftest import CONTENT, ROOT

STRESS = ROOT / "tests" / "fixtures" / "stress"
WIDTHS = (360, 390, 768, 1280)
SHOTS = ROOT / "test-artifacts" / "lists"

# The stress forms' 全年预算数 and 全年执行数 (年度资金总额), read from the fixture's files:
# 2025: big-amounts.md 123,456,789,012.34 / 120,987,654,321.09, forty-rows.md 9,876,543,210.98 / 9,000,000,000.00
# 2024: long-texts.md 1,234,567.89 / 1,234,567.89
# 2023: seven-rows.md 216,000 / 214,260 (平塘), seven-rows-b.md 56,000 / 50,400 (罗甸)
BUDGETS = {2025: "133,333,332,223.32", 2024: "1,234,567.89", 2023: "272,000"}
EXECUTED = {2025: "129,987,654,321.09", 2024: "1,234,567.89", 2023: "264,660"}
ALL_YEARS_BUDGET = "133,334,838,791.21"  # 2025 + 2024 + 2023: a figure no page may show


def _build(content: Path, toml: Path, out: Path) -> Path:
    build_site([content], load_config(toml), out)
    return out


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(STRESS / "content", STRESS / "formgen.toml", tmp_path_factory.mktemp("stress") / "out")


@pytest.fixture(scope="module")
def reference_big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference forms plus the 12-digit form, made a 2024 form (its year and its 填报 date)."""
    site = tmp_path_factory.mktemp("reference-big")
    shutil.copytree(CONTENT, site / "content")
    big = (STRESS / "content" / "2025" / "big-amounts.md").read_text(encoding="utf-8")
    big = re.sub(r"^year: 2025", "year: 2024", big, count=1, flags=re.M).replace("2025年12月31日", "2024年12月31日")
    (site / "content" / "2024" / "big-amounts.md").write_text(big, encoding="utf-8")
    shutil.copy(ROOT / "formgen.toml", site / "formgen.toml")
    return _build(site / "content", site / "formgen.toml", site / "out")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _cards(page: str) -> dict[str, dict[str, str]]:
    """Each year's summary cards on a page: {year: {label: figure}}."""
    found = {}
    for year, cards in re.findall(r'<h2>(\d{4})年度</h2>\s*<dl class="cards">(.*?)</dl>', page, re.S):
        found[year] = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", cards))
    return found


def test_the_index_shows_each_years_figures_newest_first_and_no_sum_across_years(stress: Path) -> None:
    index = _text(stress / "index.html")
    cards = _cards(index)
    assert list(cards) == ["2025", "2024", "2023"]
    for year, budget in BUDGETS.items():
        assert cards[str(year)]["全年预算数合计（元）"] == budget
        assert cards[str(year)]["全年执行数合计（元）"] == EXECUTED[year]
    assert cards["2023"]["表格数量"] == "2" and cards["2025"]["表格数量"] == "2"
    # 2023: 264,660 of 272,000 = 97.302…%
    assert cards["2023"]["总体执行率"] == "97.30%"
    assert ALL_YEARS_BUDGET not in index and ALL_YEARS_BUDGET.replace(",", "") not in index


def test_a_years_page_keeps_its_single_figures(stress: Path) -> None:
    page = _text(stress / "years" / "2025.html")
    assert page.count('<dl class="cards">') == 1 and "<h2>2025年度</h2>" not in page
    assert f"<dd>{BUDGETS[2025]}</dd>" in page and BUDGETS[2024] not in page


def test_newest_year_first_in_navigation_table_and_filters(stress: Path) -> None:
    index = _text(stress / "index.html")
    nav = index[index.index('<nav class="page-nav"'):index.index("</nav>")]
    assert re.findall(r">(\d{4})年度</a>", nav) == ["2025", "2024", "2023"]
    rows = [int(year) for year in re.findall(r'<tr data-slug="[^"]+" data-year="(\d{4})"', index)]
    assert rows == [2025, 2025, 2024, 2023, 2023]
    year_filter = re.search(r'<select name="year">(.*?)</select>', index, re.S)
    assert year_filter is not None and re.findall(r'<option value="(\d+)">', year_filter.group(1)) == \
        ["2025", "2024", "2023"]
    assert 'data-key="year" data-type="number" aria-sort="descending"' in index  # the order, as it is said


def test_units_in_pinyin_order(tmp_path: Path) -> None:
    """罗甸县人民法院 (luó) before 平塘县人民法院 (píng), though 平 (U+5E73) comes before 罗 (U+7F57) in code
    points: in the navigation, the unit filter and the units' pages' order."""
    site = tmp_path / "site"
    shutil.copytree(CONTENT, site / "content")
    form = _text(site / "content" / "2024" / "power-system-renovation.md")
    luodian = form.replace("implementer: 平塘县人民法院", "implementer: 罗甸县人民法院", 1)
    assert luodian != form
    (site / "content" / "2024" / "power-system-renovation-luodian.md").write_text(luodian, encoding="utf-8")
    shutil.copy(ROOT / "formgen.toml", site / "formgen.toml")
    index = _text(_build(site / "content", site / "formgen.toml", tmp_path / "out") / "index.html")
    nav = index[index.index('<nav class="page-nav"'):index.index("</nav>")]
    assert re.findall(r'<a href="units/[^"]+">([^<]+)</a>', nav) == ["罗甸县人民法院", "平塘县人民法院"]
    unit_filter = re.search(r'<select name="unit">(.*?)</select>', index, re.S)
    assert unit_filter is not None and re.findall(r'<option value="([^"]+)">', unit_filter.group(1)) == \
        ["罗甸县人民法院", "平塘县人民法院"]


def test_figures_in_titles_do_not_break(reference_big: Path) -> None:
    index = _text(reference_big / "index.html")
    assert '收入（<span class="fig">2,700,000元</span>）</a>' in index


# ---- in Chromium -------------------------------------------------------------------------------------------

in_chromium = pytest.mark.skipif(layout.CHROMIUM is None, reason="Debian's chromium is not installed")


def _list_pages(site: Path) -> list[str]:
    return [path for path in layout.pages_of(site) if not path.startswith("forms/")]


@in_chromium
@pytest.mark.skipif(not layout.axe_available(), reason="axe-core is not installed: npm ci --prefix tests/browser")
@pytest.mark.parametrize("site_name", ["stress", "reference_big"])
def test_list_pages_hold_at_every_width(site_name: str, request: pytest.FixtureRequest) -> None:
    site: Path = request.getfixturevalue(site_name)
    reports = layout.check_site(site, WIDTHS, SHOTS / site_name, _list_pages(site))
    assert len(reports) == len(_list_pages(site)) * len(WIDTHS)
    assert [report.line() for report in reports if not report.clean] == []


# The smallest text of the chart, and each summary's cards grouped by row: (cards in the row, the row's
# width taken by them, the width of the grid).
_CHART_TEXT = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.querySelector('figure.chart'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!node.textContent.trim() || node.parentElement.closest('.visually-hidden')) continue;
    sizes.push(parseFloat(getComputedStyle(node.parentElement).fontSize));
  }
  return sizes;
}"""
_CARD_ROWS = """() => [...document.querySelectorAll('.summary .cards')].map(grid => {
  const rows = new Map();
  for (const card of grid.children) {
    const box = card.getBoundingClientRect();
    const top = Math.round(box.top);
    const row = rows.get(top) || {count: 0, width: 0};
    row.count += 1; row.width += box.width;
    rows.set(top, row);
  }
  return {grid: grid.getBoundingClientRect().width, rows: [...rows.values()]};
})"""


@pytest.fixture(scope="module")
def served(stress: Path):
    with layout.serving(stress) as url, layout.chromium() as browser:
        yield url, browser


@in_chromium
def test_chart_text_is_at_least_12px_at_390(served) -> None:
    url, browser = served
    with layout.opened(browser, 390) as page:
        page.goto(url + "index.html")
        sizes = page.evaluate(_CHART_TEXT)
    assert len(sizes) > 10 and min(sizes) >= 12


@in_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_summary_cards_fill_their_rows(served, width: int) -> None:
    """No card alone on a row it does not fill (the eighth card used to wrap alone onto a second row)."""
    url, browser = served
    with layout.opened(browser, width) as page:
        page.goto(url + "index.html")
        grids = page.evaluate(_CARD_ROWS)
    assert len(grids) == 3
    for grid in grids:
        for row in grid["rows"]:
            assert row["count"] > 1 or row["width"] >= grid["grid"] - 1, (width, grid)


def _tab_to(page, selector: str, most: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


@in_chromium
def test_search_and_sort_by_keyboard_alone_are_announced(served) -> None:
    url, browser = served
    with layout.opened(browser, 390) as page:
        page.goto(url + "index.html")
        live = page.locator("form.filters output.count")
        assert live.get_attribute("aria-live") == "polite"
        assert live.inner_text() == "显示 5 / 5 张"

        _tab_to(page, "input[name=q]")
        page.keyboard.type("运行")
        titles = page.locator("table.forms-list tbody tr:visible th a").all_inner_texts()
        assert sorted(titles) == sorted(["执行指挥中心运行维护经费", "干警食堂运行保障经费",
                                         "智慧法院建设及审判法庭、诉讼服务中心、执行指挥中心设施设备维修改造与运行维护专项资金"])
        assert live.inner_text() == "显示 3 / 5 张"

        _tab_to(page, "th[data-key=total] button")
        page.keyboard.press("Enter")
        totals = [Decimal(text) for text in page.locator("table.forms-list tbody tr:visible td:nth-child(7)")
                  .all_inner_texts()]
        assert len(totals) == 3 and totals == sorted(totals) and len(set(totals)) == 3
        assert page.locator("th[data-key=total]").get_attribute("aria-sort") == "ascending"
        assert page.locator("th[data-key=year]").get_attribute("aria-sort") is None
        assert live.inner_text() == "显示 3 / 5 张，按总分升序排列"
        page.keyboard.press("Space")
        again = [Decimal(text) for text in page.locator("table.forms-list tbody tr:visible td:nth-child(7)")
                 .all_inner_texts()]
        assert again == totals[::-1]
        assert live.inner_text() == "显示 3 / 5 张，按总分降序排列"

        # Every filter is a labelled control, reached by Tab.
        for name in ("year", "unit", "grade"):
            _tab_to(page, f"select[name={name}]")
            assert page.evaluate("() => document.activeElement.labels.length") == 1
        page.keyboard.press("Shift+Tab")  # back to 实施单位
        page.select_option("select[name=unit]", "平塘县人民法院")
        assert live.inner_text() == "显示 1 / 5 张，按总分降序排列"


def test_the_chart_links_each_form_by_its_title(stress: Path) -> None:
    """The chart's links are plain links (no control inside another), with the title as their name."""
    index = _text(stress / "index.html")
    chart = index[index.index('<figure class="chart">'):index.index("</figure>")]
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", chart, re.S)
    assert len(svgs) == 10 and all('aria-hidden="true"' in svg and "<a " not in svg for svg in svgs)
    links = [html.unescape(text) for text in re.findall(r'<a href="forms/[^"]+">([^<]+)</a>', chart)]
    assert "干警食堂运行保障经费" in links and len(re.findall(r"<li>", chart)) == 5
    assert '<rect class="bar-rate" width="99.19" height="10"/>' in chart  # 214,260 / 216,000 = 99.19%
    assert " style=" not in chart  # lengths are SVG attributes: pages carry no style attribute



def test_above_sixty_forms_the_chart_shows_the_distribution() -> None:
    """61 forms: 60 at 执行率 100% and 总分 95, one unscored at 55% — bins of ten points, no links; the 100s fall
    in the last bin, the unscored form counts by 执行率 only."""
    full = [ListRow(f"f{n}", f"项目{n}", f"项目{n}", 2024, "平塘县人民法院", "ping-tang", Decimal(100), Decimal(100),
                    Decimal(100), Decimal(95), "优") for n in range(60)]
    unscored = ListRow("g", "储备粮", "储备粮", 2024, "平塘县人民法院", "ping-tang", Decimal(100), Decimal(55),
                       Decimal(55), None, None)
    config = SiteConfig()
    index = next(iter(list_pages([*full, unscored], config)))
    text = render(environment(), index, config)
    chart = text[text.index('<figure class="chart">'):text.index("</figure>")]
    assert "执行率与总分的分布（表格数量）" in chart and "<a " not in chart
    bins = re.findall(r'<li><span class="chart-label">([^<]+)</span>.*?width="([\d.]+)".*?</span>(\d+)</span>'
                      r'.*?width="([\d.]+)".*?</span>(\d+)</span></span></li>', chart, re.S)
    assert len(bins) == 10
    assert bins[5] == ("50–60", "1.67", "1", "0.00", "0")  # 1 of the largest bin's 60
    assert bins[9] == ("90–100", "100.00", "60", "100.00", "60")
    assert all(bin[2] == bin[4] == "0" for index, bin in enumerate(bins) if index not in (5, 9))


def test_bundles_are_offered_newest_year_first_then_units_by_pinyin() -> None:
    def row(slug: str, year: int, unit: str, unit_slug: str) -> ListRow:
        return ListRow(slug, slug, slug, year, unit, unit_slug, Decimal(1), Decimal(1), Decimal(100), Decimal(100),
                       "优")

    rows = [row("a", 2023, "平塘县人民法院", "ping-tang"), row("b", 2025, "平塘县人民法院", "ping-tang"),
            row("c", 2025, "平塘县人民法院", "ping-tang"), row("d", 2025, "罗甸县人民法院", "luo-dian"),
            row("e", 2024, "罗甸县人民法院", "luo-dian")]
    offered = bundle_links(with_bundles(rows, most=1))  # one form a volume: 2025 平塘 has two volumes
    assert [(link.year, link.unit, link.volume, link.forms) for link in offered] == [
        (2025, "罗甸县人民法院", None, 1), (2025, "平塘县人民法院", 1, 1), (2025, "平塘县人民法院", 2, 1),
        (2024, "罗甸县人民法院", None, 1), (2023, "平塘县人民法院", None, 1)]
    assert offered[2].path == "pdf/bundles/2025-ping-tang-di-2-ce.pdf"
