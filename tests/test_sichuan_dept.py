"""The 四川 部门预算 profile (``sichuan-dept``) backed by a real published form, kept as printed in its fixture:
the 2023 部门预算项目支出绩效自评表 (报表编号 510000_0013zp) of 青神县发展和改革局
(tests/fixtures/published/sichuan-2023-qingshen-salaries.yaml). The copy was published unfilled: every 完成值
and 得分 and the 其他资金 row are empty. The profile matches the transcription label for label; the page prints
every cell of the funding table and of the indicator rows as transcribed, empty where the form is empty, the
合计 得分 empty; each empty figure is reported as a discrepancy; and the same file as a draft fails."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.build import BuildResult
from generator.pipeline import load_site
from generator.profile import shipped_profiles

from .conftest import ROOT
from .fixturesites import FIXTURES, PUBLISHED, build_fixture, published, site_config
from .htmltools import parse, sheet_text, squash
from .pdftools import NO_PDF, pdf_text

SITE = FIXTURES / "sichuan-dept"
FORM = SITE / "content" / "2023" / "salaries.md"
SOURCE = PUBLISHED / "sichuan-2023-qingshen-salaries.yaml"


def _findings(path: Path) -> list[tuple[str, str, str]]:
    site = load_site([path], site_config(SITE), root=ROOT)
    return [(f.level.value, f.code, f.field) for f in site.findings]


class _Rows(HTMLParser):
    """The sheet's table rows as printed: each row's cells' text, formgen's figures beside the printed ones
    (span.computed) left out, so that a cell reads as the published form prints it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._computed = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span" and "computed" in (dict(attrs).get("class") or ""):
            self._computed += 1
        elif tag == "style":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(re.sub(r"\s+", "", "".join(self._cell)))
            self._cell = None
        elif tag == "span" and self._computed:
            self._computed -= 1
        elif tag == "style":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._computed and not self._skip:
            self._cell.append(data)


def _rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[BuildResult, bool]:
    return build_fixture(SITE, tmp_path_factory)


# --- the profile against the transcription --------------------------------------------------------------

def test_profile_is_the_published_form_of_its_source():
    profile, source = shipped_profiles()["sichuan-dept"], published(SOURCE)
    layout, labels = source["layout"], shipped_profiles()["sichuan-dept"].labels
    assert (profile.extends, profile.source.title, profile.source.url) == \
        ("central", source["source"]["province"], source["source"]["url"])
    assert labels.form_title == source["source"]["form_title"]
    assert [getattr(labels, key) for key in profile.layout.columns] == layout["indicator_columns"]
    funds_labels = {"initial": labels.initial, "budget": labels.budget, "executed": labels.executed,
                    "rate": labels.execution_rate, "weight": labels.funds_weight, "score": labels.budget_score,
                    "reason": labels.execution_reason}
    assert [funds_labels[key] for key in profile.layout.funds_columns[1:]] == layout["funds_columns"]
    assert [line.label for line in profile.funds] == layout["funds_rows"]
    assert [labels.report_number, labels.title, labels.department, labels.implementer, labels.expected,
            labels.achieved, labels.project_overview] == layout["header_fields"]
    assert [labels.total, labels.conclusion, labels.problems, labels.improvements, labels.project_lead,
            labels.finance_lead] == layout["footer_fields"]
    assert profile.money.unit == layout["money_unit"] and profile.money.shown_decimals == layout["money_decimals"]
    scheme = profile.scheme
    assert (scheme.budget_weight, scheme.total_points - scheme.budget_weight, scheme.weights) == \
        (Decimal(layout["weights"]["预算执行情况"]), Decimal(layout["weights"]["绩效指标"]), "free")
    assert (profile.fields.report_number, profile.fields.finance_lead) == ("required", "optional")
    assert profile.fields.signatures == ("project_lead", "finance_lead")


def test_reference_prints_rates_without_a_sign():
    # The reference's bytes stay as they were: no sign after its 执行率 (70.93), no new field.
    reference = shipped_profiles()["reference"]
    assert reference.layout.rate_sign == ""
    assert reference.fields.extra == () and reference.fields.signatures == ()


# --- check: exactly the empty cells the published form has ---------------------------------------------

