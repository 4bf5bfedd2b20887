"""Benchmark: every speed target of issue 16, measured in one run, as one Markdown table.

Run: .venv/bin/python -m bench.targets [--quick] [--only html 10k incremental pdf bundles]

Prints `| target | measured | ratio | goal | PASS/MISS |`, then the details of each target (versions, cores,
runs, medians, ranges). Not a test: it never fails the suite, and a MISS does not change its exit status
(a target that could not be measured at all does: 1). The targets:

1. html — `formgen build --no-pdf` of 1,000 forms (bench/corpus.py) against Pelican building as many pages
   of the same size (bench/compare_ssg.py): Pelican's time over formgen's ≥ 5, median of five runs that
   take turns (formgen, Pelican, formgen, …) after one warm-up of each.
2. 10k — `formgen build --no-pdf` of 10,000 forms: < 10 s, and the peak memory of the whole build (the
   summed PSS of the build process and its workers, sampled every 50 ms) < 1 GiB; median of three runs.
3. incremental — with PDFs and bundles, --jobs 2 (bench/incremental_bench.py): a build with no change
   < 5 % of the full build, one form changed < 10 %, at 100 forms (and at 1,000, reported, not judged).
4. pdf — PDFs per core against bare WeasyPrint with as many processes (bench/pdf_bench.py): formgen's
   forms per second ≥ 90 % of bare WeasyPrint's at 1 and at 2 workers; median of rounds taking turns.
5. bundles — a build with bundles ≤ +25 % over the same build without, at 1 and 2 workers (the issue's
   number is at 2), in the same rounds as pdf.

--quick (about three minutes) runs the same targets at small sizes; its lines are reported but judged
only where the size is the target's own (the status says "n/a" otherwise).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import compare_ssg, incremental_bench, pdf_bench
from .build_bench import formgen_html_build
from .corpus import generate

TARGETS = ("html", "10k", "incremental", "pdf", "bundles")
COLUMNS = ("target", "measured", "ratio", "goal", "PASS/MISS")


@dataclass
class Result:
    """One target's line of the table, and its details."""

    target: str
    measured: str
    ratio: float | None
    """The number the goal is set on (a ratio, or seconds where the goal is in seconds); None: not measured."""
    goal: str
    passed: bool | None
    """None: not judged (a --quick size, or not measured)."""
    details: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "n/a" if self.passed is None else "PASS" if self.passed else "MISS"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def format_table(results: Sequence[Result]) -> str:
    """The results as a Markdown table (one line per result, in order)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|---:|---|---|"]
    for result in results:
        cells = (result.target, result.measured, _ratio(result.ratio), result.goal, result.status)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def parse_table(text: str) -> list[dict[str, str]]:
    """The rows of a table `format_table` printed (found anywhere in `text`), each as {column: cell}: for
    comparing two runs, or reading a run back into docs."""
    header = "| " + " | ".join(COLUMNS) + " |"
    lines = text.splitlines()
    if header not in lines:
        raise ValueError("no table of bench.targets in the text")
    rows = []
    for line in lines[lines.index(header) + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) != len(COLUMNS):
            raise ValueError(f"a row of {len(cells)} cells, not {len(COLUMNS)}: {line}")
        rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


def _spread(values: Sequence[float], unit: str = "s") -> str:
    """Median and range of `values`, for the details."""
    return (f"median {statistics.median(values):.2f} {unit} (range {min(values):.2f}–{max(values):.2f}, "
            f"{len(values)} runs)")


# --- the targets ---------------------------------------------------------------------------------------


def html_vs_pelican(folder: Path, size: int, runs: int) -> Result:
    """Target 1: formgen and Pelican in turns, after a warm-up of each."""
    python = compare_ssg.ensure_env()
    versions = compare_ssg.tool_versions(python)
    content, out, pages = folder / "html-content", folder / "html-out", folder / "html-pages"
    generate(size, content)
    compare_ssg.make_pages(size, pages)
    formgen: list[compare_ssg.Usage] = []
    pelican: list[compare_ssg.Usage] = []
    try:
        with compare_ssg.pelican_project(pages, size, python=python) as run_pelican:
            formgen_html_build(content, out)  # warm-up: caches of the file system and of Python's bytecode
            run_pelican()
            for _ in range(runs):
                formgen.append(formgen_html_build(content, out))
                pelican.append(run_pelican())
    finally:
        for path in (content, out, pages, folder / ".formgen-cache"):
            shutil.rmtree(path, ignore_errors=True)
    ours, theirs = statistics.median(u.seconds for u in formgen), statistics.median(u.seconds for u in pelican)
    ratio = theirs / ours
    cpu = statistics.median(u.cpu_seconds for u in pelican) / statistics.median(u.cpu_seconds for u in formgen)
    return Result(f"HTML, {size:,} forms: Pelican / formgen", f"{ours:.2f} s vs Pelican {theirs:.2f} s", ratio,
                  "≥ 5", ratio >= 5 if size == 1000 else None, [
                      f"Pelican {versions['pelican']}, Python-Markdown {versions['markdown']} (their own venv, "
                      f"{python.parent.parent}); pages of bench/compare_ssg.py; one warm-up each, then {runs} "
                      "runs taking turns",
                      f"formgen --no-pdf: {_spread([u.seconds for u in formgen])}; CPU "
                      f"{_spread([u.cpu_seconds for u in formgen])}",
                      f"Pelican: {_spread([u.seconds for u in pelican])}; CPU "
                      f"{_spread([u.cpu_seconds for u in pelican])}",
                      f"Pelican / formgen in CPU seconds (medians): {cpu:.2f}"])


def ten_thousand(folder: Path, size: int, runs: int) -> list[Result]:
    """Target 2: time and the whole tree's peak memory of a large --no-pdf build."""
    content, out = folder / "large-content", folder / "large-out"
    generate(size, content)
    try:
        made = [formgen_html_build(content, out, sample_memory=True) for _ in range(runs)]
    finally:
        for path in (content, out, folder / ".formgen-cache"):
            shutil.rmtree(path, ignore_errors=True)
    seconds = statistics.median(u.seconds for u in made)
    memory = max(u.tree_pss_kib for u in made) / 1024
    judged = size == 10000
    details = [f"{size:,} forms, --jobs default ({os.cpu_count()} cores): {_spread([u.seconds for u in made])}; "
               f"CPU {_spread([u.cpu_seconds for u in made])}",
               f"memory: peak of the summed PSS of the build process and its workers, sampled every 50 ms, "
               f"largest of the runs: {memory:.0f} MiB; largest single process's peak RSS (wait4): "
               f"{max(u.largest_rss_kib for u in made) / 1024:.0f} MiB"]
    return [Result(f"HTML, {size:,} forms: time", f"{seconds:.2f} s", seconds, "< 10 s",
                   seconds < 10 if judged else None, details),
            Result(f"HTML, {size:,} forms: peak memory (all processes)", f"{memory:.0f} MiB", memory,
                   "< 1024 MiB", memory < 1024 if judged else None)]


