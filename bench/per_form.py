"""Benchmark: where a form's CPU time goes in `formgen build --no-pdf`, stage by stage, in one process.

Run: .venv/bin/python -m bench.per_form [--forms 300] [--repeat 5]

For N generated forms (bench/corpus.py), each stage of a form's way through the build is timed on its
own, over all N forms, and the best of --repeat passes is printed in milliseconds of CPU per form:
reading (the file, its front matter parsed, every key's line), validation (the profile's pydantic
model), scoring, the form's checks, Markdown (the 自评结论 rendered and sanitised), the form page's
templates (without the column fitting and the Markdown), the column fitting (`render.fit.screen_style`: the sheet read
back and measured), the form's JSON, and writing the page and the JSON. The caches that a build starts
without (column widths, the last Markdown texts) are emptied before every pass, so that a pass costs
what a fresh build costs. The build also reads the files' bytes, checks across forms, writes the lists
and the open data, and starts its processes: `bench.targets` times the whole command.

Not a test: the table goes into docs/performance.md and the closing notes.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import checks, config, pipeline, scoring
from generator.feed import form_record
from generator.model import published_context
from generator.output import Writer
from generator.profile import form_model
from generator.reading import read_document
from generator.render import data as render_data
from generator.render import fit, narrative
from generator.render import html as render_html

from .corpus import ROOT, generate


def _best(passes: int, step: Callable[[], Any], caches: tuple[Any, ...] = ()) -> float:
    """The least CPU seconds of `passes` runs of `step`, each after emptying `caches`."""
    times = []
    for _ in range(passes):
        for cache in caches:
            cache.cache_clear()
        started = time.process_time()
        step()
        times.append(time.process_time() - started)
    return min(times)


def stages(content: Path, passes: int) -> dict[str, float]:
    """Milliseconds of CPU per form of each stage, for the forms under `content`."""
    site_config = config.load_config(ROOT / "formgen.toml")
    paths = sorted(content.rglob("*.md"))
    entries = [pipeline.load_entry(path, site_config, content) for path in paths]
    assert all(entry.scored is not None for entry in entries), "the corpus must check without errors"
    profile = site_config.profile_for()
    model = form_model(profile)
    documents = [read_document(path, path.name, content) for path in paths]
    forms = [model.model_validate(document.data, context=published_context(document.data)) for document in documents]
    scored = [scoring.score_form(form, profile.scheme, profile.fund_weights) for form in forms]
    env = render_html.environment()
    views = [render_html.form_view(entry, entry.document.slug, site_config) for entry in entries]
    sheets: list[tuple[str, render_html.FormView]] = []
    fitting = env.filters["fit_columns"]

    def keep_sheet(environment: Any, sheet: Any, view: render_html.FormView) -> Any:
        sheets.append((str(sheet), view))
        return fitting(environment, sheet, view)

    env.filters["fit_columns"] = jinja2.pass_environment(keep_sheet)
    pages = [render_html.render(env, render_html.form_page(view), site_config) for view in views]
    env.filters["fit_columns"] = lambda *_: Markup("")  # the page alone: fitting is timed below
    base_style = env.loader.get_source(env, "sheet.css")[0] if env.loader else ""
    records = [form_record(entry) for entry in entries]
    json_texts = [render_data.as_json(record) for record in records]
    texts = [entry.document.body for entry in entries]
    measured = {
        "reading": _best(passes, lambda: [read_document(path, path.name, content) for path in paths]),
        "validation": _best(passes, lambda: [model.model_validate(document.data,
                                                                  context=published_context(document.data))
                                             for document in documents]),
        "scoring": _best(passes, lambda: [scoring.score_form(form, profile.scheme, profile.fund_weights)
                                          for form in forms]),
        "checks": _best(passes, lambda: [checks.check_form(form, entry.document.body, site_config,
                                                           entry.document.path, profile)
                                         for form, entry in zip(scored, entries, strict=True)]),
        "Markdown": _best(passes, lambda: [narrative.to_html(text) for text in texts],
                          (narrative._markdown, narrative._published)),
        "page templates": _best(passes, lambda: [render_html.render(env, render_html.form_page(view), site_config)
                                                 for view in views], (narrative._markdown, narrative._published)),
        "column fitting": _best(passes, lambda: [fit.screen_style(sheet, view.grid, view.profile, base_style)
                                                 for sheet, view in sheets], (fit._need,)),
    }
    measured["page templates"] -= measured["Markdown"]  # the page renders its conclusion: counted above
    measured["JSON"] = _best(passes, lambda: [render_data.as_json(record) for record in records])
    with tempfile.TemporaryDirectory(prefix="formgen-per-form-") as temp:
        def write() -> None:
            folder = Path(temp) / "out"
            shutil.rmtree(folder, ignore_errors=True)
            writer = Writer(folder)
            for view, page, json_text in zip(views, pages, json_texts, strict=True):
                writer.write(view.page, page, key="")  # a page is written with its key: its bytes are hashed
                writer.write(view.json, json_text)
        measured["writing"] = _best(passes, write)
    return {name: seconds / len(paths) * 1000 for name, seconds in measured.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="formgen-per-form-") as temp:
        content = Path(temp) / "content"
        generate(args.forms, content)
        measured = stages(content, args.repeat)
    total = sum(measured.values())
    print(f"{args.forms} forms, best of {args.repeat} passes, CPU per form\n")
    print("| stage | ms/form | share |")
    print("|---|---:|---:|")
    for name, milliseconds in measured.items():
        print(f"| {name} | {milliseconds:.3f} | {milliseconds / total:.0%} |")
    print(f"| **all of these** | **{total:.3f}** | |")


if __name__ == "__main__":
    main()
