"""The slips of issue 12, one list per area: ``tests/badcases/<area>.py`` lists the files of
``tests/bad/<area>/`` as ``SLIPS = [(file name, line, level, code, distinctive part of the English message)]``.

Each file breaks one thing in ``content/2024/power-system-renovation.md`` (as the files of tests/bad/ do)
and must give exactly that one finding, at that level and line; tests/test_bad_input.py runs them all, in
English and in Chinese.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from generator.findings import Level

Slip = tuple[str, int, Level, str, str]

BAD = Path(__file__).resolve().parent.parent / "bad"


def areas() -> dict[str, list[Slip]]:
    """Area name → its slips, for every module in this package."""
    found: dict[str, list[Slip]] = {}
    for module in pkgutil.iter_modules(__path__):
        found[module.name] = list(importlib.import_module(f"{__name__}.{module.name}").SLIPS)
    return found
