"""`formgen new` and `formgen init` as a user runs them: the files written, their comments, the
placeholders `check` reports with their lines, what `--from` keeps, and a new site that builds."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import authoring
from generator.__main__ import main
from generator.checks import PLACEHOLDER
from generator.config import SiteConfig, load_config
from generator.model import Form, inner_model
from generator.reading import read_document
from generator.scaffolding import EXAMPLE_SLUG, HOOK_SCRIPT, SCAFFOLD
from generator.slugs import derived_slug

from .conftest import CONTENT, ROOT

SOURCE = "judicial-aid-one-case"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder: no content/, no formgen.toml."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def reference_site(site: Path) -> Path:
    """A working folder with a copy of the reference forms in content/2024/."""
    shutil.copytree(CONTENT, site / "content")
    return site


def _labels(model: Any = Form, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], tuple[str, bool]]:
    """Every key path (list rows as "[]") → (its label, required), from the model."""
    found = {}
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        found[path] = (info.title or name, info.is_required())
        inner = inner_model(info.annotation)
        if inner is not None:
            found |= _labels(inner, (*path, "[]") if name == "indicators" else path)
    return found


def _keyed_lines(document_path: Path) -> dict[tuple[str | int, ...], str]:
    """Each key path of a form file → the text of its line."""
    document = read_document(document_path)
    lines = document_path.read_text(encoding="utf-8").splitlines()
    return {loc: lines[line - 1] for loc, line in document.lines.items() if loc}


def _generic(loc: tuple[str | int, ...]) -> tuple[str, ...]:
    return tuple("[]" if isinstance(part, int) else part for part in loc)


def _placeholder_lines(path: Path) -> set[int]:
    """The lines holding a placeholder, comments aside (the header names the placeholder too)."""
    return {number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if PLACEHOLDER in line.split("#")[0]}


def _check_json(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "check", "--format", "json", *paths)
    return code, json.loads(out)


# formgen new


@pytest.mark.chinese
def test_new_writes_every_field_with_its_label_and_a_comment_beside_it(capsys, site):
    code, out, _ = run(capsys, "new", "办公楼维修：一期 #1", "--year", "2025", "--slug", "office-repair")
    path = site / "content" / "2025" / "office-repair.md"
    assert code == 0 and path.is_file(), "the year folder is created"
    assert "content/2025/office-repair.md" in out and PLACEHOLDER in out
    lines = _keyed_lines(path)
    labels = _labels()
    written = {_generic(loc) for loc in lines if not isinstance(loc[-1], int)}
    # The figures a published form states are written commented out: empty, one would say "printed empty".
    text = path.read_text(encoding="utf-8")
    stated = {loc for loc in labels if loc[0] == "stated"}
    assert re.search(r"^# stated:", text, flags=re.M)
    assert all(re.search(rf"^  # {loc[1]}:", text, flags=re.M) for loc in stated if len(loc) == 2)
    assert written | stated == set(labels), "every field of the model, and nothing else"
    for loc, line in lines.items():
        if isinstance(loc[-1], int):
            continue
        label, required = labels[_generic(loc)]
        assert f"# {label}（{'必填' if required else '可选'}）：" in line, line
    document = read_document(path)
    assert document.data["title"] == "办公楼维修：一期 #1", "a title with ': ' and '#' is quoted"
    assert [row["level1"] for row in document.data["indicators"]] == ["产出指标", "效益指标", "满意度指标"]


def test_new_form_placeholders_are_errors_with_file_and_line(capsys, site):
    assert run(capsys, "new", "办公楼维修", "--slug", "office-repair", "--year", "2025")[0] == 0
    path = site / "content" / "2025" / "office-repair.md"
    code, report = _check_json(capsys, "content/2025/office-repair.md")
    assert code == 1
    findings = report["findings"]
    assert {finding["code"] for finding in findings} == {"placeholder"}, "one error per blank, nothing knock-on"
    assert {finding["path"] for finding in findings} == {"content/2025/office-repair.md"}
    assert {finding["line"] for finding in findings} == _placeholder_lines(path)
    assert len(findings) == len(_placeholder_lines(path))
    fields = {finding["field"] for finding in findings}
    assert {"filled_on", "department.name", "funds.total.budget", "indicators[1].weight", "contact", "body"} <= fields
    # The text report, as a clerk reads it: file:line: field (label): message — fix
    _, out, _ = run(capsys, "check", "content/2025/office-repair.md")
    budget = next(line for line in out.splitlines() if "funds.total.budget" in line)
    number = int(budget.split(":")[1])
    assert budget.startswith("content/2025/office-repair.md:")
    assert "(项目资金（元） 年度资金总额 全年预算数（A）): still holds the placeholder 【待填写】" in budget
    assert path.read_text(encoding="utf-8").splitlines()[number - 1].lstrip().startswith("budget:")
    assert out.splitlines()[-1].endswith("— failed")


def test_a_placeholder_left_in_a_valid_form_is_still_an_error(capsys, reference_site):
    form = reference_site / "content" / "2024" / f"{SOURCE}.md"
    text = form.read_text(encoding="utf-8").replace("contact: 莫路路", f"contact: {PLACEHOLDER}")
    form.write_text(text.replace("一、主要成绩：", f"一、主要成绩：{PLACEHOLDER}"), encoding="utf-8")
    code, report = _check_json(capsys, f"content/2024/{SOURCE}.md")
    assert code == 1
    errors = [finding for finding in report["findings"] if finding["level"] == "error"]
    assert [(finding["code"], finding["field"]) for finding in errors] == [("placeholder", "contact"),
                                                                          ("placeholder", "body")]
    lines = text.splitlines()
    assert lines[errors[0]["line"] - 1].startswith("contact:")
    assert "一、主要成绩" in form.read_text(encoding="utf-8").splitlines()[errors[1]["line"] - 1]


def test_new_refuses_to_overwrite_unless_forced(capsys, site):
    assert run(capsys, "new", "办公楼维修", "--slug", "office-repair", "--year", "2025")[0] == 0
    path = site / "content" / "2025" / "office-repair.md"
    path.write_text(path.read_text(encoding="utf-8") + "my work\n", encoding="utf-8")
    code, _, err = run(capsys, "new", "办公楼维修", "--slug", "office-repair", "--year", "2025")
    assert code == 2
    assert "content/2025/office-repair.md already exists" in err and "--force" in err
    assert path.read_text(encoding="utf-8").endswith("my work\n"), "untouched"
    code, _, _ = run(capsys, "new", "办公楼维修", "--slug", "office-repair", "--year", "2025", "--force")
    assert code == 0 and not path.read_text(encoding="utf-8").endswith("my work\n")


def test_new_derives_a_stable_ascii_slug_and_refuses_bad_ones(capsys, reference_site):
    code, out, _ = run(capsys, "new", "办公楼维修", "--year", "2025")
    # The title in pinyin, a syllable a word, then the year: the page's and the PDF's readable name.
    assert code == 0 and (reference_site / "content" / "2025" / "ban-gong-lou-wei-xiu-2025.md").is_file()
    assert "content/2025/ban-gong-lou-wei-xiu-2025.md" in out
    assert derived_slug("办公楼维修", 2026) == "ban-gong-lou-wei-xiu-2026"
    assert derived_slug("＃１号楼：维修", 2025) == "1-hao-lou-wei-xiu-2025"  # full-width digits as ASCII
    assert derived_slug("※", 2025) == "form-2025"  # nothing to spell: still a valid slug
    assert run(capsys, "new", "办公楼维修", "--slug", "Office Repair")[0] == 2
    code, _, err = run(capsys, "new", "办公楼维修", "--slug", SOURCE, "--year", "2025")
    assert code == 2 and f"content/2024/{SOURCE}.md" in err, "slugs are unique across the site"
    code, _, err = run(capsys, "new")
    assert code == 2 and "项目名称" in err
    code, _, err = run(capsys, "new", "--from", "no-such-form")
    assert code == 2 and "no form no-such-form.md" in err


def test_new_out_writes_into_the_given_folder(capsys, site):
    assert main(["new", "办公楼维修", "--slug", "office-repair", "--out", "drafts/new"]) == 0
    assert (site / "drafts" / "new" / "office-repair.md").is_file()


def test_from_keeps_the_structure_and_clears_the_figures(capsys, reference_site):
    code, _, _ = run(capsys, "new", "--from", SOURCE)
    path = reference_site / "content" / "2025" / f"{SOURCE}-2025.md"
    assert code == 0 and path.is_file(), "next year, the earlier slug with the year"
    before = read_document(reference_site / "content" / "2024" / f"{SOURCE}.md").data
    after = read_document(path).data
    assert after["year"] == "2025"
    for key in ("title", "implementer", "contact"):
        assert after[key] == before[key]
    assert after["department"] == before["department"]
    assert after["goals"]["expected"] == before["goals"]["expected"]
    assert after["goals"]["actual"] == PLACEHOLDER and after["filled_on"] == PLACEHOLDER
    kept = ("level1", "level2", "name", "weight")
    assert [[row[key] for key in kept] for row in after["indicators"]] == \
        [[row[key] for key in kept] for row in before["indicators"]]
    targets = [row["target"] for row in after["indicators"]]
    assert targets == [row["target"].replace("2024年12月31日", "2025年12月31日") for row in before["indicators"]]
    assert "2025年12月31日" in targets, "the earlier year's deadline moves to the new year"
    for row in after["indicators"]:
        assert row["actual"] == PLACEHOLDER
        assert row["score"] == row["reason"] == row["note"] == ""
    for funds_row in after["funds"].values():
        assert set(funds_row.values()) == {PLACEHOLDER}
    assert "stated" not in after, "the earlier published figures are gone (their keys stay, commented out)"
    assert re.search(r"^# stated:", path.read_text(encoding="utf-8"), flags=re.M)
    assert read_document(path).body.count(PLACEHOLDER) == 3, "the conclusion is not copied"
    # What remains to fill in is exactly what was cleared, each on its line.
    code, report = _check_json(capsys, str(path.relative_to(reference_site)))
    assert code == 1 and {finding["code"] for finding in report["findings"]} == {"placeholder"}
    assert {finding["line"] for finding in report["findings"]} == _placeholder_lines(path)


def test_from_with_a_title_year_and_slug(capsys, reference_site):
    assert main(["new", "新项目名称", "--from", SOURCE, "--year", "2026", "--slug", "new-name"]) == 0
    data = read_document(reference_site / "content" / "2026" / "new-name.md").data
    assert data["title"] == "新项目名称" and data["year"] == "2026"
    assert "2026年12月31日" in [row["target"] for row in data["indicators"]]


def test_the_writer_reads_every_reference_form_back_unchanged():
    """The writer's YAML is the form: every reference form written through it reads back the same."""
    for path in sorted((CONTENT / "2024").glob("*.md")):
        document = read_document(path)
        rewritten = authoring.form_text(document.data, document.body)
        assert PLACEHOLDER not in rewritten
        again = yaml.load(rewritten.split("---\n")[1], Loader=yaml.BaseLoader)
        assert Form.model_validate(again) == Form.model_validate(document.data), path.name


