"""The reference site's pages and open data, byte for byte.

The golden test compares pages pretty-printed, so a lost line break in a template passes it; this test
does not (it once changed every reference page by one byte unseen). After a deliberate change to what the
reference site publishes, look at the difference, then write the new digests with
``.venv/bin/python -m tests.test_reference_bytes``."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from generator import i18n
from generator.build import build_site
from generator.config import SiteConfig

from .conftest import CONTENT, ROOT

MANIFEST = ROOT / "tests" / "golden" / "reference-site.sha256.json"


def _digests(out: Path) -> dict[str, str]:
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file()}


def _built(folder: Path) -> dict[str, str]:
    # In Chinese, as a user's build publishes it, whichever language the test runs in: the forms' JSON carries
    # their findings' messages, and the digests are written by the command below, outside the tests.
    i18n.activate("zh_CN")
    return _digests(build_site([CONTENT.relative_to(ROOT)], SiteConfig(), folder / "output").out)


def test_the_reference_site_is_byte_for_byte_what_was_recorded(project_root, tmp_path):
    recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    built = _built(tmp_path)
    changed = sorted(path for path in set(recorded) | set(built) if recorded.get(path) != built.get(path))
    assert not changed, f"these files differ from the recorded reference site: {changed}"


if __name__ == "__main__":  # write the digests of the site as it builds now
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        MANIFEST.write_text(json.dumps(_built(Path(scratch)), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {MANIFEST.relative_to(ROOT)}\n")
