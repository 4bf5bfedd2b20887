"""One time limit for every step that a hostile file could make endless: reading a PDF in
`formgen import`, laying out a form's or a bundle's PDF in `formgen build`.

The limit does not rely on the operating system delivering a signal. A process may start with
SIGALRM blocked or its timers unsupported (some CI runners and sandboxes do both), and a timer set
with `setitimer` then never fires: a PDF that draws itself millions of times ran until the machine
killed the process. Nor on a signal handler, which runs in the main thread only (`formgen serve`
builds in a thread). Instead a watchdog thread, when the time is up, raises OutOfTime in the step's
own thread (`PyThreadState_SetAsyncExc`, CPython's way of raising in another thread), which needs
nothing from the system: pure-Python work (pdfminer, WeasyPrint's layout) is stopped between two
bytecodes, in whichever thread it runs. The process's own signal handlers are left alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Deadline", "OutOfTime", "time_limit"]

_AGAIN = 0.5
"""Seconds between the watchdog's interrupts once the time is up, until the step has stopped."""


class OutOfTime(BaseException):
    """The time of a step is spent. A BaseException, so that no library's `except Exception`
    (pdfminer, pdfplumber and WeasyPrint have several) swallows it on its way out."""


@dataclass
class Deadline:
    """When the time of a step ends; `check` between pages, forms and other parts of it."""

    end: float
    """On the `time.monotonic` clock."""

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise OutOfTime

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[Deadline]:
    """A deadline `seconds` from now, which also interrupts whatever runs past it (one page that never
    ends) by raising OutOfTime in its thread, and again every _AGAIN seconds until the step has stopped
    (Python drops what is raised where a finalizer runs, and a library may swallow it once). Sending and
    stopping take one lock, so that nothing is sent once the step is over; one sent but not raised yet is
    then withdrawn."""
    _quiet_when_dropped()
    deadline = Deadline(time.monotonic() + seconds)
    target = ctypes.c_ulong(threading.get_ident())
    sending = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        wait = seconds
        while not done.wait(wait):
            with sending:
                if done.is_set():
                    return
                if deadline.passed:
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(OutOfTime))
            wait = _AGAIN

    watchdog = threading.Thread(target=watch, name="formgen time limit", daemon=True)
    watchdog.start()
    try:
        yield deadline
    finally:
        with sending:
            done.set()
        ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)  # withdraw one not raised yet
        watchdog.join()


def _quiet_when_dropped() -> None:
    """An OutOfTime that lands in a finalizer (a parser's, which the collector calls) is dropped by Python,
    which prints it as "Exception ignored in …" with a traceback; the watchdog sends another, so nothing is
    lost: formgen's own interrupts are not printed. Every other unraisable error goes where it went."""
    previous = sys.unraisablehook
    if getattr(previous, "formgen_quiet", False):
        return

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, OutOfTime):
            previous(unraisable)

    hook.formgen_quiet = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook
