"""The 四川 and 湖北 profiles backed by real published forms, each kept as printed in its fixture: the 2022
绩效目标自评表 of 中江县水利局 (tests/fixtures/published/sichuan-2022-zhongjiang-water-gauges.yaml) and the
2021 自评结果 of 湖北科技学院 (tests/fixtures/published/hubei-2021-hbust-student-aid.yaml). Each is reproduced
figure by figure — 执行率, 预算执行得分, every row, the 一级指标 points as printed, the 总分 as printed and
formgen's where it differs — its discrepancies are exactly the published form's, and it builds as a page and
a PDF that print the published table with formgen's figures beside it."""

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

SICHUAN = FIXTURES / "sichuan"
SICHUAN_FORM = SICHUAN / "content" / "2022" / "water-gauges.md"
SICHUAN_SOURCE = PUBLISHED / "sichuan-2022-zhongjiang-water-gauges.yaml"
HUBEI = FIXTURES / "hubei"
HUBEI_FORM = HUBEI / "content" / "2021" / "student-aid.md"
HUBEI_SOURCE = PUBLISHED / "hubei-2021-hbust-student-aid.yaml"


def _findings(path: Path, config: SiteConfig) -> list[tuple[str, str, str, str]]:
    site = load_site([path], config, root=ROOT)
    return [(f.level.value, f.code, f.field, f.message) for f in site.findings]


# --- the profile: what sichuan.toml writes over central ------------------------------------------------

def test_sichuan_is_the_published_form_of_its_source():
    sichuan, central = shipped_profiles()["sichuan"], shipped_profiles()["central"]
    source = published(SICHUAN_SOURCE)
    assert (sichuan.extends, sichuan.source.title) == ("central", source["source"]["province"]) == ("central", "四川")
    assert sichuan.source.url == source["source"]["url"]
    assert str(sichuan.source.date) == source["source"]["published"] == "2022-12-30"
    labels = sichuan.labels
    assert labels.form_title == source["source"]["form_title"] == "绩效目标自评表"
    # The printed headers, in the printed order: 分值 before the targets, 得分 after the actuals.
    printed = source["layout"]["indicator_columns"]
    assert [getattr(labels, key) for key in sichuan.layout.columns] == printed
    assert [labels.budget, labels.executed, labels.funds_weight, labels.execution_rate, labels.budget_score] == \
        source["layout"]["funds_columns"]
    assert sichuan.layout.funds_columns == ("source", "budget", "executed", "weight", "rate", "score")  # no 年初预算数
    assert [line.label for line in sichuan.funds] == ["年度资金总额", "其中：本年财政拨款", "其他资金"]
    assert (labels.expected, labels.achieved, labels.project_lead) == \
        ("年初设定目标", "年度总体目标完成情况综述", "项目负责人及电话")
    assert (sichuan.fields.filled_on, sichuan.fields.contact, sichuan.fields.project_lead) == \
        ("absent", "absent", "optional")
    # 万元 printed without decimals (20), entered to the fen as central's.
    assert (sichuan.money.unit, sichuan.money.decimals, sichuan.money.always_show_decimals) == ("万元", 6, False)
    # The scheme is the one the form prints in its note: 产出 50, 效益 30, 满意度 10, budget 10, bands
    # 100–80–60–0 — central's, unchanged.
    assert sichuan.scheme == central.scheme
    assert [(level.name, level.weight) for level in sichuan.scheme.level1] == \
        [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)] and sichuan.scheme.budget_weight == 10


# --- the published form, figure by figure ----------------------------------------------------------------

def test_sichuan_copy_reproduces_every_printed_figure():
    site = load_site([SICHUAN_FORM], site_config(SICHUAN), root=ROOT)
    [entry] = site.forms
    scored = entry.scored
    assert entry.profile is not None and entry.profile.name == "sichuan"
    form = scored.form
    assert (form.status, form.funds.total.budget, form.funds.total.executed) == ("published", 20, 20)
    # 执行率 100.00% and 得分 10 as printed: 20 of 20 万元, formgen's too.
    printed_funds = published(SICHUAN_SOURCE)["form"]["funds"][0]["cells"]
    assert printed_funds == ["20", "20", "10", "100.00%", "10"]
    assert (form.stated.execution_rate, form.stated.budget_score) == (Decimal("100.00"), 10)
    assert (scored.execution_rate, scored.budget_score, scored.budget_weight) == (100, 10, 10)
    # Every row's 分值 and 得分 as printed; each met its target, so formgen scores it in full, as printed.
    # The two empty rows the table keeps (经济效益指标, “……”) are printed in their places and never scored.
    filled = [r for r in scored.indicators if r.method is not Method.PLACEHOLDER]
    assert [(r.indicator.name, r.indicator.weight, r.score) for r in filled] == printed_rows(SICHUAN_SOURCE, 3, 6)
    assert [r.score for r in filled] == [10, 10, 20, 10, 10, 10, 10, 10, 10]
    assert [(r.indicator.level2, r.indicator.name) for r in scored.indicators if r not in filled] == \
        [("经济效益指标", ""), ("服务对象满意度指标", "……")]
    # The 一级指标 as printed: 产出指标(70分), 效益指标(20分), 满意度指标(10分).
    assert scored.subtotals == {"产出指标": 70, "效益指标": 20, "满意度指标": 10}
    # 总分 printed 100; the printed parts add up to 10 + 70 + 20 + 10 = 110, formgen's total.
    footer = published(SICHUAN_SOURCE)["form"]["footer"]
    assert form.stated.total == Decimal(footer["总分（得分）"]) == 100
    assert scored.total == 110 and scored.grade == "优"


