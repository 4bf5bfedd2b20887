"""Hostile inputs (issue 10): what a pull request can put in content/, or a user name as PATH, must give
a clear finding at check time: never a read outside the site, a hang, a memory blow-up, a traceback,
or a build that crashes after `check` passed."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import generator
from generator.build import BuildFailed, build_site
from generator.config import ConfigError, SiteConfig, load_config
from generator.findings import Finding
from generator.pipeline import load_site
from generator.reading import MAX_FILE_BYTES

from ..conftest import ROOT
from .conftest import FORMS, SECRET, assert_whole

OTHER_TITLE = "DECOY-TITLE-外面的表"
"""The 项目名称 of a valid form kept outside the site: it must never be read, so never published."""


def _errors(paths: list[Path]) -> list[Finding]:
    return [finding for finding in load_site(paths, SiteConfig()).findings if finding.level.value == "error"]


def _refused_at_check(site, paths: list[Path] | None = None) -> None:
    """The problem is caught when the site is checked: the build stops cleanly, the old output stays whole."""
    with pytest.raises(BuildFailed):
        build_site(paths or [site.content], SiteConfig(), site.out)


def _outside_form(tmp_path: Path) -> Path:
    """A folder beside the site (not the decoy: its fingerprint is fixed) holding a valid form."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    text = (ROOT / "content" / "2024" / f"{FORMS[1]}.md").read_text(encoding="utf-8")
    (folder / "outside-form.md").write_text(text.replace("title: ", f"title: {OTHER_TITLE}", 1), encoding="utf-8")
    return folder


def _variant(site, old: str, new: str, slug: str = FORMS[0]) -> Path:
    """The site's first form with `old` replaced by `new` (which must be there)."""
    path = site.form()
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    target = site.content / "2024" / f"{slug}.md"
    path.unlink()
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


# 1. Links out of the site, devices, pipes, size (groups 4 and 15)

def test_a_form_file_linked_from_outside_is_reported_and_never_read(site, decoy, tmp_path):
    outside = _outside_form(tmp_path)
    (site.content / "2024" / "passwd.md").symlink_to("/etc/passwd")
    (site.content / "2024" / "secret.md").symlink_to(decoy.secret)
    (site.content / "2024" / "other.md").symlink_to(outside / "outside-form.md")
    errors = _errors([site.content])
    assert {(Path(e.path).name, e.line, e.code) for e in errors} == {
        ("passwd.md", 1, "link-outside-site"), ("secret.md", 1, "link-outside-site"),
        ("other.md", 1, "link-outside-site")}
    assert not any(SECRET in str(e) or "root:" in str(e) for e in errors)
    _refused_at_check(site)
    # Without the links the site builds, and nothing of theirs is in it.
    for name in ("passwd.md", "secret.md", "other.md"):
        (site.content / "2024" / name).unlink()
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)
    assert not any(OTHER_TITLE in page.read_text(encoding="utf-8") for page in site.out.rglob("*.html"))


def test_a_linked_folder_leading_outside_is_reported_and_never_listed(site, decoy, tmp_path):
    outside = _outside_form(tmp_path)
    (site.content / "2023").symlink_to(outside, target_is_directory=True)
    (site.content / "secrets").symlink_to(decoy.path, target_is_directory=True)
    for paths in ([site.content], [site.content / "2023"]):  # found in content/, or named as PATH
        errors = _errors(paths)
        assert {(e.path, e.line, e.code) for e in errors} <= {
            ("content/2023", 1, "link-outside-site"), ("content/secrets", 1, "link-outside-site")}, errors
        assert ("content/2023", 1, "link-outside-site") in {(e.path, e.line, e.code) for e in errors}
        assert not any(OTHER_TITLE in str(e) or "outside-form" in str(e) for e in errors)
    _refused_at_check(site)
    _refused_at_check(site, [site.content / "2023"])


def test_a_content_folder_that_is_a_link_outside_is_not_walked(site, decoy, tmp_path):
    outside = _outside_form(tmp_path)
    real = site.root / "real-content"
    site.content.rename(real)
    site.content.symlink_to(outside, target_is_directory=True)
    assert [(e.path, e.code) for e in _errors([Path("content")])] == [("content", "link-outside-site")]
    _refused_at_check(site, [Path("content")])


