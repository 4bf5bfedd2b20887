"""Benchmark: `formgen build --no-pdf` on N generated forms, against MkDocs and Pelican in the same run.

Run: .venv/bin/python -m bench.build_bench [--sizes 10 100 1000 10000] [--compare 1000] [--repeat 3]

For each N, the best of --repeat wall-clock times of `python -m generator build --no-pdf` as a user
runs it (a fresh process: start-up, reading, checking, rendering and writing included) and the peak
memory of that process tree's largest process; then MkDocs and Pelican building the same number of
pages of similar size (bench/compare_ssg.py), and the issue's targets: at 1,000 forms at least three
times faster than the faster of the two; 10,000 forms under 20 s and 1 GiB. Not a test: numbers go
into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import compare_ssg
from .corpus import ROOT, generate


def formgen_html_build(content: Path, out: Path, jobs: int | None = None, *,
                       sample_memory: bool = False) -> compare_ssg.Usage:
    """One full `formgen build --no-pdf` of `content` into an empty `out` (and no cache), as a user runs it,
    checked to have written one page per form."""
    command = [sys.executable, "-m", "generator", "build", str(content), "--out", str(out), "--no-pdf"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    shutil.rmtree(out, ignore_errors=True)  # a full build every time
    shutil.rmtree(out.parent / ".formgen-cache", ignore_errors=True)
    usage = compare_ssg.measure_build(command, ROOT, sample_memory=sample_memory)
    pages = len(list((out / "forms").glob("*.html")))
    if pages != len(list(content.rglob("*.md"))):
        raise AssertionError(f"formgen wrote {pages} form pages for {content}")
    return usage


def time_formgen(content: Path, out: Path, repeat: int, jobs: int | None = None) -> tuple[float, float]:
    """(best seconds, peak RSS MiB) of `formgen build --no-pdf` on `content`."""
    runs = [formgen_html_build(content, out, jobs) for _ in range(max(1, repeat))]
    return min(usage.seconds for usage in runs), max(usage.largest_rss_kib for usage in runs) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--compare", type=int, nargs="*", default=[1000],
                        help="sizes at which MkDocs and Pelican are timed too (none: skip them)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}\n")
    results: dict[int, tuple[float, float, float]] = {}
    print("| forms | `formgen build --no-pdf` (s) | ms/form | with --jobs 1 (s) | peak RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="formgen-build-bench-") as temp:
        for size in args.sizes:
            content = Path(temp) / f"content-{size}"
            generate(size, content)
            seconds, rss = time_formgen(content, Path(temp) / f"out-{size}", args.repeat)
            serial, _ = time_formgen(content, Path(temp) / f"out-{size}", 1, jobs=1)
            results[size] = (seconds, serial, rss)
            print(f"| {size:,} | {seconds:.2f} | {seconds / size * 1000:.2f} | {serial:.2f} | {rss:.0f} |",
                  flush=True)
            shutil.rmtree(content)
            shutil.rmtree(Path(temp) / f"out-{size}", ignore_errors=True)
    if args.compare:
        rows = compare_ssg.compare(args.compare, args.repeat)
        print()
        print(compare_ssg.markdown_table(rows))
        for size in args.compare:
            fastest = min(row["seconds"] for row in rows if row["pages"] == size)
            if size in results:
                ratio = fastest / results[size][0]
                print(f"\nat {size:,} forms formgen is {ratio:.1f}x faster than the faster of MkDocs and Pelican "
                      f"(target at 1,000: 3x) — {'met' if ratio >= 3 else 'NOT met'}")
    if 10000 in results:
        seconds, _, rss = results[10000]
        met = seconds < 20 and rss < 1024
        print(f"10,000 forms: {seconds:.2f} s, {rss:.0f} MiB (target: under 20 s and 1 GiB) — "
              f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
