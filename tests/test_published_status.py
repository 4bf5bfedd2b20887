"""status: published: the copy of a form already published builds as printed, with formgen's figures
beside the printed ones; the same figures in a draft do not build; stated figures are compared whatever
other errors a form has."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.__main__ import main
from generator.build import BuildFailed, build_site
from generator.config import SiteConfig
from generator.feed import form_record
from generator.findings import Level
from generator.pipeline import load_site

from .conftest import CONTENT, ROOT
from .htmltools import squash

FIXTURES = ROOT / "tests" / "fixtures" / "status"
PUBLISHED = FIXTURES / "published"
DRAFT = FIXTURES / "draft"
MIXED = FIXTURES / "mixed"
SLUG = "power-system-published"

RATE = "执行率 is stated as 79.93 but computes to 70.93"
TOTAL = "总分 is stated as 99.09 but computes to 97.09"


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _row_text(page: str, label: str) -> str:
    """The text of the table row whose header names `label`, without white space."""
    start = page.rindex("<tr", 0, page.index(f">{label}"))
    return squash(re.sub(r"<[^>]+>", "", page[start:page.index("</tr>", start)]))


def _codes(path: Path) -> list[tuple[str, str, Level, str]]:
    site = load_site([path], SiteConfig(), ROOT)
    return [(f.code, f.field, f.level, f.message) for f in site.findings]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_site([PUBLISHED], SiteConfig(), tmp_path_factory.mktemp("published") / "out")


def test_a_draft_with_wrong_figures_does_not_build(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as failed:
        build_site([DRAFT], SiteConfig(), out)
    errors = [f for f in failed.value.findings if f.level is Level.ERROR]
    assert [(f.code, f.field, f.message) for f in errors] == [
        ("stated-differs", "stated.execution_rate", RATE),
        ("stated-differs", "stated.total", TOTAL),
    ]
    assert not out.exists()


def test_check_reports_the_discrepancies_of_a_draft_as_errors(capsys, project_root):
    code, out = run(capsys, "check", str(DRAFT.relative_to(ROOT)))
    assert code == 1
    assert f"power-system-draft.md:35: stated.execution_rate (表上填写的结果 执行率): {RATE} — write 70.93" in out
    assert f"power-system-draft.md:37: stated.total (表上填写的结果 总分): {TOTAL} — write 97.09" in out
    assert out.rstrip().endswith("2 errors, 3 warnings — failed")


def test_check_reports_the_discrepancies_of_a_published_form_without_failing(capsys, project_root):
    code, out = run(capsys, "check", str(PUBLISHED.relative_to(ROOT)))
    assert code == 0
    assert f"power-system-published.md:35: discrepancy: stated.execution_rate (表上填写的结果 执行率): {RATE} — " \
           "kept as printed (status: published)" in out
    assert f"power-system-published.md:37: discrepancy: stated.total (表上填写的结果 总分): {TOTAL} — " in out
    assert out.rstrip().endswith("0 errors, 3 warnings, 2 discrepancies kept as published — ok")
    code, out = run(capsys, "check", "--format", "json", str(PUBLISHED.relative_to(ROOT)))
    report = json.loads(out)
    assert (report["errors"], report["warnings"], report["discrepancies"]) == (0, 3, 2)
    assert [(f["level"], f["code"], f["field"]) for f in report["findings"] if f["level"] == "discrepancy"] == [
        ("discrepancy", "stated-differs", "stated.execution_rate"), ("discrepancy", "stated-differs", "stated.total")]


def test_strict_does_not_fail_on_discrepancies(capsys, tmp_path):
    """--strict makes warnings fail, not a published copy's discrepancies: no edit could fix those faithfully."""
    text = (CONTENT / "2024" / "central-equipment.md").read_text(encoding="utf-8")
    copy = text.replace("  total: 100\n", "  total: 110\n").replace("contact: 莫路路",
                                                                   "status: published\ncontact: 莫路路")
    (tmp_path / "equipment.md").write_text(copy, encoding="utf-8")
    code, out = run(capsys, "check", "--strict", str(tmp_path))
    assert "discrepancy: stated.total (表上填写的结果 总分): 总分 is stated as 110 but computes to 100" in out
    assert code == 0, out
    (tmp_path / "equipment.md").write_text(copy.replace("status: published", "status: draft"), encoding="utf-8")
    code, out = run(capsys, "check", "--strict", str(tmp_path))
    assert code == 1 and "equipment.md:29: stated.total (表上填写的结果 总分): 总分 is stated as 110" in out


