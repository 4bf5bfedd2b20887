"""Provincial profiles backed by real published forms: 安徽 (万元 with three decimals, 本年财政拨款) and 上海 (the
central template in 元). Each profile's fixture is the copy of one published form
(tests/fixtures/published/*.yaml); it is reproduced figure by figure — 执行率, 预算执行得分, every visible
row's 得分, the 总分 where one was printed — its known discrepancies are reported, each with its figures,
and it builds as a page and a PDF that print the published figures with formgen's beside them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from generator.build import BuildResult
from generator.config import SiteConfig
from generator.findings import Level
from generator.pipeline import load_site
from generator.profile import shipped_profiles
from generator.scoring import Method

from .conftest import ROOT
from .fixturesites import FIXTURES, PUBLISHED, build_fixture, computed, printed_rows, published, site_config
from .htmltools import level_label, sheet_text
from .pdftools import NO_PDF, pdf_text

ANHUI = FIXTURES / "anhui"
ANHUI_FORM = ANHUI / "content" / "2022" / "commissioned-services.md"
ANHUI_SOURCE = PUBLISHED / "anhui-2022-commissioned-services.yaml"
SHANGHAI = FIXTURES / "shanghai"
SHANGHAI_FORM = SHANGHAI / "content" / "2022" / "sports-settlement.md"
SHANGHAI_SOURCE = PUBLISHED / "shanghai-2022-putuo-sports-settlement.yaml"


def _discrepancies(path: Path, config: SiteConfig) -> list[tuple[str, str, str]]:
    site = load_site([path], config, root=ROOT)
    return [(f.code, f.field, f.message) for f in site.findings if f.level is Level.DISCREPANCY]


# --- the profiles: what each writes over central ---------------------------------------------------------

def test_anhui_extends_central_with_three_decimals_of_wan_yuan_and_its_own_funding_row():
    anhui, central = shipped_profiles()["anhui"], shipped_profiles()["central"]
    assert (anhui.extends, anhui.source.title) == ("central", "安徽")
    assert anhui.source.url == published(ANHUI_SOURCE)["source"]["url"]
    assert anhui.source.date is None  # the page shows no date, so none is claimed
    assert (anhui.money.unit, anhui.money.shown_decimals, anhui.money.always_show_decimals) == ("万元", 3, False)
    assert [line.label for line in anhui.funds] == ["年度资金总额", "其中：本年财政拨款", "上年结转资金", "其他资金"]
    assert [line.key for line in anhui.funds] == [line.key for line in central.funds]  # forms write the same keys
    assert (anhui.fields.filled_on, anhui.fields.contact) == ("optional", "optional")
    # The rest is central's: its labels (偏差原因分析及改进措施), columns and the national scheme; its layout
    # keeps the empty template row the published table prints (placeholder_rows), central's does not.
    assert (anhui.layout.placeholder_rows, central.layout.placeholder_rows) == (True, False)
    assert anhui.labels == central.labels and anhui.scheme == central.scheme
    assert anhui.layout == central.layout.model_copy(update={"placeholder_rows": True})


def test_shanghai_extends_central_in_yuan_with_its_title():
    shanghai, central = shipped_profiles()["shanghai"], shipped_profiles()["central"]
    assert (shanghai.extends, shanghai.source.title) == ("central", "上海")
    assert shanghai.source.url == published(SHANGHAI_SOURCE)["source"]["url"]
    assert shanghai.source.date is None
    assert (shanghai.money.unit, shanghai.money.decimals, shanghai.money.shown_decimals) == ("元", 2, 2)
    assert shanghai.labels.form_title == published(SHANGHAI_SOURCE)["source"]["form_title"] == "财政项目支出绩效自评表"
    assert (shanghai.fields.filled_on, shanghai.fields.contact) == ("optional", "optional")
    assert shanghai.funds == central.funds
    # Its layout is central's but for the 一级指标 cells, which print no points.
    assert shanghai.layout == central.layout.model_copy(update={"level1_points": False})
    assert shanghai.scheme == central.scheme and shanghai.labels.reason == "偏差原因分析及改进措施"


# --- 安徽: the published form, figure by figure ----------------------------------------------------------

def test_anhui_copy_keeps_the_printed_zero_rate_and_score_and_every_row():
    site = load_site([ANHUI_FORM], site_config(ANHUI), root=ROOT)
    [entry] = site.forms
    scored = entry.scored
    assert entry.profile is not None and entry.profile.name == "anhui"
    # The published 年度资金总额 row prints 执行率 0 and 得分 0: kept as printed. formgen computes them from
    # 89.974 of 89.974 万元: 100.00 and 10.
    stated = scored.form.stated
    assert (scored.form.status, stated.execution_rate, stated.budget_score) == ("published", 0, 0)
    assert (scored.execution_rate, scored.budget_score) == (100, 10)
    # Its printed 0 / 0 / 0 are kept too, above the figures formgen sums from its rows.
    printed_total = stated.funds["total"]
    assert (printed_total.initial, printed_total.budget, printed_total.executed) == (0, 0, 0)
    assert scored.form.funds.total == scored.form.funds.current
    assert (scored.form.funds.total.initial, scored.form.funds.total.budget) == (90, Decimal("89.974"))
    # Every filled row as printed; the empty 经济效益指标 row after 可持续影响指标 is kept last, never scored.
    filled = [r for r in scored.indicators if r.method is not Method.PLACEHOLDER]
    assert [(r.indicator.name, r.indicator.weight, r.score) for r in filled] == printed_rows(ANHUI_SOURCE, 5, 6)
    assert [r.score for r in filled] == [8, 8, 8, 8, 8, 10, 10, 10, 10]
    assert [(r.indicator.level1, r.indicator.level2, r.indicator.name, r.indicator.weight) for r in scored.indicators
            if r not in filled] == [("效益指标", "经济效益指标", "", None)]
    assert scored.indicators[-1] not in filled
    # The visible rows make 产出指标 50 and 效益指标 30, the weights printed in their cells.
    assert scored.subtotals == {"产出指标": 50, "效益指标": 30}


def test_anhui_reports_exactly_the_published_forms_discrepancies():
    """The total row prints 0 / 0 / 0 where its one funding row holds 90 / 89.974 / 89.974 万元, and 执行率 0 and
    得分 0 where 89.974 of 89.974 万元 gives 100.00 and 10; the copy ends before the 满意度指标 cells, which is a
    warning, not a discrepancy. Three actuals are printed without a unit (50, 100, 90 against ≥50个, ≥100百分比,
    ≤90万元): read in the target's unit, as in a draft, with a warning each. Its 全年预算数 was cut from the
    年初预算数 90 to exactly the 89.974 spent, so that the 执行率 shows 100%: a warning too (budget-cut-to-spending)."""
    assert _discrepancies(ANHUI_FORM, site_config(ANHUI)) == [
        ("stated-differs", "stated.funds.total.budget",
         "年度资金总额 全年预算数 is stated as 0万元 but funds.total.budget is 89.974万元"),
        ("stated-differs", "stated.funds.total.executed",
         "年度资金总额 全年执行数 is stated as 0万元 but funds.total.executed is 89.974万元"),
        ("stated-differs", "stated.funds.total.initial",
         "年度资金总额 年初预算数 is stated as 0万元 but funds.total.initial is 90万元"),
        ("stated-differs", "stated.execution_rate", "执行率 is stated as 0 but computes to 100.00"),
        ("stated-differs", "stated.budget_score", "预算执行得分 is stated as 0 but computes to 10")]
    site = load_site([ANHUI_FORM], site_config(ANHUI), root=ROOT)
    assert [(f.code, f.field, f.level) for f in site.findings if f.level is not Level.DISCREPANCY] == [
        ("budget-cut-to-spending", "funds.total.budget", Level.WARNING),
        ("level1-missing", "indicators", Level.WARNING),
        *(("actual-unit-missing", f"indicators[{row}].actual", Level.WARNING) for row in (1, 2, 5))]


def test_anhui_total_row_as_printed_is_three_discrepancies_and_a_zero_budget_error(tmp_path):
    """Written as printed, 0 / 0 / 0, the 年度资金总额 row differs from 其中：本年财政拨款 in each column (a
    discrepancy with its figures), but a 全年预算数 of 0 leaves the 执行率 undefined, which the format
    refuses even in a published copy: that is why the fixture writes the total as the sum of its rows."""
    text = ANHUI_FORM.read_text(encoding="utf-8")
    old = "total:     {initial: 90, budget: 89.974, executed: 89.974}"
    assert old in text
    path = tmp_path / ANHUI_FORM.name
    path.write_text(text.replace(old, "total:     {initial: 0, budget: 0, executed: 0}"), encoding="utf-8")
    site = load_site([path], site_config(ANHUI), root=tmp_path)
    parts = "其中：本年财政拨款 + 上年结转资金 + 其他资金"
    sums = sorted((f.field, f.message) for f in site.findings if f.code == "funds-sum")
    assert sums == [("funds.total.budget", f"年度资金总额 全年预算数 is 0万元, but {parts} = 89.974万元"),
                    ("funds.total.executed", f"年度资金总额 全年执行数 is 0万元, but {parts} = 89.974万元"),
                    ("funds.total.initial", f"年度资金总额 年初预算数 is 0万元, but {parts} = 90万元")]
    assert {f.level for f in site.findings if f.code == "funds-sum"} == {Level.DISCREPANCY}
    assert [(f.code, f.level) for f in site.findings if f.level is Level.ERROR] == [("funds-no-budget", Level.ERROR)]


@pytest.mark.xfail(strict=True, reason="the 成本指标 check counts only actuals written with a money unit; the "
                   "published 项目总成本 prints a bare 90 against ≤90万元, which scoring reads in 万元")
def test_anhui_cost_row_of_90_against_89_974_spent_is_reported():
    """The published fixture's second discrepancy: 项目总成本 reports 90 (万元) met while 全年执行数 is 89.974."""
    site = load_site([ANHUI_FORM], site_config(ANHUI), root=ROOT)
    assert [(f.code, f.field) for f in site.findings if f.code == "cost-exceeds-executed"] == \
        [("cost-exceeds-executed", "indicators[5].actual")]


