"""bench/targets.py's table: what the lead copies into docs/performance.md and the closing note must read
back as it was measured (the benchmark itself is not a test and is never run here)."""

from __future__ import annotations

import pytest

from bench.targets import Result, format_table, parse_table


def test_table_has_one_row_per_target_with_its_verdict() -> None:
    results = [Result("HTML, 1,000 forms: Pelican / formgen", "0.90 s vs Pelican 5.40 s", 6.0, "≥ 5", True),
               Result("bundles, 50 forms, 2 workers: added time", "+31%", 0.3125, "≤ +0.25", False),
               Result("HTML, 1,000 forms: time", "1.20 s", 1.2, "< 10 s", None)]
    table = format_table(results)
    lines = table.splitlines()
    assert lines[0] == "| target | measured | ratio | goal | PASS/MISS |"
    assert len(lines) == 2 + len(results)
    assert lines[2].endswith("| 6 | ≥ 5 | PASS |")
    assert lines[3].endswith("| 0.312 | ≤ +0.25 | MISS |")
    assert lines[4].endswith("| < 10 s | n/a |")  # a --quick size is shown, not judged


def test_table_reads_back_from_the_printed_output() -> None:
    results = [Result("no-change build, 100 forms / full build", "0.61 s of 16.20 s", 0.0377, "< 0.05", True),
               Result("a | in a name", "x", None, "< 1", None)]
    printed = "cores: 2\n\n" + format_table(results) + "\n\nPython 3.11; details follow\n- a line\n"
    rows = parse_table(printed)
    assert [row["target"] for row in rows] == ["no-change build, 100 forms / full build", "a | in a name"]
    assert rows[0] == {"target": "no-change build, 100 forms / full build", "measured": "0.61 s of 16.20 s",
                       "ratio": "0.0377", "goal": "< 0.05", "PASS/MISS": "PASS"}
    assert rows[1]["ratio"] == "—" and rows[1]["PASS/MISS"] == "n/a"


def test_reading_text_without_a_table_says_so() -> None:
    with pytest.raises(ValueError, match="no table"):
        parse_table("| tool | version |\n|---|---|\n")
