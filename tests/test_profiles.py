"""Profiles (表样): each shipped profile's fixture form checks, scores, renders (HTML and PDF) and validates
by that profile's rules and labels; per-form profiles override the site's; profile files are data,
validated with every error named; the reference profile is the model of docs/fields.md."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import frontmatter
import jsonschema
import pytest
from pypdf import PdfReader

from generator import formatting
from generator.__main__ import main
from generator.config import ConfigError, Scheme, SiteConfig, load_config
from generator.formatting import money
from generator.model import Form
from generator.pipeline import load_site
from generator.profile import MoneyFormat, Profile, form_model, shipped_profiles
from generator.schema import field_reference, form_schema

from .conftest import ROOT
from .fixturesites import FIXTURES, build_fixture, site_config
from .htmltools import level_label, sheet_text
from .pdftools import NO_PDF, pdf_text

# The fixture sites of this file, each named after its profile: two shipped ones and two site profiles
# (profiles/<name>.toml beside their formgen.toml): split, with the target in three cells 指标性质 / 指标值 /
# 度量单位, and budget20, 湖北's scheme (预算执行率 20 points) in the reference's layout.
SHIPPED = ("reference", "central", "split", "budget20")
# central's own fixture (tests/fixtures/profiles/central) is the copy of a published form, tested in
# tests/test_central.py; the constructed 示例部 form these tests were written for is a site of that profile.
FOLDERS = {"central": "central-sample"}

# profile → (its fixture form, 执行率, 预算执行得分, 总分, 等级), computed by hand from its rules:
EXPECTED = {
    # 75,000 ÷ 100,000 → 75.00 → 10 × 0.75 = 7.50; 40 + 20 + 10 × 85 ÷ 90 (9.44); 76.94 → 中
    "reference": ("court-archives", "75.00", "7.50", "76.94", "中"),
    # 108.5437 ÷ 120 万元 = 90.4530…% → 90.45 → 9.05; 18 + 10 + 10 + 10 + 20 + 10; 87.05 → 良
    "central": ("training-program", "90.45", "9.05", "87.05", "良"),
    # 50 of 50 万元; every row met: 100 → 优
    "split": ("service-stations", "100.00", "10", "100", "优"),
    # 170,000 ÷ 200,000 → 85.00 → 20 × 0.85 = 17; 20 + 10 + 10 + 15 + 10; 82 → 良
    "budget20": ("legal-aid", "85.00", "17", "82", "良"),
}


def _folder(name: str) -> Path:
    return FIXTURES / FOLDERS.get(name, name)


def _form(name: str) -> Path:
    return _folder(name) / "content" / "2024" / f"{EXPECTED[name][0]}.md"


def _findings(path: Path, config: SiteConfig) -> list[str]:
    return [str(finding) for finding in load_site([path], config, root=ROOT).findings]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each profile's fixture site, built with its PDFs (or without, where this machine cannot make them)."""
    sites, pdf = {}, False
    for name in SHIPPED:
        sites[name], pdf = build_fixture(_folder(name), tmp_path_factory)
    return sites, pdf


# --- the shipped profiles --------------------------------------------------------------------------

def test_four_profiles_ship_and_the_reference_is_the_default():
    profiles = shipped_profiles()
    # 河北's, 安徽's, 上海's, 云南's, 宁夏's, 四川's and 湖北's fixtures are published copies: tests/test_rounding.py,
    # tests/test_provinces.py, tests/test_columns.py, tests/test_levels.py, tests/test_sichuan_hubei.py
    assert set(profiles) == {"reference", "central", "hubei", "sichuan", "hebei", "anhui", "shanghai", "yunnan",
                             "hunan", "ningxia", "sichuan-dept"}
    reference = profiles["reference"]
    # reference.toml spells out every default: the defaults of a profile file are the reference's. Its
    # title, description and source describe the file, not the form.
    assert reference == Profile(title=reference.title, description=reference.description, source=reference.source)
    assert reference.scheme == Scheme() == SiteConfig().scheme
    assert SiteConfig().profile_for().name == "reference"
    assert load_config(ROOT / "formgen.toml").profile_for() == reference


def test_the_reference_profile_builds_the_documented_model():
    reference = form_model(shipped_profiles()["reference"])
    assert field_reference(reference) == field_reference(Form) == (ROOT / "docs" / "fields.md").read_text("utf-8")
    ours, static = form_schema(reference), form_schema(Form)
    assert ours["properties"].pop("profile")["enum"] == ["reference"]
    static["properties"].pop("profile")
    assert ours == static


