"""Markdown texts (the 自评结论) → sanitized HTML, and what the checks need to know about that HTML.

Published pages are public: whatever HTML a form's Markdown contains, only an allowlist of harmless
tags and attributes survives (nh3, the Rust `ammonia` sanitizer). Scripts, event handlers, styles,
iframes, images and every URL scheme but ``mailto:`` are removed; links get
``rel="noopener noreferrer"``.

The checks look at HTML, never at Markdown syntax: `links` reads every URL of the HTML that Markdown
makes of the text (reference-style links, autolinks, raw HTML, character references, ``srcset``,
CSS ``url()``…) and of the published HTML, so that no way of writing a link escapes them;
`unclosed_elements` and `dropped_text` say where sanitizing would silently lose text.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from markupsafe import Markup

__all__ = ["Link", "dropped_text", "links", "locate_link", "settings", "to_html", "unclosed_elements"]

_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "del", "sup", "sub", "code", "pre", "blockquote", "hr",
         "ol", "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a"}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"mailto"}
"""URL schemes a published link may have. Not http(s): a link out of the site is an error (link-external),
and a PDF must never be given anything that fetches from the network; relative links stay."""

EXTENSIONS = ("sane_lists", "tables")
"""Markdown's extensions for the texts: part of every page's key (`settings`), as the filter's lists are."""
_converter = markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")


def settings() -> str:
    """Everything besides a text that decides its HTML: Markdown's extensions and the filter's allowlists
    (the libraries' versions are in the build's key: `state.code_fingerprint`). Stable text, for keys."""
    return json.dumps({"extensions": list(EXTENSIONS), "tags": sorted(_TAGS),
                       "attributes": {tag: sorted(names) for tag, names in sorted(_ATTRIBUTES.items())},
                       "schemes": sorted(_SCHEMES)}, ensure_ascii=False, sort_keys=True)


@functools.lru_cache(maxsize=4)
def _markdown(text: str) -> str:
    """The HTML Markdown makes of a text, before sanitizing (raw HTML passes through). Kept for the
    last few texts: the checks read a conclusion's HTML several ways, then its page renders it."""
    return _converter.reset().convert(text)


@functools.lru_cache(maxsize=4)
def _published(text: str) -> str:
    return nh3.clean(_markdown(text), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer")


def to_html(text: str) -> Markup:
    """Render Markdown and keep only the allowlisted HTML."""
    return Markup(_published(text))


@dataclass(frozen=True)
class Link:
    """A URL in the HTML of a text, with what locates it in the Markdown."""

    target: str
    """The URL as a browser or WeasyPrint would read it: character references decoded, tabs and
    line breaks taken out, surrounding spaces and controls trimmed (the URL standard's clean-up)."""
    text: str
    """The link's text, or an image's alt text ("" where there is none)."""
    tag: str = ""
    """The element it is an attribute of (``a``, ``img``): an image is not published at all."""


_URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "poster", "data", "action", "formaction", "background",
                             "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "codebase", "archive", "usemap",
                             "icon", "profile", "ping"})
"""Attributes whose whole value is a URL (``ping`` is a list: its first one is enough to report)."""
_SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_CSS_URL = re.compile(r"url\(\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\s]*))|@import\s*(?:\"([^\"]*)\"|'([^']*)')|"
                      r"image(?:-set)?\(\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\"\s]+)", re.I)
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _clean_url(value: str) -> str:
    """A URL as browsers read it: tabs and line breaks anywhere removed, controls and spaces around trimmed."""
    return _URL_NOISE.sub("", value).strip(_C0_AND_SPACE)


