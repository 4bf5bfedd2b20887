"""The 中央部门 profile (财预〔2020〕10号) backed by a real published form. No central department's own
filled-in copy was found, so its fixture (tests/fixtures/profiles/central) is a local unit's copy of the
central template: 临沧市临翔区林业和草原局's 2023 form (tests/fixtures/published/
yunnan-2023-linxiang-wildlife-shelter.yaml). It is reproduced figure by figure — 执行率, 预算执行得分, every
row's 分值 and 得分, the 小计 — with formgen's own figures where they differ, its two printed discrepancies
are reported and nothing else, and it builds as a page and a PDF that print the published figures."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from generator.build import BuildResult
from generator.findings import Level
from generator.pipeline import Site, load_site
from generator.profile import shipped_profiles

from .conftest import ROOT
from .fixturesites import FIXTURES, PUBLISHED, build_fixture, computed, published, site_config
from .htmltools import sheet_text
from .pdftools import NO_PDF, pdf_text

CENTRAL = FIXTURES / "central"
FORM = CENTRAL / "content" / "2023" / "wildlife-shelter.md"
SOURCE = PUBLISHED / "yunnan-2023-linxiang-wildlife-shelter.yaml"


def _site() -> Site:
    return load_site([FORM], site_config(CENTRAL), root=ROOT)


def test_central_names_the_published_form_it_reproduces():
    central = shipped_profiles()["central"]
    source = published(SOURCE)["source"]
    assert (central.source.title, central.source.document) == ("中央", "财预〔2020〕10号")
    assert central.source.url == source["url"]
    assert central.source.date == datetime.date.fromisoformat(source["published"]) == datetime.date(2023, 12, 1)
    # It says plainly that the copy is a local unit's, not a central department's.
    assert "未找到中央部门自己公开的已填写的自评表" in central.source.notes
    assert "临沧市临翔区林业和草原局" in central.source.notes
    # The template's layout, as the copy prints it: its labels and columns.
    layout = published(SOURCE)["layout"]
    assert central.labels.form_title == source["form_title"]
    assert [central.labels.title, central.labels.department, central.labels.implementer] == layout["header_fields"]
    assert [central.labels.level1, central.labels.level2, central.labels.name, central.labels.target,
            central.labels.actual, central.labels.weight, central.labels.score, central.labels.reason] == \
        layout["indicator_columns"]
    assert [central.labels.initial, central.labels.budget, central.labels.executed, central.labels.funds_weight,
            central.labels.execution_rate, central.labels.budget_score] == layout["funds_columns"]
    # The copy prints no 填报日期 and no 联系人, as the template has none.
    assert (central.fields.filled_on, central.fields.contact) == ("optional", "optional")


def test_the_copy_reproduces_every_printed_figure():
    [entry] = _site().forms
    scored, printed = entry.scored, published(SOURCE)["form"]
    assert entry.profile is not None and entry.profile.name == "central"
    # 年度资金总额: 全年预算数 32.4, 全年执行数 31.69 万元, 分值 10, as printed.
    total = printed["funds"][0]["cells"]
    assert (scored.form.funds.total.budget, scored.form.funds.total.executed) == \
        (Decimal(total[1]), Decimal(total[2])) == (Decimal("32.4"), Decimal("31.69"))
    assert scored.budget_weight == Decimal(total[3]) == 10
    # The form prints 执行率 97.80 and 得分 9; 31.69 ÷ 32.4 = 0.9780864: formgen computes 97.81 and 9.78.
    stated = scored.form.stated
    assert (stated.execution_rate, stated.budget_score) == (Decimal("97.80"), Decimal("9"))
    assert (f"{stated.execution_rate:.2f}%", str(stated.budget_score)) == (total[4], total[5])
    assert (scored.execution_rate, scored.budget_score) == (Decimal("97.81"), Decimal("9.78"))
    # Every printed row, in the printed order (时效 before 质量), with its 分值 and 得分: all met in full.
    assert [(r.indicator.level1, r.indicator.level2, r.indicator.name, r.indicator.target, r.indicator.actual,
             r.indicator.weight, r.score, r.indicator.reason) for r in scored.indicators] == \
        [(row[0], row[1], row[2], row[3], row[4], Decimal(row[5]), Decimal(row[6]), row[7])
         for row in printed["indicators"]]
    assert [r.score for r in scored.indicators] == [10, 10, 15, 15, 10, 10, 10]
    assert scored.subtotals == {"产出指标": 50, "效益指标": 30}
    # The copy ends before the 满意度指标 row's figures and the 总分: none is stated. formgen's 总分 is its own:
    # 9.78 + 80 = 89.78 of the 90 points the visible levels carry, rescaled to 100 (rules.md S7): 99.76.
    assert (stated.total, stated.subtotals, printed["footer"]) == (None, {}, {})
    assert scored.total == Decimal("99.76") and scored.grade == "优"


def test_exactly_the_published_forms_discrepancies_are_reported():
    site = _site()
    assert [(f.code, f.field, f.message) for f in site.findings if f.level is Level.DISCREPANCY] == [
        ("stated-differs", "stated.execution_rate", "执行率 is stated as 97.8 but computes to 97.81"),
        ("stated-differs", "stated.budget_score", "预算执行得分 is stated as 9 but computes to 9.78")]
    assert len(published(SOURCE)["discrepancies"]) == 2
    # What the copy leaves out is said as in a draft: no reason for 97.81 %, no 满意度指标 row, a target
    # printed without its operator; none is an error.
    assert [(f.code, f.level) for f in site.findings if f.level is not Level.DISCREPANCY] == \
        [("execution-unexplained", Level.WARNING), ("level1-missing", Level.WARNING),
         ("target-incomplete", Level.WARNING)]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[BuildResult, bool]:
    return build_fixture(CENTRAL, tmp_path_factory)


def test_the_page_prints_the_published_table(built):
    result, _ = built
    html = (result.out / "forms" / "wildlife-shelter.html").read_text(encoding="utf-8")
    # The 年度资金总额 row: the empty 年初预算数 is 0.00, 32.4 is printed 32.40 (万元 with two decimals), and
    # the printed 97.80 and 9 each carry formgen's figure beside them.
    assert '<td class="num">0.00</td><td class="num">32.40</td><td class="num">31.69</td><td class="num">10</td>' \
           f'<td class="num">{computed("97.80", "97.81")}</td><td class="num">{computed("9", "9.78")}</td></tr>' \
        in html
    text = sheet_text(html)
    assert text.startswith("项目支出绩效自评表（2023年度）") and "项目资金（万元）" in text
    assert "主管部门临沧市临翔区林业和草原局实施单位临沧市临翔区林业和草原局" in text
    assert "其中：当年财政拨款0.0032.4031.69---" in text
    assert "野生动物收容所≥200平方米204.46平方米1010无" in text
    assert "项目完工时限2023年12月2023年10月1515无" in text and "项目竣工验收率100%100%1515无" in text
    assert "项目建成后可持续影响年限≥15年15年1010无" in text
    assert "偏差原因分析及改进措施" in text and "备注" not in text and "总分10099.76" in text
    assert "与计算结果不一致之处" in html and html.count("<li>表上填写的结果") == 2
    record = json.loads((result.out / "data" / "forms" / "wildlife-shelter.json").read_text(encoding="utf-8"))
    assert (record["status"], record["stated"], record["computed"]) == \
        ("published", {"execution_rate": "97.80", "budget_score": "9"},
         {"execution_rate": "97.81", "budget_score": "9.78"})


def test_the_pdf_prints_the_published_figures(built):
    result, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    assert result.pdfs == 1
    text = pdf_text(result.out / "pdf" / "wildlife-shelter.pdf")
    assert "年度资金总额0.0032.4031.691097.80计算值97.819计算值9.78" in text
    assert "钢结构圈养围栏≥120米121.5米1010无" in text and "总分10099.76" in text


def test_the_profile_fixture_is_a_published_copy(tmp_path: Path):
    # status: published is what lets the printed 97.80 and 9 stand; as a draft they are errors.
    draft = tmp_path / "wildlife-shelter.md"
    draft.write_text(FORM.read_text(encoding="utf-8").replace("status: published\n", ""), encoding="utf-8")
    site = load_site([draft], site_config(CENTRAL), root=ROOT)
    assert [(f.field, f.level) for f in site.findings if f.code == "stated-differs"] == \
        [("stated.execution_rate", Level.ERROR), ("stated.budget_score", Level.ERROR)]
