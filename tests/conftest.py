"""Shared fixtures: the project's folders and the published reference material."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import i18n

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


REFERENCE = ROOT / "tests" / "fixtures" / "reference"
"""The published text of the reference forms and the summary of the scoring rules (its README says where they
come from): in the repository, so that no test needs anything beside the checkout."""


@pytest.fixture(scope="session", autouse=True)
def english_from_the_start() -> None:
    """English before any fixture of a wider scope than a test runs (a module's build, which the `english`
    fixture below would reach too late): such a fixture's output must not depend on which test came first."""
    os.environ[i18n.ENVIRONMENT_VARIABLE] = "en"
    i18n.activate("en")


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_reaches_commands() -> None:
    """Tests press Ctrl-C on formgen (SIGINT) and expect it to stop. A test runner started as a background job
    of a non-interactive shell (`make test &`) has SIGINT ignored, and every command it starts inherits that,
    so formgen would rightly go on: the runner takes Ctrl-C back, and the commands it starts get the default."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