def test_what_each_profile_changes():
    profiles = shipped_profiles()
    central, hubei = profiles["central"], profiles["hubei"]
    split = site_config(_folder("split")).profile_for()
    assert (central.money.unit, central.labels.reason, "note" in central.layout.columns) == \
        ("万元", "偏差原因分析及改进措施", False)
    assert [line.label for line in central.funds] == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    assert [line.label for line in split.funds] == \
        ["年度资金总额", "财政资金", "财政专户管理资金", "单位资金", "其他资金"]
    assert split.layout.columns[3:6] == ("nature", "target", "unit")
    assert hubei.scheme.budget_weight == 20 and sum(level.weight for level in hubei.scheme.level1) == 80
    assert [(band.low, band.high) for band in hubei.scheme.bands] == \
        [(Decimal("0.8"), 1), (Decimal("0.5"), Decimal("0.8")), (0, Decimal("0.5"))]


# --- each fixture: checks, scores, renders ----------------------------------------------------------

@pytest.mark.parametrize("name", SHIPPED)
def test_fixture_checks_clean_and_scores_by_its_profile(name):
    config = site_config(_folder(name))
    site = load_site([_form(name)], config, root=ROOT)
    assert not site.findings, [str(finding) for finding in site.findings]
    [entry] = site.forms
    _, rate, budget_score, total, grade = EXPECTED[name]
    scored = entry.scored
    assert entry.profile is not None and entry.profile.name == name
    assert (formatting.rate(scored.execution_rate), formatting.score(scored.budget_score),
            formatting.score(scored.total), scored.grade) == (rate, budget_score, total, grade)


@pytest.mark.parametrize("name", SHIPPED)
def test_fixture_page_shows_its_profile(built, name):
    sites, _ = built
    slug, rate, budget_score, total, grade = EXPECTED[name]
    out = sites[name].out
    html = (out / "forms" / f"{slug}.html").read_text(encoding="utf-8")
    text = sheet_text(html)
    labels = site_config(_folder(name)).profile_for().labels
    assert labels.form_title in text and labels.reason in text
    assert f'<td class="num">{rate}</td>' in html and f">{budget_score}</td></tr>" in html
    assert f'<td class="num">{total}</td>' in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f"<td>{grade}</td>" in index or f">{grade}<" in index
    if name in ("reference", "budget20"):
        assert "项目<br>资金<br>（元）" in html and "备注" in text and "[" in text
    if name == "reference":
        assert "年度资金总额：100,000" in text and "年度指标值(A)" in text
    if name == "budget20":  # 20 points for the budget, 产出指标 40
        assert '<td class="num">20</td><td class="num">85.00</td>' in html and level_label("产出指标", 40) in html
    if name == "central":
        assert "项目<br>资金<br>（万元）" in html and "备注" not in text
        assert "年度资金总额120.00120.00108.54" in text  # 万元, rounded half up to 0.01 for printing
        assert "其中：当年财政拨款100.00100.0090.54" in text and "主管部门示例部" in text
    if name == "split":
        assert "指标性质指标值度量单位实际完成值" in text
        assert "新建服务站数量≥10个11" in text and "财政专户管理资金10.0010.0010.00" in text
    data = json.loads((out / "data" / f"forms/{slug}.json").read_text(encoding="utf-8"))
    if name == "central":  # the feed is in 元 whatever the form's unit
        assert data["funds"]["total"] == {"initial": "1200000", "budget": "1200000", "executed": "1085437"}
    if name == "split":  # and its target reads as one cell would
        assert data["indicators"][0]["target"] == "≥10个" and data["indicators"][0]["actual"] == "11个"


@pytest.mark.parametrize("name", SHIPPED)
def test_fixture_pdf_shows_its_profile(built, name):
    sites, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    slug, rate, _, total, grade = EXPECTED[name]
    result = sites[name]
    assert result.pdfs == 1
    pdf_file = result.out / "pdf" / f"{slug}.pdf"
    text = pdf_text(pdf_file)
    labels = site_config(_folder(name)).profile_for().labels
    assert labels.form_title in text and rate in text and "".join(labels.total.split()) in text
    subject = PdfReader(pdf_file).metadata.subject
    assert f"总分{total}" in subject and f"等级{grade}" in subject
    if name == "central":
        assert "108.54" in text and "偏差原因分析及改进措施" in text


