"""The contract between formgen and WeasyPrint and pypdf: exactly what generator/render/pdf.py relies on,
public or internal, each checked for existing and for doing what formgen uses it for.

An upgrade that breaks one fails here naming the library, its version and the API. `make test` runs this
file twice: with the newest versions (.venv) and with the lowest that pyproject.toml claims
(.venv-lowest, pinned by tests/constraints-lowest.txt), where `test_the_lowest_supported_versions_run`
also builds a two-form site with its PDFs.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from generator.render import pdf as render_pdf

from .conftest import ROOT

LOWEST = ROOT / ".venv-lowest"
CONSTRAINTS = ROOT / "tests" / "constraints-lowest.txt"
MAKE_LOWEST = "make .venv-lowest/.installed-stamp"
IN_LOWEST = Path(sys.prefix).resolve() == LOWEST.resolve()
"""Whether this run is the one with the lowest versions (started by `test_the_lowest_supported_versions_run`)."""

PAGE_CSS = "@page {{ size: A4; margin: 2cm; @bottom-center {{ content: '{footer} ' counter(page) }} }}"


def _html(body: str, footer: str = "FORM-FOOTER", style: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{PAGE_CSS.format(footer=footer)} {style}"
            f"</style></head><body>{body}</body></html>")


def _layout(html: str, tmp_path: Path) -> Any:
    return render_pdf.layout_pdf(html, tmp_path, [tmp_path])


def _text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _broken(api: str, use: str) -> str:
    library = api.split(".")[0]
    return (f"{library} {version(library)}: {api} is not what formgen relies on ({use}); see the functions "
            "of generator/render/pdf.py that use it, and docs/pdf.md on the supported versions")


# What render/pdf.py takes from each library, with what it takes it for (the message when it is gone).
NAMES = [
    ("weasyprint.HTML", "lays out a form's HTML"),
    ("weasyprint.document.Document.copy", "a bundle's pages as one document"),
    ("weasyprint.document.Document.write_pdf", "writes a PDF with its variant and identifier"),
    ("weasyprint.document.Page", "a page made from a box (_page_of)"),
    ("weasyprint.urls.URLFetcher", "the site-only fetcher subclasses it"),
    ("weasyprint.urls.URLFetcherResponse", "what the site-only fetcher returns"),
    ("weasyprint.urls.FatalURLFetchingError", "stops the rendering at a refused URL"),
    ("weasyprint.text.fonts.FontConfiguration", "one font configuration per process"),
    ("weasyprint.text.ffi.harfbuzz", "the HarfBuzz check of check_environment"),
    ("weasyprint.text.ffi.harfbuzz_subset", "the HarfBuzz subset check of check_environment"),
    *[(f"weasyprint.formatting_structure.boxes.{name}", "the box classes fitting and composing tell apart")
      for name in ("MarginBox", "TableBox", "TableCellBox", "TableRowBox", "TableRowGroupBox", "LineBox", "TextBox")],
    ("weasyprint.layout.absolute.AbsolutePlaceholder", "boxes not where they appear, left out when measuring"),
    ("pypdf.PdfWriter.root_object", "the bundle's /Lang"),
    ("pypdf.PdfWriter.append", "joins a bundle's parts"),
    ("pypdf.PdfWriter.add_metadata", "the bundle's metadata"),
    ("pypdf.PdfWriter.add_outline_item", "the bundle's outline"),
    ("pypdf.PdfWriter.add_annotation", "the contents' links"),
    ("pypdf.annotations.Link", "the contents' links"),
]


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


@pytest.mark.parametrize(("api", "use"), NAMES, ids=[api for api, _ in NAMES])
def test_each_name_formgen_uses_exists(api: str, use: str) -> None:
    try:
        _resolve(api)
    except (ImportError, AttributeError):
        pytest.fail(_broken(api, use))


def test_the_internal_attributes_formgen_uses_exist(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    page = _layout(_html("<p>x</p>"), tmp_path).pages[0]
    assert hasattr(page, "_page_box"), _broken("weasyprint.document.Page._page_box", "a page's box tree (_page_box)")
    assert hasattr(PdfWriter(), "_ID"), _broken("pypdf.PdfWriter._ID", "the trailer's /ID (_set_file_identifier)")


def test_a_page_box_holds_its_margin_boxes_and_its_content(tmp_path: Path) -> None:
    page = _layout(_html("<p>BODY-TEXT</p>"), tmp_path).pages[0]
    box = render_pdf._page_box(page)
    margin = render_pdf._box_classes().MarginBox
    texts = {kind: " ".join(text.text for child in box.children if isinstance(child, margin) == kind
                            for text in render_pdf._boxes(child) if isinstance(text, render_pdf._box_classes().TextBox))
             for kind in (True, False)}
    assert "FORM-FOOTER" in texts[True], _broken("weasyprint.Page._page_box", "margin boxes are its MarginBox children")
    assert "BODY-TEXT" in texts[False] and "FORM-FOOTER" not in texts[False], \
        _broken("weasyprint.Page._page_box", "the content is its other children")


def test_replacing_the_margin_boxes_changes_the_footer_and_keeps_the_content(tmp_path: Path) -> None:
    form = _layout(_html("<p>FIRST</p><p style='break-before: page'>SECOND</p>"), tmp_path)
    frame = _html("<div></div><div style='break-before: page'></div>", footer="FRAME-FOOTER")
    data, front = render_pdf.compose_pdf([list(form.pages)], frame, tmp_path, [tmp_path])
    pages = _text(data)
    assert front is None and len(pages) == 2
    for number, (text, body) in enumerate(zip(pages, ("FIRST", "SECOND"), strict=True), start=1):
        assert body in text and f"FRAME-FOOTER {number}" in text and "FORM-FOOTER" not in text, \
            _broken("weasyprint.formatting_structure.boxes.MarginBox", f"page {number} reads {text!r}")


def _form_table(rows: int, figure: str = "1") -> str:
    cells = "".join(f"<tr><td>group</td><td class='num' style='white-space: nowrap'>{figure}</td></tr>"
                    for _ in range(rows))
    return ("<table class='form form-indicators' style='width: 6cm; table-layout: fixed'>"
            "<colgroup><col class='c-name' style='width: 70%'><col class='c-figure' style='width: 30%'></colgroup>"
            f"<thead><tr><th>name</th><th>figure</th></tr></thead><tbody>{cells}</tbody></table>")


def test_fitting_reads_the_widths_a_figure_needs_from_the_box_tree(tmp_path: Path) -> None:
    document = _layout(_html(_form_table(2, figure="123,456,789,012.34")), tmp_path)
    classes, widths, needs, table = render_pdf._needs(document)
    assert classes == ["c-name", "c-figure"], _broken("weasyprint.formatting_structure.boxes.TableBox",
                                                      f"column groups gave {classes}")
    assert abs(table - sum(widths)) < 1 and widths[1] < widths[0]
    # The figure does not wrap: what it needs is more than its column's 30% of 6 cm (about 68 px).
    assert needs[1] > widths[1], _broken("weasyprint.formatting_structure.boxes.TextBox",
                                         f"the nowrap figure needs {needs[1]} px in {widths[1]} px")
    assert needs[0] == 0
    fit = render_pdf._widths(document, render_pdf.Fit())
    assert float(dict(fit.widths)["c-figure"]) > 30, fit  # the figure's column is made wider


def test_fitting_finds_the_rows_that_begin_each_page_and_the_last_page_s_fill(tmp_path: Path) -> None:
    short = _layout(_html(_form_table(3)), tmp_path)
    long = _layout(_html(_form_table(80)), tmp_path)
    pages = render_pdf._indicator_rows(long)
    assert len(pages) >= 2 and [row for rows in pages for row in rows] == list(range(80)), \
        _broken("weasyprint.formatting_structure.boxes.TableRowBox", f"rows per page {pages}")
    assert render_pdf._starts(long) == tuple(rows[0] for rows in pages[1:])
    assert render_pdf._starts(short) == ()
    assert 0 < render_pdf._last_page_fill(short) < 0.25, _broken("weasyprint.Page._page_box", "content height")
    assert 0 < render_pdf._last_page_fill(long) <= 1


def test_a_refused_url_stops_the_rendering_as_formgen_s_error(tmp_path: Path) -> None:
    with pytest.raises(render_pdf.FetchRefused, match=re.escape("refused to fetch http://127.0.0.1:9/x.png")):
        _layout(_html("<img src='http://127.0.0.1:9/x.png'>"), tmp_path)


def test_the_pdf_environment_is_checked_through_weasyprint_s_harfbuzz() -> None:
    environment = render_pdf.check_environment()
    assert environment.weasyprint_version == version("weasyprint") and ord("项") in environment.coverage


IDENTIFIER = bytes(range(16))


def _identifier(reader: PdfReader) -> list[bytes]:
    """The trailer's /ID, as bytes (pypdf reads a string that is not text as a TextStringObject)."""
    return [bytes(part) if isinstance(part, bytes) else part.original_bytes for part in reader.trailer["/ID"]]


