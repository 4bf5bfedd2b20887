"""Progress of long builds: a bar on a terminal, one plain line per tenth in CI logs.

Worker processes count what they finish in a shared counter (`multiprocessing.Value`, created before
they fork); a thread of this process reads it and reports. The library takes any `report(done, total)`
callable; the CLI chooses how it is shown.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Counter", "console_reporter", "watching"]

Report = Callable[[int, int], None]


class Counter:
    """A count that worker processes forked after its creation can add to."""

    def __init__(self) -> None:
        forking = "fork" in multiprocessing.get_all_start_methods()
        self._value: Any = multiprocessing.get_context("fork").Value("i", 0) if forking else None
        self._local = 0

    def add(self, amount: int = 1) -> None:
        if self._value is None:
            self._local += amount
            return
        with self._value.get_lock():
            self._value.value += amount

    @property
    def value(self) -> int:
        # Read without the lock: the watching thread must never hold it while a worker forks (the
        # worker's copy would stay locked), and an int read is never torn.
        return self._local if self._value is None else int(self._value.get_obj().value)


@contextmanager
def watching(counter: Counter, total: int, report: Report | None, every: float = 0.25) -> Iterator[None]:
    """Report `counter` against `total` from a thread until the block ends (and once more at its end)."""
    if report is None or total <= 0:
        yield
        return
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            report(counter.value, total)

    thread = threading.Thread(target=watch, name="formgen-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        report(counter.value, total)


def console_reporter(label: str) -> tuple[Report, Callable[[], None]]:
    """(report, close): a rich bar on an interactive terminal; else a plain line at every tenth."""
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), transient=True)
        task = bar.add_task(label, total=None)
        bar.start()

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return report, bar.stop
    shown = [-1]

    def plain(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"{label}: {tenth * 10}% ({done}/{total})", file=sys.stderr, flush=True)

    return plain, lambda: None
