"""Full-width digits, letters and punctuation are read as their half-width selves (``６００`` is 600) by NFKC
normalisation, which formgen reaches by a faster route (values.nfkc): it must give exactly what NFKC gives."""

from __future__ import annotations

import random
import unicodedata

import pytest

from generator.values import nfkc, normalize


@pytest.mark.parametrize(("text", "expected"), [
    ("执行率为８７．５％，", "执行率为87.5%,"), ("weight：10", "weight:10"), ("　缩进", " 缩进"),
    ("（一）ＸＸ单位", "(一)XX单位"), ("Ａ\u0300", "À"),  # a full-width letter with an accent: one letter
    ("①项", "1项"), ("５㎡", "5m2"), ("ｶﾞ", "ガ"), ("已经规范", "已经规范"), ("", ""),
])
def test_full_width_text_reads_as_half_width(text: str, expected: str) -> None:
    assert nfkc(text) == expected == unicodedata.normalize("NFKC", text)


def test_normalize_trims_what_nfkc_gives() -> None:
    assert normalize("　９５％以上 ") == "95%以上"


def test_nfkc_is_unicode_nfkc_on_random_mixtures() -> None:
    # Full-width forms next to combining marks, half-width kana and their voicing marks, Hangul jamo, and other
    # compatibility characters: where a shortcut could part from NFKC.
    alphabet = "a，：（）Ａ１ｶﾞﾟ\u3000e\u0301\u0327\u0300\u3099ｶ한\u1100\u1161\u11a8ℌ①½㍐。、“”率"
    rng = random.Random(12)
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
