"""The CLI speaks Chinese by default and English on request: help, summaries, notes, usage errors, the
preview's error page; a language it does not speak is said, in Chinese, and the command goes on."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from generator import i18n
from generator.__main__ import COMMANDS, main
from generator.commands.common import print_report
from generator.findings import Finding, Level
from generator.profile import shipped_profiles
from generator.serve import Failure, error_page

from .chinese import chinese_share
from .conftest import CONTENT, ROOT

BROKEN = ROOT / "tests" / "bad" / "field-and-sum-errors.md"
"""The reference form with three errors: 联系人 missing, 年度资金总额 ≠ its rows, 其他 spent beyond its budget."""

# By hand, from the reference forms (tests/test_cli.py: 10 forms, 0 errors, 19 warnings) and the broken one
# (its 3 errors, no warning): what the last line of `formgen check` says of the site.
SUMMARY_ZH = "检查了 11 张自评表：3 个错误，19 个警告——未通过"
SUMMARY_EN = "11 forms checked: 3 errors, 19 warnings — failed"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the reference site (content/ and formgen.toml) with one broken form, as the working folder."""
    root = tmp_path / "site"
    shutil.copytree(CONTENT, root / "content")
    shutil.copy(ROOT / "formgen.toml", root / "formgen.toml")
    shutil.copy(BROKEN, root / "content" / "2024" / BROKEN.name)
    monkeypatch.chdir(root)
    return root


@pytest.fixture(autouse=True)
def columns(monkeypatch: pytest.MonkeyPatch) -> None:
    # argparse wraps help to the terminal's width: the same lines on every machine.
    monkeypatch.setenv("COLUMNS", "100")


# -- help ------------------------------------------------------------------------------------------------


@pytest.mark.chinese
@pytest.mark.parametrize("verb", ["", *COMMANDS])
def test_help_of_formgen_and_of_every_verb_is_chinese(capsys, verb):
    text = help_text(capsys, *([verb] if verb else []))
    assert text.startswith("用法：formgen")
    assert chinese_share(text) >= 0.7, text


@pytest.mark.chinese
def test_help_fits_an_80_column_terminal(capsys, monkeypatch):
    # A Chinese character takes two columns: wrapped by its length, a line would overflow the window.
    monkeypatch.setenv("COLUMNS", "80")
    for verb in ["", *COMMANDS]:
        text = help_text(capsys, *([verb] if verb else []))
        wide = [line for line in text.splitlines()
                if sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line) > 80]
        assert wide == [], verb


@pytest.mark.chinese
def test_help_names_no_file_users_do_not_have(capsys):
    for verb in ["", *COMMANDS]:
        text = help_text(capsys, *([verb] if verb else []))
        assert "docs/" not in text and "rules.md" not in text, (verb, text)


@pytest.mark.chinese
@pytest.mark.parametrize("argv", [["--lang", "en", "build"], ["build", "--lang", "en"], ["build", "--lang=en"]])
def test_help_in_english_with_lang_before_or_after_the_verb(capsys, argv):
    text = help_text(capsys, *argv)
    assert text.startswith("usage: formgen build")
    assert "show this help message and exit" in text and "treat warnings as errors" in text
    assert chinese_share(text) < 0.1, text


# -- check: the summary, the notes --------------------------------------------------------------------------


@pytest.mark.chinese
def test_check_says_its_verdict_in_chinese(capsys, site):
    code, out, err = run(capsys, "check")
    assert code == 1 and err == ""
    assert out.splitlines()[-1] == SUMMARY_ZH
    assert "content/2024/field-and-sum-errors.md:12:" in out


@pytest.mark.chinese
def test_check_of_the_reference_site_and_a_broken_form_is_mostly_chinese(capsys, site):
    _, out, err = run(capsys, "check")
    assert chinese_share(out + err) >= 0.8


