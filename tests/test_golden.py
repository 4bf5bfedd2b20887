"""Golden output: the fixture site in tests/fixtures/site builds to exactly the files recorded in tests/golden/.

Each page is stored laid out a line per element (tests/pretty.py), so a template change shows in `git diff`
as the lines it changes. The layout drops only white space standing alone between tags; the SHA-256 of
every file as published, kept in tests/golden/site.sha256.json, catches a change there too. When a change
to what the site publishes is intended, regenerate both with
`FORMGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py` and review the diff in git.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import i18n
from generator.build import build_site
from generator.config import load_config

from .conftest import ROOT
from .pretty import html_lines, html_tokens, pretty, pretty_html, pretty_json

FIXTURE = ROOT / "tests" / "fixtures" / "site"
GOLDEN = ROOT / "tests" / "golden" / "site"
DIGESTS = ROOT / "tests" / "golden" / "site.sha256.json"
COMPARED = ("**/*.html", "data/*.csv", "data/forms.json", "data/forms/*.json", "assets/search-index.js")
ROAD = "forms/road-maintenance.html"


def _published(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for pattern in COMPARED for path in sorted(folder.glob(pattern))}


def _build(site: Path, out: Path) -> dict[str, bytes]:
    # In Chinese, as recorded and as a user's build publishes it (the forms' JSON carries their findings'
    # messages), not in the language the test before this one left active. From the project root, as a user
    # would: findings name paths relative to the working folder.
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        i18n.activate("zh_CN")
        build_site([site / "content"], load_config(site / "formgen.toml"), out)
    finally:
        os.chdir(previous)
    return _published(out)


def _stored(published: dict[str, bytes]) -> dict[str, str]:
    return {relative: pretty(relative, data.decode("utf-8")) for relative, data in published.items()}


def _changed_lines(relative: str, expected: str, actual: str) -> list[str]:
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), f"tests/golden/site/{relative}",
                                f"built {relative}", n=1, lineterm="")
    return list(diff)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    yield _build(FIXTURE.relative_to(ROOT), tmp_path_factory.mktemp("golden") / "out")
    i18n.activate("en")


def _update_golden(built: dict[str, bytes]) -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)  # a page the site no longer publishes goes too
    for relative, text in _stored(built).items():
        target = GOLDEN / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    digests = {relative: hashlib.sha256(data).hexdigest() for relative, data in sorted(built.items())}
    DIGESTS.write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")


def test_fixture_site_matches_golden_output(built: dict[str, bytes]) -> None:
    if os.environ.get("FORMGEN_UPDATE_GOLDEN"):
        _update_golden(built)
        pytest.skip("golden files rewritten; review them with git diff")
    expected = {path.relative_to(GOLDEN).as_posix(): path.read_bytes().decode("utf-8")
                for path in sorted(GOLDEN.rglob("*")) if path.is_file()}
    assert sorted(built) == sorted(expected), "the site publishes other files than tests/golden/site holds"
    stored = _stored(built)
    for relative in sorted(expected):
        diff = _changed_lines(relative, expected[relative], stored[relative])
        assert not diff, "\n".join([f"{relative} differs from its golden copy:", *diff[:60]])
    # The layout dropped white space between tags; the digests of the bytes as published see it.
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))
    digests = {relative: hashlib.sha256(data).hexdigest() for relative, data in built.items()}
    changed = sorted(path for path in set(recorded) | set(digests) if recorded.get(path) != digests.get(path))
    assert not changed, (f"{changed}: laid out as stored they match tests/golden/site, so only white space between "
                         "tags (or a JSON string's escaping) changed; if that is meant, regenerate the golden files")


def test_golden_figures_are_the_rules(built: dict[str, bytes]) -> None:
    """The golden pages are not just any output: spot-check figures computed by hand from rules.md."""
    road = built[ROAD].decode("utf-8")
    # 20 × 110 ÷ 120 = 18.333… → 18.33; 10 × 456000.5 ÷ 480000 = 9.50001 → 9.50; total 89.83 → 良
    assert '<td class="num">18.33</td>' in road
    assert '<td class="num">95.00</td><td class="num" colspan="2">9.50</td>' in road
    assert '<td class="num">89.83</td>' in road
    index = built["index.html"].decode("utf-8")
    assert "义务教育学校设备购置资金（200,000元）" in index
    assert "义务教育学校设备购置资金（120,000元）" in index


def test_the_stored_layout_loses_nothing_but_white_space_between_tags(built: dict[str, bytes]) -> None:
    """Cut into tags and texts, every page joins back to its exact bytes, and what the layout leaves out is
    white space alone; so the layout can hide nothing else."""
    for relative, data in built.items():
        if relative.endswith(".html"):
            page = data.decode("utf-8")
            tokens = html_tokens(page)
            assert "".join(tokens) == page, relative
            kept = "".join(line for _depth, line in html_lines(page))
            assert kept == "".join(token for token in tokens if token.strip()), relative


@pytest.mark.parametrize(("before", "after"), [
    ('<td class="num">18.33</td>', '<td class="num">18.34</td>'),  # a figure
    ("<td>资 金 来 源</td>", "<td>资金 来 源</td>"),  # white space inside a text
    ("<td> 18.33</td>", "<td>18.33</td>"),  # white space at the edge of a text
    ('<td class="num">1</td>', '<td class="num ">1</td>'),  # an attribute's value
    ('<a rel="prev" href="a.html">x</a>', '<a href="a.html" rel="prev">x</a>'),  # the order of attributes
    ("<tr><td>1</td><td>2</td></tr>", "<tr><td>2</td><td>1</td></tr>"),  # the order of elements
    ("<pre>a\n  b</pre>", "<pre>a\n b</pre>"),  # white space in <pre>, which the reader sees
    ("<p>1 &lt; 2</p>", "<p>1 < 2</p>"),  # an escape
])
def test_the_stored_layout_shows_every_change_a_reader_can_see(before: str, after: str) -> None:
    assert pretty_html(before) != pretty_html(after)


def test_the_stored_layout_of_json_keeps_numbers_and_order_as_written() -> None:
    assert pretty_json('{"b": 9.50, "a": [1, {}]}') == '{\n  "b": 9.50,\n  "a": [\n    1,\n    {}\n  ]\n}\n'
    assert pretty_json('{"a": 9.50}') != pretty_json('{"a": 9.5}')


def test_a_changed_cell_is_a_one_line_diff_that_names_the_cell(tmp_path: Path) -> None:
    """A clerk rewords one indicator's reason: its page's golden copy differs in one line, the cell's."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    source = site / "content" / "2025" / "road-maintenance.md"
    text = source.read_text(encoding="utf-8")
    before, after = "reason: 山区路段通行条件改善有限。", "reason: 山区路段通行条件改善仍有限。"
    assert text.count(before) == 1
    source.write_text(text.replace(before, after), encoding="utf-8")
    page = _build(site, tmp_path / "out")[ROAD].decode("utf-8")
    golden = (GOLDEN / ROAD).read_text(encoding="utf-8")
    changed = [line for line in _changed_lines(ROAD, golden, pretty_html(page))[2:] if line[:1] in "+-"]
    assert len(changed) == 2, changed
    removed, added = changed
    assert removed == '-                  <td class="text small">山区路段通行条件改善有限。</td>'
    assert added == '+                  <td class="text small">山区路段通行条件改善仍有限。</td>'
