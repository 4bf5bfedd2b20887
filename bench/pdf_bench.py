"""Benchmark: PDFs. Per-form PDFs with 1 and 2 workers against bare WeasyPrint, bundles, sizes, memory.

Run: .venv/bin/python -m bench.pdf_bench [--sizes 10 100] [--repeat 1]

For N generated forms (bench/corpus.py; five years, so five bundles):
- `formgen build` with PDFs and without bundles, --jobs 1 and --jobs 2: forms per second;
- the floor: the same forms' PDF HTML rendered by bare WeasyPrint in one process (one font configuration),
  forms per second;
- the same build with bundles: what bundles add; their size against the sum of the forms' PDFs;
- a no-change rebuild (incremental) against the full build; peak RSS of each build.
Not a test: numbers go into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
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


if __name__ == "__main__":
    main()
