"""The output folder and the cache beside it: the only code that writes, links or deletes there.

The site, its cache and its previous output may hold whatever a pull request commits, links
included. So:

* **Nothing is written through a link.** A new site is written into a fresh staging folder
  (`Staging`) that formgen alone fills; the cache's folders and files are made as regular ones, and a
  link found where one of them should be is removed (the link, never its target) and reported
  (`cache_folder`, `write_atomically`).
* **Nothing is reused that is not a verified regular file.** A file of the previous output (or of a
  shard's output) is taken only if it is reached through no link, is a regular file, and hashes to
  what was recorded when it was written (`Reusable`, `Writer.reuse`).
* **A build publishes a whole site or nothing.** One build at a time per output folder (`locked`: a
  second one is refused, naming the first); the staging folder is exchanged with the output folder
  in one step where the platform can (Linux's ``renameat2(RENAME_EXCHANGE)``), so that the output
  folder never disappears, not even for an instant; elsewhere two renames, and a crash between them
  is repaired by the next build before anything else. What interrupted builds left (staging folders,
  old outputs) is removed by the next build, under the lock.
* **A linked output folder is refused**, never replaced by a folder (a web root given by a link would
  silently stop being updated): the message names the real folder to give with ``--out``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .errors import FormgenError, ProblemsFound, UsageError
from .i18n import _

__all__ = ["CACHE_FOLDER", "MARKER", "OutputBusy", "Record", "Reusable", "Staging", "Writer", "cache_folder",
           "check_output", "exchange", "exchange_supported", "file_hash", "locked", "recover", "remove_unless",
           "reusable", "write_atomically"]

MARKER = ".formgen-output"
"""A file in every output folder: formgen only ever replaces a folder that has it (or an empty one)."""

Record = tuple[str, str]
"""What a build records of a file it wrote with a key, for the next build: (key, SHA-256 of its bytes)."""


class OutputBusy(FormgenError):
    """Another build holds the output folder's lock."""


