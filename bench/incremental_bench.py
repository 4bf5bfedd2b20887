"""Benchmark: incremental builds. A full build (HTML and PDF, bundles included), then a build with no
change, then a build after a change to one form's figures, each in a fresh process.

Run: .venv/bin/python -m bench.incremental_bench [--sizes 1000] [--jobs 2]

For N generated forms (bench/corpus.py, five years: five bundles). The changed form's 全年执行数 moves
by one fen, which changes its 执行率 and scores: its page, the lists that show it, its PDF and its
bundle are made again (the bundle's part holding the form is laid out again; the other parts come
from the cache). Not a test: numbers go into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from .compare_ssg import run_build
from .corpus import ROOT, generate


class Incremental(NamedTuple):
    """One size's builds, each in a fresh process: wall-clock seconds, and the full build's peak RSS (MiB)."""

    full: float
    no_change: float
    one_form: float
    peak_rss_mib: float


def _build(content: Path, out: Path, jobs: int) -> tuple[float, float]:
    seconds, rss = run_build([sys.executable, "-m", "generator", "build", str(content), "--out", str(out),
                              "--jobs", str(jobs)], ROOT)
    return seconds, rss / 1024


def measure(size: int, folder: Path, jobs: int = 2) -> Incremental:
    """A full build (PDFs and bundles) of `size` generated forms in `folder`, a build with no change, and one
    after a change to one form (`_change_one_form`); the forms and the output are removed at the end."""
    content, out = folder / f"content-{size}", folder / f"out-{size}"
    generate(size, content)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(folder / ".formgen-cache", ignore_errors=True)
    try:
        full, rss = _build(content, out, jobs)
        same, _ = _build(content, out, jobs)
        _change_one_form(content)
        changed, _ = _build(content, out, jobs)
    finally:
        shutil.rmtree(content, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(folder / ".formgen-cache", ignore_errors=True)
    return Incremental(full, same, changed, rss)


def _change_one_form(content: Path) -> Path:
    """Add one fen to the 全年执行数 of the first form: every row that holds the total's amount moves with
    it (the generated forms' rows hold either the whole amount or 0), so the sums still agree."""
    form = sorted(content.rglob("*.md"))[0]
    text = form.read_text(encoding="utf-8")
    executed = re.search(r"executed: (\d+\.\d\d)\n", text)
    assert executed is not None and "stated" not in text
    old = executed.group(1)
    form.write_text(text.replace(f"executed: {old}\n", f"executed: {Decimal(old) + Decimal('0.01')}\n"),
                    encoding="utf-8")
    return form


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, --jobs {args.jobs}\n")
    print("| forms | full build (s) | no change (s) | share | one form changed (s) | share | peak RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="formgen-incremental-bench-") as temp:
        for size in args.sizes:
            full, same, changed, rss = measure(size, Path(temp), args.jobs)
            print(f"| {size:,} | {full:.2f} | {same:.2f} | {same / full:.1%} | {changed:.2f} | {changed / full:.1%} "
                  f"| {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
