"""The only module that imports WeasyPrint: the environment check, fonts, the URL fetcher, options.

An upgrade of WeasyPrint touches this file alone. What it guarantees:

* **Fonts.** The CJK fonts are found through fontconfig (Debian's ``fonts-noto-cjk`` by default, or
  the families a site names in formgen.toml) and subset with HarfBuzz. Without HarfBuzz's subset
  library WeasyPrint silently falls back to fontTools, about 40 times slower, so formgen refuses to
  render PDFs then, naming the package. A character that the fonts in use cannot draw fails the form
  (a PDF of record never shows a missing glyph).
* **Fetching.** WeasyPrint fetches nothing but ``data:`` URLs and files inside the site's folders
  (after resolving symbolic links); anything else — the network, loopback included, and files
  elsewhere — is refused and stops the rendering, as `FetchRefused` naming the URL. WeasyPrint stops
  with an exception that is no `Exception` (FatalURLFetchingError): every call into WeasyPrint here
  turns it into `FetchRefused` (an ordinary formgen error), so no caller sees WeasyPrint's.
* **Layout once.** A form is laid out once (`fit_form`: again only where its first layout shows that
  its figures, its pages or its continued labels need it); its own PDF is written from that layout,
  and its bundle composes the same pages with the bundle's page decorations (`compose_pdf`), in
  parts of a bounded number of forms that pypdf joins into one file (`join_pdfs`).
* **Reproducible output.** Dates come from the form's 填报日期, never the clock; the PDF identifier
  from the content; two builds of the same input give the same bytes.
* **Internals fenced.** What formgen needs of WeasyPrint's and pypdf's internals (a page's box tree, the
  box classes, a page made from a box, pypdf's trailer identifier) is reached through one small function
  each, here alone; tests/test_pdf_contract.py pins them at the lowest and the newest supported versions.

Why one module: by the project's rule it is the only module that imports WeasyPrint, and it keeps WeasyPrint's and
pypdf's internals behind one function each, so that an upgrade is checked in this one file. Fitting a form to its pages
(`Fit`, `fit_form` and its measures, ~250 lines) and joining a bundle's parts (`join_pdfs`) could each be a module; they
stay, as both work on WeasyPrint's box tree or pypdf's writer through the fenced functions here.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import mimetypes
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import FormgenError
from ..i18n import N_, _, ngettext

__all__ = ["FetchRefused", "Fit", "Front", "PdfEnvironment", "PdfUnavailable", "check_environment", "compose_pdf",
           "find_environment", "fit_form", "is_pdf", "join_pdfs", "layout_pdf", "missing_glyphs",
           "missing_glyphs_message", "render_pdf", "site_fetcher", "write_pdf"]

FONT_PACKAGE = "fonts-noto-cjk"
HARFBUZZ_PACKAGE = "libharfbuzz-subset0"
DEFAULT_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


class PdfUnavailable(FormgenError):
    """PDFs cannot be rendered on this machine; the message names what to install."""


class FetchRefused(FormgenError):
    """A URL the PDF may not fetch (or another reason WeasyPrint stopped): the message names it and the fix."""


_FETCH_FIX = N_("a PDF fetches only data: URLs and files inside the site: remove it (from the form, or from the "
                "site's templates), or put the file inside the site and refer to it by a relative path")


@contextlib.contextmanager
def _fenced() -> Iterator[None]:
    """Around every call into WeasyPrint: what WeasyPrint raises that is no `Exception`
    (FatalURLFetchingError, from our fetcher) becomes `FetchRefused`, so that `except Exception` handles
    it and no traceback escapes. Every other BaseException (KeyboardInterrupt, SystemExit, the CLI's
    Terminated on SIGTERM) is the user's or Python's, and passes."""
    try:
        yield
    except Exception:
        raise
    except BaseException as error:
        if not type(error).__module__.startswith("weasyprint"):
            raise
        message = str(error) or type(error).__name__
        raise FetchRefused(f"{message} — {_(_FETCH_FIX)}") from None


@dataclass(frozen=True)
class PdfEnvironment:
    """What rendering needs. Found (`find_environment`) without importing WeasyPrint, so that a build with
    nothing to make never loads it; `checked()` before anything is rendered."""

    fonts: tuple[str, ...]
    """Font families, in order of preference."""
    files: tuple[str, ...]
    """The font file fontconfig gives for each family found."""
    weasyprint_version: str
    fingerprint: str = ""
    """A hash of the WeasyPrint version and the font files' bytes: part of every PDF's cache key."""

    def key(self, html: str, variant: str | None) -> str:
        """What a PDF depends on, hashed: its HTML (content, templates, CSS and settings are all in it),
        the variant, WeasyPrint and the fonts. Equal keys give byte-identical PDFs."""
        digest = hashlib.sha256()
        for part in (self.fingerprint, variant or "", html):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def fingerprinted(self, font_digest: Callable[[str], bytes]) -> PdfEnvironment:
        """This environment with its fingerprint, the font files' hashes given by `font_digest` (a path's
        SHA-256, e.g. `state.FileDigests.digest`, which rereads a file only when its status changed)."""
        fingerprint = hashlib.sha256(self.weasyprint_version.encode("utf-8"))
        for name in self.files:
            fingerprint.update(font_digest(name))
        return replace(self, fingerprint=fingerprint.hexdigest())

    @functools.cached_property
    def coverage(self) -> frozenset[int]:
        """Every code point the fonts can draw (read once, from the font files: compute it before workers fork,
        as `checked()` does)."""
        return _coverage(self.files)

    def checked(self) -> PdfEnvironment:
        """Refuse to render unless WeasyPrint loads, HarfBuzz can subset, and the WeasyPrint imported is the one
        whose version the keys hold; read the fonts' coverage. Call before the first thing is rendered."""
        _check_libraries(self.weasyprint_version)
        _ = self.coverage
        return self


