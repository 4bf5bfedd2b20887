"""Indicator levels beyond 产出/效益/满意度, as 宁夏's published 银川市本级 form prints them: 一级指标 项目决策 10 /
项目管理 25 / 项目产出 30 / 项目效益 35, the 决策 and 管理 rows scored by judgement, 二级指标 with points of their
own (数量指标(10分)), budget execution scored as the indicator row 预算执行率 instead of in the funding table,
empty template rows (指标2:) kept in the table, and the total in the header (自评得分). The fixture
(tests/fixtures/profiles/ningxia/) transcribes tests/fixtures/published/ningxia-2021-junior-school-funds.yaml;
each figure below is checked against that file, not against formgen's output."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import frontmatter
import jsonschema
import pytest
import yaml

from generator.build import BuildResult
from generator.config import load_config
from generator.findings import Level
from generator.pipeline import load_site
from generator.profile import ProfileError, form_model, parse_profile, shipped_profiles
from generator.schema import form_schema
from generator.scoring import Method

from .conftest import CONTENT, ROOT
from .fixturesites import FIXTURES, PUBLISHED, build_fixture, published, site_config
from .htmltools import level_label, sheet_text
from .pdftools import NO_PDF, pdf_text

SITE = FIXTURES / "ningxia"
FORM = SITE / "content" / "2021" / "junior-school-funds.md"
SOURCE = PUBLISHED / "ningxia-2021-junior-school-funds.yaml"
_POINTS = re.compile(r"^(.*)\((\d+)分\)$")


def _cell(text: str) -> tuple[str, Decimal | None]:
    """A printed 一级 or 二级 cell: its name and its points (项目产出(30分) → 项目产出, 30)."""
    match = _POINTS.match(text)
    return (match.group(1), Decimal(match.group(2))) if match else (text, None)


def _entry(path: Path = FORM, root: Path = ROOT):
    site = load_site([path], site_config(SITE), root=root)
    [entry] = site.entries
    return entry


def _variant(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The fixture form with some text replaced (each replacement must apply)."""
    text = FORM.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / FORM.name
    path.write_text(text, encoding="utf-8")
    return path


# --- the profile --------------------------------------------------------------------------------------

def test_ningxia_profile_has_the_published_levels_and_weights():
    ningxia = shipped_profiles()["ningxia"]
    layout = published(SOURCE)["layout"]
    assert (ningxia.extends, ningxia.source.title, ningxia.source.url) == \
        ("central", "宁夏", published(SOURCE)["source"]["url"])
    scheme = ningxia.scheme
    assert {level.name: level.weight for level in scheme.level1} == layout["weights"]
    assert scheme.budget_weight == 0 and scheme.budget_indicator == "预算执行率"
    assert [level.name for level in scheme.level1 if level.judged] == ["项目决策", "项目管理"]
    # The 二级 weights the published cells print: 数量指标(10分) … and 服务对象满意度指标(10分) (layout.notes).
    assert dict(scheme.level1[2].level2_weights) == {"数量指标": 10, "质量指标": 5, "时效指标": 5, "成本指标": 10}
    assert dict(scheme.level1[3].level2_weights) == {"服务对象满意度指标": 10}
    assert (scheme.score_decimals, scheme.rate_decimals) == (0, 0)  # layout.score_rounding: integers
    labels = ningxia.labels
    assert [labels.level1, labels.level2, labels.name, labels.weight, labels.target, labels.actual, labels.score,
            labels.reason] == layout["indicator_columns"]
    assert [labels.initial, labels.budget, labels.executed, labels.execution_rate] == layout["funds_columns"]
    assert [line.label for line in ningxia.funds] == layout["funds_rows"]
    assert (ningxia.money.unit, ningxia.money.shown_decimals) == (layout["money_unit"], layout["money_decimals"])
    assert (labels.title, labels.department, labels.implementer, labels.total, labels.review_score) == \
        tuple(layout["header_fields"])
    assert (ningxia.fields.filled_on, ningxia.fields.contact, ningxia.fields.review_score) == \
        ("absent", "absent", "optional")
    assert ningxia.layout.placeholder_rows and ningxia.layout.total_in_header


