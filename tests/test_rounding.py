"""Rounding per profile: scores and rates printed with the scheme's ``score_decimals`` and ``rate_decimals``
(two, one or none) on every page, PDF, feed, CSV and message; the 河北 profile, whose published form prints
whole numbers, reproduced figure by figure; and money in 万元 printed with three decimals as 安徽 prints it."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.__main__ import main
from generator.config import ConfigError, load_config
from generator.findings import Level
from generator.formatting import Places, rate, score
from generator.pipeline import load_site
from generator.profile import shipped_profiles
from generator.scoring import Method

from .conftest import ROOT
from .fixturesites import FIXTURES, PUBLISHED, build_fixture, published, site_config
from .htmltools import sheet_text
from .pdftools import NO_PDF, pdf_text

HEBEI = FIXTURES / "hebei"
HEBEI_FORM = HEBEI / "content" / "2019" / "hvac-renovation.md"
REFERENCE_FORM = FIXTURES / "reference" / "content" / "2024" / "court-archives.md"

HEBEI_SOURCE = PUBLISHED / "hebei-2019-hvac-renovation.yaml"


def _transcribed_rows() -> list[list[str]]:
    """The published table's 26 indicator rows as transcribed, 17 of them empty template rows."""
    rows: list[list[str]] = published(HEBEI_SOURCE)["form"]["indicators"]
    return rows


# The published 河北 form (tests/fixtures/published/hebei-2019-hvac-renovation.yaml), row by row as printed:
# (三级指标, 分值, 得分). 10 × 37.24 ÷ 43.2 = 8.62 prints as 9; every other row is met.
HEBEI_ROWS = [("指标1工程资金金额", 10, 9), ("指标1工程完工率", 10, 10), ("指标2工程验收合格率", 10, 10),
              ("指标1项目完成及时率", 10, 10), ("指标1成本控制率", 10, 10), ("指标1安全率", 10, 10),
              ("指标1学校发展能力", 10, 10), ("指标1长期使用性", 10, 10), ("指标1学生满意度", 10, 10)]


# --- the formatter ----------------------------------------------------------------------------------

def test_one_formatter_prints_with_the_schemes_places():
    assert [score(Decimal("7.09")), score(Decimal("97.1")), score(Decimal(10))] == ["7.09", "97.10", "10"]
    assert [score(Decimal("7.1"), 1), score(Decimal(9), 0), score(Decimal("98"), 1)] == ["7.1", "9", "98"]
    assert [rate(Decimal("70.93")), rate(Decimal("70.9"), 1), rate(Decimal(86), 0)] == ["70.93", "70.9", "86"]
    places = shipped_profiles()["hebei"].scheme.places
    assert places == Places(score=0, rate=0)
    assert (places.show_rate(Decimal(86)), places.show_score(Decimal(9))) == ("86", "9")


# --- 河北: the published form, figure by figure --------------------------------------------------------

def test_hebei_extends_central_with_whole_number_scores_and_rates():
    hebei, central = shipped_profiles()["hebei"], shipped_profiles()["central"]
    assert (hebei.extends, hebei.source.title) == ("central", "河北")
    assert (hebei.scheme.score_decimals, hebei.scheme.rate_decimals) == (0, 0)
    assert (central.scheme.score_decimals, central.scheme.rate_decimals) == (2, 2)
    # Everything else is the central template's: 万元, its labels, its funding rows, the national weights.
    assert hebei.money == central.money and hebei.labels == central.labels and hebei.funds == central.funds
    assert hebei.scheme.level1 == central.scheme.level1 and hebei.scheme.budget_weight == 10


