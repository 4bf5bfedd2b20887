"""Every page of two sites, in Chromium at a phone's, a tablet's and a desktop's width: nothing runs out of its
cell, no figure breaks across lines, no page scrolls sideways, and axe-core finds no WCAG 2.1 A/AA violation.

The sites: the reference site plus one form of 123,456,789,012.34 元, and the stress site
(tests/fixtures/stress/: 40 rows, long texts, 12-digit amounts, three years, two units), and the first again
as a review build (`formgen build --review`, findings beside each sheet). Screenshots of
every page at every width are kept in test-artifacts/layout/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import load_config

from .conftest import CONTENT, ROOT
from .layout import AXE, CHROMIUM, WIDTHS, PageReport, axe_available, check_site, pages_of

STRESS = ROOT / "tests" / "fixtures" / "stress"
ARTIFACTS = ROOT / "test-artifacts" / "layout"

if os.environ.get("CI") and (CHROMIUM is None or not axe_available()):
    raise RuntimeError(f"CI needs Debian's chromium and axe-core ({AXE}) for the layout tests: make test installs both")
pytestmark = pytest.mark.skipif(CHROMIUM is None or not axe_available(),
                                reason="Debian's chromium or axe-core is not installed (make test installs both)")


def with_big_amounts(folder: Path) -> Path:
    """The reference site's content, plus the stress site's form of 123,456,789,012.34 元 moved to 2024."""
    content = folder / "content"
    shutil.copytree(CONTENT, content)
    big = (STRESS / "content" / "2025" / "big-amounts.md").read_text(encoding="utf-8")
    big = big.replace("year: 2025", "year: 2024").replace("2025年12月31日", "2024年12月31日")
    (content / "2024" / "big-amounts.md").write_text(big, encoding="utf-8")
    return content


def _problems(reports: list[PageReport]) -> str:
    return "\n".join(report.line() for report in reports if not report.clean)


@pytest.mark.parametrize("site", ["reference", "stress", "reference-review"])
def test_every_page_holds_at_every_width(site, tmp_path):
    """The review build too: its panel of findings beside each sheet is a page type of its own."""
    if site.startswith("reference"):
        content, config = with_big_amounts(tmp_path), load_config(ROOT / "formgen.toml")
    else:
        content, config = STRESS / "content", load_config(STRESS / "formgen.toml")
    out = build_site([content], config, tmp_path / "out", review=site.endswith("review")).out
    pages = pages_of(out)
    assert any(path.startswith("forms/") for path in pages) and "index.html" in pages
    shots = ARTIFACTS / site
    shutil.rmtree(shots, ignore_errors=True)
    reports = check_site(out, WIDTHS, shots)
    assert len(reports) == len(pages) * len(WIDTHS)
    assert all(report.clean for report in reports), _problems(reports)


def test_the_measure_sees_what_it_should(tmp_path):
    """The measure itself: a cell squeezed by a long figure, a figure broken by a narrow cell, a page wider
    than the window and a link inside a button are all found."""
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页面</title></head><body><main>'
        '<table style="table-layout: fixed; width: 120px"><tr><td style="white-space: nowrap">123,456,789,012.34</td>'
        '<td style="width: 40px">≥1076430.57元</td></tr></table>'
        '<div style="width: 2000px">宽</div><button>按钮<a href="#x">链接</a></button></main></body></html>',
        encoding="utf-8")
    (report,) = check_site(tmp_path, (390,), paths=["bad.html"])
    assert report.overflowing and report.broken and report.sideways
    assert any(violation.startswith("nested-interactive") for violation in report.violations)
