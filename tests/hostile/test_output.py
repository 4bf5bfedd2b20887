"""The output folder and the caches beside it (issue 10, groups 1–3, 5, 6, 12 and 13): links planted
in them are never followed, nothing is reused that is not a verified regular file, a build either
publishes a whole site or leaves the previous one exactly as it was, and interrupted or concurrent
builds leave a whole site behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import output
from generator.build import SHARD_MANIFEST, build_site, bundles
from generator.config import SiteConfig
from generator.errors import FormgenError, ProblemsFound, UsageError

from .conftest import FORMS, assert_whole, fingerprint

FORM = FORMS[0]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def _cli(*args: str, cwd: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


# -- group 1: links in the cache ---------------------------------------------------------------------


def test_links_planted_in_the_cache_are_replaced_never_followed(site, decoy, monkeypatch):
    """`.formgen-cache/output/parts` linked to a folder of PDFs and `page-counts.json` linked to a file:
    a build used to delete the PDFs there and overwrite the file. Now the links are replaced by the
    cache's own regular folder and files, and the build says so."""
    monkeypatch.setattr(bundles, "PART_FORMS", 1)  # three parts: a cache with parts to keep
    site.cache.mkdir(parents=True)
    (site.cache / "parts").symlink_to(decoy.path)
    (site.cache / "page-counts.json").symlink_to(decoy.path / "page-counts.json")
    (site.cache / "cache.json").symlink_to(decoy.path / "page-counts.json")
    result = build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    assert result.bundles == 1
    assert_whole(site.out)
    assert (site.cache / "parts").is_dir() and not (site.cache / "parts").is_symlink()
    assert len(list((site.cache / "parts").glob("*.pdf"))) == 3
    assert any("link" in note and "parts" in note for note in result.notes)


def test_a_linked_cache_folder_is_not_written_through(site, decoy):
    (site.root / ".formgen-cache").symlink_to(decoy.path)
    result = build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    assert any(".formgen-cache: was a link" in note for note in result.notes)
    assert (site.root / ".formgen-cache").is_dir() and not (site.root / ".formgen-cache").is_symlink()
    assert_whole(site.out)


# -- groups 2 and 6: what is reused from the previous output -----------------------------------------


def test_links_and_damaged_files_in_the_previous_output_are_never_reused(site, decoy):
    """Pages of the previous output are reused when their key is unchanged: a link planted there (a
    committed output/) used to be carried into every later output, and a truncated page kept forever."""
    build_site([site.content], SiteConfig(), site.out)
    fresh = _files(site.out)
    page = site.out / "forms" / f"{FORM}.html"
    page.unlink()
    page.symlink_to(decoy.secret)
    (site.out / "years" / "2024.html").write_text("<p>truncated", encoding="utf-8")
    (site.out / "units").rename(site.root / "units-moved")
    (site.out / "units").symlink_to(site.root / "units-moved")  # a linked folder: its files are not ours either
    again = build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)
    assert _files(site.out) == fresh
    assert again.pages_reused == again.pages - 3  # every other page is still reused


def test_a_truncated_pdf_is_made_again(site, decoy):
    build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    fresh = _files(site.out)
    pdf = site.out / "pdf" / f"{FORM}.pdf"
    pdf.write_bytes(pdf.read_bytes()[:1000])
    bundle = next((site.out / "pdf" / "bundles").glob("*.pdf"))
    bundle.unlink()
    bundle.symlink_to(decoy.path / "keep.pdf")
    again = build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    assert again.reused == 2  # the two forms that were left alone
    assert _files(site.out) == fresh
    assert_whole(site.out)


def test_a_damaged_cached_part_is_dropped_and_made_again(site, monkeypatch):
    """A part of a bundle kept in the cache that no longer reads (a disk error, a crash, a committed
    cache) used to break that bundle for every later build. Now it is verified against its recorded
    hash, dropped, made again, and the build says so."""
    monkeypatch.setattr(bundles, "PART_FORMS", 1)
    build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    parts = sorted((site.cache / "parts").glob("*.pdf"))
    assert len(parts) == 3
    for part in parts:
        part.write_bytes(part.read_bytes()[:500])
    bundle = next((site.out / "pdf" / "bundles").glob("*.pdf"))
    fresh = bundle.read_bytes()
    bundle.unlink()  # the bundle is composed again from its parts
    again = build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    assert bundle.read_bytes() == fresh
    assert any("cache" in note and "made again" in note for note in again.notes)
    assert all(part.stat().st_size > 500 for part in (site.cache / "parts").glob("*.pdf"))


