"""`formgen export --format xlsx|docx`: the official table of each form as an Excel workbook or a Word
document, as the finance bureau asks for it, and with --combined one workbook of the whole site.

The table is the one the form page and the PDF print: the form's sheet is rendered from the profile through
templates/_form_table.html exactly as for its PDF, then read into a grid (render/office.py) that the Excel
and Word writers lay out (render/office_xlsx.py, render/office_docx.py). The combined workbook's sheets
have the columns and rows of the site's forms.csv and indicators.csv (render/data.py).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .feed import form_record
from .i18n import _
from .model import caption
from .output import write_atomically
from .pipeline import Entry, Site
from .profile import Labels, Profile
from .reading import escape_through_link, printable
from .render import data as render_data
from .render import html as render_html
from .render import office
from .render.office_files import fixed_time

if TYPE_CHECKING:
    from .render import office_xlsx

# The writers (openpyxl, python-docx: a tenth of a second to import) are imported where a file is written,
# not when the CLI starts: every other command, `build` among them, would pay for them.

__all__ = ["COMBINED_NAME", "FORMATS", "OFFICE_FORMATS", "export_office", "form_grid"]

OFFICE_FORMATS = ("xlsx", "docx")
"""The formats written into files (--out); json goes to standard output."""
FORMATS = ("json", *OFFICE_FORMATS)
COMBINED_NAME = "forms.xlsx"
SUMMARY_SHEET = "汇总"
"""The combined workbook's first sheet: words of the document (as the sheet's labels), not of formgen's interface."""


class _Sheets:
    """Renders forms' sheets as their PDFs do: the site's templates first, then formgen's."""

    def __init__(self, site: Site, templates: Path | None) -> None:
        self.site = site
        self.env = render_html.environment(templates)
        self.template = self.env.get_template("_form_table.html")
        # The widths of the sheet's columns, as the page and the PDF set them (the site may override sheet.css).
        self.style = str(self.env.loader.get_source(self.env, "sheet.css")[0]) if self.env.loader else ""

    def grid(self, entry: Entry, display_title: str) -> office.SheetGrid:
        view = render_html.form_view(entry, display_title, self.site.config, pdf=True)
        html = str(self.template.module.sheet(view, self.site.config.scheme))  # type: ignore[attr-defined]
        return office.parse_sheet(html, view.grid, view.profile, self.style, view.form)


def form_grid(site: Site, entry: Entry, templates: Path | None = None) -> office.SheetGrid:
    """One form's sheet as a grid (for tests and other writers)."""
    return _Sheets(site, templates).grid(entry, entry.scored.form.title if entry.scored else entry.slug)


def _titles(records: list[dict[str, Any]]) -> dict[str, str]:
    return render_html.display_titles([(record["slug"], record["title"], Decimal(record["funds"]["total"]["budget"]))
                                       for record in records])


def _profile(entry: Entry, site: Site) -> Profile:
    return entry.profile or site.config.profile_for()


def _out_folder(out: Path, root: Path | None) -> Path:
    """The folder to write into, made if missing; refused where a link inside the site leads out of it."""
    if root is not None:
        real = escape_through_link(out, root)
        if real is not None:
            raise UsageError(_("--out {folder} leads outside the site (to {target}) through a link — nothing was "
                               "written: formgen writes only inside the site; replace the link with a folder")
                             .format(folder=out.as_posix(), target=printable(str(real))))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(_("--out {folder}: cannot make the folder ({error})").format(
            folder=out.as_posix(), error=error.strerror or error)) from None
    return out


def export_office(site: Site, fmt: str, out: Path, *, combined: bool = False, templates: Path | None = None,
                  root: Path | None = None) -> list[Path]:
    """Write the site's forms into `out` as `fmt` ("xlsx" or "docx"): one ``<slug>.xlsx`` / ``<slug>.docx`` per
    form, or with `combined` (xlsx only) one workbook ``forms.xlsx`` of the whole site. `templates`: the site's
    own templates folder; `root`: the site's folder, out of which no link may lead the writing. Returns the
    files written, in the forms' order. The caller refuses a site with errors first (as `formgen export`)."""
    if fmt not in OFFICE_FORMATS:
        raise UsageError(_("--format {format}: write one of {formats}").format(format=fmt, formats=", ".join(FORMATS)))
    if combined and fmt != "xlsx":
        raise UsageError(_("--combined makes one Excel workbook: use it with --format xlsx"))
    records = [form_record(entry) for entry in site.forms]
    folder = _out_folder(out, root)
    if combined:
        path = folder / COMBINED_NAME
        write_atomically(path, combined_workbook(site, records))
        return [path]
    sheets, titles, written = _Sheets(site, templates), _titles(records), []
    for entry in site.forms:
        assert entry.scored is not None
        form = entry.scored.form
        title = titles[entry.slug]
        when = fixed_time(getattr(form, "filled_on", None))
        grid = sheets.grid(entry, title)
        if fmt == "xlsx":
            from .render import office_xlsx

            workbook = office_xlsx.new_workbook(when)
            office_xlsx.add_form_sheet(workbook, form.title, grid, _profile(entry, site).money)
            data = office_xlsx.saved(workbook, when)
        else:
            from .render import office_docx

            data = office_docx.form_document(title, grid, when)
        path = folder / f"{entry.slug}.{fmt}"
        write_atomically(path, data)
        written.append(path)
    return written


def _form_kinds(labels: Labels) -> dict[str, str]:
    """The kind of each figure column of forms.csv (the others are text), by its header."""
    return {caption(labels.year): "int", caption(labels.initial): "money", caption(labels.budget): "money",
            caption(labels.executed): "money", caption(labels.execution_rate): "rate",
            caption(labels.execution_score): "score", caption(labels.total): "score"}


def _columns(columns: list[render_data.Column], kinds: dict[str, str]) -> list[office_xlsx.SheetColumn]:
    return [(header, kinds.get(header, "score") if number else "text") for header, number in columns]


def combined_workbook(site: Site, records: list[dict[str, Any]]) -> bytes:
    """forms.xlsx: a summary sheet with forms.csv's columns and rows, and an indicators sheet with
    indicators.csv's, figures numeric (amounts in 元, as the feed's)."""
    labels = site.config.profile_for().labels  # the site's profile's words, as the CSV files' headers
    days = [day for entry in site.forms if entry.scored and (day := getattr(entry.scored.form, "filled_on", None))]
    when = fixed_time(max(days) if days else None)
    from .render import office_xlsx

    workbook = office_xlsx.new_workbook(when)
    office_xlsx.add_table_sheet(workbook, SUMMARY_SHEET,
                                _columns(render_data.form_columns(labels), _form_kinds(labels)),
                                render_data.form_rows(records))
    kinds = {caption(labels.year): "int", render_data.ROW_NUMBER: "int"}
    office_xlsx.add_table_sheet(workbook, caption(labels.indicators),
                                _columns(render_data.indicator_columns(labels), kinds),
                                render_data.indicator_rows(records))
    return office_xlsx.saved(workbook, when)
