"""Spread per-form work over worker processes that inherit the caller's memory.

Workers are forked, so whatever the caller prepared (the site, the Jinja environment, the tasks
themselves) is there without being pickled; only an index goes out and each result travels back.
Workers are forked only from a process with one thread (`can_fork`): a fork copies the calling thread
alone, and a lock another thread held at that moment would stay held forever in the child. Where fork
is not possible (macOS and Windows default to spawn; `formgen serve`, whose server threads run), the
work runs in this process: the results are the same.

Garbage-collector tuning happens inside workers (`_start_worker`), and in the calling process only
while it runs a single thread (`in_shards`): never where it would also affect other threads (serve's).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from .i18n import _

__all__ = ["SharedCounts", "can_fork", "chunks", "collections_paused", "default_jobs", "in_shards", "pool_map"]

Item = TypeVar("Item")
Result = TypeVar("Result")

_TASK: Callable[[object], object] | None = None
_ITEMS: Sequence[object] = ()


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers may be forked from here: the platform forks, and this process runs one thread."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int) -> None:
    """In a forked worker, first:
    - Ctrl-C and SIGTERM are the parent's to handle. The terminal sends Ctrl-C to every process of the
      group: workers ignore it (each would print its own traceback) and the parent, which stops them,
      reports it once; SIGTERM (the parent stopping them) ends a worker at once and quietly, instead of
      raising the parent's exception from the handler the worker inherited.
    - The worker ends when the build that forked it ends, however it ends (a killed build's workers
      would otherwise go on writing into a folder the next build removes). Linux only; elsewhere a
      worker ends when it next reads from its closed pipe.
    - What the worker inherited is left out of cyclic garbage collection (`gc.freeze`): the site held
      in memory is never traversed again by the collections that the work's short-lived garbage
      causes (300 forms' PDFs: 94 s against 105 s), and its pages are not copied on write by them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent was gone before the request took effect
        os._exit(1)
    gc.freeze()


def _run(index: int) -> object:
    assert _TASK is not None
    return _TASK(_ITEMS[index])  # the worker inherited the items: only the index travels


def pool_map(task: Callable[[Item], Result], items: Sequence[Item], jobs: int, *,
             waiting: Callable[[], None] | None = None, every: float = 0.25, always: bool = False) -> list[Result]:
    """`[task(item) for item in items]` over `jobs` worker processes (a standard process pool), in order.
    List the costliest items first: they are taken in turn. While it waits, this process calls
    `waiting()` every `every` seconds (progress reports: no thread of ours runs while workers fork).
    `always`: one item or one job still goes to a worker (where forking is possible), so that its
    memory and garbage-collector settings stay out of this process."""
    global _TASK, _ITEMS
    if not items or not can_fork() or (not always and (jobs <= 1 or len(items) <= 1)):
        results = []
        for item in items:
            results.append(task(item))
            if waiting is not None:
                waiting()
        return results
    import concurrent.futures  # here: every command imports this module, and most never start a pool

    _TASK, _ITEMS = task, items  # type: ignore[assignment]  # inherited by the forked workers
    before = set(multiprocessing.active_children())
    pool = concurrent.futures.ProcessPoolExecutor(min(max(1, jobs), len(items)),
                                                  mp_context=multiprocessing.get_context("fork"),
                                                  initializer=_start_worker, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(_run, index) for index in range(len(items))]  # the workers fork at the first
        pending: set[concurrent.futures.Future[Any]] = set(futures)
        while pending:
            _, pending = concurrent.futures.wait(pending, timeout=every, return_when=concurrent.futures.FIRST_EXCEPTION)
            if waiting is not None:
                waiting()
            for future in futures:
                if future.done() and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
        made: list[Any] = [future.result() for future in futures]
    except BaseException:
        # Interrupted, or a task failed: the other tasks' work is not wanted, and nothing may go on writing
        # into a folder this build is about to remove. (The pool's own shutdown would wait for them.)
        pool.shutdown(wait=False, cancel_futures=True)
        workers = set(multiprocessing.active_children()) - before
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():  # a worker that did not end on SIGTERM in time
                worker.kill()
                worker.join()
        raise
    finally:
        _TASK, _ITEMS = None, ()
    pool.shutdown()
    return made


class SharedCounts:
    """Integers that workers forked after its creation publish, add to and wait for (a part's page count,
    the PDFs made so far); a reader blocks on a condition until the ones it needs are known (no polling).
    A plain list and a thread condition where nothing forks."""

    def __init__(self, count: int, initial: int) -> None:
        if "fork" in multiprocessing.get_all_start_methods():
            fork = multiprocessing.get_context("fork")
            self._values: Any = fork.Array("i", [initial] * count, lock=False)
            self._changed: Any = fork.Condition()
        else:  # pragma: no cover - no fork: everything runs in this process
            self._values, self._changed = [initial] * count, threading.Condition()

    def __getitem__(self, index: int) -> int:
        return int(self._values[index])

    def __setitem__(self, index: int, value: int) -> None:
        with self._changed:
            self._values[index] = value
            self._changed.notify_all()

    def add(self, index: int, amount: int = 1) -> None:
        """Add to one count (several processes may add to the same one: a progress count)."""
        with self._changed:
            self._values[index] += amount
            self._changed.notify_all()

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Block until `ready()` holds (checked whenever a count is published), or `timeout` seconds pass."""
        with self._changed:
            return bool(self._changed.wait_for(ready, timeout))


def chunks(items: Sequence[Item], jobs: int, per_job: int = 4) -> list[Sequence[Item]]:
    """Contiguous slices, a few per job so that an uneven slice does not leave a core idle."""
    count = max(1, min(len(items), jobs * per_job))
    size = -(-len(items) // count)
    return [items[start:start + size] for start in range(0, len(items), size)]


State = TypeVar("State")
Digest = TypeVar("Digest")
Context = TypeVar("Context")

_PHASES: tuple[Callable[[Any], Any], Callable[[Any, Any], Any]] | None = None
_PARTS: Sequence[object] = ()
_PARENT = os.getpid()


def _shard_worker(index: int, connection: Any) -> None:
    """One forked worker: phase one on its part, send the digest, wait for its context, phase two."""
    assert _PHASES is not None
    _start_worker(_PARENT)
    first, second = _PHASES
    gc.disable()  # this worker's part lives to its end: see collections_paused
    try:
        state, digest = first(_PARTS[index])
        connection.send(("ok", digest))
        context = connection.recv()
        if context is not _STOP:
            connection.send(("ok", second(state, context)))
    except BaseException as error:  # the parent re-raises it with the worker's traceback
        # An error of the file system (a full disk) travels as itself: the CLI tells the user what to do.
        same = error if type(error).__module__ == "builtins" and isinstance(error, OSError) else None
        connection.send(("error", (traceback.format_exc(), same)))
    finally:
        connection.close()


_STOP = "stop"


def _receive(connection: Any) -> Any:
    status, value = connection.recv()
    if status == "error":
        text, same = value
        if same is not None:
            same.add_note(_("in a worker process:") + "\n" + text)
            raise same
        raise RuntimeError(_("a worker process failed:") + "\n" + text)
    return value


def in_shards(parts: Sequence[Any], jobs: int, first: Callable[[Any], tuple[State, Digest]],
              between: Callable[[list[Digest]], tuple[list[Context], Callable[[], None]]],
              second: Callable[[State, Context], Result], always: bool = False,
              idle: Callable[[], None] | None = None) -> list[Result]:
    """Work that needs everything in the middle, without moving the heavy state between processes.
    (Not a standard pool: a part's second phase must run in the very worker that holds its first phase's
    state, and no standard pool directs work to a given worker.)

    Each part gets a worker that keeps its state from phase one to phase two: `first(part)` returns
    (state, digest); this process gets the small digests, and `between(digests)` returns one context
    per part and something to do meanwhile (it may raise, which stops the workers); then
    `second(state, context)` finishes each part while this process does the meanwhile work. With one
    job, or without fork, the same happens in this process, one part after another; `always`: one part
    still goes to a worker where forking is possible (a large site: the worker pauses garbage collection,
    this process does not). `idle`: work of this process's own that `between` needs, done while the
    workers run their first phase (before it, where there are none)."""
    # This process pauses its collector too, while it takes in every part's digest and writes the lists
    # (1,000 forms: 5 % of the build), but only where it runs a single thread: never beside serve's threads.
    with collections_paused() if can_fork() else contextlib.nullcontext():
        return _in_shards(parts, jobs, first, between, second, always, idle or (lambda: None))


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection while work holds many objects that live to its end (a part of a
    large site while it is read and rendered; a bundle part's laid-out forms): each collection would only
    scan them all again (on 10,000 forms, half the time). Reference counting still frees everything
    else; the collector is back on afterwards. Used in workers, and by `in_shards` in a process that runs
    one thread."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _in_shards(parts: Sequence[Any], jobs: int, first: Callable[[Any], tuple[State, Digest]],
               between: Callable[[list[Digest]], tuple[list[Context], Callable[[], None]]],
               second: Callable[[State, Context], Result], always: bool, idle: Callable[[], None]) -> list[Result]:
    global _PHASES, _PARTS, _PARENT
    if not parts or not can_fork() or (not always and (jobs <= 1 or len(parts) <= 1)):
        idle()
        started = [first(part) for part in parts]
        contexts, meanwhile = between([digest for _, digest in started])
        results = [second(state, context) for (state, _), context in zip(started, contexts, strict=True)]
        meanwhile()
        return results
    fork = multiprocessing.get_context("fork")
    _PHASES, _PARTS, _PARENT = (first, second), parts, os.getpid()
    workers = []
    try:
        for index in range(len(parts)):
            parent_end, child_end = fork.Pipe()
            process = fork.Process(target=_shard_worker, args=(index, child_end), daemon=True)
            process.start()
            child_end.close()
            workers.append((process, parent_end))
    finally:
        _PHASES, _PARTS = None, ()
    try:
        idle()
        digests = [_receive(connection) for _, connection in workers]
        try:
            contexts, meanwhile = between(digests)
        except BaseException:
            for _, connection in workers:
                connection.send(_STOP)
            raise
        for (_, connection), context in zip(workers, contexts, strict=True):
            connection.send(context)
        meanwhile()
        return [_receive(connection) for _, connection in workers]
    except BaseException:
        for process, _ in workers:  # interrupted, or failed: their work is not wanted, and nothing waits for it
            process.terminate()
        raise
    finally:
        for process, connection in workers:
            connection.close()
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
