"""How weights work per scheme (``[scheme] weights``): fixed per 一级指标 (the reference), or free — the unit
spreads the indicator points over its rows, and only their total per form is fixed."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.__main__ import main
from generator.build import build_site
from generator.config import ConfigError, load_config
from generator.profile import form_model, shipped_profiles

from .conftest import ROOT
from .fixturesites import FIXTURES
from .htmltools import sheet_text

REFERENCE_FORM = ROOT / "content" / "2024" / "judicial-aid-one-case.md"


def _free_site(tmp_path: Path, forms: dict[str, str]) -> None:
    """A site whose own profile extends the reference with free weights: 90 points for the indicators."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "free.toml").write_text(
        'extends = "reference"\ntitle = "自由分值"\n\n[scheme]\nweights = "free"\n', encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "free"\n', encoding="utf-8")
    (tmp_path / "content").mkdir()
    for name, text in forms.items():
        (tmp_path / "content" / f"{name}.md").write_text(text, encoding="utf-8")


def _reweighted(weights: list[int]) -> str:
    """The reference form with its six rows' 分值 (and, all being met, 得分) replaced, in order."""
    text = REFERENCE_FORM.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if line.startswith("  - {level1:")]
    assert len(rows) == len(weights)
    for i, weight in zip(rows, weights, strict=True):
        head, _, _ = lines[i].partition(" weight:")
        lines[i] = f"{head} weight: {weight}, score: {weight}}}\n"
    return "".join(lines)


def _check_json(capsys) -> dict:
    capsys.readouterr()
    code = main(["check", "--format", "json"])
    return {"code": code, **json.loads(capsys.readouterr().out)}


def test_free_weights_differ_per_form_and_add_up_to_the_fixed_total(tmp_path, capsys, monkeypatch):
    # 产出 55, 效益 25, 满意度 10 in one form; 产出 40, 效益 40, 满意度 10 in the other: neither is the
    # reference's 50/30/10, both carry 90 points, and every row is met, so both total 100.
    _free_site(tmp_path, {"a": _reweighted([15, 20, 10, 10, 25, 10]),
                          "b": _reweighted([10, 10, 10, 10, 40, 10])})
    monkeypatch.chdir(tmp_path)
    report = _check_json(capsys)
    assert report["code"] == 0, report
    assert not [f for f in report["findings"] if f["code"] == "weights-sum"]
    capsys.readouterr()
    assert main(["build", "--no-pdf"]) == 0
    feed = json.loads((tmp_path / "output" / "data" / "forms.json").read_text(encoding="utf-8"))
    assert sorted(Decimal(form["total"]) for form in feed["forms"]) == [Decimal(100), Decimal(100)]


def test_free_weights_that_miss_the_total_are_an_error_naming_it(tmp_path, capsys, monkeypatch):
    _free_site(tmp_path, {"a": _reweighted([15, 20, 10, 10, 25, 5])})
    monkeypatch.chdir(tmp_path)
    report = _check_json(capsys)
    assert report["code"] != 0
    [finding] = [f for f in report["findings"] if f["code"] == "weights-sum"]
    assert finding["level"] == "error"
    assert "add up to 85, not the fixed total 90" in finding["message"]
    assert finding["fix"] == "make the rows' 分值 add up to 90"
    # The reference's per-level rule is not applied on top: 产出 55 and 效益 25 are not errors.
    assert "产出指标" not in finding["message"]


# --- Unscored forms (weights = "none") and the 湖南 profile ------------------------------------------------

HUNAN = FIXTURES / "hunan"
HUNAN_FORM = HUNAN / "content" / "2020" / "grain-reserve.md"
# Rows whose printed target has no operator and is not the qualitative 高 (rows 1–16 but 14): the published
# form writes bare 100%, 0, 0起, 90%.
BARE_TARGETS = [row for row in range(1, 17) if row != 14]


def test_hunan_profile_is_unscored_and_prints_no_score_column():
    hunan = shipped_profiles()["hunan"]
    assert (hunan.extends, hunan.source.title, hunan.source.url) == (
        "central", "湖南", "https://taowenge.com/p-72820237.html")
    assert hunan.scheme.weights == "none" and not hunan.scheme.scored
    assert hunan.layout.columns == ("level1", "level2", "name", "target", "actual", "reason")
    assert hunan.layout.funds_columns == ("source", "budget", "executed", "rate")
    assert [line.label for line in hunan.funds] == ["年度资金总额", "其中:中央、省、市补助县级资金", "其他资金"]
    # Its form has no weight or score keys: writing one is an unknown key.
    assert not {"weight", "score"} & set(form_model(hunan).model_fields["indicators"].annotation.__args__[0]
                                         .model_fields)