@pytest.mark.chinese
def test_the_note_naming_the_site_settings_is_chinese(capsys, site, monkeypatch):
    monkeypatch.chdir(site / "content" / "2024")
    code, out, err = run(capsys, "check")
    assert code == 1 and out.splitlines()[-1] == SUMMARY_ZH
    assert err == f"formgen：使用站点设置 ../../formgen.toml（站点 {site.resolve()}）\n"


@pytest.mark.chinese
def test_usage_errors_are_chinese(capsys, site):
    code, _, err = run(capsys, "check", "no-such-folder")
    assert (code, err) == (2, "formgen：no-such-folder：没有这个文件或文件夹\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--shard", "3/2"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "错误" in err and "请写成 I/N" in err and "例如 2/3" in err


@pytest.mark.chinese
@pytest.mark.parametrize("argv", [["--lang", "en", "check"], ["check", "--lang", "en"], ["check", "--lang=en"]])
def test_lang_en_before_or_after_the_verb_gives_english(capsys, site, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 1 and out.splitlines()[-1] == SUMMARY_EN


@pytest.mark.chinese
def test_formgen_lang_en_gives_english_and_lang_overrides_it(capsys, site, monkeypatch):
    monkeypatch.setenv(i18n.ENVIRONMENT_VARIABLE, "en")
    code, out, _ = run(capsys, "check")
    assert code == 1 and out.splitlines()[-1] == SUMMARY_EN
    code, out, _ = run(capsys, "check", "--lang", "zh")
    assert code == 1 and out.splitlines()[-1] == SUMMARY_ZH


def test_the_installed_command_reads_formgen_lang(site):
    # A process of its own, as a shell starts it: the language is chosen before anything is printed.
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    for value, summary in (("en", SUMMARY_EN), ("zh_CN", SUMMARY_ZH)):
        done = subprocess.run([sys.executable, "-m", "generator", "check"], capture_output=True, text=True,
                              env={**environment, i18n.ENVIRONMENT_VARIABLE: value}, check=False)
        assert done.returncode == 1 and done.stdout.splitlines()[-1] == summary, done.stderr


# -- a language formgen does not speak ----------------------------------------------------------------------


@pytest.mark.chinese
@pytest.mark.parametrize("how", ["option", "variable"])
def test_an_unknown_language_is_a_note_in_chinese_then_chinese(capsys, site, monkeypatch, how):
    if how == "variable":
        monkeypatch.setenv(i18n.ENVIRONMENT_VARIABLE, "fr")
    code, out, err = run(capsys, "check", *(["--lang", "fr"] if how == "option" else []))
    assert code == 1, "the command goes on: a pre-commit hook is not stopped by one machine's setting"
    assert err == ("formgen：注意：没有“fr”语言的提示信息；formgen 可用的语言：en, zh_CN，可用 --lang 或环境变量 "
                   "FORMGEN_LANG 选择。以下使用简体中文。\n")
    assert out.splitlines()[-1] == SUMMARY_ZH


# -- plurals and the pieces of the summary ------------------------------------------------------------------


def _finding(level: Level) -> Finding:
    return Finding("content/2024/a.md", 3, level, "code", "title", "项目名称", "message", "fix")


def test_english_summary_says_one_form_one_error_one_warning(capsys):
    print_report([_finding(Level.ERROR), _finding(Level.WARNING)], 1, strict=False)
    assert capsys.readouterr().out.splitlines()[-1] == "1 form checked: 1 error, 1 warning — failed"
    print_report([_finding(Level.WARNING), _finding(Level.WARNING), _finding(Level.DISCREPANCY)], 2, strict=True)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "2 forms checked: 0 errors, 2 warnings, 1 discrepancy kept as published — failed "
        "(--strict: warnings count as errors)")


@pytest.mark.chinese
def test_chinese_summary_with_discrepancies_and_strict(capsys):
    print_report([_finding(Level.WARNING), _finding(Level.DISCREPANCY), _finding(Level.DISCREPANCY)], 1, strict=True)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "检查了 1 张自评表：0 个错误，1 个警告，2 处与原表不符（按原表保留）——未通过（--strict：警告按错误计）")


