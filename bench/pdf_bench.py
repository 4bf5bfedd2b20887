"""Benchmark: PDFs. Per-form PDFs with 1 and 2 workers against bare WeasyPrint, bundles, sizes, memory.

Run: .venv/bin/python -m bench.pdf_bench [--sizes 10 100] [--bundle 1000]

For N generated forms (bench/corpus.py; five years, so five bundles):
- `formgen build` with PDFs and without bundles, --jobs 1 and --jobs 2: forms per second;
- the floor: the same forms' PDF HTML rendered by bare WeasyPrint in one process (one font configuration),
  forms per second;
- the same build with bundles: what bundles add; their size against the sum of the forms' PDFs;
- a no-change rebuild (incremental) against the full build; peak RSS of each build.
With --bundle N: N forms of one unit and year, so one N-form bundle: the build with and without it, with
two workers; the peak RSS of the largest process and of all the build's processes together.
Not a test: numbers go into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from generator.config import SiteConfig
from generator.pipeline import load_site

from .compare_ssg import run_build
from .corpus import ROOT, generate


def _config(folder: Path, bundles: bool) -> Path:
    path = folder / f"formgen-{'with' if bundles else 'without'}-bundles.toml"
    path.write_text(f"[pdf]\nbundles = {'true' if bundles else 'false'}\n", encoding="utf-8")
    return path


def _build(content: Path, out: Path, config: Path, jobs: int, clean: bool = True) -> tuple[float, float]:
    if clean:
        shutil.rmtree(out, ignore_errors=True)
    seconds, rss = run_build([sys.executable, "-m", "generator", "build", str(content), "--out", str(out),
                              "--config", str(config), "--jobs", str(jobs)], ROOT)
    return seconds, rss / 1024


def _tree_rss(root: int) -> int:
    """The resident memory (KiB) of `root` and all its descendants now, from /proc."""
    parents: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        parents[int(entry)] = int(fields.get("PPid", "0").strip() or 0)
        sizes[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return sum(sizes.get(pid, 0) for pid in tree)


def _build_sampled(content: Path, out: Path, config: Path, jobs: int) -> tuple[float, float, float]:
    """(seconds, peak RSS MiB of the largest process, peak RSS MiB of all processes together)."""
    shutil.rmtree(out, ignore_errors=True)
    peak, done = [0], threading.Event()

    def build_process() -> int | None:
        """The `formgen build … --out OUT` process (its workers are its children)."""
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as command:
                    arguments = command.read().split(b"\0")
            except OSError:
                continue
            if b"generator" in arguments and str(out).encode() in arguments:
                return int(entry)
        return None

    def sample() -> None:
        while not done.wait(0.2):
            pid = build_process()
            if pid is not None:
                peak[0] = max(peak[0], _tree_rss(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        seconds, largest = _build(content, out, config, jobs)
    finally:
        done.set()
        thread.join()
    return seconds, largest, peak[0] / 1024


def _bare_weasyprint(content: Path) -> float:
    """Seconds to render every form's PDF HTML with WeasyPrint alone, in this process."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from generator.render import html as render_html
    from generator.render import pdf as render_pdf

    site = load_site([content], SiteConfig())
    env = render_html.environment(None)
    environment = render_pdf.check_environment()
    documents = []
    for entry in site.forms:
        view = render_html.form_view(entry, entry.scored.form.title, site.config, pdf=True)  # type: ignore[union-attr]
        sheet = env.get_template("_form_table.html").module.sheet(view, site.config.scheme)
        page = render_html.Page(view.pdf or "", "pdf.html", {"view": view, "sheet": sheet, "fonts": environment.fonts})
        documents.append(render_html.render(env, page, site.config))
    fonts = FontConfiguration()
    started = time.perf_counter()
    for html in documents:
        weasyprint.HTML(string=html).write_pdf(font_config=fonts)
    return time.perf_counter() - started


def _one_bundle(size: int, folder: Path) -> None:
    content, out = folder / f"bundle-content-{size}", folder / f"bundle-out-{size}"
    generate(size, content, years=1)
    one_file = folder / "one-file.toml"
    one_file.write_text("[pdf]\nbundles = true\n", encoding="utf-8")
    without, _ = _build(content, out, _config(folder, False), 2)
    seconds, largest, together = _build_sampled(content, out, one_file, 2)
    bundle = next((out / "pdf" / "bundles").glob("*.pdf"))
    forms = sum(path.stat().st_size for path in (out / "pdf").glob("*.pdf"))
    print(f"\none {size:,}-form bundle, --jobs 2: build {seconds:.2f} s against {without:.2f} s without bundles "
          f"({(seconds - without) / without:+.0%}); bundle {bundle.stat().st_size / 2**20:.1f} MiB = "
          f"{bundle.stat().st_size / forms:.1%} of the forms' PDFs ({forms / 2**20:.1f} MiB); peak RSS "
          f"{largest:.0f} MiB (largest process), {together:.0f} MiB (all processes together)", flush=True)
    shutil.rmtree(content)
    shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--bundle", type=int, nargs="*", default=[], metavar="N",
                        help="also one bundle of N forms (one unit, one year)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}\n")
    print("| forms | bare WeasyPrint, 1 process (forms/s) | formgen --jobs 1 (forms/s) | formgen --jobs 2 (forms/s) "
          "| 2 vs 1 workers | bundles add | bundle size / sum of forms | no-change rebuild | peak RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="formgen-pdf-bench-") as temp:
        folder = Path(temp)
        without, with_bundles = _config(folder, False), _config(folder, True)
        for size in args.sizes:
            content = folder / f"content-{size}"
            generate(size, content)
            out = folder / f"out-{size}"
            bare = _bare_weasyprint(content)
            one, _ = _build(content, out, without, 1)
            two, rss_two = _build(content, out, without, 2)
            full, rss_full = _build(content, out, with_bundles, 2)
            again, _ = _build(content, out, with_bundles, 2, clean=False)
            forms = sum(path.stat().st_size for path in (out / "pdf").glob("*.pdf"))
            bundles = sum(path.stat().st_size for path in (out / "pdf" / "bundles").glob("*.pdf"))
            print(f"| {size:,} | {size / bare:.2f} | {size / one:.2f} | {size / two:.2f} | {one / two:.2f}x | "
                  f"{(full - two) / two:+.0%} | {bundles / forms:.0%} | {again:.2f} s of {full:.2f} s "
                  f"({again / full:.0%}) | {max(rss_two, rss_full):.0f} |", flush=True)
            shutil.rmtree(content)
            shutil.rmtree(out)
        for size in args.bundle:
            _one_bundle(size, folder)


if __name__ == "__main__":
    main()