def _font_file(family: str) -> str | None:
    """The file fontconfig gives for `family`, if it really is that family (not a fallback)."""
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", family], capture_output=True, text=True,
                            check=False)
    lines = result.stdout.splitlines()
    if len(lines) < 2 or family.lower() not in lines[0].lower():
        return None
    return lines[1]


def _coverage(files: tuple[str, ...]) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont  # WeasyPrint's own dependency

    points: set[int] = set()
    for name in files:
        fonts = TTCollection(name).fonts if name.lower().endswith(".ttc") else [TTFont(name)]
        for font in fonts[:1]:  # the first face of a collection is the one fontconfig names
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def _check_libraries(version: str) -> None:
    try:
        import weasyprint
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except OSError as error:  # Pango or HarfBuzz missing
        raise PdfUnavailable(_("WeasyPrint cannot load its libraries ({error}): install libpango-1.0-0 and "
                               "{package} (apt-get install libpango-1.0-0 {package}), or build with --no-pdf").format(
            error=error, package=HARFBUZZ_PACKAGE)) from None
    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        raise PdfUnavailable(_("HarfBuzz's subset library is missing: install {package} (apt-get install {package}); "
                               "without it fonts are subset about 40 times slower").format(package=HARFBUZZ_PACKAGE))
    if weasyprint.__version__ != version:  # the keys hold the installed version; a stray copy on the path differs
        raise PdfUnavailable(_("WeasyPrint {imported} was imported, but {installed} is installed: remove the other "
                               "copy from the Python path, or reinstall WeasyPrint").format(
            imported=weasyprint.__version__, installed=version))


def find_environment(fonts: tuple[str, ...] = DEFAULT_FONTS) -> PdfEnvironment:
    """The fonts and WeasyPrint version PDFs are made with, found without importing WeasyPrint (its version from
    the installed package's metadata; the fonts through fontconfig): no fingerprint yet (`fingerprinted`), not
    checked (`checked`). Raises PdfUnavailable where WeasyPrint or the fonts are not installed."""
    try:
        version = importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:
        raise PdfUnavailable(_("WeasyPrint is not installed: reinstall formgen (pip install formgen), or build "
                               "with --no-pdf")) from None
    files = tuple(file for file in map(_font_file, fonts) if file)
    if not files:
        raise PdfUnavailable(_("no CJK font found for {fonts}: install {package} (apt-get install {package}) or name "
                               "installed fonts in formgen.toml [pdf] fonts").format(fonts=", ".join(fonts),
                                                                                   package=FONT_PACKAGE))
    return PdfEnvironment(fonts, files, version)


