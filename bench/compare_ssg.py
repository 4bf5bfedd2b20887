"""Benchmark: MkDocs and Pelican building as many Markdown pages as formgen builds forms (issue 3).

Run: .venv/bin/python -m bench.compare_ssg [--sizes 10 100 1000] [--repeat 3]
Prints a Markdown table: tool | version | pages | seconds | ms/page | peak RSS MiB.

What is measured: the wall-clock time of one full build as a user runs it (a fresh process, so the
tool's start-up and imports are included, as they are in formgen's own numbers), best of --repeat
runs, and the peak resident memory of that process (os.wait4). Why: a number for formgen's HTML build
means little alone; the same machine, the same run and the same number of pages of about the same size
built by two well-known Python generators give it a scale. Both tools run with their defaults except
what makes the comparison fair (tables rendered, no feeds, no caches), each in its own virtual
environment (bench/.venv-compare) so that neither their dependencies nor ours change the other's.

The pages (make_pages) are the size of one formgen form page: a title, a 20-row, 9-column indicator
table and three paragraphs of 150-250 characters made of the sentences of the reference forms' bodies.
Every build is checked to have written one HTML page per Markdown page with the table rendered as an
HTML table, so a broken configuration cannot give a fast but empty number. Not a test: numbers go into
docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_FORMS = ROOT / "content" / "2024"
DEFAULT_ENV = ROOT / "bench" / ".venv-compare"
REQUIREMENTS = ROOT / "bench" / "requirements-compare.txt"
DISTRIBUTIONS = ("mkdocs", "pelican", "markdown")  # Python-Markdown renders the pages for both tools

COLUMNS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "未完成原因分析", "备注")
TABLE_ROWS = 20
PARAGRAPHS = 3
PARAGRAPH_MIN, PARAGRAPH_MAX = 150, 250
# Proof, looked for in every built page, that the Markdown table became an HTML table.
RENDERED_TABLE = "<th>一级指标</th>"  # not "<table": MkDocs' theme has a table of its own in every page
_PELICAN_SUMMARY = re.compile(r"^Done: Processed .*?pages? in [\d.]+ seconds\.\s*$", re.MULTILINE | re.DOTALL)

_SENTENCE = re.compile(r"[^。！？；]+[。！？；]")
_LIST_MARKER = re.compile(r"^\s*(?:\d+[.、．]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])\s*")
_QUANTITY = re.compile(r"^([≥≤＝])(\d+(?:\.\d+)?)(\D.*)$")  # ≥30个（套）, ＝58万元, ≥85%
_REASONS = (
    "受项目实施进度影响，部分任务顺延至下一年度完成。",
    "政府采购流程较长，部分设备到货时间晚于计划。",
    "年中预算调整，部分资金用于其他急需项目。",
    "基层单位上报数据不全，实际完成值按已核实数填报。",
)
_REMARKS = ("—", "按季度统计", "含上年结转资金", "年中调整指标值", "以财务决算数为准", "数据来源：业务台账")


# --- the pages ----------------------------------------------------------------------------------------


class _Reference(NamedTuple):
    titles: list[str]
    indicators: list[dict[str, Any]]
    sentences: list[str]


def _split_form(text: str) -> tuple[str, str]:
    """(front matter, body) of a form: the text between the first two '---' lines, and the text after."""
    lines = text.splitlines()
    marks = [number for number, line in enumerate(lines) if line.strip() == "---"][:2]
    if len(marks) < 2:
        raise ValueError("a form starts with front matter between two '---' lines")
    return "\n".join(lines[marks[0] + 1 : marks[1]]), "\n".join(lines[marks[1] + 1 :])


def _sentences(body: str) -> list[str]:
    """The Chinese sentences of a form's body, without list markers; headings (no full stop) are dropped."""
    found = []
    for line in body.splitlines():
        for match in _SENTENCE.finditer(_LIST_MARKER.sub("", line.strip())):
            sentence = match.group().strip()
            if sentence.endswith("；"):
                sentence = sentence[:-1] + "。"
            if 8 <= len(sentence) <= 120:
                found.append(sentence)
    return found


def _load_reference(folder: Path = REFERENCE_FORMS) -> _Reference:
    titles: list[str] = []
    indicators: list[dict[str, Any]] = []
    sentences: dict[str, None] = {}  # ordered and without duplicates, so that a seed gives the same pages
    for path in sorted(folder.glob("*.md")):
        front, body = _split_form(path.read_text(encoding="utf-8"))
        data = yaml.safe_load(front)
        titles.append(str(data["title"]))
        indicators.extend(data.get("indicators") or [])
        sentences.update(dict.fromkeys(_sentences(body)))
    if not titles or len(sentences) < 20:
        raise RuntimeError(f"too few reference forms or sentences in {folder}")
    return _Reference(titles, indicators, list(sentences))