# --- the published form, figure by figure -------------------------------------------------------------

def test_every_row_is_transcribed_in_place_with_its_printed_points_and_score():
    scored = _entry().scored
    printed = published(SOURCE)["form"]["indicators"]
    scheme = shipped_profiles()["ningxia"].scheme
    assert len(scored.indicators) == len(printed) == 24
    for result, row in zip(scored.indicators, printed, strict=True):
        indicator = result.indicator
        level1, level1_points = _cell(row[0])
        level2, level2_points = _cell(row[1])
        assert (indicator.level1, indicator.level2, indicator.name) == (level1, level2, row[2])
        assert scheme.level1_named(level1).weight == level1_points
        assert scheme.level2_weight(level1, level2) == level2_points
        if row[3] == "":  # an empty template row: no figure printed, none kept, none scored
            assert row[4:7] == ["", "", ""] and result.method is Method.PLACEHOLDER
            assert indicator.placeholder and indicator.score is None
        else:
            assert (indicator.weight, indicator.score) == (Decimal(row[3]), Decimal(row[6]))
            assert (indicator.target, indicator.actual) == (row[4], row[5])
    assert sum(1 for result in scored.indicators if result.method is Method.PLACEHOLDER) == 8


def test_scores_subtotals_and_total_as_published_and_as_computed():
    scored = _entry().scored
    form = scored.form
    # The header's 自评得分 is 98; the visible printed scores add up to 84 (the source's first discrepancy).
    assert form.stated.total == Decimal(published(SOURCE)["form"]["header"]["自评得分"]) == 98
    assert sum(row.score for row in form.indicators if row.score is not None) == 84
    # 64.8 of 64.8 万元: 执行率 100 (the funding table prints it without 分值 or 得分).
    assert (form.funds.total.initial, form.funds.total.budget, form.funds.total.executed) == \
        (Decimal("64.8"), Decimal("64.8"), Decimal("64.8"))
    assert (scored.execution_rate, scored.budget_weight, scored.budget_score) == (100, 0, 0)
    # formgen where it computes otherwise: 预算执行率 10 × 64.8 ÷ 64.8 = 10 (printed 9), 公用经费完成时间 met
    # (2021年12月完成 = 2021年12月完成) 5 (printed 4); the judged 决策 and 管理 rows and the qualitative rows keep
    # their printed scores (13 of 15 and 8 of 10 lie in the band of a target reached, 80–100 %).
    computed = {result.indicator.name: result.score for result in scored.indicators
                if result.method is not Method.PLACEHOLDER and result.score != result.indicator.score}
    assert computed == {"预算执行率": 10, "公用经费完成时间": 5}
    methods = {result.indicator.name: result.method for result in scored.indicators}
    assert methods["预算执行率"] is Method.BUDGET and methods["完整性"] is Method.JUDGED
    assert scored.subtotals == {"项目决策": 10, "项目管理": 25, "项目产出": 30, "项目效益": 21}
    assert scored.total == 86 and scored.grade == "良"


def test_reports_exactly_the_discrepancies():
    """Two of the source's three discrepancies are formgen's (预算执行率 9 of 10 at 100 %; 公用经费完成时间 4 of 5
    although met) and the 自评得分 98 against the 86 formgen computes. The source's 13/15 and 8/10 for targets
    reached lie in the band a judged score may take: no discrepancy. 项目效益's rows add up to 25 of 35
    because the copy ends before the 服务对象满意度指标 row (10 points): a fact of the copy, reported."""
    entry = _entry()
    found = [(f.code, f.field, f.message) for f in entry.findings if f.level is Level.DISCREPANCY]
    assert found == [
        ("weights-sum", "indicators[20].weight", "the 参考分值 of the 项目效益 rows add up to 25, not 35"),
        ("score-mismatch", "indicators[5].score", "得分 9 differs from the computed 10 (指标值 —, 全年实际值 100%, "
                                                   "参考分值 10)"),
        ("score-mismatch", "indicators[13].score", "得分 4 differs from the computed 5 (指标值 2021年12月完成, "
                                                    "全年实际值 2021年12月完成, 参考分值 5)"),
        ("stated-differs", "stated.total", "自评得分 is stated as 98 but computes to 86")]
    # The printed targets without an operator (2370人, 15万元 …) are warnings, as in any form; the empty template
    # rows of a published copy are kept without a word.
    others = [(f.code, f.field) for f in entry.findings if f.level is not Level.DISCREPANCY]
    assert others == [("target-incomplete", f"indicators[{n}].target") for n in (9, 13, 15, 16, 17)]