def test_the_document_identifier_written_is_the_one_given(tmp_path: Path) -> None:
    document = _layout(_html("<p>x</p>"), tmp_path)
    written = _identifier(PdfReader(io.BytesIO(render_pdf.write_pdf(document, identifier=IDENTIFIER))))
    # The second part is WeasyPrint's hash of the content: the same for the same content (see below).
    assert written[0] == IDENTIFIER, _broken("weasyprint.document.Document.write_pdf", f"pdf_identifier gave {written}")


def _bundle(tmp_path: Path) -> bytes:
    """A bundle as formgen joins one: a front page linking to the second part's page, and two parts."""
    front, _ = render_pdf.compose_pdf([], "", tmp_path, [tmp_path], front_html=_html("<p>COVER</p>"))
    parts = [render_pdf.write_pdf(_layout(_html(f"<p>{name}</p>"), tmp_path)) for name in ("PART-A", "PART-B")]
    return render_pdf.join_pdfs([front, *parts], [("Cover", 0), ("A", 1), ("B", 2)],
                                [(0, (10.0, 10.0, 100.0, 40.0), 2)], lang="zh-CN", identifier=IDENTIFIER)


def test_joining_keeps_the_outline_and_links_and_sets_the_language_and_identifier(tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(_bundle(tmp_path)))
    assert [page.extract_text().split()[0] for page in reader.pages] == ["COVER", "PART-A", "PART-B"]
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        ("Cover", 0), ("A", 1), ("B", 2)], _broken("pypdf.PdfWriter.add_outline_item", "the outline")
    links = [annotation.get_object() for annotation in reader.pages[0].get("/Annots") or []]
    targets = [reader.get_page_number(link["/Dest"][0].get_object()) for link in links if "/Dest" in link]
    assert targets == [2], _broken("pypdf.annotations.Link", f"the cover's links go to {targets}")
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN", _broken("pypdf.PdfWriter.root_object", "/Lang")
    assert _identifier(reader) == [IDENTIFIER, IDENTIFIER], \
        _broken("pypdf.PdfWriter._ID", "the trailer's /ID")


