"""Funding rows that print their own 执行率 and reason (``[layout] funds_row_rate``, a ``reason`` funding column,
``funds_blank``), and funding figures kept as printed (``stated.funds``): each row's rate is B ÷ A of that row,
rounded like the total's, a row without budget prints the profile's blank, a printed rate or amount that
differs is an error in a draft and a discrepancy in a published copy, and the page and the feed carry them.

The site is the central sample form (tests/fixtures/profiles/central-sample) under a profile of its own that extends
central with these keys; the figures below are worked out by hand from that form's funding rows:
当年财政拨款 90.5437 of 100 万元 (90.54), 上年结转资金 18 of 20 (90.00), 其他资金 0 of 0 (no rate), and the total
108.5437 of 120 (90.4530…, printed 90.45, 得分 10 × 0.904530… = 9.05)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.build import BuildFailed, build_site
from generator.config import load_config
from generator.findings import Level
from generator.pipeline import load_site

from .fixturesites import FIXTURES
from .htmltools import sheet_text

CENTRAL_FORM = FIXTURES / "central-sample" / "content" / "2024" / "training-program.md"

ROWS_PROFILE = """extends = "central"

[layout]
funds_columns = ["source", "initial", "budget", "executed", "weight", "rate", "score", "reason"]
funds_spans = [1, 1, 1, 1, 1, 1, 1, 1]
funds_row_rate = true
funds_blank = "—"
"""

CARRYOVER = "  carryover: {initial: 20, budget: 20, executed: 18}\n"


def _site(root: Path, profile: str = ROWS_PROFILE, form: str | None = None) -> Path:
    """A site whose profile ``rows`` extends central (by default with per-row 执行率 and a reason column), with
    the central fixture form, changed by `form` where given."""
    (root / "profiles").mkdir(parents=True)
    (root / "profiles" / "rows.toml").write_text(profile, encoding="utf-8")
    (root / "formgen.toml").write_text('[site]\nprofile = "rows"\n', encoding="utf-8")
    (root / "content" / "2024").mkdir(parents=True)
    path = root / "content" / "2024" / "training-program.md"
    if form is None:
        shutil.copy(CENTRAL_FORM, path)
    else:
        path.write_text(form, encoding="utf-8")
    return root


def _form(*, reason: str = "", stated: str = "", status: str = "") -> str:
    """The central fixture form with a reason on its 上年结转资金 row, `stated` lines and a status."""
    text = CENTRAL_FORM.read_text(encoding="utf-8")
    assert CARRYOVER in text and "\ncontact: 李四\n" in text
    if reason:
        text = text.replace(CARRYOVER, f"  carryover: {{initial: 20, budget: 20, executed: 18, reason: {reason}}}\n")
    extra = (f"stated:\n{stated}" if stated else "") + (f"status: {status}\n" if status else "")
    return text.replace("\ncontact: 李四\n", f"\ncontact: 李四\n{extra}")


def _findings(root: Path) -> list[tuple[str, str, Level, str]]:
    site = load_site([root / "content"], load_config(root / "formgen.toml"), root=root)
    return [(f.code, f.field, f.level, f.message) for f in site.findings
            if f.code in ("stated-differs", "stated-unknown", "funds-sum")]


# --- the page and the feed ---------------------------------------------------------------------------------

def test_each_funding_row_prints_its_own_rate_and_reason(tmp_path):
    site = _site(tmp_path, form=_form(reason="两期培训延至次年"))
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    html = (out / "forms" / "training-program.html").read_text(encoding="utf-8")
    text = sheet_text(html)
    # 资金来源, 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分, 执行率偏差原因 — the reason column's header.
    assert "资金来源年初预算数全年预算数全年执行数分值执行率得分执行率偏差原因" in text
    # The total row: its 分值, rate and score, and the form's execution_reason in the reason cell.
    assert "年度资金总额120.00120.00108.541090.459.05部分培训班次因场地调整延至次年举办。" in text
    # Each row below: its own rate, the blank under 分值 and 得分, its own reason.
    assert "其中：当年财政拨款100.00100.0090.54—90.54—" in text
    assert "上年结转资金20.0020.0018.00—90.00—两期培训延至次年" in text
    assert "其他资金0.000.000.00———" in text  # no budget: no rate
    # The reason is in its cell, not repeated as a note under the table.
    assert html.count("部分培训班次因场地调整延至次年举办。") == 1
    record = json.loads((out / "data" / "forms" / "training-program.json").read_text(encoding="utf-8"))
    funds = record["funds"]
    assert funds["total"] == {"initial": "1200000", "budget": "1200000", "executed": "1085437", "rate": "90.45"}
    assert funds["current"] == {"initial": "1000000", "budget": "1000000", "executed": "905437", "reason": "",
                                "rate": "90.54"}
    assert funds["carryover"]["reason"] == "两期培训延至次年" and funds["carryover"]["rate"] == "90.00"
    assert funds["other"]["rate"] is None


def test_a_profile_without_row_rates_prints_the_blank_and_keeps_its_feed(tmp_path):
    """central itself: the rows below the total print "-" under 分值, 执行率 and 得分, and no row has a rate or
    reason in the feed, as before."""
    site = _site(tmp_path, profile='extends = "central"\n')
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    text = sheet_text((out / "forms" / "training-program.html").read_text(encoding="utf-8"))
    assert "其中：当年财政拨款100.00100.0090.54---" in text
    record = json.loads((out / "data" / "forms" / "training-program.json").read_text(encoding="utf-8"))
    assert record["funds"]["current"] == {"initial": "1000000", "budget": "1000000", "executed": "905437"}


# --- stated figures: errors in a draft, discrepancies in a published copy -------------------------------

STATED_ROWS = ("  funds:\n    current: {rate: 90.55}\n    carryover: {rate: 90}\n"
               "    other: {rate: 0}\n    total: {budget: 0}\n")


def test_a_draft_with_printed_funding_figures_that_differ_does_not_build(tmp_path):
    site = _site(tmp_path, form=_form(stated=STATED_ROWS))
    assert _findings(site) == [
        ("stated-differs", "stated.funds.current.rate", Level.ERROR,
         "其中：当年财政拨款 执行率 is stated as 90.55 but computes to 90.54"),
        ("stated-differs", "stated.funds.other.rate", Level.ERROR,
         "其他资金 执行率 is stated as 0 but its 全年预算数 is 0: it has none"),
        ("stated-differs", "stated.funds.total.budget", Level.ERROR,
         "年度资金总额 全年预算数 is stated as 0万元 but funds.total.budget is 120万元")]
    with pytest.raises(BuildFailed):
        build_site([site / "content"], load_config(site / "formgen.toml"), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_published_copy_prints_its_funding_figures_with_formgens_beside_them(tmp_path):
    site = _site(tmp_path, form=_form(stated=STATED_ROWS, status="published"))
    assert [(code, field, level) for code, field, level, _ in _findings(site)] == [
        ("stated-differs", "stated.funds.current.rate", Level.DISCREPANCY),
        ("stated-differs", "stated.funds.other.rate", Level.DISCREPANCY),
        ("stated-differs", "stated.funds.total.budget", Level.DISCREPANCY)]
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    text = sheet_text((out / "forms" / "training-program.html").read_text(encoding="utf-8"))
    # Printed figures first (in central's format, 0.00), formgen's beside them; the 90 printed for 上年结转资金
    # agrees with its 90.00.
    assert "年度资金总额120.000.00计算值120.00108.54" in text
    assert "其中：当年财政拨款100.00100.0090.54—90.55计算值90.54—" in text
    assert "上年结转资金20.0020.0018.00—90.00—" in text
    assert "其他资金0.000.000.00—0.00计算值——" in text
    record = json.loads((out / "data" / "forms" / "training-program.json").read_text(encoding="utf-8"))
    assert record["funds"]["total"]["budget"] == "0" and record["funds"]["current"]["rate"] == "90.55"
    assert (record["stated"]["funds.current.rate"], record["computed"]["funds.current.rate"]) == ("90.55", "90.54")
    assert (record["stated"]["funds.total.budget"], record["computed"]["funds.total.budget"]) == ("0.00", "120.00")
    assert record["computed"]["funds.other.rate"] == "—"


def test_stated_funding_entries_the_table_does_not_have_are_errors_even_when_published(tmp_path):
    stated = "  funds:\n    fiscal: {budget: 1}\n    total: {rate: 90.45}\n"
    site = _site(tmp_path, profile='extends = "central"\n', form=_form(stated=stated, status="published"))
    assert _findings(site) == [
        ("stated-unknown", "stated.funds.fiscal", Level.ERROR,
         "“fiscal” is not a row of the 项目资金 table"),
        ("stated-unknown", "stated.funds.total.rate", Level.ERROR,
         "the 年度资金总额 row's 执行率 is written as stated.execution_rate")]
    stated = "  funds:\n    current: {rate: 90.54}\n"
    other = _site(tmp_path / "b", profile='extends = "central"\n', form=_form(stated=stated))
    assert _findings(other) == [("stated-unknown", "stated.funds.current.rate", Level.ERROR,
                                 "the 其中：当年财政拨款 row prints no 执行率 in this profile")]


def test_a_row_without_budget_may_print_a_rate_of_zero(tmp_path):
    """``funds_rate_without_budget = "zero"``: 其他资金, 0 of 0, prints 0.00 as tables that compute B ÷ A as 0
    there do; a printed 0 then agrees."""
    profile = ROWS_PROFILE + 'funds_rate_without_budget = "zero"\n'
    site = _site(tmp_path, profile=profile, form=_form(stated="  funds:\n    other: {rate: 0}\n"))
    assert _findings(site) == []
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    text = sheet_text((out / "forms" / "training-program.html").read_text(encoding="utf-8"))
    assert "其他资金0.000.000.00—0.00—" in text
    record = json.loads((out / "data" / "forms" / "training-program.json").read_text(encoding="utf-8"))
    assert record["funds"]["other"]["rate"] == "0.00"


@pytest.mark.parametrize("key", ["funds_row_rate", "funds_blank", "funds_rate_without_budget"])
def test_the_new_layout_keys_keep_the_reference_sheet(key):
    """The reference prints no row rate and "-" in empty funding cells: its site is unchanged (the reference
    bytes test holds every page to its recorded digest)."""
    from generator.profile import shipped_profiles

    reference = shipped_profiles()["reference"].layout
    assert getattr(reference, key) == {"funds_row_rate": False, "funds_blank": "-",
                                       "funds_rate_without_budget": "blank"}[key]