def test_as_a_draft_the_same_figures_are_errors_and_the_empty_rows_warnings(tmp_path):
    entry = _entry(_variant(tmp_path, ("status: published\n", "")), tmp_path)
    errors = [(f.code, f.field) for f in entry.findings if f.level is Level.ERROR]
    assert errors == [("weights-sum", "indicators[20].weight"), ("score-mismatch", "indicators[5].score"),
                      ("score-mismatch", "indicators[13].score"), ("stated-differs", "stated.total")]
    empty = [f for f in entry.findings if f.code == "row-empty"]
    assert [f.field for f in empty] == [f"indicators[{n}]" for n in (10, 12, 14, 18, 19, 21, 22, 24)]
    assert {f.level for f in empty} == {Level.WARNING}
    assert empty[0].message == ("row 10 (数量指标 指标2:) has no 指标值(A), 全年实际值(B) or 参考分值: it is printed "
                                "as an empty template row and not scored")


# --- each new key, on its own ----------------------------------------------------------------------------

def test_a_second_level_weight_binds_its_rows(tmp_path):
    path = _variant(tmp_path, ("name: 保障人数, weight: 10, target: 2370人, actual: 2370人, score: 10",
                               "name: 保障人数, weight: 8, target: 2370人, actual: 2370人, score: 8"),
                    ("name: 公用经费标准, weight: 5,", "name: 公用经费标准, weight: 7,"))
    sums = [(f.field, f.message) for f in _entry(path, tmp_path).findings if f.code == "weights-sum"]
    # 项目产出 still adds up to 30; its 数量指标 (10分) and 质量指标 (5分) do not.
    assert ("indicators[9].weight", "the 参考分值 of the 项目产出 数量指标 rows add up to 8, not 10") in sums
    assert ("indicators[11].weight", "the 参考分值 of the 项目产出 质量指标 rows add up to 7, not 5") in sums
    assert not any("项目产出 rows" in message for _, message in sums)


def test_a_judged_row_needs_its_stated_score_and_takes_any_text(tmp_path):
    path = _variant(tmp_path, ("actual: 持续有效, score: 2}", "actual: 持续有效}"))
    [missing] = [f for f in _entry(path, tmp_path).findings if f.code == "score-required"]
    assert (missing.field, missing.level) == ("indicators[7].score", Level.ERROR)
    assert missing.message == "得分 is missing: a 项目管理 row is scored by judgement"
    # Outside a judged 一级指标 an empty 指标值 is still an error.
    path = _variant(tmp_path, ("target: 2370人, actual: 2370人", "target: \"\", actual: 2370人"))
    assert [(f.code, f.field) for f in _entry(path, tmp_path).findings if f.level is Level.ERROR] == \
        [("field-text-empty", "indicators[9].target")]


def test_the_budget_row_compares_its_actual_with_the_execution_rate_and_is_required(tmp_path):
    path = _variant(tmp_path, ("actual: 100%, score: 9", "actual: 90%, score: 10"), ("status: published\n", ""))
    [rate] = [f for f in _entry(path, tmp_path).findings if f.field == "indicators[5].actual"]
    assert (rate.code, rate.level) == ("stated-differs", Level.ERROR)
    assert rate.message == "全年实际值 90% is not the 执行率 of the funding table, 100% (全年执行数 ÷ 调整预算数)"
    path = _variant(tmp_path, ("name: 预算执行率,", "name: 预算执行情况,"))
    [missing] = [f for f in _entry(path, tmp_path).findings if f.code == "budget-row-missing"]
    assert missing.level is Level.ERROR and "scheme.budget_indicator" in missing.message


