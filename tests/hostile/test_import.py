"""Hostile input to `formgen import` (issue 10): sources that would take the machine with them, links
that lead out of the site, characters a form file cannot hold, digits of other scripts, file names that
break lines. Every PDF here is built by the test itself: small on disk, quick to refuse."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.__main__ import main

from .conftest import Decoy, HostileSite

TITLE = "项目支出绩效目标自评表"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def source(folder: Path, text: str, name: str = "forms.txt") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- and a long form reads in linear time -------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "lines"), [
    ("一级指标 二级指标 三级指标 年度指标值(A) 实际完成值(B) 分值 得分\n产出指标 数量指标 道路 1 1 1 1", 10_000),
    ("预期目标 实际完成情况", 30_000),
], ids=["reason", "goal"])
def test_a_long_form_reads_in_seconds(capsys, site: HostileSite, decoy: Decoy, zone, lines):
    """A reason or goal of thousands of lines: each line used to be compared with all after it (minutes)."""
    text = f"{TITLE}\n项目名称 测试\n{zone}\n" + "某某某某某某\n" * lines
    started = time.monotonic()
    code, out, err = run(capsys, "import", source(site.root, text), "--out", "imported")
    assert code == 1 and not err and "1 form imported" in out
    assert time.monotonic() - started < 8
