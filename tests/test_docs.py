"""The documentation says what the code does: generated parts are current, every finding is listed."""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path

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


PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
FENCE = re.compile(r"^(```|~~~).*?^\1", flags=re.S | re.M)
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def _prose(text: str) -> str:
    """Markdown without its fenced code blocks (an example's `# comment` is not a heading, nor its [x](y) a
    link), with the same number of lines."""
    return FENCE.sub(lambda block: "\n" * block.group(0).count("\n"), text)


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it (github-slugger): the text as shown (no `code` marks, emphasis or
    link targets), lowercase, every character but letters, marks, digits, `_`, `-` and spaces dropped, each
    space a hyphen. Chinese characters are letters and stay; full-width punctuation goes."""
    shown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    shown = re.sub(r"[`*]|(?<!\w)_|_(?!\w)", "", shown).strip().lower()
    kept = "".join(char for char in shown if char in " -_" or unicodedata.category(char)[0] in "LMN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor of a page: its headings' (a repeated one gets -1, -2…, as on GitHub) and its `id`s."""
    text = _prose(page.read_text(encoding="utf-8"))
    found: set[str] = set(re.findall(r"""\b(?:id|name)=["']([^"']+)["']""", text))
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.M):
        base = anchor(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def test_the_anchor_rule_is_githubs():
    """Anchors GitHub shows for these headings (hover a heading of the page there to see them)."""
    assert anchor("`formgen diff`") == "formgen-diff"
    assert anchor("Sizes, links and characters") == "sizes-links-and-characters"
    assert anchor("GitHub Actions — `.github/workflows/formgen.yml`") == "github-actions--githubworkflowsformgenyml"
    assert anchor("已公开的表（`status: published`）") == "已公开的表status-published"
    assert anchor("`[scheme.level1]`: indicator levels") == "schemelevel1-indicator-levels"
    assert anchor("Snake_case keys") == "snake_case-keys"


def _links() -> list[tuple[str, int, str]]:
    """(page, line, target) of every link in the README and docs/ (and docs/zh/), outside code blocks."""
    found = []
    for page in PAGES:
        text = _prose(page.read_text(encoding="utf-8"))
        for match in LINK.finditer(text):
            found.append((str(page.relative_to(ROOT)), text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def test_every_link_in_the_docs_resolves():
    """A link from the README or a page of docs/ to a file of the project names a file that is there, and a
    link to a heading (`page.md#anchor`, `#anchor`) names a heading that is there."""
    links = _links()
    assert len(links) > 50
    broken = []
    for page, line, target in links:
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: — not a file of the project
            continue
        path, _, fragment = target.partition("#")
        resolved = (ROOT / page).parent / urllib.parse.unquote(path) if path else ROOT / page
        if not resolved.exists():
            broken.append(f"{page}:{line}: {target}: no such file")
        elif fragment and resolved.suffix == ".md" and urllib.parse.unquote(fragment) not in anchors(resolved):
            broken.append(f"{page}:{line}: {target}: no such heading in {resolved.relative_to(ROOT)}")
    assert not broken, "\n".join(broken)


def test_the_link_check_can_fail(tmp_path):
    """A heading that is not there is found: the rule above is not so loose that anything passes."""
    assert "formgen-diff" in anchors(DOCS / "authoring.md")
    assert "formgen-dif" not in anchors(DOCS / "authoring.md")
    assert "bundle_max_forms--200" not in anchors(DOCS / "config.md")  # a comment inside a code block
    assert [target for _, _, target in _links() if target == "authoring.md#formgen-diff"]


def test_templates_name_documents_that_exist():
    """The comments of the default templates, which a site copies to start its own, send a reader to a
    document (`docs/x.md`) that is there, and to a `formgen help` topic that exists."""
    topics = {page.stem for page in DOCS.glob("*.md")}
    named = []
    for template in sorted((ROOT / "templates").iterdir()):
        if template.suffix not in (".html", ".css", ".js", ".py"):
            continue
        text = template.read_text(encoding="utf-8")
        named += [(template.name, document) for document in re.findall(r"\bdocs/[\w/.-]+\.md", text)
                  if not (ROOT / document).is_file()]
        named += [(template.name, f"formgen help {topic}") for topic in re.findall(r"formgen help (\w+)", text)
                  if topic not in topics]
    assert not named, named
    assert "formgen help templates" in (ROOT / "templates" / "site.html").read_text(encoding="utf-8")


def test_messages_send_users_to_formgen_help_not_to_files_they_lack():
    """An installed formgen has no docs/ folder beside it: a message names a `formgen help` topic instead,
    and every topic a message or a scaffold file names exists."""
    topics = {page.stem for page in DOCS.glob("*.md")}
    catalog = (ROOT / "generator" / "locale" / "formgen.pot").read_text(encoding="utf-8")
    messages = "\n".join(re.findall(r'^msgid(?:_plural)? "(.*)"$', catalog, flags=re.M))
    assert not re.findall(r"docs/\w+", messages)
    scaffold = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "generator" / "scaffold").iterdir()
                         if path.suffix != ".py" and path.is_file())
    named = set(re.findall(r"formgen help ([a-z]\w*)", messages + scaffold))
    assert named and named <= topics, named - topics


def test_the_template_example_of_the_docs_builds(tmp_path, monkeypatch):
    """docs/templates.md's example site.html, put in a new site as it says, changes the header and the footer
    of every page and keeps the rest."""
    from generator.__main__ import main

    [example] = re.findall(r"^```html\+jinja\n(.*?)^```", (DOCS / "templates.md").read_text(encoding="utf-8"),
                           flags=re.S | re.M)
    assert main(["init", str(tmp_path / "site")]) == 0
    (tmp_path / "site" / "templates" / "site.html").write_text(example, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "site")
    assert main(["build", "--no-pdf", "--jobs", "1"]) == 0
    for page in ("index.html", "forms/example-office-equipment.html"):
        html = (tmp_path / "site" / "output" / page).read_text(encoding="utf-8")
        assert "某某县财政局 · 预算绩效公开</a></p>" in html and "<p>联系电话：0000-0000000 · 地址：……</p>" in html
        assert '<meta name="author" content="某某县财政局">' in html
        assert html.index("公开数据：") < html.index("联系电话")  # {{ super() }} kept the default footer first
