"""Markdown texts (the 自评结论) → sanitized HTML.

Published pages are public: whatever HTML a form's Markdown contains, only an allowlist of harmless
tags and attributes survives (nh3, the Rust `ammonia` sanitizer). Scripts, event handlers, styles,
iframes and `javascript:` links are removed; links get ``rel="noopener noreferrer"``. Images are not
allowed in the body.
"""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

__all__ = ["to_html"]

_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "del", "sup", "sub", "code", "pre", "blockquote", "hr",
         "ol", "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a"}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}

_converter = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")


def to_html(text: str) -> Markup:
    """Render Markdown and keep only the allowlisted HTML."""
    html = _converter.reset().convert(text)
    return Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                            link_rel="noopener noreferrer"))
