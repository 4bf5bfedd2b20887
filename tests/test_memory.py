"""A large build's workers keep every form they read to their end and pause their garbage collector (see
parallel.collections_paused): whatever reading, checking or rendering a form leaves in a reference cycle
stays in memory until the build ends. These tests hold the forms' own steps to leaving no such cycles, so
that a worker's memory is its forms' and nothing more (10,000 forms: 360 MiB a worker, not 700)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest

from generator import config, pipeline
from generator.render import fit
from generator.render import html as render_html

from .conftest import CONTENT, ROOT

FORMS = sorted((CONTENT / "2024").glob("*.md"))


@pytest.fixture
def collector_paused() -> Iterator[Callable[[], int]]:
    """Collection paused, as in a worker; yields a function that counts the cyclic garbage left since."""
    gc.collect()
    gc.disable()
    try:
        yield gc.collect
    finally:
        gc.enable()


def _site_config() -> config.SiteConfig:
    return config.load_config(ROOT / "formgen.toml")


def test_reading_and_checking_forms_leaves_no_cycles(collector_paused: Callable[[], int]) -> None:
    site_config = _site_config()
    entries = [pipeline.load_entry(path, site_config, ROOT) for path in FORMS]
    assert all(entry.scored is not None for entry in entries)
    assert collector_paused() == 0


def test_fitting_a_sheet_s_columns_leaves_no_cycles(collector_paused: Callable[[], int]) -> None:
    site_config = _site_config()
    env = render_html.environment()
    base_style = env.loader.get_source(env, "sheet.css")[0] if env.loader else ""
    entries = [pipeline.load_entry(path, site_config, ROOT) for path in FORMS]
    views = [render_html.form_view(entry, entry.document.slug, site_config) for entry in entries]
    pages = [render_html.render(env, render_html.form_page(view), site_config) for view in views]
    collector_paused()  # what rendering the pages left (Markdown's own cycles) is not what is measured
    styles = [fit.screen_style(page, view.grid, view.profile, base_style)
              for page, view in zip(pages, views, strict=True)]
    assert all("@media screen" in style for style in styles)
    assert collector_paused() == 0