# --- 上海: the published form, figure by figure ----------------------------------------------------------

def test_shanghai_copy_reproduces_every_printed_figure():
    site = load_site([SHANGHAI_FORM], site_config(SHANGHAI), root=ROOT)
    [entry] = site.forms
    scored = entry.scored
    assert entry.profile is not None and entry.profile.name == "shanghai"
    # 执行率 86.19 as printed, where 215457.6 ÷ 250000 = 86.18%; 得分 8.62 = 10 × 0.8618304, as printed.
    stated = scored.form.stated
    assert (stated.execution_rate, stated.budget_score) == (Decimal("86.19"), Decimal("8.62"))
    assert (scored.execution_rate, scored.budget_score) == (Decimal("86.18"), Decimal("8.62"))
    assert [(r.indicator.name, r.indicator.weight, r.score) for r in scored.indicators] == \
        printed_rows(SHANGHAI_SOURCE, 5, 6)
    assert scored.subtotals == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    # The 总分 row prints 98.62: 8.62 + 50 + 30 + 10, formgen's too.
    printed_total = Decimal(published(SHANGHAI_SOURCE)["form"]["footer"]["总分"])
    assert stated.total == printed_total == scored.total == Decimal("98.62") and scored.grade == "优"


def test_shanghai_reports_exactly_the_published_forms_discrepancy():
    assert _discrepancies(SHANGHAI_FORM, site_config(SHANGHAI)) == [
        ("stated-differs", "stated.execution_rate", "执行率 is stated as 86.19 but computes to 86.18")]
    # The printed reason column is empty: a 执行率 below 100 without a reason is a warning, as in a draft.
    site = load_site([SHANGHAI_FORM], site_config(SHANGHAI), root=ROOT)
    assert [(f.code, f.level) for f in site.findings if f.level is not Level.DISCREPANCY] == \
        [("execution-unexplained", Level.WARNING)]