def test_the_reference_keeps_every_row_scored(tmp_path):
    """Without placeholder_rows a row without figures is not an empty template row: its figures are missing."""
    source = (CONTENT / "2024" / "trial-support-services.md").read_text(encoding="utf-8")
    row = "  - {level1: 产出指标, level2: 数量指标, name: \"指标2:\"}\n"
    heading = "indicators:                                 # 绩效指标\n"
    assert heading in source
    text = source.replace(heading, heading + row, 1)
    path = tmp_path / "trial-support-services.md"
    path.write_text(text, encoding="utf-8")
    site = load_site([path], load_config(ROOT / "formgen.toml"), root=tmp_path)
    missing = sorted(f.field for f in site.findings if f.code == "field-missing")
    assert missing == ["indicators[1].actual", "indicators[1].target", "indicators[1].weight"]


@pytest.mark.parametrize(("text", "message"), [
    ('[scheme]\nbudget_indicator = "预算执行率"\n',
     "budget_indicator “预算执行率” scores budget execution, and budget_weight is 10: the points would be counted "
     "twice; write budget_weight = 0"),
    ('[[scheme.level1]]\nname = "产出指标"\nweight = 50\nlevel2 = ["数量指标"]\nlevel2_weights = { "数量指标" = 40 }\n'
     '[[scheme.level1]]\nname = "效益指标"\nweight = 40\n',
     "level1 “产出指标”: its level2_weights add up to 40, not its weight 50"),
    ('[[scheme.level1]]\nname = "产出指标"\nweight = 90\nlevel2 = ["数量指标"]\nlevel2_weights = { "质量指标" = 10 }\n',
     "level1 “产出指标”: level2_weights names 质量指标, not in its level2 (数量指标)"),
])
def test_profile_errors_of_the_new_keys_name_the_file_and_key(text, message):
    with pytest.raises(ProfileError) as raised:
        parse_profile(text, "profiles/mine.toml", "mine")
    [finding] = raised.value.findings
    assert (finding.path, finding.field, finding.message) == ("profiles/mine.toml", "scheme", message)


# --- the page and the PDF ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[BuildResult, bool]:
    return build_fixture(SITE, tmp_path_factory)


def test_page_prints_the_published_table(built):
    result, _ = built
    html = (result.out / "forms" / "junior-school-funds.html").read_text(encoding="utf-8")
    text = sheet_text(html)
    assert text.startswith("银川市本级部门项目支出绩效自评表（2021年度）")
    # The header: 自评得分 98 as printed with formgen's 86 beside it, 财政审核评分 empty; no 总分 row below.
    assert "主管部门银川市教育局实施单位银川市第六中学自评得分98计算值86财政审核评分项目资金（万元）资金来源" in text
    assert 'class="form-total"' not in html and "总　　分" not in html
    # One funding row, 万元 with one decimal, no 分值 or 得分.
    assert "资金来源年初预算数调整预算数(A)全年执行数(B)执行率(B/A)年度资金总额64.864.864.8100年度总体目标" in text
    # 参考分值 before the targets; the 一级 and 二级 cells with their points; empty template rows as printed.
    assert all(level_label(name, points) in html
               for name, points in (("项目产出", 30), ("数量指标", 10), ("成本指标", 10)))
    assert "数量指标(10分)保障人数102370人2370人10指标2:质量指标(5分)公用经费标准5" in text
    assert '<th scope="row" class="level3">指标<span class="fig">2</span>:</th><td></td><td></td><td></td><td></td>' \
        '<td class="text small">' in html
    assert "预算执行率10—100%9计算值10" in text
    assert "经济效益指标指标1:指标2:社会效益指标效果显著15" in text
    record = json.loads((result.out / "data" / "forms" / "junior-school-funds.json").read_text(encoding="utf-8"))
    assert (record["total"], record["stated"]["total"], record["computed"]["total"]) == ("98", "98", "86")
    assert [row["weight"] for row in record["indicators"]].count(None) == 8
    assert record["indicators"][9] == {**record["indicators"][9], "name": "指标2:", "weight": None, "score": None,
                                       "method": "placeholder"}