def test_hebei_form_reproduces_every_printed_figure_by_integer_rounding():
    site = load_site([HEBEI_FORM], site_config(HEBEI), root=ROOT)
    # The only findings: the printed targets are bare numbers (43.2, 100), as on the published form. No
    # discrepancy: with whole-number rounding formgen computes what the unit printed.
    assert {(f.code, f.level) for f in site.findings} == {("target-incomplete", Level.WARNING)}
    [entry] = site.forms
    scored = entry.scored
    assert entry.profile is not None and entry.profile.name == "hebei"
    # 执行率 37.24 ÷ 43.2 = 86.2037…% → 86; 预算执行得分 10 × 0.862037… = 8.62… → 9.
    assert (scored.execution_rate, scored.budget_score) == (Decimal(86), Decimal(9))
    # The 17 empty template rows (指标2, ……) stand in their printed places and are never scored.
    filled = [r for r in scored.indicators if r.method is not Method.PLACEHOLDER]
    assert [(r.indicator.name, r.indicator.weight, r.score) for r in filled] == HEBEI_ROWS
    assert [r.indicator.name for r in scored.indicators] == [row[2] for row in _transcribed_rows()]
    assert [(r.indicator.weight, r.score) for r in scored.indicators if r not in filled] == [(None, 0)] * 17
    first = scored.indicators[0]
    assert first.score == 9  # 10 × 37.24 ÷ 43.2 = 8.62…, rounded once to a whole point
    # The copy ends before the 总分: formgen's is the sum of the printed parts, 9 + 49 + 30 + 10.
    assert scored.subtotals == {"产出指标": 49, "效益指标": 30, "满意度指标": 10}
    assert (scored.total, scored.grade) == (Decimal(98), "优")


def test_hebei_figures_are_discrepancies_when_scored_with_two_decimals(tmp_path):
    """The same copy scored by the central profile (two decimals): exactly the two discrepancies the
    published fixture lists, 86 against 86.20 and 9 against 8.62 (budget and 指标1工程资金金额)."""
    path = tmp_path / HEBEI_FORM.name
    # central keeps no empty template rows: the copy's 17 are left out (they carry no figure).
    text = "".join(line for line in HEBEI_FORM.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not (line.startswith("  - {level1:") and "weight:" not in line))
    path.write_text(text.replace("year: 2019\n", "year: 2019\nprofile: central\n"), encoding="utf-8")
    found = [(f.field, f.message) for f in load_site([path], site_config(HEBEI), root=tmp_path).findings
             if f.level is Level.DISCREPANCY]
    assert found == [
        ("indicators[1].score", "得分 9 differs from the computed 8.62 (年度指标值 43.2, 实际完成值 37.24, 分值 10)"),
        ("stated.execution_rate", "执行率 is stated as 86 but computes to 86.20"),
        ("stated.budget_score", "预算执行得分 is stated as 9 but computes to 8.62")]


@pytest.fixture(scope="module")
def hebei_site(tmp_path_factory):
    return build_fixture(HEBEI, tmp_path_factory)


def test_hebei_page_feed_and_csv_print_whole_numbers(hebei_site):
    result, _ = hebei_site
    html = (result.out / "forms" / "hvac-renovation.html").read_text(encoding="utf-8")
    # 年度资金总额: 43.20 / 43.20 / 37.24 万元, 分值 10, 执行率 86, 得分 9 — not 86.20 and 8.62.
    assert '<td class="num">43.20</td><td class="num">43.20</td><td class="num">37.24</td>' \
           '<td class="num">10</td><td class="num">86</td><td class="num">9</td></tr>' in html
    text = sheet_text(html)
    assert "指标1工程资金金额43.237.24109" in text and "指标1学生满意度10010010100" in text
    assert "总分10098" in text and "86.20" not in text and "8.62" not in text
    record = json.loads((result.out / "data" / "forms" / "hvac-renovation.json").read_text(encoding="utf-8"))
    assert (record["execution_rate"], record["budget_score"], record["total"]) == ("86", "9", "98")
    assert [row["score"] for row in record["indicators"] if row["method"] != "placeholder"] == \
        [str(points) for _, _, points in HEBEI_ROWS]
    # The published 26 rows in their order, the 17 empty ones printed with empty cells and null in the feed.
    assert [row["name"] for row in record["indicators"]] == [row[2] for row in _transcribed_rows()]
    assert [(row["weight"], row["score"]) for row in record["indicators"] if row["method"] == "placeholder"] == \
        [(None, None)] * 17
    assert "指标1工程资金金额43.237.24109（概述）已完工但尾款未付、最高限价低于预算；拟提高预算准确度指标2……质量指标" \
        in text
    assert "生态效益指标指标1指标2……可持续影响指标指标1长期使用性1001001010指标2……满意度指标(10分)" in text
    assert "指标1学生满意度10010010100指标2" in text
    assert record["subtotals"] == {"产出指标": "49", "效益指标": "30", "满意度指标": "10"}
    assert record["funds"]["total"] == {"initial": "432000", "budget": "432000", "executed": "372400"}  # 元
    [row] = csv.DictReader(io.StringIO((result.out / "data" / "forms.csv").read_text(encoding="utf-8-sig")))
    assert (row["执行率"], row["预算执行得分"], row["总分"], row["等级"]) == ("86", "9", "98", "优")
    index = (result.out / "index.html").read_text(encoding="utf-8")
    assert 'data-value="86">86</td>' in index and 'data-value="98">98</td>' in index


