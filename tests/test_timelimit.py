"""The one time limit (generator/timelimit.py) behind `import --time-limit` and `[pdf] timeout_seconds`:
it stops an endless step, and leaves alone what the process had set up before."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time

import pytest

from generator.timelimit import OutOfTime, time_limit


def test_an_endless_step_is_stopped_and_a_short_one_is_not():
    started = time.monotonic()
    with pytest.raises(OutOfTime), time_limit(0.2):
        while True:
            pass
    assert time.monotonic() - started < 2
    with time_limit(0.2) as deadline:
        deadline.check()
    time.sleep(0.4)  # the watchdog of the finished step sends nothing after it


def test_a_timer_the_process_had_set_still_reaches_its_handler():
    rang: list[int] = []

    def ring(signum: int, frame: object) -> None:
        rang.append(signum)

    previous = signal.signal(signal.SIGALRM, ring)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with time_limit(5):
            time.sleep(0.4)
        assert rang == [signal.SIGALRM]
        assert signal.getsignal(signal.SIGALRM) is ring  # its handler is back
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        time.sleep(0.4)
        assert rang == [signal.SIGALRM, signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_interrupt_that_a_library_swallows_is_sent_again():
    """A handler may run where what it raises is dropped (a finalizer): the step is interrupted again."""
    swallowed = 0
    started = time.monotonic()
    with pytest.raises(OutOfTime), time_limit(0.1):
        while True:
            try:
                while True:
                    pass
            except OutOfTime:
                swallowed += 1
                if swallowed > 1:
                    raise
    assert swallowed == 2 and time.monotonic() - started < 3


def test_the_limit_holds_outside_the_main_thread():
    """`formgen serve` builds in a thread, where no signal handler runs: an endless step there stops too,
    and a step that ends in time is not interrupted afterwards."""
    import threading

    outcome: list[str] = []

    def step() -> None:
        try:
            with time_limit(0.2):
                while True:
                    pass
        except OutOfTime:
            outcome.append("stopped")
        with time_limit(0.2) as deadline:
            deadline.check()
        time.sleep(0.8)  # nothing arrives from the finished step's watchdog
        outcome.append("quiet")

    started = time.monotonic()
    thread = threading.Thread(target=step, daemon=True)  # on failure it would spin on
    thread.start()
    thread.join(timeout=10)
    assert outcome == ["stopped", "quiet"] and time.monotonic() - started < 5


def test_an_interrupt_dropped_in_a_finalizer_prints_nothing(monkeypatch):
    """Python prints an exception raised in a finalizer as "Exception ignored in …" with a traceback: for the
    limit's own interrupt (sent again until the step stops) that would be a traceback a user sees."""
    import gc
    import sys

    said: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: said.append(unraisable.exc_value))

    class Finalized:
        def __init__(self, error: BaseException) -> None:
            self.error = error

        def __del__(self) -> None:
            raise self.error

    with time_limit(5):
        Finalized(OutOfTime())
        Finalized(ValueError("a real problem"))
        gc.collect()
    assert [type(error) for error in said] == [ValueError]  # other errors are still said


def test_a_step_that_ends_while_interrupts_arrive_leaves_no_watchdog_and_no_stray_interrupt(monkeypatch):
    """The step ends (a library swallowed the interrupts) just as the watchdog sends another. That one may
    still end the step (its time was up), but none may follow once the step is over: no watchdog may go on
    sending into whatever the thread does next (a build's next form, or a test runner's clean-up)."""
    monkeypatch.setattr("generator.timelimit._AGAIN", 0.0001)  # interrupts as often as the watchdog can
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # and the threads take turns as often as they can
    try:
        for _ in range(200):
            with contextlib.suppress(OutOfTime):
                _a_step_that_swallows_interrupts()
            time.sleep(0.002)  # a leftover watchdog would interrupt this
            assert not [thread for thread in threading.enumerate() if thread.name == "formgen time limit"]
    finally:
        sys.setswitchinterval(interval)


def _a_step_that_swallows_interrupts() -> None:
    with time_limit(0.001):
        swallowed = 0
        while swallowed < 3:
            try:
                for _ in range(1000):
                    pass
            except OutOfTime:
                swallowed += 1
