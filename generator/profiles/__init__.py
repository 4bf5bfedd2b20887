"""The profiles (表样) that come with formgen, as TOML files: package data, read by `generator.profile`.

docs/profiles.md documents every key; reference.toml spells out all of them."""

from __future__ import annotations

import functools
import importlib.resources
import tomllib
from decimal import Decimal
from typing import Any

__all__ = ["reference_data"]


@functools.cache
def reference_data() -> dict[str, Any]:
    """reference.toml's keys as written, numbers as Decimal. The reference form is defined there alone: the
    defaults of `config.Scheme` and of a profile's labels and funding rows are read from it, not restated
    in code. Callers must not change it (it is shared)."""
    text = importlib.resources.files(__name__).joinpath("reference.toml").read_text(encoding="utf-8")
    return tomllib.loads(text, parse_float=Decimal)