# --- both build, as pages and PDFs -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[dict[str, BuildResult], bool]:
    sites, pdf = {}, False
    for site in (ANHUI, SHANGHAI):
        sites[site.name], pdf = build_fixture(site, tmp_path_factory)
    return sites, pdf


def test_anhui_page_prints_the_published_table(built):
    sites, _ = built
    out = sites["anhui"].out
    html = (out / "forms" / "commissioned-services.html").read_text(encoding="utf-8")
    # 万元 with three decimals where the amount has them (89.974), none where it has none (90).
    # The 年度资金总额 row as printed, 0 / 0 / 0 / 10 / 0 / 0, each figure with formgen's beside it.
    assert f'<td class="num">{computed("0", "90")}</td><td class="num">{computed("0", "89.974")}</td>' \
           f'<td class="num">{computed("0", "89.974")}</td><td class="num">10</td>' \
           f'<td class="num">{computed("0.00", "100.00")}</td><td class="num">{computed("0", "10")}</td></tr>' \
        in html
    assert level_label("产出指标", 50) in html and level_label("效益指标", 30) in html
    text = sheet_text(html)
    assert text.startswith("项目支出绩效自评表（2022年度）") and "项目资金（万元）" in text
    assert "其中：本年财政拨款9089.97489.974" in text
    assert "主管部门219-池州市贵池区棠溪镇人民政府实施单位219001-池州市贵池区棠溪镇人民政府" in text
    assert "基建工程委托业务项目数量≥50个5088" in text and "项目总成本≤90万元9088" in text
    assert "偏差原因分析及改进措施" in text and "备注" not in text
    # The empty 经济效益指标 row where the published table prints it, after 可持续影响指标, its cells empty.
    assert "健全和落实的持续性影响效果明显达成预期指标1010经济效益指标委托业务项目：总分与自评结论" in text
    assert "与计算结果不一致之处" in html and html.count("<li>表上填写的结果") == 5
    record = json.loads((out / "data" / "forms" / "commissioned-services.json").read_text(encoding="utf-8"))
    printed = {"initial": "0", "budget": "0", "executed": "0"}
    assert (record["status"], record["stated"], record["computed"]) == \
        ("published", {"execution_rate": "0.00", "budget_score": "0",
                       **{f"funds.total.{column}": figure for column, figure in printed.items()}},
         {"execution_rate": "100.00", "budget_score": "10", "funds.total.initial": "90",
          "funds.total.budget": "89.974", "funds.total.executed": "89.974"})
    assert record["funds"]["total"] == printed  # as published; formgen's figures are under computed
    assert record["funds"]["current"] == {"initial": "900000", "budget": "899740", "executed": "899740"}  # 元


