"""Per-row 得分 in the funding table: a `[[funds]]` row with its own `weight` (分值) scores 分值 × its own 执行率,
and the 年度资金总额 row's 得分 (the budget score of the total) is the sum of the rows'. The test site
tests/fixtures/profiles/rowscore gives 当年财政拨款 6, 上年结转资金 3 and 其他资金 1 of the 10 points; its form's
comment works every figure out by hand:
    当年财政拨款  72 ÷ 80  = 90.00 %   6 × 0.9     = 5.40
    上年结转资金  11 ÷ 12  = 91.67 %   3 × 11 ÷ 12 = 2.75
    其他资金       2 ÷ 8   = 25.00 %   1 × 0.25    = 0.25
    年度资金总额  85 ÷ 100 = 85.00 %   5.40 + 2.75 + 0.25 = 8.40, where 10 × 0.85 would be 8.50
    总分 8.40 + 78 (the indicators) = 86.40 → 良."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import ConfigError, load_config
from generator.findings import Level
from generator.pipeline import load_site

from .conftest import ROOT
from .fixturesites import FIXTURES, build_fixture, site_config
from .htmltools import sheet_text
from .pdftools import NO_PDF, pdf_text

SITE = FIXTURES / "rowscore"
FORM = SITE / "content" / "2024" / "training-funds.md"
PROFILE = SITE / "profiles" / "rowscore.toml"


def _entry(path: Path = FORM, root: Path = ROOT):
    site = load_site([path], site_config(SITE), root=root)
    [entry] = site.entries
    return entry


def _copy(tmp_path: Path, replace: dict[str, str], profile: str | None = None) -> Path:
    """The test site in tmp_path, its form (and profile) with `replace`d text."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    form = site / "content" / "2024" / FORM.name
    text = FORM.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    form.write_text(text, encoding="utf-8")
    if profile is not None:
        (site / "profiles" / PROFILE.name).write_text(profile, encoding="utf-8")
    return site


def test_each_row_scores_its_weight_times_its_own_rate_and_the_total_is_their_sum():
    entry = _entry()
    scored = entry.scored
    assert [f for f in entry.findings if f.level is not Level.WARNING] == []
    assert scored.fund_rates == {"total": Decimal("85.00"), "current": Decimal("90.00"),
                                 "carryover": Decimal("91.67"), "other": Decimal("25.00")}
    assert scored.fund_scores == {"current": Decimal("5.40"), "carryover": Decimal("2.75"), "other": Decimal("0.25")}
    # The total row's 得分 is the rows' sum, 8.40, not 10 × 85.00 % = 8.50; the 分值 is still budget_weight.
    assert (scored.budget_weight, scored.execution_rate, scored.budget_score) == (10, Decimal("85.00"),
                                                                                 Decimal("8.40"))
    assert (scored.total, scored.grade) == (Decimal("86.40"), "良")


