"""What a user installs: the wheel holds what formgen reads at run time, declares the bounds the code needs,
works from a fresh environment outside any checkout, and tells a user who lacks an optional feature what
to install. Also `formgen help` (the docs in the terminal) and `formgen --version`."""

from __future__ import annotations

import email.parser
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import generator
from generator.__main__ import main
from generator.extras import EXTRAS

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "generator", "templates", "docs")
"""What the wheel is built from: the rest of the checkout (tests, content, the venv) must not be needed."""


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


# --- optional features ---------------------------------------------------------------------------------

def test_the_extras_name_the_packages_of_pyproject():
    """generator/extras.py, which tells a user what to install, and pyproject.toml, which pip reads, agree."""
    declared = PYPROJECT["project"]["optional-dependencies"]
    for extra, modules in EXTRAS.items():
        assert sorted(map(_name, declared[extra])) == sorted(modules.values()), extra
    core = {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    assert not core & {package for modules in EXTRAS.values() for package in modules.values()}
    assert {"formgen"} == {_name(requirement) for requirement in declared["test"] if "formgen" in requirement}
    assert "formgen[import,serve]" in declared["test"]  # the tests use every feature


def _hide(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """As if `module` were not installed: importing it raises ImportError, looking it up finds nothing."""
    for name in [name for name in sys.modules if name == module or name.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize("extra, module, argv", [
    ("import", "opencc", ["import", "form.xlsx"]),
    ("import", "pdfplumber", ["import", "form.pdf"]),
    ("import", "xlrd", ["import", "form.xls"]),
    ("serve", "watchfiles", ["serve"]),
])
def test_a_missing_extra_is_one_line_with_the_pip_command(capsys, monkeypatch, tmp_path, extra, module, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / argv[-1]).write_bytes(b"")
    _hide(monkeypatch, module)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    [line] = err.splitlines()
    package = EXTRAS[extra][module]
    assert line == (f"formgen: `formgen {argv[0]}` needs the package {package}, which is not installed: run "
                    f"`pip install 'formgen[{extra}]'` (with the pip of the environment formgen is installed in), "
                    "then the command again")


def test_every_missing_package_is_named_at_once(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for module in EXTRAS["import"]:
        _hide(monkeypatch, module)
    assert main(["import", "form.pdf"]) == 2
    err = capsys.readouterr().err
    assert "needs the packages pdfplumber, xlrd, opencc-python-reimplemented, which are not installed" in err


@pytest.mark.chinese
def test_a_missing_extra_is_said_in_chinese_by_default(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    _hide(monkeypatch, "watchfiles")
    assert main(["serve"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == ("formgen：`formgen serve` 需要软件包 watchfiles，但尚未安装：请运行 `pip install 'formgen[serve]'`"
                    "（用安装 formgen 的那个环境中的 pip），然后重新运行该命令")


def test_the_other_commands_need_no_extra(tmp_path):
    """A site without the extras checks and builds: nothing but import and serve reaches their packages. In a
    fresh process, with the packages unimportable from its start: formgen's own modules are imported as an
    installation without the extras imports them (a table made at import time once needed OpenCC)."""
    hidden = [*EXTRAS["import"], *EXTRAS["serve"]]
    program = (f"import sys\nsys.modules.update(dict.fromkeys({hidden!r}))\n"
               "from generator.__main__ import main\nsys.exit(main(sys.argv[1:]))\n")

    def formgen(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", program, *argv], cwd=cwd, capture_output=True, text=True,
                              check=False, timeout=300)

    for argv, cwd in ((["init", "site"], tmp_path), (["check"], tmp_path / "site"),
                      (["build", "--no-pdf", "--jobs", "1"], tmp_path / "site")):
        run = formgen(*argv, cwd=cwd)
        assert run.returncode == 0 and "Traceback" not in run.stderr, (argv, run.stderr[-2000:])
    assert (tmp_path / "site" / "output" / "index.html").is_file()
    run = formgen("import", "form.xlsx", cwd=tmp_path / "site")
    assert run.returncode == 2 and "pip install 'formgen[import]'" in run.stderr and "Traceback" not in run.stderr


# --- formgen help and --version --------------------------------------------------------------------------

def test_help_lists_every_page_of_the_docs(capsys):
    assert main(["help"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^  (\S+)  +(.+)$", out, flags=re.M)
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert [name for name, _ in listed] == [page.stem for page in pages]
    assert ("templates", "Templates: changing how the site looks") in listed


def test_help_prints_a_topic_as_the_docs_hold_it(capsys):
    for asked in ("templates", "docs/templates.md", "Templates.md"):
        assert main(["help", asked]) == 0
        assert capsys.readouterr().out == (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")


@pytest.mark.chinese
def test_help_is_in_chinese_where_the_docs_are(capsys):
    assert main(["help", "checks"]) == 0
    assert capsys.readouterr().out == (ROOT / "docs" / "zh" / "checks.md").read_text(encoding="utf-8")
    assert main(["help", "pdf"]) == 0  # no Chinese page yet: the English one
    assert capsys.readouterr().out == (ROOT / "docs" / "pdf.md").read_text(encoding="utf-8")
    assert main(["help"]) == 0
    assert "  checks       检查：错误、警告和每一条问题" in capsys.readouterr().out


def test_help_for_an_unknown_topic_names_the_topics(capsys):
    assert main(["help", "tempaltes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("formgen: tempaltes: no such help topic; write one of authoring, checks, ci,")
    assert "templates" in err


def test_version_has_one_source(capsys):
    assert "version" not in PYPROJECT["project"] and PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "generator.__version__"}
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"formgen {generator.__version__}\n"
    assert importlib.metadata.version("formgen") == generator.__version__


# --- the wheel, installed outside the checkout -----------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of what it is made of (so the checkout gets no build/ folder), with the
    build backend of the test environment: nothing is fetched."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", "--wheel-dir", str(out), str(source)], check=True, cwd=out)
    [built] = out.glob("formgen-*.whl")
    return built


def test_the_wheel_holds_what_formgen_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    info = f"formgen-{generator.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    for page in (ROOT / "templates").iterdir():
        if page.suffix in (".html", ".css", ".js", ".svg"):
            assert f"generator/templates/{page.name}" in names, page.name
    for folder, package in (("generator/profiles", "generator/profiles"), ("generator/scaffold", "generator/scaffold"),
                            ("docs", "generator/docs"), ("docs/zh", "generator/docs/zh")):
        for path in (ROOT / folder).iterdir():
            if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts:
                assert f"{package}/{path.name}" in names, path
    assert "generator/locale/zh_CN/LC_MESSAGES/formgen.mo" in names
    assert not [name for name in names if name.startswith(("tests/", "content/", "bench/", "tools/"))]


def test_the_wheel_declares_the_bounds_the_code_needs(wheel):
    info = f"formgen-{generator.__version__}.dist-info/METADATA"
    metadata = email.parser.Parser().parsestr(zipfile.ZipFile(wheel).read(info).decode("utf-8"))
    assert metadata["Version"] == generator.__version__
    assert metadata["License-Expression"] == "MIT"
    requires = metadata.get_all("Requires-Dist")
    bounds = {requirement.name: requirement.specifier for requirement in map(Requirement, requires)}
    # The lowest versions the code needs (and the lowest-versions venv of `make test` runs): WeasyPrint 68's
    # URLFetcher, pydantic 2.11's ModelWrapValidatorHandler (2.7's attribute docstrings before it).
    assert "67.9" not in bounds["weasyprint"] and "68.0" in bounds["weasyprint"]
    assert "2.10.9" not in bounds["pydantic"] and "2.11.0" in bounds["pydantic"] and "2.7" not in bounds["pydantic"]
    assert sorted(metadata.get_all("Provides-Extra")) == ["import", "serve", "test"]
    assert 'pdfplumber>=0.11; extra == "import"' in requires and 'watchfiles>=1.0; extra == "serve"' in requires
    assert "Natural Language :: Chinese (Simplified)" in metadata.get_all("Classifier")
    assert not any("example" in url for url in metadata.get_all("Project-URL") or [])


def _fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A venv outside the checkout with formgen from the wheel alone. Its dependencies are this test
    environment's, reached through a .pth file (installing them would need a package index); the
    checkout's editable formgen is not among them, as that needs its own .pth, which a path does not run."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True)
    site_packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        check=True, capture_output=True, text=True).stdout.strip())
    (site_packages / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return venv


def test_init_and_build_work_from_the_wheel_outside_the_checkout(tmp_path, wheel):
    venv = _fresh_venv(tmp_path, wheel)
    formgen = str(venv / "bin" / "formgen")
    environment = {**os.environ, "FORMGEN_LANG": "en", "PYTHONPATH": ""}
    work = tmp_path / "work"
    work.mkdir()

    def run(*argv: str, cwd: Path = work) -> str:
        done = subprocess.run([formgen, *argv], cwd=cwd, env=environment, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import generator; print(generator.__file__)"],
                           cwd=work, env=environment, check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(ROOT)
    assert run("--version") == f"formgen {generator.__version__}\n"
    run("init", "site")
    site = work / "site"
    run("build", "--jobs", "1", cwd=site)
    output = site / "output"
    for page in ("index.html", "forms/example-office-equipment.html", "data/forms.json", "assets/formgen.css"):
        assert (output / page).is_file(), page
    assert (output / "pdf" / "example-office-equipment.pdf").read_bytes().startswith(b"%PDF-")
    assert "  templates    Templates: changing how the site looks" in run("help", cwd=site)
    assert run("help", "ci", cwd=site) == (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
