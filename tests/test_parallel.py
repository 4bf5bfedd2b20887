"""Worker processes (generator/parallel.py): a standard pool, forked only from a process with one thread,
progress reported without a thread, parts of bundles that wait on a condition instead of polling."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest

from generator.build import build_site
from generator.config import SiteConfig
from generator.parallel import SharedCounts, can_fork, pool_map

from .conftest import CONTENT

_THREADS_AT_FORK: list[int] | None = None


def _before_fork() -> None:
    if _THREADS_AT_FORK is not None:
        _THREADS_AT_FORK.append(threading.active_count())


os.register_at_fork(before=_before_fork)


@pytest.fixture
def forks():
    """The number of threads this process ran at each fork while the test runs."""
    global _THREADS_AT_FORK
    _THREADS_AT_FORK = []
    try:
        yield _THREADS_AT_FORK
    finally:
        _THREADS_AT_FORK = None


def _square(number: int) -> int:
    return number * number


def test_a_pool_gives_results_in_order_and_reports_while_it_waits(forks):
    waited: list[int] = []
    assert pool_map(_square, list(range(7)), 3, waiting=lambda: waited.append(1), every=0.01) == \
        [0, 1, 4, 9, 16, 25, 36]
    assert waited and forks and set(forks) == {1}  # workers forked, and each fork from a single thread


def _fail(number: int) -> int:
    if number == 3:
        raise ValueError("three")
    return number


def test_a_failing_task_stops_the_pool_with_its_error():
    before = set(multiprocessing.active_children())  # another test's processes may still be ending
    with pytest.raises(ValueError, match="three"):
        pool_map(_fail, list(range(6)), 2)
    ending = time.monotonic() + 10  # on a loaded machine a worker may still be being reaped
    while not set(multiprocessing.active_children()) <= before and time.monotonic() < ending:
        time.sleep(0.1)
    assert set(multiprocessing.active_children()) <= before  # no worker of the pool goes on


def test_no_fork_while_another_thread_runs(forks):
    """serve builds in a thread beside its server's: forking there could copy a lock another thread holds."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not can_fork()
        assert pool_map(_square, [1, 2, 3], 2) == [1, 4, 9]
        assert forks == []  # ran in this process
    finally:
        stop.set()
        other.join()
    assert can_fork()


def test_a_pdf_build_forks_its_workers_from_a_single_thread(forks, tmp_path):
    """With PDFs on a terminal, progress used to come from a thread that ran while the workers forked."""
    seen: list[tuple[int, int]] = []
    config = SiteConfig.model_validate({"pdf": {"bundles": False}})  # forms alone: chunks for both workers
    result = build_site([CONTENT], config, tmp_path / "out", pdf=True, jobs=2,
                        progress=lambda done, total: seen.append((done, total)))
    assert result.pdfs == 10 and seen[-1] == (10, 10)
    assert forks and set(forks) == {1}


def test_a_waiting_part_wakes_when_the_count_it_needs_is_published():
    """A part of a bundle blocks until the earlier parts' page counts are known, woken by their publishing
    (no polling), and gives up after its time."""
    counts = SharedCounts(2, -1)

    def publish() -> None:
        time.sleep(0.3)
        counts[0] = 4

    writer = multiprocessing.get_context("fork").Process(target=publish)
    started = time.monotonic()
    writer.start()
    assert counts.wait_until(lambda: counts[0] != -1, timeout=10)
    waited = time.monotonic() - started
    writer.join()
    assert counts[0] == 4 and 0.25 < waited < 5
    started = time.monotonic()
    assert not counts.wait_until(lambda: counts[1] != -1, timeout=0.2)
    assert time.monotonic() - started < 2


def test_the_progress_bar_runs_no_thread(monkeypatch):
    """On a terminal the bar is drawn on each report: a refresh thread of its own would keep every PDF
    build in one process (no fork beside another thread)."""
    import sys

    from generator.progress import console_reporter

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    report, close = console_reporter("PDF")
    try:
        report(1, 10)
        assert threading.active_count() == 1 and can_fork()
    finally:
        close()