# --- validation by the profile's rules, with its labels ---------------------------------------------

def _variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = _form(name).read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / f"{EXPECTED[name][0]}.md"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if text in line)


# (profile, change to its fixture, row, the band the error names)
BANDS = [
    ("reference", ("weight: 30, score: 20", "weight: 30, score: 25"), 2, "18–24"),
    ("central", ("weight: 30, score: 20", "weight: 30, score: 17"), 5, "18–24"),
    ("split", ("actual: 达成预期指标, weight: 30",
                 "actual: 部分达成预期指标并具有一定效果, weight: 30, score: 30"), 5, "18–24"),
    ("budget20", ("weight: 30, score: 15", "weight: 30, score: 14"), 4, "15–24"),  # 湖北: 50–80 % of 30
]


@pytest.mark.parametrize(("name", "change", "row", "band"), BANDS)
def test_a_qualitative_score_outside_its_band_is_an_error(tmp_path, capsys, monkeypatch, name, change, row, band):
    path = _variant(tmp_path, name, *change)
    monkeypatch.chdir(tmp_path)
    config = _folder(name) / "formgen.toml"
    assert main(["check", path.name, *(["--config", str(config)] if config.exists() else [])]) == 1
    [line] = [line for line in capsys.readouterr().out.splitlines() if "lies outside the band" in line]
    number = _line_of(path, change[1])
    assert line.startswith(f"{path.name}:{number}: indicators[{row}].score (绩效指标 第{row}项 得分): ")
    assert f"“部分达成预期指标并具有一定效果”: {band}" in line


def test_hubei_bands_are_not_the_reference_bands(tmp_path):
    # 15 of 30 is 50 %: inside 湖北's 部分达成 band (50–80 %), below the reference's (60–80 %). The site is
    # the reference's; the form names budget20, 湖北's scheme.
    assert not _findings(_form("budget20"), site_config(_folder("budget20")))
    path = _variant(tmp_path, "budget20", "profile: budget20\n", "")
    findings = _findings(path, site_config(_folder("budget20")))
    assert any("lies outside the band" in finding and ": 18–24 " in finding for finding in findings)


def test_messages_and_labels_follow_the_profile(tmp_path):
    config = site_config(_folder("central"))
    # 偏差原因分析及改进措施 in place of 未完成原因分析: in the label and in the fix.
    path = _variant(tmp_path, "central", ", reason: 两期培训延至次年，将于一季度补齐", "")
    [warning] = [f for f in _findings(path, config) if "was missed" in f]
    assert "indicators[1].reason (绩效指标 第1项 偏差原因分析及改进措施)" in warning
    assert "explain in 偏差原因分析及改进措施 why" in warning
    # Money in 万元: six decimals reach the fen; a seventh is an error with the profile's label.
    path = _variant(tmp_path, "central", "executed: 108.5437}", "executed: 108.5437159}")
    [error] = [f for f in _findings(path, config) if "decimals" in f]
    assert "funds.total.executed (项目资金（万元） 年度资金总额 全年执行数): 108.5437159 has more than six " \
           "decimals" in error
    # The funding rows' sums are the profile's: 年度资金总额 = 其中：当年财政拨款 + 上年结转资金 + 其他资金.
    path = _variant(tmp_path, "central", "carryover: {initial: 20, budget: 20, executed: 18}",
                    "carryover: {initial: 20, budget: 20, executed: 18.5}")
    [error] = [f for f in _findings(path, config) if "funds-sum" in f or "but 其中" in f]
    assert "年度资金总额 全年执行数 is 108.5437万元, but 其中：当年财政拨款 + 上年结转资金 + 其他资金 = " \
           "109.0437万元" in error
    # The three-cell target: each cell is validated, with its label.
    path = _variant(tmp_path, "split", "nature: ≥, target: 10", "nature: 大约, target: 10")
    [error] = [f for f in _findings(path, site_config(_folder("split"))) if "指标性质" in f]
    assert "indicators[1].nature (绩效指标 第1项 指标性质): “大约” is not a 指标性质" in error


# --- where the profile comes from -------------------------------------------------------------------

