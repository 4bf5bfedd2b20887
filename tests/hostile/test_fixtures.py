"""The hostile suite's own instruments must be able to fail: a decoy notices any change, and
`assert_whole` refuses a site with a link or a missing page."""

from __future__ import annotations

import os

import pytest

from generator.build import build_site
from generator.config import SiteConfig

from .conftest import assert_whole, fingerprint


def test_decoy_notices_every_kind_of_change(decoy):
    before = fingerprint(decoy.path)
    (decoy.path / "keep.pdf").write_bytes(b"changed")
    assert fingerprint(decoy.path) != before
    with pytest.raises(AssertionError):
        decoy.assert_untouched()
    decoy.before = fingerprint(decoy.path)
    os.chmod(decoy.secret, 0o600)
    with pytest.raises(AssertionError):
        decoy.assert_untouched()
    decoy.before = fingerprint(decoy.path)


def test_a_plain_build_is_whole_and_a_planted_link_is_not(site, decoy):
    build_site([site.content], SiteConfig(), site.out)
    assert_whole(site.out)
    (site.out / "forms" / "leak.html").symlink_to(decoy.secret)
    with pytest.raises(AssertionError, match="a link in the output"):
        assert_whole(site.out)
    (site.out / "forms" / "leak.html").unlink()
    (site.out / "index.html").unlink()
    with pytest.raises(AssertionError, match="not a whole site"):
        assert_whole(site.out)
