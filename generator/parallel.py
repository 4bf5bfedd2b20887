"""Spread per-form work over worker processes that inherit the caller's memory.

Workers are forked, so whatever the caller prepared (the site, the Jinja environment, the tasks
themselves) is there without being pickled; only an index goes out and each result travels back.
Where fork is not available (macOS and Windows default to spawn), or with one job, the work runs in
this process: the results are the same.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from .i18n import _

__all__ = ["chunks", "collections_paused", "default_jobs", "fork_map", "in_shards", "kept_out_of_collections",
           "shared_ints"]

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


_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int) -> None:
    """In a forked worker, first:
    - Ctrl-C and SIGTERM are the parent's to handle. The terminal sends Ctrl-C to every process of the
      group: workers ignore it (each would print its own traceback) and the parent, which stops them,
      reports it once; SIGTERM (the parent stopping them) ends a worker at once and quietly, instead of
      raising the parent's exception from the handler the worker inherited.
    - The worker ends when the build that forked it ends, however it ends (a killed build's workers
      would otherwise go on writing into a folder the next build removes). Linux only; elsewhere a
      worker ends when it next reads from its closed pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent was gone before the request took effect
        os._exit(1)


def _run(index: int) -> object:
    assert _TASK is not None
    return _TASK(_ITEMS[index])  # the worker inherited the items: only the index travels


def fork_map(task: Callable[[Item], Result], items: Sequence[Item], jobs: int) -> list[Result]:
    """`[task(item) for item in items]` over `jobs` processes, in order: this process takes every
    `jobs`-th item itself (it would otherwise wait), forked workers the others. List the costliest
    items first: they are dealt out in turn."""
    global _TASK, _ITEMS
    if jobs <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [task(item) for item in items]
    jobs = min(jobs, len(items))
    mine = list(range(0, len(items), jobs))
    theirs = [index for index in range(len(items)) if index % jobs]
    _TASK, _ITEMS = task, items  # type: ignore[assignment]  # inherited by the forked workers
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1, initializer=_start_worker,
                                                      initargs=(os.getpid(),)) as pool:
            pending = pool.map_async(_run, theirs, chunksize=1)
            results: dict[int, Result] = {index: task(items[index]) for index in mine}
            results.update(zip(theirs, pending.get(), strict=True))  # type: ignore[arg-type]
    finally:
        _TASK, _ITEMS = None, ()
    return [results[index] for index in range(len(items))]


def shared_ints(count: int, initial: int) -> Any:
    """`count` integers that processes forked after this call read and write in place (a plain list
    where there is no fork: then everything runs in this process). Each is written by one process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return [initial] * count
    return multiprocessing.get_context("fork").Array("i", [initial] * count, lock=False)


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
              second: Callable[[State, Context], Result]) -> list[Result]:
    """Work that needs everything in the middle, without moving the heavy state between processes.

    Each part gets a worker that keeps its state from phase one to phase two: `first(part)` returns
    (state, digest); this process gets the small digests, and `between(digests)` returns one context
    per part and something to do meanwhile (it may raise, which stops the workers); then
    `second(state, context)` finishes each part while this process does the meanwhile work. With one
    job, or without fork, the same happens in this process, one part after another."""
    with collections_paused():
        return _in_shards(parts, jobs, first, between, second)


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection while work holds many objects that live to its end (a whole site
    while it is read and rendered; a bundle part's laid-out forms): each collection would only scan
    them all again (on 10,000 forms, half the time). Reference counting still frees everything else;
    the collector is back on afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def kept_out_of_collections() -> Iterator[None]:
    """What exists now is left out of cyclic garbage collection until the block ends (`gc.freeze`):
    long work that makes much short-lived garbage (PDF layout) keeps its collections, but they no
    longer traverse the whole site held in memory (300 forms' PDFs: 94 s against 105 s). Workers
    forked inside inherit it, which also spares copy-on-write of the frozen objects."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _in_shards(parts: Sequence[Any], jobs: int, first: Callable[[Any], tuple[State, Digest]],
               between: Callable[[list[Digest]], tuple[list[Context], Callable[[], None]]],
               second: Callable[[State, Context], Result]) -> list[Result]:
    global _PHASES, _PARTS, _PARENT
    if jobs <= 1 or len(parts) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
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
