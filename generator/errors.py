"""The exceptions formgen raises; the CLI turns them into exit codes, and nothing else does."""

from __future__ import annotations

__all__ = ["FormgenError", "ProblemsFound", "UsageError"]


class FormgenError(Exception):
    """Anything formgen reports to the user instead of a traceback."""

    exit_code = 1


class ProblemsFound(FormgenError):
    """The content (or formgen.toml) has errors: exit 1."""

    exit_code = 1


class UsageError(FormgenError):
    """The command line is wrong (a path that does not exist, a bad option): exit 2."""

    exit_code = 2
