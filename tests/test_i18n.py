"""Chinese by default, English on request: the catalogs are complete, current, and what users get."""

from __future__ import annotations

import gettext
import importlib.util
import re
import string
from pathlib import Path

import pytest

from generator import i18n

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
assert _spec is not None and _spec.loader is not None
catalogs = importlib.util.module_from_spec(_spec)
try:
    _spec.loader.exec_module(catalogs)
except ImportError:  # Babel is a development dependency (pip install -e '.[test]')
    catalogs = None
needs_babel = pytest.mark.skipif(catalogs is None, reason="Babel is not installed (pip install -e '.[test]')")


def _ids(message_id: object) -> list[str]:
    return list(message_id) if isinstance(message_id, tuple) else [str(message_id)]


def _placeholders(text: str) -> set[str]:
    named = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    percent = set(re.findall(r"%\(\w+\)[sdr]|%[sdr]", text))
    return named | percent


@needs_babel
def test_every_message_has_a_chinese_translation() -> None:
    catalog = catalogs.updated("zh_CN", catalogs.extracted())
    assert catalogs.missing(catalog) == [], "run `make catalogs` and translate what it lists"


@needs_babel
def test_translations_keep_every_placeholder() -> None:
    # A translation that drops or renames {path} would fail at run time, in Chinese only.
    wrong = []
    for message in catalogs.read("zh_CN"):
        if not message.id or not message.string:
            continue
        for source, translated in zip(_ids(message.id), _ids(message.string), strict=False):
            if _placeholders(source) != _placeholders(translated):
                wrong.append((source, translated))
    assert wrong == []


@needs_babel
def test_compiled_catalog_is_the_po_file() -> None:
    # formgen reads the .mo: a .po edited without `make catalogs` would not reach users.
    compiled = gettext.GNUTranslations((i18n.LOCALES / "zh_CN" / "LC_MESSAGES" / "formgen.mo").open("rb"))
    for message in catalogs.read("zh_CN"):
        if message.id and message.string and not message.fuzzy and not isinstance(message.id, tuple):
            assert compiled.gettext(message.id) == message.string


def test_no_message_is_formatted_before_translation() -> None:
    # _(f"…") would look up the filled-in text, which no catalog holds: the message stays English.
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "generator").rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\b(N_|_|ngettext)\(\s*f[\"']", line)]
    assert offenders == []


@pytest.mark.parametrize(("name", "expected"), [("zh", "zh_CN"), ("zh-CN", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"),
                                                ("en", "en"), ("en_US", "en"), ("C", "en"), ("klingon", None)])
def test_language_names_as_users_write_them(name: str, expected: str | None) -> None:
    assert i18n.normalized(name) == expected


def test_lang_option_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.ENVIRONMENT_VARIABLE, "en")
    assert i18n.requested(["check", "--lang", "zh"]) == "zh"
    assert i18n.requested(["--lang=zh_CN", "check"]) == "zh_CN"
    assert i18n.requested(["check"]) == "en"
    monkeypatch.delenv(i18n.ENVIRONMENT_VARIABLE)
    assert i18n.requested(["check"]) == i18n.DEFAULT_LANGUAGE


@needs_babel
def test_a_translator_adds_a_language_without_touching_code(tmp_path: Path) -> None:
    """tools/catalogs.py --init LANG starts the catalog; a translated message shows with --lang LANG."""
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "formgen"
    shutil.copytree(ROOT / "generator", copy / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tools", copy / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "tools/catalogs.py", "--init", "ug"], cwd=copy, check=True, capture_output=True)
    po = copy / "generator" / "locale" / "ug" / "LC_MESSAGES" / "formgen.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgid "validate forms and report every error and warning"' in text
    po.write_text(text.replace('msgid "validate forms and report every error and warning"\nmsgstr ""',
                               'msgid "validate forms and report every error and warning"\nmsgstr "UG-CHECK"'),
                  encoding="utf-8")
    subprocess.run([sys.executable, "tools/catalogs.py"], cwd=copy, check=True, capture_output=True)
    shown = subprocess.run([sys.executable, "-m", "generator", "--lang", "ug", "--help"], cwd=copy,
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "UG-CHECK" in shown.stdout
    assert "ug" in shown.stdout  # listed among the languages of --lang


def test_importing_formgen_leaves_other_programs_argparse_alone() -> None:
    # Only formgen's own command line speaks through the catalog: a program importing formgen as a library
    # (pytest, a site's script) keeps argparse's English.
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-c", "import argparse, generator.pipeline, generator.i18n as i; "
                            "i.activate('zh_CN'); print(argparse.ArgumentParser(prog='x').format_usage())"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    assert shown.stdout.startswith("usage: x")
