"""Profiles extend a base (``extends``) and write only what differs; a site keeps its own profile beside its
content; `formgen profiles` lists every profile a form may name, with its province, base, source and what
it changes. Unknown bases, circles of bases and profile files linked out of the site are refused, each
named with its file, line and key."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.config import ConfigError, load_config
from generator.profile import differences, shipped_profiles

from .conftest import ROOT
from .fixturesites import FIXTURES
from .htmltools import sheet_text

CENTRAL_FORM = FIXTURES / "central-sample" / "content" / "2024" / "training-program.md"


def _site(root: Path, profiles: dict[str, str], site_profile: str | None = None) -> Path:
    """A site with the given profiles/<name>.toml files and the central fixture form as its one form."""
    (root / "profiles").mkdir(parents=True)
    for name, text in profiles.items():
        (root / "profiles" / f"{name}.toml").write_text(text, encoding="utf-8")
    (root / "formgen.toml").write_text(f'[site]\nprofile = "{site_profile}"\n' if site_profile else "",
                                       encoding="utf-8")
    (root / "content" / "2024").mkdir(parents=True)
    shutil.copy(CENTRAL_FORM, root / "content" / "2024" / "training-program.md")
    return root


def _problems(root: Path) -> list[tuple[str, int, str, str, str]]:
    with pytest.raises(ConfigError) as raised:
        load_config(root / "formgen.toml")
    return [(Path(f.path).name, f.line, f.field, f.code, f"{f.message} — {f.fix}") for f in raised.value.findings]


# --- the shipped profiles ------------------------------------------------------------------------------

def test_shipped_profiles_name_their_base_and_sichuan_extends_central():
    profiles = shipped_profiles()
    assert {name: profile.extends for name, profile in profiles.items()} == \
        {"reference": None, "central": "reference", "anhui": "central", "hebei": "central", "hubei": "yunnan",
         "hunan": "central", "ningxia": "central", "shanghai": "central", "sichuan": "central",
         "sichuan-dept": "central", "yunnan": "hebei"}
    sichuan = profiles["sichuan"]
    # Written in sichuan.toml: the actual's and the reason's labels and the columns. Taken from central: 万元,
    # its target label and its 主管部门 without a code.
    assert (sichuan.labels.actual, sichuan.money.unit, sichuan.labels.reason, sichuan.labels.target,
            sichuan.layout.department_code) == \
        ("全年实际值", "万元", "未完成原因及拟采取的改进措施", "年度指标值", False)
    assert sichuan.layout.columns[3:7] == ("weight", "target", "actual", "score")
    assert {name: profile.source.title for name, profile in profiles.items()} == \
        {"reference": "贵州", "central": "中央", "anhui": "安徽", "hebei": "河北", "hubei": "湖北", "hunan": "湖南",
         "ningxia": "宁夏", "shanghai": "上海", "sichuan": "四川", "sichuan-dept": "四川", "yunnan": "云南"}
    assert profiles["central"].source.document == "财预〔2020〕10号"


# --- formgen profiles ----------------------------------------------------------------------------------

def test_profiles_lists_every_profile_with_province_base_source_and_differences(tmp_path, capsys, monkeypatch):
    _site(tmp_path, {"mine": 'extends = "central"\n\n[labels]\nreason = "偏差原因及改进措施"\n'}, "mine")
    monkeypatch.chdir(tmp_path)
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    blocks = {block.split(" — ")[0]: block for block in out.split("\n\n")}
    assert list(blocks)[:12] == ["reference", "anhui", "central", "hebei", "hubei", "hunan", "ningxia", "shanghai",
                                 "sichuan", "sichuan-dept", "yunnan", "mine"]
    assert "province: 贵州\n  base: — (the base of every other profile)" in blocks["reference"]
    assert "province: 中央\n  base: reference\n  source: 财预〔2020〕10号" in blocks["central"]
    # 湖北's form is laid out as 云南's: hubei extends yunnan, and writes its labels, columns and scheme.
    assert "base: yunnan" in blocks["hubei"]
    assert "differs from yunnan: money.shown_decimals, labels.form_title, labels.budget, labels.executed, " \
        "labels.execution_rate, labels.indicators, labels.name, labels.target, labels.actual, layout.columns, " \
        "layout.widths, layout.funds_spans, layout.block_points, fields.filled_on, fields.contact, " \
        "fields.unit_name, scheme.weights, scheme.level1, scheme.bands, scheme.score_decimals, choices\n" \
        in blocks["hubei"]
    assert "base: central" in blocks["sichuan"]
    assert "base: central" in blocks["hebei"]
    # central's template prints no 填报日期 and no 联系人 (optional there, as in 河北): 河北 changes its scheme and
    # keeps its published table's empty rows.
    assert "differs from central: layout.placeholder_rows, scheme.score_decimals, scheme.rate_decimals\n" \
        in blocks["hebei"]
    assert "differs from central: money.always_show_decimals, labels.form_title, labels.funds, labels.budget, " \
        "labels.executed, labels.execution_rate, labels.expected, labels.achieved, labels.actual, labels.reason, " \
        "labels.project_lead, layout.columns, layout.widths, layout.funds_columns, layout.placeholder_rows, " \
        "fields.filled_on, fields.contact, fields.project_lead, fields.conclusion, funds\n" in blocks["sichuan"]
    assert blocks["mine"].startswith("mine — mine  (the site's profile)\n  province: —\n  base: central\n")
    assert "differs from central: labels.reason\n  file: profiles/mine.toml (the site's)" in blocks["mine"]
    assert out.endswith("12 profiles: 11 shipped, 1 the site's; the site uses mine (formgen.toml's [site] profile; "
                        "a form's profile: key overrides it)\n")


def test_profiles_as_json(tmp_path, capsys, monkeypatch):
    _site(tmp_path, {"mine": 'extends = "sichuan"\n\n[money]\nunit = "元"\ndecimals = 2\n\n'
                             '[source]\ntitle = "云南"\ndocument = "某县公开的自评表"\n'
                             'url = "https://example.org/form.pdf"\ndate = 2023-05-04\n'})
    monkeypatch.chdir(tmp_path)
    assert main(["profiles", "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["site_profile"] == "reference"
    by_name = {entry["name"]: entry for entry in listing["profiles"]}
    assert set(by_name) == {"reference", "anhui", "central", "hebei", "hubei", "hunan", "ningxia", "shanghai",
                            "sichuan", "sichuan-dept", "yunnan", "mine"}
    assert (by_name["reference"]["base"], by_name["reference"]["differs"]) == (None, [])
    assert by_name["central"]["differs"][:3] == ["money.unit", "money.decimals", "money.always_show_decimals"]
    assert by_name["mine"] == {
        "name": "mine", "title": "mine", "province": "云南", "base": "sichuan", "origin": "site",
        "replaces_shipped": False, "file": "profiles/mine.toml", "description": "",
        "source": {"document": "某县公开的自评表", "url": "https://example.org/form.pdf", "date": "2023-05-04",
                   "notes": ""},
        "differs": ["money.unit", "money.decimals"]}


# --- a site's own profile ------------------------------------------------------------------------------

def test_a_site_profile_extending_a_shipped_one_checks_and_builds(tmp_path, capsys, monkeypatch):
    """The site's county.toml extends its own mine.toml, which extends the shipped central: a form naming
    county gets central's 万元 and labels, mine's 偏差原因 label and county's title; keys merge per table."""
    _site(tmp_path, {
        "mine": 'extends = "central"\n\n[labels]\nreason = "偏差原因及改进措施"\n',
        "county": 'extends = "mine"\n\n[labels]\nform_title = "县级项目支出绩效自评表"\n'})
    form = tmp_path / "content" / "2024" / "training-program.md"
    form.write_text(form.read_text(encoding="utf-8").replace("year: 2024\n", "year: 2024\nprofile: county\n", 1),
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(["build", "--no-pdf"]) == 0
    text = sheet_text((tmp_path / "output" / "forms" / "training-program.html").read_text(encoding="utf-8"))
    assert text.startswith("县级项目支出绩效自评表")
    # central's (not the reference's) labels and 万元, mine's reason label; 总分 87.05 as central scores it.
    assert "项目资金（万元）" in text and "全年预算数（A）" not in text and "年度指标值实际完成值" in text
    assert "偏差原因及改进措施" in text and "偏差原因分析及改进措施" not in text
    assert "年度资金总额120.00120.00108.54" in text and "总分10087.05" in text


def test_columns_of_its_own_drop_the_bases_widths_and_spans(tmp_path):
    """central's nine widths size its eight columns; a profile reordering eight columns of its own without
    widths would have them sizing the wrong columns (分值 before the targets getting the target's 12 %)."""
    reordered = '["level1", "level2", "name", "weight", "target", "actual", "score", "reason"]'
    _site(tmp_path, {
        "reordered": f'extends = "central"\n\n[layout]\ncolumns = {reordered}\n',
        "sized": f'extends = "central"\n\n[layout]\ncolumns = {reordered}\nwidths = [9, 9, 9, 15, 7, 15, 15, 7, 14]\n',
        "funds": 'extends = "ningxia"\n\n[layout]\n'
                 'funds_columns = ["source", "budget", "initial", "executed", "rate"]\n',
        "labels": 'extends = "sichuan"\n\n[labels]\nreason = "原因"\n'})
    config = load_config(tmp_path / "formgen.toml")
    central = shipped_profiles()["central"]
    assert len(central.layout.widths) == 9
    assert config.profile_for("reordered").layout.widths == ()
    assert config.profile_for("sized").layout.widths == (9, 9, 9, 15, 7, 15, 15, 7, 14)
    assert shipped_profiles()["ningxia"].layout.funds_spans != ()
    assert config.profile_for("funds").layout.funds_spans == ()
    # A profile that leaves the columns alone keeps its base's sizes.
    sichuan = shipped_profiles()["sichuan"]
    assert config.profile_for("labels").layout.widths == sichuan.layout.widths != ()


def test_a_site_profile_may_take_the_place_of_the_shipped_one_it_extends(tmp_path):
    _site(tmp_path, {"central": 'extends = "central"\n\n[labels]\nreason = "原因"\n'}, "central")
    config = load_config(tmp_path / "formgen.toml")
    central = config.profile_for("central")
    assert (central.labels.reason, central.money.unit) == ("原因", "万元")
    assert config.profile_for("hebei").labels.reason == "偏差原因分析及改进措施", "shipped bases are shipped"


def test_an_unknown_base_is_named_with_file_line_and_key(tmp_path, capsys, monkeypatch):
    _site(tmp_path, {"mine": '# 云南\n\nextends = "centrl"\n'}, "mine")
    assert _problems(tmp_path) == [
        ("mine.toml", 3, "extends", "profile-base-unknown",
         "“centrl” is not a profile — did you mean “central”? name one of anhui, central, hebei, hubei, hunan, "
         "ningxia, reference, shanghai, sichuan, sichuan-dept, yunnan, or add profiles/centrl.toml beside "
         "formgen.toml")]
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "profiles/mine.toml:3: extends (表样): “centrl” is not a profile" in capsys.readouterr().err
    assert main(["profiles"]) == 1


def test_a_circle_of_bases_is_named_at_each_file(tmp_path):
    _site(tmp_path, {"a": 'title = "甲"\nextends = "b"\n', "b": 'extends = "a"\n', "c": 'extends = "c"\n'})
    fix = "make one of a, b extend another profile, such as reference"
    assert _problems(tmp_path) == [
        ("a.toml", 2, "extends", "profile-base-cycle", f"the bases go round in a circle: a → b → a — {fix}"),
        ("b.toml", 1, "extends", "profile-base-cycle", f"the bases go round in a circle: b → a → b — {fix}"),
        ("c.toml", 1, "extends", "profile-base-cycle",
         "“c” names this profile itself — name the profile it changes as its base: one of a, anhui, b, central, "
         "hebei, hubei, hunan, ningxia, reference, shanghai, sichuan, sichuan-dept, yunnan")]


def test_a_problem_from_the_base_says_so_and_metadata_is_checked(tmp_path):
    """湖北's 5 columns are too few for funding columns of the profile's own without spans (its base's spans
    sized its base's funding columns, so they are not taken): the finding says the columns are the base's. A
    bad address or date of [source] is named like any key."""
    _site(tmp_path, {"mine": 'extends = "hubei"\n\n[source]\nurl = "www.example.org"\ndate = "2023-13-01"\n\n'
                             '[layout]\nfunds_columns = ["source", "executed", "budget", "rate", "score"]\n'})
    problems = _problems(tmp_path)
    assert [where[:4] for where in problems] == [("mine.toml", 4, "source.url", "profile-invalid"),
                                                 ("mine.toml", 5, "source.date", "profile-invalid"),
                                                 ("mine.toml", 7, "layout.columns", "profile-invalid")]
    assert problems[0][4].startswith("“www.example.org” is not a web address — write the address")
    assert problems[2][4].startswith("has 5 columns, too few for the funding table's (the value of its base "
                                     "“hubei”) — list at least 6, or give funds_spans")


def test_a_site_profile_linked_out_of_the_site_is_refused(tmp_path, capsys, monkeypatch):
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('extends = "central"\n', encoding="utf-8")
    site = _site(tmp_path / "site", {}, "mine")
    os.symlink(outside, site / "profiles" / "mine.toml")
    problems = _problems(site)
    assert [where[:4] for where in problems] == [("mine.toml", 1, "", "link-outside-site")]
    monkeypatch.chdir(site)
    assert main(["profiles"]) == 1
    assert "profiles/mine.toml:1: " in capsys.readouterr().err
    # Inside the site, a link is followed as for form files.
    (site / "shared.toml").write_text('extends = "central"\n', encoding="utf-8")
    (site / "profiles" / "mine.toml").unlink()
    os.symlink(site / "shared.toml", site / "profiles" / "mine.toml")
    assert load_config(site / "formgen.toml").profile_for().money.unit == "万元"


def test_the_documented_example_is_a_working_profile(tmp_path):
    """docs/profiles.md's 云南 example, as a site's file, extends the reference and changes what it says."""
    docs = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    example = docs.split("### An example\n", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    _site(tmp_path, {"yunnan": example}, "yunnan")
    yunnan = load_config(tmp_path / "formgen.toml").profile_for()
    assert (yunnan.extends, yunnan.source.title, yunnan.money.unit, yunnan.split_target) == \
        ("reference", "云南", "元", True)
    assert differences(yunnan, shipped_profiles()["reference"]) == [
        "labels.form_title", "labels.target", "labels.reason", "layout.columns", "layout.widths",
        "layout.funds_spans"]