def test_a_forms_profile_overrides_the_sites(tmp_path, capsys, monkeypatch):
    shutil.copytree(FIXTURES / "budget20" / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "budget20" / "profiles", tmp_path / "profiles")
    shutil.copy(_form("central"), tmp_path / "content" / "2024")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "central"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(["export"]) == 0
    forms = {form["slug"]: form for form in json.loads(capsys.readouterr().out)["forms"]}
    assert (forms["legal-aid"]["budget_weight"], forms["legal-aid"]["total"]) == ("20", "82")  # its own: 湖北's
    assert (forms["training-program"]["budget_weight"], forms["training-program"]["total"]) == ("10", "87.05")
    # A form naming no profile is an error at its line, with the profiles to choose from.
    path = tmp_path / "content" / "2024" / "legal-aid.md"
    path.write_text(path.read_text(encoding="utf-8").replace("profile: budget20", "profile: budget2"),
                    encoding="utf-8")
    assert main(["check"]) == 1
    [line] = [line for line in capsys.readouterr().out.splitlines() if "budget2" in line]
    number = _line_of(path, "profile: budget2")
    assert line.startswith(f"content/2024/legal-aid.md:{number}: profile (表样): “budget2” is not a profile — "
                           "write one of ")
    assert "budget20" in line


def test_the_sites_scheme_adjusts_its_profile_and_the_grade_follows(tmp_path):
    central = _variant(tmp_path, "central", "year: 2024", "profile: central\nyear: 2024")
    shutil.copytree(FIXTURES / "budget20" / "profiles", tmp_path / "profiles")
    path = tmp_path / "formgen.toml"
    path.write_text('[site]\nprofile = "budget20"\n\n[[scheme.grades]]\nname = "优"\nminimum = 80\n\n'
                    '[[scheme.grades]]\nname = "良"\nminimum = 60\n\n[[scheme.grades]]\nname = "差"\nminimum = 0\n',
                    encoding="utf-8")
    config = load_config(path)
    assert config.scheme.budget_weight == 20  # the rest of the scheme is 湖北's
    [entry] = load_site([_form("budget20")], config, root=ROOT).forms
    assert (entry.scored.total, entry.scored.grade) == (Decimal(82), "优")
    # A form naming another profile keeps that profile's own scheme.
    [entry] = load_site([central], config, root=ROOT).forms
    assert (entry.scored.total, entry.scored.grade) == (Decimal("87.05"), "良")


