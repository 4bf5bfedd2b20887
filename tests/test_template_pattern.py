"""Which texts left in a cell are the template's (template-text): the pattern is written for speed, so each kind
of placeholder it must and must not take is checked here, with what it takes as the finding quotes it."""

from __future__ import annotations

import pytest

from generator.checks import _TEMPLATE_TEXT


@pytest.mark.parametrize(("text", "quoted"), [
    ("XX县人民法院", "XX"), ("xx", "xx"), ("xX单位", "xX"), ("XXX", "XXX"), ("第XX项", "XX"), ("(XX)", "XX"),
    ("××县", "××"), ("×××", "×××"), ("○○○", "○○○"), ("请填写项目名称", "请填写"), ("此处填写", "此处填写"),
    ("填表说明：", "填表说明"), ("（填写说明）", "填写说明"), ("请输入", "请输入"), ("请在此处", "请在此"),
    ("XXL XX", "XX"),  # the first XX is part of a word; the second stands alone
    ("Xx2020年", "Xx"),  # a digit ends a placeholder as a space does
])
def test_a_template_text_is_found_and_quoted(text: str, quoted: str) -> None:
    match = _TEMPLATE_TEXT.search(text)
    assert match is not None and match.group(0) == quoted


@pytest.mark.parametrize("text", ["MAXX", "XXL", "AxxB", "X", "x 项", "×", "○", "1×2", "请", "填写", "说明",
                                  "3XXa"])
def test_other_text_is_not_taken_for_the_template(text: str) -> None:
    assert _TEMPLATE_TEXT.search(text) is None
