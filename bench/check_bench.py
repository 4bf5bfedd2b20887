"""Benchmark: `formgen check` on N generated forms (N = 10, 100, 1,000, 10,000).

Run: .venv/bin/python -m bench.check_bench [--sizes 10 100 1000 10000] [--repeat 3]
Prints a Markdown table: forms, best wall time of `formgen check` as a user runs it (a fresh process,
start-up included), time per form, the library's own time (load_site in-process), findings, peak
memory of the process. Not a test: numbers go into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.config import SiteConfig
from generator.pipeline import load_site

from .corpus import ROOT, generate


def _run_cli(folder: Path) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in KiB) of one `python -m generator check folder`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "generator", "check", str(folder)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, process.returncode, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import yaml

    print(f"libyaml C loader: {'yes' if yaml.__with_libyaml__ else 'NO'}; cores: {os.cpu_count()}\n")
    print("| forms | `formgen check` (s) | ms/form | library load_site (s) | findings | exit | peak RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="formgen-bench-") as temp:
        for size in args.sizes:
            folder = Path(temp) / f"n{size}"
            generate(size, folder)
            runs = [_run_cli(folder) for _ in range(args.repeat)]
            best = min(runs)
            started = time.perf_counter()
            site = load_site([folder], SiteConfig())
            library = time.perf_counter() - started
            print(f"| {size:,} | {best[0]:.2f} | {best[0] / size * 1000:.2f} | {library:.2f} | "
                  f"{len(site.findings):,} | {best[1]} | {best[2] / 1024:.0f} |", flush=True)


if __name__ == "__main__":
    main()
