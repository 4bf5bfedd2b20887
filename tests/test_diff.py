"""formgen diff against a real git repository, and the pre-commit hook on staged forms.

The repository holds three of the published forms and formgen.toml; the expected figures come from the
library (and, for the 执行率, from the rule itself), not from copies of the output.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from generator import formatting
from generator.__main__ import main
from generator.config import load_config
from generator.feed import form_record
from generator.model import Funds, Indicator, Stated, label_for
from generator.pipeline import load_site

from .conftest import CONTENT, ROOT

CHANGED = "trial-support-services"
REMOVED = "power-system-renovation"
ADDED = "judicial-aid-one-case"
KEPT = "central-equipment"

EXECUTED = label_for(("total", "executed"), Funds)  # 年度资金总额 全年执行数（B）


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site repository with one commit, as the working folder; git configured for the test alone."""
    assert shutil.which("git"), "git is needed (tools/system-deps.sh test installs it)"
    for name, value in {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
                        "GIT_AUTHOR_NAME": "formgen test", "GIT_AUTHOR_EMAIL": "test@example.org",
                        "GIT_COMMITTER_NAME": "formgen test", "GIT_COMMITTER_EMAIL": "test@example.org"}.items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "site"
    (root / "content" / "2024").mkdir(parents=True)
    for slug in (CHANGED, REMOVED, KEPT):
        shutil.copy(CONTENT / "2024" / f"{slug}.md", root / "content" / "2024")
    shutil.copy(ROOT / "formgen.toml", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "three forms")
    monkeypatch.chdir(root)
    return root


def form_path(repo: Path, slug: str) -> Path:
    return repo / "content" / "2024" / f"{slug}.md"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def record(repo: Path, slug: str) -> dict:
    """The feed record of one form as it is on disk now, computed by the library."""
    site = load_site([form_path(repo, slug)], load_config(repo / "formgen.toml"))
    return form_record(site.entries[0])


def change_the_tree(repo: Path) -> None:
    """Spend more on one form, remove one, add one."""
    edit(form_path(repo, CHANGED), "executed: 988000}", "executed: 1000000}")
    form_path(repo, REMOVED).unlink()
    shutil.copy(CONTENT / "2024" / f"{ADDED}.md", repo / "content" / "2024")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_head_against_the_working_tree_prints_figures_rows_and_findings(repo, capsys):
    before = record(repo, CHANGED)
    removed = record(repo, REMOVED)
    change_the_tree(repo)
    after, added = record(repo, CHANGED), record(repo, ADDED)
    # The 执行率 by the rule (B ÷ A × 100, half up), so that the library is not only compared with itself.
    budget = Decimal(after["funds"]["total"]["budget"])
    for side, executed in ((before, 988000), (after, 1000000)):
        assert side["execution_rate"] == str((executed / budget * 100).quantize(Decimal("0.01"), ROUND_HALF_UP))

    code, out, err = run(capsys)
    assert code == 0 and not err
    lines = out.splitlines()
    head = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    assert lines[-1] == f"HEAD ({head}) → working tree: 3 forms differ (1 changed, 1 added, 1 removed), 1 unchanged"

    block = lines[lines.index(f"changed {CHANGED} {after['title']}") + 1:]
    figures = block[0].strip().split("; ")
    rate, score, total = (label_for((key,), Stated) for key in ("execution_rate", "budget_score", "total"))
    assert figures == [
        f"{EXECUTED} {formatting.money(Decimal(988000))} → {formatting.money(Decimal(1000000))}",  # 988,000 → 1,000,000
        f"{label_for(('fiscal', 'executed'), Funds)} 988,000 → 1,000,000",
        f"{label_for(('own', 'executed'), Funds)} 988,000 → 1,000,000",
        f"{rate} {before['execution_rate']} → {after['execution_rate']}",
        f"{score} {before['budget_score']} → {after['budget_score']}",
        f"{total} {before['total']} → {after['total']}",
    ]
    # The warning about the rate is resolved with the old figure and new with the new one, at its line.
    assert (f"  resolved warning: funds.total.executed ({label_for(('funds', 'total', 'executed'))}): "
            f"执行率 is {before['execution_rate']}% with no explanation") in block
    line = 1 + form_path(repo, CHANGED).read_text(encoding="utf-8").splitlines().index(
        "  total:    {initial: 1354628, budget: 1354628, executed: 1000000}   # 年度资金总额")
    assert any(text.startswith(f"  new warning: content/2024/{CHANGED}.md:{line}: funds.total.executed ")
               and f"执行率 is {after['execution_rate']}% with no explanation" in text for text in block)
    # The stated 总分 no longer matches: a new error
    assert any(text.startswith("  new error: ") and "stated.total" in text and after["total"] in text
               for text in block)

    assert f"added {ADDED} {added['title']}" in lines
    summary = lines[lines.index(f"added {ADDED} {added['title']}") + 1]
    assert f"{rate} {added['execution_rate']}" in summary and f"{total} {added['total']}" in summary
    assert f"removed {REMOVED} {removed['title']}" in lines
    assert f"{total} {removed['total']}" in lines[lines.index(f"removed {REMOVED} {removed['title']}") + 1]
    assert KEPT not in out