def test_two_runs_give_the_same_bytes(tmp_path: Path) -> None:
    assert _bundle(tmp_path) == _bundle(tmp_path), _broken("pypdf.PdfWriter.write", "two joins differ")
    html = _html(_form_table(3))
    assert render_pdf.write_pdf(_layout(html, tmp_path)) == render_pdf.write_pdf(_layout(html, tmp_path)), \
        _broken("weasyprint.document.Document.write_pdf", "two layouts differ")


def test_an_identifier_pypdf_would_not_write_is_refused_not_lost() -> None:
    class Writer:  # a pypdf writer without _ID: an assignment would pass and the /ID be random or missing
        pass

    with pytest.raises(render_pdf.PdfUnavailable, match=r"pip install 'pypdf[<>=]"):
        render_pdf._set_file_identifier(Writer(), IDENTIFIER)


def _pins() -> dict[str, str]:
    lines = CONSTRAINTS.read_text(encoding="utf-8").splitlines()
    return dict(line.split("==") for line in lines if line.strip() and not line.startswith("#"))


def _lower_bounds() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement.split(";")[0].strip())
        assert match, requirement
        lower = re.search(r">=\s*([0-9][0-9.]*)", match[2])
        bounds[match[1].lower()] = lower[1] if lower else ""
    return bounds


