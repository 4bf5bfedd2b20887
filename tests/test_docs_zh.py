"""The Chinese author-facing docs (docs/zh/) say what the English ones say: every field, finding code and profile
key they list, in prose a clerk reads as Chinese, with links that lead somewhere.

The English docs are the source: a finding code added to docs/checks.md, a field added to the model or a key
added to reference.toml fails here until docs/zh/ has it too, and the failure names what to port.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from generator.schema import field_reference

from .chinese import chinese_share
from .conftest import ROOT
from .test_docs import _codes_in_source

DOCS = ROOT / "docs"
ZH = DOCS / "zh"
ORDER = ["authoring.md", "format.md", "checks.md", "profiles.md"]
"""The author-facing pages, in the order a new author reads them."""
PAGES = ["README.md", *ORDER]

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", flags=re.M | re.S)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_FINDING_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def _read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _zh(name: str) -> str:
    return _read(ZH / name)


def _all_zh() -> str:
    return "\n".join(_zh(name) for name in PAGES)


def _spans(text: str) -> set[str]:
    return set(_CODE_SPAN.findall(text))


def _prose(text: str) -> str:
    """What a reader reads as sentences: code blocks left out, and a link's target (the reader sees its text)."""
    return _LINK.sub("]", _FENCE.sub("", text))


def _anchor(heading: str) -> str:
    """A heading's anchor as GitHub and most Markdown viewers make it: lowercase, punctuation dropped
    (full-width too), spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", _FENCE.sub("", _read(page)), flags=re.M)
    return {_anchor(heading) for heading in headings}


def test_every_page_is_there():
    missing = [name for name in PAGES if not (ZH / name).is_file()]
    assert not missing, f"write docs/zh/{missing}"


def test_the_index_lists_the_pages_in_reading_order():
    """docs/zh/README.md says what to read first: authoring → format → checks → profiles."""
    linked = [target for target in _LINK.findall(_zh("README.md")) if target in ORDER]
    first_seen = list(dict.fromkeys(linked))
    assert first_seen == ORDER, first_seen


def test_readme_links_the_chinese_docs_first():
    readme = _read(ROOT / "README.md")
    links = [target for target in _LINK.findall(readme) if target.startswith("docs/")]
    assert links and links[0] == "docs/zh/README.md", links[:3]
    assert "中文文档" in readme.split("\n## ")[0], "the opening of README.md names 中文文档"


def test_every_field_of_the_front_matter_is_named():
    """The keys of the reference form, from the same model that generates docs/fields.md."""
    keys = re.findall(r"^\| `([^`]+)` \|", field_reference(), flags=re.M)
    assert len(keys) > 40
    named = _spans(_all_zh())
    missing = [key for key in keys if key not in named]
    assert not missing, f"name these fields in docs/zh/ (as `key`): {missing}"


def test_every_finding_code_of_the_english_checks_is_in_the_chinese_checks():
    english = _read(DOCS / "checks.md")
    codes = {span for span in _spans(english) if _FINDING_CODE.fullmatch(span)} | _codes_in_source()
    assert len(codes) > 80
    chinese = _spans(_zh("checks.md"))
    missing = sorted(codes - chinese)
    assert not missing, f"port to docs/zh/checks.md (a table row | `code` | 何时报告 |): {missing}"


def _profile_keys(value: Any, path: str = "") -> set[str]:
    """Every key of a profile file: a table as `[path]` (matching `[[funds]]`, `[[scheme.level1]]` too), a
    value as its key."""
    found: set[str] = set()
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        for key, child in item.items():
            inner = f"{path}.{key}" if path else key
            is_table = (isinstance(child, dict) and child) or (
                isinstance(child, list) and child and all(isinstance(row, dict) for row in child))
            found.add(f"[{inner}]" if is_table else key)
            found |= _profile_keys(child, inner)
    return found


def test_every_key_of_the_reference_profile_is_in_the_chinese_profiles():
    with (ROOT / "generator" / "profiles" / "reference.toml").open("rb") as file:
        keys = _profile_keys(tomllib.load(file)) | {"extends", "url", "date"}
    assert len(keys) > 90
    text = _zh("profiles.md")
    spans = _spans(text)
    missing = sorted(key for key in keys if not (key in text if key.startswith("[") else key in spans))
    assert not missing, f"explain these keys in docs/zh/profiles.md: {missing}"


@pytest.mark.parametrize("name", PAGES)
def test_the_prose_is_chinese(name: str):
    share = chinese_share(_prose(_zh(name)))
    assert share >= 0.8, f"docs/zh/{name}: {share:.0%} Chinese"


@pytest.mark.parametrize("name", PAGES)
def test_every_relative_link_resolves(name: str):
    """A link names a file that is there, and an anchor one of that page's headings."""
    page = ZH / name
    broken = []
    for target in _LINK.findall(_FENCE.sub("", _read(page))):
        if "://" in target or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            broken.append(target)
    assert not broken, f"docs/zh/{name}: {broken}"


def test_the_anchor_rule_matches_the_english_docs():
    """The anchors the English docs link to (format.md#已公开的表status-published) are found by the same rule,
    so the check above cannot pass by a rule that finds nothing."""
    assert "已公开的表status-published" in _anchors(DOCS / "format.md")
    assert "fields-header-and-footer-fields" in _anchors(DOCS / "profiles.md")
