"""One time limit for every step that a hostile file could make endless: reading a PDF in
`formgen import`, laying out a form's or a bundle's PDF in `formgen build`.

The limit does not rely on the operating system delivering a signal. A process may start with
SIGALRM blocked or its timers unsupported (some CI runners and sandboxes do both), and a timer set
with `setitimer` then never fires: a PDF that draws itself millions of times ran until the machine
killed the process. Instead a watchdog thread, when the time is up, asks the interpreter itself to
run the handler in the main thread (`_thread.interrupt_main`), which needs nothing from the system.
Pure-Python work (pdfminer, WeasyPrint's layout) is stopped between two bytecodes; outside the main
thread, where no signal handler can run (`formgen serve` builds in a thread), the watchdog raises
OutOfTime in that thread itself (`PyThreadState_SetAsyncExc`, CPython's own way of raising in another
thread), again between two bytecodes: the limit holds wherever the step runs.
"""

from __future__ import annotations

import _thread
import contextlib
import ctypes
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Deadline", "OutOfTime", "time_limit"]

# The signal whose handler the watchdog runs. No timer of the system sends it any more; one that
# someone else set still reaches their handler (see `time_limit`).
_SIGNAL = signal.SIGALRM
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
    ends) by raising OutOfTime in its thread."""
    _quiet_when_dropped()
    deadline = Deadline(time.monotonic() + seconds)
    if threading.current_thread() is not threading.main_thread():
        with _in_this_thread(deadline, seconds):
            yield deadline
        return
    armed = True

    def expire(signum: int, frame: Any) -> None:
        if armed and deadline.passed:
            raise OutOfTime
        if not armed:  # the watchdog fired while the limit was being taken down: not an overrun
            return
        if callable(previous):  # a signal of someone else's timer reaches their handler
            previous(signum, frame)

    previous = signal.signal(_SIGNAL, expire)
    done = threading.Event()

    def watch() -> None:
        wait = seconds
        while not done.wait(wait):
            _thread.interrupt_main(_SIGNAL)
            # Sent again until the step ends: the handler may run where Python drops what it raises (a
            # finalizer that the collector calls, such as a parser's, reports it and goes on).
            wait = _AGAIN

    watchdog = threading.Thread(target=watch, name="formgen time limit", daemon=True)
    watchdog.start()
    try:
        yield deadline
    finally:
        armed = False  # the step is over: from here on the watchdog firing is no overrun
        done.set()
        watchdog.join()  # after this nothing more is sent
        _handle_pending()  # and what was sent is handled by `expire`, not by the handler put back
        signal.signal(_SIGNAL, previous)


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


@contextlib.contextmanager
def _in_this_thread(deadline: Deadline, seconds: float) -> Iterator[None]:
    """The limit for a step outside the main thread: the watchdog raises OutOfTime in the step's thread,
    and again every _AGAIN seconds until the step has stopped (a library may swallow it once). Sending
    and stopping take one lock, so that nothing is sent once the step is over; one sent but not raised
    yet is then withdrawn."""
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
        yield
    finally:
        with sending:
            done.set()
        ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)  # withdraw one not raised yet
        watchdog.join()


def _handle_pending() -> None:
    """Give the interpreter points at which it runs the handlers of signals already sent (entering a
    function and jumping back in a loop are such points; `signal.signal`, written in C, is not). A
    signal still pending when the old handler is back would print a "race condition" warning."""
    for _step in range(2):
        pass
