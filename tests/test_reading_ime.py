"""Every form's front matter is first asked whether it may hold an input method's slip at all; that question is
answered by a faster route than the pattern that finds the slips on a line. A front matter the fast route
wrongly calls clean would have its slips go unreported, so the two must agree on every text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from generator.reading import _SUSPECT, _suspect

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests" / "bad").rglob("*.md")) + sorted((ROOT / "content").rglob("*.md"))


@pytest.mark.parametrize("text", [
    "title:　电力", "　title: 电力", "- ｛name: 甲｝", "－ name: 甲",  # full-width space, brace, dash
    "weight：10", "weight ：10", "a_1：x", "9：x", "年份：2024",  # a key's full-width colon (not 9 or 年份)
    "{name: 甲，weight: 5}", "，  weight",  # a full-width comma before a key
    "{名称：甲}", ",  指标名称（一）  ：", "{" + "名" * 12 + "：", "{" + "名" * 13 + "：",  # a label in a row: ≤ 12
    "weight:10", "  - name:甲", "\tweight:10", "text: 8:30", "- x: http://a",  # no space after a key's colon
    "{name: 甲,weight:5}", "{name: 甲, weight:}", "a: b", "",
])
def test_the_fast_test_agrees_on_each_kind_of_slip(text: str) -> None:
    assert _suspect(text) == bool(_SUSPECT.search(text))


def test_the_fast_test_agrees_on_every_form_of_the_repository() -> None:
    fronts = [path.read_text(encoding="utf-8", errors="replace").split("---")[1:2] for path in FILES]
    assert sum(bool(_SUSPECT.search(front[0])) for front in fronts if front) >= 10  # slips among them
    for front in fronts:
        if front:
            assert _suspect(front[0]) == bool(_SUSPECT.search(front[0]))


def test_the_fast_test_agrees_on_random_texts_of_the_characters_that_matter() -> None:
    alphabet = "ab_Z09 \t\n-－:：,，{｛}（()　名"
    rng = random.Random(12)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert _suspect(text) == bool(_SUSPECT.search(text)), repr(text)