# -- group 3: merging shards -------------------------------------------------------------------------


@pytest.fixture
def shards(site):
    for index in (1, 2):
        build_site([site.content], SiteConfig(), site.root / f"shard-{index}", pdf=True, shard=(index, 2))
    return [site.root / "shard-1", site.root / "shard-2"]


def test_merge_verifies_and_copies_what_it_takes_from_shards(site, decoy, shards):
    merged = build_site([site.content], SiteConfig(), site.root / "merged", pdf=True, merge=shards)
    assert_whole(merged.out)
    for pdf in (merged.out / "pdf").rglob("*.pdf"):  # copies: a later change to a shard folder is not published
        assert pdf.stat().st_nlink == 1
    manifest = json.loads((shards[0] / SHARD_MANIFEST).read_text(encoding="utf-8"))
    garbage, linked = sorted(manifest)[:2]
    (shards[0] / garbage).write_bytes(b"not a PDF at all")
    (shards[0] / linked).unlink()
    (shards[0] / linked).symlink_to(decoy.path / "keep.pdf")
    before = fingerprint(site.root / "merged")
    with pytest.raises(ProblemsFound) as refused:
        build_site([site.content], SiteConfig(), site.root / "merged", pdf=True, merge=shards)
    message = str(refused.value)
    assert garbage in message and linked in message and "shard-1" in message
    assert fingerprint(site.root / "merged") == before  # untouched


# -- group 5: a PDF that cannot be made ---------------------------------------------------------------


def test_a_pdf_that_cannot_be_made_fails_the_build_and_keeps_the_previous_site(site):
    """A character no font has (𓀀; `check` passes) used to remove that form's PDF and the bundle from
    the published site while its pages still linked them. Now the build fails as a whole, names the
    form and the character, and the previous output stays exactly as it was."""
    build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    before = fingerprint(site.out)
    form = site.form()
    form.write_text(form.read_text(encoding="utf-8").replace("莫路路", "莫𓀀路"), encoding="utf-8")
    with pytest.raises(ProblemsFound) as failed:
        build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=2)
    assert fingerprint(site.out) == before
    assert failed.value.failures and failed.value.failures[0][0].endswith(f"{FORM}.md")  # type: ignore[attr-defined]
    reason = failed.value.failures[0][1]  # type: ignore[attr-defined]
    assert "𓀀" in reason and "U+13000" in reason
    assert "lacks none" not in str(failed.value)
    assert not list(site.root.glob(".output.*"))  # no staging left


# -- group 12: a linked output folder ----------------------------------------------------------------


def test_a_linked_output_folder_is_refused_not_replaced(site, decoy, tmp_path):
    webroot = tmp_path / "webroot"
    build_site([site.content], SiteConfig(), webroot)
    site.out.symlink_to(webroot)
    before = fingerprint(webroot)
    with pytest.raises(UsageError, match="is a link"):
        build_site([site.content], SiteConfig(), site.out)
    assert site.out.is_symlink() and fingerprint(webroot) == before


# -- group 13: interrupted and concurrent builds -----------------------------------------------------


def test_leftovers_of_interrupted_builds_are_removed(site, decoy):
    build_site([site.content], SiteConfig(), site.out)
    (site.root / ".output.tmp-killed" / "forms").mkdir(parents=True)
    (site.root / ".output.tmp-killed" / "forms" / "x.html").write_text("half", encoding="utf-8")
    (site.root / ".output.tmp-link").symlink_to(decoy.path)
    (site.root / ".output.old-4242").mkdir()
    build_site([site.content], SiteConfig(), site.out)
    assert sorted(path.name for path in site.root.iterdir() if path.name.startswith(".output")) == []
    assert_whole(site.out)