def _read_digest(name: str) -> bytes:
    with open(name, "rb") as font:
        return hashlib.file_digest(font, "sha256").digest()


@functools.lru_cache(maxsize=4)
def check_environment(fonts: tuple[str, ...] = DEFAULT_FONTS) -> PdfEnvironment:
    """Refuse to render PDFs unless HarfBuzz can subset and the fonts are installed: the environment found,
    fingerprinted from the font files read whole, and checked."""
    return find_environment(fonts).fingerprinted(_read_digest).checked()


def missing_glyphs(text: str, environment: PdfEnvironment) -> list[str]:
    """Characters of `text` that none of the fonts can draw (white space and controls aside)."""
    return sorted({char for char in text if not char.isspace() and ord(char) >= 32
                   and ord(char) not in environment.coverage})


@functools.lru_cache(maxsize=1)
def font_package_installed() -> bool:
    """Whether fontconfig finds the fonts of `FONT_PACKAGE` (the default fonts)."""
    return any(_font_file(family) for family in DEFAULT_FONTS)


MISSING_GLYPHS_NAMED = 20
"""How many missing characters a message names (a form may have many; the first are enough to act)."""


def missing_glyphs_message(missing: list[str], environment: PdfEnvironment) -> str:
    """Why a form's PDF cannot be made: the characters (from `missing_glyphs`) that no configured font has,
    with their code points, and what to do. Installing `FONT_PACKAGE` is suggested only where it is
    not installed: installed, it cannot help."""
    named = "、".join(f"{char} (U+{ord(char):04X})" for char in missing[:MISSING_GLYPHS_NAMED])
    if len(missing) > MISSING_GLYPHS_NAMED:
        named = _("{named} and {count} more").format(named=named, count=len(missing) - MISSING_GLYPHS_NAMED)
    fonts = ", ".join(environment.fonts)
    if set(environment.fonts) <= set(DEFAULT_FONTS):
        fonts = _("{fonts}, from {package}").format(fonts=fonts, package=FONT_PACKAGE)
    message = ngettext("the fonts ({fonts}) cannot draw {named}: no configured font has it — replace the character "
                       "or name a font that has it in formgen.toml [pdf] fonts",
                       "the fonts ({fonts}) cannot draw {named}: no configured font has them — replace the "
                       "characters or name a font that has them in formgen.toml [pdf] fonts",
                       len(missing)).format(fonts=fonts, named=named)
    if not font_package_installed():
        message = _("{message}, or install {package} (apt-get install {package})").format(message=message,
                                                                                        package=FONT_PACKAGE)
    return message