def test_hunan_form_checks_with_exactly_what_its_published_copy_prints(capsys, monkeypatch):
    monkeypatch.chdir(HUNAN)
    report = _check_json(capsys)
    assert report["code"] == 0, report
    found = sorted((f["code"], f["level"], f["field"]) for f in report["findings"])
    assert found == sorted([
        # The published targets carry no operator (bare 100%, 0, 0起, 90%).
        *(("target-incomplete", "warning", f"indicators[{row}].target") for row in BARE_TARGETS),
        # 政策性挂账利息补贴保障率: 全年完成值 “无” against 100%, the reason printed beside it.
        ("unscorable", "warning", "indicators[11].actual"),
        # 市民满意度调查: a bare 90% reads as ＝90%, so 100% misses it, and the form gives no reason.
        ("missed-unexplained", "warning", "indicators[16].reason"),
    ])
    # Nothing about points: no weights to add up, no 得分 to ask for, no grade.
    assert not [f for f in report["findings"] if f["code"] in {"weights-sum", "score-required", "budget-weight"}]


def test_a_score_in_an_unscored_form_is_an_unknown_key(tmp_path, capsys, monkeypatch):
    shutil.copytree(HUNAN, tmp_path / "site")
    form = tmp_path / "site" / "content" / "2020" / "grain-reserve.md"
    text = form.read_text(encoding="utf-8").replace("actual: 100%}", "actual: 100%, weight: 5, score: 5}", 1)
    form.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "site")
    report = _check_json(capsys)
    assert report["code"] != 0
    assert {f["field"] for f in report["findings"] if f["level"] == "error"} == {
        "indicators[1].weight", "indicators[1].score"}


@pytest.fixture(scope="module")
def hunan_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("hunan") / "out"
    result = build_site([HUNAN / "content"], load_config(HUNAN / "formgen.toml"), out, pdf=True)
    return result, out


def test_hunan_page_shows_no_score_cells(hunan_site):
    _, out = hunan_site
    page = (out / "forms" / "grain-reserve.html").read_text(encoding="utf-8")
    text = sheet_text(page)
    for label in ("分值", "得分", "总分", "等级"):
        assert label not in text, label
    assert "(50分)" not in text and "产出指标" in text
    assert "年度资金总额194.9194.9100其中:中央、省、市补助县级资金194.9194.9-其他资金00-" in text
    assert "政策性挂账利息补贴保障率100%无（概述）当年未轮换、未动用库存" in text
    assert "说明无" in text


