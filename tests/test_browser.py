"""The built site in a real browser: Playwright driving Debian's Chromium, served on 127.0.0.1 under a sub-path.

Screenshots are kept in test-artifacts/browser/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import SiteConfig

from .conftest import CONTENT, ROOT
from .layout import CHROMIUM, chromium, serving

ARTIFACTS = ROOT / "test-artifacts" / "browser"
SUB_PATH = "xxgk/2024"

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI needs Debian's chromium for the browser tests: make test installs it (apt-get)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")


@contextlib.contextmanager
def _serving(root: Path) -> Iterator[str]:
    """`root` served on a free loopback port: the URL of its xxgk/2024/."""
    with serving(root) as url:
        yield f"{url}{SUB_PATH}/"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """The site built into <root>/xxgk/2024/ and served from <root> on a free loopback port."""
    root = tmp_path_factory.mktemp("served")
    build_site([CONTENT], SiteConfig(), root / SUB_PATH)
    with _serving(root) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    yield opened
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _visible_titles(page) -> list[str]:
    return page.locator("table.forms-list tbody tr:visible th a").all_inner_texts()


def test_search_sort_open_a_form(page, server):
    page.goto(server + "index.html")
    assert page.locator("form.filters").is_visible()  # JavaScript shows the controls
    assert len(_visible_titles(page)) == 10

    page.fill("input[name=q]", "司法救助")
    titles = _visible_titles(page)
    assert len(titles) == 2 and all("司法救助" in title for title in titles)
    assert page.locator("output.count").inner_text() == "显示 2 / 10 张"
    _shot(page, "index-search")

    page.fill("input[name=q]", "")
    page.click("table.forms-list thead th[data-key=total] button")
    totals = page.locator("table.forms-list tbody tr td:nth-child(7)").all_inner_texts()
    assert totals[:2] == ["97.09", "97.29"] and set(totals[2:]) == {"100"}
    assert page.locator("th[data-key=total]").get_attribute("aria-sort") == "ascending"
    page.click("table.forms-list thead th[data-key=total] button")
    totals = page.locator("table.forms-list tbody tr td:nth-child(7)").all_inner_texts()
    assert totals[-2:] == ["97.29", "97.09"]
    _shot(page, "index-sorted")

    page.click("text=电力系统维修改造专项资金 >> nth=-1")  # the table's link (the chart has one too)
    page.wait_for_url("**/forms/power-system-renovation.html")
    sheet = page.locator("table.form-indicators")
    assert sheet.is_visible()
    level1 = page.locator("th.level1", has_text="产出指标")
    assert level1.is_visible() and level1.get_attribute("rowspan") == "9"
    first_row = page.locator("th.level3", has_text="维修改造面积")
    assert level1.bounding_box()["height"] > 5 * first_row.bounding_box()["height"]  # spans its nine rows
    assert page.locator("th.level2", has_text="成本指标").get_attribute("rowspan") == "5"
    assert page.locator("td.num", has_text="97.09").is_visible()
    _shot(page, "form-power-system-renovation")
    assert page.problems == []


def test_filters_and_pages_for_year_and_unit(page, server):
    page.goto(server + "index.html")
    page.select_option("select[name=grade]", "良")
    assert _visible_titles(page) == []
    page.select_option("select[name=grade]", "优")
    page.select_option("select[name=year]", "2024")
    assert len(_visible_titles(page)) == 10
    page.click("nav.page-nav >> text=2024年度")
    page.wait_for_url("**/years/2024.html")
    assert page.locator("h1").inner_text() == "2024年度"
    page.goto(server + "index.html?q=135628")
    assert _visible_titles(page) == ["审判辅助事务购买社会化服务专项资金"]  # found in a 未完成原因分析 text
    assert page.problems == []


def test_without_javascript_everything_is_still_there(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "index.html")
    assert not page.locator("form.filters").is_visible()
    assert page.locator("table.forms-list tbody tr").count() == 10
    assert page.locator("figure.chart .chart-rows").is_visible()  # the chart is drawn at build time
    page.click("text=基层立法联系点规范化建设 >> nth=-1")
    assert page.locator("table.form-top").is_visible()
    context.close()


def test_opened_from_disk(page, tmp_path):
    out = build_site([CONTENT], SiteConfig(), tmp_path / "usb").out
    page.goto(Path(out / "index.html").as_uri())
    page.fill("input[name=q]", "司法救助")
    assert len(_visible_titles(page)) == 2  # the search text loads from a script, which file:// allows
    page.click("text=中央政法转移支付办案业务费（司法救助）-上级一般转移支付（80,000元） >> nth=-1")
    assert page.locator("table.form-top").is_visible()
    assert page.problems == []


def test_pdfs_download_under_their_project_name_and_units_have_readable_pages(page, tmp_path):
    root = tmp_path / "served"
    out = build_site([CONTENT], SiteConfig(), root / SUB_PATH, pdf=True).out
    with _serving(root) as url:
        page.goto(url + "forms/power-system-renovation.html")
        with page.expect_download() as download:
            page.click("text=下载PDF")
        # Saved under the form's 项目名称; the bytes are the file on the server, which keeps its ASCII name.
        assert download.value.suggested_filename == "电力系统维修改造专项资金.pdf"
        assert Path(download.value.path()).read_bytes() == (out / "pdf" / "power-system-renovation.pdf").read_bytes()
        page.click("nav.page-nav >> text=平塘县人民法院")
        page.wait_for_url("**/units/ping-tang-xian-ren-min-fa-yuan.html")
        with page.expect_download() as download:
            page.click("section.bundles a")
        assert download.value.suggested_filename == "2024年 平塘县人民法院 合订本.pdf"
        assert download.value.url.endswith("/pdf/bundles/2024-ping-tang-xian-ren-min-fa-yuan.pdf")
        _shot(page, "unit-page")
    assert page.problems == []