def _paragraph(sentences: Sequence[str], rng: random.Random) -> str:
    """Sentences in a random order, added while they fit, until the paragraph has 150-250 characters."""
    text = ""
    for sentence in rng.sample(list(sentences), len(sentences)):
        if len(text) + len(sentence) <= PARAGRAPH_MAX:
            text += sentence
        if len(text) >= PARAGRAPH_MIN:
            return text
    raise RuntimeError("the reference sentences cannot make a paragraph of 150-250 characters")


def _table_row(reference: _Reference, rng: random.Random) -> list[str]:
    """A real form's indicator with its figure varied (same comparison and unit), missed now and then."""
    indicator = rng.choice(reference.indicators)
    weight = rng.choice((5, 10, 10, 15, 20))
    target, actual, score, reason = str(indicator["target"]), str(indicator["actual"]), f"{weight}", "—"
    quantity = _QUANTITY.match(target)
    if quantity:  # a qualitative target (有效提高, a date) keeps the words of the real form
        comparison, figure, unit = quantity.groups()
        digits = rng.choice((0, 2)) if "." in figure or unit.endswith("元") else 0
        planned = round(float(figure) * rng.uniform(0.5, 2.0), digits) or 1
        if unit == "%":
            planned = min(planned, 100)
        done = round(planned * (1 if rng.random() < 0.6 else rng.uniform(0.7, 0.99)), digits)
        target, actual = f"{comparison}{planned:.{digits}f}{unit}", f"{done:.{digits}f}{unit}"
        if comparison in ("≥", "＝") and done < planned:
            score, reason = f"{weight * done / planned:.2f}", rng.choice(_REASONS)
    return [str(indicator["level1"]), str(indicator["level2"]), str(indicator["name"]), target, actual,
            str(weight), score, reason, rng.choice(_REMARKS)]


def _page(number: int, reference: _Reference, rng: random.Random) -> str:
    title = f"{rng.choice(reference.titles)}（第{number}号）"
    date = f"{rng.randint(2020, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:00"
    lines = [f"Title: {title}", f"Date: {date}", "", "## 绩效指标", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    lines += ["| " + " | ".join(_table_row(reference, rng)) + " |" for _ in range(TABLE_ROWS)]
    lines += ["", "## 自评说明", ""]
    for _ in range(PARAGRAPHS):
        lines += [_paragraph(reference.sentences, rng), ""]
    return "\n".join(lines)


def page_name(number: int) -> str:
    """The file stem of page `number` (1-based); both tools' output file names are derived from it."""
    return f"page-{number:05d}"


def make_pages(count: int, folder: Path, seed: int = 2024) -> None:
    """Write `count` unique Markdown pages, each the size of a formgen form page, into `folder`.

    Each page starts with MultiMarkdown-style metadata (`Title:` and `Date:` lines, then a blank line),
    which both MkDocs and Pelican read, so the same files serve both tools. Deterministic for a seed;
    pages written by an earlier call into the same folder are removed first.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("page-*.md"):
        old.unlink()
    reference = _load_reference()
    rng = random.Random(seed)
    seen: set[str] = set()
    for number in range(1, count + 1):
        text = _page(number, reference, rng)
        body = text.split("\n", 2)[2]  # without title and date: the table and the text must differ too
        if body in seen:
            raise RuntimeError(f"page {number} repeats an earlier page's table and text")
        seen.add(body)
        (folder / f"{page_name(number)}.md").write_text(text, encoding="utf-8")


# --- the tools' environment ---------------------------------------------------------------------------


def _env_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def ensure_env(folder: Path = DEFAULT_ENV, upgrade: bool = False) -> Path:
    """Create, if missing, a virtual environment with MkDocs and Pelican; return its python executable.

    The tools come from PyPI through pip (bench/requirements-compare.txt, unpinned: the current
    releases when the environment is made; `upgrade=True` brings an existing one up to date).
    The environment gets a '*' .gitignore of its own, as `python -m venv` writes from Python 3.13 on.
    """
    python = _env_python(folder)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        (folder / ".gitignore").write_text("# created by bench/compare_ssg.py\n*\n", encoding="utf-8")
    probe = subprocess.run([str(python), "-c", "import mkdocs, pelican, markdown"], capture_output=True)
    if upgrade or probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--upgrade", "-r", str(REQUIREMENTS)], check=True)
    return python


def tool_versions(python: Path) -> dict[str, str]:
    """The installed versions of mkdocs, pelican, markdown and Python in the environment of `python`."""
    script = ("import importlib.metadata as m, json, platform; "
              f"v = {{n: m.version(n) for n in {list(DISTRIBUTIONS)!r}}}; "
              "v['python'] = platform.python_version(); print(json.dumps(v))")
    result = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


# --- timing -------------------------------------------------------------------------------------------


class BuildTiming(NamedTuple):
    """One tool at one size: the best wall-clock seconds of the runs and the largest peak RSS among them."""

    seconds: float
    peak_rss_mib: float


class Usage(NamedTuple):
    """What one build process cost: wall-clock and CPU seconds (its own and its reaped workers'), the peak
    RSS of its largest process (os.wait4), and, where sampled, the peak memory of its whole process tree."""

    seconds: float
    cpu_seconds: float
    largest_rss_kib: int
    tree_pss_kib: int = 0
    """The peak over samples of the summed PSS of the process and its descendants (0: not sampled)."""


def tree_memory(root: int) -> tuple[int, int]:
    """(summed RSS, summed PSS) in KiB of process `root` and all its descendants now, from /proc. RSS counts a
    page shared by forked workers once per process; PSS splits it between them, so the PSS sum is the memory
    the tree really holds."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:  # ended meanwhile
            continue
    return rss, pss


def measure_build(command: Sequence[str], cwd: Path, *, sample_memory: bool = False) -> Usage:
    """Run one build process and measure it (see Usage); anything it prints is passed on to stderr. With
    `sample_memory` the tree's memory is read every 50 ms (a peak shorter than that can be missed)."""
    peak, done = [0], threading.Event()
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], tree_memory(process.pid)[1])

        sampler = threading.Thread(target=sample, daemon=True)
        if sample_memory:
            sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            done.set()
            if sample_memory:
                sampler.join()
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        printed = output.read().decode("utf-8", "replace")
    # Pelican prints its closing summary even with -q; anything else (a warning, an error) is shown.
    printed = _PELICAN_SUMMARY.sub("", printed).strip()
    if printed:
        print(f"[{command[2]} in {cwd.name}] {printed}", file=sys.stderr)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode} in {cwd}")
    return Usage(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak[0])


