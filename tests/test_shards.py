"""formgen build --shard I/N and --merge DIR…: CI machines share out the PDFs; the merged output is the
output of one full build, byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.build import SHARD_MANIFEST
from generator.state import PDFS_FILE

from .conftest import CONTENT


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Three shards, their merge and one full build of the reference forms, in volumes of four (three
    bundles: something to share out)."""
    root = tmp_path_factory.mktemp("shards")
    shutil.copytree(CONTENT, root / "content")
    (root / "formgen.toml").write_text("[pdf]\nbundle_max_forms = 4\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for index in (1, 2, 3):
            assert main(["build", "content", "--out", f"shard-{index}", "--shard", f"{index}/3", "--jobs", "1"]) == 0
        assert main(["build", "content", "--out", "merged", "--merge", "shard-1", "shard-2", "shard-3"]) == 0
        assert main(["build", "content", "--out", "full", "--jobs", "2"]) == 0
    return root


def test_shards_share_out_the_pdfs(shards):
    made = [set(json.loads((shards / f"shard-{index}" / SHARD_MANIFEST).read_text(encoding="utf-8")))
            for index in (1, 2, 3)]
    everything = set(json.loads((shards / ".formgen-cache" / "full" / PDFS_FILE).read_text(encoding="utf-8")))
    assert all(made) and sum(map(len, made)) == len(everything) == 13  # 10 forms and 3 volumes, each made once
    assert set().union(*made) == everything
    for share in made:  # a bundle is made where its forms are laid out
        bundles = {path for path in share if path.startswith("pdf/bundles/")}
        assert len(bundles) == 1


def test_three_shards_merged_are_one_full_build(shards):
    assert _files(shards / "merged") == _files(shards / "full")


def test_merge_refuses_missing_or_stale_shards(shards, monkeypatch, capsys):
    monkeypatch.chdir(shards)
    assert main(["build", "content", "--out", "partial", "--merge", "shard-1", "shard-2"]) == 1
    assert "PDFs are in none of the shards' outputs" in capsys.readouterr().err
    form = shards / "content" / "2024" / "power-system-renovation.md"
    original = form.read_text(encoding="utf-8")
    try:
        form.write_text(original.replace("contact: 莫路路", "contact: 张三"), encoding="utf-8")
        assert main(["build", "content", "--out", "stale", "--merge", "shard-1", "shard-2", "shard-3"]) == 1
        assert "made from other content or settings" in capsys.readouterr().err
    finally:
        form.write_text(original, encoding="utf-8")
    assert not (shards / "stale").exists() and not (shards / "partial").exists()  # nothing half-written
    with pytest.raises(SystemExit) as usage:
        main(["build", "content", "--out", "x", "--shard", "4/3"])
    assert usage.value.code == 2 and "write I/N with 1 ≤ I ≤ N" in capsys.readouterr().err
    assert main(["build", "content", "--out", "x", "--merge", "content"]) == 2