@functools.lru_cache(maxsize=1)
def _fetcher_class() -> type:
    """Made on first use: WeasyPrint is imported only when PDFs are rendered."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class SiteFetcher(URLFetcher):  # type: ignore[misc]
        """data: URLs and files inside `roots` only; everything else is refused before any request."""

        def __init__(self, roots: list[Path]) -> None:
            super().__init__(timeout=1, allowed_protocols={"data", "file"}, allow_redirects=False)
            self.roots = [root.resolve() for root in roots]
            self.refused: list[str] = []

        def fetch(self, url: str, headers: object = None) -> object:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()  # symbolic links resolved
                if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
            self.refused.append(url)
            raise FatalURLFetchingError(_("refused to fetch {url}").format(url=url))  # the fix is added by _fenced

    return SiteFetcher


def site_fetcher(roots: list[Path]) -> object:
    """A URL fetcher that reaches only files inside `roots`, and data: URLs."""
    return _fetcher_class()(roots)


@functools.lru_cache(maxsize=1)
def _font_config() -> object:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def layout_pdf(html: str, base: Path, roots: list[Path]) -> Any:
    """Lay one HTML document out into pages (a WeasyPrint Document), fetching only what `site_fetcher`
    allows. Raises FetchRefused for a refused URL."""
    import weasyprint

    with _fenced():
        document = weasyprint.HTML(string=html, base_url=base.resolve().as_uri() + "/",
                                   url_fetcher=site_fetcher(roots))
        return document.render(font_config=_font_config())


@dataclass(frozen=True)
class Fit:
    """How one form is fitted to its pages (`fit_form`): what its PDF's template is given.

    The default (nothing set) is the sheet as sheet.css and pdf.css draw it; a form needs more only where
    its first layout shows it: a figure wider than its column, a second page holding a little, a group
    of indicators running on to another page."""

    widths: tuple[tuple[str, str], ...] = ()
    """(column class, width in per cent of the table) of every column, where figures need other widths."""
    font: str = ""
    """The tables' font size in pt where it is made smaller to fit their figures ("" : sheet.css's)."""
    small: str = ""
    """The font size in pt of the small cells (原因, 备注) with `font`: never below `MIN_FONT_PT`."""
    tight: bool = False
    """The tighter style (smaller spacing) that keeps a form that just exceeds a page on one page."""
    starts: tuple[int, ...] = ()
    """The indicator rows (0-based) that begin a page after the first: their 一级/二级 cells are repeated
    there, marked 续."""

    def as_json(self) -> dict[str, Any]:
        """What the cache keeps of it (`from_json`)."""
        return {"widths": [list(pair) for pair in self.widths], "font": self.font, "small": self.small,
                "tight": self.tight, "starts": list(self.starts)}

    @classmethod
    def from_json(cls, value: object) -> Fit | None:
        """A fit the cache kept (`as_json`); None where it is not one (the form is then fitted again)."""
        if not isinstance(value, dict):
            return None
        widths, starts = value.get("widths"), value.get("starts")
        font, small, tight = value.get("font"), value.get("small"), value.get("tight")
        if not (isinstance(widths, list) and all(isinstance(pair, list) and len(pair) == 2
                                                 and all(isinstance(part, str) for part in pair) for pair in widths)
                and isinstance(starts, list) and all(type(start) is int for start in starts)
                and isinstance(font, str) and isinstance(small, str) and isinstance(tight, bool)):
            return None
        return cls(tuple((name, percent) for name, percent in widths), font, small, tight, tuple(starts))

    @property
    def style(self) -> str:
        """The CSS of this fit, after pdf.css."""
        rules = [f"table.form col.{name} {{ width: {percent}% !important; }}" for name, percent in self.widths]
        if self.font:
            rules.append(f"table.form {{ font-size: {self.font}pt; }} "
                         f"table.form td.small {{ font-size: {self.small}pt; }}")
        if self.tight:
            rules.append(TIGHT_STYLE)
        return "\n".join(rules)


MIN_FONT_PT = Decimal("8")
"""No text of a form's tables is made smaller than this to fit (a form of record stays legible)."""
_TABLE_FONT_PT = Decimal("9.5")
_SMALL_FONT_PT = Decimal("8.5")
"""sheet.css's font sizes of table.form and td.small, which `Fit.font` scales."""
_FONT_STEPS = (Decimal("0.95"), Decimal("0.9"), MIN_FONT_PT / _TABLE_FONT_PT)
_FEWEST_CHARACTERS = 4
"""A column gives columns whose figures need more its width down to this many characters of the table's
font (and what its own figures need): the labels of the side columns (一级指标) stay whole words."""
_PIXELS_PER_POINT = 96 / 72
TIGHT_STYLE = (".form-title { font-size: 16pt; } .form-year { margin: 0 0 .3rem; } "
               ".form-meta { margin: 0 0 .15rem; } table.form { line-height: 1.3; } "
               "table.form th, table.form td { padding: 1px 3px; } table.form td.conclusion { padding: 3px 6px; } "
               "table.form td.conclusion p { margin: .1em 0; } .form-note, .form-contact { margin: .25rem 0 0; }")
"""Spacing only: the same fonts, about a tenth less height, for a form whose last page would hold little."""
_LAST_PAGE_TRY_TIGHT = 0.4
"""A two-page form whose second page is filled less than this share is tried with `TIGHT_STYLE`."""
_MAX_PASSES = 4
"""Layouts of one form at most, however its rows move between pages."""


# WeasyPrint's and pypdf's internals, each used through one function below and nowhere else in formgen
# (tests/test_pdf_contract.py pins each; docs/pdf.md says which versions are supported and how that is
# proven). Checked against WeasyPrint 68.0 and 70.0 and pypdf 5.0.0 and 7.1.1: neither library offers a
# public way to do these things, so each names what it relies on for the next upgrade to check.