def test_pdf_prints_the_published_table(built):
    result, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    text = pdf_text(result.out / "pdf" / "junior-school-funds.pdf")
    for figure in ("自评得分", "财政审核评分", "预算执行率", "指标2:", "与计算结果不一致之处"):
        assert figure in text


# --- 河北's 17 empty template rows ---------------------------------------------------------------------------

HEBEI = FIXTURES / "hebei"
HEBEI_FORM = HEBEI / "content" / "2019" / "hvac-renovation.md"
HEBEI_SOURCE = PUBLISHED / "hebei-2019-hvac-renovation.yaml"


def test_hebei_copy_with_its_empty_template_rows_scores_as_without_them(tmp_path):
    """河北's published table prints 26 rows, 17 of them empty (指标2, ……). Its fixture keeps them in their places
    (the hebei profile's placeholder_rows); left out under a profile that does not keep them, the form scores,
    adds up and is reported exactly as with them, and every row stands where the published table has it."""
    front, body = HEBEI_FORM.read_text(encoding="utf-8").split("---\n")[1:3]
    data = yaml.safe_load(front)
    printed = published(HEBEI_SOURCE)["form"]["indicators"]
    assert [(row["level1"], row["level2"], row["name"], "weight" in row) for row in data["indicators"]] == \
        [(row[0], row[1], row[2], bool(row[3])) for row in printed]
    data["indicators"] = [row for row in data["indicators"] if "weight" in row]
    site = tmp_path / "site"
    (site / "content" / "2019").mkdir(parents=True)
    (site / "profiles").mkdir()
    (site / "profiles" / "hebei-rows.toml").write_text('extends = "hebei"\n\n[layout]\nplaceholder_rows = false\n',
                                                      encoding="utf-8")
    (site / "formgen.toml").write_text('[site]\nprofile = "hebei-rows"\n', encoding="utf-8")
    form = site / "content" / "2019" / HEBEI_FORM.name
    form.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + body,
                    encoding="utf-8")
    [kept] = load_site([HEBEI_FORM], site_config(HEBEI), root=ROOT).entries
    [before] = load_site([form], site_config(site), root=site).entries
    rows = kept.scored.indicators
    assert [r.indicator.name for r in rows] == [row[2] for row in printed]
    assert sum(1 for r in rows if r.method is Method.PLACEHOLDER) == 17
    assert [(r.indicator.name, r.score) for r in rows if r.method is not Method.PLACEHOLDER] == \
        [(r.indicator.name, r.score) for r in before.scored.indicators]
    assert (kept.scored.subtotals, kept.scored.total) == (before.scored.subtotals, before.scored.total)
    # The same findings, each at its row's place in the published table (the empty rows say nothing).
    position = [index for index, row in enumerate(printed) if row[3]]

    def moved(field: str) -> str:
        return re.sub(r"indicators\[(\d+)\]", lambda m: f"indicators[{position[int(m.group(1)) - 1] + 1}]", field)

    assert [(f.code, f.level, f.field) for f in kept.findings] == \
        [(f.code, f.level, moved(f.field)) for f in before.findings]


def test_the_json_schema_reads_rows_as_the_checks_do():
    """An editor validating against `formgen schema --profile ningxia` accepts the published copy: empty 指标值
    under the judged 项目决策, and the empty template rows; it refuses an empty 指标值 elsewhere and a template
    row that writes one figure."""
    validator = jsonschema.Draft202012Validator(form_schema(form_model(shipped_profiles()["ningxia"])))
    data = json.loads(json.dumps(frontmatter.load(FORM).metadata, default=str))
    assert not list(validator.iter_errors(data))
    assert data["indicators"][2]["target"] == "" and data["indicators"][9] == \
        {"level1": "项目产出", "level2": "数量指标", "name": "指标2:"}
    row, template = dict(data["indicators"][8]), dict(data["indicators"][9])
    data["indicators"][8] = {**row, "target": ""}
    assert [list(error.path) for error in validator.iter_errors(data)] == [["indicators", 8, "target"]]
    data["indicators"][8], data["indicators"][9] = row, {**template, "weight": 3}
    assert [list(error.path) for error in validator.iter_errors(data)] == [["indicators", 9]]
