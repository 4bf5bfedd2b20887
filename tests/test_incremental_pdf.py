"""Incremental builds with PDFs: a build with nothing to make is quick because it loads no PDF library and
starts no worker; and the fonts' cheap key (their status, their bytes read again only when it changes) still
makes every PDF again when a font file changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import state
from generator.build import build_site
from generator.config import SiteConfig
from generator.render import pdf as render_pdf

from .conftest import CONTENT

FORMS = ("power-system-renovation", "central-equipment")
"""Two forms of the reference content: one bundle of two, enough for forms and a bundle."""

PDF_LIBRARIES = ("weasyprint", "pypdf", "fontTools", "pydyf", "cffi", "tinycss2", "cssselect2")

_WRAPPER = """
import json, os, sys
forks = []
os.register_at_fork(before=lambda: forks.append(os.getpid()))
from generator.__main__ import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "forks": len(forks), "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""
"""`formgen` in a subprocess that then reports its exit code, the forks it made (multiprocessing's workers;
fc-match runs without a fork handler) and the top-level modules it had loaded."""


def _site(tmp_path: Path) -> Path:
    content = tmp_path / "content" / "2024"
    content.mkdir(parents=True)
    for name in FORMS:
        shutil.copy(CONTENT / "2024" / f"{name}.md", content)
    return tmp_path / "content"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _formgen(tmp_path: Path, *args: str) -> tuple[dict, str]:
    environment = {**os.environ, "FORMGEN_LANG": "en"}
    run = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, cwd=tmp_path,
                         env=environment, check=False, timeout=600)
    lines = run.stdout.splitlines()
    assert lines, run.stderr
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def test_a_build_with_nothing_to_make_loads_no_pdf_library_and_starts_no_worker(tmp_path):
    content = _site(tmp_path)
    report, _ = _formgen(tmp_path, "build", str(content), "--out", "out", "--jobs", "2")
    assert report["code"] == 0 and "weasyprint" in report["modules"]  # the wrapper sees what a build loads
    before = _files(tmp_path / "out")
    report, said = _formgen(tmp_path, "build", str(content), "--out", "out", "--jobs", "2")
    assert report["code"] == 0
    assert "2 PDFs and 1 bundle (3 unchanged)" in said
    assert [name for name in PDF_LIBRARIES if name in report["modules"]] == []
    assert report["forks"] == 0
    assert _files(tmp_path / "out") == before
    form = content / "2024" / f"{FORMS[0]}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("contact: 莫路路", "contact: 张三"), encoding="utf-8")
    report, said = _formgen(tmp_path, "build", str(content), "--out", "out", "--jobs", "2")
    assert report["code"] == 0 and "weasyprint" in report["modules"]  # something to make: it is loaded
    assert "2 PDFs and 1 bundle (1 unchanged)" in said


