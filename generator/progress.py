"""Progress of long builds: a bar on a terminal, one plain line per tenth in CI logs.

Worker processes count what they finish in a shared counter (`multiprocessing.Value`, created before
they fork); this process reads it and reports while it waits for them (`parallel.pool_map`). No thread
of formgen's runs meanwhile, the bar's included (it is redrawn on each report, not by a thread of its
own): workers are forked only from a process with one thread. The library takes any
`report(done, total)` callable; the CLI chooses how it is shown.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["Counter", "console_reporter"]

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
        # Read without the lock: an int read is never torn, and the reader never waits on a worker.
        return self._local if self._value is None else int(self._value.get_obj().value)


def console_reporter(label: str) -> tuple[Report, Callable[[], None]]:
    """(report, close): a rich bar on an interactive terminal; else a plain line at every tenth."""
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        # auto_refresh=False: no refresh thread (see the module's text); each report redraws the bar.
        bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), transient=True, auto_refresh=False)
        task = bar.add_task(label, total=None)
        bar.start()

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, refresh=True)

        return report, bar.stop
    shown = [-1]

    def plain(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"{label}: {tenth * 10}% ({done}/{total})", file=sys.stderr, flush=True)

    return plain, lambda: None
