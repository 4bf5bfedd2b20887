"""Columns per profile: the 绩效指标 columns in the profile's order with 分值, 得分, the reason and 备注 each
optional, and the funding table's columns with 年初预算数 and 分值 optional — on the page, the PDF, the CSV, the
feed and `formgen new`'s skeleton; and the 云南 profile, whose published table has neither 分值 nor a reason
column and one funding row without 年初预算数, reproduced figure by figure."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.build import build_site
from generator.config import ConfigError, load_config
from generator.findings import Level
from generator.pipeline import load_site
from generator.profile import form_model, shipped_profiles

from .conftest import ROOT
from .fixturesites import FIXTURES, build_fixture, site_config
from .htmltools import sheet_text
from .pdftools import NO_PDF, pdf_available, pdf_text

REFERENCE_FORM = FIXTURES / "reference" / "content" / "2024" / "court-archives.md"
YUNNAN = FIXTURES / "yunnan"
YUNNAN_FORM = YUNNAN / "content" / "2022" / "pig-farm.md"

# A profile of a site: 分值 before the targets, 得分 last, 备注 between, no reason column; the funding table
# without 年初预算数.
MIXED = ('title = "混排"\nextends = "reference"\n\n[labels]\nnote = "说明"\n\n[layout]\n'
         'columns = ["level1", "level2", "name", "weight", "target", "actual", "note", "score"]\n'
         'funds_columns = ["source", "budget", "executed", "weight", "rate", "score"]\n')


def _mixed_form() -> str:
    """The reference fixture (总分 76.94) rewritten for the mixed profile: no initial, no reason."""
    text = REFERENCE_FORM.read_text(encoding="utf-8")
    for old, new in (("{initial: 100000, ", "{"), ("{initial: 0, ", "{"), (", reason: 设备到货延迟", ""),
                     (", reason: 等候时间较长", "")):
        assert old in text, old
        text = text.replace(old, new)
    return text


def _mixed_site(tmp_path: Path) -> Path:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mixed.toml").write_text(MIXED, encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\ntitle = "混排示例"\nprofile = "mixed"\n', encoding="utf-8")
    (tmp_path / "content" / "2024").mkdir(parents=True)
    (tmp_path / "content" / "2024" / "court-archives.md").write_text(_mixed_form(), encoding="utf-8")
    return tmp_path


def _header_cells(html: str, table_class: str) -> list[str]:
    """The texts of the first row of header cells of the sheet's table with this class."""
    start = html.index(f'<table class="form {table_class}')
    part = html[start:html.index("</tr>", html.index("<th scope=\"col\"", start))]
    return [cell.split(">", 1)[1].split("</th>")[0] for cell in part.split('<th scope="col"')[1:]]


# --- a profile of one's own: order and absence --------------------------------------------------------

@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory):
    root = _mixed_site(tmp_path_factory.mktemp("mixed"))
    pdf = pdf_available()
    result = build_site([root / "content"], load_config(root / "formgen.toml"), root / "out", pdf=pdf)
    return root, result, pdf


def test_the_page_prints_the_profiles_columns_in_its_order(mixed_site):
    _, result, _ = mixed_site
    html = (result.out / "forms" / "court-archives.html").read_text(encoding="utf-8")
    assert _header_cells(html, "form-indicators") == ["一级指标", "二级指标", "三级指标", "分值", "年度指标值(A)",
                                                      "实际完成值(B)", "说明", "得分"]
    assert _header_cells(html, "form-top").count("年初预算数") == 0
    assert _header_cells(html, "form-top")[:6] == ["资 金 来 源", "全年预算数（A）", "全年执行数（B）", "分值",
                                                   "执行率", "得分"]
    text = sheet_text(html)
    assert "未完成原因分析" not in text and "年初预算数" not in text
    # Each row in that order: 分值 50 before ≥10万页, the note, then 得分 40; the funds without 年初预算数.
    assert "数字化卷宗数量50≥10万页8万页40" in text
    assert "档案查阅效率30明显提高部分达成预期指标并具有一定效果次年继续20" in text
    assert "年度资金总额：100,00075,0001075.007.50" in text
    # 总分: its label up to 分值, the points under 分值, empty cells, the total under 得分 last.
    assert "总分10076.94" in text.replace("　", "")
    assert '<td class="num">100</td><td colspan="3"></td><td class="num">76.94</td></tr>' in html


