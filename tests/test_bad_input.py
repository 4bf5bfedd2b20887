"""The bad-input corpus: every file in tests/bad/ breaks one thing in power-system-renovation.md.

Each case says where the one error must be reported (1-based line, the opening ``---`` is line 1),
its code and a distinctive part of its message. Cases marked xfail(strict=True) are generator bugs or
doubtful behaviours: they assert what the generator *should* report, and start failing (XPASS) as
soon as it does, so that the marker gets removed.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.config import SiteConfig
from generator.findings import Finding, Level
from generator.pipeline import load_site
from tests import badcases
from tests.chinese import chinese_share

TESTS = Path(__file__).parent
BAD = TESTS / "bad"
ROOT = TESTS.parent

# (file name, expected line, expected error code, distinctive substring of the message)
CASES: list[tuple[str, int, str, str]] = [
    # the file as a whole
    ("empty-file.md", 1, "file-empty", "the file is empty"),
    ("whitespace-only.md", 1, "file-empty", "the file is empty"),
    ("binary-data.md", 1, "file-binary", "binary"),
    ("gbk-encoding.md", 2, "file-encoding", "GBK"),
    ("no-front-matter.md", 1, "frontmatter-missing", "does not start with front matter"),
    ("unclosed-front-matter.md", 1, "frontmatter-unclosed", "never closed"),
    ("front-matter-list.md", 1, "frontmatter-not-mapping", "not a set of fields"),
    ("front-matter-string.md", 1, "frontmatter-not-mapping", "not a set of fields"),
    ("empty-front-matter.md", 1, "frontmatter-empty", "front matter is empty"),
    ("utf16-bom.md", 1, "file-encoding", "saved as UTF-16, not UTF-8"),
    ("invisible-line-separator.md", 6, "text-invisible", "U+2028 (LINE SEPARATOR)"),
    # YAML
    ("yaml-bad-indentation.md", 9, "yaml-syntax", "not valid YAML"),
    ("tab-indent.md", 9, "yaml-syntax", "near “name: 平塘县人民法院”"),
    ("numeric-key.md", 35, "field-extra-forbidden", "is not a field of the form"),
    ("unquoted-operator.md", 23, "yaml-syntax", "not valid YAML"),
    ("unquoted-operator-block.md", 26, "yaml-syntax", "not valid YAML"),
    ("alias-bomb.md", 36, "yaml-alias", "a YAML alias (*name) is used under “lol.b.0”"),
    ("duplicate-key.md", 7, "yaml-duplicate-key", "“title” appears twice (first on line 6)"),
    # fields
    ("typo-top-level-key.md", 17, "field-extra-forbidden", "is not a field of the form"),
    ("unknown-indicator-key.md", 21, "field-extra-forbidden", "is not a field of the form"),
    ("missing-contact.md", 4, "field-missing", "is missing"),
    ("missing-funding-row.md", 11, "field-missing", "is missing"),
    ("empty-value.md", 34, "field-text-empty", "empty"),
    ("money-not-a-number.md", 12, "field-money-type", "“八十万” is not a number"),
    ("negative-money.md", 12, "field-money-negative", "-845371.59 is negative"),
    ("money-three-decimals.md", 12, "field-money-precision", "599619.765 has more than two decimals"),
    ("invalid-date.md", 5, "field-date-invalid", "2025-02-30"),
    ("year-not-a-year.md", 4, "field-year-invalid", "“24” is not a year"),
    ("year-too-many-digits.md", 4, "field-year-invalid", "is not a year"),
    ("money-too-many-digits.md", 12, "field-money-digits", "22 digits before the decimal point"),
    ("value-too-many-decimals.md", 21, "field-value-digits", "has 7 decimals; a figure on a form has at most 6"),
    ("date-year-zero.md", 24, "field-value-syntax", "“0000年12月31日” is not a real date"),
    ("text-too-long.md", 6, "field-text-too-long", "is 2,400 characters long; a field holds at most 2,000"),
    ("conclusion-too-long.md", 36, "conclusion-too-long", "it may be at most 20,000"),
    ("operator-without-number.md", 23, "field-value-syntax", "“≥很多” has an operator but no number"),
    ("empty-indicators.md", 20, "field-too-short", "has no rows"),
    ("indicator-row-string.md", 25, "field-model-type", "must be a row of fields"),
    # funds
    ("over-budget.md", 12, "funds-over-budget", "全年执行数 900,000 is above 全年预算数 845,371.59 (年度资金总额)"),
    ("total-not-sum.md", 12, "funds-sum", "年度资金总额 年初预算数 is 854,371.59, but 财政拨款 + 其他 = 845,371.59"),
    ("fiscal-not-sum.md", 13, "funds-sum", "but 本级安排 + 其中：上级补助 = 599,619.67"),
    # indicators and scores
    ("score-above-weight.md", 21, "score-above-weight", "得分 6 is above 分值 5"),
    ("score-mismatch.md", 21, "score-mismatch", "得分 5 differs from the computed 4"),
    ("weights-not-50.md", 21, "weights-sum", "产出指标 rows add up to 51, not 50"),
    ("unknown-level1.md", 30, "level1-unknown", "“效果指标” is not a 一级指标"),
    ("qualitative-out-of-band.md", 30, "qualitative-band", "得分 30 lies outside the band"),
    ("qualitative-score-missing.md", 30, "score-required", "得分 is missing"),
    ("unit-mismatch.md", 23, "unit-mismatch", "does not match the target"),
    ("stated-total-differs.md", 33, "stated-differs", "总分 is stated as 100 but computes to 97.09"),
    ("rows-apart.md", 22, "rows-apart", "this 满意度指标 row stands between rows of 产出指标"),
    # the 自评结论
    ("unclosed-style.md", 44, "body-unclosed", "“<style>” is opened here and never closed"),
    ("link-reference-style.md", 40, "link-external", "“https://example.com/plan.pdf” points outside the site"),
    # the file name
    ("Bad Name.md", 1, "slug-invalid", "“Bad Name” is not a valid form identity"),
]

# Files that must produce no error at all.
VALID = ["bom-crlf.md", "thousands-separators.md"]

# A distinctive part of the fix, where the fix is what matters.
FIXES = {
    "gbk-encoding.md": "iconv",
    "typo-top-level-key.md": "did you mean “execution_reason”?",
    "unknown-indicator-key.md": "did you mean “score”?",
    "unquoted-operator-block.md": "must be quoted",
    "unquoted-operator.md": "must be quoted",
    "indicator-row-string.md": "level1",
    "tab-indent.md": "indent with spaces, not tabs",
    "utf16-bom.md": "iconv -f UTF-16 -t UTF-8",
    "invisible-line-separator.md": "delete the invisible character",
}

# Where B > A in the total row, it is also so in 财政拨款 and 本级安排 (the sums hold): three errors.
ERROR_COUNTS = {"over-budget.md": 3}

# Problems with the file as a whole: no field to name.
FILE_LEVEL = {"file-empty", "file-binary", "file-encoding", "frontmatter-missing", "frontmatter-unclosed",
              "frontmatter-not-mapping", "frontmatter-empty", "text-invisible"}

# Cases the generator once got wrong (a traceback, a wrong line, Python words in a message); kept as
# ordinary cases now that they pass. Empty: add a case here, with the reason, to mark a known bug.
XFAIL: dict[str, str] = {}
UNSPECIFIC: dict[str, str] = {}
JARGON: dict[str, str] = {}


def _params(names: dict[str, str], cases: list[tuple[str, int, str, str]] = CASES) -> list[object]:
    return [pytest.param(*case, id=case[0], marks=pytest.mark.xfail(strict=True, reason=names[case[0]]))
            if case[0] in names else pytest.param(*case, id=case[0]) for case in cases]


def _errors(*paths: Path) -> list[Finding]:
    site = load_site(list(paths), SiteConfig())
    return [finding for finding in site.findings if finding.level.value == "error"]


def _of(errors: list[Finding], name: str) -> list[Finding]:
    return [finding for finding in errors if Path(finding.path).name == name]


@pytest.mark.parametrize(("name", "line", "code", "message"), _params(XFAIL))
def test_bad_file(name: str, line: int, code: str, message: str) -> None:
    errors = _errors(BAD / name)
    assert len(errors) == ERROR_COUNTS.get(name, 1), "\n".join(map(str, errors))
    error = errors[0]  # findings are sorted by line: the first is the one the case is about
    assert {finding.code for finding in errors} == {code}
    assert error.path.endswith(name)
    assert error.line == line, str(error)
    assert error.code == code
    assert message in error.message
    if name in FIXES:
        assert FIXES[name] in error.fix, str(error)


@pytest.mark.parametrize(("name", "line", "code", "message"),
                         _params(UNSPECIFIC, [case for case in CASES if case[2] not in FILE_LEVEL]))
def test_finding_names_something(name: str, line: int, code: str, message: str) -> None:
    """A finding about part of a form names its field or quotes what is wrong."""
    errors = _of(_errors(BAD / name), name)
    assert errors
    for error in errors:
        assert error.field or re.search(r"“[^”]+”", error.message), str(error)


@pytest.mark.parametrize(("name", "line", "code"), [case[:3] for case in CASES if case[2] in FILE_LEVEL])
def test_a_problem_with_the_whole_file_names_the_file_and_no_field(name: str, line: int, code: str) -> None:
    """Empty, binary, wrongly encoded, no or broken front matter, an invisible character: the report is the
    file and line, then what is wrong and what to do, with no field or label to mislead."""
    [error] = _of(_errors(BAD / name), name)
    assert (error.line, error.code, error.field, error.label) == (line, code, "", "")
    assert error.fix and error.fix != error.message
    assert str(error) == f"{error.path}:{line}: {error.message} — {error.fix}"


@pytest.mark.parametrize(("name", "line", "code", "message"), _params(JARGON))
def test_no_python_jargon(name: str, line: int, code: str, message: str) -> None:
    for error in _of(_errors(BAD / name), name):
        assert not re.search(r"\b(str|dict|int|float|Decimal|NoneType|None)\b", error.message), str(error)


@pytest.mark.parametrize("name", VALID)
def test_valid_variation(name: str) -> None:
    assert _errors(BAD / name) == []


def test_corpus_is_complete() -> None:
    """Every file in tests/bad is a case, and there are at least 34 of them."""
    listed = {case[0] for case in CASES} | set(VALID) | {"department-code-octal.md", "field-and-sum-errors.md"}
    assert {path.name for path in BAD.glob("*.md")} == listed
    assert len(CASES) >= 34


def _check_in_one_run(errors: list[Finding], names: set[str]) -> None:
    for name, line, code, _ in CASES:
        if name not in names:
            continue
        found = [finding for finding in _of(errors, name) if finding.code == code]
        assert found, f"{name}: no {code} in the run"
        assert line in {finding.line for finding in found}, f"{name}: {code} not on line {line}"
        # The same errors as when the file is checked alone: one bad file does not hide another's problems.
        assert _of(errors, name) == _errors(BAD / name), name
    for name in VALID:
        assert _of(errors, name) == []


def test_whole_folder_in_one_run() -> None:
    """`check` reports every problem in every file in one run: the folder at once gives each file's findings."""
    _check_in_one_run(_errors(BAD), {path.name for path in BAD.glob("*.md")})