def _release(text: str) -> list[int]:
    """A version's numbers, trailing zeros dropped (3.1 is 3.1.0)."""
    numbers = [int(part) for part in text.split(".")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return numbers


def test_the_lowest_pins_are_pyproject_s_lower_bounds() -> None:
    pins, bounds = _pins(), _lower_bounds()
    assert {"weasyprint", "pypdf"} <= set(pins)
    for name, pinned in pins.items():
        assert name in bounds, f"{CONSTRAINTS.name} pins {name}, which pyproject.toml does not require"
        assert bounds[name] and _release(pinned) == _release(bounds[name]), (
            f"{CONSTRAINTS.name} pins {name}=={pinned} but pyproject.toml says {name}>={bounds[name]}: make them "
            "the same version")


def _installed(python: Path) -> dict[str, str]:
    names = list(_pins())
    script = "import sys, importlib.metadata as m; print(*(m.version(n) for n in sys.argv[1:]))"
    found = subprocess.run([python, "-c", script, *names], capture_output=True, text=True, check=True).stdout
    return dict(zip(names, found.split(), strict=True))


def test_the_lowest_supported_versions_run(tmp_path: Path) -> None:
    """Run from .venv: this file in .venv-lowest, and a two-form site built there with its PDFs and bundle.
    Run in .venv-lowest (by the former): that it has the pinned versions, so it proves the lowest ones."""
    if IN_LOWEST:
        assert _installed(Path(sys.executable)) == _pins(), f"{LOWEST.name} is stale: run {MAKE_LOWEST}"
        return
    python = LOWEST / "bin" / "python"
    assert python.exists(), f"{LOWEST.name} is missing: run {MAKE_LOWEST} (make test does)"
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_pdf_contract.py"],
                         cwd=ROOT, capture_output=True, text=True, env=environment, check=False)
    assert run.returncode == 0, f"the contract test fails with the lowest versions:\n{run.stdout[-4000:]}{run.stderr}"
    assert re.search(r"\b\d+ passed\b", run.stdout) and "skipped" not in run.stdout, run.stdout[-2000:]
    formgen = LOWEST / "bin" / "formgen"
    subprocess.run([formgen, "init", "site"], cwd=tmp_path, capture_output=True, check=True, env=environment)
    site = tmp_path / "site"
    example = next((site / "content").rglob("*.md"))
    second = example.read_text(encoding="utf-8").replace("办公设备购置项目（示例）", "会议室改造项目（示例）", 1)
    assert "会议室改造项目" in second, "the scaffold's example form changed its 项目名称: update this test"
    example.with_name("second-example.md").write_text(second, encoding="utf-8")
    built = subprocess.run([formgen, "build"], cwd=site, capture_output=True, text=True, env=environment, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Warning" not in built.stderr, built.stderr  # nothing a user did not ask for on their terminal
    pdfs = sorted(path.name for path in (site / "output" / "pdf").glob("*.pdf"))
    assert pdfs == ["example-office-equipment.pdf", "second-example.pdf"], pdfs
    bundle = PdfReader(next((site / "output" / "pdf" / "bundles").glob("*.pdf")))
    titles = [item.title for item in bundle.outline]
    for name in ("办公设备购置项目", "会议室改造项目"):
        assert any(name in title for title in titles), titles
    assert bundle.trailer["/Root"]["/Lang"] == "zh-CN"
