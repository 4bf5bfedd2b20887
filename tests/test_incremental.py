"""Incremental builds: a page is rendered again only when something it shows may have changed (its key,
a hash of its inputs, differs from the previous output's); the result is always the fresh build's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import SiteConfig
from generator.render import html as render_html

from .conftest import CONTENT

FORM_1 = "power-system-renovation"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A copy of the reference content built once, and a record of the pages each later build renders."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    build_site([content], SiteConfig(), tmp_path / "out")
    rendered: list[str] = []
    original = render_html.render

    def recording(env, page, config):
        rendered.append(page.path)
        return original(env, page, config)

    monkeypatch.setattr(render_html, "render", recording)
    return content, rendered


def _fresh(content: Path, tmp_path: Path, **options) -> dict[str, bytes]:
    return _files(build_site([content], SiteConfig(**options.pop("config", {})), tmp_path / "fresh", **options).out)


def test_a_no_change_build_renders_nothing(site, tmp_path):
    content, rendered = site
    before = _files(tmp_path / "out")
    result = build_site([content], SiteConfig(), tmp_path / "out")
    assert rendered == [] and result.pages_reused == result.pages == 13
    assert _files(tmp_path / "out") == before
    assert "(13 unchanged)" in result.summary()


def test_a_changed_figure_renders_that_form_and_the_lists_that_show_it(site, tmp_path):
    content, rendered = site
    form = content / "2024" / f"{FORM_1}.md"
    text = form.read_text(encoding="utf-8").replace("executed: 599619.76", "executed: 600000.00")
    form.write_text(text.replace("  total: 97.09\n", "").replace("stated:", "stated: {}", 1), encoding="utf-8")
    result = build_site([content], SiteConfig(), tmp_path / "out")
    units = [path for path in rendered if path.startswith("units/")]
    assert sorted(rendered) == sorted([f"forms/{FORM_1}.html", "index.html", "years/2024.html", *units])
    assert len(units) == 1 and result.pages_reused == 13 - 4
    assert _files(result.out) == _fresh(content, tmp_path)


def test_a_new_title_renders_the_neighbours_that_link_it(site, tmp_path):
    content, rendered = site
    form = content / "2024" / f"{FORM_1}.md"
    text = form.read_text(encoding="utf-8")
    form.write_text(text.replace("title: 电力系统维修改造专项资金", "title: 电力系统改造资金"), encoding="utf-8")
    result = build_site([content], SiteConfig(), tmp_path / "out")
    forms = sorted(path for path in rendered if path.startswith("forms/"))
    assert len(forms) == 3 and f"forms/{FORM_1}.html" in forms  # the form, and the two whose 上一张/下一张 name it
    assert _files(result.out) == _fresh(content, tmp_path)


def test_a_template_change_renders_the_pages_that_use_it(site, tmp_path):
    content, rendered = site
    templates = tmp_path / "templates"
    templates.mkdir()
    source = (render_html.default_templates() / "list.html").read_text(encoding="utf-8")
    (templates / "list.html").write_text(source + "{# changed #}\n", encoding="utf-8")
    build_site([content], SiteConfig(), tmp_path / "out", site_templates=templates)
    assert rendered and all(not path.startswith("forms/") for path in rendered)  # lists only
    assert len(rendered) == 3


def test_a_setting_change_renders_everything(site, tmp_path):
    content, rendered = site
    config = SiteConfig.model_validate({"site": {"title": "另一个标题"}})
    result = build_site([content], config, tmp_path / "out")
    assert len(rendered) == 13 and result.pages_reused == 0
    assert "另一个标题" in (result.out / f"forms/{FORM_1}.html").read_text(encoding="utf-8")


def test_another_markdown_extension_list_renders_every_page(site, tmp_path, monkeypatch):
    """Markdown's extensions decide every text's HTML: a change to the list (as an upgrade that changes what
    an extension does) renders every page again, not none."""
    import markdown

    from generator.render import narrative

    content, rendered = site
    monkeypatch.setattr(narrative, "EXTENSIONS", ("sane_lists",))
    monkeypatch.setattr(narrative, "_converter", markdown.Markdown(extensions=["sane_lists"], output_format="html"))
    result = build_site([content], SiteConfig(), tmp_path / "out")
    assert result.pages_reused == 0 and len(rendered) == result.pages == 13


@pytest.mark.parametrize("library", ["nh3", "markdown", "jinja2", "pydantic"])
def test_another_version_of_a_library_renders_every_page(site, tmp_path, monkeypatch, library):
    """An upgrade of a library that shapes the pages (nh3's filter, Markdown's parser, …) renders every page
    again: the installed versions are part of every key."""
    import importlib.metadata

    from generator import state

    content, rendered = site
    installed = importlib.metadata.version

    def upgraded(name: str) -> str:
        return "999.0" if name == library else installed(name)

    monkeypatch.setattr(importlib.metadata, "version", upgraded)
    state._versions.cache_clear()
    try:
        result = build_site([content], SiteConfig(), tmp_path / "out")
    finally:
        state._versions.cache_clear()
    assert result.pages_reused == 0 and len(rendered) == result.pages == 13
    monkeypatch.setattr(importlib.metadata, "version", installed)
    rendered.clear()
    assert build_site([content], SiteConfig(), tmp_path / "out").pages_reused == 0  # back: the old keys are gone
    assert build_site([content], SiteConfig(), tmp_path / "out").pages_reused == 13


def test_build_state_is_kept_out_of_the_published_output(site, tmp_path):
    """The records of what a build wrote are the cache's, never published (nor uploaded by CI with output/)."""
    out = tmp_path / "out"
    names = {path.name for path in out.rglob("*")}
    assert not {".formgen-state.json", ".keys.json"} & names
    assert (tmp_path / ".formgen-cache" / "out" / "pages.json").is_file()