def test_the_pdf_prints_the_same_columns(mixed_site):
    _, result, pdf = mixed_site
    if not pdf:
        pytest.skip(NO_PDF)
    text = pdf_text(result.out / "pdf" / "court-archives.pdf")
    assert "一级指标二级指标三级指标分值年度指标值(A)实际完成值(B)说明得分" in text
    assert "数字化卷宗数量50≥10万页8万页40" in text
    assert "年初预算数" not in text and "未完成原因分析" not in text


def test_the_csv_and_feed_leave_absent_columns_empty(mixed_site):
    _, result, _ = mixed_site
    [form] = csv.DictReader(io.StringIO((result.out / "data" / "forms.csv").read_text(encoding="utf-8-sig")))
    assert (form["年初预算数"], form["全年预算数"], form["总分"]) == ("", "100000", "76.94")
    rows = list(csv.DictReader(io.StringIO((result.out / "data" / "indicators.csv").read_text(encoding="utf-8-sig"))))
    # The site's profile calls 备注 说明: the CSV's header is its word, in 备注's place.
    assert [(row["分值"], row["得分"], row["未完成原因分析"], row["说明"]) for row in rows] == [
        ("50", "40", "", ""), ("30", "20", "", "次年继续"), ("10", "9.44", "", "")]
    record = json.loads((result.out / "data" / "forms" / "court-archives.json").read_text(encoding="utf-8"))
    assert record["funds"]["total"] == {"budget": "100000", "executed": "75000"}
    assert [row["reason"] for row in record["indicators"]] == ["", "", ""]


def test_new_writes_the_skeleton_in_the_profiles_columns(mixed_site, capsys, monkeypatch):
    root, _, _ = mixed_site
    monkeypatch.chdir(root)
    assert main(["new", "新项目", "--year", "2025", "--slug", "fresh"]) == 0
    skeleton = (root / "content" / "2025" / "fresh.md").read_text(encoding="utf-8")
    (root / "content" / "2025" / "fresh.md").unlink()
    assert "initial:" not in skeleton and "reason:" not in skeleton[skeleton.index("indicators:"):]
    row = skeleton[skeleton.index("indicators:"):]
    keys = [line.strip().lstrip("- ").split(":")[0] for line in row.splitlines()[1:9]]
    assert keys == ["level1", "level2", "name", "weight", "target", "actual", "note", "score"]


