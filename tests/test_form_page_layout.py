"""The form page in a real browser, from a 360 px phone to a desktop: every cell's text inside its box, no figure
broken across lines, no sideways scroll of the page (the official table scrolls in its own frame, its label
columns kept in view), the frame reachable and scrollable by keyboard, and printing that gives the sheet alone.

Measured with tests/layout.py (Debian's Chromium driven by Playwright, axe-core where installed) on the stress
site's forms and on the reference forms plus one of 123,456,789,012.34 元. Screenshots are kept in
test-artifacts/form-page/ for people to look at.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from generator.build import build_site
from generator.render.html import unbroken

from .conftest import CONTENT, ROOT
from .fixturesites import site_config
from .layout import CHROMIUM, axe_available, chromium, measure, serving

STRESS = ROOT / "tests" / "fixtures" / "stress"
ARTIFACTS = ROOT / "test-artifacts" / "form-page"
WIDTHS = (360, 390, 768, 1280)

browser_only = pytest.mark.skipif(CHROMIUM is None,
                                  reason="Debian's chromium is not installed (make test installs it)")


# -- unbroken: the figures of a text kept whole, the text escaped as before ---------------------------------------

def test_unbroken_wraps_each_figure_and_escapes_the_rest() -> None:
    assert unbroken("单位面积改造成本≤1,076,430.57元/平方米。") == Markup(
        '单位面积改造成本<span class="fig">≤1,076,430.57元/平方米</span>。')
    assert unbroken("<script>alert('x')</script> & 执行率98.00%") == Markup(
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 执行率"
        '<span class="fig">98.00%</span>')
    assert unbroken("2024年12月31日前完成") == Markup('<span class="fig">2024年12月31日</span>前完成')


def test_unbroken_of_markup_keeps_tags_and_character_references() -> None:
    # The conclusion arrives as HTML: its tags and attributes stay as they are, and the digits of a character
    # reference (&#39;) are not a figure.
    html = Markup('<p>It&#39;s <a href="https://x.gov.cn/2024/1.html">完成率100%</a> &amp; 1,300,000元</p>')
    assert unbroken(html) == Markup(
        '<p>It&#39;s <a href="https://x.gov.cn/2024/1.html">完成率<span class="fig">100%</span></a> &amp; '
        '<span class="fig">1,300,000元</span></p>')


def test_unbroken_of_nothing_is_empty() -> None:
    assert unbroken(None) == Markup("") and unbroken("") == Markup("")


# -- the sites ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The stress site and the reference site with the stress site's 12-digit form moved into 2024, built
    without PDFs (the page is what is measured here)."""
    stress = tmp_path_factory.mktemp("stress") / "out"
    build_site([STRESS / "content"], site_config(STRESS), stress, pdf=False)
    content = tmp_path_factory.mktemp("reference") / "content"
    shutil.copytree(CONTENT, content)
    big = (STRESS / "content" / "2025" / "big-amounts.md").read_text(encoding="utf-8")
    big = big.replace("year: 2025", "year: 2024").replace("2025年12月31日", "2024年12月31日")
    (content / "2024" / "big-amounts.md").write_text(big, encoding="utf-8")
    reference = content.parent / "out"
    build_site([content], site_config(ROOT), reference, pdf=False)
    return {"stress": stress, "reference": reference}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _forms(site: Path) -> list[str]:
    return sorted(f"forms/{path.name}" for path in (site / "forms").glob("*.html"))


@browser_only
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["stress", "reference"])
def test_every_cell_fits_and_the_page_never_scrolls_sideways(sites, browser, name: str, width: int) -> None:
    site = sites[name]
    forms = _forms(site)
    assert len(forms) >= 5
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    wrong = []
    with serving(site) as url:
        for path in forms:
            page.goto(url + path)
            report = measure(page, path, width, axe=axe_available())
            if not report.clean:
                wrong.append(report.line())
            if path.endswith(("big-amounts.html", "forty-rows.html", "power-system-renovation.html")):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{name}-{Path(path).stem}-{width}.png"), full_page=True)
    context.close()
    assert not wrong, "\n".join(wrong)


def _frame(page: Any) -> dict[str, float]:
    return page.evaluate("""() => { const f = document.querySelector('.sheet-frame');
        const b = f.getBoundingClientRect();
        return {left: b.left, right: b.right, scroll: f.scrollLeft, room: f.scrollWidth - f.clientWidth}; }""")


def _cell(page: Any, selector: str) -> dict[str, Any]:
    """Where the first cell matching `selector` is, and whether it is the one seen in the middle of its part in
    view (not covered by another)."""
    return page.evaluate("""(selector) => { const c = document.querySelector(selector);
        const b = c.getBoundingClientRect();
        const top = Math.max(b.top, 0), bottom = Math.min(b.bottom, window.innerHeight);  // its part in view
        const seen = document.elementFromPoint(b.left + b.width / 2, (top + bottom) / 2);
        return {left: b.left, right: b.right, text: c.textContent, seen: !!seen && c.contains(seen)}; }""", selector)


