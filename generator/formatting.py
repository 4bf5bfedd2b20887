"""The one place where computed figures become text, exactly as the official form prints them.

Rules (rules.md S9, observed in the published forms):

* scores: integers bare (``10``, ``100``), others with two decimals (``7.09``, ``97.10``);
* rates: always two decimals (``70.93``, ``100.00``);
* money on the form: thousands separators, two decimals only when there are fen (``845,371.59``, ``60,000``);
* money in the data feed: the same number without separators (``845371.59``, ``60000``), so that
  spreadsheets and scripts read it as a number.

Figures arrive already rounded by the scoring (ROUND_HALF_UP); formatting never rounds again
except to cut trailing zeros of an integral value.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["money", "money_plain", "plain", "rate", "score"]


def _is_integral(value: Decimal) -> bool:
    return value == value.to_integral_value()


def score(value: Decimal) -> str:
    """``10``, ``7.09``, ``97.10``."""
    if _is_integral(value):
        return f"{value.to_integral_value():f}"
    return f"{value.quantize(Decimal('0.01')):f}"


def rate(value: Decimal) -> str:
    """A percentage with two decimals: ``70.93``, ``100.00``."""
    return f"{value.quantize(Decimal('0.01')):f}"


def money(value: Decimal) -> str:
    """``845,371.59``, ``60,000``."""
    if _is_integral(value):
        return f"{value.to_integral_value():,f}"
    return f"{value.quantize(Decimal('0.01')):,f}"


def money_plain(value: Decimal) -> str:
    """``845371.59``, ``60000``: the feed's machine-readable money."""
    if _is_integral(value):
        return f"{value.to_integral_value():f}"
    return f"{value.quantize(Decimal('0.01')):f}"


def plain(value: Decimal) -> str:
    """A number in a message, as short as it is exact: ``5``, ``4.5``, ``599619.76``."""
    return f"{value.normalize():f}"