def test_hebei_pdf_prints_whole_numbers(hebei_site):
    result, pdf = hebei_site
    if not pdf:
        pytest.skip(NO_PDF)
    pdf_file = result.out / "pdf" / "hvac-renovation.pdf"
    text = pdf_text(pdf_file)
    assert "年度资金总额43.2043.2037.2410869" in text and "总分10098" in text and "8.62" not in text
    assert "总分98" in PdfReader(pdf_file).metadata.subject


# --- one decimal, and no decimals, set in formgen.toml ----------------------------------------------------

def _reference_site(root: Path, scheme: str, body: str | None = None) -> Path:
    (root / "content" / "2024").mkdir(parents=True)
    text = REFERENCE_FORM.read_text(encoding="utf-8")
    if body is not None:
        text = text.replace("自评等级为“中”", body)
    (root / "content" / "2024" / REFERENCE_FORM.name).write_text(text, encoding="utf-8")
    (root / "formgen.toml").write_text(f"[scheme]\n{scheme}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(("scheme", "figures"), [
    # 75,000 ÷ 100,000; 10 × 0.75 = 7.5; 40 + 20 + 10 × 85 ÷ 90 (9.444…)
    ("", ("75.00", "7.50", "9.44", "76.94")),
    ("score_decimals = 1\nrate_decimals = 1", ("75.0", "7.5", "9.4", "76.9")),
    # 7.5 → 8 (half up) and 9.444… → 9: the total is the printed parts' 40 + 20 + 9 + 8, never re-rounded.
    ("score_decimals = 0\nrate_decimals = 0", ("75", "8", "9", "77")),
])
def test_the_sites_scheme_sets_the_places_of_every_printed_figure(tmp_path, capsys, monkeypatch, scheme, figures):
    rate_text, budget_text, row_text, total_text = figures
    root = _reference_site(tmp_path, scheme, body="自评等级为“优”")
    monkeypatch.chdir(root)
    assert main(["check"]) == 0
    # The conclusion names 优: the warning names the total as the form prints it.
    assert f"the conclusion names the grade “优” but the total {total_text} gives “中”" in capsys.readouterr().out
    assert main(["build", "--no-pdf"]) == 0
    html = (root / "output" / "forms" / "court-archives.html").read_text(encoding="utf-8")
    assert f'<td class="num">{rate_text}</td><td class="num" colspan="2">{budget_text}</td></tr>' in html
    assert f'<td class="num">{row_text}</td>' in html and f'<td class="num">100</td><td class="num">{total_text}</td>' \
        in html
    record = json.loads((root / "output" / "data" / "forms" / "court-archives.json").read_text(encoding="utf-8"))
    assert (record["execution_rate"], record["budget_score"], record["indicators"][2]["score"], record["total"]) \
        == figures
    index = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert f">{rate_text}</td>" in index and f">{total_text}</td>" in index
    assert f"<dd>{rate_text}%</dd>" in index  # the summary's overall rate, by the site's scheme


