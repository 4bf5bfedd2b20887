"""Small helpers to read built HTML in tests (standard library only)."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0
        self._inside: list[str] = []
        self.scoped_text: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        for name in ("href", "src"):
            value = attributes.get(name)
            if value is not None:
                self.links.append((tag, name, value))
        if tag in ("script", "style", "title"):
            self._skip += 1
        classes = (attributes.get("class") or "").split()
        self._inside.append("sheet" if "sheet" in classes else tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip = max(self._skip - 1, 0)
        if self._inside:
            self._inside.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if "sheet" in self._inside:
            self.scoped_text.setdefault("sheet", []).append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def sheet_text(html: str) -> str:
    """The visible text of the form sheet (the official table), white space removed."""
    return re.sub(r"\s+", "", "".join(parse(html).scoped_text.get("sheet", [])))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def level_label(name: str, points: int) -> str:
    """A 一级/二级指标 cell's text as the sheet prints it with its points: 产出指标, then (50分) on a line of its
    own, kept whole (a figure)."""
    return f'{name}<br><span class="fig">({points}分)</span>'