def test_a_profile_without_row_weights_scores_the_total_row_as_before(tmp_path):
    """The same form under central (no row weights): 10 × 85 ÷ 100 = 8.50, and no row has a 得分."""
    site = _copy(tmp_path, {"year: 2024\n": "year: 2024\nprofile: central\n"})
    entry = _entry(site / "content" / "2024" / FORM.name, site)
    assert (entry.scored.budget_score, entry.scored.fund_scores, entry.scored.total) == \
        (Decimal("8.50"), {}, Decimal("86.50"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_fixture(SITE, tmp_path_factory)


def test_the_page_feed_and_csv_print_each_rows_weight_and_score(built):
    result, _ = built
    text = sheet_text((result.out / "forms" / "training-funds.html").read_text(encoding="utf-8"))
    # 资金来源, 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分: each row its own 分值, 执行率 and 得分.
    assert "年度资金总额100.00100.0085.001085.008.40" in text
    assert "其中：当年财政拨款80.0080.0072.00690.005.40" in text
    assert "上年结转资金12.0012.0011.00391.672.75" in text
    assert "其他资金8.008.002.00125.000.25" in text
    assert "总分10086.40" in text
    record = json.loads((result.out / "data" / "forms" / "training-funds.json").read_text(encoding="utf-8"))
    assert (record["budget_weight"], record["budget_score"], record["total"]) == ("10", "8.40", "86.40")
    assert {name: (row.get("weight"), row.get("score")) for name, row in record["funds"].items()} == \
        {"total": (None, None), "current": ("6", "5.40"), "carryover": ("3", "2.75"), "other": ("1", "0.25")}
    [row] = csv.DictReader(io.StringIO((result.out / "data" / "forms.csv").read_text(encoding="utf-8-sig")))
    assert (row["执行率"], row["预算执行得分"], row["总分"]) == ("85.00", "8.40", "86.40")


def test_the_pdf_prints_each_rows_weight_and_score(built):
    result, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    text = pdf_text(result.out / "pdf" / "training-funds.pdf")
    assert "其中：当年财政拨款80.0080.0072.00690.005.40" in text and "其他资金8.008.002.00125.000.25" in text


def test_the_rows_weights_must_add_up_to_the_budget_weight(tmp_path):
    """6 + 3 + 2 = 11 against budget_weight 10: an error naming the file, the line and the key."""
    profile = PROFILE.read_text(encoding="utf-8").replace("weight = 1\n", "weight = 2\n")
    site = _copy(tmp_path, {}, profile)
    with pytest.raises(ConfigError) as raised:
        load_config(site / "formgen.toml")
    line = next(number for number, text in enumerate(profile.splitlines(), start=1) if text == "weight = 6")
    assert [(Path(f.path).name, f.line, f.field, f.message, f.fix) for f in raised.value.findings] == [
        ("rowscore.toml", line, "funds.1.weight", "the rows' 分值 add up to 11, not budget_weight 10",
         "make the [[funds]] weights add up to 10, or change [scheme] budget_weight")]


def test_the_total_row_takes_no_weight(tmp_path):
    profile = PROFILE.read_text(encoding="utf-8").replace("depth = 0\n", "depth = 0\nweight = 10\n")
    site = _copy(tmp_path, {}, profile)
    with pytest.raises(ConfigError) as raised:
        load_config(site / "formgen.toml")
    assert [(f.field, f.message) for f in raised.value.findings] == [("funds.0.weight", "is set on the total row")]


def test_a_published_copys_printed_row_score_is_compared(tmp_path):
    """A published copy that prints 其他资金's 得分 as 0.3 keeps it, reports it, and shows formgen's 0.25 beside
    it; the same figure in a draft is an error. 当年财政拨款's printed 5.4 is formgen's 5.40: nothing to say."""
    stated = "stated:\n  funds:\n    other: {score: 0.3}\n    current: {score: 5.4}\n"
    site = _copy(tmp_path, {"contact: 李四\n": f"contact: 李四\n{stated}status: published\n"})
    form = site / "content" / "2024" / FORM.name
    entry = _entry(form, site)
    assert [(f.level, f.code, f.field, f.message) for f in entry.findings if f.level is not Level.WARNING] == [
        (Level.DISCREPANCY, "stated-differs", "stated.funds.other.score",
         "其他资金 得分 is stated as 0.3 but computes to 0.25")]
    result = build_site([site / "content"], load_config(site / "formgen.toml"), tmp_path / "out", pdf=False)
    html = (result.out / "forms" / "training-funds.html").read_text(encoding="utf-8")
    assert ('<td class="num">0.30<span class="computed" title="formgen 按规则计算为 0.25，表上填写为 0.30">'
            "计算值 0.25</span></td>") in html
    record = json.loads((result.out / "data" / "forms" / "training-funds.json").read_text(encoding="utf-8"))
    assert (record["funds"]["other"]["score"], record["stated"], record["computed"]) == \
        ("0.30", {"funds.other.score": "0.30"}, {"funds.other.score": "0.25"})
    form.write_text(form.read_text(encoding="utf-8").replace("status: published\n", ""), encoding="utf-8")
    assert [(f.level, f.field) for f in _entry(form, site).findings if f.level is not Level.WARNING] == \
        [(Level.ERROR, "stated.funds.other.score")]


def test_a_printed_score_of_a_row_without_weight_is_an_error(tmp_path):
    site = _copy(tmp_path, {"contact: 李四\n": "contact: 李四\nstated:\n  funds:\n    total: {score: 8.4}\n"
                                                "status: published\n"},
                 PROFILE.read_text(encoding="utf-8"))
    entry = _entry(site / "content" / "2024" / FORM.name, site)
    assert [(f.level, f.code, f.field, f.message) for f in entry.findings if f.level is not Level.WARNING] == [
        (Level.ERROR, "stated-unknown", "stated.funds.total.score",
         "the 年度资金总额 row's 得分 is written as stated.budget_score")]


def test_a_row_spent_beyond_its_budget_scores_at_most_its_weight(tmp_path):
    """cap_budget_score caps each row as it caps the total: 其他资金 spending 10 of 8 万元 (125.00 %, kept in a
    published copy) scores 1, not 1.25; the total row 5.40 + 2.75 + 1 = 9.15."""
    site = _copy(tmp_path, {"total:     {initial: 100, budget: 100, executed: 85}":
                            "total:     {initial: 100, budget: 100, executed: 93}",
                            "other:     {initial: 8, budget: 8, executed: 2}":
                            "other:     {initial: 8, budget: 8, executed: 10}",
                            "contact: 李四\n": "contact: 李四\nstatus: published\n"})
    scored = _entry(site / "content" / "2024" / FORM.name, site).scored
    assert (scored.fund_rates["other"], scored.fund_scores["other"]) == (Decimal("125.00"), 1)
    assert scored.budget_score == Decimal("9.15")