def run_build(command: Sequence[str], cwd: Path) -> tuple[float, int]:
    """(seconds, peak RSS in KiB of the largest process) of one build process (measure_build)."""
    usage = measure_build(command, cwd)
    return usage.seconds, usage.largest_rss_kib


def _check_output(pages: Iterable[Path], count: int, tool: str) -> None:
    """Every page written, with the table rendered: a broken configuration must not give a fast number."""
    pages = list(pages)
    missing = [page for page in pages if not page.is_file()]
    unrendered = [page for page in pages if page.is_file() and RENDERED_TABLE not in page.read_text("utf-8")]
    if len(pages) != count or missing or unrendered:
        raise AssertionError(f"{tool}: expected {count} HTML pages with a table, {len(missing)} missing, "
                             f"{len(unrendered)} without a rendered table (e.g. {(missing + unrendered)[:1]})")


def _time_builds(command: Sequence[str], project: Path, output: Path, repeat: int,
                 expected: list[Path], count: int, tool: str) -> BuildTiming:
    runs = []
    for _ in range(max(1, repeat)):
        shutil.rmtree(output, ignore_errors=True)  # every run a full build into an empty folder
        runs.append(run_build(command, project))
        _check_output(expected, count, tool)
    return BuildTiming(min(seconds for seconds, _ in runs), max(rss for _, rss in runs) / 1024)


def _page_names(pages_dir: Path, count: int) -> list[str]:
    names = sorted(path.stem for path in pages_dir.glob("*.md"))
    if len(names) != count:
        raise ValueError(f"{pages_dir} has {len(names)} Markdown pages, not {count}")
    return names


MKDOCS_YML = """\
site_name: formgen comparison
docs_dir: docs
site_dir: site
theme:
  name: mkdocs
markdown_extensions:
  - tables  # MkDocs 1.x adds it anyway; named so that the comparison does not rest on that default
"""