def test_a_column_the_profile_lacks_is_an_unknown_key(tmp_path, capsys, monkeypatch):
    root = _mixed_site(tmp_path)
    path = root / "content" / "2024" / "court-archives.md"
    text = path.read_text(encoding="utf-8").replace("total:    {", "total:    {initial: 100000, ")
    path.write_text(text.replace("weight: 50, score: 40", "weight: 50, score: 40, reason: 设备到货延迟"),
                    encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "funds.total.initial" in out and "indicators[1].reason" in out


def test_without_weight_and_score_columns_the_form_still_scores(tmp_path, monkeypatch):
    """A table printing neither 分值 nor 得分: the rows still write their weights and scores, the 总分 is in
    the last column."""
    root = _mixed_site(tmp_path)
    (root / "profiles" / "mixed.toml").write_text(
        MIXED.replace('"weight", "target", "actual", "note", "score"', '"target", "actual", "note"')
        .replace('"executed", "weight", "rate"', '"executed", "rate"'), encoding="utf-8")
    config = load_config(root / "formgen.toml")
    model = form_model(config.profile_for())
    row = model.model_fields["indicators"].annotation.__args__[0]
    assert list(row.model_fields) == ["level1", "level2", "name", "target", "actual", "note", "weight", "score"]
    result = build_site([root / "content"], config, root / "out", pdf=False)
    html = (result.out / "forms" / "court-archives.html").read_text(encoding="utf-8")
    assert _header_cells(html, "form-indicators") == ["一级指标", "二级指标", "三级指标", "年度指标值(A)",
                                                      "实际完成值(B)", "说明"]
    cells = re.sub(r'</?span(?: class="fig")?>', "", html)  # figures are kept whole by spans of their own
    assert '<td class="num">76.94</td></tr>' in cells and "数字化卷宗数量≥10万页8万页<" in cells.replace(
        '</th><td>', "").replace("</td><td>", "").replace('</td><td class="text small">', "")


def test_bad_funds_columns_are_named_with_file_line_and_fix(tmp_path):
    root = _mixed_site(tmp_path)
    (root / "profiles" / "mixed.toml").write_text(
        MIXED.replace('["source", "budget", "executed", "weight", "rate", "score"]', '["budget", "executed", "score"]'),
        encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(root / "formgen.toml")
    found = {(Path(f.path).name, f.line, f.field, f"{f.message} — {f.fix}") for f in raised.value.findings}
    assert {where[:3] for where in found} == {("mixed.toml", 9, "layout.funds_columns")} and len(found) == 2
    messages = sorted(where[3] for where in found)
    assert messages[0].startswith("does not start with source — put source (资金来源) first")
    assert messages[1].startswith("lacks source, rate — add source, rate: every funding table has")


# --- 云南: the published form, figure by figure ----------------------------------------------------------

# (三级指标, 得分) as printed; the 19th row's 得分 was not seen (the copy ends there).
YUNNAN_ROWS = [("公猪舍(≥**平方米)", 1), ("母猪、保育猪舍(≥**平方米)", 3), ("育肥猪舍(≥**平方米)", 3),
               ("周转猪舍(≥**平方米)", 3), ("隔离舍(≥**平方米)", 2), ("仓库(≥**平方米)", 2),
               ("管理用房及消通道(≥**平方米)", 2), ("化粪池(≥**立方米)", 1), ("堆粪房(≥**平方米)", 1),
               ("消毒池(≥**平方米)", 1), ("排污沟(≥米)", 1), ("场地硬化(≥**平方米)", 2), ("粉碎拌合机(11kw)(≥台)", 1),
               ("产床(全复合双体产床)(≥套)", 1), ("保育栏(≥套)", 1), ("消毒机(≥台)", 1), ("冲洗机(≥台)", 1),
               ("种公猪(≥头)", 2)]


def test_yunnan_extends_hebei_without_weight_reason_or_initial_columns():
    yunnan = shipped_profiles()["yunnan"]
    assert (yunnan.extends, yunnan.source.title, yunnan.source.url) == (
        "hebei", "云南", "https://yncn.gov.cn/info/5102/8340150.htm")
    assert yunnan.layout.columns == ("level1", "level2", "name", "target", "actual", "score")
    assert yunnan.layout.funds_columns == ("source", "budget", "executed", "rate", "score")
    assert [line.label for line in yunnan.funds] == ["年度财政资金总额"]
    assert (yunnan.scheme.budget_weight, yunnan.scheme.score_decimals, yunnan.scheme.rate_decimals) == (20, 0, 0)
    output = yunnan.scheme.level1[0]
    assert (output.name, output.weight) == ("产出指标", 40)


def test_yunnan_form_reproduces_every_printed_figure():
    site = load_site([YUNNAN_FORM], site_config(YUNNAN), root=ROOT)
    # No discrepancy: every printed figure is what formgen computes. The warnings: the bare targets (as
    # printed), 执行率 20% without a 执行率偏差原因 (the table has none), and the 效益/满意度 rows the copy lacks.
    assert {(f.code, f.level) for f in site.findings} == {
        ("target-incomplete", Level.WARNING), ("execution-unexplained", Level.WARNING),
        ("level1-missing", Level.WARNING)}
    [entry] = site.forms
    scored = entry.scored
    # 执行率 10 ÷ 50 = 20%; 得分 20 × 0.2 = 4: as printed ("20", "4").
    assert (scored.execution_rate, scored.budget_score, scored.budget_weight) == (Decimal(20), Decimal(4), 20)
    assert [(r.indicator.name, r.score) for r in scored.indicators][:18] == YUNNAN_ROWS
    assert sum(points for _, points in YUNNAN_ROWS) == 29
    # The 19th row's weight is the 11 points left of 产出指标's 40 (an assumption, the copy ends there).
    assert scored.indicators[18].score == 11 and scored.subtotals["产出指标"] == 40
    # No 总分 was seen; formgen's rescales the 60 points the copy covers to 100: (4 + 40) ÷ 60 × 100 = 73.
    assert scored.total == 73


@pytest.fixture(scope="module")
def yunnan_site(tmp_path_factory):
    return build_fixture(YUNNAN, tmp_path_factory)


def test_yunnan_page_has_no_weight_reason_or_initial_column(yunnan_site):
    result, _ = yunnan_site
    html = (result.out / "forms" / "pig-farm.html").read_text(encoding="utf-8")
    assert _header_cells(html, "form-indicators") == ["一级指标", "二级指标", "三级指标", "年初目标值(A)",
                                                      "实际完成值(B)", "得分"]
    assert _header_cells(html, "form-top") == ["资金来源", "预算数(A)", "执行数(B)", "执行率(B/A)",
                                               "得分(20分*执行率)"]
    text = sheet_text(html)
    assert "年度财政资金总额5010204" in text and "预算<br>执行<br>情况<br>（万元）" in html
    assert "产出指标(40分)" in text and "公猪舍(≥**平方米)22.822.81" in text and "种公猪(≥头)222" in text
    assert "分值" not in text and "未完成原因分析" not in text and "年初预算数" not in text
    assert "总分73" in text.replace("　", "").replace(" ", "")
    assert "单位名称：昌宁县供销合作社联合社" in text and "项目类别1、部门预算项目□2、县直专项☑" in text
    record = json.loads((result.out / "data" / "forms" / "pig-farm.json").read_text(encoding="utf-8"))
    assert (record["execution_rate"], record["budget_score"], record["budget_weight"]) == ("20", "4", "20")
    assert record["funds"] == {"total": {"budget": "500000", "executed": "100000"}}  # 元
    assert [row["weight"] for row in record["indicators"]][:3] == ["1", "3", "3"]  # carried, not printed


def test_yunnan_pdf(yunnan_site):
    result, pdf = yunnan_site
    if not pdf:
        pytest.skip(NO_PDF)
    text = pdf_text(result.out / "pdf" / "pig-farm.pdf")
    assert "资金来源预算数(A)执行数(B)执行率(B/A)得分(20分*执行率)年度财政资金总额5010204" in text
    assert "一级指标二级指标三级指标年初目标值(A)实际完成值(B)得分" in text and "分值" not in text


def test_an_adjusted_budget_label_is_a_labels_matter(tmp_path, capsys, monkeypatch):
    """调整后预算数 in place of 全年预算数（A）: `[labels] budget`, on the sheet and in messages."""
    root = _mixed_site(tmp_path)
    adjusted = MIXED.replace('note = "说明"', 'note = "说明"\nbudget = "调整后预算数"')
    (root / "profiles" / "mixed.toml").write_text(adjusted, encoding="utf-8")
    path = root / "content" / "2024" / "court-archives.md"
    path.write_text(path.read_text(encoding="utf-8").replace("total:    {budget: 100000, executed: 75000}",
                                                             "total:    {budget: 70000, executed: 75000}"),
                    encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["check"]) == 1
    assert "调整后预算数" in capsys.readouterr().out
    path.write_text(_mixed_form(), encoding="utf-8")
    assert main(["build", "--no-pdf", "--out", "out"]) == 0
    html = (root / "out" / "forms" / "court-archives.html").read_text(encoding="utf-8")
    assert _header_cells(html, "form-top")[:3] == ["资 金 来 源", "调整后预算数", "全年执行数（B）"]
    assert "全年预算数" not in sheet_text(html)