def _css_unescape(css: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            point = int(match.group(1), 16)
            return chr(point) if 0 < point <= 0x10FFFF else "\ufffd"
        return match.group(2)

    return _CSS_ESCAPE.sub(one, css)


def _css_urls(css: str) -> list[str]:
    return [next(group for group in match.groups() if group is not None)
            for match in _CSS_URL.finditer(_css_unescape(css))]


class _Reader(HTMLParser):
    """The URLs and the text of an HTML fragment, as a browser sees them."""

    _HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.text: list[str] = []
        self._hidden: str | None = None
        self._waiting: list[int] = []
        """Links still without text: the next text read is theirs."""

    def _add(self, target: str, text: str, tag: str = "") -> None:
        self.links.append(Link(_clean_url(target), text, tag))
        if not text:
            self._waiting.append(len(self.links) - 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        text = values.get("alt", "")
        for name, value in values.items():
            if name in _URL_ATTRIBUTES:
                self._add(value.split()[0] if name == "ping" and value.split() else value, text, tag)
            elif name in _SRCSET_ATTRIBUTES:
                for candidate in value.split(","):
                    if candidate.split():
                        self._add(candidate.split()[0], text, tag)
            elif name == "style":
                for url in _css_urls(value):
                    self._add(url, text)
            elif name == "content" and tag == "meta" and (refresh := _REFRESH.search(value)):
                self._add(refresh.group(1), text)
        if tag in self._HIDDEN:
            self._hidden = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden:
            self._hidden = None

    def handle_data(self, data: str) -> None:
        if self._hidden == "style":
            for url in _css_urls(data):
                self._add(url, "")
        if self._hidden is not None:
            return
        self.text.append(data)
        if self._waiting and data.strip():
            for index in self._waiting:
                self.links[index] = Link(self.links[index].target, data.strip(), self.links[index].tag)
            self._waiting = []


@functools.lru_cache(maxsize=4)
def _read(html: str) -> _Reader:
    """The URLs and text of an HTML fragment (kept for the last few: the checks read each twice)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


_MAY_HOLD_URLS = re.compile(r"<[a-z][^>]*=|<style", re.I)
"""A tag with an attribute (a URL is always in one) or a style sheet: HTML without either holds no URL,
and needs no parsing."""


def _plain(text: str) -> bool:
    """Markdown without ``<`` or ``[`` makes no link, no image, no raw HTML: only the allowlisted tags of
    paragraphs, lists, emphasis and tables, which the sanitizer keeps. Nearly every conclusion is such
    text, and the checks then need not make its HTML at all (a build that reuses every page makes none)."""
    return "<" not in text and "[" not in text


def links(text: str) -> list[Link]:
    """Every URL of a Markdown text: in the HTML Markdown makes of it (including what the sanitizer
    will remove, such as images and ``javascript:`` links), then those of the published HTML that
    differ (where the sanitizer reads the HTML otherwise), in the order written."""
    if _plain(text) or not _MAY_HOLD_URLS.search(_markdown(text)):
        return []
    written = _read(_markdown(text)).links
    seen = {link.target for link in written}
    return written + [link for link in _read(_published(text)).links if link.target not in seen]


def locate_link(text: str, link: Link, start: int = 0) -> int:
    """Where a link is in the Markdown (an offset, from `start` on where possible): its text as Markdown
    writes it (``[文件]``), else its URL as written, else its text; 0 (the first line) if none is found."""
    for origin in (start, 0):
        for needle in (f"[{link.text}]" if link.text else "", link.target, link.text):
            found = text.find(needle, origin) if needle else -1
            if found >= 0:
                return found
    return 0


_SWALLOWING = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext", "svg",
             "math", "template")
"""Elements whose content a sanitizer drops or shows as markup up to their end tag: unclosed, they
swallow the rest of the text (``plaintext`` has no end tag at all)."""


def _first_unclosed(html: str, name: str) -> int | None:
    """The offset of the first opening tag of `name` that no end tag follows, from which the rest is
    swallowed (None: every one is closed)."""
    closings = [match.start() for match in re.finditer(rf"</{name}[\s>]", html, re.I)]
    openings = [match.start() for match in re.finditer(rf"<{name}[\s/>]", html, re.I)]
    unclosed = [opening for opening in openings if not closings or opening > closings[-1]]
    return unclosed[0] if unclosed else None


def unclosed_elements(text: str) -> list[tuple[str, int]]:
    """(element, offset of its opening tag in the Markdown) of each HTML element or comment (``<!--``)
    that is opened and never closed, so that the text after it would not be published as written."""
    if _plain(text):
        return []
    html = _markdown(text)
    found = []
    for name in _SWALLOWING:
        if _first_unclosed(html, name) is not None:
            found.append((name, _first_unclosed(text, name) or 0))
    opening = html.rfind("<!--")
    if opening >= 0 and "-->" not in html[opening:]:
        found.append(("!--", max(text.rfind("<!--"), 0)))
    return sorted(found, key=lambda item: item[1])


_SPACE = re.compile(r"\s+")
_BLOCK = 4096


def _common_prefix(first: str, second: str) -> int:
    """The length of the longest common prefix (compared a block at a time: texts may be long)."""
    same = 0
    while same < min(len(first), len(second)) and first[same:same + _BLOCK] == second[same:same + _BLOCK]:
        same += _BLOCK
    same = min(same, len(first), len(second))
    while same < min(len(first), len(second)) and first[same] == second[same]:
        same += 1
    return same


def dropped_text(text: str) -> tuple[str, int] | None:
    """The first text of the Markdown that its published HTML does not show as written (dropped with
    a tag the sanitizer removes, or shown as markup): (a short quote of it, its offset in the
    Markdown, 0 where it cannot be found). None where every visible character is published."""
    if _plain(text) or _published(text) == _markdown(text):  # the sanitizer changes nothing
        return None
    written = _SPACE.sub("", "".join(_read(_markdown(text)).text))
    published = _SPACE.sub("", "".join(_read(_published(text)).text))
    if written == published:
        return None
    same = _common_prefix(written, published)
    quote = written[same:same + 12] or published[same:same + 12]
    for length in (len(quote), 4, 1):
        found = text.find(quote[:length])
        if found >= 0:
            return quote, found
    return quote, 0