def test_links_that_stay_inside_the_site_are_followed(site, decoy):
    shared = site.root / "shared"
    shared.mkdir()
    site.form(FORMS[2]).rename(shared / f"{FORMS[2]}.md")
    (site.content / "2024" / f"{FORMS[2]}.md").symlink_to(Path("..", "..", "shared", f"{FORMS[2]}.md"))
    (site.content / "2025").symlink_to(Path("2024"), target_is_directory=True)  # walked once, not twice
    (site.content / "loop").symlink_to(Path("."), target_is_directory=True)  # a loop ends
    site_ = load_site([site.content], SiteConfig())
    assert sorted(entry.slug for entry in site_.forms) == sorted(FORMS)
    assert not [f for f in site_.findings if f.level.value == "error"]
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)


def _check_bounded(*paths: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`formgen check PATH…` in a process that may use 1 GiB and 60 s: enough for any form, not for
    reading /dev/zero to the end or waiting on a pipe."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    code = str(Path(generator.__file__).parents[1])  # the formgen under test, wherever it is installed
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "generator", "check", *paths], cwd=cwd, capture_output=True,
                          text=True, timeout=60, preexec_fn=limit, env=environment, check=False)


def test_a_device_or_a_pipe_named_as_path_is_refused_without_reading(site, decoy, tmp_path):
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    result = _check_bounded("/dev/zero", str(pipe), cwd=site.root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "/dev/zero:1: this is a device, not a form file" in result.stdout
    assert f"{pipe}:1: this is a named pipe (FIFO), not a form file" in result.stdout


def test_a_pipe_in_content_is_refused(site, decoy):
    os.mkfifo(site.content / "2024" / "pipe.md")
    errors = _errors([site.content])
    assert [(Path(e.path).name, e.code) for e in errors] == [("pipe.md", "file-not-regular")]


def test_a_form_file_above_the_size_limit_is_not_read(site, decoy):
    path = site.form()
    with path.open("a", encoding="utf-8") as file:
        file.write("很长的结论。" * (MAX_FILE_BYTES // 18 + 1))
    assert path.stat().st_size > MAX_FILE_BYTES
    [error] = _errors([path])
    assert (error.line, error.code) == (1, "file-too-large")
    assert "at most 1 MiB" in error.message
    _refused_at_check(site)


# 2. Numbers and settings that passed `check` and broke the build (group 8)

HUGE = "1" + "0" * 400

NUMBER_CASES = [
    # (case, old, new, line, code, part of the message)
    ("money 10**400 in every row",
     "{initial: 845371.59, budget: 845371.59, executed: 599619.76}   # 年度资金总额",
     f"{{initial: {HUGE}, budget: 845371.59, executed: 599619.76}}   # 年度资金总额",
     12, "field-money-digits", "401 digits before the decimal point; a figure on a form has at most 15"),
    ("money of 29 significant digits",
     "budget: 845371.59, executed: 599619.76}   # 年度资金总额",
     "budget: 1234567890123456789012345678.9, executed: 599619.76}   # 年度资金总额",
     12, "field-money-digits", "28 digits before the decimal point"),
    ("a weight of 41 digits", "weight: 5, score: 5}", "weight: 1" + "0" * 40 + ", score: 5}",
     21, "field-score-digits", "41 digits before the decimal point"),
    ("an actual of 26 decimals", "actual: 5000平方米", "actual: 5000.00000000000000000000000001平方米",
     21, "field-value-digits", "has 26 decimals; a figure on a form has at most 6"),
    ("an actual of 400 digits", "actual: 5000平方米", f"actual: {HUGE}平方米",
     21, "field-value-digits", "401 digits before the decimal point"),
    ("a year of 5,001 digits", "year: 2024 ", "year: " + "9" * 5001 + " ", 4, "field-year-invalid", "is not a year"),
    ("a deadline in year 0", "target: 2023年12月31日", "target: 0000年12月31日", 24, "field-value-syntax",
     "“0000年12月31日” is not a real date"),
]


@pytest.mark.parametrize(("old", "new", "line", "code", "message"), [case[1:] for case in NUMBER_CASES],
                         ids=[case[0] for case in NUMBER_CASES])
def test_numbers_beyond_any_form_are_errors_at_check(site, decoy, old, new, line, code, message):
    path = _variant(site, old, new)
    errors = _errors([path])
    assert [(e.line, e.code) for e in errors][:1] == [(line, code)], errors
    assert message in errors[0].message
    assert not any("sys." in e.message or "Exception" in e.message or "internal" in e.code for e in errors)
    _refused_at_check(site)


def test_money_in_every_row_of_10_to_the_400_no_longer_crashes_the_build(site, decoy):
    """Consistent sums of 10**400 passed every check, then rounding raised InvalidOperation in the build."""
    _variant(site, "total:    {initial: 845371.59", f"total:    {{initial: {HUGE}")
    path = site.form()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{initial: 845371.59,", f"{{initial: {HUGE},"), encoding="utf-8")
    errors = _errors([site.content])
    assert {e.code for e in errors} == {"field-money-digits"}
    assert [e.line for e in errors] == [12, 13, 14]
    _refused_at_check(site)


def test_the_largest_accepted_figures_build(site, decoy):
    """15 digits and 6 decimals, in 亿元 against 元: every computation stays exact, nothing raises."""
    big = "999999999999999.99"
    path = site.form()
    text = path.read_text(encoding="utf-8")
    text = text.replace("{initial: 845371.59, budget: 845371.59, executed: 599619.76}",
                        f"{{initial: {big}, budget: {big}, executed: {big}}}")
    text = text.replace("target: ＝215000元, actual: 215000元", "target: ≥0.000001元, actual: 999999999999999亿元")
    path.write_text(re.sub(r"(?m)^stated:.*\n  total: 97\.09\n", "", text), encoding="utf-8")  # total changes
    site_ = load_site([site.content], SiteConfig())
    assert not site_.errors(), site_.errors()
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)
    assert "999,999,999,999,999.99" in (site.out / "forms" / f"{FORMS[0]}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("setting", "key"), [
    ("[pdf]\ntimeout_seconds = 1e20\n", "pdf.timeout_seconds"),
    ("[pdf]\ntimeout_seconds = 100000000000000000000\n", "pdf.timeout_seconds"),
    ("[pdf]\nbundle_max_forms = 100000000000000000000000\n", "pdf.bundle_max_forms"),
    ("[checks]\ncopied_text_min_chars = 100000000000000000000000\n", "checks.copied_text_min_chars"),
    ("[checks]\nexplain_execution_below = 1e400\n", "checks.explain_execution_below"),
])
def test_settings_beyond_any_sensible_value_are_refused(site, decoy, setting, key):
    (site.root / "formgen.toml").write_text(setting, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(site.root / "formgen.toml")
    [finding] = raised.value.findings
    assert (finding.field, finding.line, finding.code) == (key, 2, "config-invalid")


# 3. Slugs (group 9)

@pytest.mark.parametrize("slug", ["a" * 252, "a" * 121, "power-system\n"],
                         ids=["252 characters", "121 characters", "a trailing line end"])
def test_slugs_that_break_links_or_file_names_are_errors(site, decoy, slug):
    site.form().rename(site.content / "2024" / f"{slug}.md")
    errors = _errors([site.content])
    assert [(e.line, e.code) for e in errors] == [(1, "slug-invalid")], errors
    _refused_at_check(site)


def test_a_file_name_with_control_characters_stays_one_finding_line(site, decoy):
    """A name with a line end or a terminal escape printed a finding over several lines (a fake finding
    could follow), or sent the escape to the terminal of whoever ran check."""
    site.form().rename(site.content / "2024" / "x\ncontent-fake.md:1: all good\x1b[2J.md")
    [error] = _errors([site.content])
    assert error.code == "slug-invalid"
    assert "\n" not in str(error) and "\x1b" not in str(error)
    assert "x\\u000acontent-fake" in error.path and "\\u001b[2J" in error.message


def test_a_slug_of_120_characters_builds(site, decoy):
    site.form().rename(site.content / "2024" / f"{'a' * 120}.md")
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)


# 4. Text size (group 15)

def test_a_huge_conclusion_is_an_error_naming_the_limit(site, decoy):
    path = site.form()
    with path.open("a", encoding="utf-8") as file:
        file.write("很长的结论。" * 5000)
    errors = _errors([path])
    assert [(e.code, e.field, e.label, e.line) for e in errors] == [("conclusion-too-long", "body", "自评结论", 36)]
    assert "at most 20,000" in errors[0].message
    _refused_at_check(site)


def test_a_huge_text_field_is_an_error_naming_its_label(site, decoy):
    _variant(site, "title: 电力系统维修改造专项资金", "title: " + "长" * 2001)
    errors = _errors([site.content])
    assert [(e.code, e.field, e.label, e.line) for e in errors] == [("field-text-too-long", "title", "项目名称", 6)]
    assert "at most 2,000" in errors[0].message
    _refused_at_check(site)


# 5. Clear messages (group 15)

@pytest.mark.parametrize(("codec", "name"), [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                             ("utf-32", "UTF-32")])
def test_utf16_and_utf32_files_are_named_as_such(site, decoy, codec, name):
    path = site.form()
    path.write_bytes(path.read_text(encoding="utf-8").encode(codec))
    [error] = _errors([path])
    assert (error.line, error.code) == (1, "file-encoding")
    assert f"saved as {name}, not UTF-8" in error.message
    assert "save it as UTF-8" in error.fix and "binary" not in error.message


@pytest.mark.parametrize("character", ["\x7f", "\ufffe", "\x85", "\u2028", "\u2029", "\u202e", "\x0c"],
                         ids=["DEL", "U+FFFE", "NEL", "LS", "PS", "RLO", "FF"])
def test_invisible_characters_are_reported_at_their_line(site, decoy, character):
    """Line 6 is the 项目名称. The rest of the file is still checked, at the right lines: the misspelt
    一级指标 of line 30 was reported at line 1 or 8, or not at all."""
    path = _variant(site, "title: 电力系统维修改造专项资金", f"title: 电力系统{character}维修改造专项资金")
    path.write_text(path.read_text(encoding="utf-8").replace("level1: 效益指标", "level1: 效果指标"), encoding="utf-8")
    errors = _errors([path])
    assert [(e.line, e.code) for e in errors] == [(6, "text-invisible"), (30, "level1-unknown")], errors
    assert f"U+{ord(character):04X}" in errors[0].message
    assert "delete the invisible character" in errors[0].fix
    _refused_at_check(site)


def test_invisible_characters_on_several_lines_are_each_reported(site, decoy):
    path = site.form()
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[5] += "\u2028\u2028"
    lines[9] += "\x85"
    lines[40] += "\u2029"  # in the 自评结论
    path.write_text("\n".join(lines), encoding="utf-8")
    errors = _errors([path])
    assert [(e.line, e.code) for e in errors] == [(6, "text-invisible"), (10, "text-invisible"),
                                                  (41, "text-invisible")]
    _refused_at_check(site)


# The settings are read as forms are: formgen.toml and profiles/*.toml that link outside the site are refused.

def test_settings_and_profiles_linked_from_outside_are_refused(site, decoy, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "formgen.toml").write_text('[site]\ntitle = "DECOY-SETTINGS"\n', encoding="utf-8")
    (site.root / "formgen.toml").unlink()
    (site.root / "formgen.toml").symlink_to(outside / "formgen.toml")
    with pytest.raises(ConfigError) as raised:
        load_config(site.root / "formgen.toml")
    assert [(f.line, f.code) for f in raised.value.findings] == [(1, "link-outside-site")]
    (site.root / "formgen.toml").unlink()
    (site.root / "formgen.toml").write_text("[site]\n", encoding="utf-8")
    (site.root / "profiles").mkdir()
    (site.root / "profiles" / "mine.toml").symlink_to(decoy.secret)
    with pytest.raises(ConfigError) as raised:
        load_config(site.root / "formgen.toml")
    assert [(Path(f.path).name, f.line, f.code) for f in raised.value.findings] == [
        ("mine.toml", 1, "link-outside-site")]
    assert SECRET not in str(raised.value)


def test_a_profile_name_ending_in_a_line_end_is_refused(site, decoy):
    (site.root / "profiles").mkdir()
    (site.root / "profiles" / "mine\n.toml").write_text('extends = "reference"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(site.root / "formgen.toml")
    assert any(f.code == "profile-invalid" and "cannot name a profile" in f.message for f in raised.value.findings)