def test_sichuan_reports_exactly_the_published_forms_discrepancies():
    """The rows weigh 产出指标 70 and 效益指标 20 where the form's own note (the profile's scheme) says 50 and
    30, and the 总分 row prints 100 where the printed points add up to 110: the two entries of the
    transcription's discrepancies list, three findings. The two targets printed without an operator are
    warnings, as in a draft, and so are the six actuals that repeat their target's operator (≥266米)."""
    findings = _findings(SICHUAN_FORM, site_config(SICHUAN))
    assert [f[1:] for f in findings if f[0] == "discrepancy"] == [
        ("weights-sum", "indicators[1].weight", "the 分值 of the 产出指标 rows add up to 70, not 50"),
        ("weights-sum", "indicators[8].weight", "the 分值 of the 效益指标 rows add up to 20, not 30"),
        ("stated-differs", "stated.total", "总分 is stated as 100 but computes to 110")]
    assert len(published(SICHUAN_SOURCE)["discrepancies"]) == 2
    assert sorted((f[0], f[1], f[2]) for f in findings if f[0] != "discrepancy") == sorted([
        ("warning", "target-incomplete", "indicators[3].target"),
        ("warning", "target-incomplete", "indicators[6].target"),
        *(("warning", "actual-operator", f"indicators[{row}].actual") for row in (1, 2, 4, 5, 8, 10))])


def test_the_same_figures_in_a_draft_are_errors(tmp_path):
    """Only the published copy is kept as printed: a draft with its figures does not check. Its form has no
    conclusion cell, so a draft without one is only warned (the profile's conclusion is optional)."""
    path = tmp_path / SICHUAN_FORM.name
    path.write_text(SICHUAN_FORM.read_text(encoding="utf-8").replace("status: published\n", ""), encoding="utf-8")
    errors = [f for f in _findings(path, site_config(SICHUAN)) if f[0] == Level.ERROR.value]
    assert [(code, field) for _, code, field, _ in errors] == [
        ("weights-sum", "indicators[1].weight"), ("weights-sum", "indicators[8].weight"),
        ("stated-differs", "stated.total")]
    assert ("warning", "conclusion-empty", "body") in [finding[:3] for finding in _findings(path, site_config(SICHUAN))]


# --- it builds, as a page and a PDF ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[BuildResult, bool]:
    return build_fixture(SICHUAN, tmp_path_factory)


@pytest.fixture(scope="module")
def built_hubei(tmp_path_factory) -> tuple[BuildResult, bool]:
    return build_fixture(HUBEI, tmp_path_factory)


def test_sichuan_page_prints_the_published_table(built):
    result, _ = built
    html = (result.out / "forms" / "water-gauges.html").read_text(encoding="utf-8")
    text = sheet_text(html)
    assert text.startswith("绩效目标自评表（2022年度）")
    assert "资金情况（万元）" in text and "项目负责人及电话" in text
    assert "填报日期" not in text and "联系人" not in text
    # The funds row as printed: 20, 20, 分值 10, 执行率 100.00 (printed 100.00%), 得分 10 — no 年初预算数.
    assert "年度资金总额202010100.0010" in text and "其中：本年财政拨款2020" in text
    # The indicator headers in the printed order, and a row with its 分值 before its target.
    assert "一级指标二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施" in text
    assert "安装坡面水标尺10≥266米≥266米10" in text
    # The 一级指标 cells name the points their rows carry, as printed (the scheme's 50 and 30 are not).
    assert all(level_label(name, points) in html
               for name, points in (("产出指标", 70), ("效益指标", 20), ("满意度指标", 10)))
    assert "(50分)" not in html and "(30分)" not in html
    # The 总分 as printed, formgen's beside it, and the differences listed under the table.
    assert computed("100", "110") in html
    assert "the 分值 of the 产出指标 rows add up to 70, not 50" in html
    data = json.loads((result.out / "data" / "forms" / "water-gauges.json").read_text(encoding="utf-8"))
    # The feed carries the printed 总分 and formgen's.
    assert (data["status"], data["total"], data["stated"], data["computed"]) == \
        ("published", "100", {"total": "100"}, {"total": "110"})


