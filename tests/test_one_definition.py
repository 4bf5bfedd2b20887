"""The profile is the form's only definition: a label changed in a site's own profile is changed on the page,
in the CSV headers, in the findings and in `formgen diff`, and the reference scheme is written once, in
reference.toml (formgen.toml files name the profile and write [scheme] only to change it)."""

from __future__ import annotations

import ast
import csv
import io
import re
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path

from generator.build import build_site
from generator.checks import check_slug
from generator.config import Scheme, load_config
from generator.pipeline import load_site
from generator.profile import shipped_profiles
from generator.slugs import MAX_SLUG_CHARS, derived_slug, form_slug

from .conftest import CONTENT, ROOT
from .test_diff import edit, form_path, git, repo, run  # noqa: F401 (repo is a fixture)

SLUG = "trial-support-services"
MINE = """extends = "reference"

[labels]
title = "项目全称"
executed = "实际支出数（B）"
level1 = "一级"
actual = "完成值(B)"
weight = "权重"
indicators = "绩效指标表"
"""
"""A site's own profile: the reference form with six labels of its own."""


def _site(root: Path, profile: str) -> Path:
    """A site whose profile is `profile`, with profiles/mine.toml and one form of the reference site."""
    (root / "content" / "2024").mkdir(parents=True)
    (root / "profiles").mkdir()
    (root / "profiles" / "mine.toml").write_text(MINE, encoding="utf-8")
    (root / "formgen.toml").write_text(f'[site]\nprofile = "{profile}"\n', encoding="utf-8")
    shutil.copy(CONTENT / "2024" / f"{SLUG}.md", root / "content" / "2024")
    return root


