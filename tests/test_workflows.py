"""Every CI workflow a user is given — in the docs, and the one `formgen init` writes — is one that GitHub's
or GitLab's parser accepts, and its commands are ones that exist as written.

The schemas are those check-jsonschema ships (``--builtin-schema vendor.github-workflows``,
``vendor.gitlab-ci``), read from the installed package: nothing is fetched. A workflow GitHub refuses
(a ``{flow: mapping}`` holding ``${{ }}`` is not YAML) fails the user's first push, with no site built.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import pytest
import yaml

from generator import i18n
from generator.__main__ import parse
from generator.scaffolding import init_site

from .conftest import ROOT

DOCS = ROOT / "docs"
VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"

EXAMPLES = {"${{ matrix.shard }}": "2", "$CI_NODE_INDEX": "2", "$CI_NODE_TOTAL": "4",
            "shard-*": "shard-1 shard-2 shard-3 shard-4"}
"""What the CI puts in place of the variables of a command line, for parsing it as the CI would run it."""


def _schema(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((VENDOR / f"{name}.json").read_text(encoding="utf-8"))
    validator: Any = jsonschema.validators.validator_for(schema)
    return validator(schema)  # type: ignore[no-any-return]


def _load(text: str) -> Any:
    """A workflow as GitHub and GitLab read it: YAML 1.2, where `on` is a key, not the boolean of YAML 1.1."""
    data = yaml.safe_load(text)
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data


def _kind(text: str) -> str | None:
    """"github" for a GitHub workflow, "gitlab" for a .gitlab-ci.yml, None for any other YAML (a form, a
    profile, a pre-commit configuration). Told from the text, not the parsed YAML: a workflow that is not
    valid YAML must be found, to fail."""
    if re.search(r"^jobs:", text, flags=re.M) and re.search(r"^on:", text, flags=re.M):
        return "github"
    if re.search(r"^\s+(before_)?script:", text, flags=re.M):
        return "gitlab"
    return None


def _documented() -> list[tuple[str, str, str]]:
    """(where, kind, text) for every ```yaml block of the docs that is a CI workflow."""
    found = []
    for page in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^```ya?ml\n(.*?)^```", text, flags=re.S | re.M):
            kind = _kind(match.group(1))
            if kind is not None:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{page.relative_to(ROOT)}:{line}", kind, match.group(1)))
    return found


DOCUMENTED = _documented()


def _scaffolded(tmp_path: Path, language: str) -> Any:
    i18n.activate(language)
    init_site(tmp_path / language, 2024)
    return _load((tmp_path / language / ".github" / "workflows" / "formgen.yml").read_text(encoding="utf-8"))


def _errors(kind: str, data: Any) -> list[str]:
    validator = _schema({"github": "github-workflows", "gitlab": "gitlab-ci"}[kind])
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(data)]


def test_the_docs_hold_both_kinds_of_workflow():
    kinds = [kind for _, kind, _ in DOCUMENTED]
    assert kinds.count("github") >= 2 and kinds.count("gitlab") >= 2, kinds


@pytest.mark.parametrize("where, kind, text", DOCUMENTED, ids=[where for where, _, _ in DOCUMENTED])
def test_every_documented_workflow_is_valid(where, kind, text):
    assert not _errors(kind, _load(text)), where


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_workflow_init_writes_is_valid(tmp_path, language):
    assert not _errors("github", _scaffolded(tmp_path, language))


def test_the_schemas_refuse_what_github_refuses():
    """The check can fail: a step with neither `run` nor `uses`, and a job without `runs-on`."""
    assert _errors("github", {"on": "push", "jobs": {"site": {"runs-on": "ubuntu-24.04", "steps": [{"name": "x"}]}}})
    assert _errors("github", {"on": "push", "jobs": {"site": {"steps": [{"run": "formgen build"}]}}})
    assert _errors("gitlab", {"site": {"script": "formgen build", "artifacts": {"paths": "output/"}}})
    with pytest.raises(yaml.YAMLError):  # the shape of the workflow docs/ci.md once held
        yaml.safe_load("with: {name: shard-${{ matrix.shard }}, path: shard-${{ matrix.shard }}/}")


def _scripts(kind: str, data: dict[str, Any]) -> list[str]:
    """Every shell script the workflow runs."""
    if kind == "github":
        return [step["run"] for job in data["jobs"].values() for step in job.get("steps", []) if "run" in step]
    scripts: list[str] = []
    for job in data.values():
        if isinstance(job, dict):
            for key in ("before_script", "script"):
                value = job.get(key, [])
                scripts += [value] if isinstance(value, str) else value
    return scripts


def _commands(script: str) -> list[list[str]]:
    """The script's commands (lines, and the parts of `a && b`), with the CI's variables in place."""
    for variable, value in EXAMPLES.items():
        script = script.replace(variable, value)
    joined = re.sub(r"\\?\n\s+(?=[^\s-])", " ", script.strip())  # YAML folds a plain scalar's lines
    return [shlex.split(part, comments=True) for line in joined.splitlines() for part in line.split("&&")
            if shlex.split(part, comments=True)]


def _runnable(kind: str, data: dict[str, Any]) -> list[str]:
    """What would not run as written: a formgen command its parser refuses, a make target the Makefile
    lacks, a variable the workflow does not set."""
    variables = data.get("env" if kind == "github" else "variables", {})
    problems = []
    for script in _scripts(kind, data):
        for words in _commands(script):
            if words[0] == "formgen":
                try:
                    parse(words[1:])
                except SystemExit:
                    problems.append(" ".join(words))
            elif words[0] == "make":
                targets = re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M)
                problems += [f"make {target}" for target in words[1:] if target not in targets]
            problems += [f"${name} is not set" for name in re.findall(r"\$(\w+)", " ".join(words))
                         if name not in variables and not name.startswith("CI_")]
    return problems


@pytest.mark.parametrize("where, kind, text", DOCUMENTED, ids=[where for where, _, _ in DOCUMENTED])
def test_every_documented_workflow_runs_as_written(where, kind, text, capsys):
    data = _load(text)
    assert not _runnable(kind, data), where
    assert any(words[0] == "formgen" for script in _scripts(kind, data) for words in _commands(script)), where


def test_the_workflow_init_writes_runs_as_written(tmp_path, capsys):
    data = _scaffolded(tmp_path, "en")
    assert not _runnable("github", data)
    commands = [" ".join(words) for script in _scripts("github", data) for words in _commands(script)]
    assert "formgen check" in commands and "formgen build" in commands


def test_the_runnable_check_can_fail(capsys):
    bad = {"on": "push", "jobs": {"site": {"runs-on": "x", "steps": [
        {"run": "formgen build --shard 5/4"}, {"run": "make publish"}, {"run": "pip install \"$NOWHERE\""}]}}}
    assert _runnable("github", bad) == ["formgen build --shard 5/4", "make publish", "$NOWHERE is not set"]


def test_every_documented_workflow_installs_formgen_as_init_does(tmp_path):
    """One way to install formgen in CI, the one `formgen init` writes and docs/ci.md explains."""
    scaffolded = _scaffolded(tmp_path, "en")["env"]["FORMGEN"]
    for where, kind, text in DOCUMENTED:
        data = _load(text)
        assert data.get("env" if kind == "github" else "variables", {}).get("FORMGEN") == scaffolded, where
        installs = [words for script in _scripts(kind, data) for words in _commands(script)
                    if words[:2] == ["pip", "install"]]
        assert installs and all(words == ["pip", "install", "$FORMGEN"] for words in installs), where