def test_a_new_profile_is_a_data_file(tmp_path, capsys, monkeypatch):
    """A site's profiles/<name>.toml: a 云南-style three-cell target in 元, without a line of code."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "yunnan.toml").write_text(
        'title = "云南"\n\n[labels]\ntarget = "指标值"\nreason = "偏差原因分析及改进措施"\n\n[layout]\n'
        'columns = ["level1", "level2", "name", "nature", "target", "unit", "actual", "weight", "score", "reason"]\n'
        'funds_spans = [2, 1, 2, 2, 1, 1, 1]\n', encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "yunnan"\n', encoding="utf-8")
    form = _form("split").read_text(encoding="utf-8")
    for old, new in (("total:      {initial: 50, budget: 50, executed: 50}",
                      "total: {initial: 500000, budget: 500000, executed: 500000}"),
                     ("fiscal:     {initial: 30, budget: 30, executed: 30}",
                      "fiscal: {initial: 500000, budget: 500000, executed: 500000}\n  own: {initial: 500000, "
                      "budget: 500000, executed: 500000}\n  transfer: {initial: 0, budget: 0, executed: 0}"),
                     ("  special:    {initial: 10, budget: 10, executed: 10}\n", ""),
                     ("  unit_funds: {initial: 5, budget: 5, executed: 5}\n", ""),
                     ("other:      {initial: 5, budget: 5, executed: 5}",
                      "other: {initial: 0, budget: 0, executed: 0}"),
                     ('code: ""', 'code: "530"')):
        assert old in form, old
        form = form.replace(old, new)
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "stations.md").write_text(form, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(["build", "--no-pdf"]) == 0
    text = sheet_text((tmp_path / "output" / "forms" / "stations.html").read_text(encoding="utf-8"))
    assert "年度资金总额：500,000500,000500,000" in text and "指标性质指标值度量单位" in text
    assert "[530]示例县民政局" in text


def test_a_bad_profile_file_names_file_line_key_and_fix(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text(
        'title = "我的表样"\n\n[money]\nunit = "千元"\n\n[labels]\nform_titel = "项目支出绩效自评表"\n\n[layout]\n'
        'columns = ["level1", "level2", "name", "nature", "target", "actual", "score", "weight", "reason"]\n\n'
        '[[funds]]\nkey = "total"\nlabel = "年度资金总额"\ndepth = 0\nparts = ["fiscal"]\n', encoding="utf-8")
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "mine"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "formgen.toml")
    found = [(Path(f.path).name, f.line, f.field, f"{f.message} — {f.fix}") for f in raised.value.findings]
    assert [where[:3] for where in found] == [("mine.toml", 4, "money.unit"), ("mine.toml", 7, "labels.form_titel"),
                                              ("mine.toml", 10, "layout.columns"), ("mine.toml", 10, "layout.columns"),
                                              ("mine.toml", 16, "funds.0.parts")], "not “no such profile” either"
    messages = [where[3] for where in found]
    assert messages[0].startswith("must be one of '元', '万元'")
    assert messages[1] == "is not a key here — did you mean “form_title”?"
    assert messages[2].startswith("has only one of nature and unit — list both nature (指标性质) and unit (度量单位)")
    assert messages[3].startswith("score does not follow weight — put score right after weight")
    assert messages[4].startswith("“fiscal” is not the key of another row")


def test_schema_follows_the_profile(capsys):
    def schema(*args):
        assert main(["schema", *args]) == 0
        return json.loads(capsys.readouterr().out)

    configs = {name: ["--config", str(FIXTURES / name / "formgen.toml")] for name in ("split", "budget20")}
    split_config = configs["split"]
    central, split = schema("--profile", "central"), schema("--profile", "split", *split_config)
    defs = central["$defs"]
    assert set(defs["Funds"]["properties"]) == {"total", "current", "carryover", "other"}
    assert central["properties"]["funds"]["title"] == "项目资金（万元）"
    assert "note" not in defs["Indicator"]["properties"]
    assert defs["Indicator"]["properties"]["reason"]["title"] == "偏差原因分析及改进措施"
    assert list(split["$defs"]["Indicator"]["properties"])[3:7] == ["nature", "target", "unit", "actual"]
    for name in ("central", "split", "budget20"):
        data = json.loads(json.dumps(frontmatter.load(_form(name)).metadata, default=str))
        validator = jsonschema.Draft202012Validator(schema("--profile", name, *configs.get(name, [])))
        assert not list(validator.iter_errors(data)), name
    data = json.loads(json.dumps(frontmatter.load(_form("central")).metadata, default=str))
    data["indicators"][0]["note"] = "备注"  # no such column in the central template
    assert list(jsonschema.Draft202012Validator(central).iter_errors(data))
    assert main(["schema", "--profile", "nowhere"]) == 2
    assert "not a profile" in capsys.readouterr().err


# --- money --------------------------------------------------------------------------------------------

def test_money_is_printed_in_the_profiles_unit_and_precision():
    yuan, wan = MoneyFormat(), shipped_profiles()["central"].money
    for amount in ("845371.59", "60000", "0", "1354628", "60000.1", "0.05"):
        assert yuan.show(Decimal(amount)) == money(Decimal(amount))  # the reference prints as before
    assert [wan.show(Decimal(amount)) for amount in ("108.5437", "84.545", "0.005", "60", "1234.5")] == \
        ["108.54", "84.55", "0.01", "60.00", "1,234.50"]  # half up, always two decimals
    assert wan.message(Decimal("108.5437")) == "108.5437万元" and yuan.message(Decimal("60000.1")) == "60,000.10"


@pytest.mark.chinese  # the comments as a clerk gets them: （必填）
def test_new_writes_a_form_of_the_sites_profile(tmp_path, capsys, monkeypatch):
    shutil.copytree(FIXTURES / "split" / "profiles", tmp_path / "profiles")  # its three-cell target
    (tmp_path / "formgen.toml").write_text('[site]\nprofile = "split"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "便民服务站建设项目", "--year", "2024", "--slug", "stations"]) == 0
    text = (tmp_path / "content" / "2024" / "stations.md").read_text(encoding="utf-8")
    assert text.startswith("---\n# 项目支出绩效自评表（formgen new 生成）")
    for line in ("funds:                                      # 项目资金（万元）（必填）",
                 "  special:                                  # 财政专户管理资金（必填）",
                 "    nature: 【待填写】                      # 指标性质（必填）",
                 "    reason:                                 # 偏差原因分析及改进措施（可选）"):
        assert line in text, line
    assert "note:" not in text and "fiscal:" in text and "own:" not in text
