"""Shared fixtures: the project's folders and the reference material beside the checkout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import i18n

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def _reference_dir() -> Path:
    # ../shared/reference beside the checkout; CI lays shared/ beside its clone the same way.
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "reference"


REFERENCE = _reference_dir()


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests assert formgen's messages in their source language, English, unless marked
    ``@pytest.mark.chinese``: those see what a user sees by default (tests/test_i18n.py). The variable
    reaches the subprocesses tests start; activate() the code the test calls in this process."""
    chosen = "zh_CN" if request.node.get_closest_marker("chinese") else "en"
    monkeypatch.setenv(i18n.ENVIRONMENT_VARIABLE, chosen)
    i18n.activate(chosen)
    yield
    i18n.activate("en")


@pytest.fixture
def project_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the project root as the working folder, as a user of `formgen` would."""
    monkeypatch.chdir(ROOT)
    return ROOT
