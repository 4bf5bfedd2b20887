"""Text fidelity of the form pages against the published forms.

For each published form: its text with white space removed, against the text of our form page's
sheet (the official table) with white space removed, as the share of the reference's characters
that our page reproduces in order (difflib's matching blocks). The published text comes from a PDF
whose cells wrap and interleave, so 100% is not expected; what is lost is cell order where the PDF's
reading order differs from the table's (for example a reason printed after its row's neighbours).
"""

from __future__ import annotations

import difflib

import pytest

from generator.build import build_site
from generator.config import SiteConfig

from .conftest import CONTENT, REFERENCE
from .htmltools import sheet_text, squash
from .reference import published_forms

THRESHOLD = 0.98
"""The lowest share any of the ten forms may reach. Measured: 0.9838 (form 2) to 1.0000 (forms 9, 10);
`pytest tests/test_fidelity.py -s` prints them."""

def in_order_share(reference: str, ours: str) -> float:
    matcher = difflib.SequenceMatcher(None, reference, ours, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(reference)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = build_site([CONTENT], SiteConfig(), tmp_path_factory.mktemp("fidelity") / "out").out
    return {path.stem: path.read_text(encoding="utf-8") for path in (out / "forms").glob("*.html")}


def test_each_form_page_reads_like_the_published_form(pages):
    published = published_forms(REFERENCE / "pingtang-court-2024.txt")
    shares = {}
    for slug, html in pages.items():
        text = sheet_text(html)
        candidates = [form for form in published if squash(form.title) in text
                      and f"年度资金总额：{form.initial}{form.budget}{form.executed}" in text]
        assert len(candidates) == 1, slug
        reference = "项目支出绩效目标自评表" + squash(candidates[0].text)
        shares[slug] = in_order_share(reference, text)
    print("\n".join(f"{share:.4f} {slug}" for slug, share in sorted(shares.items(), key=lambda item: item[1])))
    assert len(shares) == 10
    assert min(shares.values()) >= THRESHOLD, shares