def test_hunan_pdf_has_the_table_without_scores(hunan_site):
    _, out = hunan_site
    reader = PdfReader(out / "pdf" / "grain-reserve.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "县级专项资金绩效目标自评表" in text and "市民满意度调查 90% 100%" in text
    for label in ("分值", "得分", "总分", "等级"):
        assert label not in text.replace("\n", ""), label
    assert "总分" not in str(reader.metadata.get("/Subject", ""))
    # The bundle's cover lists the form with “—” for its 总分 and 等级.
    [bundle] = (out / "pdf" / "bundles").glob("*.pdf")
    cover = PdfReader(bundle).pages[0].extract_text()
    assert "共1张" in cover and "— —" in cover.replace("\n", " ")


def test_hunan_feed_has_null_points(hunan_site):
    _, out = hunan_site
    [record] = json.loads((out / "data" / "forms.json").read_text(encoding="utf-8"))["forms"]
    assert (record["execution_rate"], record["funds"]["total"]["budget"]) == ("100", "1949000")
    assert [record[key] for key in ("budget_weight", "budget_score", "total", "grade")] == [None] * 4
    assert record["subtotals"] == {}
    assert {(row["weight"], row["score"]) for row in record["indicators"]} == {(None, None)}


def _grade_counts(index: str) -> dict[str, list[tuple[str, int]]]:
    """The count of forms per grade of each year's summary on a list page."""
    return {year: [(grade, int(count)) for grade, count in re.findall(r"<span>(\S+) (\d+)</span>", grades)]
            for year, grades in re.findall(r'<h2>(\d{4})年度</h2>.*?<dd class="grades">(.*?)</dd>', index, re.S)}


def test_lists_show_an_unscored_form_beside_scored_ones(tmp_path):
    """A site mixing the reference forms and the 湖南 form: the 湖南 row shows “—” for 总分 and 等级, and
    counts in the sums of A and B but under no grade."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copytree(HUNAN / "content" / "2020", site / "content" / "2020")
    (site / "content" / "2020" / "grain-reserve.md").write_text(
        HUNAN_FORM.read_text(encoding="utf-8").replace("year: 2020\n", "year: 2020\nprofile: hunan\n", 1),
        encoding="utf-8")
    shutil.copy(ROOT / "formgen.toml", site / "formgen.toml")
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    build_site([ROOT / "content"], load_config(ROOT / "formgen.toml"), tmp_path / "reference")
    index = (out / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr data-slug="grain-reserve"[^>]*>(.*?)</tr>', index, re.S)
    assert row is not None and 'data-grade=""' in row.group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))[-2:] == ["—", "—"]
    # The grade counts are the reference site's alone: the 湖南 form has no grade (figures are per year: the
    # 湖南 form is 2020's, the reference forms 2024's).
    reference_index = (tmp_path / "reference" / "index.html").read_text(encoding="utf-8")
    counts, reference_counts = _grade_counts(index), _grade_counts(reference_index)
    assert counts["2024"] == reference_counts["2024"] and sum(count for _, count in counts["2024"]) == 10
    assert [count for _, count in counts["2020"]] == [0] * len(counts["2020"])
    # The chart draws its 执行率 bar and no 总分 bar.
    assert ('<rect class="bar-total" width="0.00" height="10"/></svg><span class="chart-value">'
            '<span class="visually-hidden">总分 </span>—</span>') in index
    year = (out / "years" / "2020.html").read_text(encoding="utf-8")
    assert "（1张）" in year and ">—</td>" in year
    csv_text = (out / "data" / "forms.csv").read_text(encoding="utf-8-sig")
    [line] = [line for line in csv_text.splitlines() if line.startswith("grain-reserve,")]
    assert line.endswith(",1949000,1949000,100,,,"), line  # no 预算执行得分, 总分 or 等级


def test_new_writes_an_unscored_form_without_weight_or_score_keys(tmp_path, capsys, monkeypatch):
    shutil.copytree(HUNAN, tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    assert main(["new", "县级储备粮", "--year", "2021", "--slug", "grain-2021"]) == 0
    text = (tmp_path / "site" / "content" / "2021" / "grain-2021.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"^[\s-]*([a-z_0-9]+):", text, re.M))
    assert {"level1", "target", "actual", "reason"} <= keys
    assert not {"weight", "score", "budget_weight", "filled_on", "contact"} & keys


def test_an_unscored_profile_with_a_score_column_names_the_key(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text(
        'extends = "hunan"\n\n[layout]\ncolumns = ["level1", "level2", "name", "target", "actual", "weight", '
        '"reason"]\nfunds_columns = ["source", "budget", "executed", "rate", "score"]\nwidths = []\n',
        encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "mine"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "formgen.toml")
    found = sorted((Path(f.path).name, f.line, f.field, f.message, f.fix) for f in raised.value.findings)
    assert found == [
        ("mine.toml", 4, "layout.columns.5", "“weight” is a column of a scored table, and the scheme's weights are "
         "\"none\"", "leave weight out of layout.columns: an unscored form has no 分值 or 得分"),
        ("mine.toml", 5, "layout.funds_columns.4", "“score” is a column of a scored table, and the scheme's weights "
         "are \"none\"", "leave score out of layout.funds_columns: an unscored form has no 分值 or 得分")]


def test_a_scored_profile_without_a_budget_score_column_is_an_error(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text(
        'extends = "reference"\n\n[layout]\nfunds_columns = ["source", "initial", "budget", "executed", "weight", '
        '"rate"]\n', encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "mine"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "formgen.toml")
    [finding] = raised.value.findings
    assert (finding.field, finding.message) == ("layout.funds_columns", "lacks score")
    assert 'weights = "none"' in finding.fix
