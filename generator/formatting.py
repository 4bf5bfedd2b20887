"""The one place where computed figures become text, exactly as the official form prints them.

Rules (rules.md S9, observed in the published forms):

* scores: integers bare (``10``, ``100``), others with the scheme's ``score_decimals`` (two by default:
  ``7.09``, ``97.10``; one: ``7.1``);
* rates: always the scheme's ``rate_decimals`` (two by default: ``70.93``, ``100.00``; none: ``86``);
* money on the form: thousands separators, two decimals only when there are fen (``845,371.59``, ``60,000``);
* money in the data feed: the same number without separators (``845371.59``, ``60000``), so that
  spreadsheets and scripts read it as a number.

Figures arrive already rounded by the scoring (ROUND_HALF_UP); formatting never rounds again
except to cut trailing zeros of an integral value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["COMPUTED_NOTE", "DEFAULT_PLACES", "Places", "amount", "decimals_of", "money", "money_exact", "money_plain",
           "plain", "rate", "score"]

COMPUTED_NOTE = "计算值"
"""What a published form's page, PDF and Word table print before formgen's figure, under the figure the
form states where the two differ (`render.html.FormView.figure`); the importer reads the one above it."""

DEFAULT_PLACES = 2
"""Decimals of scores and rates unless a scheme says otherwise: the reference forms print two (rules.md S9)."""


def _is_integral(value: Decimal) -> bool:
    return value == value.to_integral_value()


def _step(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def decimals_of(value: Decimal) -> int:
    """How many decimals a number is written with (``86.20`` → 2, ``9`` → 0)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def score(value: Decimal, places: int = DEFAULT_PLACES) -> str:
    """``10``, ``7.09``, ``97.10``; with one place ``7.1``."""
    if _is_integral(value):
        return f"{value.to_integral_value():f}"
    return f"{value.quantize(_step(places)):f}"


def rate(value: Decimal, places: int = DEFAULT_PLACES) -> str:
    """A percentage with `places` decimals: ``70.93``, ``100.00``; with none ``86``."""
    return f"{value.quantize(_step(places)):f}"


@dataclass(frozen=True)
class Places:
    """The decimals a scheme prints scores and rates with (``score_decimals``, ``rate_decimals``): the
    formatter of a form's figures, so that every page, PDF, feed and message prints them alike."""

    score: int = DEFAULT_PLACES
    rate: int = DEFAULT_PLACES

    def show_score(self, value: Decimal) -> str:
        return score(value, self.score)

    def show_rate(self, value: Decimal) -> str:
        return rate(value, self.rate)


def amount(value: Decimal, places: int = 2, *, always: bool = False, grouped: bool = True) -> str:
    """An amount rounded half up to `places` decimals, with thousands separators where `grouped`; a whole
    amount without decimals unless `always`. Every amount formgen prints is written here: `money`,
    `money_plain` and a profile's `MoneyFormat.show` are this with their settings."""
    rounded = value.quantize(_step(places), rounding=ROUND_HALF_UP)
    if not always and _is_integral(rounded):
        rounded = rounded.to_integral_value()
    return f"{rounded:,f}" if grouped else f"{rounded:f}"


def money(value: Decimal) -> str:
    """``845,371.59``, ``60,000``."""
    return amount(value)


def money_plain(value: Decimal) -> str:
    """``845371.59``, ``60000``: the feed's machine-readable money."""
    return amount(value, grouped=False)


def money_exact(value: Decimal) -> str:
    """An amount in a message: never rounded, at least two decimals where it has any (``84.5372``)."""
    if _is_integral(value):
        return f"{value.to_integral_value():,f}"
    return f"{value.quantize(_step(max(2, decimals_of(value.normalize())))):,f}"


def plain(value: Decimal) -> str:
    """A number in a message, as short as it is exact: ``5``, ``4.5``, ``599619.76``."""
    return f"{value.normalize():f}"
