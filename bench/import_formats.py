"""Benchmark: `formgen import` time per form for each format it reads — text, PDF, xlsx, docx.

Run: .venv/bin/python -m bench.import_formats [--sizes 10 100 1000] [--repeat 3] [--formats text pdf xlsx docx]

For N forms of each format, `formgen import FILE… --out DIR` as a user runs it (a fresh process, start-up
included, into an empty folder), `--repeat` times; prints the median wall time, the time per form, the
exit code, the forms the report says it imported and the peak memory of the process.
- PDF, xlsx, docx: N generated forms (bench/corpus.py), one file per form, written by formgen itself
  (`formgen build` without bundles; `formgen export --format xlsx|docx --out DIR`).
- text: the published text of ten forms (tests/fixtures/reference/pingtang-court-2024.txt, extracted from the
  published PDF), N/10 copies of it: formgen's own PDFs extract to another layout than the published one.
A format formgen cannot write or read yet is skipped with a message. Not a test: numbers go into
docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import ROOT, generate

REFERENCE_TEXT = ROOT / "tests" / "fixtures" / "reference" / "pingtang-court-2024.txt"
FORMATS = ("text", "pdf", "xlsx", "docx")


class Skipped(Exception):
    """A format this formgen cannot write or read yet: the message says why."""


def _formgen(*argv: str | Path, cwd: Path) -> tuple[float, int, int, str]:
    """(seconds, exit code, peak RSS in KiB, standard output and error) of one `python -m generator …`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "generator", *map(str, argv)], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "FORMGEN_LANG": "en"})  # the report is parsed below
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, os.waitstatus_to_exitcode(status), usage.ru_maxrss, output


def _site(folder: Path) -> Path:
    """A site of the reference profile to import into (the project's formgen.toml, no forms)."""
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "formgen.toml", folder / "formgen.toml")
    return folder


def _sources(fmt: str, size: int, content: Path, work: Path) -> list[Path]:
    """The files of `size` forms in format `fmt`."""
    out = work / fmt
    if fmt == "text":
        if size % 10:
            raise Skipped("the text holds ten forms: give sizes that are multiples of 10")
        out.mkdir()
        for copy in range(size // 10):
            shutil.copy(REFERENCE_TEXT, out / f"forms-{copy:04d}.txt")
        return sorted(out.glob("*.txt"))
    if fmt == "pdf":
        config = work / "no-bundles.toml"
        config.write_text("[pdf]\nbundles = false\n", encoding="utf-8")
        _, code, _, output = _formgen("build", content, "--out", out, "--config", config, cwd=ROOT)
        if code != 0:
            raise Skipped(f"formgen build failed: {output.strip().splitlines()[-1:]}")
        return sorted((out / "pdf").glob("*.pdf"))
    _, code, _, output = _formgen("export", "--format", fmt, content, "--out", out, cwd=ROOT)
    if code == 2 and "invalid choice" in output:
        raise Skipped(f"formgen export --format {fmt} is not there yet")
    if code != 0:
        raise Skipped(f"formgen export --format {fmt} failed: {output.strip().splitlines()[-1:]}")
    return sorted(out.glob(f"*.{fmt}"))


def _imported(output: str) -> int:
    found = re.search(r"^(\d+) forms? imported from", output, flags=re.M)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; {args.repeat} runs each, median\n")
    print("| format | forms | files | `formgen import` (s) | ms/form | imported | exit | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="formgen-bench-import-") as temp:
        for size in args.sizes:
            content = Path(temp) / f"n{size}" / "content"
            generate(size, content)
            for fmt in args.formats:
                if fmt in skipped:
                    continue
                work = Path(temp) / f"n{size}" / fmt
                work.mkdir()
                try:
                    files = _sources(fmt, size, content, work)
                except Skipped as why:
                    skipped[fmt] = str(why)
                    continue
                runs = []
                for run in range(args.repeat):
                    site = _site(work / f"site{run}")
                    runs.append(_formgen("import", *files, "--out", site / "content", cwd=site))
                seconds = statistics.median(run[0] for run in runs)
                imported = _imported(runs[-1][3])
                if fmt in ("xlsx", "docx") and imported == 0:
                    skipped[fmt] = f"formgen import does not read .{fmt} files yet"
                    continue
                print(f"| {fmt} | {size:,} | {len(files):,} | {seconds:.2f} | {seconds / size * 1000:.1f} | "
                      f"{imported:,} | {runs[-1][1]} | {max(run[2] for run in runs) / 1024:.0f} |", flush=True)
    for fmt, reason in skipped.items():
        print(f"\nskipped {fmt}: {reason}")


if __name__ == "__main__":
    main()
