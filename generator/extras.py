"""The optional features and what each needs installed: `formgen import` and `formgen serve`.

A finance office that only writes and publishes forms does not need the PDF and Excel 97 readers of the
importer, or the file watcher of the preview; pyproject.toml declares them as the extras ``formgen[import]``
and ``formgen[serve]`` (tests/test_packaging.py checks that it names the same packages as `EXTRAS`). A verb
calls `require` before anything else, so that a user without the extra reads one line that says what to
install, never an ImportError's traceback from deep inside a reader.
"""

from __future__ import annotations

import importlib.util

from .errors import UsageError
from .i18n import ngettext

__all__ = ["EXTRAS", "require"]

EXTRAS: dict[str, dict[str, str]] = {
    "import": {"pdfplumber": "pdfplumber", "xlrd": "xlrd", "opencc": "opencc-python-reimplemented"},
    "serve": {"watchfiles": "watchfiles"},
}
"""Each extra's modules, by the name they are imported as, with the distribution pip installs them from
(OpenCC is imported as ``opencc`` from ``opencc-python-reimplemented``)."""


def require(extra: str, command: str) -> None:
    """Raise a UsageError (exit 2) naming the missing packages and the exact pip command, if any module of
    `extra` is not installed. Looked up, not imported: the verb imports them when it reaches them, and a
    module that is installed but fails to import says so itself."""
    missing = [package for module, package in EXTRAS[extra].items() if importlib.util.find_spec(module) is None]
    if missing:
        raise UsageError(ngettext(
            "`formgen {command}` needs the package {packages}, which is not installed: run "
            "`pip install 'formgen[{extra}]'` (with the pip of the environment formgen is installed in), then the "
            "command again",
            "`formgen {command}` needs the packages {packages}, which are not installed: run "
            "`pip install 'formgen[{extra}]'` (with the pip of the environment formgen is installed in), then the "
            "command again", len(missing)).format(command=command, packages=", ".join(missing), extra=extra))