# -- the preview's error page -------------------------------------------------------------------------------


def _page() -> str:
    return error_page(Failure("build failed", (_finding(Level.ERROR), _finding(Level.WARNING))))


@pytest.mark.chinese
def test_error_page_is_chinese_by_default():
    page = _page()
    assert '<html lang="zh-CN">' in page
    assert "<h1>生成失败</h1>" in page and "内容有 1 个错误、1 个警告，站点未能生成" in page
    assert '<strong>错误</strong>' in page and '<strong>警告</strong>' in page
    assert "保存修改后，本页会自动刷新。" in page and "formgen 预览" in page
    missing = error_page(None, missing="/forms/x.html")
    assert '<html lang="zh-CN">' in missing and "站点中没有页面 /forms/x.html。" in missing


def test_error_page_in_english_says_so_in_its_lang_attribute():
    page = _page()
    assert '<html lang="en">' in page
    assert "<h1>The build failed</h1>" in page and "The content has 1 error and 1 warning" in page
    assert '<strong>warning</strong>' in page and "formgen preview" in page
    assert chinese_share(page.split("<body>")[1].replace("项目名称", "")) < 0.05


# -- no message of the CLI refers to a file users do not have -----------------------------------------------

CLI_FILES = ["generator/__main__.py", "generator/errors.py", "generator/progress.py", "generator/serve.py",
             "generator/output.py", "generator/parallel.py", "generator/state.py",
             "generator/feed.py", "generator/render/pdf.py",
             *(path.relative_to(ROOT).as_posix() for folder in ("commands", "build")
               for path in sorted((ROOT / "generator" / folder).glob("*.py")))]
WRITTEN = "generator/commands/new.py"
"""Its literals include the comments `formgen new` writes into the form, translated on another branch: only
its messages are the CLI's."""
NOT_THEIRS = ("docs/", "rules.md")


def _literals(path: Path) -> list[str]:
    """Every string literal of a module but its docstrings (and the strings under attributes that document
    them): what may reach a user."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bodies = [body for node in ast.walk(tree) if isinstance(body := getattr(node, "body", None), list)]
    documenting = {id(statement.value) for body in bodies for statement in body
                   if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in documenting]


def _messages(path: Path) -> list[str]:
    found = []
    for _line, message, _comments, _context in extract_from_file(
            "python", path, keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        found += [message] if isinstance(message, str) else [text for text in message if text]
    return found


def _naming_other_files(texts: list[str]) -> list[str]:
    return [text for text in texts if any(name in text for name in NOT_THEIRS)]


def test_no_cli_message_refers_to_a_file_users_do_not_have():
    texts = [text for name in CLI_FILES if name != WRITTEN for text in _literals(ROOT / name)]
    assert len(texts) > 300, "the scan reads the CLI's strings"
    assert _naming_other_files(texts + _messages(ROOT / WRITTEN)) == []


def test_no_string_of_formgen_refers_to_a_file_users_do_not_have():
    every = sorted((ROOT / "generator").rglob("*.py"))
    assert _naming_other_files([text for path in every for text in _literals(path)]) == []


# -- formgen profiles ---------------------------------------------------------------------------------------


@pytest.mark.chinese
def test_profiles_are_listed_in_chinese(capsys, site):
    code, out, _ = run(capsys, "profiles")
    assert code == 0
    first = out.split("\n\n")[0].splitlines()
    assert first[:3] == ["reference — 贵州（参考表样）（本站点使用的表样）", "  省份：贵州",
                         "  所继承的表样：—（其他所有表样的基础）"]
    assert first[-1] == "  文件：generator/profiles/reference.toml（formgen 自带）"
    shipped = len(shipped_profiles())
    assert out.splitlines()[-1].startswith(
        f"共 {shipped} 个表样：formgen 自带 {shipped} 个，站点自己的 0 个；本站点使用 reference")