def file_hash(path: str | Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@dataclass(frozen=True)
class Reusable:
    """A verified file of an earlier output that a new one may take unchanged."""

    path: Path
    sha256: str
    link: bool
    """Hard-link it (the previous output, removed once the new one is in place) or copy it (a shard's
    output, which its owner may change later)."""


def reusable(root: Path, relative: str, recorded: str | None, *, link: bool = True) -> Reusable | None:
    """`root/relative` if it is a regular file reached through no link and its bytes hash to
    `recorded`; None otherwise (it is then made again)."""
    if not recorded or os.path.isabs(relative):
        return None
    real_root = os.path.realpath(root)
    lexical = os.path.normpath(os.path.join(real_root, relative))
    if not lexical.startswith(real_root + os.sep) or os.path.realpath(lexical) != lexical:
        return None  # outside, or some part of the way is a link
    try:
        if not stat.S_ISREG(os.lstat(lexical).st_mode) or file_hash(lexical) != recorded:
            return None
    except OSError:
        return None
    return Reusable(Path(lexical), recorded, link)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
"""A file that must not exist yet (the staging folder's own): one system call opens it, none looks first, and
no buffered file object is made for bytes written at once (a site writes thousands of files)."""


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


class Writer:
    """Writes files under one root (a fresh staging folder that formgen alone fills), refusing any
    path that would leave it: absolute paths and ``..`` are checked lexically, which is enough since
    nothing in the staging folder is a link. A file written with a key is recorded with the hash of
    its bytes (`records`), for the next build to verify before it reuses the file.

    A page written with a key (`reuse`, then `write(..., key=)`) is taken from the previous output
    when its key there is the same and the file there is intact, instead of rendered."""

    def __init__(self, root: Path, previous: Path | None = None, previous_records: dict[str, Record] | None = None
                 ) -> None:
        self.root = os.path.realpath(root)
        self.count = 0
        self.records: dict[str, Record] = {}
        """The key and hash of every file written or reused with a key, for the next build."""
        self.reused = 0
        self._previous, self._previous_records = previous, previous_records or {}
        self._folders: set[str] = set()

    def reuse(self, relative: str, key: str) -> bool:
        """Take `relative` from the previous output if its key there is `key` and it is intact."""
        recorded = self._previous_records.get(relative)
        if self._previous is None or recorded is None or recorded[0] != key:
            return False
        source = reusable(self._previous, relative, recorded[1])
        if source is None:
            return False
        self.write(relative, source, key)
        self.reused += 1
        return True

    def write(self, relative: str, content: str | bytes | Reusable, key: str | None = None) -> None:
        target = os.path.normpath(os.path.join(self.root, relative))
        if os.path.isabs(relative) or not target.startswith(self.root + os.sep):
            raise ProblemsFound(_("refusing to write outside the output folder: {path}").format(path=relative))
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        if isinstance(content, Reusable):
            sha256 = content.sha256
            try:
                if not content.link:
                    raise OSError("copied")
                os.link(content.path, target)
            except OSError:
                shutil.copyfile(content.path, target)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            try:
                descriptor = os.open(target, _NEW_FILE, 0o666)
            except FileExistsError:  # written twice: never into a file that may be linked from the old site
                os.unlink(target)
                descriptor = os.open(target, _NEW_FILE, 0o666)
            try:
                _write_all(descriptor, data)
            finally:
                os.close(descriptor)
            sha256 = hashlib.sha256(data).hexdigest() if key is not None else ""
        self.count += 1
        if key is not None:
            self.records[relative] = (key, sha256)


# -- the cache folder: regular folders and files, never through a link --------------------------------


def cache_folder(base: Path, *names: str) -> tuple[Path, list[str]]:
    """`base/names…`, each part made a real folder: a link (or a file) found where a part should be is
    removed (the link itself: its target is never touched) and reported in the notes returned."""
    notes: list[str] = []
    folder = base
    for name in names:
        folder = folder / name
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISDIR(info.st_mode):
            if stat.S_ISLNK(info.st_mode):
                notes.append(_("{folder}: was a link where formgen keeps its cache; replaced by a folder (nothing it "
                               "pointed to was touched)").format(folder=folder))
            else:
                notes.append(_("{folder}: was a file where formgen keeps its cache; replaced by a folder")
                             .format(folder=folder))
            folder.unlink()
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
    return folder, notes


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all, as a regular file, never through a link: a new file in the
    same folder renamed over the name (a link there is replaced, not followed)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def remove_unless(folder: Path, keep: set[str], suffix: str) -> None:
    """Remove what `folder` holds with that suffix but the names in `keep`: regular files and links
    alike, the links themselves (nothing is followed)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(suffix) and entry.name not in keep and not entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


# -- the lock, the staging folder and the swap -----------------------------------------------------


CACHE_FOLDER = ".formgen-cache"
"""Beside the output folder: formgen's own state between builds (the lock, the parts of bundles)."""


def _lock_path(out: Path, notes: list[str]) -> Path:
    folder, made = cache_folder(out.parent, CACHE_FOLDER)
    notes += made
    return folder / f"{out.name}.lock"


_HELD_LOCKS: set[int] = set()


def _close_locks_in_child() -> None:
    # A forked worker must not keep the lock alive after its build has gone (killed): close its copies.
    for descriptor in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


@contextlib.contextmanager
def locked(out: Path, notes: list[str] | None = None) -> Iterator[None]:
    """Hold the output folder's lock (a file in the cache folder beside it, opened without following a
    link): a second build of the same folder, or of its cache, is refused while it is held. The lock
    goes with the process that holds it, however it ends. What was repaired on the way goes to `notes`."""
    lock = _lock_path(out, notes if notes is not None else [])
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(lock, flags, 0o644)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        lock.unlink()  # a link planted where the lock goes: removed, never followed
        descriptor = os.open(lock, flags, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip() or _("unknown")
            raise OutputBusy(_("another formgen build is writing {out} ({holder}); wait for it to finish, or build "
                               "into another folder with --out").format(out=out, holder=holder)) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, (_("process {pid}, since {time}").format(pid=os.getpid(), time=time.strftime("%H:%M:%S"))
                               + "\n").encode(), 0)
        _HELD_LOCKS.add(descriptor)
        try:
            yield
        finally:
            _HELD_LOCKS.discard(descriptor)
    finally:
        os.close(descriptor)


def check_output(out: Path, sources: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something that is not formgen output,
    or that is a link (formgen never writes through one)."""
    if out.is_symlink():
        raise UsageError(_("{out}: is a link (to {target}); formgen never replaces or writes through a link: give "
                           "the real folder with --out {real}, or remove the link").format(
            out=out, target=os.readlink(out), real=out.resolve()))
    resolved = out.resolve()
    for source in sources:
        source = source.resolve()
        if resolved == source or source.is_relative_to(resolved):
            raise UsageError(_("{out}: the output folder would contain the content ({source}); choose another --out")
                             .format(out=out, source=source))
    if resolved == Path.cwd().resolve() or resolved == Path(resolved.anchor):
        raise UsageError(_("{out}: refusing to use this folder as the output folder; choose another --out")
                         .format(out=out))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise UsageError(_("{out}: exists and is not a formgen output folder (no {marker}); remove it or choose "
                           "another --out").format(out=out, marker=MARKER))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> object | None:
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except OSError:  # pragma: no cover - no C library to ask
        return None


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux ≥ 3.15 with glibc ≥ 2.28, on file systems that support it);
    False where that cannot be done here (then nothing happened)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:  # type: ignore[operator]
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def exchange_supported(folder: Path) -> bool:
    """Whether `exchange` works in `folder` (tried on two empty folders)."""
    with tempfile.TemporaryDirectory(dir=folder, prefix=".formgen-exchange-") as scratch:
        (Path(scratch) / "a").mkdir()
        (Path(scratch) / "b").mkdir()
        return exchange(Path(scratch) / "a", Path(scratch) / "b")


def _leftover(out: Path, name: str) -> bool:
    return name.startswith((f".{out.name}.tmp-", f".{out.name}.old-"))


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)  # never follows a link inside


def recover(out: Path) -> None:
    """Under the lock: put back the old site where a crash between the two renames of a swap left no
    output folder, then remove every staging or old folder that interrupted builds left."""
    if not out.parent.is_dir():
        return
    leftovers = sorted((path for path in out.parent.iterdir() if _leftover(out, path.name)),
                       key=lambda path: path.lstat().st_mtime_ns)
    if not out.exists() and not out.is_symlink():
        olds = [path for path in leftovers if path.name.startswith(f".{out.name}.old-") and not path.is_symlink()
                and (path / MARKER).is_file()]
        if olds:
            olds[-1].rename(out)
            leftovers.remove(olds[-1])
    for path in leftovers:
        _remove(path)


class Staging:
    """A new output folder being written beside the old one, put in its place by `publish`. Enter it
    to hold the lock (refused when another build holds it), repair and clean what interrupted builds
    left, and get a fresh empty staging folder; leaving without `publish` removes it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folder = out  # set on entering
        self.notes: list[str] = []
        """What was repaired on the way in (a link where the cache folder goes)."""
        self._lock = locked(out, self.notes)

    def __enter__(self) -> Staging:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock.__enter__()  # first: nothing below may run in two builds at once
        try:
            recover(self.out)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self.folder.exists():
                shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            self._lock.__exit__(kind, error, trace)

    def publish(self) -> None:
        """Put the staging folder in the output folder's place: exchanged in one step where the platform
        can, else two renames (see `recover`); then the old site is removed."""
        os.chmod(self.folder, 0o755)  # mkdtemp makes it private; a published site is readable
        if not self.out.exists():
            os.rename(self.folder, self.out)
            return
        if not exchange(self.folder, self.out):
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.rename(self.out, old)
            try:
                os.rename(self.folder, self.out)
            except BaseException:
                with contextlib.suppress(OSError):  # else the next build puts it back (`recover`)
                    os.rename(old, self.out)
                raise
            self.folder = old
        # self.folder now holds the old site: __exit__ removes it.