def _all_four_stick(page: Any) -> bool:
    """Whether the frame scrolls and its four label columns stick (it has room for them), at this width."""
    return bool(page.evaluate("""() => { const f = document.querySelector('.sheet-frame');
        const l1 = document.querySelector('table.form-indicators tbody th.level1');
        return f.scrollWidth - f.clientWidth > 50 && getComputedStyle(l1).position === 'sticky'; }"""))


@browser_only
@pytest.mark.parametrize(("width", "stuck"), [(360, ("level3",)), (390, ("level3",)),
                                              (0, ("side", "level1", "level2", "level3"))])
def test_the_label_columns_stay_in_view_when_the_frame_scrolls(sites, browser, width: int,
                                                               stuck: tuple[str, ...]) -> None:
    """Scrolled to its right end, the frame still shows the 三级指标 of the row (on a phone only it sticks; where
    the frame has room for them the 绩效指标, 一级 and 二级 labels stick too, side by side: width 0 stands for
    such a width, found between a tablet and a desktop, where the 40-row form still scrolls)."""
    page = browser.new_page(viewport={"width": width or 700, "height": 900})
    with serving(sites["stress"]) as url:
        page.goto(url + "forms/forty-rows.html")
        if not width:
            for width in range(700, 1100, 10):
                page.set_viewport_size({"width": width, "height": 900})
                if _all_four_stick(page):
                    break
            else:
                pytest.fail("no width from 700 to 1100 px where the frame scrolls with its four label columns")
        page.locator("th.level3", has_text="第5项").scroll_into_view_if_needed()
        assert _frame(page)["room"] > 50, "the table fits: nothing to scroll at this width"
        page.evaluate("() => { const f = document.querySelector('.sheet-frame'); f.scrollLeft = f.scrollWidth; }")
        frame = _frame(page)
        assert frame["scroll"] > 50
        edges = []
        for cell in stuck:
            found = _cell(page, f"table.form-indicators tbody th.{cell}")
            assert frame["left"] - 1 <= found["left"] and found["right"] <= frame["right"] + 1, (cell, found, frame)
            assert found["seen"], f"{cell} is covered: {found}"
            edges.append((found["left"], found["right"]))
        assert edges == sorted(edges) and all(a[1] <= b[0] + 1 for a, b in itertools.pairwise(edges))
        name = _cell(page, "table.form-indicators tbody th.level3")
        assert name["text"].startswith("第1项")
        header = _cell(page, "table.form-indicators thead th.level3")  # its header sticks with it
        assert header["text"] == "三级指标" and header["seen"] and abs(header["left"] - name["left"]) < 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"stress-forty-rows-{width}-scrolled.png"))
    page.close()


@browser_only
def test_the_frame_is_reached_by_tab_and_scrolls_with_the_arrow_keys(sites, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 900})
    with serving(sites["stress"]) as url:
        page.goto(url + "forms/big-amounts.html")
        frame = page.locator(".sheet-frame")
        assert frame.get_attribute("role") == "region" and frame.get_attribute("tabindex") == "0"
        assert "左右滚动" in (frame.get_attribute("aria-label") or "")
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.classList.contains('sheet-frame')"):
                break
        else:
            pytest.fail("Tab never reaches the table's frame")
        assert _frame(page)["scroll"] == 0
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.sheet-frame').scrollLeft > 0", timeout=3000)
    page.close()


@browser_only
def test_printing_a_form_page_gives_the_sheet_alone(sites, browser) -> None:
    """As the browser prints it (print media, A4 less its margins: 190 mm = 718 px): no site header, navigation
    or footer, no shadow, the whole table on the paper (no frame clipping it), every cell's text inside it."""
    page = browser.new_page(viewport={"width": 718, "height": 1000})
    page.emulate_media(media="print")
    with serving(sites["stress"]) as url:
        for path in ("forms/big-amounts.html", "forms/forty-rows.html", "forms/long-texts.html"):
            page.goto(url + path)
            for chrome in (".site-header", ".page-nav", ".site-footer", ".skip-link"):
                assert not page.locator(chrome).is_visible(), chrome
            assert page.evaluate("() => getComputedStyle(document.querySelector('.sheet')).boxShadow") == "none"
            assert _frame(page)["room"] <= 0, "the frame clips the table"
            report = measure(page, path, 718, axe=False)
            assert not (report.overflowing or report.broken or report.sideways), report.line()
    page.close()


@browser_only
def test_a_long_form_prints_on_full_pages_with_its_header_row_on_each(sites, browser, tmp_path) -> None:
    """The 40-row form, printed by the browser on A4: three pages (a row kept with every row its 一级/二级 cells
    span left a third of each of five pages empty), the 绩效指标 header row on each, every row once, and none
    of the site's header or footer."""
    from pypdf import PdfReader

    page = browser.new_page()
    with serving(sites["stress"]) as url:
        page.goto(url + "forms/forty-rows.html")
        target = tmp_path / "printed.pdf"
        page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
    page.close()
    texts = [sheet.extract_text() for sheet in PdfReader(target).pages]
    assert len(texts) == 3
    assert all("三级指标" in text for text in texts)
    assert all(sum(f"第{number}项" in text for text in texts) == 1 for number in range(1, 41))  # every row, once
    assert "site-header" not in "".join(texts) and "公开数据" not in "".join(texts)
