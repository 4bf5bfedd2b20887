"""The stress site's PDFs as a reader sees them, measured with pdfplumber (character boxes, ruling lines).

Every character of a table is inside its cell's box (the cells come from the table's ruling lines) and no
two words overlap: a 12-digit amount fits its column. A page where the indicators go on repeats their
一级/二级 labels, marked 续; a short form is one page; the bundle's cover keeps its headers on one line
and the contents' dot leaders run to the page numbers. The PDFs import back to the same forms, and are
the same bytes when built again."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_site
from generator.config import load_config

from .conftest import ROOT
from .pdftools import NO_PDF, pdf_available
from .test_import import assert_same_forms, export, run

pdfplumber = pytest.importorskip("pdfplumber")
pytestmark = pytest.mark.skipif(not pdf_available(), reason=NO_PDF)

STRESS = ROOT / "tests" / "fixtures" / "stress"
LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
SLACK = 0.6
"""Points a character's box may pass its cell's ruling line by (the lines' own width, rounding)."""


@pytest.fixture(scope="module")
def stress_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stress site built with PDFs and bundles, as `formgen build` makes them: its pdf/ folder."""
    out = tmp_path_factory.mktemp("stress") / "site"
    build_site([STRESS / "content"], load_config(STRESS / "formgen.toml"), out, pdf=True)
    return out / "pdf"


def _all_pdfs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pdf")) + sorted((folder / "bundles").glob("*.pdf"))


def _overlap(a: dict[str, Any], b: tuple[float, float, float, float]) -> float:
    """The smaller of the horizontal and vertical overlaps of a box (x0, top, x1, bottom) with `b`."""
    return min(min(a["x1"], b[2]) - max(a["x0"], b[0]), min(a["bottom"], b[3]) - max(a["top"], b[1]))


def _inside(char: dict[str, Any], cell: tuple[float, float, float, float]) -> bool:
    return (char["x0"] >= cell[0] - SLACK and char["x1"] <= cell[2] + SLACK
            and char["top"] >= cell[1] - SLACK and char["bottom"] <= cell[3] + SLACK)


CAPTION = re.compile(r".+：(项目资金与年度总体目标|绩效指标|总分与自评结论|自评结论)")
"""A table's caption, for screen readers: drawn on one line clipped to a pixel (sheet.css), so no reader
sees it, and pdfplumber, which knows no clipping, gives its characters."""


def _visible_chars(page: Any) -> list[dict[str, Any]]:
    """The page's characters but white space and the tables' captions (each drawn as one run of
    characters on one line)."""
    runs: list[list[dict[str, Any]]] = []
    for char in page.chars:
        if runs and abs(runs[-1][-1]["top"] - char["top"]) < 0.1 and char["x0"] >= runs[-1][-1]["x0"]:
            runs[-1].append(char)
        else:
            runs.append([char])
    return [char for run in runs if not CAPTION.fullmatch("".join(char["text"] for char in run))
            for char in run if char["text"].strip()]


def _escapes(page: Any) -> list[str]:
    """The characters of a page's tables that leave their cell (a cell they cross into, or out of a
    cell's box), each with the text around it."""
    cells = [cell for table in page.find_tables(LINES) for cell in table.cells]
    chars = _visible_chars(page)
    found = []
    for index, char in enumerate(chars):
        touched = [cell for cell in cells if _overlap(char, cell) > SLACK]
        if touched and not any(_inside(char, cell) for cell in touched):
            around = "".join(other["text"] for other in chars[max(0, index - 8):index + 8])
            found.append(f"page {page.page_number}: {char['text']!r} at x {char['x0']:.1f}–{char['x1']:.1f} "
                         f"in {around!r}")
    return found


def _overlapping(page: Any) -> list[str]:
    """Characters drawn over one another: two text runs overlapping (pdfplumber would join them into
    one word, 1,300,0001,300,000, so characters are compared, in a sweep from left to right)."""
    chars = sorted(_visible_chars(page), key=lambda char: char["x0"])
    found = []
    for index, char in enumerate(chars):
        for other in chars[index + 1:]:
            if other["x0"] >= char["x1"] - SLACK:
                break
            narrower = min(char["x1"] - char["x0"], other["x1"] - other["x0"])
            # more than a font's kerning tucks one under another ("v." in a URL)
            if _overlap(char, (other["x0"], other["top"], other["x1"], other["bottom"])) > max(SLACK, 0.4 * narrower):
                found.append(f"page {page.page_number}: {char['text']!r} and {other['text']!r} at x {other['x0']:.1f}, "
                             f"y {other['top']:.1f}")
    return found


def test_every_character_is_inside_its_cell(stress_pdfs):
    """Forms and bundles: no character crosses a ruling line of its cell (a 123,456,789,012.34 did, into
    the next amount; a date into the next column)."""
    escapes = []
    for path in _all_pdfs(stress_pdfs):
        with pdfplumber.open(path) as pdf:
            assert any(page.find_tables(LINES) for page in pdf.pages), path.name  # the measure sees the tables
            escapes += [f"{path.name} {escape}" for page in pdf.pages for escape in _escapes(page)]
    assert not escapes, "\n".join(escapes[:20])


def test_no_two_text_runs_overlap(stress_pdfs):
    overlaps = []
    for path in _all_pdfs(stress_pdfs):
        with pdfplumber.open(path) as pdf:
            overlaps += [f"{path.name} {overlap}" for page in pdf.pages for overlap in _overlapping(page)]
    assert not overlaps, "\n".join(overlaps[:20])


def test_the_big_amounts_are_printed_whole(stress_pdfs):
    with pdfplumber.open(stress_pdfs / "big-amounts.pdf") as pdf:
        words = [word["text"] for word in pdf.pages[0].extract_words()]
        assert len(pdf.pages) == 1
    assert words.count("123,456,789,012.34") == 6 and words.count("120,987,654,321.09") == 3


def _cell_text(page: Any, cell: tuple[float, float, float, float]) -> str:
    return re.sub(r"\s+", "", page.crop(cell).extract_text() or "")


def _first_row_labels(page: Any) -> tuple[str, str] | None:
    """The 一级指标 and 二级指标 cells of the first indicator row under the page's header row, or None
    for a page without the indicators' header."""
    cells = [cell for table in page.find_tables(LINES) for cell in table.cells]
    labels = []
    for header in ("一级指标", "二级指标"):
        heading = next((cell for cell in cells if _cell_text(page, cell) == header), None)
        if heading is None:
            return None
        below = [cell for cell in cells if abs(cell[1] - heading[3]) < 1 and abs(cell[0] - heading[0]) < 1]
        labels.append(_cell_text(page, below[0]) if below else "")  # none: no ruling line, a blank
    return labels[0], labels[1]


def test_a_continuation_page_names_the_groups_it_continues(stress_pdfs):
    """forty-rows.pdf: on every page after the first that holds indicators, the first row's 一级 and
    二级 cells carry their labels (they were blank under a rowspan split by the page break), marked 续
    where the group began on an earlier page."""
    with pdfplumber.open(stress_pdfs / "forty-rows.pdf") as pdf:
        firsts = [_first_row_labels(page) for page in pdf.pages[1:]]
    continued = [labels for labels in firsts if labels is not None]
    assert len(continued) >= 2, firsts
    for level1, level2 in continued:
        assert re.fullmatch(r"(产出|效益|满意度)指标(（续）)?", level1), (level1, level2)
        assert level2.endswith("指标（续）") or level2.endswith("指标"), (level1, level2)
    assert all(level1.endswith("（续）") for level1, _level2 in continued)  # each page begins inside a 一级 group


@pytest.mark.parametrize("name", ["seven-rows.pdf", "seven-rows-b.pdf", "big-amounts.pdf"])
def test_a_short_form_is_one_page(stress_pdfs, name):
    """Its 自评结论 is not pushed alone on to a second page: the form is laid out tighter to fit one."""
    with pdfplumber.open(stress_pdfs / name) as pdf:
        assert len(pdf.pages) == 1
        text = re.sub(r"\s+", "", pdf.pages[0].extract_text())
    assert "第1页共1页" in text and "联系人" in text


def test_the_bundle_cover_headers_are_on_one_line(stress_pdfs):
    for path in sorted((stress_pdfs / "bundles").glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            words = [word["text"] for word in pdf.pages[0].extract_words()]
        for header in ("序号", "项目名称", "全年预算数（元）", "执行率（%）", "总分", "等级"):
            assert header in words, (path.name, header, words)


def test_the_contents_leaders_reach_the_page_numbers(stress_pdfs):
    """Each entry of the contents: its title, dots, and the page number right after the last dot, at the
    right margin."""
    entries = 0
    for path in sorted((stress_pdfs / "bundles").glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[1]
            assert "目录" in re.sub(r"\s+", "", page.extract_text())
            lines: dict[int, list[dict[str, Any]]] = {}
            for char in page.chars:
                lines.setdefault(round(char["top"]), []).append(char)
            for chars in lines.values():
                chars.sort(key=lambda char: char["x0"])
                text = "".join(char["text"] for char in chars)
                found = re.search(r"\.+(\d+)$", text)
                if not found:
                    continue
                entries += 1
                last_dot = chars[found.start(1) - 1]
                number = chars[found.start(1)]
                assert 0 <= number["x0"] - last_dot["x1"] < 4, (path.name, text)
                assert abs(chars[-1]["x1"] - (page.width - 28.35)) < 3, (path.name, text)  # 10 mm margin
    assert entries == 5  # one form in each bundle


def test_the_stress_pdfs_import_back_to_their_forms(capsys, tmp_path, stress_pdfs, project_root):
    """formgen reads its own PDFs again: 12-digit amounts, 40 rows over five pages with continued labels,
    long texts (amounts of ten digits and more made import fail before)."""
    imported = tmp_path / "imported"
    code, out, _ = run(capsys, "import", *sorted(stress_pdfs.glob("*.pdf")), "--out", imported)
    assert code == 0, out
    assert "0 errors, 0 warnings — ok" in out
    config = tmp_path / "formgen.toml"
    shutil.copy(STRESS / "formgen.toml", config)
    shutil.copytree(imported, tmp_path / "content")
    expected = []
    for year in ("2023", "2024", "2025"):
        expected += export(capsys, STRESS / "content" / year)
    assert_same_forms(export(capsys, tmp_path / "content"), expected)


def test_the_stress_pdfs_are_the_same_bytes_when_built_again(tmp_path, stress_pdfs):
    """Fitting lays a form out again from what its first layout measures: the result is still a function
    of the form (forty-rows.pdf is laid out three times, big-amounts.pdf with its own widths and font)."""
    content = tmp_path / "content" / "2025"
    content.mkdir(parents=True)
    for name in ("forty-rows.md", "big-amounts.md"):
        shutil.copy(STRESS / "content" / "2025" / name, content / name)
    again = build_site([tmp_path / "content"], load_config(STRESS / "formgen.toml"), tmp_path / "out", pdf=True).out
    for name in ("forty-rows.pdf", "big-amounts.pdf"):
        assert (again / "pdf" / name).read_bytes() == (stress_pdfs / name).read_bytes(), name
