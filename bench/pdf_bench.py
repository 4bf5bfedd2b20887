"""Benchmark: PDFs. Per-form PDFs with 1 and 2 workers against bare WeasyPrint, bundles, sizes, memory.

Run: .venv/bin/python -m bench.pdf_bench [--sizes 10 100] [--bundle 1000] [--rounds 3]

For N generated forms (bench/corpus.py; five years, so five bundles), in rounds that take turns (medians):
- bare WeasyPrint (`bare_render`): a fresh Python process that imports WeasyPrint and writes each form's PDF
  from the very HTML formgen lays out last (after fitting it to its pages, `final_html`), with the same
  fonts and base URL, in as many processes as formgen has workers (forked, one font configuration each).
  That is the floor: one layout and one PDF per form, nothing read, checked or written besides;
- `formgen build` with PDFs and without bundles, --jobs 1 and --jobs 2, from an empty output and cache:
  forms per second, and against bare WeasyPrint with the same number of processes;
- the same build with bundles (--jobs 2): what bundles add; their size against the sum of the forms' PDFs;
- a no-change rebuild (incremental) against the full build; peak RSS of each build.
With --bundle N: N forms of one unit and year, so one N-form bundle: the build with and without it, with
two workers; the peak RSS of the largest process and the peak PSS of all the build's processes together.
Also `python -m bench.pdf_bench --bare MANIFEST --jobs N`: the bare renderer alone, as it is timed.
Not a test: numbers go into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compare_ssg import Usage, measure_build
from .corpus import ROOT, generate


def _config(folder: Path, bundles: bool) -> Path:
    path = folder / f"formgen-{'with' if bundles else 'without'}-bundles.toml"
    path.write_text(f"[pdf]\nbundles = {'true' if bundles else 'false'}\n", encoding="utf-8")
    return path


def _command(content: Path, out: Path, config: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "generator", "build", str(content), "--out", str(out), "--config", str(config),
            "--jobs", str(jobs)]


def formgen_pdf_build(content: Path, out: Path, config: Path, jobs: int, *, clean: bool = True,
                      sample_memory: bool = False) -> Usage:
    """One `formgen build` with PDFs; `clean`: from an empty output folder and no cache (a full build)."""
    if clean:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(out.parent / ".formgen-cache", ignore_errors=True)
    return measure_build(_command(content, out, config, jobs), ROOT, sample_memory=sample_memory)


@contextlib.contextmanager
def _recording() -> Iterator[list[tuple[str, str, int]]]:
    """While it lasts, (HTML, base folder, layouts) of every form's PDF that formgen makes in this process:
    the HTML of the layout its PDF is written from (fitting may lay a form out more than once), and how
    many layouts it took."""
    from generator.render import pdf as render_pdf

    layout, fit = render_pdf.layout_pdf, render_pdf.fit_form
    laid_out: dict[int, str] = {}  # id of a document → its HTML (an id is unique while its document lives)
    found: list[tuple[str, str, int]] = []

    def recording_layout(html: str, base: Path, roots: list[Path]) -> Any:
        document = layout(html, base, roots)
        laid_out[id(document)] = html
        return document

    def recording_fit(html_for: Any, base: Path, roots: list[Path], known: Any = None) -> Any:
        laid_out.clear()
        counted = [0]

        def counting(fit_: Any) -> str:
            counted[0] += 1
            return str(html_for(fit_))

        document, fitted = fit(counting, base, roots, known)
        found.append((laid_out[id(document)], str(base), counted[0]))
        return document, fitted

    render_pdf.layout_pdf, render_pdf.fit_form = recording_layout, recording_fit
    try:
        yield found
    finally:
        render_pdf.layout_pdf, render_pdf.fit_form = layout, fit


def final_html(content: Path, config: Path, folder: Path) -> tuple[Path, float]:
    """Build `content` once in this process (one job, no workers) and write the HTML of each form's PDF as
    formgen lays it out last into `folder`, with a manifest for `bare_render`: (the manifest, the mean
    number of layouts per form that formgen's fitting took)."""
    from generator import __main__ as cli
    from generator.build import plan

    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "formgen-out"
    threshold, plan.PARALLEL_FROM = plan.PARALLEL_FROM, 10**9  # in this process, where the recording is
    try:
        with _recording() as found, contextlib.redirect_stdout(sys.stderr):
            if cli.main(["build", str(content), "--out", str(out), "--config", str(config), "--jobs", "1"]) != 0:
                raise RuntimeError(f"formgen build of {content} failed")
    finally:
        plan.PARALLEL_FROM = threshold
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(folder / ".formgen-cache", ignore_errors=True)
    manifest = []
    for number, (html, base, _layouts) in enumerate(found):
        (folder / f"{number:05d}.html").write_text(html, encoding="utf-8")
        manifest.append([f"{number:05d}.html", Path(base).resolve().as_uri() + "/"])
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path, sum(layouts for _, _, layouts in found) / max(1, len(found))


def bare_render(manifest: Path, jobs: int) -> None:
    """Bare WeasyPrint: each HTML of the manifest written to a PDF beside it, over `jobs` forked processes
    (contiguous shares, one font configuration each, as formgen's workers have)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    forms = json.loads(manifest.read_text(encoding="utf-8"))
    size = -(-len(forms) // jobs)

    def render(share: list[list[str]]) -> None:
        fonts = FontConfiguration()
        for name, base in share:
            html = (manifest.parent / name).read_text(encoding="utf-8")
            weasyprint.HTML(string=html, base_url=base).write_pdf(manifest.parent / f"{name}.pdf", font_config=fonts)

    shares = [forms[start:start + size] for start in range(0, len(forms), size)]
    if len(shares) == 1:
        render(shares[0])
        return
    children = []
    for share in shares:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            status = 0
            try:
                render(share)
            except BaseException:
                status = 1
            os._exit(status)
        children.append(pid)
    if any(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in children):
        raise SystemExit("a bare WeasyPrint process failed")


def bare_build(manifest: Path, jobs: int) -> Usage:
    """`bare_render` in a fresh process, as it is timed."""
    for old in manifest.parent.glob("*.pdf"):
        old.unlink()
    return measure_build([sys.executable, "-m", "bench.pdf_bench", "--bare", str(manifest), "--jobs", str(jobs)],
                         ROOT)


def _median(runs: list[Usage]) -> Usage:
    return Usage(statistics.median(run.seconds for run in runs), statistics.median(run.cpu_seconds for run in runs),
                 max(run.largest_rss_kib for run in runs), max(run.tree_pss_kib for run in runs))


@dataclass
class PdfRuns:
    """Each kind of run of `compare`, in the order taken; medians from `median`."""

    size: int
    layouts: float
    """Layouts per form that formgen's fitting took (bare WeasyPrint: 1)."""
    runs: dict[str, list[Usage]] = field(default_factory=dict)

    def median(self, kind: str) -> Usage:
        return _median(self.runs[kind])

    def add(self, kind: str, usage: Usage) -> None:
        self.runs.setdefault(kind, []).append(usage)


def compare(size: int, folder: Path, rounds: int = 3, workers: tuple[int, ...] = (1, 2),
            bundles: bool = True) -> PdfRuns:
    """Rounds that take turns: bare WeasyPrint, formgen without bundles and (`bundles`) formgen with bundles, at
    each number of workers; kinds "bare N", "formgen N", "bundles N"."""
    content = folder / f"content-{size}"
    generate(size, content)
    without, with_bundles = _config(folder, False), _config(folder, True)
    out = folder / f"out-{size}"
    try:
        manifest, layouts = final_html(content, without, folder / f"bare-{size}")
        found = PdfRuns(size, layouts)
        for _round in range(max(1, rounds)):
            for jobs in workers:
                found.add(f"bare {jobs}", bare_build(manifest, jobs))
                found.add(f"formgen {jobs}", formgen_pdf_build(content, out, without, jobs))
                if bundles:
                    found.add(f"bundles {jobs}", formgen_pdf_build(content, out, with_bundles, jobs))
    finally:
        shutil.rmtree(content, ignore_errors=True)
        shutil.rmtree(folder / f"bare-{size}", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(folder / ".formgen-cache", ignore_errors=True)
    return found


def _one_bundle(size: int, folder: Path) -> None:
    content, out = folder / f"bundle-content-{size}", folder / f"bundle-out-{size}"
    generate(size, content, years=1)
    one_file = folder / "one-file.toml"
    one_file.write_text("[pdf]\nbundles = true\n", encoding="utf-8")
    without = formgen_pdf_build(content, out, _config(folder, False), 2).seconds
    made = formgen_pdf_build(content, out, one_file, 2, sample_memory=True)
    bundle = next((out / "pdf" / "bundles").glob("*.pdf"))
    forms = sum(path.stat().st_size for path in (out / "pdf").glob("*.pdf"))
    print(f"\none {size:,}-form bundle, --jobs 2: build {made.seconds:.2f} s against {without:.2f} s without "
          f"bundles ({(made.seconds - without) / without:+.0%}); bundle {bundle.stat().st_size / 2**20:.1f} MiB = "
          f"{bundle.stat().st_size / forms:.1%} of the forms' PDFs ({forms / 2**20:.1f} MiB); peak RSS "
          f"{made.largest_rss_kib / 1024:.0f} MiB (largest process), peak PSS {made.tree_pss_kib / 1024:.0f} MiB "
          "(all processes together)", flush=True)
    shutil.rmtree(content)
    shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of runs taking turns (medians)")
    parser.add_argument("--bundle", type=int, nargs="*", default=[], metavar="N",
                        help="also one bundle of N forms (one unit, one year)")
    parser.add_argument("--bare", type=Path, metavar="MANIFEST", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare is not None:
        bare_render(args.bare, args.jobs)
        return
    print(f"cores: {os.cpu_count()}; medians of {args.rounds} rounds; wall-clock forms per second (CPU seconds)\n")
    print("| forms | layouts per form | bare, 1 process | formgen --jobs 1 | vs bare | bundles add | "
          "bare, 2 processes | formgen --jobs 2 | vs bare | bundles add |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="formgen-pdf-bench-") as temp:
        folder = Path(temp)
        for size in args.sizes:
            found = compare(size, folder, args.rounds)
            cells = []
            for jobs in (1, 2):
                bare, formgen = found.median(f"bare {jobs}"), found.median(f"formgen {jobs}")
                bundled = found.median(f"bundles {jobs}")
                cells += [f"{size / bare.seconds:.2f} ({bare.cpu_seconds:.1f} s)",
                          f"{size / formgen.seconds:.2f} ({formgen.cpu_seconds:.1f} s)",
                          f"{bare.seconds / formgen.seconds:.0%}", f"{bundled.seconds / formgen.seconds - 1:+.0%}"]
            print(f"| {size:,} | {found.layouts:.2f} | {' | '.join(cells)} |", flush=True)
        for size in args.bundle:
            _one_bundle(size, folder)


if __name__ == "__main__":
    main()
