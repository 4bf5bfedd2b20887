"""Open data from the feed records: the feed as JSON (whole site and per form), CSV for spreadsheets,
the search index and the sitemap. Everything here derives from `feed.form_record`, so the JSON and
the CSV can never disagree."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from ..config import SiteConfig
from ..feed import feed_document
from ..model import caption
from ..profile import DEFAULT_PROFILE, Labels, shipped_profiles
from ..values import normalize

__all__ = ["as_json", "data_files", "form_columns", "form_rows", "indicator_columns", "indicator_rows", "search_text",
           "text_cell"]

Column = tuple[str, bool]
"""A CSV column: its header, and whether it holds figures. Figures are written as formatted (plain decimals,
no separators), so that a spreadsheet reads numbers; every other column is text, made safe with `text_cell`."""


_header = caption
"""A profile's label as a CSV header: without the formula's letter (年度指标值(A) → 年度指标值) or the letter
spacing of the sheet (总　　分 → 总分), which a spreadsheet's filter would keep."""

ROW_NUMBER = "序号"
"""indicators.csv's header of a row's number within its form: a column of the CSV, which no sheet heads."""


def form_columns(labels: Labels) -> list[Column]:
    """forms.csv's columns. The same columns in the same order whatever the profile (a site may mix
    profiles, and a spreadsheet reads them by position); the headers are the site's profile's words.
    预算执行得分 and 等级 are not headers of the sheet: they are the profile's names of those figures."""
    return [("slug", False), (_header(labels.title), False), (_header(labels.year), True),
            (_header(labels.implementer), False), (f"{_header(labels.department_name)}代码", False),
            (_header(labels.department_name), False), (_header(labels.filled_on), False),
            (_header(labels.initial), True), (_header(labels.budget), True), (_header(labels.executed), True),
            (_header(labels.execution_rate), True), (_header(labels.execution_score), True),
            (_header(labels.total), True), (_header(labels.grade), False)]


def indicator_columns(labels: Labels) -> list[Column]:
    """indicators.csv's columns: stable like `form_columns`, with the profile's labels and `ROW_NUMBER`."""
    return [("slug", False), (_header(labels.title), False), (_header(labels.year), True), (ROW_NUMBER, True),
            *((_header(getattr(labels, key)), key in ("weight", "score"))
              for key in ("level1", "level2", "name", "target", "actual", "weight", "score", "reason", "note"))]


_REFERENCE_LABELS = shipped_profiles()[DEFAULT_PROFILE].labels
FORM_COLUMNS = [header for header, _ in form_columns(_REFERENCE_LABELS)]
"""The reference profile's headers."""
INDICATOR_COLUMNS = [header for header, _ in indicator_columns(_REFERENCE_LABELS)]
NUMBER_COLUMNS = frozenset(header for header, number in (*form_columns(_REFERENCE_LABELS),
                                                         *indicator_columns(_REFERENCE_LABELS)) if number)
"""The reference profile's headers of figures."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""What makes a spreadsheet read a cell as a formula: OWASP's CSV injection list, with the line feed and
the full-width forms that its testing guide adds (Excel and WPS in East Asian locales may take ＝ for =).
A target written ＝30台（套） gets its ``'`` too: a visible ``'`` is the price of never running a formula."""
_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


def as_json(data: Any) -> str:
    # Compact: json's C encoder only serves output without indentation (10x faster on 10,000 forms).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def text_cell(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula: one that starts with `_FORMULA_STARTS` (also after
    leading white space) gets a leading ``'`` (OWASP's rule). The text stays readable, with its ``'``."""
    first = text[:1]
    if first in _FORMULA_FIRST or (first.isspace() and text.lstrip().startswith(_FORMULA_STARTS)):
        return f"'{text}"
    return text