def test_sichuan_pdf_prints_the_published_table(built):
    result, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    assert result.pdfs == 1
    text = pdf_text(result.out / "pdf" / "water-gauges.pdf")
    assert "绩效目标自评表" in text and "全年实际值" in text and "计算值110" in text


def test_sichuan_page_keeps_the_published_placeholder_rows(built):
    result, _ = built
    text = sheet_text((result.out / "forms" / "water-gauges.html").read_text(encoding="utf-8"))
    assert "经济效益指标社会效益指标" in text and "……" in text
    # In the published order: the empty 经济效益指标 row opens 效益指标, the row of “……” follows the last
    # indicator; every cell of both is empty, and no figure moves (分值 and 得分 of the rows around them, the
    # 总分 100 as printed and formgen's 110).
    assert "项目计划总投资1020万元20万元10效益指标(20分)经济效益指标社会效益指标受益脱贫(含监测对象)户人口数10" in text
    assert "受益脱贫(含监测对象)户满意度10≥95%≥95%10……" in text and "总分100100计算值110" in text
    data = json.loads((result.out / "data" / "forms" / "water-gauges.json").read_text(encoding="utf-8"))
    empty = [row for row in data["indicators"] if row["method"] == "placeholder"]
    assert [(row["name"], row["weight"], row["score"]) for row in empty] == [("", None, None), ("……", None, None)]
    assert (data["budget_score"], data["subtotals"]) == ("10", {"产出指标": "70", "效益指标": "20", "满意度指标": "10"})


# --- 湖北: the profile -------------------------------------------------------------------------------------

def test_hubei_is_laid_out_as_its_published_table_with_the_yunnan_funds_block():
    hubei, yunnan = shipped_profiles()["hubei"], shipped_profiles()["yunnan"]
    source = published(HUBEI_SOURCE)
    assert (hubei.extends, hubei.source.title, hubei.source.url) == ("yunnan", "湖北", source["source"]["url"])
    assert hubei.source.date is None  # the page shows no date, so none is claimed
    # The indicator table as printed: five columns, no 分值, 得分 or reason.
    assert [getattr(hubei.labels, key) for key in hubei.layout.columns] == source["layout"]["indicator_columns"]
    # The funds block of the 湖北 form (预算执行情况, one row 年度财政资金总额, no 年初预算数), 云南's too.
    assert hubei.layout.funds_columns == yunnan.layout.funds_columns == ("source", "budget", "executed", "rate",
                                                                         "score")
    assert [line.label for line in hubei.funds] == ["年度财政资金总额"]
    assert [hubei.labels.budget, hubei.labels.executed, hubei.labels.execution_rate] == \
        source["layout"]["funds_columns"]
    assert (hubei.fields.filled_on, hubei.fields.contact, hubei.fields.unit_name) == ("optional", "absent", "absent")
    # 2595.6208 万元: printed with the decimals entered, up to four.
    assert (hubei.money.unit, hubei.money.shown_decimals, hubei.money.always_show_decimals) == ("万元", 4, False)
    scheme = hubei.scheme
    # 预算执行率 20, 年度绩效目标 80 spread over the rows by the unit; 服务对象满意度指标 under 效益指标.
    assert (scheme.budget_weight, scheme.weights, sum(level.weight for level in scheme.level1)) == (20, "free", 80)
    assert [level.name for level in scheme.level1] == ["产出指标", "效益指标"]
    assert "服务对象满意度指标" in scheme.level1[1].level2
    # 执行率 a whole number (99), the score with one decimal (99.8); 湖北's bands.
    assert (scheme.rate_decimals, scheme.score_decimals) == (0, 1)
    assert [(band.low, band.high) for band in scheme.bands] == \
        [(Decimal("0.8"), 1), (Decimal("0.5"), Decimal("0.8")), (0, Decimal("0.5"))]


# --- 湖北: the published form, figure by figure -------------------------------------------------------------

