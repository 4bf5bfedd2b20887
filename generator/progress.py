"""Progress of long builds: a bar on a terminal, one plain line per tenth in CI logs.

Worker processes count what they finish in shared memory (`parallel.SharedCounts`, created before
they fork); this process reads it and reports while it waits for them (`parallel.pool_map`). No thread
of formgen's runs meanwhile, the bar's included (it is redrawn on each report, not by a thread of its
own): workers are forked only from a process with one thread. The library takes any
`report(done, total)` callable; the CLI chooses how it is shown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["Report", "console_reporter"]

Report = Callable[[int, int], None]


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