def test_rows_texts_and_two_revisions(repo, capsys):
    path = form_path(repo, CHANGED)
    # Edited as a clerk would, so that the form still checks (a form with errors shows no figures): the
    # score is the computed one, 92.02 ÷ 95 × 10 = 9.686 → 9.69; the 满意度指标 rows still add up to 10,
    # and the printed 总分 is 97.29 − 10 + 9.69 = 96.98.
    edit(path, "name: 全年案件结案率, target: ≥85%, actual: 92.02%, weight: 10, score: 10}",
         "name: 全年案件结案率, target: ≥95%, actual: 92.02%, weight: 10, score: 9.69}")
    judges = ("  - {level1: 满意度指标, level2: 满意度指标, name: 法官满意度, "
              "target: ≥90%, actual: 90%, weight: 5, score: 5}")
    edit(path, f"{judges}\n", "")
    edit(path, "name: 诉讼当事人满意度, target: ≥90%, actual: 90%, weight: 5, score: 5}",
         "name: 诉讼当事人满意度, target: ≥90%, actual: 90%, weight: 10, score: 10}")
    edit(path, "  total: 97.29", "  total: 96.98")
    edit(path, "审判辅助事务购买社会化服务专项资金各项", "审判辅助事务购买社会化服务专项资金的各项")
    after = record(repo, CHANGED)
    git(repo, "commit", "-q", "-a", "-m", "edit rows")

    code, out, _ = run(capsys, "HEAD~1", "HEAD")
    assert code == 0
    assert out == run(capsys, "HEAD~1..HEAD")[1]
    lines = [line.strip() for line in out.splitlines()]
    row = next(row for row in after["indicators"] if row["name"] == "全年案件结案率")
    position = after["indicators"].index(row) + 1
    target, score = label_for(("target",), Indicator), label_for(("score",), Indicator)
    assert row["score"] != "10"
    assert f"绩效指标 changed 第{position}项 全年案件结案率: {target} ≥85% → ≥95%; {score} 10 → {row['score']}" in lines
    removed = "绩效指标 removed 第10项 法官满意度 (满意度指标 满意度指标): "
    assert any(line.startswith(removed) and line.endswith(f"{score} 5") for line in lines)
    assert "自评结论 changed" in lines
    assert re.match(r"^HEAD~1 \([0-9a-f]{7}\) → HEAD \([0-9a-f]{7}\): 1 form differs \(1 changed\), 2 unchanged$",
                    lines[-1])


def test_findings_are_compared_without_their_lines(repo, capsys):
    # A comment line at the top moves every finding of the form one line down: nothing changed.
    path = form_path(repo, CHANGED)
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\n# 审核中\n", 1), encoding="utf-8")
    code, out, _ = run(capsys)
    assert code == 0
    assert out.splitlines()[-1].endswith("→ working tree: no changes to forms")


