"""Published forms of other provinces, transcribed as data (tests/fixtures/published/*.yaml): each file has
its source (an http address, a date), its layout and its cells; funds and indicator rows have as many cells
as their columns; long prose is a marked paraphrase, never a copied sentence; the README lists every file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .fixturesites import PUBLISHED, published

FILES = sorted(PUBLISHED.glob("*.yaml"))
SUMMARY = "（概述）"
PROSE_LIMIT = 60

REQUIRED = {
    "source": ("url", "page_title", "published", "retrieved", "province", "level", "unit", "year", "form_title"),
    "layout": (
        "header_fields",
        "funds_columns",
        "funds_rows",
        "indicator_columns",
        "footer_fields",
        "money_unit",
        "money_decimals",
        "score_rounding",
        "weights",
        "notes",
    ),
    "form": ("header", "funds", "goals", "indicators", "footer"),
}
LEVELS = {"中央", "省级", "市级", "县级"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _strings(node: Any) -> list[str]:
    """Every string inside a form: header and footer values, goals, funds and indicator cells."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def test_there_are_published_fixtures() -> None:
    assert FILES, f"no fixture in {PUBLISHED}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_required_keys(path: Path) -> None:
    data = published(path)
    for section, keys in REQUIRED.items():
        assert isinstance(data.get(section), dict), f"{path.name}: no {section} mapping"
        missing = [key for key in keys if key not in data[section]]
        assert not missing, f"{path.name}: {section} lacks {missing}"
    assert isinstance(data.get("discrepancies"), list), f"{path.name}: discrepancies must be a list"
    goals = data["form"]["goals"]
    assert isinstance(goals, dict) and {"expected", "actual"} <= goals.keys(), f"{path.name}: goals"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_source(path: Path) -> None:
    source = published(path)["source"]
    assert str(source["url"]).startswith("http"), f"{path.name}: url {source['url']!r}"
    assert source["level"] in LEVELS, f"{path.name}: level {source['level']!r}"
    assert source["published"] == "unknown" or DATE.fullmatch(str(source["published"])), path.name
    assert DATE.fullmatch(str(source["retrieved"])), path.name
    assert isinstance(source["year"], int), f"{path.name}: year must be a number"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_rows_have_as_many_cells_as_columns(path: Path) -> None:
    data = published(path)
    funds_columns = data["layout"]["funds_columns"]
    indicator_columns = data["layout"]["indicator_columns"]
    for entry in data["form"]["funds"]:
        assert len(entry["cells"]) == len(funds_columns), f"{path.name}: funds row {entry['row']!r}"
    for number, row in enumerate(data["form"]["indicators"], start=1):
        assert len(row) == len(indicator_columns), f"{path.name}: indicator row {number} {row!r}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cells_are_strings(path: Path) -> None:
    form = published(path)["form"]
    for entry in form["funds"]:
        assert all(isinstance(cell, str) for cell in entry["cells"]), f"{path.name}: {entry['row']!r}"
    for row in form["indicators"]:
        assert all(isinstance(cell, str) for cell in row), f"{path.name}: {row!r}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_long_prose_is_a_marked_paraphrase(path: Path) -> None:
    long_unmarked = [
        text for text in _strings(published(path)["form"]) if len(text) > PROSE_LIMIT and not text.startswith(SUMMARY)
    ]
    assert not long_unmarked, f"{path.name}: prose over {PROSE_LIMIT} characters without {SUMMARY}: {long_unmarked}"


def test_readme_lists_every_file() -> None:
    readme = (PUBLISHED / "README.md").read_text(encoding="utf-8")
    missing = [path.name for path in FILES if path.name not in readme]
    assert not missing, f"README.md does not list {missing}"
