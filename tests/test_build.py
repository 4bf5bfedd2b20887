"""formgen build: what lands in the output folder, and what never does."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator import formatting
from generator.__main__ import main
from generator.build import MARKER, BuildFailed, build_site
from generator.config import SiteConfig
from generator.errors import UsageError
from generator.feed import site_feed
from generator.pipeline import load_site

from .conftest import CONTENT
from .htmltools import level_label, parse

FORM_1 = "power-system-renovation"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "output"
    result = build_site([CONTENT], SiteConfig(), out)
    return result


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_every_page_and_data_file(built):
    out = built.out
    assert built.forms == 10
    for slug in [path.stem for path in (CONTENT / "2024").glob("*.md")]:
        assert (out / "forms" / f"{slug}.html").is_file()
        assert (out / "data" / "forms" / f"{slug}.json").is_file()
    for name in ("index.html", "years/2024.html", "data/forms.json", "data/forms.csv", "data/indicators.csv",
                 "assets/formgen.css", "assets/formgen.js", "assets/search-index.js", MARKER):
        assert (out / name).is_file(), name
    assert len(list((out / "units").glob("*.html"))) == 1
    assert not (out / "sitemap.xml").exists()  # no base_url set
    assert built.summary().startswith("built 10 forms: 13 pages, ")


def test_every_link_and_asset_resolves(built):
    """Every href and src in the output is relative and names a file that exists: works at / , under a
    sub-path and from disk."""
    checked = 0
    for page in built.out.rglob("*.html"):
        for tag, attribute, value in parse(page.read_text(encoding="utf-8")).links:
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc, f"{page}: absolute link {value}"
            assert not parts.path.startswith("/"), f"{page}: root-relative link {value}"
            if not parts.path:  # a fragment on the same page
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(built.out)}: {tag} {attribute}={value} does not exist"
            assert target.is_relative_to(built.out.resolve())
            checked += 1
    assert checked > 150


def test_feed_equals_export_and_csv_opens_in_excel(built):
    assert json.loads((built.out / "data/forms.json").read_text(encoding="utf-8")) == \
        site_feed(load_site([CONTENT], SiteConfig()))
    raw = (built.out / "data/forms.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 10
    row = next(r for r in rows if r["slug"] == FORM_1)
    assert (row["执行率"], row["预算执行得分"], row["总分"], row["等级"]) == ("70.93", "7.09", "97.09", "优")
    indicators = list(csv.DictReader(io.StringIO((built.out / "data/indicators.csv").read_text("utf-8-sig"))))
    feed = site_feed(load_site([CONTENT], SiteConfig()))
    assert len(indicators) == sum(len(form["indicators"]) for form in feed["forms"])
    assert {"一级指标", "年度指标值", "未完成原因分析"} <= set(indicators[0])


def test_pages_show_computed_figures_as_printed(built):
    html = (built.out / "forms" / f"{FORM_1}.html").read_text(encoding="utf-8")
    for text in ("845,371.59", "599,619.76", ">70.93<", ">7.09<", ">97.09<", "[120]平塘县人民法院",
                 "填报日期：20250123", level_label("产出指标", 50), 'lang="zh-CN"', "<caption>", 'scope="col"'):
        assert text in html, text
    index = (built.out / "index.html").read_text(encoding="utf-8")
    forms = site_feed(load_site([CONTENT], SiteConfig()))["forms"]
    total_budget = sum(Decimal(form["funds"]["total"]["budget"]) for form in forms)
    assert '<ul class="chart-rows">' in index  # the chart, drawn at build time
    assert f"<dd>{formatting.money(total_budget)}</dd>" in index  # Σ 全年预算数, as the form prints money


def test_forms_sharing_a_name_are_told_apart(built):
    index = (built.out / "index.html").read_text(encoding="utf-8")
    assert "省级政法纪检监察转移支付资金（装备费）-上级一般转移支付收入（620,000元）" in index
    assert "省级政法纪检监察转移支付资金（装备费）-上级一般转移支付收入（150,000元）" in index


def test_builds_are_byte_identical(built, tmp_path):
    again = build_site([CONTENT], SiteConfig(), tmp_path / "again").out
    assert _files(again) == _files(built.out)


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path, capsys, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "content", "--no-pdf"]) == 0
    before = _files(tmp_path / "output")
    form = content / "2024" / f"{FORM_1}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("executed: 599619.76", "executed: 900000"), "utf-8")
    (content / "2024" / "new-form.md").write_text("", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "content", "--no-pdf"]) == 1
    out = capsys.readouterr().out
    assert f"content/2024/{FORM_1}.md:12: funds.total.executed" in out  # the same report as check
    assert "content/2024/new-form.md:1: the file is empty" in out
    assert "build failed" in out and "left unchanged" in out
    assert _files(tmp_path / "output") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output")] == []  # no staging left behind


def test_refuses_to_replace_a_folder_that_is_not_formgen_output(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "report.docx").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="not a formgen output folder"):
        build_site([CONTENT], SiteConfig(), precious)
    assert (precious / "report.docx").exists()
    with pytest.raises(UsageError, match="would contain the content"):
        build_site([CONTENT], SiteConfig(), CONTENT.parent)


def test_review_build_shows_findings_and_a_normal_build_does_not(built, tmp_path):
    normal = (built.out / "forms" / "trial-support-services.html").read_text(encoding="utf-8")
    assert "审核提示" not in normal and "135628" not in normal.split("未完成原因分析")[0]
    review_out = build_site([CONTENT], SiteConfig(), tmp_path / "review", review=True).out
    review = (review_out / "forms" / "trial-support-services.html").read_text(encoding="utf-8")
    assert 'class="review"' in review
    assert "执行率 is 72.94% with no explanation" in review
    assert "the text says “预算135628元”" in review


def test_sitemap_when_a_base_url_is_set(tmp_path):
    config = SiteConfig.model_validate({"site": {"base_url": "https://example.gov.cn/xxgk/2024/"}})
    out = build_site([CONTENT], config, tmp_path / "out").out
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.gov.cn/xxgk/2024/index.html</loc>" in sitemap
    assert sitemap.count("<loc>") == 13


def test_strict_build_fails_on_warnings(tmp_path):
    with pytest.raises(BuildFailed):
        build_site([CONTENT], SiteConfig(), tmp_path / "out", strict=True)
    assert not (tmp_path / "out").exists()


def test_every_page_is_valid_html(built):
    """Every page parses without a single error under the HTML5 parsing algorithm (html5lib, strict)."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True)
    for page in built.out.rglob("*.html"):
        try:
            parser.parse(page.read_bytes(), transport_encoding="utf-8")
        except html5lib.html5parser.ParseError as error:
            raise AssertionError(f"{page.relative_to(built.out)}: {error}") from None


def test_tables_are_accessible(built):
    """Every table has a caption and every header cell a scope."""
    for page in built.out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        elements = parse(html).elements
        tables = sum(1 for tag, _ in elements if tag == "table")
        assert html.count("<caption") == tables, page
        for tag, attributes in elements:
            if tag == "th":
                assert attributes.get("scope") in ("row", "col", "rowgroup", "colgroup"), (page, attributes)
