"""Published pages are public: script, event handlers, javascript: links and template syntax in any text
of a form end up inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml

from generator.build import build_site
from generator.config import SiteConfig
from generator.reading import read_document

from .conftest import CONTENT
from .htmltools import parse

PAYLOAD = ('<script>alert("xss")</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">点我</a>'
           '<svg onload=alert(4)></svg>{{ 7*7 }}{% if true %}IF{% endif %}"\'><iframe src="https://evil.example">')
LINKS = """[链接](javascript:alert(7)) [另一个](JaVaScRiPt:alert(8)) <a href="data:text/html,x">数据</a>

![图](http://127.0.0.1:8000/x.png) [本机](file:///etc/passwd) [上级](../../secret.md) <https://evil.example/>
"""
BODY = """恶意的结论

<div onclick="alert(5)" style="background:expression(alert(6))">块</div>

<script>alert("body")</script>

{{ config }} {% raw %}

<b onmouseover="alert(10)">粗体</b> <img src=x onerror=alert(11)> <svg onload=alert(12)></svg>
"""
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href")


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    data = read_document(CONTENT / "2024" / "power-system-renovation.md").data
    data["title"] = f"项目{PAYLOAD}"
    data["implementer"] = f"单位{PAYLOAD}"
    data["contact"] = PAYLOAD
    data["department"] = {"code": PAYLOAD, "name": PAYLOAD}
    data["goals"] = {"expected": PAYLOAD, "actual": PAYLOAD}
    data["execution_reason"] = PAYLOAD
    for row in data["indicators"]:
        row["reason"] = PAYLOAD
        row["note"] = PAYLOAD
        row["name"] = f"指标{PAYLOAD}"
    data["indicators"][9]["target"] = f"得到保障{PAYLOAD}"  # a qualitative target may be any text
    data.pop("stated")
    content = root / "content"
    content.mkdir()
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (content / "hostile.md").write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    return build_site([content], SiteConfig(), root / "out").out


def _pages(out):
    return {path.relative_to(out).as_posix(): path.read_text(encoding="utf-8") for path in out.rglob("*.html")}


def test_no_script_runs(output):
    for name, html in _pages(output).items():
        document = parse(html)
        for tag, attributes in document.elements:
            assert tag not in ("iframe", "img", "object", "embed"), (name, tag)
            for attribute, value in attributes.items():
                assert not attribute.startswith("on"), (name, tag, attribute)
                if attribute in URL_ATTRIBUTES:
                    assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), (name, value)
                assert attribute != "style", (name, tag, value)
            if tag == "script":
                assert attributes.get("src", "").endswith(("assets/formgen.js", "assets/search-index.js")), name
        assert "<script>" not in html, name  # no inline script at all


class _Alerts(HTMLParser):
    """Where the payloads' `alert(` calls land on a page, as a browser's tokenizer sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown: list[str] = []  # text a reader sees, or a plain attribute's value (value=, aria-label=): inert
        self.live: list[str] = []  # a tag, an event handler, a link, a style, a script, a comment: not mere text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._note(tag, self.live)
        for attribute, value in attrs:
            self._note(attribute, self.live)
            runs = attribute.startswith("on") or attribute in (*URL_ATTRIBUTES, "style")
            self._note(value or "", self.live if runs else self.shown)

    def handle_data(self, data: str) -> None:
        self._note(data, self.live if self.cdata_elem else self.shown)  # inside <script> or <style>: code

    def handle_comment(self, data: str) -> None:
        self._note(data, self.live)

    @staticmethod
    def _note(text: str, where: list[str]) -> None:
        where.extend(text for _ in range(text.count("alert(")))


def test_every_payload_is_shown_as_text(output):
    """Every `alert(` of the payloads that reaches a page is text a reader sees, none is markup or code."""
    shown = 0
    for name, html in _pages(output).items():
        alerts = _Alerts()
        alerts.feed(html)
        alerts.close()
        assert not alerts.live, (name, alerts.live[:3])
        shown += len(alerts.shown)
    # Shown, not dropped: a payload holds four alert( calls, and the hostile form alone shows ten indicator
    # rows' reasons and notes.
    assert shown >= 4 * 10 * 2, shown


def test_text_is_shown_not_interpreted(output):
    form = (output / "forms" / "hostile.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in form and ">49<" not in form  # template syntax is text
    assert "IF{% endif %}" in form
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in form  # escaped, visible
    index = (output / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in index and "<script>alert" not in index
    search = (output / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert search.startswith("window.FORMGEN_SEARCH = {") and search.count("\n") == 1  # one JSON literal


def test_markdown_body_is_sanitized(output):
    form = (output / "forms" / "hostile.html").read_text(encoding="utf-8")
    conclusion = form.split('class="text conclusion">', 1)[1].split("</td>", 1)[0]
    elements = parse(conclusion).elements
    assert {tag for tag, _ in elements} <= {"p", "a", "ol", "ul", "li", "br", "strong", "em", "b"}, elements
    for _, attributes in elements:
        assert set(attributes) <= {"href", "rel", "title"}, attributes
        assert not re.match(r"\s*(javascript|data):", attributes.get("href") or "", re.I)
    assert "恶意的结论" in conclusion and "块" in conclusion  # the text survives, the markup does not
    assert "{{ config }}" in conclusion


def test_links_leaving_the_site_are_errors_with_their_line(tmp_path):
    """A conclusion's links and images may not reach the network or other folders: `check` says where."""
    from generator.config import SiteConfig as Config
    from generator.pipeline import load_site

    text = (CONTENT / "2024" / "power-system-renovation.md").read_text(encoding="utf-8")
    form = tmp_path / "links.md"
    form.write_text(text.rstrip("\n") + "\n\n" + LINKS, encoding="utf-8")
    errors = [f for f in load_site([form], Config()).findings if f.level.value == "error"]
    body_line = len(text.rstrip("\n").splitlines()) + 2
    external = {(f.line, f.message.split("”")[0]) for f in errors if f.code == "link-external"}
    assert external == {(body_line, "“javascript:alert(7)"), (body_line, "“JaVaScRiPt:alert(8)"),
                        (body_line, "“data:text/html,x"), (body_line + 2, "“http://127.0.0.1:8000/x.png"),
                        (body_line + 2, "“file:///etc/passwd"), (body_line + 2, "“https://evil.example/")}
    assert [(f.code, f.line) for f in errors if f.code == "link-outside"] == [("link-outside", body_line + 2)]
    assert all(f.field == "body" and f.label == "自评结论" for f in errors)


def test_sanitizer_drops_dangerous_targets_even_if_they_got_through():
    from generator.render.narrative import to_html

    html = to_html(LINKS)
    assert "javascript" not in html.lower() and "data:" not in html and "<img" not in html
    assert '<a rel="noopener noreferrer">链接</a>' in html  # the link's text stays, its target goes
