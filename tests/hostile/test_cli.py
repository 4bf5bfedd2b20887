"""The CLI's edge, as an operator meets it: Ctrl-C and `kill` in the middle of a build, a full or
read-only disk, names too long, arguments that make no sense, and bugs. Whatever happens: one line on
standard error, never a traceback, an exit code that says what happened, and no half-made output."""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import generator.commands.check
from generator.__main__ import main
from generator.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED

from ..conftest import ROOT
from ..serving import serve_process
from .conftest import FORMS, Decoy, HostileSite, assert_whole, fingerprint

GENERATED = 300
"""Forms of the site a signal interrupts: enough for the build's worker processes (from 200), and for
the PDFs to take long enough to be interrupted."""
PROGRESS = "PDF: "
"""The start of a progress line on standard error (docs/pdf.md): the only other lines allowed there."""


def run_cli(site: HostileSite, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *argv], cwd=site.root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=300)


def message_lines(stderr: str) -> list[str]:
    """Standard error without the progress lines."""
    return [line for line in stderr.splitlines() if not line.startswith(PROGRESS)]


def generate_forms(site: HostileSite, count: int) -> None:
    text = site.form().read_text(encoding="utf-8")
    for number in range(count):
        (site.content / "2024" / f"generated-{number:04d}.md").write_text(text, encoding="utf-8")