def test_a_changed_font_file_makes_every_pdf_again(tmp_path, monkeypatch):
    """The font's hash is kept with its status; a font rewritten in place, its size and modification time as
    they were, is still read again (its change time moved), and every PDF is made again."""
    content = _site(tmp_path)
    font = tmp_path / "font.ttc"
    original = render_pdf._font_file
    shutil.copy(original(render_pdf.DEFAULT_FONTS[1]) or "", font)
    monkeypatch.setattr(render_pdf, "_font_file",
                        lambda family: str(font) if family == render_pdf.DEFAULT_FONTS[1] else original(family))
    monkeypatch.setattr(state, "_SETTLED_NS", 0)  # a font copied a moment ago is recorded too
    out = tmp_path / "out"
    assert build_site([content], SiteConfig(), out, pdf=True, jobs=1).reused == 0
    recorded = json.loads((tmp_path / ".formgen-cache" / "out" / state.FONTS_FILE).read_text(encoding="utf-8"))
    assert str(font) in recorded
    assert build_site([content], SiteConfig(), out, pdf=True, jobs=1).reused == 3
    status = font.stat()
    with open(font, "r+b") as file:  # the last byte, which no table the key or coverage reads
        file.seek(-1, os.SEEK_END)
        last = file.read(1)
        file.seek(-1, os.SEEK_END)
        file.write(bytes([last[0] ^ 0xFF]))
    os.utime(font, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert (font.stat().st_size, font.stat().st_mtime_ns) == (status.st_size, status.st_mtime_ns)
    again = build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    assert (again.pdfs, again.bundles, again.reused) == (2, 1, 0)


def test_a_font_s_hash_is_read_again_only_when_its_status_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(state, "_SETTLED_NS", 0)
    font, record = tmp_path / "font.ttc", tmp_path / state.FONTS_FILE
    font.write_bytes(b"one")
    digests = state.FileDigests(record)
    first = digests.digest(str(font))
    assert digests.changed
    record.write_bytes(digests.json())
    kept = state.FileDigests(record)
    reads: list[str] = []
    monkeypatch.setattr(state.hashlib, "file_digest", lambda *args: reads.append("read") or pytest.fail("read"))
    assert kept.digest(str(font)) == first and not kept.changed and reads == []
    monkeypatch.undo()
    monkeypatch.setattr(state, "_SETTLED_NS", 10**12)  # a file changed a moment ago is hashed, not recorded
    font.write_bytes(b"two")
    assert kept.digest(str(font)) != first and kept.changed and json.loads(kept.json()) == {}



def test_a_build_renders_only_what_changed_pages_and_pdf_html_alike(tmp_path, monkeypatch):
    """A PDF's key is the hash of its HTML; the previous build's key is taken where everything that HTML is made
    from is unchanged, so a no-change build renders no form's template, and one changed form renders its own
    page, its PDF's HTML and the lists that show it (and its bundle part's other forms, laid out again)."""
    from generator.render import html as render_html

    content = _site(tmp_path)
    out = tmp_path / "out"
    build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    before = _files(out)
    rendered: list[str] = []
    original = render_html.render

    def recording(env, page, config):
        rendered.append(f"{page.template} {page.path}")
        return original(env, page, config)

    monkeypatch.setattr(render_html, "render", recording)
    same = build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    # A bundle's key is still found from its cover's HTML: one small page a bundle.
    assert [line for line in rendered if not line.startswith("bundle.html")] == []
    assert same.reused == 3 and _files(out) == before
    form = content / "2024" / f"{FORMS[0]}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("contact: 莫路路", "contact: 张三"), encoding="utf-8")
    changed = build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    assert changed.reused == 1  # the other form's PDF
    assert [line for line in rendered if line.startswith("form.html")] == [f"form.html forms/{FORMS[0]}.html"]
    # The other form's PDF HTML only where its bundle part is laid out again, never for its key.
    assert {line.split()[0] for line in rendered if FORMS[1] in line} == {"_sheet.html", "pdf.html"}
    fresh = build_site([content], SiteConfig(), tmp_path / "fresh", pdf=True, jobs=1)
    assert _files(out) == _files(fresh.out)


def test_an_unchanged_form_laid_out_again_for_its_part_is_laid_out_once(tmp_path, monkeypatch):
    """A changed form's bundle part lays out its other forms again (a part is one WeasyPrint document); each
    takes the fit found when its PDF was made, so it is laid out once, not fitted again, and the bundle is
    byte for byte the one a fresh build makes."""
    content = _site(tmp_path)
    out = tmp_path / "out"
    build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    layouts: list[str] = []
    original = render_pdf.layout_pdf

    def counting(html, *args, **kwargs):
        if '<body class="pdf">' in html:
            layouts.append("changed" if "张三" in html else "unchanged")
        return original(html, *args, **kwargs)

    monkeypatch.setattr(render_pdf, "layout_pdf", counting)
    monkeypatch.setattr(render_pdf, "_MAX_PASSES", 9)  # would the unchanged form be fitted, it would take more
    form = content / "2024" / f"{FORMS[0]}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("contact: 莫路路", "contact: 张三"), encoding="utf-8")
    changed = build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    assert changed.reused == 1 and layouts.count("unchanged") == 1 and "changed" in layouts
    monkeypatch.undo()
    fresh = build_site([content], SiteConfig(), tmp_path / "fresh", pdf=True, jobs=1)
    assert _files(out) == _files(fresh.out)


def test_a_build_with_pdfs_to_make_refuses_without_harfbuzz_and_publishes_nothing(tmp_path, monkeypatch):
    """The libraries are checked where something is to be rendered, no longer before the forms are read: the
    build still stops with what to install, and publishes nothing."""
    import weasyprint.text.ffi as ffi

    content = _site(tmp_path)
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    with pytest.raises(render_pdf.PdfUnavailable, match="libharfbuzz-subset0"):
        build_site([content], SiteConfig(), tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()


def test_the_fits_and_page_counts_of_bundles_not_made_again_are_kept(tmp_path):
    """A build that makes one bundle again keeps what the others' forms need for a later change to them (their
    page counts and fits); the forms no longer in the site are dropped."""
    from generator.build.reuse import CACHE_MANIFEST, Cache

    first = Cache(tmp_path, ("cache",))
    fit = render_pdf.Fit(widths=(("c-name", "40.000"),), starts=(3,))
    first.keep_parts({"a": 1, "b": 2, "gone": 1}, {}, {"a": fit, "b": render_pdf.Fit(), "gone": fit},
                     {"a", "b", "gone"})
    again = Cache(tmp_path, ("cache",))
    assert again.fits == {"a": fit, "b": render_pdf.Fit(), "gone": fit}
    again.keep_parts({"b": 3}, {}, {"b": fit}, {"a", "b"})  # bundle of b made again; a's not; gone is gone
    kept = Cache(tmp_path, ("cache",))
    assert (kept.page_counts, kept.fits) == ({"a": 1, "b": 3}, {"a": fit, "b": fit})
    assert json.loads((tmp_path / "cache" / CACHE_MANIFEST).read_text(encoding="utf-8"))["fits"]["a"]["starts"] == [3]


def test_a_template_named_by_a_variable_counts_every_template_but_not_bytecode(tmp_path):
    """pdf.html names a template by a variable, so its key holds every template: an installed package's
    templates folder also holds bytecode, which is no template (and no text)."""
    import jinja2

    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\xa7\x0d\x0d\x0a")
    (tmp_path / "a.html").write_text("{% include name %}", encoding="utf-8")
    (tmp_path / "b.html").write_text("one", encoding="utf-8")
    before = state.template_fingerprint(jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path)), "a.html")
    (tmp_path / "b.html").write_text("two", encoding="utf-8")
    after = state.template_fingerprint(jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path)), "a.html")
    assert before != after