def test_a_published_form_builds_with_printed_and_computed_figures(built):
    page = (built.out / "forms" / f"{SLUG}.html").read_text(encoding="utf-8")
    total_row = _row_text(page, "总　　分")
    assert total_row.endswith("10099.09计算值97.09"), total_row  # 分值 100, the printed 总分, formgen's
    fund_row = _row_text(page, "年度资金总额")
    assert fund_row.endswith("1079.93计算值70.937.09"), fund_row  # 分值 10, 执行率 as printed, formgen's, 得分
    assert '<span class="computed" title="formgen 按规则计算为 97.09，表上填写为 99.09">计算值 97.09</span>' in page
    assert '<span class="computed" title="formgen 按规则计算为 70.93，表上填写为 79.93">计算值 70.93</span>' in page
    assert page.count('class="computed"') == 2  # only the figures that differ
    section = page[page.index('<section class="form-discrepancies"'):]
    section = section[:section.index("</section>")]
    assert "<h2>与计算结果不一致之处</h2>" in section
    assert f"表上填写的结果 执行率：{RATE}" in section and f"表上填写的结果 总分：{TOTAL}" in section


def test_the_feed_carries_the_printed_figures_and_formgen_s(built):
    record = json.loads((built.out / "data" / "forms" / f"{SLUG}.json").read_text(encoding="utf-8"))
    assert record["status"] == "published"
    assert (record["execution_rate"], record["budget_score"], record["total"]) == ("79.93", "7.09", "99.09")
    assert record["stated"] == {"execution_rate": "79.93", "total": "99.09"}
    assert record["computed"] == {"execution_rate": "70.93", "total": "97.09"}
    feed = json.loads((built.out / "data" / "forms.json").read_text(encoding="utf-8"))
    [listed] = feed["forms"]
    assert listed["stated"] == record["stated"] and listed["computed"] == record["computed"]
    assert [f["code"] for f in listed["findings"] if f["level"] == "discrepancy"] == ["stated-differs"] * 2


def test_drafts_carry_no_published_keys():
    site = load_site([CONTENT], SiteConfig(), ROOT)
    for entry in site.forms:
        record = form_record(entry)
        assert not {"status", "stated", "computed"} & set(record), entry.slug


def test_a_published_form_with_a_wrong_row_score_shows_both(tmp_path):
    text = (CONTENT / "2024" / "central-equipment.md").read_text(encoding="utf-8")
    row = "actual: 30个（套）, weight: 10, score: 10}"
    assert row in text
    copy = text.replace(row, "actual: 30个（套）, weight: 10, score: 8}").replace(
        "contact: 莫路路", "status: published\ncontact: 莫路路")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "equipment.md").write_text(copy, encoding="utf-8")
    result = build_site([tmp_path / "content"], SiteConfig(), tmp_path / "out")
    page = (result.out / "forms" / "equipment.html").read_text(encoding="utf-8")
    assert "8<span class=\"computed\" title=\"formgen 按规则计算为 10，表上填写为 8\">计算值 10</span>" in page
    record = json.loads((result.out / "data" / "forms" / "equipment.json").read_text(encoding="utf-8"))
    assert record["indicators"][0]["score"] == "8"
    assert record["stated"] == {"indicators[1].score": "8"} and record["computed"] == {"indicators[1].score": "10"}


def test_a_published_form_still_fails_on_errors_that_are_not_discrepancies(tmp_path):
    shutil.copy(PUBLISHED / f"{SLUG}.md", tmp_path / f"{SLUG}.md")
    path = tmp_path / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("contact: 莫路路", "contcat: 莫路路"), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site([tmp_path], SiteConfig(), tmp_path / "out")
    levels = {(f.code, f.level) for f in failed.value.findings}
    assert ("field-extra-forbidden", Level.ERROR) in levels and ("field-missing", Level.ERROR) in levels
    assert ("stated-differs", Level.DISCREPANCY) in levels  # still reported, as what it is


def test_an_unknown_status_is_an_error_naming_the_field(tmp_path):
    text = (PUBLISHED / f"{SLUG}.md").read_text(encoding="utf-8").replace("status: published", "status: 已公开")
    (tmp_path / "form.md").write_text(text, encoding="utf-8")
    findings = load_site([tmp_path], SiteConfig(), tmp_path).findings
    [finding] = [f for f in findings if f.field == "status"]
    # Not a published form then: its printed figures are errors, as a draft's, until the status is fixed.
    assert {f.code for f in findings if f.level is Level.ERROR} == {"field-status-invalid", "stated-differs"}
    assert (finding.code, finding.field, finding.label) == ("field-status-invalid", "status", "状态")
    assert "“已公开” is not a status" in finding.message and "published" in finding.fix


def test_another_error_does_not_hide_a_wrong_total():
    """A printed 110 against a computed 100 is reported with an unknown key, and with funding rows that
    do not add up: both at once, not one after the other is fixed."""
    total = ("stated-differs", "stated.total", Level.ERROR, "总分 is stated as 110 but computes to 100")
    unknown = _codes(MIXED / "equipment-unknown-key.md")
    assert total in unknown
    assert {code for code, *_ in unknown} == {"stated-differs", "field-extra-forbidden", "field-missing"}
    sums = _codes(MIXED / "equipment-funds-sum.md")
    assert total in sums
    assert {code for code, *_ in sums} == {"stated-differs", "funds-sum"}