def test_decimals_other_than_0_1_2_are_refused_with_file_line_and_key(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text('extends = "central"\n\n[scheme]\nrate_decimals = 3\n',
                                                     encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "mine"\n\n[scheme]\nscore_decimals = "整数"\n',
                                           encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "formgen.toml")
    assert [(Path(f.path).name, f.line, f.field, f.message) for f in raised.value.findings] == [
        ("mine.toml", 4, "scheme.rate_decimals", "must be one of 0, 1, 2"),
        ("formgen.toml", 5, "scheme.score_decimals", "must be one of 0, 1, 2")]


# --- 万元 with three decimals (安徽) ----------------------------------------------------------------------

ANHUI_PROFILE = '''extends = "central"
title = "安徽"

[money]
shown_decimals = 3               # 89.974 万元, as the published form prints it
always_show_decimals = false     # 90, not 90.000
'''


def test_money_in_wan_yuan_with_three_decimals_end_to_end(tmp_path, capsys, monkeypatch):
    """安徽 prints 89.974 万元 (tests/fixtures/published/anhui-2022-commissioned-services.yaml): a site profile
    with shown_decimals = 3 prints it so on the page and in messages, and the feed has it in 元."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "anhui.toml").write_text(ANHUI_PROFILE, encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "anhui"\n', encoding="utf-8")
    (tmp_path / "content" / "2024").mkdir(parents=True)
    central_form = FIXTURES / "central-sample" / "content" / "2024" / "training-program.md"
    text = central_form.read_text(encoding="utf-8")
    for old, new in [("total:     {initial: 120, budget: 120, executed: 108.5437}",
                      "total:     {initial: 110, budget: 109.974, executed: 108.5437}"),
                     ("current:   {initial: 100, budget: 100, executed: 90.5437}",
                      "current:   {initial: 90, budget: 89.974, executed: 89.5437}"),
                     ("carryover: {initial: 20, budget: 20, executed: 18}",
                      "carryover: {initial: 20, budget: 20, executed: 19}")]:
        assert old in text
        text = text.replace(old, new)
    form = tmp_path / "content" / "2024" / "training-program.md"
    form.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-pdf"]) == 0, capsys.readouterr()
    page = sheet_text((tmp_path / "output" / "forms" / "training-program.html").read_text(encoding="utf-8"))
    # 万元 printed with three decimals where it has them, none where it has none; 108.5437 rounds half up.
    assert "项目资金（万元）" in page and "年度资金总额110109.974108.544" in page
    assert "其中：当年财政拨款9089.97489.544" in page
    record = json.loads((tmp_path / "output" / "data" / "forms" / "training-program.json").read_text(encoding="utf-8"))
    assert record["funds"]["current"] == {"initial": "900000", "budget": "899740", "executed": "895437"}
    # 108.5437 ÷ 109.974 = 98.699…%, from the amounts as entered, not as printed.
    assert record["execution_rate"] == "98.70"
    # A message names the amounts as entered, in 万元: the rows no longer add up to 109.974.
    form.write_text(text.replace("budget: 89.974,", "budget: 89.975,"), encoding="utf-8")
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "全年预算数 is 109.974万元, but 其中：当年财政拨款 + 上年结转资金 + 其他资金 = 109.975万元" in out


# --- a stated 得分 with more decimals than the scheme prints ---------------------------------------------

@pytest.mark.parametrize(("old", "new", "message"), [
    # A judged row: 8.5 would be printed 9, which is not the author's score.
    ("name: 指标1学生满意度, target: \"100\", actual: \"100\", weight: 10, score: 10",
     "name: 指标1学生满意度, target: 很好, actual: 达成预期指标, weight: 10, score: 8.5",
     "得分 8.5 has more decimals than the scheme's scores (score_decimals = 0): it would be printed as 9 "
     "— write score: 9, or another score with at most 0 decimals"),
    # A computed row: the figure formgen computes, unrounded, is named as what to write.
    ("weight: 10, score: 9,", "weight: 10, score: 8.62,",
     "得分 8.62 has more decimals than the scheme's scores (score_decimals = 0): it would be printed as 9 "
     "— write score: 9"),
])
def test_a_stated_score_with_more_decimals_than_the_scheme_is_an_error_in_a_draft(tmp_path, old, new, message):
    text = HEBEI_FORM.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / HEBEI_FORM.name
    path.write_text(text.replace(old, new).replace("status: published", "status: draft"), encoding="utf-8")
    found = [(f.code, f.level, f"{f.message} — {f.fix}") for f in load_site([path], site_config(HEBEI), root=tmp_path)
             .findings if f.code == "score-decimals"]
    assert found == [("score-decimals", Level.ERROR, message)]
    # In the published copy it is a discrepancy: kept as printed, with formgen's figure beside it.
    path.write_text(text.replace(old, new), encoding="utf-8")
    [kept] = [f for f in load_site([path], site_config(HEBEI), root=tmp_path).findings if f.code == "score-decimals"]
    assert kept.level is Level.DISCREPANCY