def test_published_copy_reports_each_empty_figure():
    assert sorted(finding for finding in _findings(FORM) if finding[1] != "template-text") == sorted([
        ("discrepancy", "printed-empty", "funds.other.initial"),
        ("discrepancy", "printed-empty", "funds.other.budget"),
        ("discrepancy", "printed-empty", "funds.other.executed"),
        ("discrepancy", "printed-empty", "indicators[1].actual"),
        ("discrepancy", "printed-empty", "indicators[1].score"),
        ("discrepancy", "printed-empty", "indicators[2].actual"),
        ("discrepancy", "printed-empty", "indicators[2].score"),
        ("discrepancy", "printed-empty", "stated.budget_score"),
        ("discrepancy", "printed-empty", "stated.total"),
    ])


def test_published_copy_with_the_templates_instructions_is_warned():
    """The form was published unfilled: its 年度目标完成情况 and 评价结论 still hold the template's
    instructions (transcribed as “（概述）…格内仍是模板的填写说明”), which would be published as the unit's text."""
    assert [finding for finding in _findings(FORM) if finding[1] == "template-text"] == [
        ("warning", "template-text", "goals.actual"), ("warning", "template-text", "body")]


def test_the_same_empties_in_a_draft_fail(tmp_path):
    draft = tmp_path / "salaries.md"
    draft.write_text(FORM.read_text(encoding="utf-8").replace("status: published\n", ""), encoding="utf-8")
    findings = _findings(draft)
    errors = {field for level, _, field in findings if level == "error"}
    assert {"indicators[1].actual", "indicators[2].actual", "funds.other.initial", "funds.other.budget",
            "funds.other.executed"} <= errors
    assert not any(code == "printed-empty" for _, code, _ in findings)


# --- the page: every printed figure as transcribed -------------------------------------------------------

def test_page_prints_the_funding_table_as_published(built):
    result, _ = built
    rows = _rows((result.out / "forms" / "salaries.html").read_text(encoding="utf-8"))
    for printed in published(SOURCE)["form"]["funds"]:
        label, cells = printed["row"], printed["cells"]
        row = next(row for row in rows if row and row[0] == label)
        if label == "总额":  # the 原因 cell: the form's execution_reason, printed as its rules are paraphrased
            cells = [*cells[:-1], row[-1]]
            assert row[-1].startswith("（概述）")
        assert row[1:] == cells, label


def test_page_prints_the_indicator_rows_as_published(built):
    result, _ = built
    html = (result.out / "forms" / "salaries.html").read_text(encoding="utf-8")
    rows = _rows(html)
    printed = published(SOURCE)["form"]["indicators"]
    for cells in printed:
        row = next(row for row in rows if cells[2] in row)
        assert row[-len(cells):] == cells, cells[2]
    footer = published(SOURCE)["form"]["footer"]
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[1:3] == [footer["合计（权重）"], footer["合计（得分）"]] == ["100", ""]
    text = sheet_text(html)
    assert text.startswith("报表编号：510000_0013zp部门预算项目支出绩效自评表（2023年度）")
    for label in ("评价结论", "存在问题", "改进措施"):
        assert f"{label}（概述）未填写：格内仍是模板的填写说明" in "".join(
            "".join(row) for row in rows if row and row[0] == label)
    # 项目负责人 and 财务负责人 on one line under the table, both printed empty; 项目负责人 is no header row.
    assert "项目负责人：财务负责人：" in squash("".join(parse(html).text))
    assert not any(row and row[0] == "项目负责人" for row in rows)
    # formgen's 预算执行 得分 (100.00% × 10) is shown beside the empty printed cell; no total is invented.
    assert "计算值 10" in html and "计算值 100" not in html


def test_feed_keeps_the_empty_figures_as_null(built):
    result, _ = built
    data = json.loads((result.out / "data" / "forms" / "salaries.json").read_text(encoding="utf-8"))
    assert (data["status"], data["execution_rate"], data["budget_score"], data["total"], data["grade"]) == \
        ("published", "100.00", None, None, None)
    assert [row["score"] for row in data["indicators"]] == [None, None]
    assert data["funds"]["other"]["budget"] is None and data["computed"] == {"budget_score": "10"}
    assert (data["report_number"], data["finance_lead"]) == ("510000_0013zp", "")


def test_pdf_prints_the_published_table(built):
    result, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    text = re.sub(r"\s+", "", pdf_text(result.out / "pdf" / "salaries.pdf"))
    assert "报表编号：510000_0013zp" in text and "100.00%" in text and "0.00%" in text
    assert "改进措施" in text and "财务负责人" in text