def _csv_header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_a_label_of_the_site_profile_is_on_the_page_and_in_the_csv_headers(tmp_path):
    site = _site(tmp_path / "site", "mine")
    out = tmp_path / "out"
    build_site([site / "content"], load_config(site / "formgen.toml"), out)
    page = (out / "forms" / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "项目全称" in page and "完成值(B)" in page and "实际支出数（B）" in page and "权重" in page
    assert "实际完成值(B)" not in page and "全年执行数（B）" not in page
    forms, indicators = _csv_header(out / "data" / "forms.csv"), _csv_header(out / "data" / "indicators.csv")
    # The same columns in the same place as the reference's (a site may mix profiles); the profile's words.
    reference = tmp_path / "reference"
    build_site([site / "content"], load_config(_site(tmp_path / "ref", "reference") / "formgen.toml"), reference)
    theirs = _csv_header(reference / "data" / "forms.csv"), _csv_header(reference / "data" / "indicators.csv")
    assert len(forms) == len(theirs[0]) and len(indicators) == len(theirs[1])
    assert [a for a, b in zip(forms, theirs[0], strict=True) if a != b] == ["项目全称", "实际支出数"]
    assert [a for a, b in zip(indicators, theirs[1], strict=True) if a != b] == ["项目全称", "一级", "完成值", "权重"]
    assert theirs[0][1] == "项目名称" and theirs[1][8] == "实际完成值" and theirs[1][9] == "分值"


def test_a_label_of_the_site_profile_names_the_field_in_findings(tmp_path):
    site = _site(tmp_path / "site", "mine")
    form = form_path(site, SLUG)
    edit(form, "    weight: 10\n    score: 10\n", "    weight: 11\n    score: 10\n")  # the 产出指标 rows: 51
    edit(form, "{level1: 产出指标, level2: 质量指标, name: 全年案件结案率",
         "{level1: 产出, level2: 质量指标, name: 全年案件结案率")
    [entry] = load_site([form], load_config(site / "formgen.toml")).entries
    messages = {finding.code: f"{finding.label}: {finding.message} — {finding.fix}" for finding in entry.findings}
    assert "“产出” is not a 一级 of the scheme" in messages["level1-unknown"]
    assert "the 权重 of the 产出指标 rows add up to" in messages["weights-sum"]
    assert "rows' 权重 add up to 50" in messages["weights-sum"]
    assert "一级指标" not in messages["level1-unknown"] and "分值" not in messages["weights-sum"]


def test_diff_labels_a_form_by_its_own_profile(repo, capsys):  # noqa: F811 (the fixture)
    # The site's profile is the reference; the form names the site's own profile, with other labels.
    (repo / "profiles").mkdir()
    (repo / "profiles" / "mine.toml").write_text(MINE, encoding="utf-8")
    edit(form_path(repo, SLUG), "year: 2024 ", "profile: mine\nyear: 2024 ")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the form under the site's own profile")
    # Every row that spent 988,000 (年度资金总额, 财政拨款, 本级安排), so that the form still adds up: a form
    # with errors shows no computed figures and no rows in diff.
    edit(form_path(repo, SLUG), "executed: 988000}", "executed: 1000000}")
    edit(form_path(repo, SLUG), "actual: 6339件", "actual: 6400件")
    code, out, err = run(capsys)
    assert code == 0 and not err, err
    assert "年度资金总额 实际支出数（B） 988,000 → 1,000,000" in out
    assert "完成值(B) 6339件 → 6400件" in out
    assert "绩效指标表 changed 第1项 生成全流程电子卷宗全年案件数: " in out
    assert "全年执行数（B）" not in out and "实际完成值(B)" not in out


def _commented_scheme(text: str) -> dict[str, object]:
    """The [scheme] keys a formgen.toml lists as comments (``# key = value``), parsed as TOML."""
    section = text[text.index("\n[scheme]") + 1:]
    lines = section.splitlines()[1:]
    body = []
    for line in lines:
        if line.startswith("["):
            break
        if line.strip():
            assert line.startswith("# "), f"a [scheme] key written, not commented: {line}"
            body.append(line[2:])
    return tomllib.loads("\n".join(body), parse_float=Decimal)


def test_the_scaffold_lists_the_reference_scheme_as_comments_only():
    text = (ROOT / "generator" / "scaffold" / "formgen.toml").read_text(encoding="utf-8")
    listed = _commented_scheme(text)
    reference = shipped_profiles()["reference"].scheme
    # Every key of the scheme, with the reference profile's value: the comments cannot drift from it.
    assert set(listed) == set(Scheme.model_fields)
    assert Scheme.model_validate(listed) == reference
    assert tomllib.loads(text)["scheme"] == {}


def test_formgen_toml_names_the_profile_and_writes_no_scheme():
    text = (ROOT / "formgen.toml").read_text(encoding="utf-8")
    assert "scheme" not in tomllib.loads(text)
    assert not re.search(r"^\[\[?scheme", text, flags=re.M)
    assert load_config(ROOT / "formgen.toml").scheme == shipped_profiles()["reference"].scheme == Scheme()


# --- one slug scheme -------------------------------------------------------------------------------------

_SLUG_ALPHABET = re.compile(r"\[\^?a-z0-9-?\]")
"""A character class of exactly a slug's characters (``[a-z0-9]``, ``[a-z0-9-]``, ``[^a-z0-9]``): what a
regular expression that makes or checks slugs is written with."""


def _regex_literals(path: Path) -> list[tuple[int, str]]:
    """The string literals passed as the pattern of a call to the `re` module (re.compile, re.sub, …)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def test_slugs_are_made_and_checked_in_slugs_py_only():
    # The slugs module's own patterns are found, so the scan cannot pass by finding nothing.
    assert any(_SLUG_ALPHABET.search(pattern) for _line, pattern in _regex_literals(ROOT / "generator" / "slugs.py"))
    elsewhere = [f"{path.relative_to(ROOT)}:{line}: {pattern}" for path in sorted((ROOT / "generator").rglob("*.py"))
                 if path.name != "slugs.py" for line, pattern in _regex_literals(path)
                 if _SLUG_ALPHABET.search(pattern)]
    assert elsewhere == [], "a second slug scheme: use generator/slugs.py"


def test_a_slug_formgen_writes_is_one_check_accepts():
    # Two imported titles alike for 60 characters: the slug grows past where they part, never past the longest
    # slug `check` accepts (it used to be 277 characters long, and the form it named failed its own check).
    alike = "某某县人民政府办公室" * 8
    first = form_slug(alike + "办公楼维修", 2024, [alike + "道路维修"])
    assert check_slug(first) is None and len(first) <= MAX_SLUG_CHARS
    assert first.startswith("mou-mou-xian-ren-min-zheng-fu-ban-gong-shi-") and first.endswith("-2024")
    # `formgen new` names a form the same way, and from an earlier form keeps its slug with the new year.
    assert derived_slug("办公楼维修", 2025) == form_slug("办公楼维修", 2025) == "ban-gong-lou-wei-xiu-2025"
    assert derived_slug("办公楼维修", 2025, "ban-gong-lou-2024", 2024) == "ban-gong-lou-2025"
    assert check_slug("Ban-Gong") is not None and check_slug("-ban") is not None and check_slug("ban\n") is not None


# --- one finding type ------------------------------------------------------------------------------------

_FINDING_WORDS = {"message", "code", "level", "error", "fix"}
"""What a finding is made of: a class with a message and one more of these is a finding type."""


def _attributes(node: ast.ClassDef) -> set[str]:
    """The names a class gives its instances: annotated fields (dataclasses, NamedTuples) and `self.x = …`."""
    names = {item.target.id for item in node.body
             if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)}
    for item in ast.walk(node):
        targets = item.targets if isinstance(item, ast.Assign) else [item.target] \
            if isinstance(item, ast.AnnAssign) else []
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and isinstance(element.value, ast.Name) \
                        and element.value.id == "self":
                    names.add(element.attr)
    return names


def _finding_types(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                words = _attributes(node) & _FINDING_WORDS
                if "message" in words and len(words) > 1:
                    found.append(f"{path.relative_to(root.parent).as_posix()} {node.name}")
    return found


def test_every_problem_is_reported_as_the_one_finding_type():
    # Finding itself is found (the scan works); any other class holding a message with a code, a level or a
    # fix is a second finding type: report through findings.Finding (an exception carries one: Reported).
    assert _finding_types(ROOT / "generator") == ["generator/findings.py Finding"]
