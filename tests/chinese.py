"""How Chinese a text is: CJK characters against Latin letters, as issue 12 measures formgen's output.

What a Chinese clerk also types in Latin letters is left out: file paths, key paths (``funds.total.executed``,
``indicators[4].weight``), option names (``--strict``), command lines and code in backquotes, units and
names that are Latin in Chinese too (``PDF``, ``YAML``, ``formgen``).
"""

from __future__ import annotations

import re

_LEFT_OUT = re.compile(
    r"`[^`]*`"                                   # code and commands in backquotes
    r"|--?[A-Za-z][\w-]*(?:[= ][A-Z_]+)?"        # options: --strict, --lang en, -h
    r"|\$?[A-Z][A-Z0-9_]{2,}"                    # environment variables and placeholders: FORMGEN_LANG, PATH
    r"|(?:[\w.-]*/)+[\w.@~-]*"                   # paths with a slash: content/2024/a.md, ../output
    r"|[\w-]+\.(?:md|toml|yaml|yml|html|pdf|json|csv|po|mo|xlsx|docx|txt|py)\b"  # file names
    r"|[A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*(?:\[\d+\])?)+"  # key paths: funds.total.executed
    r"|[A-Za-z_]\w*\[\d+\]"                      # indicators[4]
    r"|\b[a-z]+(?:_[a-z]+)+\b"                   # field keys: filled_on, budget_weight
    r"|\bformgen\b|\bPDF\b|\bYAML\b|\bHTML\b|\bUTF-8\b|\bGBK\b|\bCSV\b|\bJSON\b|\bgit\b|\bWPS\b|\bExcel\b"
    r"|https?://\S+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def counted(text: str) -> str:
    """The text with what is left out removed."""
    return _LEFT_OUT.sub(" ", text)


def chinese_share(text: str) -> float:
    """CJK characters / (CJK characters + Latin letters) of `text`, 1.0 for a text with neither."""
    rest = counted(text)
    cjk, latin = len(_CJK.findall(rest)), len(_LATIN.findall(rest))
    return cjk / (cjk + latin) if cjk + latin else 1.0
