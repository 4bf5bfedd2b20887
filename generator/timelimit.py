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

import ctypes
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
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


class time_limit:  # lower case: used as a function, `with time_limit(seconds) as deadline:`
    """A deadline `seconds` from now, which also interrupts whatever runs past it (one page that never
    ends) by raising OutOfTime in its thread, and again every _AGAIN seconds until the step has stopped
    (Python drops what is raised where a finalizer runs, and a library may swallow it once). `timeout`:
    what to raise instead of OutOfTime when the time is up (a message naming the setting).

    A class, not a generator: its `__exit__` runs in the step's own frame as soon as the step ends, where a
    generator's clean-up would wait behind contextlib's frames, which an interrupt can cut short, and then
    for the generator to be collected, while the watchdog went on sending. Sending and stopping take one
    lock, so that nothing is sent once the step is over; one sent but not raised yet is then withdrawn. And
    the watchdog sends only while the frame that entered the limit is still running in its thread: an
    interrupt that lands before `__exit__` can begin ends the step all the same, and none follows it."""

    def __init__(self, seconds: float, timeout: Callable[[], BaseException] | None = None) -> None:
        self.seconds, self.timeout = seconds, timeout
        self.done = threading.Event()
        self.sending = threading.Lock()

    def __enter__(self) -> Deadline:
        _quiet_when_dropped()
        deadline = Deadline(time.monotonic() + self.seconds)
        thread = threading.get_ident()
        step = sys._getframe(1)  # the frame running the `with`: the step is over once it is gone
        target = ctypes.c_ulong(thread)
        self.target = target

        def watch() -> None:
            wait = self.seconds
            while not self.done.wait(wait):
                with self.sending:
                    if self.done.is_set() or not _running(thread, step):
                        return
                    if deadline.passed:
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(OutOfTime))
                wait = _AGAIN

        self.watchdog = threading.Thread(target=watch, name="formgen time limit", daemon=True)
        self.watchdog.start()
        return deadline

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        # An interrupt sent just before can still land here, between any two steps: until `done` is set under
        # the lock (after which nothing is sent) what lands is caught and the stopping taken up again; one sent
        # but not raised yet is then withdrawn, and only then is the watchdog joined, so that no interrupt cuts
        # the join short.
        while True:
            try:
                with self.sending:
                    self.done.set()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(self.target, None)
                break
            except OutOfTime:
                kind = OutOfTime  # the step ran out of time all the same
        self.watchdog.join()
        if self.timeout is not None and kind is not None and issubclass(kind, OutOfTime):
            raise self.timeout() from None


def _running(thread: int, step: FrameType) -> bool:
    """Whether `step` is on the stack of `thread`."""
    frame: FrameType | None = sys._current_frames().get(thread)
    while frame is not None:
        if frame is step:
            return True
        frame = frame.f_back
    return False


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