def test_the_documented_from_table_matches_the_code():
    """docs/authoring.md lists every key as kept or cleared, as CARRIED_OVER decides."""
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+) \| (kept|cleared|set) \|", text, flags=re.M)
    documented = {key: verdict for keys, verdict in rows for key in re.findall(r"`([^`]+)`", keys)}
    assert set(documented) == set(authoring.leaf_paths())
    for key, verdict in documented.items():
        assert (verdict == "kept") == (key in authoring.CARRIED_OVER), key


def test_default_year_is_the_year_just_ended():
    import datetime as dt

    assert authoring.default_year(dt.date(2026, 2, 1)) == 2025


# formgen init


def test_init_writes_a_site_that_checks_and_builds_at_once(capsys, tmp_path, monkeypatch):
    code, out, _ = run(capsys, "init", str(tmp_path / "unit"), "--year", "2025")
    assert code == 0
    site = tmp_path / "unit"
    for target in SCAFFOLD.values():
        assert (site / target).is_file(), target
        assert f"wrote {(site / target).as_posix()}" in out
    example = site / "content" / "2025" / f"{EXAMPLE_SLUG}.md"
    assert example.is_file()
    monkeypatch.chdir(site)
    code, out, _ = run(capsys, "check")
    # It checks with no error, and one warning: it is the example, to delete once the unit's forms are here.
    assert code == 0 and out.splitlines()[-1] == "1 form checked: 0 errors, 1 warning — ok"
    [warning] = out.splitlines()[:-1]
    assert f"{EXAMPLE_SLUG}.md:" in warning and "warning: title (项目名称)" in warning
    assert "formgen init's example form" in warning and "delete this file" in warning
    code, out, _ = run(capsys, "build", "--no-pdf", "--jobs", "1")
    assert code == 0, out
    assert (site / "output" / "index.html").is_file()
    assert (site / "output" / "forms" / f"{EXAMPLE_SLUG}.html").is_file()
    # The example shows every field with its label, like a form from `formgen new`.
    labels = _labels()
    for loc, line in _keyed_lines(example).items():
        if not isinstance(loc[-1], int):
            assert re.search(rf"# {re.escape(labels[_generic(loc)][0])} \((required|optional)\)", line), line
    # and then `new` works in the new site
    assert main(["new", "第二个项目", "--slug", "second"]) == 0
    assert (site / "content" / "2025" / "second.md").is_file()


def test_init_formgen_toml_names_every_setting_at_its_default(tmp_path):
    assert main(["init", str(tmp_path / "unit")]) == 0
    path = tmp_path / "unit" / "formgen.toml"
    assert load_config(path) == SiteConfig()
    text = path.read_text(encoding="utf-8")
    assert "Every key is optional" in text, "in English, as tests run (Chinese by default)"
    for section, info in SiteConfig.model_fields.items():
        assert re.search(rf"^\[{section}\]", text, flags=re.M), section
        for key in inner_model(info.annotation).model_fields:
            assert re.search(rf"^(#? ?{key} = |\[\[{section}\.{key}\]\])", text, flags=re.M), f"{section}.{key}"


def test_init_hooks_and_ci(tmp_path):
    assert main(["init", str(tmp_path / "unit")]) == 0
    site = tmp_path / "unit"
    assert "/output/" in (site / ".gitignore").read_text(encoding="utf-8").splitlines()
    hooks = yaml.safe_load((site / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = hooks["repos"][0]["hooks"][0]
    assert hooks["repos"][0]["repo"] == "local"
    assert hook["id"] == "formgen-check" and hook["pass_filenames"] is False
    assert hook["entry"] == f"sh {HOOK_SCRIPT} check" and (site / HOOK_SCRIPT).is_file()
    assert re.match(hook["files"], "content/2025/x.md") and not re.match(hook["files"], "README.md")
    workflow = yaml.safe_load((site / ".github" / "workflows" / "formgen.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["site"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "formgen check" in runs and "formgen build" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "output/"
    assert "{% extends \"base.html\" %}" in (site / "templates" / "site.html").read_text(encoding="utf-8")


def test_init_refuses_a_non_empty_folder_and_force_keeps_what_is_there(capsys, tmp_path):
    site = tmp_path / "unit"
    site.mkdir()
    (site / ".gitignore").write_text("secrets/\n", encoding="utf-8")
    code, _, err = run(capsys, "init", str(site))
    assert code == 2 and "not empty" in err and "--force" in err
    assert not (site / "formgen.toml").exists()
    code, out, _ = run(capsys, "init", str(site), "--force")
    assert code == 0
    assert (site / ".gitignore").read_text(encoding="utf-8") == "secrets/\n", "never overwritten"
    assert f"kept  {(site / '.gitignore').as_posix()}" in out
    assert (site / "formgen.toml").is_file()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert run(capsys, "init", str(tmp_path / "file"))[0] == 2


def test_init_force_in_a_site_never_brings_the_example_back(capsys, tmp_path):
    """The unit deleted the example; `init --force` (to get a newer scaffold file) wrote it again, to be
    published as the unit's own. Into a folder that is a site already, it writes no example."""
    site = tmp_path / "unit"
    assert run(capsys, "init", str(site), "--year", "2025")[0] == 0
    example = site / "content" / "2025" / f"{EXAMPLE_SLUG}.md"
    example.unlink()
    (site / ".pre-commit-config.yaml").unlink()
    code, out, _ = run(capsys, "init", str(site), "--year", "2025", "--force")
    assert code == 0 and not example.exists() and EXAMPLE_SLUG not in out
    assert (site / ".pre-commit-config.yaml").is_file(), "the other scaffold files are written as before"


def test_the_placeholder_finding_is_documented():
    assert "`placeholder`" in (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    authoring_doc = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert "## formgen init" in authoring_doc and "## formgen new" in authoring_doc


# The language of the files written


_COMMENTED_CODE = re.compile(r"\s*# ?[\w\[\]{]+ = |#\s+[\[{\]]")
"""A setting commented out in formgen.toml (``# budget_weight = 10``, ``#     { name = …``): not prose."""


def _comments(path: Path) -> list[str]:
    """The comment lines of a scaffold file: `# …` lines, and the lines inside site.html's {#- … -#}."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return [line for block in re.findall(r"\{#-(.*?)-#\}", text, flags=re.S) for line in block.splitlines()
                if line.strip() and not line.lstrip().startswith("<")]
    return [line.split("#", 1)[1] for line in text.splitlines()
            if "#" in line and not line.startswith("#!") and not _COMMENTED_CODE.match(line)]


def _parsed(site: Path) -> None:
    """Every written file still reads as what it is."""
    import tomllib

    tomllib.loads((site / "formgen.toml").read_text(encoding="utf-8"))
    for name in (".pre-commit-config.yaml", ".github/workflows/formgen.yml"):
        assert isinstance(yaml.safe_load((site / name).read_text(encoding="utf-8")), dict), name
    assert load_config(site / "formgen.toml") == SiteConfig()


@pytest.mark.chinese
def test_init_speaks_chinese_by_default_and_english_on_request(capsys, tmp_path):
    from .chinese import chinese_share

    assert main(["init", str(tmp_path / "zh"), "--year", "2025"]) == 0
    assert main(["--lang", "en", "init", str(tmp_path / "en"), "--year", "2025"]) == 0
    for target in SCAFFOLD.values():
        chinese = " ".join(_comments(tmp_path / "zh" / target))
        english = " ".join(_comments(tmp_path / "en" / target))
        assert chinese and chinese_share(chinese) >= 0.7, (target, chinese)
        assert chinese_share(english) < 0.2, (target, english)
        for line in (tmp_path / "zh" / target).read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("# ") and not _COMMENTED_CODE.match(line):  # prose, wrapped to fit
                assert authoring._width(line) <= 100, line
    _parsed(tmp_path / "zh")
    _parsed(tmp_path / "en")
    workflow = yaml.safe_load((tmp_path / "zh" / ".github" / "workflows" / "formgen.yml").read_text(encoding="utf-8"))
    assert [step.get("name") for step in workflow["jobs"]["site"]["steps"] if "run" in step] == \
        ["安装系统依赖", "安装 formgen", "检查", "生成网站"]
    assert "Every key is optional" in (tmp_path / "en" / "formgen.toml").read_text(encoding="utf-8")
    example = (tmp_path / "zh" / "content" / "2025" / f"{EXAMPLE_SLUG}.md").read_text(encoding="utf-8")
    assert example.splitlines()[1].startswith("# 示例表：每一栏都已填写")
    assert "# 年度（必填）" in example


@pytest.mark.chinese
def test_new_writes_its_header_in_the_language_asked_for(capsys, reference_site):
    from .chinese import chinese_share

    assert main(["new", "办公楼维修", "--slug", "zh", "--year", "2025"]) == 0
    assert main(["new", "办公楼维修", "--slug", "en", "--year", "2025", "--lang", "en"]) == 0
    assert main(["new", "--from", SOURCE, "--slug", "zh-from"]) == 0
    zh, en, from_ = (read_document(reference_site / "content" / "2025" / f"{slug}.md").path.read_text(encoding="utf-8")
                     for slug in ("zh", "en", "zh-from"))

    def header(text: str) -> str:
        return " ".join(line[2:] for line in text.splitlines()[1:] if line.startswith("# "))

    assert header(zh).startswith("项目支出绩效目标自评表（formgen new 生成）。把每个“【待填写】”换成实际内容")
    assert "绩效指标：每个一级指标先给一行" in header(zh) and chinese_share(header(zh)) >= 0.8
    assert header(en).startswith("项目支出绩效目标自评表 (written by formgen new). Replace every “【待填写】”")
    assert "# 年度（必填）：" in zh and "# 年度 (required): " in en and "# 备注（可选）" in zh
    # Every field's doc too, from the catalog: what goes there, in Chinese.
    assert "# 年度（必填）：所评价的预算年度（标题下的 `（2024年度）`）。" in zh
    assert "# 年度 (required): The budget year evaluated (the `（2024年度）` under the title)." in en
    comments = [line.split("# ", 1)[1] for line in zh.split("---")[1].splitlines() if "# " in line]
    assert chinese_share("\n".join(comments)) >= 0.9, "labels, docs and header alike"
    assert f"以 content/2024/{SOURCE}.md 为底稿" in header(from_) and "自评结论须重新填写" in header(from_)


# The pre-commit hook, as a desktop git client runs it


_SHORT_PATH = "/usr/bin:/bin"
"""The PATH of a git client started from a desktop (macOS's launchd gives /usr/bin:/bin:/usr/sbin:/sbin):
without the virtual environment's or pipx's folder, where formgen is."""


def _hook(site: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry, run as pre-commit runs it: in the site's folder, with a desktop's short PATH."""
    hook = yaml.safe_load((site / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"][0]
    environment = {"PATH": _SHORT_PATH, "HOME": str(home)}  # no FORMGEN_LANG: what a clerk gets
    return subprocess.run(shlex.split(hook["entry"]), cwd=site, env=environment, capture_output=True, text=True,
                          check=False)


@pytest.mark.chinese
@pytest.mark.skipif(shutil.which("formgen", path=_SHORT_PATH) is not None or shutil.which("sh", path=_SHORT_PATH)
                    is None, reason="needs sh, and formgen not installed in /usr/bin or /bin")
def test_the_hook_finds_formgen_with_a_desktop_git_clients_path(capsys, tmp_path):
    site, home = tmp_path / "unit", tmp_path / "home"
    assert main(["init", str(site), "--year", "2025"]) == 0
    installed = Path(sys.executable).parent / "formgen"  # this environment's formgen, as in a site's .venv
    assert installed.is_file()
    # No formgen where the hook looks: it says so, in Chinese, with what to do.
    done = _hook(site, home)
    assert done.returncode == 1 and "找不到 formgen" in done.stderr and "FORMGEN" in done.stderr
    # The site's .venv, where docs/authoring.md says to install it.
    (site / ".venv" / "bin").mkdir(parents=True)
    (site / ".venv" / "bin" / "formgen").symlink_to(installed)
    done = _hook(site, home)
    assert done.returncode == 0, done.stderr
    assert f"content/2025/{EXAMPLE_SLUG}.md:" in done.stdout and "警告" in done.stdout, "formgen check, in Chinese"
    form = site / "content" / "2025" / f"{EXAMPLE_SLUG}.md"
    form.write_text(re.sub(r"(?m)^(    executed: )196500", r"\g<1>296500", form.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")
    done = _hook(site, home)
    assert done.returncode == 1 and "funds.total.executed" in done.stdout, "an error fails the commit"
    # pipx's folder, and FORMGEN naming formgen wherever it is.
    shutil.rmtree(site / ".venv")
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "formgen").symlink_to(installed)
    assert "funds.total.executed" in _hook(site, home).stdout
    (home / ".local" / "bin" / "formgen").unlink()
    hook = yaml.safe_load((site / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"][0]
    done = subprocess.run(shlex.split(hook["entry"]), cwd=site, capture_output=True, text=True, check=False,
                          env={"PATH": _SHORT_PATH, "HOME": str(home), "FORMGEN": str(installed)})
    assert done.returncode == 1 and "funds.total.executed" in done.stdout


@pytest.mark.chinese
def test_new_and_init_refuse_in_chinese(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "办公楼维修", "--slug", "office-repair", "--year", "2025")[0] == 0
    code, _, err = run(capsys, "new", "办公楼维修", "--slug", "office-repair", "--year", "2025")
    assert code == 2 and "content/2025/office-repair.md 已经存在：请用 --slug 另起文件名，或加上 --force 覆盖它" in err
    code, _, err = run(capsys, "new", "办公楼维修", "--slug", "Office Repair")
    assert code == 2 and "只能用小写字母、数字和连字符" in err
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 2 and "不是空文件夹" in err and "--force" in err
