"""The only module that imports WeasyPrint: the environment check, fonts, the URL fetcher, options.

An upgrade of WeasyPrint touches this file alone. What it guarantees:

* **Fonts.** The CJK fonts are found through fontconfig (Debian's ``fonts-noto-cjk`` by default, or
  the families a site names in formgen.toml) and subset with HarfBuzz. Without HarfBuzz's subset
  library WeasyPrint silently falls back to fontTools, about 40 times slower, so formgen refuses to
  render PDFs then, naming the package. A character that the fonts in use cannot draw fails the form
  (a PDF of record never shows a missing glyph).
* **Fetching.** WeasyPrint fetches nothing but ``data:`` URLs and files inside the site's folders
  (after resolving symbolic links); anything else — the network, loopback included, and files
  elsewhere — is refused and stops the rendering.
* **Reproducible output.** Dates come from the form's 填报日期, never the clock; the PDF identifier
  from the content; two builds of the same input give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import FormgenError

__all__ = ["FetchRefused", "PdfEnvironment", "PdfUnavailable", "check_environment", "missing_glyphs", "render_pdf",
           "site_fetcher"]

FONT_PACKAGE = "fonts-noto-cjk"
HARFBUZZ_PACKAGE = "libharfbuzz-subset0"
DEFAULT_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
VARIANTS = ("pdf/a-3b", "pdf/ua-1")


class PdfUnavailable(FormgenError):
    """PDFs cannot be rendered on this machine; the message names what to install."""


class FetchRefused(Exception):
    """A URL the PDF may not fetch."""


@dataclass(frozen=True)
class PdfEnvironment:
    """What rendering needs, checked once per process."""

    fonts: tuple[str, ...]
    """Font families, in order of preference."""
    font_files: tuple[str, ...]
    coverage: frozenset[int] = field(repr=False)
    """Every code point the fonts can draw."""
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


@functools.lru_cache(maxsize=4)
def check_environment(fonts: tuple[str, ...] = DEFAULT_FONTS) -> PdfEnvironment:
    """Refuse to render PDFs unless HarfBuzz can subset and the fonts are installed."""
    try:
        import weasyprint
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except OSError as error:  # Pango or HarfBuzz missing
        raise PdfUnavailable(f"WeasyPrint cannot load its libraries ({error}): install libpango-1.0-0 and "
                             f"{HARFBUZZ_PACKAGE} (make build does)") from None
    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        raise PdfUnavailable(f"HarfBuzz's subset library is missing: install {HARFBUZZ_PACKAGE} (apt-get install "
                             f"{HARFBUZZ_PACKAGE}); without it fonts are subset about 40 times slower")
    files = tuple(file for file in map(_font_file, fonts) if file)
    if not files:
        raise PdfUnavailable(f"no CJK font found for {', '.join(fonts)}: install {FONT_PACKAGE} "
                             f"(apt-get install {FONT_PACKAGE}) or name installed fonts in formgen.toml")
    fingerprint = hashlib.sha256(weasyprint.__version__.encode("utf-8"))
    for name in files:
        with open(name, "rb") as font:
            fingerprint.update(hashlib.file_digest(font, "sha256").digest())
    return PdfEnvironment(fonts, files, _coverage(files), weasyprint.__version__, fingerprint.hexdigest())


def missing_glyphs(text: str, environment: PdfEnvironment) -> list[str]:
    """Characters of `text` that none of the fonts can draw (white space and controls aside)."""
    return sorted({char for char in text if not char.isspace() and ord(char) >= 32
                   and ord(char) not in environment.coverage})


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
            raise FatalURLFetchingError(f"refused to fetch {url}: only data: URLs and files inside the site")

    return SiteFetcher


def site_fetcher(roots: list[Path]) -> object:
    """A URL fetcher that reaches only files inside `roots`, and data: URLs."""
    return _fetcher_class()(roots)


@functools.lru_cache(maxsize=1)
def _font_config() -> object:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(html: str, base: Path, roots: list[Path], environment: PdfEnvironment, *,
               variant: str | None = None, identifier: bytes | None = None) -> bytes:
    """One PDF from one HTML document. Raises FetchRefused for a refused URL, ValueError for a glyph
    the fonts cannot draw."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = site_fetcher(roots)
    try:
        document = weasyprint.HTML(string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(font_config=_font_config(), pdf_variant=variant, pdf_identifier=identifier,
                                  pdf_tags=variant == "pdf/ua-1", uncompressed_pdf=False)
    except FatalURLFetchingError as error:
        raise FetchRefused(str(error)) from None
