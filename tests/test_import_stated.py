"""Import of a published form whose figures formgen computes otherwise (docs/format.md, `stated:`), and of
side labels that print their block's points (云南's 年度绩效目标(80分)).

The 安徽 fixture (tests/fixtures/profiles/anhui/content/2022/commissioned-services.md) prints its 年度资金总额
row 0 / 0 / 0 above a 本年财政拨款 row of 90 / 89.974 / 89.974 万元: its `funds.total` is the sum of the rows
and its `stated.funds.total` the printed zeros. An exported workbook or document prints 0 with formgen's
figure noted beside it (计算值 90); import must give back both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from openpyxl.comments import Comment

from generator.authoring import form_text
from generator.model import Form

from .test_roundtrip import import_back, office_trip

ANHUI_TOTAL = {"initial": "90", "budget": "89.974", "executed": "89.974"}
"""The fixture's funds.total, by hand: 90 / 89.974 / 89.974 万元, the sum of its one 本年财政拨款 row."""
ANHUI_PRINTED = {"initial": "0", "budget": "0", "executed": "0"}
"""The fixture's stated.funds.total: the 年度资金总额 row as published."""


def front_matter(path: Path) -> dict[str, Any]:
    """A form file's front matter as text, as formgen reads it (every scalar a string)."""
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)
    assert isinstance(data, dict)
    return data


def imported(trip_site: Path) -> dict[str, Any]:
    [path] = sorted((trip_site / "content" / "imported").glob("*.md"))
    return front_matter(path)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_printed_amount_with_formgen_s_figure_beside_it_is_read_as_stated(capsys, tmp_path, monkeypatch, fmt):
    trip = office_trip(capsys, "anhui", fmt, tmp_path)
    _, report = import_back(capsys, trip, monkeypatch)
    data = imported(trip.site)
    assert data["funds"]["total"] == ANHUI_TOTAL, report
    assert data["stated"]["funds"] == {"total": ANHUI_PRINTED}, report
    # The rows below the total print what formgen computes: nothing of theirs is stated.
    assert data["funds"]["current"] == ANHUI_TOTAL


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_workbook_note_starts_with_formgen_s_figure_in_every_language(capsys, tmp_path, monkeypatch, language):
    monkeypatch.setenv("FORMGEN_LANG", language)
    trip = office_trip(capsys, "anhui", "xlsx", tmp_path)
    sheet = openpyxl.load_workbook(trip.files[0]).active
    notes = {cell.coordinate: cell.comment.text for row in sheet.iter_rows() for cell in row if cell.comment}
    firsts = sorted(text.split("\n")[0] for text in notes.values())
    # 年初 90, 全年 89.974, 执行 89.974 of the 年度资金总额 row; its 执行率 100.00% and 得分 10 (stated 0).
    assert firsts == sorted(["计算值 90", "计算值 89.974", "计算值 89.974", "计算值 100.00", "计算值 10"]), notes
    explained = {text.split("\n", 1)[1] for text in notes.values()}
    assert all(("formgen's figure" in text) == (language == "en") for text in explained), explained


def test_a_clerk_s_own_note_on_an_amount_is_not_taken_for_formgen_s(capsys, tmp_path, monkeypatch):
    trip = office_trip(capsys, "anhui", "xlsx", tmp_path)
    book = openpyxl.load_workbook(trip.files[0])
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            if cell.comment is not None:
                cell.comment = Comment("请核对 90", "clerk")
    book.save(trip.files[0])
    _, report = import_back(capsys, trip, monkeypatch)
    data = imported(trip.site)
    assert data["funds"]["total"] == ANHUI_PRINTED, report  # the amounts as printed, nothing else known
    assert "funds" not in (data.get("stated") or {}), report


def test_the_form_writer_writes_stated_funds_by_row():
    text = form_text({"stated": {"funds": {"total": dict(ANHUI_PRINTED)}}}, model=Form)
    lines = text.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("  funds:")))
    assert lines[at + 1].split("#")[0].rstrip() == "    total:"
    assert lines[at + 1].split("#")[1].strip() == "年度资金总额"  # the row the key names, as the form prints it
    written = yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)
    assert written["stated"]["funds"] == {"total": ANHUI_PRINTED}


def test_a_form_without_stated_funds_writes_the_key_commented_out():
    lines = form_text({}, model=Form).splitlines()
    assert any(line.startswith("  # funds:") for line in lines)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_side_labels_that_print_their_points_are_read_as_labels(capsys, tmp_path, monkeypatch, fmt):
    """云南's 年度绩效目标(80分) and 预算执行情况（万元）(20分): neither is a figure out of its column nor text
    left unplaced."""
    trip = office_trip(capsys, "yunnan", fmt, tmp_path)
    _, report = import_back(capsys, trip, monkeypatch)
    assert "import-misaligned" not in report and "import-unplaced" not in report, report
    data = imported(trip.site)
    assert len(data["indicators"]) == 19, report
    assert data["indicators"][0]["level1"] == "产出指标", report