def group_alive(group: int) -> bool:
    """Whether a process of `group` still runs (zombies waiting for their parent's reaping do not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize(("stop", "moment", "built_before"), [
    ("ctrl-c", "render", False),  # the workers that read and render the forms
    ("ctrl-c", "pdf", True),      # the workers that make the PDFs
    ("kill", "render", True),
    ("kill", "pdf", False),
])
def test_a_signal_during_a_parallel_build_is_one_line_and_leaves_no_half_output(
        site: HostileSite, decoy: Decoy, stop: str, moment: str, built_before: bool):
    generate_forms(site, GENERATED)
    before = None
    if built_before:
        assert run_cli(site, "build", "--no-pdf").returncode == 0
        assert_whole(site.out)
        before = fingerprint(site.out)
    # Its own process group, as a terminal gives a command: Ctrl-C reaches every process in it.
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--jobs", "2"], cwd=site.root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"})
    pattern = "forms/*.html" if moment == "render" else "pdf/*.pdf"
    try:
        deadline = time.monotonic() + 120
        while not any(site.root.glob(f".output.tmp-*/{pattern}")):
            assert process.poll() is None, f"the build ended before the {moment} stage was interrupted"
            assert time.monotonic() < deadline, f"no {moment} stage within 120 s"
            time.sleep(0.02)
        if stop == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)  # the main process only, as `kill PID` does
        stdout, stderr = process.communicate(timeout=60)  # also waits for workers holding its pipes
        deadline = time.monotonic() + 10
        while group_alive(process.pid):
            assert time.monotonic() < deadline, "a worker process outlived the command"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left of the group, once it failed
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    expected = (EXIT_INTERRUPTED, "formgen: interrupted") if stop == "ctrl-c" else (EXIT_TERMINATED,
                                                                                   "formgen: terminated")
    assert (process.returncode, message_lines(stderr)) == (expected[0], [expected[1]]), stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert not list(site.root.glob(".output.tmp-*")), "the staging folder was left behind"
    if before is None:
        assert not site.out.exists(), "no output appears from an interrupted first build"
    else:
        assert_whole(site.out)
        assert fingerprint(site.out) == before, "the previous output is kept as it was"


def test_kill_stops_serve_with_one_line_and_removes_its_folder(site: HostileSite, decoy: Decoy):
    with serve_process(site.root, stderr_apart=True) as (process, lines):
        folder = Path(next(line for line in lines if "→ " in line).split("→ ")[1].strip())
        assert folder.is_dir()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == EXIT_TERMINATED
    assert stderr.splitlines() == ["formgen: terminated"] and "Traceback" not in stdout
    assert "stopped" in stdout and not folder.exists()


def _failing_writes(monkeypatch: pytest.MonkeyPatch, error: int, where: str) -> None:
    """Every write of a file in the build's staging folder fails with `error`, as the disk would say it,
    whichever way the build opens its files (also in forked workers, which inherit the patch)."""
    real_open, real_os_open = builtins.open, os.open

    def refused(path: Any) -> bool:
        return where in os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else False

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if refused(file) and any(letter in mode for letter in "wax+"):
            raise OSError(error, os.strerror(error), os.fsdecode(file))
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if refused(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(error, os.strerror(error), os.fsdecode(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)


@pytest.mark.parametrize(("error", "says"), [
    (errno.ENOSPC, "the disk is full: free space on the disk that holds "),
    (errno.EROFS, ": the file system is read-only: choose a folder on a writable disk"),
    (errno.EACCES, ": permission denied: make it readable and writable for you, or choose another folder"),
    (errno.EDQUOT, "the disk quota is used up"),
])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_or_read_only_disk_is_one_line_naming_the_path_and_what_to_do(
        site: HostileSite, decoy: Decoy, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        error: int, says: str, jobs: int):
    if jobs > 1:
        generate_forms(site, GENERATED)  # the forms are read and rendered in forked workers
    assert main(["build", "--no-pdf"]) == 0
    before = fingerprint(site.out)
    capsys.readouterr()
    _failing_writes(monkeypatch, error, ".output.tmp-")
    code = main(["build", "--no-pdf", "--review", "--jobs", str(jobs)])  # --review: every page made again
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("formgen: ") and says in err, err
    assert ".output.tmp-" in err, "the line names the file"
    assert "Traceback" not in err
    assert_whole(site.out)
    assert fingerprint(site.out) == before and not list(site.root.glob(".output.tmp-*"))


def test_a_name_too_long_is_one_line(site: HostileSite, decoy: Decoy):
    name = "x" * 300  # above the 255 bytes of a name on Linux file systems
    result = run_cli(site, "build", "--no-pdf", "--out", name)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == f"formgen: {name}: the name is too long for the file system: choose a shorter file or " \
                            "folder name\n"
    result = run_cli(site, "check", name)
    assert result.returncode == 2 and result.stderr.splitlines() == [
        f"formgen: {name}: the name is too long for the file system: choose a shorter file or folder name"]


def test_an_unexpected_error_is_an_internal_error_with_the_traceback_only_on_request(
        site: HostileSite, decoy: Decoy, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    def broken(args: object) -> None:
        raise ValueError("a bug\nover two lines")

    monkeypatch.setattr(generator.commands.check, "load", broken)
    monkeypatch.delenv("FORMGEN_DEBUG", raising=False)
    assert main(["check"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err == ("formgen: internal error: ValueError: a bug … over two lines — please report it, with the command "
                   "you ran (set FORMGEN_DEBUG=1 to see where it happened)\n")
    monkeypatch.setenv("FORMGEN_DEBUG", "1")
    assert main(["check"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "in broken" in err and "formgen: internal error: ValueError" in err


@pytest.mark.parametrize("shard", ["1/100000000000", "0/3", "4/3", "1/257", "1/" + "9" * 5000])
def test_shard_out_of_bounds_is_a_usage_error(site: HostileSite, decoy: Decoy, capsys: pytest.CaptureFixture[str],
                                              shard: str):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--shard", shard])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "write I/N with 1 ≤ I ≤ N ≤ 256, e.g. 2/3" in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "says"), [
    (["build", "--no-pdf", "--out", "a-file/output"], "--out a-file/output: a-file is a file, not a folder: "
                                                       "remove it or choose another --out"),
    (["new", "项目", "--out", "a-file"], "--out a-file: is a file, not a folder: remove it or choose another --out"),
    (["new", "项目", "--out", "a-file/2025"], "--out a-file/2025: a-file is a file, not a folder"),
    (["init", "a-file/new-site"], "a-file/new-site: a-file is a file, not a folder: remove it or choose another "
                                  "folder"),
    (["import", f"content/2024/{FORMS[0]}.md", "--out", "a-file/2024"], "--out a-file/2024: a-file is a file"),
    (["check", "--config", "content"], "--config content: is a folder: name the formgen.toml file itself"),
    (["schema", "--config", "content"], "--config content: is a folder"),
    (["build", "--config", "content"], "--config content: is a folder"),
    (["check", "no-such-folder"], "no-such-folder: no such file or folder"),
    (["check", f"content/2024/{FORMS[0]}.md/more"], f"content/2024/{FORMS[0]}.md/more: a part of the path is a file, "
                                                    "not a folder"),
])
def test_paths_that_cannot_be_used_are_usage_errors(site: HostileSite, decoy: Decoy,
                                                    capsys: pytest.CaptureFixture[str], argv: list[str], says: str):
    (site.root / "a-file").write_text("not a folder\n", encoding="utf-8")
    listed = sorted(path.relative_to(site.root) for path in site.root.rglob("*"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [err.rstrip("\n")] and err.startswith("formgen: ") and says in err, err
    assert sorted(path.relative_to(site.root) for path in site.root.rglob("*")) == listed, "nothing was written"


def test_a_tree_of_output_folders_is_made_when_missing(site: HostileSite, decoy: Decoy):
    result = run_cli(site, "build", "--no-pdf", "--out", "deep/er/output")
    assert result.returncode == 0, result.stderr
    assert_whole(site.root / "deep" / "er" / "output")
    shutil.rmtree(site.root / "deep")
