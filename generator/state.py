"""What a build keeps for the next one: the key of every page it wrote, so that unchanged pages are
linked from the previous output instead of rendered again. The records live in the build's cache
folder (.formgen-cache/<output name>/), never in the published output.

A key is a hash of everything the file depends on — never a timestamp: formgen's own code and the
versions of the libraries that shape a page (Jinja2, MarkupSafe, Markdown and its extensions, nh3 and
its allowlists, pydantic, PyYAML), the templates the page uses (followed through extends, include and
import), the site's settings, and the page's own inputs (for a form page: the form file's bytes, its
profile and what the whole site says about it — its title in lists, its neighbours, the cross-form
findings), each as a stable serialisation (`stable`), never a `repr`. Equal keys give equal bytes.
A PDF's key adds WeasyPrint's version and the font files' bytes (`render.pdf.PdfEnvironment`).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import importlib.metadata
import json
import os
import time
import weakref
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from pydantic import BaseModel

from . import i18n
from .render import narrative

__all__ = ["FONTS_FILE", "LIBRARIES", "PAGES_FILE", "PDFS_FILE", "PDF_KEYS_FILE", "FileDigests", "code_fingerprint",
           "digest", "read_records", "records_json", "stable", "template_fingerprint"]

PAGES_FILE = "pages.json"
"""In the cache folder: page path → (key, hash of its bytes)."""
PDFS_FILE = "pdfs.json"
"""In the cache folder: PDF path → (key, hash of its bytes)."""
PDF_KEYS_FILE = "pdf-keys.json"
"""In the cache folder: the hash of a PDF's HTML's inputs → the PDF's key (the hash of that HTML)."""
LIBRARIES = ("formgen", "jinja2", "markupsafe", "markdown", "nh3", "pydantic", "pydantic-core", "pyyaml")
"""The distributions whose version can change a page's bytes: an upgrade of any renders every page again."""


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


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # run from a checkout that is not installed
            found[name] = ""
    return json.dumps(found, sort_keys=True)


def code_fingerprint() -> str:
    """formgen's own source, the libraries that shape a page (their versions, Markdown's extensions and the
    HTML filter's allowlists) and the language formgen speaks (the findings a page and the feed carry are
    in it): a new version of any, a local change, another catalog or --lang renders everything again."""
    return digest(i18n.language(), _source_fingerprint(), _versions(), narrative.settings())


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, the same text every run (for `stable`)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"": type(value).__name__, **{field.name: getattr(value, field.name)
                                             for field in dataclasses.fields(value)}}
    if isinstance(value, Decimal | Path | date):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"no stable text for {type(value).__name__}")


def stable(value: Any) -> str:
    """The text a key hashes for `value` (models, dataclasses, Decimals, paths, dates, enums, nested in
    lists and dicts): sorted, typed, never a `repr`, whose text may differ between versions or runs."""
    return json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_FINGERPRINTS: weakref.WeakKeyDictionary[jinja2.Environment, dict[str, str]] = weakref.WeakKeyDictionary()
"""Per environment (one per build), per template: sources are read once."""


def _is_template(name: str) -> bool:
    return "__pycache__" not in name.split("/") and not name.endswith((".py", ".pyc"))


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
        # Every template: the package's templates folder holds its __init__.py, and where installed, bytecode.
        names = sorted(env.list_templates(filter_func=_is_template)) if everything else sorted(used)
        cache[name] = digest(*(part for template in names
                               for part in (template, env.loader.get_source(env, template)[0])))  # type: ignore[union-attr]
    return cache[name]


def read_records(path: Path) -> dict[str, tuple[str, str]]:
    """What a build recorded of the files it wrote with a key (a page's in PAGES_FILE, a PDF's in PDFS_FILE or
    a shard's manifest): path → (key, SHA-256 of the bytes). Nothing if there is no such file, or it is not
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



FONTS_FILE = "fonts.json"
"""In the cache folder: each font file's status and SHA-256 (`FileDigests`)."""
_SETTLED_NS = 2 * 10**9
"""A file changed less than this long ago may change again within the same timestamp tick: its hash is not
recorded, and it is read again next time."""


class FileDigests:
    """The SHA-256 of large files that seldom change (the fonts: tens of MB each), read again only when the
    file's status changed since it was recorded.

    Why that is sound: the status recorded is device, inode, size, modification time and change time (ns).
    Writing a file's bytes sets its modification and change times to now; replacing it (a package upgrade
    unpacks a new file and renames it over the old) gives a new inode and change time. The change time
    cannot be set by any program (utime sets the modification time only), so a file cannot take new bytes
    and keep its recorded status, short of writing to the disk beneath the file system. One race is left: a
    file written again within the file system's timestamp tick of the moment it was hashed; a file changed
    in the last `_SETTLED_NS` is therefore never recorded, only hashed (as git does with racy index entries)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        self._known: dict[str, list[Any]] = {}
        try:
            if not path.is_symlink():
                recorded = json.loads(path.read_text(encoding="utf-8"))
                self._known = {name: value for name, value in recorded.items()
                               if isinstance(value, list) and len(value) == 6 and isinstance(value[5], str)}
        except (OSError, ValueError, AttributeError):
            pass  # none yet, or not ours: every file is read

    def digest(self, name: str) -> bytes:
        """The SHA-256 of file `name`'s bytes."""
        with open(name, "rb") as file:
            status = os.fstat(file.fileno())
            now = [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns]
            known = self._known.get(name)
            if known is not None and known[:5] == now:
                return bytes.fromhex(known[5])
            found = hashlib.file_digest(file, "sha256").digest()
        if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > _SETTLED_NS:
            self._known[name] = [*now, found.hex()]
            self.changed = True
        elif self._known.pop(name, None) is not None:
            self.changed = True
        return found

    def json(self) -> bytes:
        """The records to keep (`FONTS_FILE`), sorted."""
        return json.dumps(self._known, sort_keys=True, indent=0).encode("utf-8")
