"""What a build keeps for the next one: the key of every page it wrote, so that unchanged pages are
linked from the previous output instead of rendered again.

A key is a hash of everything the file depends on — never a timestamp: formgen's own code, the
templates the page uses (followed through extends, include and import), the site's settings, and the
page's own inputs (for a form page: the form file's bytes, its profile and what the whole site says
about it — its title in lists, its neighbours, the cross-form findings). Equal keys give equal bytes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import weakref
from pathlib import Path

import jinja2
from jinja2 import meta

from . import i18n

__all__ = ["STATE_FILE", "code_fingerprint", "digest", "read_records", "read_state", "records_json",
           "template_fingerprint"]

STATE_FILE = ".formgen-state.json"
"""In the output folder: page path → (key, hash of its bytes)."""


def digest(*parts: str | bytes) -> str:
    """One hash of several parts (each one delimited, so that ("ab", "c") and ("a", "bc") differ)."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hashed.update(len(data).to_bytes(8, "big"))
        hashed.update(data)
    return hashed.hexdigest()


@functools.lru_cache(maxsize=1)
def _source_fingerprint() -> str:
    package = Path(__file__).resolve().parent
    files = sorted([*package.rglob("*.py"), *package.glob("locale/*/LC_MESSAGES/*.mo")])
    return digest(*(part for path in files for part in (str(path.relative_to(package)), path.read_bytes())))


def code_fingerprint() -> str:
    """formgen's own source and the language it speaks (the findings a page and the feed carry are in it):
    a new version, a local change, another catalog or --lang renders everything again."""
    return digest(i18n.language(), _source_fingerprint())


_FINGERPRINTS: weakref.WeakKeyDictionary[jinja2.Environment, dict[str, str]] = weakref.WeakKeyDictionary()
"""Per environment (one per build), per template: sources are read once."""


def template_fingerprint(env: jinja2.Environment, name: str) -> str:
    """The sources of template `name` and of every template it uses. Where a template names another
    by a variable (which cannot be followed), every template counts."""
    cache = _FINGERPRINTS.setdefault(env, {})
    if name not in cache:
        used, pending, everything = set(), [name], False
        while pending:
            current = pending.pop()
            if current in used:
                continue
            used.add(current)
            source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
            for referenced in meta.find_referenced_templates(env.parse(source, current, filename)):
                if referenced is None:
                    everything = True
                else:
                    pending.append(referenced)
        names = sorted(env.list_templates()) if everything else sorted(used)
        cache[name] = digest(*(part for template in names
                               for part in (template, env.loader.get_source(env, template)[0])))  # type: ignore[union-attr]
    return cache[name]


def read_records(path: Path) -> dict[str, tuple[str, str]]:
    """What a build recorded of the files it wrote with a key (a page's in STATE_FILE, a PDF's in the
    PDF manifest): path → (key, SHA-256 of the bytes). Nothing if there is no such file, or it is not
    one of ours (then everything is made again): it is read as plain data, never trusted further."""
    try:
        if path.is_symlink() or path.stat().st_size > 64 * 2**20:
            return {}
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    return {name: (value[0], value[1]) for name, value in recorded.items()
            if isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)}


def records_json(records: dict[str, tuple[str, str]]) -> str:
    """The text of a record file: sorted, one entry a line, so that equal builds write equal bytes."""
    return json.dumps({name: list(records[name]) for name in sorted(records)}, ensure_ascii=False, indent=0) + "\n"


def read_state(out: Path) -> dict[str, tuple[str, str]]:
    """The previous output's page records (none if there is no previous output, or it is not readable)."""
    return read_records(out / STATE_FILE)