def time_mkdocs(pages_dir: Path, count: int, *, python: Path | None = None, repeat: int = 3) -> BuildTiming:
    """Time `python -m mkdocs build --clean -q` of a copy of `pages_dir` (best of `repeat`).

    Minimal project: the default theme "mkdocs", the `tables` extension named (MkDocs 1.x also adds
    it by itself, with toc and fenced_code), no nav, so that MkDocs lists every page in every page's
    navigation, and the search index, as by default. Each page must come out as site/<name>/index.html
    (directory URLs, the default) with its table.
    """
    python = python or ensure_env()
    names = _page_names(pages_dir, count)
    with tempfile.TemporaryDirectory(prefix="formgen-mkdocs-") as temp:
        project = Path(temp)
        shutil.copytree(pages_dir, project / "docs")
        (project / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        expected = [project / "site" / name / "index.html" for name in names]
        return _time_builds([str(python), "-m", "mkdocs", "build", "--clean", "-q"], project,
                            project / "site", repeat, expected, count, "MkDocs")


PELICANCONF = """\
AUTHOR = "formgen"
SITENAME = "formgen comparison"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"  # "zh" alone makes docutils warn that it has no such localization
RELATIVE_URLS = True
# No feeds.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
# Every run a full build.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
# Output file names from the file names (page-00001.html), not from the Chinese titles.
SLUGIFY_SOURCE = "basename"
"""


@contextlib.contextmanager
def pelican_project(pages_dir: Path, count: int, *, python: Path | None = None) -> Iterator[Callable[[], Usage]]:
    """A Pelican project of a copy of `pages_dir`, as a function that runs one full build of it (into an empty
    output folder, checked: every page written with its table) and returns what it cost.

    Minimal project: the default theme, no feeds, relative URLs, no content cache; the pages are
    articles (their Title: and Date: metadata). Pelican's Markdown reader enables `extra`, which has
    tables. Besides one page per article Pelican writes its index, archives, category, tag and author
    pages, as it does by default. Each article must come out as output/<name>.html with its table.
    """
    python = python or ensure_env()
    names = _page_names(pages_dir, count)
    with tempfile.TemporaryDirectory(prefix="formgen-pelican-") as temp:
        project = Path(temp)
        shutil.copytree(pages_dir, project / "content")
        (project / "pelicanconf.py").write_text(PELICANCONF, encoding="utf-8")
        expected = [project / "output" / f"{name}.html" for name in names]
        command = [str(python), "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"]

        def run() -> Usage:
            shutil.rmtree(project / "output", ignore_errors=True)  # every run a full build into an empty folder
            usage = measure_build(command, project)
            _check_output(expected, count, "Pelican")
            return usage

        yield run


def time_pelican(pages_dir: Path, count: int, *, python: Path | None = None, repeat: int = 3) -> BuildTiming:
    """Time `python -m pelican content -o output -s pelicanconf.py -q` of a copy of `pages_dir` (best of
    `repeat`), in the project `pelican_project` makes."""
    with pelican_project(pages_dir, count, python=python) as run:
        runs = [run() for _ in range(max(1, repeat))]
    return BuildTiming(min(usage.seconds for usage in runs), max(usage.largest_rss_kib for usage in runs) / 1024)


# --- the comparison -----------------------------------------------------------------------------------


def compare(sizes: Iterable[int], repeat: int = 3, env: Path = DEFAULT_ENV, seed: int = 2024) -> list[dict[str, Any]]:
    """Time MkDocs and Pelican at each size; one row per tool and size, for this or another table.

    Keys: tool, version, pages, seconds (best of `repeat`), ms_per_page, peak_rss_mib.
    """
    python = ensure_env(env)
    versions = tool_versions(python)
    rows = []
    with tempfile.TemporaryDirectory(prefix="formgen-compare-") as temp:
        for size in sizes:
            pages = Path(temp) / f"pages-{size}"
            make_pages(size, pages, seed)
            for tool, timer in (("MkDocs", time_mkdocs), ("Pelican", time_pelican)):
                timing = timer(pages, size, python=python, repeat=repeat)
                rows.append({"tool": tool, "version": versions[tool.lower()], "pages": size,
                             "seconds": timing.seconds, "ms_per_page": timing.seconds / size * 1000,
                             "peak_rss_mib": timing.peak_rss_mib})
    return rows


def markdown_table(rows: Iterable[dict[str, Any]]) -> str:
    """The rows of compare() as a Markdown table."""
    lines = ["| tool | version | pages | seconds | ms/page | peak RSS MiB |", "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {row['tool']} | {row['version']} | {row['pages']:,} | {row['seconds']:.2f} | "
              f"{row['ms_per_page']:.2f} | {row['peak_rss_mib']:.0f} |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--env", type=Path, default=DEFAULT_ENV, help="the tools' virtual environment")
    parser.add_argument("--upgrade-tools", action="store_true", help="bring the tools to their current releases")
    args = parser.parse_args()
    python = ensure_env(args.env, upgrade=args.upgrade_tools)
    versions = tool_versions(python)
    print(f"MkDocs {versions['mkdocs']}, Pelican {versions['pelican']}, Python-Markdown {versions['markdown']}, "
          f"Python {versions['python']}; cores: {os.cpu_count()}; best of {args.repeat}\n", flush=True)
    print(markdown_table(compare(args.sizes, args.repeat, args.env)))


if __name__ == "__main__":
    main()