def _csv(columns: list[Column], rows: Iterator[list[str]]) -> str:
    # UTF-8 with BOM so that Excel opens Chinese text correctly; CRLF as Excel writes.
    texts = [not number for _, number in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for header, _ in columns])
    # None (an unscored form's 总分, 等级 and scores) is an empty cell, as csv writes it.
    writer.writerows([text_cell(cell) if text and cell is not None else cell
                      for cell, text in zip(row, texts, strict=True)] for row in rows)
    return "\ufeff" + buffer.getvalue()


def form_rows(records: list[dict[str, Any]]) -> Iterator[list[str]]:
    for record in records:
        total = record["funds"]["total"]
        yield [record["slug"], record["title"], str(record["year"]), record["unit"], record["department"]["code"],
               record["department"]["name"], record.get("filled_on", ""), total.get("initial", ""), total["budget"],
               total["executed"], record["execution_rate"], record["budget_score"], record["total"], record["grade"]]


def indicator_rows(records: list[dict[str, Any]]) -> Iterator[list[str]]:
    for record in records:
        for number, row in enumerate(record["indicators"], start=1):
            yield [record["slug"], record["title"], str(record["year"]), str(number), row["level1"], row["level2"],
                   row["name"], row["target"], row["actual"], row["weight"], row["score"], row["reason"], row["note"]]


SEARCH_TEXT_CHARS = 1_000
"""What one text (a goal, the conclusion, an indicator's name or reason) gives the search index at most:
its first characters, white space aside. Every visitor downloads the index."""
SEARCH_FORM_CHARS = 5_000
"""What one form gives the search index at most: the index grows by at most this much per form, however
long its texts or however many its rows."""


_WHITE_SPACE = re.compile(r"\s+")


def _searchable(text: str) -> str:
    # Cut before normalising too: NFKC of a very long text costs time for characters that are dropped.
    return _WHITE_SPACE.sub("", normalize(text[:4 * SEARCH_TEXT_CHARS]).lower())[:SEARCH_TEXT_CHARS]


def search_text(record: dict[str, Any]) -> str:
    """What a search looks through for one form, normalised as formgen.js normalises the query: the
    beginning of each text (`SEARCH_TEXT_CHARS`), up to `SEARCH_FORM_CHARS` in all, title first."""
    parts = [record["title"], record["unit"], str(record["year"]), record["goals"]["expected"],
             record["goals"]["actual"], record["conclusion"], *(row["name"] for row in record["indicators"]),
             *(row["reason"] for row in record["indicators"])]
    # Texts no longer than the bound (nearly all) are normalised together, in one call: a text cut to
    # the bound is already normalised, and normalising it again changes nothing.
    joined = "".join(part if len(part) <= SEARCH_TEXT_CHARS else _searchable(part) for part in parts)
    return _WHITE_SPACE.sub("", normalize(joined).lower())[:SEARCH_FORM_CHARS]


def sitemap(base_url: str, paths: list[str]) -> str:
    base = base_url.rstrip("/") + "/"
    entries = "".join(f"  <url><loc>{escape(base + path)}</loc></url>\n" for path in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def data_files(config: SiteConfig, records: list[dict[str, Any]], page_paths: list[str]) -> Iterator[tuple[str, str]]:
    """(path inside the output folder, text) of the site's data files (each form's own JSON file is
    written with its page). `records` carry their findings."""
    yield "data/forms.json", as_json(feed_document(config, records))
    labels = config.profile_for().labels  # the site's profile: a form of another profile fills the same columns
    yield "data/forms.csv", _csv(form_columns(labels), form_rows(records))
    yield "data/indicators.csv", _csv(indicator_columns(labels), indicator_rows(records))
    # A script rather than JSON, so that it also loads from file://, where fetch() is not allowed.
    searches = {record["slug"]: search_text(record) for record in records}
    yield "assets/search-index.js", ("window.FORMGEN_SEARCH = "
                                     + json.dumps(searches, ensure_ascii=False, separators=(",", ":")) + ";\n")
    if config.site.base_url:
        yield "sitemap.xml", sitemap(config.site.base_url, page_paths)
