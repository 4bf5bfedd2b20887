"""The documentation says what the code does: generated parts are current, every finding is listed."""

from __future__ import annotations

import re

from generator.schema import field_reference

from .conftest import ROOT

DOCS = ROOT / "docs"


def test_field_reference_is_generated_from_the_model():
    assert (DOCS / "fields.md").read_text(encoding="utf-8") == field_reference(), \
        "run: formgen schema --format markdown > docs/fields.md"


def _codes_in_source() -> set[str]:
    codes = set()
    for path in (ROOT / "generator").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'"([a-z0-9]+(?:-[a-z0-9]+)+)",\s*Level\.', text))
        codes |= set(re.findall(r'ReadError\([^"]*?"([a-z0-9]+(?:-[a-z0-9]+)+)"', text, flags=re.S))
        codes |= set(re.findall(r'Level\.ERROR,\s*"([a-z0-9]+(?:-[a-z0-9]+)+)"', text))
    return codes


def test_every_finding_code_is_documented():
    documented = (DOCS / "checks.md").read_text(encoding="utf-8")
    codes = _codes_in_source()
    assert len(codes) > 35
    missing = sorted(code for code in codes if f"`{code}`" not in documented)
    assert not missing, f"add to docs/checks.md: {missing}"


def test_readme_names_the_two_commands_first():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = readme.split("\n## ")[0]
    assert "make build" in opening and "make test" in opening
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).exists(), link


def test_authoring_documents_diff_and_every_pre_commit_hook():
    authoring = (DOCS / "authoring.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", authoring, flags=re.M)
    assert "formgen diff" in sections and "pre-commit" in sections
    hooks = re.findall(r"^- id: (\S+)$", (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"), flags=re.M)
    assert hooks
    pre_commit = authoring.split("\n## pre-commit\n")[1]
    assert all(f"`{hook}`" in pre_commit for hook in hooks), hooks


def test_every_link_between_documents_resolves():
    """A link from the README or a page of docs/ to another file of the project names a file that is there."""
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target and not target.startswith("mailto:") and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert not broken, broken