def _page_box(page: Any) -> Any:
    """The laid-out box tree of a WeasyPrint page: its content, and its margin boxes (running header,
    page number) as `MarginBox` children. WeasyPrint's public `Page` gives only its size, links, anchors
    and bookmarks; fitting a form measures its boxes, and a bundle swaps its margin boxes."""
    return page._page_box


def _page_of(box: Any) -> Any:
    """A WeasyPrint page made from a page box (as `Document.render` makes its pages): its links, anchors
    and bookmarks are gathered again from the boxes. The public API makes pages only by laying out."""
    from weasyprint.document import Page

    return Page(box)


@functools.lru_cache(maxsize=1)
def _box_classes() -> SimpleNamespace:
    """The classes of WeasyPrint's box tree that fitting and composing tell apart. WeasyPrint documents
    no box classes: they live in its layout modules."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    return SimpleNamespace(MarginBox=boxes.MarginBox, TableBox=boxes.TableBox, TableCellBox=boxes.TableCellBox,
                           TableRowBox=boxes.TableRowBox, TableRowGroupBox=boxes.TableRowGroupBox,
                           LineBox=boxes.LineBox, TextBox=boxes.TextBox, AbsolutePlaceholder=AbsolutePlaceholder)


def _with_margin_boxes(box: Any, frame: Any) -> Any:
    """Page box `box` with its own margin boxes replaced by those of page box `frame` (in place: margin
    boxes are positioned by the page alone, so a frame page's fit any page of the same size and margins)."""
    margin = _box_classes().MarginBox
    box.children = [child for child in box.children if not isinstance(child, margin)] + [
        child for child in frame.children if isinstance(child, margin)]
    return box


def _set_file_identifier(writer: Any, identifier: bytes) -> None:
    """Make `writer` (a pypdf PdfWriter) write `identifier` as both parts of the trailer's /ID, so
    that the same bundle gives the same bytes. pypdf's public API only makes a random one
    (`generate_file_identifiers`); its writer keeps the array as `_ID` and writes whatever it holds.
    An assignment to a renamed attribute would pass silently and the bytes would change from build to
    build: refuse instead."""
    from pypdf.generic import ArrayObject, ByteStringObject

    if not hasattr(writer, "_ID"):
        raise PdfUnavailable(_("pypdf {version} cannot write a reproducible document identifier: install the "
                               "version that formgen supports (pip install '{requirement}')").format(
            version=_installed("pypdf"), requirement=_requirement("pypdf")))
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])