def test_markdown_for_a_pull_request(repo, capsys):
    before = record(repo, CHANGED)
    change_the_tree(repo)
    after = record(repo, CHANGED)
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 0
    assert out.startswith("### formgen diff: HEAD (")
    assert "3 forms differ (1 changed, 1 added, 1 removed), 1 unchanged." in out
    assert f"#### Changed: {CHANGED} {after['title']}" in out
    rate = label_for(("execution_rate",), Stated)
    assert f"| {rate} | {before['execution_rate']} | {after['execution_rate']} |" in out
    assert f"| {EXECUTED} | 988,000 | 1,000,000 |" in out
    assert f"#### Added: {ADDED} " in out and f"#### Removed: {REMOVED} " in out
    assert "- resolved warning: funds.total.executed" in out
    assert r"execution\_reason" in out  # Markdown's own characters are escaped

    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "changes")
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 0
    assert out == f"### formgen diff: HEAD ({git(repo, 'rev-parse', '--short=7', 'HEAD').strip()}) → working tree\n\n" \
                  "no changes to forms\n"


def test_exit_code_option(repo, capsys):
    assert run(capsys, "--exit-code")[0] == 0
    change_the_tree(repo)
    assert run(capsys)[0] == 0  # informational by default, like git diff
    assert run(capsys, "--exit-code")[0] == 1


def test_paths_limit_the_comparison(repo, capsys):
    change_the_tree(repo)
    code, out, _ = run(capsys, "HEAD", f"content/2024/{CHANGED}.md")
    assert code == 0
    assert out.splitlines()[-1].endswith("1 form differs (1 changed), 0 unchanged")
    # A folder that is gone from the working tree is still a path when the revision has it.
    shutil.rmtree(repo / "content")
    code, out, _ = run(capsys, "HEAD", "content")
    assert code == 0
    assert out.splitlines()[-1].endswith("3 forms differ (3 removed), 0 unchanged")


def test_options_may_stand_between_revisions_and_paths(repo, capsys):
    """As git takes them: `formgen diff HEAD --format markdown content/…` was refused ("unrecognized
    arguments"), argparse reading one run of positionals only."""
    change_the_tree(repo)
    path = f"content/2024/{CHANGED}.md"
    code, out, err = run(capsys, "HEAD", "--format", "markdown", path)
    assert (code, err) == (0, "")
    assert out.startswith("### formgen diff: HEAD (") and "1 form differs (1 changed), 0 unchanged." in out
    assert out == run(capsys, "--format", "markdown", "HEAD", path)[1]
    # An unknown option after them is still argparse's usage error.
    with pytest.raises(SystemExit) as exited:
        run(capsys, "HEAD", "--formt", "markdown", path)
    assert exited.value.code == 2


def test_unknown_revision_is_named(repo, capsys):
    code, out, err = run(capsys, "nosuchrev")
    assert code == 2 and not out
    assert "nosuchrev" in err and "unknown revision" in err
    code, _, err = run(capsys, "HEAD", "nosuchrev")
    assert code == 2 and "“nosuchrev”" in err


def test_a_word_both_revision_and_path_is_refused(repo, capsys):
    git(repo, "branch", "content")
    code, _, err = run(capsys, "content")
    assert code == 2 and "both a revision and a path" in err and "./content" in err
    assert run(capsys, "./content")[0] == 0


def test_outside_a_repository(tmp_path, monkeypatch, capsys):
    plain = tmp_path / "plain"
    shutil.copytree(CONTENT, plain / "content")
    monkeypatch.chdir(plain)
    code, out, err = run(capsys)
    assert code == 2 and not out
    assert "not in a git repository" in err


