"""formgen finds its site as git and MkDocs do: from any folder inside it, from a content path given from
elsewhere, and says which settings it uses when the working folder is not the site's root."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import signal
import urllib.request
from pathlib import Path

import pytest

from generator.__main__ import main

from .conftest import CONTENT, ROOT
from .serving import serve_process

FORM = "power-system-renovation.md"
NOTICE = "formgen: using the site settings"


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The reference forms, one of them broken, under a formgen.toml that differs from the defaults in what
    `check` reports: a site read without its settings would give other findings."""
    root = tmp_path / "site"
    shutil.copytree(CONTENT, root / "content")
    form = root / "content" / "2024" / FORM
    text = form.read_text(encoding="utf-8")
    broken = text.replace("executed: 599619.76", "executed: 900000")  # spending above the budget: an error
    assert broken != text
    form.write_text(broken, encoding="utf-8")
    settings = (ROOT / "formgen.toml").read_text(encoding="utf-8")
    # No warning for a low 执行率 without explanation: the defaults warn about 3 of the reference forms.
    changed = settings.replace("explain_execution_below = 100", "explain_execution_below = 0")
    assert changed != settings
    (root / "formgen.toml").write_text(changed, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return root


def findings(out: str) -> list[tuple[str, str, int, str]]:
    return [(f["path"], f["code"], f["line"], f["field"]) for f in json.loads(out)["findings"]]


def test_check_gives_the_same_findings_from_the_root_a_subfolder_and_elsewhere(site, capsys, monkeypatch):
    monkeypatch.chdir(site)
    code, at_root, err = run(capsys, "check", "--format", "json")
    assert code == 1 and err == ""
    seen = findings(at_root)
    assert (f"content/2024/{FORM}", "funds-over-budget", 12, "funds.total.executed") in {
        (path, code_, line, field) for path, code_, line, field in seen}
    assert not [f for f in seen if f[1] == "execution-unexplained"]  # the site's [checks], not the defaults'

    monkeypatch.chdir(site / "content" / "2024")
    code, from_year, err = run(capsys, "check", "--format", "json")
    assert code == 1 and err.count(NOTICE) == 1
    assert findings(from_year) == seen

    monkeypatch.chdir(site.parent / "elsewhere")
    code, from_outside, err = run(capsys, "check", "--format", "json", site / "content")
    assert code == 1 and err.count(NOTICE) == 1
    assert findings(from_outside) == seen
    code, relative, _ = run(capsys, "check", "--format", "json", "../site/content/2024")
    assert findings(relative) == seen


def test_the_defaults_would_give_other_findings(site, capsys, monkeypatch):
    """What the test above tells apart: the same forms read without the site's formgen.toml."""
    (site / "formgen.toml").unlink()
    monkeypatch.chdir(site)
    _, out, _ = run(capsys, "check", "--format", "json")
    assert [f for f in findings(out) if f[1] == "execution-unexplained"]


def test_the_notice_names_the_settings_only_away_from_the_root(site, capsys, monkeypatch):
    monkeypatch.chdir(site)
    _, out, err = run(capsys, "check")
    assert NOTICE not in err + out
    monkeypatch.chdir(site / "content" / "2024")
    _, out, err = run(capsys, "check")
    assert err.splitlines() == [f"{NOTICE} ../../formgen.toml (site {site.resolve()})"]
    assert NOTICE not in out  # stdout stays the report alone, for scripts that read it
    monkeypatch.chdir(site.parent / "elsewhere")
    _, _, err = run(capsys, "check", site / "content")
    assert err.splitlines() == [f"{NOTICE} {(site / 'formgen.toml').resolve().as_posix()} (site {site.resolve()})"]


def test_a_path_into_another_site_is_read_with_that_sites_settings(capsys, monkeypatch):
    """From the reference site's root, a fixture site's content is checked as with its own --config."""
    other = ROOT / "tests" / "fixtures" / "profiles" / "hubei"
    monkeypatch.chdir(ROOT)
    _, given, _ = run(capsys, "check", "--format", "json", "--config", other / "formgen.toml", other / "content")
    _, found, err = run(capsys, "check", "--format", "json", other / "content")
    assert findings(found) == findings(given)
    assert f"{NOTICE} {(other / 'formgen.toml').as_posix()} (site {other})" in err
    # and read with the reference settings, the same forms would not check alike
    _, reference, _ = run(capsys, "check", "--format", "json", "--config", ROOT / "formgen.toml", other / "content")
    assert findings(reference) != findings(given)


def test_a_missing_default_content_folder_is_named_from_where_formgen_runs(site, capsys, monkeypatch):
    shutil.rmtree(site / "content")
    (site / "drafts").mkdir()
    monkeypatch.chdir(site / "drafts")
    code, _, err = run(capsys, "check")
    assert code == 2
    assert "../content: no such file or folder" in err


def test_build_from_a_subfolder_writes_the_sites_output_with_the_same_bytes(site, capsys, monkeypatch):
    (site / "content" / "2024" / FORM).write_text((CONTENT / "2024" / FORM).read_text(encoding="utf-8"),
                                                  encoding="utf-8")  # unbroken: a site that builds
    monkeypatch.chdir(site)
    assert run(capsys, "build", "--no-pdf", "--out", site.parent / "from-root")[0] == 0
    monkeypatch.chdir(site / "content" / "2024")
    code, out, _ = run(capsys, "build", "--no-pdf")
    assert code == 0, out
    assert out.rstrip().endswith("→ ../../output")
    assert not (site / "content" / "2024" / "output").exists()
    _same_tree(site.parent / "from-root", site / "output")


def _same_tree(left: Path, right: Path) -> None:
    names = sorted(str(p.relative_to(left)) for p in left.rglob("*"))
    assert names == sorted(str(p.relative_to(right)) for p in right.rglob("*"))
    files = [name for name in names if (left / name).is_file()]
    _, mismatch, errors = filecmp.cmpfiles(left, right, files, shallow=False)
    assert not mismatch and not errors


def test_new_from_a_subfolder_writes_into_the_sites_content(site, capsys, monkeypatch):
    monkeypatch.chdir(site / "content" / "2024")
    code, out, err = run(capsys, "new", "机房空调更换", "--year", "2025", "--slug", "aircon-2025")
    assert code == 0, err
    assert (site / "content" / "2025" / "aircon-2025.md").is_file()
    assert not (site / "content" / "2024" / "content").exists()
    assert out.startswith("wrote ../2025/aircon-2025.md")
    # the slugs of the whole site are still known: the same slug again is refused
    code, _, err = run(capsys, "new", "机房空调更换", "--year", "2026", "--slug", "aircon-2025")
    assert code == 2 and "already" in err


def test_serve_from_a_subfolder_previews_the_site(site):
    (site / "content" / "2024" / FORM).write_text((CONTENT / "2024" / FORM).read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    with serve_process(site / "content" / "2024") as (process, lines):
        url = re.search(r"http://\S+", lines[-1]).group(0)  # type: ignore[union-attr]
        with urllib.request.urlopen(url, timeout=5) as response:
            page = response.read().decode("utf-8")
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert lines[0] == f"{NOTICE} ../../formgen.toml (site {site.resolve()})\n"
    assert "平塘县人民法院" in page and FORM.removesuffix(".md") in page
