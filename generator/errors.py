"""The exceptions formgen raises; the CLI turns them into exit codes, and nothing else does."""

from __future__ import annotations

import errno
import os

from .i18n import N_, _

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_TERMINATED", "FormgenError", "ProblemsFound", "Terminated",
           "UsageError", "note_line", "os_error_message", "said"]

EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT): 128 + 2, what shells report for a command stopped by it."""
EXIT_TERMINATED = 143
"""SIGTERM (`kill`, a CI job cancelled): 128 + 15."""
EXIT_INTERNAL = 3
"""A bug in formgen: an exception no part of formgen expected."""


class FormgenError(Exception):
    """Anything formgen reports to the user instead of a traceback."""

    exit_code = 1


class ProblemsFound(FormgenError):
    """The content (or formgen.toml) has errors: exit 1."""

    exit_code = 1


class UsageError(FormgenError):
    """The command line is wrong (a path that does not exist, a bad option): exit 2."""

    exit_code = 2


class Terminated(BaseException):
    """SIGTERM, raised in the main thread by the CLI's signal handler.

    A BaseException, like KeyboardInterrupt: no `except Exception` on the way may swallow it, and every
    `finally` and `except BaseException` runs (a build removes its temporary folder)."""


# What to do about each error of the file system, by errno; `{path}` is the file or folder concerned.
_OS_ERRORS: dict[int, str] = {
    errno.ENOSPC: N_("the disk is full: free space on the disk that holds {path}, then run the command again"),
    errno.EDQUOT: N_("the disk quota is used up: free space within your quota on the disk that holds {path}, "
                     "then run the command again"),
    errno.EROFS: N_("{path}: the file system is read-only: choose a folder on a writable disk (e.g. --out DIR)"),
    errno.ENAMETOOLONG: N_("{path}: the name is too long for the file system: choose a shorter file or folder name"),
    errno.EACCES: N_("{path}: permission denied: make it readable and writable for you, or choose another folder"),
    errno.EPERM: N_("{path}: operation not permitted: make it writable for you, or choose another folder"),
    errno.ENOENT: N_("{path}: no such file or folder: check the path"),
    errno.ENOTDIR: N_("{path}: a part of the path is a file, not a folder: check the path, or choose another"),
    errno.EISDIR: N_("{path}: is a folder where a file is expected: name a file"),
    errno.EEXIST: N_("{path}: exists already: remove it or choose another name"),
    errno.ELOOP: N_("{path}: too many levels of symbolic links: replace the link with a real file or folder"),
    errno.EMFILE: N_("too many open files: raise the limit (ulimit -n 4096), or build with fewer --jobs"),
    errno.ENFILE: N_("too many open files on this machine: close other programs, then run the command again"),
    errno.ENOMEM: N_("out of memory: close other programs, or build with fewer --jobs, then run the command again"),
    errno.EIO: N_("{path}: the disk reported an input/output error: check the disk, then run the command again"),
}


def said(text: str) -> str:
    """A message of formgen as the terminal shows it, after the program's name (`formgen: …`, `formgen：…`)."""
    return _("formgen: {message}").format(message=text)


def note_line(text: str) -> str:
    """A note as the terminal shows it (`formgen: note: …`): something formgen did or assumed that the user
    should know, which is neither an error nor a finding of the content."""
    return _("formgen: note: {note}").format(note=text)


def os_error_message(error: OSError) -> str:
    """One line for an error of the file system (or the machine): what happened, where, and what to do."""
    path = error.filename if error.filename is not None else error.filename2
    shown = os.fsdecode(path) if isinstance(path, str | bytes) else _("the folder formgen writes to")
    template = _OS_ERRORS.get(error.errno or 0)
    if template is not None:
        return _(template).format(path=shown)
    reason = error.strerror or str(error) or type(error).__name__
    return _("{path}: {reason}: check the path and the disk, then run the command again").format(path=shown,
                                                                                                 reason=reason)