def test_a_crash_between_the_renames_of_the_swap_leaves_a_site(site):
    """Where the platform cannot exchange two folders in one step, the swap is two renames: a crash
    between them used to leave no output folder at all (the old site only in .output.old-PID). Now the
    output is exchanged in one step, and without that the next build puts the old site back first."""
    build_site([site.content], SiteConfig(), site.out)
    before = _files(site.out)
    real_rename = os.rename

    def crash_on_second(source, target, *args, **kwargs):
        if os.fspath(target) == os.fspath(site.out):
            raise OSError(5, "crashed", os.fspath(target))
        return real_rename(source, target, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "rename", crash_on_second)
        patch.setattr(Path, "rename", lambda self, target: Path(crash_on_second(self, target) or target))
        patch.setattr(output, "exchange", lambda first, second: False)  # a platform without the exchange
        with pytest.raises(OSError):
            build_site([site.content], SiteConfig(), site.out)
    assert not site.out.exists() and list(site.root.glob(".output.old-*"))  # the crash left no output folder
    build_site([site.content], SiteConfig(), site.out)  # recovers the old site, then builds
    assert _files(site.out) == before
    assert_whole(site.out)


def test_the_swap_never_leaves_the_site_without_output(site):
    """With the exchange the output folder is never missing, not even for an instant: a reader polling
    it all through ten builds always finds the site."""
    build_site([site.content], SiteConfig(), site.out)
    missing, stop = [], False

    def poll() -> None:
        while not stop:
            if not (site.out / "index.html").is_file():
                missing.append(time.monotonic())

    import threading
    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for _ in range(10):
            build_site([site.content], SiteConfig(), site.out)
    finally:
        stop = True
        reader.join()
    assert output.exchange_supported(site.root)
    assert missing == []


def test_a_second_build_of_the_same_output_is_refused_clearly(site):
    with output.locked(site.out):
        with pytest.raises(FormgenError, match="another formgen build is writing"):
            build_site([site.content], SiteConfig(), site.out)
        second = _cli("build", "content", "--no-pdf", cwd=site.root)
        _, stderr = second.communicate(timeout=60)
    assert second.returncode == 1 and "Traceback" not in stderr
    assert "another formgen build is writing" in stderr and "output" in stderr
    build_site([site.content], SiteConfig(), site.out)  # the lock went with its holder
    assert_whole(site.out)


def test_two_builds_at_once_leave_one_whole_site(site, decoy):
    """Two PDF builds started together: one builds, the other is refused or builds after; neither
    prints a traceback, the site is whole and its bundle is there."""
    builds = [_cli("build", "content", "--jobs", "1", cwd=site.root) for _ in range(2)]
    results = [process.communicate(timeout=300) for process in builds]
    codes = [process.returncode for process in builds]
    assert 0 in codes, results
    for process, (_, stderr) in zip(builds, results, strict=True):
        assert "Traceback" not in stderr
        assert process.returncode == 0 or "another formgen build is writing" in stderr
    assert_whole(site.out)
    assert len(list((site.out / "pdf" / "bundles").glob("*.pdf"))) == 1


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_a_build_killed_at_any_point_leaves_a_whole_site(site, decoy, delay):
    """SIGKILL at points through a PDF build: the previous site is still whole, and the next build
    removes what the killed one left and publishes the new site."""
    build_site([site.content], SiteConfig(), site.out, pdf=True, jobs=1)
    form = site.form()
    form.write_text(form.read_text(encoding="utf-8").replace("莫路路", "张三"), encoding="utf-8")
    killed = _cli("build", "content", "--jobs", "2", cwd=site.root, start_new_session=True)
    time.sleep(delay)
    os.killpg(killed.pid, signal.SIGKILL)  # the build and its workers, as an OOM killer or a CI timeout would
    killed.communicate(timeout=60)
    assert_whole(site.out)
    again = _cli("build", "content", "--jobs", "2", cwd=site.root)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert_whole(site.out)
    assert "张三" in (site.out / "forms" / f"{FORM}.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in site.root.iterdir() if path.name.startswith(".output")) == []


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc (Linux)")
def test_workers_end_with_a_killed_build(tmp_path, monkeypatch, decoy):
    """Killing the build alone (not its process group) must not leave its workers writing on."""
    from bench.corpus import generate

    root = tmp_path / "big"
    generate(240, root / "content")  # large enough for worker processes
    build = _cli("build", "content", "--no-pdf", "--jobs", "2", cwd=root)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while not workers and time.monotonic() < deadline and build.poll() is None:
        workers = _children(build.pid)
        time.sleep(0.01)
    assert workers, "the build finished before its workers were seen"
    build.kill()
    build.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, workers))
