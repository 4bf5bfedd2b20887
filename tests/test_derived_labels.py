"""What a user sees of a form outside its sheet follows the form's profile: the JSON Schema and the field
reference (`formgen schema --profile P`), the CSV headers, `formgen diff`'s labels and money unit. Checked
for every shipped profile, against the profile's own labels (its TOML file), not copies of the output."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from generator.__main__ import main
from generator.build import build_site
from generator.checks import PLACEHOLDER
from generator.config import load_config
from generator.model import caption
from generator.profile import shipped_profiles
from generator.reading import discover

from .conftest import CONTENT, ROOT
from .fixturesites import FIXTURES
from .test_diff import edit, git, repo, run  # noqa: F401 (repo is a fixture)
from .test_schema_config import _as_an_editor_reads_it, _walk_properties

PROFILES = sorted(shipped_profiles())


def _schema(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["schema", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _forms(name: str) -> list[Path]:
    """The published forms a shipped profile's fixture transcribes (the reference's: the reference site too)."""
    return discover([FIXTURES / name / "content", *([CONTENT] if name == "reference" else [])])


@pytest.mark.parametrize("name", PROFILES)
def test_the_schema_of_each_shipped_profile_validates_its_fixture_and_carries_its_labels(name, capsys):
    profile = shipped_profiles()[name]
    schema = _schema(capsys, "--profile", name)
    validator = jsonschema.Draft202012Validator(schema)
    forms = _forms(name)
    assert forms, f"no fixture of {name}"
    for path in forms:
        errors = list(validator.iter_errors(_as_an_editor_reads_it(path)))
        assert not errors, (path, errors[0].message)
    titles = {path: prop["title"] for path, prop in _walk_properties(schema, schema)}
    labels = profile.labels
    for column in profile.layout.columns:
        assert titles[("indicators", column)] == getattr(labels, column)
    for line in profile.funds:
        assert titles[("funds", line.key)] == line.label
    # The printed figures (stated:) are named by the profile too: its 执行率, its total's caption.
    assert titles[("stated", "execution_rate")] == labels.execution_rate
    assert titles[("stated", "budget_score")] == labels.execution_score
    assert titles[("stated", "total")] == caption(labels.total)
    assert titles[("stated", "grade")] == labels.grade
    assert f"the {labels.conclusion} (the conclusion)" in schema["x-body"]


@pytest.mark.parametrize("name", PROFILES)
def test_the_field_reference_of_each_shipped_profile_names_its_labels(name, capsys):
    profile = shipped_profiles()[name]
    assert main(["schema", "--profile", name, "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    labels = profile.labels
    for column in profile.layout.columns:
        assert f"| `indicators[].{column}` | {getattr(labels, column)} |" in text
    assert f"| `stated.execution_rate` | {labels.execution_rate} |" in text
    assert f"The printed score of the {profile.total_row.label} row" in text
    assert f"The Markdown body of a form file is the\n{labels.conclusion}." in text
    if name == "reference":
        assert text == (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")


def test_a_profile_that_changes_a_body_or_rate_label_shows_it_in_its_field_reference(capsys):
    # 湖南's body is 说明 and its rate 执行率(B/A); the reference's words are not there.
    assert main(["schema", "--profile", "hunan", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert "The Markdown body of a form file is the\n说明." in text and "自评结论" not in text
    assert "| `stated.execution_rate` | 执行率(B/A) |" in text


def test_formgen_profiles_lists_every_shipped_profile(capsys):
    assert main(["profiles", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["profiles"]
    assert [entry["name"] for entry in listed] == ["reference", *[name for name in PROFILES if name != "reference"]]
    assert main(["profiles"]) == 0
    text = capsys.readouterr().out
    for name in PROFILES:
        assert f"{name} — {shipped_profiles()[name].title}" in text


OWN = """extends = "central"

