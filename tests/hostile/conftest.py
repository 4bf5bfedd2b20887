"""The hostile suite: what a pull request or an unlucky operator can do to a site, and what formgen
must still guarantee (issue 10). Every test here gets a *decoy*: a folder outside the site, full of
things a bad link could point at (PDFs to delete, JSON to overwrite, a secret to publish). After the
test the decoy must be exactly as it was — content, modes, links and all — and a test that built a
site checks that the output is whole with `assert_whole`."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.build import MARKER

from ..conftest import CONTENT, ROOT
from ..htmltools import parse

SECRET = "DECOY-SECRET-7f3a9c"
"""Text of the decoy's secret file: it must never show up in any output."""

FORMS = ("power-system-renovation", "legislative-liaison-points", "trial-support-services")
"""The reference forms a hostile site starts with (three: enough for lists, bundles and neighbours)."""


def fingerprint(folder: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry below `folder`, not following links: (kind, mode, content hash or link target)."""
    seen: dict[str, tuple[str, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            relative = os.path.relpath(path, folder)
            if os.path.islink(path):
                seen[relative] = ("link", info.st_mode, os.readlink(path))
            elif os.path.isdir(path):
                seen[relative] = ("dir", info.st_mode, "")
            else:
                with open(path, "rb") as file:
                    seen[relative] = ("file", info.st_mode, hashlib.sha256(file.read()).hexdigest())
    return seen


@dataclass
class Decoy:
    """A folder outside the site that nothing formgen does may touch."""

    path: Path
    before: dict[str, tuple[str, int, str]]

    @property
    def secret(self) -> Path:
        return self.path / "secret.txt"

    def assert_untouched(self) -> None:
        assert fingerprint(self.path) == self.before, "something outside the site changed"


@pytest.fixture
def decoy(tmp_path: Path) -> Iterator[Decoy]:
    folder = tmp_path / "decoy"
    (folder / "nested").mkdir(parents=True)
    (folder / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (folder / "keep.pdf").write_bytes(b"%PDF-1.7\n% a PDF that must not be deleted\n%%EOF\n")
    (folder / "nested" / "other.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    (folder / "page-counts.json").write_text('{"mine": 1}\n', encoding="utf-8")
    (folder / "index.html").write_text("<p>not formgen's</p>\n", encoding="utf-8")
    made = Decoy(folder, fingerprint(folder))
    yield made
    made.assert_untouched()


@dataclass
class HostileSite:
    """A site of a few reference forms in a temporary folder, the working folder during the test."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def out(self) -> Path:
        return self.root / "output"

    @property
    def cache(self) -> Path:
        return self.root / ".formgen-cache" / "output"

    def form(self, slug: str = FORMS[0]) -> Path:
        return self.content / "2024" / f"{slug}.md"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HostileSite:
    root = tmp_path / "site"
    (root / "content" / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "formgen.toml", root / "formgen.toml")
    for slug in FORMS:
        shutil.copy(CONTENT / "2024" / f"{slug}.md", root / "content" / "2024" / f"{slug}.md")
    monkeypatch.chdir(root)
    return HostileSite(root)


def assert_whole(out: Path, *, secret: str = SECRET) -> None:
    """A whole site: a real folder of formgen's with its index, only regular files and folders in it
    (no link a publishing step could follow), every internal link naming a file that is there, and
    no trace of the decoy's secret."""
    assert out.is_dir() and not out.is_symlink(), f"{out}: no output folder"
    assert (out / MARKER).is_file() and (out / "index.html").is_file(), f"{out}: not a whole site"
    for path in out.rglob("*"):
        assert not path.is_symlink(), f"{path}: a link in the output"
        assert path.is_dir() or path.is_file(), f"{path}: neither a file nor a folder"
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert secret not in text, f"{page}: the decoy's secret was published"
        for tag, attribute, value in parse(text).links:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(out)}: {tag} {attribute}={value} is not there"