def test_the_pdf_shows_the_printed_figures_formgen_s_and_the_discrepancies(tmp_path):
    result = build_site([PUBLISHED], SiteConfig(), tmp_path / "out", pdf=True)
    reader = PdfReader(result.out / "pdf" / f"{SLUG}.pdf")
    text = squash("".join(page.extract_text() for page in reader.pages))
    assert "79.93计算值70.93" in text and "99.09计算值97.09" in text
    assert "与计算结果不一致之处" in text and squash(TOTAL) in text
    assert "总分99.09" in reader.metadata.subject  # the printed total, as the page shows it


def test_a_printed_total_without_a_printed_grade_is_graded_as_printed(tmp_path):
    """The feed and the lists show the printed 总分, so their 等级 is that total's, not formgen's."""
    text = (CONTENT / "2024" / "central-equipment.md").read_text(encoding="utf-8")
    copy = text.replace("  total: 100\n", "  total: 85\n").replace("contact: 莫路路",
                                                                  "status: published\ncontact: 莫路路")
    (tmp_path / "equipment.md").write_text(copy, encoding="utf-8")
    [entry] = load_site([tmp_path], SiteConfig(), tmp_path).forms
    record = form_record(entry)
    assert (record["total"], record["grade"]) == ("85", "良")
    assert record["computed"] == {"total": "100"}


def _equipment(tmp_path: Path, stated: str, status: str) -> Path:
    """central-equipment.md with `stated` in place of its printed total, as a draft or a published copy."""
    text = (CONTENT / "2024" / "central-equipment.md").read_text(encoding="utf-8")
    copy = text.replace("  total: 100\n", stated).replace("contact: 莫路路", f"status: {status}\ncontact: 莫路路")
    (tmp_path / "content").mkdir(exist_ok=True)
    path = tmp_path / "content" / "equipment.md"
    path.write_text(copy, encoding="utf-8")
    return path


SUBTOTALS = "  subtotals:\n    产出指标: 48\n    效益指标: 30\n  total: 98\n"


def test_printed_subtotals_are_compared_in_a_draft(tmp_path):
    path = _equipment(tmp_path, SUBTOTALS, "draft")
    site = load_site([path], SiteConfig(), tmp_path)
    findings = [(f.code, f.field, f.label, f.line, f.message) for f in site.findings if f.level is Level.ERROR]
    assert findings == [
        ("stated-differs", "stated.subtotals.产出指标", "表上填写的结果 小计 产出指标", 30,
         "产出指标 小计 is stated as 48 but its rows' 得分 add up to 50"),
        ("stated-differs", "stated.total", "表上填写的结果 总分", 32, "总分 is stated as 98 but computes to 100"),
    ]


def test_printed_subtotals_of_a_published_form_are_kept(tmp_path):
    path = _equipment(tmp_path, SUBTOTALS, "published")
    result = build_site([path.parent], SiteConfig(), tmp_path / "out")
    record = json.loads((result.out / "data" / "forms" / "equipment.json").read_text(encoding="utf-8"))
    assert record["subtotals"] == {"产出指标": "48", "效益指标": "30", "满意度指标": "10"}
    assert record["stated"] == {"total": "98", "subtotals.产出指标": "48"}
    assert record["computed"] == {"total": "100", "subtotals.产出指标": "50"}
    page = html.unescape((result.out / "forms" / "equipment.html").read_text(encoding="utf-8"))
    assert "表上填写的结果 小计 产出指标：产出指标 小计 is stated as 48 but its rows' 得分 add up to 50" in page


def test_a_subtotal_of_an_unknown_level1_is_an_error_even_when_published(tmp_path):
    path = _equipment(tmp_path, "  subtotals:\n    效果指标: 30\n  total: 100\n", "published")
    [finding] = [f for f in load_site([path], SiteConfig(), tmp_path).findings if f.level is Level.ERROR]
    assert (finding.code, finding.field) == ("level1-unknown", "stated.subtotals.效果指标")
    assert "write one of 产出指标、效益指标、满意度指标" in finding.fix


def test_printed_funding_rows_that_do_not_add_up_are_kept_in_a_published_form(tmp_path):
    text = (MIXED / "equipment-funds-sum.md").read_text(encoding="utf-8")
    (tmp_path / "content").mkdir()
    path = tmp_path / "content" / "equipment.md"
    path.write_text(text.replace("contact: 莫路路", "status: published\ncontact: 莫路路"), encoding="utf-8")
    result = build_site([path.parent], SiteConfig(), tmp_path / "out")
    page = html.unescape((result.out / "forms" / "equipment.html").read_text(encoding="utf-8"))
    assert '<td class="num">590,000</td>' in page  # the printed 财政拨款 全年预算数, kept
    section = page[page.index('<section class="form-discrepancies"'):]
    assert "财政拨款 全年预算数（A） is 590,000, but 本级安排 + 其中：上级补助 = 580,000" in section
    assert "总分 is stated as 110 but computes to 100" in section
    record = json.loads((result.out / "data" / "forms" / "equipment.json").read_text(encoding="utf-8"))
    assert record["funds"]["fiscal"]["budget"] == "590000"
    assert sorted(f["code"] for f in record["findings"] if f["level"] == "discrepancy") == \
        ["funds-sum", "funds-sum", "stated-differs"]