def test_shanghai_page_prints_the_published_table(built):
    sites, _ = built
    out = sites["shanghai"].out
    html = (out / "forms" / "sports-settlement.html").read_text(encoding="utf-8")
    assert '<td class="num">250,000.00</td><td class="num">250,000.00</td><td class="num">215,457.60</td>' \
           f'<td class="num">10</td><td class="num">{computed("86.19", "86.18")}</td><td class="num">8.62</td></tr>' \
        in html
    text = sheet_text(html)
    assert text.startswith("财政项目支出绩效自评表（2022年度）") and "项目资金（元）" in text
    assert "其中：当年财政拨款250,000.00250,000.00215,457.60" in text
    assert "与委托运营方结算完成率=100%100%1010" in text and "场馆开放满意度>=90%100%1010" in text
    assert "费用结算及时性及时及时2020" in text and "总分10098.62" in text
    # The 一级指标 cells name no points, as the published table prints them (the 分值 column has them).
    assert '<th scope="rowgroup" rowspan="3" class="level1">产出指标</th>' in html and "(50分)" not in html
    record = json.loads((out / "data" / "forms" / "sports-settlement.json").read_text(encoding="utf-8"))
    assert (record["execution_rate"], record["budget_score"], record["total"], record["grade"]) == \
        ("86.19", "8.62", "98.62", "优")
    assert (record["stated"], record["computed"]) == ({"execution_rate": "86.19"}, {"execution_rate": "86.18"})


@pytest.mark.parametrize(("name", "slug", "figures"), [
    ("anhui", "commissioned-services", ["年度资金总额0计算值900计算值89.9740计算值89.974100.00计算值100.000计算值10",
                                        "对控制基建项目成本影响程度效果明显达成预期指标1010"]),
    ("shanghai", "sports-settlement", ["年度资金总额250,000.00250,000.00215,457.601086.19计算值86.188.62",
                                       "总分10098.62"]),
])
def test_each_fixture_builds_a_pdf_with_the_published_figures(built, name, slug, figures):
    sites, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    result = sites[name]
    assert result.pdfs == 1
    text = pdf_text(result.out / "pdf" / f"{slug}.pdf")
    for figure in figures:
        assert figure in text
    assert "与计算结果不一致之处" in text