def test_department_code_keeps_leading_zero() -> None:
    """YAML 1.1 would read an unquoted 0120 as the octal number 80; formgen keeps what was written."""
    site = load_site([BAD / "department-code-octal.md"], SiteConfig())
    assert [finding for finding in site.findings if finding.level.value == "error"] == []
    assert site.forms[0].scored is not None
    assert site.forms[0].scored.form.department.code == "0120"


def test_cli_reports_the_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "tests/bad/over-budget.md"]) == 1
    output = capsys.readouterr().out
    assert "tests/bad/over-budget.md:12: funds.total.executed (" in output
    assert "3 errors" in output


def test_a_field_error_does_not_hide_the_arithmetic() -> None:
    """A form missing a field still gets its funding sums and row scores checked in the same run."""
    errors = _errors(BAD / "field-and-sum-errors.md")
    assert [(error.code, error.line, error.field) for error in errors] == [
        ("field-missing", 4, "contact"),
        ("funds-sum", 12, "funds.total.executed"),
        ("funds-over-budget", 16, "funds.other.executed"),
    ]


def test_other_markdown_endings_are_reported_not_skipped(tmp_path: Path) -> None:
    """A form saved as NAME.MD or NAME.markdown (Windows editors, WPS) was skipped without a word, so it
    was silently not published: it is an error naming the file and the name to give it. README.* stays
    skipped, whatever its ending."""
    form = (ROOT / "content" / "2024" / "power-system-renovation.md").read_text(encoding="utf-8")
    for name in ("upper.MD", "long.markdown", "kept.md", "README.markdown", "README.MD"):
        (tmp_path / name).write_text(form, encoding="utf-8")
    site = load_site([tmp_path], SiteConfig(), root=tmp_path)
    suffixes = sorted((Path(f.path).name, f.line, f.fix) for f in site.findings if f.code == "file-suffix")
    assert suffixes == [("long.markdown", 1, "rename it long.md"), ("upper.MD", 1, "rename it upper.md")]
    assert all("form files end in .md: it is not published" in f.message
               for f in site.findings if f.code == "file-suffix")
    assert [entry.document.slug for entry in site.forms if entry.document is not None] == ["kept"]