def test_hubei_copy_reproduces_every_printed_figure():
    site = load_site([HUBEI_FORM], site_config(HUBEI), root=ROOT)
    [entry] = site.forms
    scored = entry.scored
    form = scored.form
    source = published(HUBEI_SOURCE)
    assert entry.profile is not None and entry.profile.name == "hubei" and form.status == "published"
    # The budget and the spending as the page states them.
    [funds] = source["form"]["funds"]
    assert funds["cells"] == ["2596", "2595.6208", "99%"]
    assert (form.funds.total.budget, form.funds.total.executed) == (Decimal("2596"), Decimal("2595.6208"))
    # 执行率 printed 99; 2595.6208 ÷ 2596 = 99.985…%, which formgen rounds to 100. 得分 = 20 × 0.99985… = 20.0.
    assert form.stated.execution_rate == 99 and scored.execution_rate == 100
    assert (scored.budget_weight, scored.budget_score) == (20, Decimal("20.0"))
    # Every row as printed, in the printed order.
    assert [[r.indicator.level1, r.indicator.level2, r.indicator.name, r.indicator.target, r.indicator.actual]
            for r in scored.indicators] == source["form"]["indicators"]
    # Every row meets its target. formgen reads the bare 14726 as a target to meet exactly (rules.md S4), so
    # 15935 scores 9 × 14726 ÷ 15935 = 8.3; the others carry their (unprinted) weight in full.
    assert [r.score for r in scored.indicators] == [9, 9, 9, 9, Decimal("8.3"), 9, 9, 9, 8]
    assert scored.subtotals == {"产出指标": Decimal("53.3"), "效益指标": 26}
    # 综合评价得分 printed 99.8 — 20 × 99% + 80, the budget scored on the cut-down rate and every indicator in
    # full —; formgen's is 20.0 + 53.3 + 26 = 99.3.
    printed = Decimal(source["form"]["footer"]["综合评价得分（正文）"])
    assert form.stated.total == printed == 20 * Decimal("0.99") + 80 == Decimal("99.8")
    assert scored.total == Decimal("99.3") and scored.grade == "优"


def test_hubei_reports_exactly_the_published_forms_discrepancies():
    """The printed 执行率 (99 for 99.985…%) and 总分 (99.8), and the row printed between the 质量指标 rows: the
    copy keeps the printed order. The bare targets (100%, 14726…) are warnings, as in a draft."""
    findings = _findings(HUBEI_FORM, site_config(HUBEI))
    assert [f[1:] for f in findings if f[0] == "discrepancy"] == [
        ("rows-apart", "indicators[5].level2",
         "this 数量指标 row stands between rows of 质量指标: the 质量指标 cell cannot span its rows"),
        ("stated-differs", "stated.execution_rate", "执行率 is stated as 99 but computes to 100"),
        ("stated-differs", "stated.total", "总分 is stated as 99.8 but computes to 99.3")]
    assert len(published(HUBEI_SOURCE)["discrepancies"]) == 2  # the rate and the total; the order is layout
    others = [(f[0], f[1]) for f in findings if f[0] != "discrepancy"]
    assert others == [("warning", "target-incomplete")] * 8


def test_hubei_figures_in_a_draft_are_errors(tmp_path):
    path = tmp_path / HUBEI_FORM.name
    path.write_text(HUBEI_FORM.read_text(encoding="utf-8").replace("status: published\n", ""), encoding="utf-8")
    errors = [(code, field) for level, code, field, _ in _findings(path, site_config(HUBEI))
              if level == Level.ERROR.value]
    # A draft must also have its conclusion, which the published page states in prose above the table.
    assert errors == [("rows-apart", "indicators[5].level2"), ("stated-differs", "stated.execution_rate"),
                      ("stated-differs", "stated.total"), ("conclusion-empty", "body")]


def test_hubei_page_prints_the_published_table(built_hubei):
    result, _ = built_hubei
    html = (result.out / "forms" / "student-aid.html").read_text(encoding="utf-8")
    text = sheet_text(html)
    assert text.startswith("绩效目标自评表（2021年度）")
    # Five columns: the 实施单位 label takes one, leaving its value one (the grid is too narrow for two).
    assert '<th scope="row" colspan="1">项目实施单位</th><td>湖北科技学院</td>' in html
    assert "一级指标二级指标指标名称目标值实际完成值" in text and "受资助本专科学生人数1472615935" in text
    # 质量指标 printed again after the 数量指标 row, as on the page; free weights: no points in the 一级 cells.
    assert '<th scope="rowgroup" rowspan="4" class="level2">质量指标</th>' in html
    assert '<th scope="rowgroup" rowspan="1" class="level2">质量指标</th>' in html
    assert "产出指标</th>" in html and "产出指标<br>" not in html and "效益指标<br>" not in html
    assert "2,595.6208" in text
    assert computed("99", "100") in html and computed("99.8", "99.3") in html


def test_hubei_pdf_prints_the_published_table(built_hubei):
    result, pdf = built_hubei
    if not pdf:
        pytest.skip(NO_PDF)
    assert result.pdfs == 1
    text = pdf_text(result.out / "pdf" / "student-aid.pdf")
    assert "绩效目标自评表" in text and "2,595.6208" in text and "计算值99.3" in text