def incremental(folder: Path, sizes: Sequence[int]) -> list[Result]:
    """Target 3: no-change and one-form builds against the full build (judged at 100 forms)."""
    results = []
    for size in sizes:
        found = incremental_bench.measure(size, folder, jobs=2)
        detail = (f"{size:,} forms, PDFs and bundles, --jobs 2, one run each: full {found.full:.2f} s, no change "
                  f"{found.no_change:.2f} s, one form changed {found.one_form:.2f} s")
        same, one = found.no_change / found.full, found.one_form / found.full
        results += [Result(f"no-change build, {size:,} forms / full build", f"{found.no_change:.2f} s of "
                           f"{found.full:.2f} s", same, "< 0.05", same < 0.05 if size == 100 else None, [detail]),
                    Result(f"one form changed, {size:,} forms / full build", f"{found.one_form:.2f} s of "
                           f"{found.full:.2f} s", one, "< 0.10", one < 0.10 if size == 100 else None)]
    return results


def pdfs(folder: Path, size: int, rounds: int, judged: bool) -> list[Result]:
    """Targets 4 and 5, from the same rounds of pdf_bench.compare."""
    found = pdf_bench.compare(size, folder, rounds)
    results = []
    for jobs in (1, 2):
        bare, formgen = found.runs[f"bare {jobs}"], found.runs[f"formgen {jobs}"]
        ratio = statistics.median(u.seconds for u in bare) / statistics.median(u.seconds for u in formgen)
        results.append(Result(
            f"PDFs, {size:,} forms, {jobs} worker{'s' if jobs > 1 else ''}: formgen / bare WeasyPrint (forms/s)",
            f"{size / statistics.median(u.seconds for u in formgen):.2f} vs "
            f"{size / statistics.median(u.seconds for u in bare):.2f} forms/s", ratio, "≥ 0.90",
            ratio >= 0.9 if judged else None, [
                f"{jobs} process(es) each; bare: {_spread([u.seconds for u in bare])}, CPU "
                f"{_spread([u.cpu_seconds for u in bare])}",
                f"formgen build (PDFs, no bundles, --jobs {jobs}): {_spread([u.seconds for u in formgen])}, CPU "
                f"{_spread([u.cpu_seconds for u in formgen])}"]))
    results[0].details.insert(0, (
        f"bare WeasyPrint = bench/pdf_bench.py bare_render: a fresh process writing each form's PDF from the HTML "
        f"formgen lays out last, with the same fonts, once; formgen's fitting laid each form out "
        f"{found.layouts:.2f} times on average; {rounds} rounds taking turns"))
    for jobs in (1, 2):
        without, bundled = found.runs[f"formgen {jobs}"], found.runs[f"bundles {jobs}"]
        extra = statistics.median(u.seconds for u in bundled) / statistics.median(u.seconds for u in without) - 1
        results.append(Result(
            f"bundles, {size:,} forms, {jobs} worker{'s' if jobs > 1 else ''}: added time", f"{extra:+.0%}", extra,
            "≤ +0.25", extra <= 0.25 if judged else None, [
                f"with bundles (--jobs {jobs}): {_spread([u.seconds for u in bundled])}, CPU "
                f"{_spread([u.cpu_seconds for u in bundled])}; without: see the PDF line"]
            + (["a bundle's forms are laid out in the process that composes their part (parts of 25 to 49 forms "
                "whatever the workers, so that the bytes do not depend on them): five bundles of one part each "
                "leave one of two workers idle while the fifth is made"] if jobs > 1 else [])))
    return results