# The slips of issue 12 (tests/badcases/): level and line, in English and in Chinese.
SLIPS = [pytest.param(BAD / area / name, line, level, code, message, id=f"{area}/{name}")
         for area, slips in badcases.areas().items() for name, line, level, code, message in slips]


REFERENCE_FORM = ROOT / "content" / "2024" / "power-system-renovation.md"
"""The form every slip file copies: the real slips it was published with (three warnings) are not the slip's."""


@functools.cache
def _reference_findings() -> frozenset[tuple[int, str, str]]:
    return frozenset((finding.line, finding.code, finding.field)
                     for finding in load_site([REFERENCE_FORM], SiteConfig()).findings)


def _findings(path: Path) -> list[Finding]:
    """The findings of a slip file but those its original has too: what the one slip causes."""
    site = load_site([path], SiteConfig())
    return [finding for finding in site.findings if finding.level is not Level.DISCREPANCY
            and (finding.line, finding.code, finding.field) not in _reference_findings()]


@pytest.mark.parametrize(("path", "line", "level", "code", "message"), SLIPS)
def test_slip(path: Path, line: int, level: Level, code: str, message: str) -> None:
    findings = _findings(path)
    assert [(finding.line, finding.level, finding.code) for finding in findings] == [(line, level, code)], \
        "\n".join(map(str, findings))
    assert message in findings[0].message, str(findings[0])


@pytest.mark.chinese
@pytest.mark.parametrize(("path", "line", "level", "code", "message"), SLIPS)
def test_slip_in_chinese(path: Path, line: int, level: Level, code: str, message: str) -> None:
    """What the clerk reads by default: the same finding, its message and its fix in Chinese."""
    findings = _findings(path)
    assert [(finding.line, finding.level, finding.code) for finding in findings] == [(line, level, code)]
    text = f"{findings[0].message} {findings[0].fix}"
    assert chinese_share(text) >= 0.7, text


def test_every_slip_file_is_listed() -> None:
    listed = {(area, name) for area, slips in badcases.areas().items() for name, *_ in slips}
    assert {(path.parent.name, path.name) for path in BAD.glob("*/*.md")} == listed
