"""Shared fixtures: the project's folders and the reference material beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture
def project_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the project root as the working folder, as a user of `formgen` would."""
    monkeypatch.chdir(ROOT)
    return ROOT