def test_a_path_outside_the_repository(repo, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(CONTENT, elsewhere)
    code, _, err = run(capsys, "HEAD", str(elsewhere))
    assert code == 2
    assert f"{elsewhere}: not in a git repository" in err


def test_the_settings_of_each_revision(repo, capsys):
    edit(repo / "formgen.toml", 'title = "平塘县人民法院 项目支出绩效自评表"', 'title = "平塘县人民法院"')
    code, out, _ = run(capsys)
    assert code == 0 and out.splitlines() == [out.splitlines()[-1]]  # the site title scores nothing
    assert out.endswith("no changes to forms\n")
    edit(repo / "formgen.toml", "explain_execution_below = 100", "explain_execution_below = 50")
    code, out, _ = run(capsys)
    assert out.startswith("formgen.toml differs")
    assert "resolved warning: funds.total.executed" in out  # 执行率 72.94 needs no explanation above 50
    git(repo, "commit", "-q", "-a", "-m", "settings")
    edit(repo / "formgen.toml", "explain_execution_below = 50", "explain_execution_below = [")
    git(repo, "commit", "-q", "-a", "-m", "broken settings")
    code, _, err = run(capsys, "HEAD", "HEAD~1")
    assert code == 1
    assert "HEAD:formgen.toml:" in err  # the file as git names it, not its temporary copy


# --- the pre-commit hook ---------------------------------------------------------------------------

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def hook(hook_id: str) -> dict:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    return next(item for item in hooks if item["id"] == hook_id)


def test_the_hooks_file_is_valid():
    declared = hook("formgen-check")
    assert declared["language"] == "python" and declared["pass_filenames"] is True
    command = shlex.split(declared["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert command[0] in scripts  # pre-commit installs the package: the entry is its console script
    site = hook("formgen-check-site")
    assert site["pass_filenames"] is False and site["entry"] == declared["entry"]


def staged_for(declared: dict, repo: Path) -> list[str]:
    """The staged files pre-commit would pass to the hook."""
    names = git(repo, "diff", "--cached", "--name-only").split()
    return [name for name in names if re.search(declared["files"], name)
            and not re.search(declared.get("exclude", "^$"), name)]


def test_the_hook_fails_on_a_bad_staged_form(repo, capsys):
    declared = hook("formgen-check")
    bad = form_path(repo, "bad-form")
    shutil.copy(form_path(repo, CHANGED), bad)
    edit(bad, "executed: 988000}", "executed: 9880000}")  # above the budget: an error
    (repo / "content" / "README.md").write_text("# 说明\n", encoding="utf-8")
    (repo / "content" / "2024" / "_draft.md").write_text("not yet a form\n", encoding="utf-8")
    git(repo, "add", "-A")
    staged = staged_for(declared, repo)
    assert staged == ["content/2024/bad-form.md"]  # drafts and README.md are not forms
    command = shlex.split(declared["entry"])
    assert main([*command[1:], *staged]) == 1
    out = capsys.readouterr().out
    assert "content/2024/bad-form.md:" in out and "全年执行数 9,880,000 is above 全年预算数" in out

    edit(bad, "executed: 9880000}", "executed: 988000}")
    git(repo, "add", "-A")
    assert main([*command[1:], *staged_for(declared, repo)]) == 0


def test_a_form_with_errors_shows_no_computed_figures_and_says_why(repo, capsys):
    """docs/authoring.md: a form with errors on one side has no figures there; the errors say why. Its
    执行率 and 总分 would be computed from figures that do not add up, and `build` publishes none."""
    path = form_path(repo, CHANGED)
    edit(path, "executed: 988000}   # 年度资金总额", "executed: 1000000}   # 年度资金总额")  # 财政拨款 + 其他 stay
    line = 1 + path.read_text(encoding="utf-8").splitlines().index(
        "  total:    {initial: 1354628, budget: 1354628, executed: 1000000}   # 年度资金总额")
    code, out, _ = run(capsys)
    assert code == 0
    block = out.splitlines()[1:-1]
    rate, total = label_for(("execution_rate",), Stated), label_for(("total",), Stated)
    assert block[0] == "  its figures cannot be computed in the working tree: the form has 1 error"
    assert block[1].startswith(f"  {EXECUTED} 988,000 → 1,000,000"), "what the author wrote, and no more:"
    assert not any(f"{rate} " in text or f"{total} " in text for text in block if "→" in text), "nothing computed"
    assert any(text.startswith(f"  new error: content/2024/{CHANGED}.md:{line}: funds.total.executed ")
               and "988,000" in text for text in block), "the error that says why, where it is"
    # Committed as it is, then another edit: the error is on both sides, new on neither, and still named.
    git(repo, "commit", "-q", "-a", "-m", "a slip")
    edit(path, "contact: ", "contact: 王")
    head = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    code, out, _ = run(capsys)
    block = out.splitlines()[1:-1]
    assert f"  its figures cannot be computed at HEAD ({head}): the form has 1 error" in block
    assert "  its figures cannot be computed in the working tree: the form has 1 error" in block
    for where in (f"at HEAD ({head})", "in the working tree"):
        assert any(text.startswith(f"  error {where}: content/2024/{CHANGED}.md:{line}: funds.total.executed ")
                   for text in block), where
    assert "  联系人 莫路路 → 王莫路路" in block
    assert not any(f"{rate} " in text for text in block if "→" in text)
    # Fixed: the figures are back, against a side that has none.
    edit(path, "executed: 1000000}   # 年度资金总额", "executed: 988000}   # 年度资金总额")
    code, out, _ = run(capsys, "--format", "markdown")
    assert f"- its figures cannot be computed at HEAD ({head}): the form has 1 error" in out
    assert "- resolved error: funds.total.executed" in out


def test_an_error_in_the_printed_figures_leaves_the_computation(repo, capsys):
    # Spending changed in every row: only the stated 总分 disagrees, and the diff shows the new 总分 beside it.
    edit(form_path(repo, CHANGED), "executed: 988000}", "executed: 1000000}")
    after = record(repo, CHANGED)
    out = run(capsys)[1]
    assert "cannot be computed" not in out
    assert f"{label_for(('total',), Stated)} 97.29 → {after['total']}" in out


def test_diff_finds_its_site_from_any_folder(repo, capsys, monkeypatch, tmp_path):
    """Run from content/2024 it looked for ./content there ("content: no such file or folder"); it finds
    the site as the other verbs do, and says whose settings it uses."""
    change_the_tree(repo)
    expected = run(capsys)[1]
    assert "3 forms differ" in expected
    monkeypatch.chdir(repo / "content" / "2024")
    code, out, err = run(capsys)
    assert (code, out) == (0, expected)
    assert "../../formgen.toml" in err, "the settings it uses, named from where the user is"
    monkeypatch.chdir(tmp_path)  # elsewhere, naming the content
    code, out, _ = run(capsys, "HEAD", str(repo / "content"))
    assert (code, out) == (0, expected)


@pytest.mark.chinese
def test_diff_speaks_chinese(repo, capsys):
    from .chinese import chinese_share

    change_the_tree(repo)
    code, out, _ = run(capsys)
    assert code == 0
    lines = out.splitlines()
    head = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    assert lines[-1] == f"HEAD ({head}) → 工作区：3 张表有变化（已修改 1 张、新增 1 张、已删除 1 张），1 张未变"
    assert f"已修改 {CHANGED} " in out and f"新增 {ADDED} " in out and f"已删除 {REMOVED} " in out
    # diff's own words around the findings (whose messages are check's): the lines' openings
    # A field named as check names it in Chinese, with its label in full-width brackets.
    assert any(line.startswith("  已消除的警告：funds.total.executed（") for line in lines)
    assert any(line.startswith(f"  新的错误：content/2024/{CHANGED}.md:") for line in lines)
    assert chinese_share(lines[-1]) >= 0.8
    code, out, _ = run(capsys, "--format", "markdown")
    assert "3 张表有变化（已修改 1 张、新增 1 张、已删除 1 张），1 张未变。" in out and f"#### 新增：{ADDED} " in out
    code, _, err = run(capsys, "nosuchrev")
    assert code == 2 and "未知的版本，或工作区中没有这个路径：“nosuchrev”" in err