def _installed(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _requirement(package: str) -> str:
    """formgen's requirement on `package` as installed (pyproject.toml's, e.g. ``pypdf<8,>=5.0``): the
    supported range is written there alone."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = requires("formgen") or []
    except PackageNotFoundError:
        wanted = []
    return next((line.split(";")[0].strip() for line in wanted
                 if re.split(r"[\s<>=!~;\[(]", line, maxsplit=1)[0].lower() == package), package)


def _boxes(box: Any) -> Iterator[Any]:
    """A laid-out box and every box inside it, in order; an absolutely positioned box's (the tables'
    visually hidden captions) not, since it is not where it appears."""
    placeholder = _box_classes().AbsolutePlaceholder
    yield box
    for child in getattr(box, "children", None) or ():
        if not isinstance(child, placeholder):
            yield from _boxes(child)


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None else []


def _form_tables(page: Any) -> Iterator[Any]:
    for box in _boxes(_page_box(page)):
        if isinstance(box, _box_classes().TableBox) and "form" in _classes(box):
            yield box


def _needs(document: Any) -> tuple[list[str], list[float], list[float], float]:
    """(column classes, widths, the width each column's unbreakable text needs, the table's width) in CSS
    pixels, from a laid-out form. Unbreakable: what is white-space: nowrap (the figures of `unbroken`,
    td.num); a cell spanning columns shares what its figures need over them, in proportion."""
    boxes = _box_classes()
    classes: list[str] = []
    widths: list[float] = []
    needs: list[float] = []
    for page in document.pages:
        for table in _form_tables(page):
            if not classes:
                columns = [column for group in table.column_groups for column in group.children]
                classes = [next((name for name in _classes(column) if name.startswith("c-")), "") for column in columns]
                widths = [float(column.width) for column in columns]
                needs = [0.0] * len(columns)
            for cell in _boxes(table):
                if not isinstance(cell, boxes.TableCellBox) or cell.grid_x + cell.colspan > len(widths):
                    continue
                widest = 0.0
                for line in _boxes(cell):
                    if isinstance(line, boxes.LineBox):
                        texts = [box for box in _boxes(line) if isinstance(box, boxes.TextBox)]
                        rigid = [box for box in texts if box.style["white_space"] in ("nowrap", "pre")]
                        if rigid and len(rigid) == len(texts):
                            widest = max(widest, max(b.position_x + b.width for b in texts)
                                         - min(b.position_x for b in texts))
                        elif rigid:
                            widest = max(widest, *(b.width for b in rigid))
                if not widest:
                    continue
                need = widest + cell.border_width() - cell.width + 1  # its padding and borders; a pixel to spare
                span = range(cell.grid_x, cell.grid_x + cell.colspan)
                total = sum(widths[index] for index in span)
                for index in span:
                    needs[index] = max(needs[index], need * widths[index] / total)
    return classes, widths, needs, sum(widths)


def _widths(document: Any, fit: Fit) -> Fit:
    """`fit` with column widths (and, where they cannot fit otherwise, a smaller font) that hold every
    figure of the form: columns whose figures need more take it from the others, down to
    `_FEWEST_CHARACTERS`; the font is made smaller in steps to `MIN_FONT_PT` only where that is not enough."""
    classes, widths, needs, table = _needs(document)
    if not widths or all(need <= width + 0.5 for need, width in zip(needs, widths, strict=True)) \
            or "" in classes or len(set(classes)) != len(classes):
        return fit
    chosen: list[float] = []
    for scale in (Decimal(1), *_FONT_STEPS):
        narrowest = float(_TABLE_FONT_PT * scale) * _PIXELS_PER_POINT * _FEWEST_CHARACTERS + 8  # and padding
        wanted = [max(width, need * float(scale)) for width, need in zip(widths, needs, strict=True)]
        excess = sum(wanted) - table
        slack = [0.0 if want > width else max(0.0, width - max(need * float(scale), narrowest))
                 for want, width, need in zip(wanted, widths, needs, strict=True)]
        if excess <= sum(slack) or scale == _FONT_STEPS[-1]:
            share = min(1.0, excess / sum(slack)) if sum(slack) else 0.0
            chosen = [want - give * share for want, give in zip(wanted, slack, strict=True)]
            break
    total = sum(chosen)
    percents = tuple((name, f"{width * 100 / total:.3f}") for name, width in zip(classes, chosen, strict=True))
    font = small = ""
    if scale != 1:
        font = f"{(_TABLE_FONT_PT * scale).quantize(Decimal('0.01'))}"
        small = f"{max(MIN_FONT_PT, (_SMALL_FONT_PT * scale).quantize(Decimal('0.01')))}"
    return replace(fit, widths=percents, font=font, small=small)


def _indicator_rows(document: Any) -> list[list[int]]:
    """The indicator rows (0-based, in the table's order) on each page."""
    boxes = _box_classes()
    order: dict[int, int] = {}
    pages: list[list[int]] = []
    for page in document.pages:
        rows: list[int] = []
        for table in _form_tables(page):
            if "form-indicators" not in _classes(table):
                continue
            for group in table.children:
                if isinstance(group, boxes.TableRowGroupBox) and group.element_tag == "tbody":
                    for row in group.children:
                        if isinstance(row, boxes.TableRowBox) and row.element_tag == "tr":
                            rows.append(order.setdefault(id(row.element), len(order)))
        pages.append(rows)
    return pages


def _starts(document: Any) -> tuple[int, ...]:
    """The indicator rows that begin a page after the first page of the indicators (a row split
    across pages begins none)."""
    starts: list[int] = []
    seen = -1
    for rows in _indicator_rows(document):
        if rows and seen >= 0 and rows[0] > seen:
            starts.append(rows[0])
        if rows:
            seen = max(seen, rows[-1])
    return tuple(starts)


def _last_page_fill(document: Any) -> float:
    """How much of its last page's height a document's content takes (0 to 1)."""
    box = _page_box(document.pages[-1])
    content = [child for child in box.children if not isinstance(child, _box_classes().MarginBox)]
    top = box.content_box_y()
    bottom = max((descendant.position_y + descendant.margin_height() for child in content
                  for descendant in _boxes(child) if hasattr(descendant, "margin_height")), default=top)
    return (bottom - top) / box.height if box.height else 1.0


def fit_form(html_for: Callable[[Fit], str], base: Path, roots: list[Path],
             known: Fit | None = None) -> tuple[Any, Fit]:
    """A form laid out to its pages (a WeasyPrint Document), and the `Fit` it was laid out with, from
    `html_for` (the form's PDF HTML with a `Fit`). With the fit a build found before for the same HTML
    (`known`), laid out once with it: layout is deterministic, so that is the document fitting found.
    Otherwise laid out once as it is, and again only where that layout shows a need, until nothing moves
    (at most `_MAX_PASSES` layouts):

    * figures wider than their columns: the columns are sized from the widest figure of each
      (`_widths`), the font made smaller only where the widths cannot hold them;
    * a second page holding a little: laid out with `TIGHT_STYLE`, kept if it is then one page;
    * indicators on several pages: the rows that begin each later page (`Fit.starts`) get the 一级 and
      二级 labels of their groups again, marked 续; that changes heights, so the pages are found again
      until they are those the labels were put at."""
    if known is not None:
        return layout_pdf(html_for(known), base, roots), known
    fit = Fit()
    document = layout_pdf(html_for(fit), base, roots)
    passes = 1
    widened = _widths(document, fit)
    if widened != fit:
        fit, document, passes = widened, layout_pdf(html_for(widened), base, roots), passes + 1
    if len(document.pages) == 2 and _last_page_fill(document) < _LAST_PAGE_TRY_TIGHT:
        tight = replace(fit, tight=True)
        tried = layout_pdf(html_for(tight), base, roots)
        passes += 1
        if len(tried.pages) == 1:
            return tried, tight
    while passes < _MAX_PASSES:
        starts = _starts(document)
        if starts == fit.starts:
            break
        fit = replace(fit, starts=starts)
        document, passes = layout_pdf(html_for(fit), base, roots), passes + 1
    return document, fit


def write_pdf(document: Any, *, variant: str | None = None, identifier: bytes | None = None) -> bytes:
    """The PDF of a laid-out document. Fonts are gathered while its pages are painted, each face once.
    Raises FetchRefused for a refused URL (attachments are fetched only now)."""
    with _fenced():
        return document.write_pdf(pdf_variant=variant, pdf_identifier=identifier,
                                  pdf_tags=variant == "pdf/ua-1", uncompressed_pdf=False)


def render_pdf(html: str, base: Path, roots: list[Path], environment: PdfEnvironment, *,
               variant: str | None = None, identifier: bytes | None = None) -> bytes:
    """One PDF from one HTML document. Raises FetchRefused for a refused URL."""
    return write_pdf(layout_pdf(html, base, roots), variant=variant, identifier=identifier)


def compose_pdf(forms: list[list[Any]], frame_html: str, base: Path, roots: list[Path], *,
                front_html: str | None = None, front_document: Any = None,
                identifier: bytes | None = None) -> tuple[bytes, Front | None]:
    """One PDF of pages already laid out (each form's, from `layout_pdf`) with other page decorations,
    after the pages of `front_html` (a bundle's cover and contents) where given, or of `front_document`,
    the same laid out already (`layout_pdf`).

    This is how a bundle reuses its forms' layout instead of laying them out again: `frame_html` lays
    out as many empty pages as there are form pages, each with the bundle's margin boxes (running
    header, page number across the bundle); each form page keeps its content and takes the margin
    boxes of its frame page. Margin boxes are positioned by the page alone, and both documents use the
    same page size and margins (checked). Bookmarks, anchors and internal links are taken out: the
    bundle's outline and the contents' links are added when the parts are joined (`join_pdfs`), as
    they may point into other parts. The forms' pages are changed in place: write their own PDFs
    first. Sharing one document, the front and the forms share their fonts."""
    pages = [page for form in forms for page in form]
    frame = layout_pdf(frame_html, base, roots) if pages else None
    if frame is None and front_html is None and front_document is None:
        raise ValueError("nothing to compose")
    if frame is not None and len(frame.pages) != len(pages):
        raise RuntimeError(f"the bundle's frame has {len(frame.pages)} pages for {len(pages)} form pages")
    composed = []
    for page, frame_page in zip(pages, frame.pages if frame is not None else [], strict=True):
        if (page.width, page.height) != (frame_page.width, frame_page.height):
            raise RuntimeError("the bundle's pages and its forms' pages differ in size: keep @page in pdf.css")
        decorated = _page_of(_with_margin_boxes(_page_box(page), _page_box(frame_page)))
        decorated.bookmarks, decorated.anchors = [], {}
        decorated.links = [link for link in decorated.links if link[0] == "external"]
        composed.append(decorated)
    if front_html is None and front_document is None:
        assert frame is not None
        return write_pdf(frame.copy(composed), identifier=identifier), None
    if front_document is None:
        front_document = layout_pdf(str(front_html), base, roots)
    front = _take_front(front_document)
    return write_pdf(front_document.copy(list(front_document.pages) + composed), identifier=identifier), front


@dataclass(frozen=True)
class Front:
    """The first pages of a bundle (cover, contents), as `compose_pdf` put them before a part's forms (or
    alone)."""

    pages: int
    links: tuple[tuple[int, tuple[float, float, float, float], str], ...]
    """(page index, rectangle in PDF points, anchor) of each link to a form: the anchors are in other
    parts, so the links are added when the parts are joined."""
    outline: tuple[tuple[str, int], ...]
    """(label, page index) of the front's own bookmarks (cover, contents)."""


_POINTS_PER_PIXEL = 0.75
"""PDF points per CSS pixel (72 / 96), WeasyPrint's scale at zoom 1."""


def _take_front(document: Any) -> Front:
    """The front's internal links and bookmarks, taken out of its pages for `join_pdfs`."""
    links, outline = [], []
    for index, page in enumerate(document.pages):
        outline += [(label, index) for _level, label, _target, _state in page.bookmarks]
        height = page.height * _POINTS_PER_PIXEL
        for kind, target, (x, y, link_width, link_height), _box in page.links:
            if kind == "internal":  # CSS pixels from the top left → PDF points from the bottom left
                links.append((index, (x * _POINTS_PER_PIXEL, height - (y + link_height) * _POINTS_PER_PIXEL,
                                      (x + link_width) * _POINTS_PER_PIXEL, height - y * _POINTS_PER_PIXEL), target))
        page.links = [link for link in page.links if link[0] != "internal"]
        page.bookmarks, page.anchors = [], {}
    return Front(len(document.pages), tuple(links), tuple(outline))


def is_pdf(path: Path) -> bool:
    """Whether `path` is a PDF that reads (pypdf), with at least one page: a file taken from elsewhere
    (a shard's output) is checked before it is published."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with open(path, "rb") as file:
            if file.read(5) != b"%PDF-":
                return False
            file.seek(0)
            return len(PdfReader(file).pages) > 0
    except (OSError, PyPdfError, ValueError, KeyError, TypeError, RecursionError):
        return False


def join_pdfs(documents: list[bytes], outline: list[tuple[str, int]],
              links: list[tuple[int, tuple[float, float, float, float], int]], *, lang: str,
              identifier: bytes) -> bytes:
    """One file of a bundle's documents, in order (pypdf): the metadata is the first's (the cover's);
    the outline is (title, page index); `links` are (page index, rectangle in PDF points, target page
    index). Each document keeps its own fonts: a face is embedded once per part, and parts bound the
    memory that a bundle of any size needs."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import ArrayObject, IndirectObject, NameObject, TextStringObject

    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(document)) for document in documents]
    for reader in readers:
        writer.append(reader, import_outline=False)
    if readers and readers[0].metadata is not None:
        writer.add_metadata(dict(readers[0].metadata))
    writer.root_object[NameObject("/Lang")] = TextStringObject(lang)
    for title, page_index in outline:
        writer.add_outline_item(title=title, page_number=page_index)
    for page_index, rectangle, target in links:
        destination = writer.add_annotation(page_index, Link(rect=rectangle, target_page_index=target))["/Dest"]
        if isinstance(destination, ArrayObject) and not isinstance(destination[0], IndirectObject):
            # pypdf before 6.19 writes the target as a page number, which is how a link names a page of
            # another file: a link inside the file names the page itself (ISO 32000-1, 12.3.2.2).
            destination[0] = writer.pages[target].indirect_reference
    _set_file_identifier(writer, identifier)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