[labels]
execution_score = "预算执行得分值"
subtotal = "合计"
grade = "自评等级"
"""
"""A site's own profile: the central form, naming its budget row's score, subtotals and grade its own way."""


def _site(root: Path) -> Path:
    """The central fixture as a site whose profile is `OWN`."""
    shutil.copytree(FIXTURES / "central-sample", root)
    (root / "profiles").mkdir()
    (root / "profiles" / "own.toml").write_text(OWN, encoding="utf-8")
    (root / "formgen.toml").write_text('[site]\ntitle = "示例"\nprofile = "own"\n', encoding="utf-8")
    return root


def _csv_header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_the_csv_headers_of_the_stated_figures_are_the_profile_s(tmp_path):
    site = _site(tmp_path / "site")
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    header = _csv_header(out / "data" / "forms.csv")
    # central's own labels, without (A)/(B): 全年预算数, 全年执行数, 总分; and the site profile's three.
    assert header[8:] == ["全年预算数", "全年执行数", "执行率", "预算执行得分值", "总分", "自评等级"]
    assert "等级" not in header and "预算执行得分" not in header


def test_check_names_the_stated_figures_by_the_profile(tmp_path, capsys, monkeypatch):
    site = _site(tmp_path / "site")
    form = site / "content" / "2024" / "training-program.md"
    edit(form, "contact: 李四", "contact: 李四\nstated: {budget_score: 9, subtotals: {产出指标: 40}, grade: 优}")
    monkeypatch.chdir(site)
    assert main(["check", "content"]) == 1
    out = capsys.readouterr().out
    assert "预算执行得分值 is stated as 9 but computes to" in out
    assert "产出指标 合计 is stated as 40" in out
    assert "自评等级 is stated as 优 but the total" in out


@pytest.fixture
def central_repo(repo: Path) -> Path:  # noqa: F811 (the fixture)
    """A repository of the central fixture (万元) with one commit, as the working folder."""
    for path in repo.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(FIXTURES / "central-sample", repo, dirs_exist_ok=True)
    (repo / "profiles").mkdir()
    (repo / "profiles" / "own.toml").write_text(OWN, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the central fixture")
    return repo


def test_diff_prints_amounts_in_the_profile_s_unit_and_its_labels(central_repo, capsys):
    form = central_repo / "content" / "2024" / "training-program.md"
    edit(form, "total:     {initial: 120, budget: 120, executed: 108.5437}",
         "total:     {initial: 120, budget: 120, executed: 110.5437}")
    edit(form, "current:   {initial: 100, budget: 100, executed: 90.5437}",
         "current:   {initial: 100, budget: 100, executed: 92.5437}")
    code, out, err = run(capsys)
    assert code == 0 and not err, err
    # central prints 万元: the amounts as written, with their unit; its labels have no (A)/(B).
    assert "年度资金总额 全年执行数 108.5437万元 → 110.5437万元" in out
    assert "其中：当年财政拨款 全年执行数 90.5437万元 → 92.5437万元" in out
    assert "1,085,437" not in out and "全年执行数（B）" not in out
    # The 执行率 rose from 108.5437/120 to 110.5437/120: 90.45% → 92.12%.
    assert "执行率 90.45 → 92.12" in out


def test_diff_names_the_stated_figures_and_subtotals_by_the_form_s_profile(central_repo, capsys):
    form = central_repo / "content" / "2024" / "training-program.md"
    edit(form, "year: 2024", "profile: own\nyear: 2024")
    git(central_repo, "commit", "-q", "-am", "the form under the site's own profile")
    edit(form, "actual: 450人次, weight: 20, score: 18", "actual: 500人次, weight: 20, score: 20")
    code, out, err = run(capsys)
    assert code == 0 and not err, err
    assert "产出指标 合计 48 → 50" in out
    assert "自评等级 良 → 良" not in out and "总分 87.05 → 89.05" in out
    assert "小计" not in out


_KEY = re.compile(r"^( *)(- )?([a-z0-9_]+):(.*)$")


def _filled(text: str, name: str) -> str:
    """`formgen new`'s skeleton with every placeholder replaced as an author of a form of profile `name` would:
    the funding rows' first parts carry the money, each 一级指标 one row worth its weight."""
    profile = shipped_profiles()[name]
    parts = {line.key: line.parts for line in profile.funds}
    funded = {"total"}
    for line in profile.funds:  # the total, the first part of a funded row, and so on down
        if line.key in funded and line.parts:
            funded.add(line.parts[0])
    level1s = {level1.name: level1 for level1 in profile.scheme.level1}
    path: list[tuple[int, str]] = []
    row: dict[str, str] = {}
    lines = []
    for line in text.splitlines():
        found = _KEY.match(line)
        if line.startswith("#"):
            lines.append(line)
            continue
        if found is None:  # the 自评结论
            lines.append(line.replace(PLACEHOLDER, "项目按计划完成。"))
            continue
        indent, dash, key, rest = found.groups()
        depth = len(indent) + (2 if dash else 0)
        path = [(level, parent) for level, parent in path if level < depth]
        if dash:
            row = {}
        value = rest.split("  #")[0].strip()
        if value and value != PLACEHOLDER:
            row[key] = value
        if value == PLACEHOLDER:
            parent = path[-1][1] if path else ""
            level1 = level1s.get(row.get("level1", ""))
            nature = "nature" in profile.layout.columns
            choices = {
                "filled_on": "2025-01-20", "code": '"120"', "name": "指标一" if parent == "indicators" else "示例部",
                "implementer": "示例中心", "unit_name": "示例中心", "project_lead": "张三", "contact": "张三",
                "expected": "全年完成十项服务。",
                "actual": "全年完成十项服务。" if parent == "goals" else "10" if nature else "10项",
                "level2": level1.level2[0] if level1 else "", "nature": "≥", "target": "10" if nature else "≥10项",
                "unit": "项", "weight": str(level1.weight) if level1 else "",
                "initial": "100" if parent in funded else "0", "budget": "100" if parent in funded else "0",
                "executed": "90" if parent in funded else "0"}
            value = choices[key]
            assert value, (key, parent)
            line = line.replace(PLACEHOLDER, value, 1)
            row[key] = value
        if (not value and key in parts) or key in ("funds", "department", "goals", "indicators"):
            path.append((depth, key))
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.chinese  # the file's comments as a clerk gets them, in Chinese: （必填）, （formgen new 生成）
@pytest.mark.parametrize("name", ["central", "yunnan"])
def test_new_writes_a_skeleton_of_the_profile_that_checks_clean_once_filled(name, tmp_path, capsys, monkeypatch):
    (tmp_path / "formgen.toml").write_text('[site]\ntitle = "示例"\n', encoding="utf-8")  # the reference's site
    monkeypatch.chdir(tmp_path)
    assert main(["new", "示例项目", "--profile", name, "--year", "2024", "--slug", "sample"]) == 0
    capsys.readouterr()
    path = tmp_path / "content" / "2024" / "sample.md"
    text = path.read_text(encoding="utf-8")
    profile = shipped_profiles()[name]
    labels = profile.labels
    assert text.startswith(f"---\n# {labels.form_title}（formgen new 生成）")
    assert f"\nprofile: {name} " in text
    # Its funding rows and their columns, its fields present or not, each with the profile's label.
    funds = text[text.index("\nfunds:"):text.index("\nbudget_weight:")]
    assert [line.split(":")[0].strip() for line in funds.splitlines()[2:] if line.startswith("  ") and
            not line.startswith("    ")] == [line.key for line in profile.funds]
    assert ("initial:" in funds) == ("initial" in profile.layout.funds_columns)
    assert f"# {labels.funds}（{profile.money.unit}）（必填）" in funds
    assert f"# {profile.total_row.label}（必填）" in funds
    row = text[text.index("\n  - level1:"):text.index("\n  - level1:", text.index("\n  - level1:") + 1)]
    keys = [line.strip().removeprefix("- ").split(":")[0] for line in row.strip("\n").splitlines()]
    unprinted = [key for key in ("weight", "score") if key not in profile.layout.columns]
    assert keys == [*profile.layout.columns, *unprinted]
    for key in profile.layout.columns:
        assert f"# {getattr(labels, key)}（" in row
    for key in ("unit_name", "project_lead", "project_category", "project_attribute", "contact", "filled_on"):
        presence = getattr(profile.fields, key)
        written = re.search(rf"^{key}:.*# {re.escape(getattr(labels, key))}（(必填|可选)）", text, flags=re.M)
        assert (written is None) == (presence == "absent"), key
        if written:
            assert written.group(1) == ("必填" if presence == "required" else "可选"), key
    # The extra header fields (云南: 单位名称, 项目类别, 项目属性) follow 实施单位, as the sheet prints them.
    top = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]
    extra = [key for key in ("unit_name", "project_lead", "project_category", "project_attribute")
             if profile.fields.present(key)]
    assert top[top.index("implementer") + 1:top.index("implementer") + 1 + len(extra)] == extra
    path.write_text(_filled(text, name), encoding="utf-8")
    code = main(["check", "--format", "json", "content"])
    report = json.loads(capsys.readouterr().out)
    assert [finding for finding in report["findings"] if finding["level"] == "error"] == []
    assert code == 0


def test_check_messages_name_the_fields_by_the_profile_s_labels(capsys, monkeypatch):
    # 云南's published form spends 10 of 50 万元 and its file gives no reason: its 执行率 is 执行率(B/A).
    monkeypatch.chdir(FIXTURES / "yunnan")
    main(["check"])
    out = capsys.readouterr().out
    assert "执行率(B/A) is 20% with no explanation — say why in execution_reason (执行率偏差原因)" in out