# --- the command ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    html: int
    html_runs: int
    large: int
    large_runs: int
    incremental: tuple[int, ...]
    pdf: int
    pdf_rounds: int


FULL = Sizes(1000, 5, 10000, 3, (100, 1000), 50, 3)
QUICK = Sizes(200, 3, 1000, 1, (20,), 10, 1)
PDF_JUDGED_FROM = 50
"""The smallest PDF size whose ratios are judged: below it, the build's fixed costs (start-up, fonts, pages)
weigh on too few forms."""


def _versions() -> str:
    found = []
    for name in ("formgen", "weasyprint", "pypdf", "jinja2", "markdown", "pydantic"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} ?")
    return f"Python {platform.python_version()}, " + ", ".join(found) + f"; {os.cpu_count()} cores"


def run(only: Sequence[str], sizes: Sizes, folder: Path) -> tuple[list[Result], list[str]]:
    """Every selected target: (results, errors of targets that could not be measured)."""
    steps: list[tuple[str, Callable[[], list[Result]]]] = [
        ("html", lambda: [html_vs_pelican(folder, sizes.html, sizes.html_runs)]),
        ("10k", lambda: ten_thousand(folder, sizes.large, sizes.large_runs)),
        ("incremental", lambda: incremental(folder, sizes.incremental)),
        ("pdf", lambda: pdfs(folder, sizes.pdf, sizes.pdf_rounds, sizes.pdf >= PDF_JUDGED_FROM)),
    ]
    results: list[Result] = []
    errors: list[str] = []
    for name, step in steps:
        if name not in only and not (name == "pdf" and "bundles" in only):
            continue
        started = time.perf_counter()
        print(f"[bench.targets] {name}…", file=sys.stderr, flush=True)
        try:
            found = step()
        except Exception as error:  # one target that cannot be measured does not hide the others
            errors.append(f"{name}: {type(error).__name__}: {error}")
            continue
        if name == "pdf":  # one set of rounds measures both; each line only where asked for
            found = [result for result in found
                     if ("bundles" if result.target.startswith("bundles") else "pdf") in only]
        results += found
        print(f"[bench.targets] {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return results, errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about three minutes); not judged")
    parser.add_argument("--only", nargs="+", choices=TARGETS, default=list(TARGETS), metavar="NAME",
                        help=f"only these targets ({', '.join(TARGETS)})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="formgen-targets-") as temp:
        results, errors = run(args.only, sizes, Path(temp))
    print(format_table(results))
    print(f"\n{_versions()}; {'--quick' if args.quick else 'full sizes'}; "
          f"{time.perf_counter() - started:.0f} s in all; ratios of medians, run one after another on this machine\n")
    for result in results:
        for line in result.details:
            print(f"- {result.target}: {line}")
    for error in errors:
        print(f"- NOT MEASURED {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
