"""The public data feed: every form with its computed figures, as plain JSON-ready data.

Documented in docs/feed.md. Scores and rates are strings formatted exactly as the form prints them
(``"70.93"``, ``"7.09"``, ``"100"``); money is a string with the amount in 元 without separators
(``"845371.59"``), so that no consumer ever parses a float. A form whose profile is in 万元 is
converted (× 10,000, exact), so that every form's amounts add up; its funding rows are its profile's.
"""

from __future__ import annotations

from typing import Any

from . import formatting, published
from .config import SiteConfig
from .model import Status
from .pipeline import Entry, Site
from .profile import Profile
from .scoring import Method, ScoredForm

__all__ = ["FEED_VERSION", "feed_document", "form_record", "site_feed"]

FEED_VERSION = 1


def _funds(scored: ScoredForm, profile: Profile) -> dict[str, dict[str, str | None]]:
    """Every row and column of the funding table, in the model's order, amounts in 元; each row's ``rate`` where
    the profile prints one per row (null without budget), its ``reason`` where it has a reason column, and its
    ``weight`` (分值) and ``score`` (得分) where the row carries its own 分值."""
    funds, factor = scored.form.funds, profile.money.factor
    table: dict[str, dict[str, str | None]] = {}
    for name in type(funds).model_fields:
        row = getattr(funds, name)
        table[name] = {column: value if column == "reason" else formatting.money_plain(value * factor)
                       for column in type(row).model_fields if (value := getattr(row, column)) is not None}
        if profile.layout.funds_row_rate:
            rate = profile.layout.row_rate(scored.fund_rates.get(name))
            table[name]["rate"] = None if rate is None else scored.places.show_rate(rate)
        if name in scored.fund_scores:
            table[name]["weight"] = formatting.score(profile.fund_weights[name])
            table[name]["score"] = scored.places.show_score(scored.fund_scores[name])
    return table


def form_record(entry: Entry) -> dict[str, Any]:
    """One form of the feed."""
    scored = entry.scored
    assert scored is not None, "only scored forms are exported"
    form = scored.form
    profile = entry.profile or Profile()
    record: dict[str, Any] = {
        "slug": entry.slug,
        "title": form.title,
        "year": form.year,
        "unit": form.implementer,
        "department": {"code": form.department.code, "name": form.department.name},
        "filled_on": filled.isoformat() if (filled := getattr(form, "filled_on", None)) else "",
        "funds": _funds(scored, profile),
        "budget_weight": formatting.score(scored.budget_weight),
        "execution_rate": scored.places.show_rate(scored.execution_rate),
        "budget_score": scored.places.show_score(scored.budget_score),
        "execution_reason": form.execution_reason,
        "goals": {"expected": form.goals.expected, "actual": form.goals.actual},
        "indicators": [
            {
                "level1": result.indicator.level1,
                "level2": result.indicator.level2,
                "name": result.indicator.name,
                "target": result.indicator.target_figure,
                "actual": result.indicator.actual_figure,
                # An empty template row (指标2:) has no points: null, as an unscored form's.
                **({"weight": None, "score": None} if result.method is Method.PLACEHOLDER else
                   {"weight": formatting.score(result.indicator.weight),
                    "score": scored.places.show_score(result.score)}),
                "method": result.method.value,
                "reason": getattr(result.indicator, "reason", ""),  # nor a reason column
                "note": getattr(result.indicator, "note", ""),  # a profile may have no 备注 column
            }
            for result in scored.indicators
        ],
        "subtotals": {name: scored.places.show_score(value) for name, value in scored.subtotals.items()},
        "total": scored.places.show_score(scored.total),
        "grade": scored.grade,
        "conclusion": entry.document.body,
        "contact": getattr(form, "contact", ""),
        **{key: getattr(form, key) for key in profile.fields.extra},  # only the fields its profile has
        **{key: None if (value := getattr(form, key)) is None else formatting.score(value)
           for key in profile.fields.footer},
        "findings": [finding.as_dict() for finding in entry.findings],
    }
    for key in ("filled_on", "contact"):
        if not profile.fields.present(key):  # the profile's form has no such field: neither has its record
            del record[key]
    printed = published.printed(scored, profile)
    record = record if printed is None else _as_published(record, printed, profile)
    return record if scored.scored else _unscored(record)


def _unscored(record: dict[str, Any]) -> dict[str, Any]:
    """An unscored form's record (``weights = "none"``): its keys are every form's, so that a reader handles one
    shape, and each figure of points is null, since the form has none (docs/feed.md)."""
    rows = [{**row, "weight": None, "score": None} for row in record["indicators"]]
    return {**record, "budget_weight": None, "budget_score": None, "indicators": rows, "subtotals": {},
            "total": None, "grade": None}


def _as_published(record: dict[str, Any], printed: published.Printed, profile: Profile) -> dict[str, Any]:
    """A published form's record: its figures as printed, with ``stated`` and ``computed`` naming each
    printed figure formgen computes otherwise (keys as in the form file: ``total``, ``indicators[3].score``).
    Drafts get none of these keys, so that their records stay as they were."""
    # A figure printed empty (an unfilled copy) is null, as a figure the form does not have.
    figures = {key: figure or None for key, figure in printed.figures.items()}
    rows = [{**row, "score": figures.get(f"indicators[{number}].score", row["score"])}
            for number, row in enumerate(record["indicators"], start=1)]
    funds = {name: {column: _printed_fund(printed, profile, f"funds.{name}.{column}", value)
                    for column, value in row.items()} for name, row in record["funds"].items()}
    return {**record, "status": Status.PUBLISHED.value, "funds": funds, "execution_rate": figures["execution_rate"],
            "budget_score": figures["budget_score"], "indicators": rows, "total": figures["total"],
            "subtotals": {name: figures.get(f"subtotals.{name}", value) for name, value in record["subtotals"].items()},
            "grade": figures["grade"],
            "stated": {key: difference.stated for key, difference in printed.differences.items()},
            "computed": {key: difference.computed for key, difference in printed.differences.items()}}


def _printed_fund(printed: published.Printed, profile: Profile, key: str, value: str | None) -> str | None:
    """A funding cell of a published form's record as printed: a stated amount in 元 like every amount, a stated
    per-row 执行率 or 得分 as the sheet prints it, else the row's own figure."""
    if key in printed.amounts:
        return formatting.money_plain(printed.amounts[key] * profile.money.factor)
    if printed.figures.get(key) == "":
        return None  # printed empty (an unfilled copy)
    return printed.figures.get(key, value) if key.endswith((".rate", ".score")) else value


def feed_document(config: SiteConfig, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole feed from its form records: ``{"version": 1, "site": …, "forms": [...]}``."""
    return {"version": FEED_VERSION, "site": {"title": config.site.title}, "forms": records}


def site_feed(site: Site) -> dict[str, Any]:
    """The feed of a loaded site."""
    return feed_document(site.config, [form_record(entry) for entry in site.forms])
