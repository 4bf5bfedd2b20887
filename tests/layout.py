"""What a reader of a built site sees go wrong, measured in a real browser: cells whose text runs out of
their box, figures broken across lines, pages that scroll sideways, and axe-core's WCAG 2.1 A/AA
violations. Used by tests/test_layout.py, and as a command on any built site:

    python -m tests.layout OUTPUT_DIR [--widths 390,768,1280] [--shots DIR]

which prints one line per page and width and a total (exit status 1 when anything is found).
axe-core comes from the npm registry, pinned in tests/browser/package.json; `make test` installs it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.render.html import FIGURE

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (390, 768, 1280)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]

# Text leaving its cell's box, and figures (generator/render/html.py's FIGURE: an amount, a count, a percentage
# with its sign and unit, a date) broken across lines.
_FIGURES_JS = r"""
(pattern) => {
  const figure = new RegExp(pattern, 'g');
  const cells = document.querySelectorAll('td, th, .card, .figure, dd');
  const overflowing = [], broken = [];
  const range = document.createRange();
  const describe = (el) => {
    const page = el.closest('table, section, main');
    const where = page && page.className ? page.tagName.toLowerCase() + '.' + page.className.split(' ')[0] : '';
    return (where + ' ' + el.tagName.toLowerCase() + (el.className ? '.' + el.className.split(' ')[0] : '')
            + ': ' + el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40));
  };
  for (const cell of cells) {
    const box = cell.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(cell);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node, out = false;
    while ((node = walker.nextNode())) {
      const text = node.textContent;
      if (!text.trim()) continue;
      const parent = node.parentElement;
      if (parent && parent.closest('.visually-hidden, [hidden]')) continue;
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width === 0) continue;
        const outside = r.left < box.left - 1 || r.right > box.right + 1;
        if (outside || r.top < box.top - 1 || r.bottom > box.bottom + 1) out = true;
      }
      for (const m of text.matchAll(figure)) {
        if (m[0].length < 2) continue;
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(describe(cell) + ' ⟨' + m[0] + '⟩');
      }
    }
    if (out) overflowing.push(describe(cell));
  }
  const doc = document.documentElement;
  return {overflowing, broken, sideways: Math.max(doc.scrollWidth, document.body.scrollWidth) > window.innerWidth};
}
"""


@dataclass
class PageReport:
    """What one page shows wrong at one width."""

    path: str
    width: int
    overflowing: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    sideways: bool = False
    violations: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.overflowing or self.broken or self.sideways or self.violations)

    def line(self) -> str:
        parts = [f"{self.path} @{self.width}px:", f"{len(self.overflowing)} overflowing,",
                 f"{len(self.broken)} broken figures,", "scrolls sideways," if self.sideways else "no sideways scroll,",
                 f"{len(self.violations)} axe violations"]
        details = [f"    overflow: {item}" for item in self.overflowing] + [
            f"    broken: {item}" for item in self.broken] + [f"    axe: {item}" for item in self.violations]
        return " ".join(parts) + "".join("\n" + d for d in details)


def axe_available() -> bool:
    return AXE.exists()


def measure(page: Any, path: str, width: int, *, axe: bool = True) -> PageReport:
    """The page already opened in `page` (a Playwright page at `width`), measured."""
    found = page.evaluate(_FIGURES_JS, FIGURE.pattern)
    report = PageReport(path, width, found["overflowing"], found["broken"], found["sideways"])
    if axe:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})")
        for violation in result["violations"]:
            for node in violation["nodes"]:
                report.violations.append(f"{violation['id']}: {' '.join(node['target'])}")
    return report


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(root: Path) -> Iterator[str]:
    """`root` served on a free loopback port: its URL, ending in /."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def opened(browser: Any, width: int) -> Iterator[Any]:
    """A new browser page `width` px wide (900 high, in Chinese), closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()


def pages_of(site: Path) -> list[str]:
    """Every HTML page of a built site, as paths relative to it, in a stable order."""
    return sorted(str(path.relative_to(site)) for path in site.rglob("*.html"))


def check_site(site: Path, widths: tuple[int, ...] = WIDTHS, shots: Path | None = None,
               paths: list[str] | None = None) -> list[PageReport]:
    """Every page of `site` (or `paths` of it) at every width."""
    reports = []
    with serving(site) as url, chromium() as browser:
        for width in widths:
            with opened(browser, width) as page:
                for path in paths or pages_of(site):
                    page.goto(url + path)
                    page.wait_for_load_state("load")
                    reports.append(measure(page, path, width, axe=axe_available()))
                    if shots is not None:
                        target = shots / f"{path.replace('/', '_').removesuffix('.html')}-{width}.png"
                        target.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(target), full_page=True)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--quiet", action="store_true", help="only the total")
    args = parser.parse_args(argv)
    if not axe_available():
        print(f"axe-core is not installed ({AXE}): run `npm ci --prefix tests/browser`", file=sys.stderr)
    reports = check_site(args.site, tuple(int(w) for w in args.widths.split(",")), args.shots)
    for report in reports:
        if not args.quiet or not report.clean:
            print(report.line())
    overflowing = sum(len(r.overflowing) for r in reports)
    broken = sum(len(r.broken) for r in reports)
    sideways = sum(r.sideways for r in reports)
    violations = sum(len(r.violations) for r in reports)
    print(f"total: {len(reports)} page views, {overflowing} overflowing cells, {broken} broken figures, "
          f"{sideways} sideways-scrolling page views, {violations} axe violations")
    return 0 if all(r.clean for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
