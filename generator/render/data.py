"""Open data: the feed as JSON (whole site and per form), CSV for spreadsheets, the search index, sitemap."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from .. import formatting
from ..feed import form_record, site_feed
from ..pipeline import Site
from ..values import normalize
from .html import FormView

__all__ = ["data_files"]

FORM_COLUMNS = ["slug", "项目名称", "年度", "实施单位", "主管部门代码", "主管部门", "填报日期", "年初预算数",
                "全年预算数", "全年执行数", "执行率", "预算执行得分", "总分", "等级"]
INDICATOR_COLUMNS = ["slug", "项目名称", "年度", "序号", "一级指标", "二级指标", "三级指标", "年度指标值",
                     "实际完成值", "分值", "得分", "未完成原因分析", "备注"]


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _csv(header: list[str], rows: Iterator[list[str]]) -> str:
    # UTF-8 with BOM (added when written) so that Excel opens Chinese text correctly; CRLF as Excel writes.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _form_rows(views: list[FormView]) -> Iterator[list[str]]:
    for view in views:
        form, scored = view.form, view.scored
        total = form.funds.total
        yield [view.slug, form.title, str(form.year), form.implementer, form.department.code, form.department.name,
               form.filled_on.isoformat(), formatting.money_plain(total.initial), formatting.money_plain(total.budget),
               formatting.money_plain(total.executed), formatting.rate(scored.execution_rate),
               formatting.score(scored.budget_score), formatting.score(scored.total), scored.grade]


def _indicator_rows(views: list[FormView]) -> Iterator[list[str]]:
    for view in views:
        for number, result in enumerate(view.scored.indicators, start=1):
            row = result.indicator
            yield [view.slug, view.form.title, str(view.form.year), str(number), row.level1, row.level2, row.name,
                   row.target, row.actual, formatting.score(row.weight), formatting.score(result.score), row.reason,
                   row.note]


def search_index(views: list[FormView]) -> str:
    """assets/search-index.js: per form, the text a search looks through (a script, so that it also
    loads from file://, where fetch() is not allowed)."""
    texts = {}
    for view in views:
        form = view.form
        parts = [view.display_title, form.implementer, str(form.year), form.goals.expected, form.goals.actual,
                 view.entry.document.body, *(row.name for row in form.indicators),
                 *(row.reason for row in form.indicators if row.reason)]
        texts[view.slug] = re.sub(r"\s+", "", normalize("".join(parts)).lower())  # as formgen.js normalises
    return "window.FORMGEN_SEARCH = " + json.dumps(texts, ensure_ascii=False, separators=(",", ":")) + ";\n"


def sitemap(base_url: str, paths: list[str]) -> str:
    base = base_url.rstrip("/") + "/"
    entries = "".join(f"  <url><loc>{escape(base + path)}</loc></url>\n" for path in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def data_files(site: Site, views: list[FormView], page_paths: list[str]) -> Iterator[tuple[str, str]]:
    """(path inside the output folder, text) of every data file."""
    yield "data/forms.json", _json(site_feed(site))
    for view in views:
        yield view.json, _json(form_record(view.entry))
    yield "data/forms.csv", "\ufeff" + _csv(FORM_COLUMNS, _form_rows(views))
    yield "data/indicators.csv", "\ufeff" + _csv(INDICATOR_COLUMNS, _indicator_rows(views))
    yield "assets/search-index.js", search_index(views)
    if site.config.site.base_url:
        yield "sitemap.xml", sitemap(site.config.site.base_url, page_paths)
