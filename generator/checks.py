"""Rules → problems: the arithmetic that must hold (errors) and the smells worth a warning.

rules.md section 2 (errors) and section 3 (warnings), plus structure: known 一级指标, rows kept
together, weights that add up. Each check takes one scored form; the checks across forms (duplicate
slugs, shared 项目名称, copied texts) are `pipeline.cross_form_findings`, which needs only each form's keys.
Every check returns `Finding`s; locating them in the file is the pipeline's job.

Why one module: the per-form checks share what `check_form` walks once for them (`narrative_texts` and their NFKC forms,
`_titles`, `_number`, `_AMOUNT`), and `check_form` orders them so that one slip gives one finding (money-scale replaces
the warnings it explains, cost-control-rate waits where another finding names the row). The printed-figure checks
(`stated_problems`, `_stated_funds…`) and the narrative ones could each be a module; they share those helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import ROUND_DOWN, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from . import formatting, published, values
from .config import Scheme, SiteConfig
from .findings import Finding, Level, problem
from .formatting import money_exact, plain
from .i18n import _
from .model import Form, Funds, Indicator, Status, caption, short_label
from .profile import DEFAULT_PROFILE, Labels, Profile, shipped_profiles
from .reading import printable
from .render import narrative
from .scoring import IndicatorResult, Method, ScoredForm, _label
from .slugs import MAX_SLUG_CHARS, is_slug
from .values import DateValue, Quantity

__all__ = ["CROSS_FORM_FIELDS", "PLACEHOLDER", "check_form", "check_slug", "funds_problems", "narrative_texts",
           "normalized_text", "placeholder_problems", "raw_texts", "stated_problems",
           "total_provisional"]

_COST_LEVEL2 = "成本指标"
_REFERENCE = shipped_profiles()[DEFAULT_PROFILE]


def _titles(model: type[object]) -> dict[str, str]:
    """The fields of a model with their labels (the funding table's rows, or its columns)."""
    return {name: info.title or name for name, info in model.model_fields.items()}  # type: ignore[attr-defined]


def funds_problems(funds: Funds, profile: Profile = _REFERENCE) -> Iterator[Finding]:
    """The funding table's arithmetic (rules.md section 2): each row the sum of its parts, per column (the
    profile says which rows are sums), and B never above A."""
    rows = _titles(type(funds))
    columns = _titles(type(funds.total))
    short = {column: short_label(label) for column, label in columns.items()}
    money = profile.money.message
    for line in profile.funds:
        if not line.parts:
            continue
        whole, parts = line.key, line.parts
        for column, label in columns.items():
            expected = sum((getattr(getattr(funds, part), column) for part in parts), Decimal(0))
            stated = getattr(getattr(funds, whole), column)
            if stated != expected:
                names = " + ".join(rows[part] for part in parts)
                yield problem(
                    "funds-sum", Level.ERROR, ("funds", whole, column),
                    _("{row} {label} is {stated}, but {names} = {expected}").format(
                        row=rows[whole], label=label, stated=money(stated), names=names, expected=money(expected)),
                    _("make {row} equal to {names} in every column").format(row=rows[whole], names=names))
    for name in rows:
        row = getattr(funds, name)
        if row.executed > row.budget:
            yield problem(
                "funds-over-budget", Level.ERROR, ("funds", name, "executed"),
                _("{executed_label} {executed} is above {budget_label} {budget} ({row}): spending beyond the "
                  "budget").format(executed_label=short["executed"], executed=money(row.executed),
                                   budget_label=short["budget"], budget=money(row.budget), row=rows[name]),
                _("correct B, or record the budget adjustment in {budget_label} (A)").format(
                    budget_label=short["budget"]))
    if funds.total.budget == 0:
        yield problem("funds-no-budget", Level.ERROR, ("funds", "total", "budget"),
                      _("{budget_label} is 0: the execution rate is undefined").format(budget_label=short["budget"]),
                      _("write the year's budget for the project"))


def _structure(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    # Messages name the columns as the form's own table does.
    scheme, labels = profile.scheme, profile.labels
    form = scored.form
    written: Decimal | None = getattr(form, "budget_weight", None)
    if written is not None and written != scheme.budget_weight:
        yield problem("budget-weight", Level.ERROR, ("budget_weight",),
                      _("{label} {written} differs from the scheme's {weight}").format(
                          label=labels.funds_weight, written=plain(written), weight=plain(scheme.budget_weight)),
                      _("remove budget_weight, or change scheme.budget_weight in formgen.toml"))
    known = [(index, row) for index, row in enumerate(form.indicators) if scheme.level1_named(row.level1)]
    for index, row in enumerate(form.indicators):
        level1 = scheme.level1_named(row.level1)
        if level1 is None:
            names = "、".join(item.name for item in scheme.level1)
            yield problem("level1-unknown", Level.ERROR, ("indicators", index, "level1"),
                          _("“{name}” is not a {label} of the scheme").format(name=row.level1, label=labels.level1),
                          _("write one of {names}").format(names=names))
        elif level1.level2 and row.level2 not in level1.level2:
            yield problem("level2-unknown", Level.WARNING, ("indicators", index, "level2"),
                          _("“{name}” is not a usual {label} of {level1}").format(
                              name=row.level2, label=labels.level2, level1=row.level1),
                          _("use one of {names}, or add it to the scheme in formgen.toml").format(
                              names="、".join(level1.level2)))
    yield from _apart(known, lambda row: row.level1, "level1")
    for name in dict.fromkeys(row.level1 for _index, row in known):
        yield from _apart([(i, row) for i, row in known if row.level1 == name], lambda row: row.level2, "level2")
    if scheme.weights == "free":
        yield from _free_weights(form, scheme, labels.weight)
        return
    if not scheme.scored:  # an unscored form has no 分值 to add up
        return
    scored_rows = [(index, row) for index, row in enumerate(form.indicators) if not row.placeholder]
    for level1 in scheme.level1:
        yield from _weights_add_up([(i, row) for i, row in scored_rows if row.level1 == level1.name],
                                   level1.name, level1.weight, labels.weight)
        for level2, points in level1.level2_weights:  # 数量指标(10分): its rows add up to its 10 points
            yield from _weights_add_up([(i, row) for i, row in scored_rows
                                        if row.level1 == level1.name and row.level2 == level2],
                                       f"{level1.name} {level2}", points, labels.weight)


def _weights_add_up(rows: list[tuple[int, Indicator]], group: str, weight: Decimal, label: str) -> Iterator[Finding]:
    """The 分值 of a group's rows (an 一级指标's, or a 二级指标's with points of its own) against its weight; a
    group without rows does not apply (rules.md S7)."""
    points = sum((row.weight for _, row in rows), Decimal(0))
    if rows and points != weight:
        yield problem("weights-sum", Level.ERROR, ("indicators", rows[0][0], "weight"),
                      _("the {label} of the {group} rows add up to {points}, not {weight}").format(
                          label=label, group=group, points=plain(points), weight=plain(weight)),
                      _("make the {group} rows' {label} add up to {weight}").format(
                          group=group, label=label, weight=plain(weight)))


EXAMPLE_MARK = "（示例）"
"""What the 项目名称 of `formgen init`'s example form ends with (generator/scaffold/example.yaml): a form
still named so is the example, published as if it were the unit's own unless it is deleted or edited."""


def _example(form: Form, profile: Profile) -> Iterator[Finding]:
    if EXAMPLE_MARK in form.title:
        yield problem("example-form", Level.WARNING, ("title",),
                      _("{label} “{title}” is formgen init's example form: it would be published as the unit's "
                        "own").format(label=profile.labels.title, title=form.title),
                      _("delete this file once your own forms are here, or write your project's {label}").format(
                          label=profile.labels.title))


def _placeholders(form: Form, profile: Profile) -> Iterator[Finding]:
    """Empty template rows (`layout.placeholder_rows`) of a form being written: kept and printed empty, never
    scored; a published copy keeps them as printed without a word. And the budget execution row a scheme with
    a ``budget_indicator`` scores: without it, budget execution would count nowhere."""
    wanted = profile.scheme.budget_indicator
    if wanted and not any(row.name == wanted and not row.placeholder for row in form.indicators):
        yield problem("budget-row-missing", Level.ERROR, ("indicators",),
                      _("no {label} row “{wanted}”: the profile scores budget execution by that row "
                        "(scheme.budget_indicator), and the funding table gives it no points").format(
                          label=profile.labels.name, wanted=wanted),
                      _("add the row {label}: {wanted}, with its {weight}").format(
                          label=profile.labels.name, wanted=wanted, weight=profile.labels.weight))
    if form.status is Status.PUBLISHED:
        return
    for index, row in enumerate(form.indicators):
        if row.placeholder:
            yield problem("row-empty", Level.WARNING, ("indicators", index),
                          _("row {number} ({level2} {name}) has no {target}, {actual} or {weight}: it is printed "
                            "as an empty template row and not scored").format(
                              number=index + 1, level2=row.level2, name=row.name, target=profile.labels.target,
                              actual=profile.labels.actual, weight=profile.labels.weight),
                          _("fill in its figures, or remove it if the form does not need it"))


def _free_weights(form: Form, scheme: Scheme, weight: str) -> Iterator[Finding]:
    """Free weights: no 一级指标 has a fixed share, but the rows together carry the scheme's indicator points,
    so that the total is still out of the scheme's full score."""
    fixed = sum((level1.weight for level1 in scheme.level1), Decimal(0))
    total = sum((row.weight for row in form.indicators if not row.placeholder), Decimal(0))
    if form.indicators and total != fixed:
        yield problem("weights-sum", Level.ERROR, ("indicators", 0, "weight"),
                      _("the {weight} of the indicator rows add up to {total}, not the fixed total {fixed} (the "
                        "scheme's weights are free: each row's {weight} is the unit's choice, their sum is "
                        "not)").format(weight=weight, total=plain(total), fixed=plain(fixed)),
                      _("make the rows' {weight} add up to {fixed}").format(weight=weight, fixed=plain(fixed)))


def _apart(rows: list[tuple[int, Indicator]], key: Callable[[Indicator], str], field: str) -> Iterator[Finding]:
    """Rows of one group that another row separates: its cell could not span them (one cell per group).

    The row in between is the one reported: it is the one to move."""
    last_seen: dict[str, int] = {}
    reported: set[int] = set()
    for position, (_index, row) in enumerate(rows):
        group = key(row)
        previous = last_seen.get(group)
        if previous is not None and previous != position - 1:
            between_index, between_row = rows[previous + 1]
            if between_index not in reported:
                reported.add(between_index)
                yield problem("rows-apart", Level.ERROR, ("indicators", between_index, field),
                              _("this {other} row stands between rows of {group}: the {group} cell cannot span "
                                "its rows").format(other=key(between_row), group=group),
                              _("keep the {group} rows together: move row {number} after them").format(
                                  group=group, number=between_index + 1))
        last_seen[group] = position


_UNSCORED_ROW = frozenset({"unit-mismatch", "unscorable", "score-required", "figure-invalid", "actual-fraction"})
"""Errors that leave an indicator row without a computed score (its printed 得分, or 0, stands in)."""


def total_provisional(scored: ScoredForm, profile: Profile) -> bool:
    """Whether the computed 总分 is provisional: a row has no computed score, or counts in no 一级指标
    (a misspelt one). Its difference from a printed 总分 would then vanish once that row is fixed, so it is
    not reported; every other error leaves the total computed, and the comparison stands."""
    return any(problem.code in _UNSCORED_ROW for result in scored.indicators for problem in result.problems) \
        or any(profile.scheme.level1_named(row.level1) is None for row in scored.form.indicators)


def stated_problems(scored: ScoredForm, profile: Profile = _REFERENCE) -> Iterator[Finding]:
    """The printed figures (``stated:``) that differ from formgen's computation: 执行率 and 预算执行得分
    always, 小计, 总分 and 等级 unless the computed total is provisional (`total_provisional`); and a 小计
    that names no 一级指标 of the scheme."""
    stated = scored.form.stated
    totals = not total_provisional(scored, profile)
    places = scored.places
    labels = profile.labels
    total_label = caption(labels.total)  # 总分, without the sheet's letter spacing
    pairs = (
        ("execution_rate", profile.labels.execution_rate, stated.execution_rate, scored.execution_rate,
         places.show_rate),
        ("budget_score", labels.execution_score, stated.budget_score, scored.budget_score, places.show_score),
        *((("total", total_label, stated.total, scored.total, places.show_score),) if totals else ()),
    )
    for key, label, given, computed, show in pairs:
        if given is not None and given != computed:
            yield problem("stated-differs", Level.ERROR, ("stated", key),
                          _("{label} is stated as {stated} but computes to {computed}").format(
                              label=label, stated=plain(given), computed=show(computed)),
                          _("write {computed}, or correct the figures it is computed from").format(
                              computed=show(computed)))
    for name, given in stated.subtotals.items():
        level1 = profile.scheme.level1_named(name)
        loc: tuple[str | int, ...] = ("stated", "subtotals", name)
        if level1 is None:
            names = "、".join(item.name for item in profile.scheme.level1)
            yield problem("level1-unknown", Level.ERROR, loc,
                          _("“{name}” is not a {label} of the scheme").format(name=name, label=profile.labels.level1),
                          _("write one of {names}").format(names=names))
        elif totals and given != (computed := scored.subtotals.get(level1.name, Decimal(0))):
            yield problem("stated-differs", Level.ERROR, loc,
                          _("{name} {subtotal} is stated as {stated} but its rows' {score} add up to "
                            "{computed}").format(name=name, subtotal=labels.subtotal, stated=plain(given),
                                                 score=labels.score, computed=places.show_score(computed)),
                          _("write {computed}, or correct the rows' {score}").format(
                              computed=places.show_score(computed), score=profile.labels.score))
    if totals and stated.grade and stated.grade != scored.grade:
        yield problem("stated-differs", Level.ERROR, ("stated", "grade"),
                      _("{label} is stated as {stated} but the total {total} gives {grade}").format(
                          label=labels.grade, stated=stated.grade, total=places.show_score(scored.total),
                          grade=scored.grade),
                      _("write {grade}").format(grade=scored.grade))
    yield from _stated_funds(scored, profile)


def _stated_funds(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """Printed funding figures (``stated.funds``) that differ from the rows' own, and printed per-row 执行率 and
    得分 that differ from formgen's (compared once, by `published.stated_funding`); a figure the profile's
    table has no cell for is an error."""
    yield from _stated_funds_misplaced(scored, profile)
    labels, money, places = profile.labels, profile.money, scored.places
    for funding in published.stated_funding(scored, profile):
        given, own, line, column = funding.printed, funding.own, funding.line, funding.column
        if given == own:
            continue
        if own is None:  # only a 执行率 has none: the row's 全年预算数 is 0
            yield problem("stated-differs", Level.ERROR, funding.loc,
                          _("{row} {rate_label} is stated as {stated} but its {budget_label} is 0: it has "
                            "none").format(row=line.label, rate_label=labels.execution_rate, stated=plain(given),
                                           budget_label=short_label(labels.budget)),
                          _("remove it, or correct funds.{key}.budget").format(key=line.key))
            continue
        if column == "rate":
            label, shown = labels.execution_rate, places.show_rate(own)
        elif column == "score":
            label, shown = short_label(labels.budget_score), places.show_score(own)
        else:
            yield problem("stated-differs", Level.ERROR, funding.loc,
                          _("{row} {label} is stated as {stated} but funds.{key}.{column} is {own}").format(
                              row=line.label, label=short_label(getattr(labels, column)),
                              stated=money.message(given), key=line.key, column=column, own=money.message(own)),
                          _("write {own}, or correct funds.{key}.{column}").format(
                              own=money_exact(own), key=line.key, column=column))
            continue
        yield problem("stated-differs", Level.ERROR, funding.loc,
                      _("{row} {label} is stated as {stated} but computes to {computed}").format(
                          row=line.label, label=label, stated=plain(given), computed=shown),
                      _("write {computed}, or correct funds.{key}").format(computed=shown, key=line.key))


def _stated_funds_misplaced(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """The printed funding figures the profile's table has no cell for: an unknown row or column, the total
    row's 执行率 or 得分 (written as stated.execution_rate and stated.budget_score), a per-row 执行率 where
    only the total row prints one, a 得分 of a row without a 分值 of its own."""
    funds, labels = scored.form.funds, profile.labels
    lines = {line.key: line for line in profile.funds}
    for key, given in scored.form.stated.funds.items():
        loc: tuple[str | int, ...] = ("stated", "funds", key)
        line = lines.get(key)
        if line is None:
            yield problem("stated-unknown", Level.ERROR, loc,
                          _("“{key}” is not a row of the {table} table").format(key=key, table=labels.funds),
                          _("write one of {names}").format(names=", ".join(lines)))
            continue
        row = getattr(funds, key)
        for column in published.AMOUNTS:
            if getattr(given, column) is not None and column not in type(row).model_fields:
                yield problem("stated-unknown", Level.ERROR, (*loc, column),
                              _("the table has no {label} column").format(label=short_label(getattr(labels, column))),
                              _("remove {key}").format(key=column))
        score_label, rate_label = short_label(labels.budget_score), labels.execution_rate
        if given.score is not None and line is profile.total_row:
            yield problem("stated-unknown", Level.ERROR, (*loc, "score"),
                          _("the {row} row's {label} is written as stated.budget_score").format(
                              row=line.label, label=score_label),
                          _("move it to stated.budget_score: {value}").format(value=plain(given.score)))
        elif given.score is not None and key not in scored.fund_scores:
            yield problem("stated-unknown", Level.ERROR, (*loc, "score"),
                          _("the {row} row has no 分值 of its own in this profile, so no {label}").format(
                              row=line.label, label=score_label),
                          _("remove it, or give the row a weight in the profile's [[funds]]"))
        if given.rate is not None and line is profile.total_row:
            yield problem("stated-unknown", Level.ERROR, (*loc, "rate"),
                          _("the {row} row's {label} is written as stated.execution_rate").format(
                              row=line.label, label=rate_label),
                          _("move it to stated.execution_rate: {value}").format(value=plain(given.rate)))
        elif given.rate is not None and not profile.layout.funds_row_rate:
            yield problem("stated-unknown", Level.ERROR, (*loc, "rate"),
                          _("the {row} row prints no {label} in this profile").format(row=line.label, label=rate_label),
                          _("remove it, or set [layout] funds_row_rate = true in the profile"))


def _indicators(scored: ScoredForm, config: SiteConfig, profile: Profile) -> Iterator[Finding]:
    form = scored.form
    for result in scored.indicators:
        yield from result.problems
        row, index = result.indicator, result.index
        target, actual = result.target, result.actual
        goal, achieved = row.target_figure, row.actual_figure
        target_label, actual_label, reason_label = _label(row, "target"), _label(row, "actual"), _label(row, "reason")
        if isinstance(target, Quantity) and (target.comparison is None or not target.unit):
            missing = (_("{label} “{goal}” has no operator (≥, ≤, ＝) and no unit") if target.comparison is None
                       and not target.unit else _("{label} “{goal}” has no operator (≥, ≤, ＝)")
                       if target.comparison is None else _("{label} “{goal}” has no unit"))
            yield problem("target-incomplete", Level.WARNING, ("indicators", index, "target"),
                          missing.format(label=target_label, goal=goal),
                          _("fill in {nature} and {unit}, e.g. ≥ and %").format(
                              nature=_label(row, "nature"), unit=_label(row, "unit"))
                          if profile.split_target else _("write it in full, e.g. ＝62万元 or ≥95%"))
        if isinstance(target, DateValue) and target.date.year != form.year:
            yield problem("date-outside-year", Level.WARNING, ("indicators", index, "target"),
                          _("the date {date} is outside the form's year {year}").format(
                              date=row.target, year=form.year),
                          _("check the year: a {year} target is usually due by {year}年12月31日").format(
                              year=form.year))
        if isinstance(target, Quantity) and isinstance(actual, Quantity) and target.comparison \
                and target.comparison.negative and actual.number == 0:
            yield problem("zero-actual", Level.WARNING, ("indicators", index, "actual"),
                          _("{actual_label} 0 meets “{goal}” only arithmetically: nothing was spent or delivered, "
                            "and A ÷ B is undefined").format(actual_label=actual_label, goal=goal),
                          _("say in {reason_label} why the indicator did not apply, or leave the row out: a row "
                            "that does not apply is not scored").format(reason_label=reason_label))
        threshold = config.checks.over_completion_percent
        # Without a reason column (云南's table) there is nowhere to explain: those two warnings need one.
        explained = getattr(row, "reason", "") or "reason" not in type(row).model_fields
        if result.over_percent is not None and result.over_percent > threshold and not explained:
            yield problem("over-completion", Level.WARNING, ("indicators", index, "reason"),
                          _("{actual_label} {actual} exceeds {target_label} {target} by {percent}% with no "
                            "explanation").format(
                              actual_label=actual_label, actual=achieved, target_label=target_label, target=goal,
                              percent=formatting.rate(values.round_half_up(result.over_percent))),
                          _("explain in {reason_label} why: more than {threshold}% over the target needs a "
                            "reason").format(reason_label=reason_label, threshold=plain(threshold)))
        # A strict target met only at its bound has its error, which asks for the reason too.
        strict = any(problem.code == "strict-bound" for problem in result.problems)
        if result.method is Method.QUANTITATIVE and result.met is False and not explained and not strict:
            yield problem("missed-unexplained", Level.WARNING, ("indicators", index, "reason"),
                          _("the target {target} was missed ({actual}) with no explanation").format(
                              target=goal, actual=achieved),
                          _("explain in {reason_label} why, and what will be done").format(reason_label=reason_label))
    yield from _cost_rows(scored, profile)


def _cost_rows(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """Cost rows whose amounts add up to more than was spent, yet all reported as met (rules.md §3)."""
    form = scored.form
    amounts = [(result, result.actual) for result in scored.indicators
               if result.indicator.level2 == _COST_LEVEL2 and isinstance(result.actual, Quantity)
               and result.actual.is_money]
    if not amounts:
        return
    spent = sum((actual.base()[0] for _, actual in amounts), Decimal(0))  # type: ignore[union-attr]
    executed = form.funds.total.executed
    executed_label = short_label(type(form.funds.total).model_fields["executed"].title or "")
    if spent > executed * profile.money.factor and all(result.met is not False for result, _ in amounts):
        yield problem("cost-exceeds-executed", Level.WARNING, ("indicators", amounts[0][0].index, "actual"),
                      _("the {cost} amounts add up to {spent} 元, more than {executed_label} {executed}, yet every "
                        "one is reported as met").format(
                          cost=_COST_LEVEL2, spent=formatting.money(spent), executed_label=executed_label,
                          executed=profile.money.message(executed)),
                      _("report the amounts actually spent, and score the rows that fell short"))


def _execution(scored: ScoredForm, config: SiteConfig, labels: Labels) -> Iterator[Finding]:
    threshold = config.checks.explain_execution_below
    if scored.form.funds.total.budget and scored.execution_rate < threshold and not scored.form.execution_reason:
        fix = _("say why in execution_reason ({reason}) and what will be done").format(reason=labels.execution_reason)
        for result in _cost_fully_controlled(scored):  # the same low spending, which that row denies
            fix += _("; and correct “{name}” {actual}: so little spent, the cost cannot be fully "
                     "incurred").format(name=result.indicator.name, actual=result.indicator.actual_figure)
        yield problem("execution-unexplained", Level.WARNING, ("funds", "total", "executed"),
                      _("{label} is {rate}% with no explanation").format(
                          label=labels.execution_rate, rate=scored.places.show_rate(scored.execution_rate)), fix)
    filled, year = getattr(scored.form, "filled_on", None), scored.form.year  # a profile may not have it
    if filled is not None and filled.year <= year and (filled.month, filled.day) != (12, 31):
        yield problem("filled-before-year-end", Level.WARNING, ("filled_on",),
                      _("{label} {date} is before the end of the evaluated year {year}").format(
                          label=labels.filled_on, date=filled.isoformat(), year=year),
                      _("a self-evaluation is filled in after the year ends; check {filled_on} and {year}").format(
                          filled_on=labels.filled_on, year=labels.year))
    if filled is not None and filled.year > year + 1:
        # A 2024 form is filled in early 2025; 2052 is 2025 typed backwards, 2026 a year typed for the other.
        yield problem("filled-long-after-year", Level.WARNING, ("filled_on",),
                      _("{label} {date} is more than a year after the evaluated year {year}").format(
                          label=labels.filled_on, date=filled.isoformat(), year=year),
                      _("check {label} and {year_label}: a {year} form is filled in during {next}").format(
                          label=labels.filled_on, year_label=labels.year, year=year, next=year + 1))


# A figure the narrative attributes to the budget or to spending: 预算135628元, 执行数为988,000元, 6万元.
_AMOUNT = re.compile(r"(预算|执行|支出)(?:数|金额|资金|额)?(?:为|是|共|:|：)?\s*(\d[\d,，]*(?:\.\d+)?)\s*(万元|元)")
_GRADE = re.compile(r"等级\s*(?:为|是|:|：)?\s*[“\"'「]?\s*(优|良|中|差)")


CROSS_FORM_FIELDS = frozenset({"title", "expected", "actual", "execution_reason", "reason", "note"})
"""The fields cross-form checks report on (shared 项目名称, copied texts): their lines are kept."""


_ROW_TEXTS = ("reason", "note")
"""The free-text columns of an indicator row (a profile may have only the first)."""


@cache
def _row_texts(row_model: type[Indicator]) -> tuple[str, ...]:
    """The free-text columns a profile's indicator row has: looked up once per row model, as pydantic's
    ``model_fields`` is slow to reach from a class and `narrative_texts` runs for every row of every form."""
    return tuple(key for key in _ROW_TEXTS if key in row_model.model_fields)


NarrativeTexts = list[tuple[tuple[str | int, ...], str]]
"""A form's free texts with their fields, as `narrative_texts` gives them."""


def narrative_texts(scored: ScoredForm, body: str) -> NarrativeTexts:
    """Every free text of a form with its field: goals, reasons, notes, the conclusion (``body``)."""
    form = scored.form
    texts: NarrativeTexts = [(("goals", "expected"), form.goals.expected), (("goals", "actual"), form.goals.actual),
                             (("execution_reason",), form.execution_reason)]
    for index, row in enumerate(form.indicators):
        texts += [(("indicators", index, key), getattr(row, key)) for key in _row_texts(type(row))]
    texts.append((("body",), body))
    return texts


def _narrative(scored: ScoredForm, body: str, texts: NarrativeTexts, profile: Profile) -> Iterator[Finding]:
    funds = scored.form.funds
    rows, columns = _titles(type(funds)), _titles(type(funds.total))
    factor = profile.money.factor
    # Compared in 元: the text may name 元 or 万元 whatever the table's unit.
    table = {getattr(getattr(funds, row), column) * factor for row in rows for column in columns}
    for loc, text in texts:
        for match in _AMOUNT.finditer(text):
            number = _number(match.group(2))
            if number is None:
                continue
            amount = number * (10_000 if match.group(3) == "万元" else 1)
            if amount in table:
                continue
            column = "budget" if match.group(1) == "预算" else "executed"
            figure = getattr(funds.total, column)
            yield problem("narrative-amount", Level.WARNING, loc,
                          _("the text says “{quote}”, but the table's {row} {column} is {figure} and no cell holds "
                            "{amount}").format(quote=match.group(0), row=rows["total"], column=columns[column],
                                               figure=profile.money.message(figure),
                                               amount=profile.money.message(amount / factor)),
                          _("correct the text or the table so that they agree"),
                          offset=match.start())
    for match in _GRADE.finditer(body) if scored.scored else ():  # an unscored form has no grade to contradict
        if match.group(1) != scored.grade:
            yield problem("grade-contradiction", Level.WARNING, ("body",),
                          _("the conclusion names the grade “{named}” but the total {total} gives “{grade}”").format(
                              named=match.group(1), total=scored.places.show_score(scored.total), grade=scored.grade),
                          _("change the conclusion to “{grade}”").format(grade=scored.grade),
                          offset=match.start())


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _links(body: str, folder: Path | None) -> Iterator[Finding]:
    """Links and images of the 自评结论 that would reach outside the site: published pages link only
    inside it and the PDF fetches nothing else (a mailto: link is harmless and allowed). Read from the
    HTML the conclusion becomes (narrative.links), so that no way of writing a link escapes."""
    cursor = 0
    for link in narrative.links(body):
        target = link.target
        offset = narrative.locate_link(body, link, cursor)
        cursor = offset + 1
        if target.lower().startswith("mailto:") or target.startswith("#") or not target:
            continue
        if _SCHEME.match(target) or target.startswith(("/", "\\")):
            yield problem("link-external", Level.ERROR, ("body",),
                          _("“{target}” points outside the site: pages link only inside it and PDFs fetch "
                            "nothing from the network or other folders").format(target=target),
                          _("remove it, or put the file beside the form and refer to it by a relative path"),
                          offset=offset)
            continue
        resolved = (folder / target.split("#")[0]).resolve() if folder is not None else None
        if ".." in Path(target).parts or (resolved is not None and folder is not None
                                           and not resolved.is_relative_to(folder.resolve())):
            yield problem("link-outside", Level.ERROR, ("body",),
                          _("“{target}” leaves the form's folder (.. or a symbolic link pointing elsewhere)").format(
                              target=target),
                          _("put the file beside the form, or in a folder below it"), offset=offset)


def _sanitizing(body: str) -> Iterator[Finding]:
    """Text of the 自评结论 that publishing would lose: an element left open swallows the rest (an error:
    a published text would silently end early); any other text the sanitizer drops is a warning."""
    unclosed = narrative.unclosed_elements(body)
    for name, offset in unclosed:
        tag = "<!--" if name == "!--" else f"<{name}>"
        closing = "-->" if name == "!--" else f"</{name}>"
        yield problem("body-unclosed", Level.ERROR, ("body",),
                      _("“{tag}” is opened here and never closed: the text after it would be dropped from the "
                        "published 自评结论").format(tag=tag),
                      _("close it with “{closing}” or remove it").format(closing=closing), offset=offset)
    dropped = None if unclosed else narrative.dropped_text(body)
    if dropped is not None:
        quote, offset = dropped
        yield problem("body-dropped", Level.WARNING, ("body",),
                      _("the published 自评结论 would not show “{quote}” as written: HTML around it is removed "
                        "with its content, or shows as markup").format(quote=quote),
                      _("write it as plain Markdown text, without that HTML"), offset=offset)


# --- Slips a clerk makes that change or may change what is published (issue 12) ---------------------------

_SCALE = Decimal(10_000)
"""元 per 万元: a whole table typed in the other unit is off by exactly this factor."""
_TOO_BIG_FOR_BUDGET = Decimal(100)
_SCALE_FOLLOWS = frozenset({"narrative-amount", "cost-exceeds-executed"})
"""A 成本指标 amount this many times the whole budget is no cost overrun: the table's unit is wrong."""


def _number(text: str) -> Decimal | None:
    """A figure of a free text, or None where it is no figure a form could hold (22 digits: a phone number or
    a document number glued to 元)."""
    try:
        return values.parse_decimal(text)
    except values.ValueSyntaxError:
        return None


def _places(number: Decimal) -> Decimal:
    """The precision a figure is written with: 0.01 for 84.54, 1 for 90 (or 9E+1)."""
    return Decimal(1).scaleb(min(0, int(number.as_tuple().exponent)))


def _money_scale(scored: ScoredForm, texts: NarrativeTexts, profile: Profile) -> Finding | None:
    """A funding table typed in 万元 under a 元 heading (or the other way round), as the form's own texts or
    cost indicators show: every amount published 10,000 times too small (or large). One finding per form:
    each amount of the table is wrong the same way, and the fix is the same."""
    funds = scored.form.funds
    rows, columns = _titles(type(funds)), _titles(type(funds.total))
    factor, unit = profile.money.factor, profile.money.unit
    cells = [(row, column, getattr(getattr(funds, row), column)) for row in rows for column in columns]
    table = {value * factor for _, _, value in cells}
    other = "元" if unit == "万元" else "万元"
    for _loc, text in texts:
        for match in _AMOUNT.finditer(text):
            number = _number(match.group(2))
            if number is None:
                continue
            per_unit = _SCALE if match.group(3) == "万元" else Decimal(1)  # 元 per unit of the text's figure
            if number * per_unit in table:
                continue
            shift = _SCALE if unit == "元" else 1 / _SCALE  # the other unit, in the table's
            for row, column, value in cells:
                if not value:
                    continue
                # The cell read in the other unit (84.54 of a 元 table as 845,400 元) against the text, each at the
                # precision of the coarser of the two: 84.54 matches 845371.59元 and 84.54万元 alike.
                meant_yuan = value * factor * shift
                if values.round_half_up(meant_yuan / per_unit, _places(number)) == number \
                        or values.round_half_up(number * per_unit / (factor * shift), _places(value)) == value:
                    meant = number * per_unit / factor  # the text's figure, in the table's unit
                    return problem(
                        "money-scale", Level.ERROR, ("funds", row, column),
                        _("{row} {column} is {stated}, but the text says “{quote}”: the table seems written in "
                          "{other}, not in {unit} as its heading says").format(
                            row=rows[row], column=columns[column], stated=f"{money_exact(value)}{unit}",
                            quote=match.group(0), other=other, unit=unit),
                        _("write every amount of the table in {unit}: here {meant}, not {stated}").format(
                            unit=unit, meant=money_exact(meant), stated=plain(value)))
    budget = funds.total.budget * factor
    for result in scored.indicators:
        target = result.target
        if result.indicator.level2 != _COST_LEVEL2 or not isinstance(target, Quantity) or not target.is_money:
            continue
        amount = target.base()[0]
        if budget > 0 and amount > budget * _TOO_BIG_FOR_BUDGET:
            return problem(
                "money-scale", Level.ERROR, ("funds", "total", "budget"),
                _("{level2} “{name}” {target_label} {target} is more than {times} times the whole "
                  "{budget_label} {budget}: the table seems written in {other}, not in {unit} as its heading "
                  "says").format(level2=_COST_LEVEL2, name=result.indicator.name,
                                 target_label=_label(result.indicator, "target"), target=target.text,
                                 times=_TOO_BIG_FOR_BUDGET, budget_label=columns["budget"],
                                 budget=f"{money_exact(funds.total.budget)}{unit}", other=other,
                                 unit=unit),
                _("write every amount of the table in {unit} (1万元 is 10000元), or correct the "
                  "indicator").format(unit=unit))
    return None


def _conclusion(scored: ScoredForm, body: str, profile: Profile) -> Iterator[Finding]:
    """An empty 自评结论: every profile's sheet prints its row. An error where the profile's published forms
    print a verdict there (``[fields] conclusion = "required"``: 贵州's 自评结论, 四川部门预算's 评价结论), a
    warning where they have no such cell or an optional note. A published copy printed without one (5 of the
    11 published forms) keeps it empty without a word."""
    if scored.form.status is Status.PUBLISHED or body.strip():
        return
    level = Level.ERROR if profile.fields.conclusion == "required" else Level.WARNING
    yield problem("conclusion-empty", level, ("body",),
                  _("the {conclusion} is empty: the published form would print an empty {conclusion}").format(
                      conclusion=profile.labels.conclusion),
                  _("write the {conclusion} below the closing --- of the header data: what was achieved, the "
                    "grade, the problems found and what will be done").format(conclusion=profile.labels.conclusion))


_IMAGE_TAGS = frozenset({"img", "image", "picture", "source", "svg"})


def _images(body: str) -> Iterator[Finding]:
    """Images of the 自评结论 the sanitizer removes without a word (those pointing outside the site are
    already errors, link-external or link-outside)."""
    if "<" not in body and "![" not in body:
        return
    cursor = 0
    for link in narrative.links(body):
        offset = narrative.locate_link(body, link, cursor)
        cursor = offset + 1
        target = link.target
        if link.tag not in _IMAGE_TAGS or _SCHEME.match(target) or target.startswith(("/", "\\")) \
                or ".." in Path(target).parts:
            continue
        yield problem("body-image", Level.WARNING, ("body",),
                      _("the image “{image}” is not published: pages and PDFs show the conclusion's text only").format(
                          image=target or link.text),
                      _("describe in words what it shows, and remove the image (a photo or scan can be kept with "
                        "the unit's records)"), offset=offset)


# 预算执行率82%, 执行率为 87.5%, 执行率：100%: a rate the text attributes to budget execution.
_RATE = re.compile(r"(?:预算|资金)?执行率\s*(?:为|是|达到|达|:|：)?\s*(\d+(?:\.\d+)?)\s*(?:%|％)")
# 总分95分, 自评得分为 97.09 分: the form's total as the text states it.
_TOTAL = re.compile(r"(?:自评)?(?:总分|总得分|综合得分|自评得分|自评分)\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)\s*分")
_PLANNED = re.compile(r"计划|目标|预期|预计|指标值|不低于|不少于|不超过|以上|以下|≥|≤|>|<")
"""Words before a figure that make it a target, not what was achieved."""
_CONTEXT = 12
"""Characters before a figure in which the text names the indicator it is about (完成培训 300 人次)."""


def _agrees(stated: Decimal, *figures: Decimal | None) -> bool:
    """A figure of the text agrees with one of the table's when it is that figure rounded or cut to the
    decimals the text writes (87% for 86.62% or 87.4%)."""
    places = Decimal(1).scaleb(-max(0, -int(stated.as_tuple().exponent)))
    return any(figure is not None and stated in (values.round_half_up(figure, places),
                                                 figure.quantize(places, rounding=ROUND_DOWN))
               for figure in figures)


_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]")


def _name_words(name: str) -> set[str]:
    """Two-character pieces of an indicator's Chinese name, by which a text names it (培训人次 → 培训, 训人, 人次)."""
    chinese = _NOT_HAN.sub("", name)
    return {chinese[index:index + 2] for index in range(len(chinese) - 1)}


@cache
def _figure_with(unit: str) -> re.Pattern[str]:
    """A figure followed by `unit` (``300 人次``): compiled once per unit, not once per text."""
    return re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*" + re.escape(unit))


def _narrative_figures(scored: ScoredForm, texts: NarrativeTexts, normal: list[str],
                       profile: Profile) -> Iterator[Finding]:
    """Percentages, quantities and scores the texts state that the table contradicts: a text left as it was
    after the table changed. Warnings, like narrative-amount: the table is what is computed and published, and
    a text may speak of another figure (a part of the year, a sub-project)."""
    form, places, labels = scored.form, scored.places, profile.labels
    quantities = [result for result in scored.indicators if isinstance(result.actual, Quantity)
                  and result.actual.unit and not result.actual.is_money and result.actual.unit != "%"]
    totals = scored.scored and not total_provisional(scored, profile)
    full = profile.scheme.budget_weight + sum((level1.weight for level1 in profile.scheme.level1), Decimal(0))
    # Each row's name pieces and figure pattern, made once per form rather than once per text.
    named = [(result, _name_words(result.indicator.name), _figure_with(result.actual.unit))
             for result in quantities if isinstance(result.actual, Quantity)]
    for (loc, _written), text in zip(texts, normal, strict=True):  # NFKC: ６００ is 600, and offsets are kept
        if form.funds.total.budget and "执行率" in text:  # the cheap test first: most texts name no rate
            for match in _RATE.finditer(text):
                stated = Decimal(match.group(1))
                if not _agrees(stated, scored.execution_rate, form.stated.execution_rate):
                    yield problem("narrative-rate", Level.WARNING, loc,
                                  _("the text says “{quote}”, but {label} computes to {rate}%").format(
                                      quote=match.group(0), label=labels.execution_rate,
                                      rate=places.show_rate(scored.execution_rate)),
                                  _("write {rate}% in the text, or correct the funding table").format(
                                      rate=places.show_rate(scored.execution_rate)),
                                  offset=match.start())
        for match in _TOTAL.finditer(text) if totals and "分" in text else ():
            stated = Decimal(match.group(1))
            # 总分100分 is as often the full marks as the total: only a figure below them is compared.
            if stated < full and not _agrees(stated, scored.total, form.stated.total):
                yield problem("narrative-score", Level.WARNING, loc,
                              _("the text says “{quote}”, but the {total} computes to {score}").format(
                                  quote=match.group(0), total=caption(labels.total),
                                  score=places.show_score(scored.total)),
                              _("write {score} in the text, or correct the scores").format(
                                  score=places.show_score(scored.total)), offset=match.start())
        for result, words, pattern in named:
            actual = result.actual
            assert isinstance(actual, Quantity)
            if actual.unit not in text:  # the cheap test first: most texts name no row's unit
                continue
            for match in pattern.finditer(text):
                before = text[max(0, match.start() - _CONTEXT):match.start()]
                if not any(word in before for word in words) or _PLANNED.search(before):
                    continue
                number = _number(match.group(1))
                target = result.target.number if isinstance(result.target, Quantity) else None
                if number is None or number in (actual.number, target):
                    continue
                yield problem("narrative-quantity", Level.WARNING, loc,
                              _("the text says “{quote}”, but {actual_label} of “{name}” is {actual}").format(
                                  quote=match.group(0), actual_label=_label(result.indicator, "actual"),
                                  name=result.indicator.name, actual=actual.text),
                              _("make the text and the indicator agree"), offset=match.start())


_COST_CONTROL = re.compile(r"成本.*控制|控制.*成本")
_FULLY_SPENT = Decimal(95)
"""Below this 执行率, a 成本控制率 of 100% or more says the whole budget was spent when it was not."""


def _cost_fully_controlled(scored: ScoredForm) -> list[IndicatorResult]:
    """The rows that give a 成本控制率 of 100% or more while much of the budget was not spent: the rate is the
    cost incurred against the budgeted cost, so it cannot be 100% when only 86% was spent."""
    if not scored.form.funds.total.budget or scored.execution_rate >= _FULLY_SPENT:
        return []
    return [result for result in scored.indicators if _COST_CONTROL.search(result.indicator.name)
            and isinstance(result.actual, Quantity) and result.actual.unit == "%" and result.actual.number >= 100]


def _cost_control(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """A 成本控制率 of 100% against a low 执行率 (`_cost_fully_controlled`). Where the low 执行率 is itself
    unexplained, execution-unexplained names the row in its fix, and where the cost rows repeat the budget,
    cost-exceeds-executed says so: this one comes alone, once the spending is explained."""
    rate = scored.places.show_rate(scored.execution_rate)
    for result in _cost_fully_controlled(scored):
        yield problem("cost-control-rate", Level.WARNING, ("indicators", result.index, "actual"),
                      _("{actual_label} {actual} of “{name}” says the whole budgeted cost was incurred, but "
                        "{rate_label} is {rate}%").format(
                          actual_label=_label(result.indicator, "actual"), actual=result.indicator.actual_figure,
                          name=result.indicator.name, rate_label=profile.labels.execution_rate, rate=rate),
                      _("write the cost actually incurred against the budgeted cost (about {rate}% if the work "
                        "is done), and score the row on it").format(rate=rate))


_ADJUSTED = re.compile(r"调整|调减|核减|收回|追减|调剂")


def _budget_cut(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """A 全年预算数 cut from the 年初预算数 to exactly what was spent: the 执行率 then shows 100% whatever
    happened. The table itself is the reliable signal (年初 > 全年 = 执行, to the cent); a budget that merely
    equals the spending is common in real forms and is not reported. An adjustment the form explains is
    fine."""
    form = scored.form
    total = form.funds.total
    initial = getattr(total, "initial", None)
    if initial is None or not total.executed or not initial > total.budget == total.executed:
        return
    if _ADJUSTED.search(form.execution_reason):
        return
    columns = _titles(type(total))
    money = profile.money.message
    yield problem("budget-cut-to-spending", Level.WARNING, ("funds", "total", "budget"),
                  _("{budget_label} {budget} was cut from {initial_label} {initial} to exactly {executed_label}: "
                    "{rate_label} shows 100% whatever was spent").format(
                      budget_label=short_label(columns["budget"]), budget=money(total.budget),
                      initial_label=short_label(columns["initial"]), initial=money(initial),
                      executed_label=short_label(columns["executed"]), rate_label=profile.labels.execution_rate),
                  _("if the budget was formally adjusted, say so in execution_reason ({reason}); otherwise write "
                    "the {budget_label} as allocated").format(reason=profile.labels.execution_reason,
                                                              budget_label=short_label(columns["budget"])))


# Instructions, and placeholders of two or more X (not inside a word), × or ○. Every alternative starts with a
# fixed character (the X one looks behind only after its first X): re then jumps from one such character to the
# next instead of trying each alternative at every character, many times faster on a long conclusion.
_TEMPLATE_TEXT = re.compile(r"请填写|请输入|请在此|此处填写|填写说明|填表说明"
                            r"|X(?<![A-Za-z]X)[Xx]+(?![A-Za-z])|x(?<![A-Za-z]x)[Xx]+(?![A-Za-z])|××+|○○+")
_FORM_TITLE = re.compile(r"绩效(?:目标)?自评表")


def _template_texts(scored: ScoredForm, body: str, texts: NarrativeTexts, normal: list[str]) -> Iterator[Finding]:
    """Template instructions and placeholders left in cells (“请填写…”, “XX”), and the form's own title
    typed as a name: published as if they were the form's content. `normal` is `texts` NFKC-normalised."""
    form = scored.form
    cells: list[tuple[tuple[str | int, ...], str, str, bool]] = [
        (("title",), form.title, values.normalize(form.title), True),
        (("implementer",), form.implementer, values.normalize(form.implementer), False),
        (("department", "name"), form.department.name, values.normalize(form.department.name), False)]
    for index, row in enumerate(form.indicators):
        cells.append((("indicators", index, "name"), row.name, values.normalize(row.name), True))
        for key in ("target", "actual"):
            text = str(getattr(row, key) or "")
            cells.append((("indicators", index, key), text, values.normalize(text), False))
    cells += [(loc, text, normalized.strip(), False) for (loc, text), normalized in zip(texts, normal, strict=True)]
    # One search of all cells first (no pattern spans a line end): most forms have none of these.
    if not _TEMPLATE_TEXT.search("\n".join(cell[2] for cell in cells)) \
            and not _FORM_TITLE.search("\n".join(cell[2] for cell in cells if cell[3])):
        return
    for loc, text, normalized, named in cells:
        match = _TEMPLATE_TEXT.search(normalized) or (_FORM_TITLE.search(normalized) if named else None)
        if match is None:
            continue
        offset = max(body.find(match.group(0)), 0) if loc == ("body",) else 0
        yield problem("template-text", Level.WARNING, loc,
                      _("“{quote}” is the template's text, not this form's: it would be published as "
                        "written").format(quote=values.excerpt(match.group(0) if len(text) > 40 else text.strip())),
                      _("write the form's own content in its place"), offset=offset)


_COST_NAME = re.compile(r"成本|费|单价|造价|价格")


def _cost_misfiled(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """An indicator about cost (its name says so, its target is money) filed under another 二级指标 of the
    一级指标 that has a 成本指标: it is scored and read as a quantity, a quality or a deadline."""
    for level1 in profile.scheme.level1:
        if _COST_LEVEL2 not in level1.level2:
            continue
        for result in scored.indicators:
            row, target = result.indicator, result.target
            if row.level1 != level1.name or row.level2 in ("", _COST_LEVEL2) or not _COST_NAME.search(row.name):
                continue
            if isinstance(target, Quantity) and (target.is_money or target.unit.startswith(("元/", "万元/"))):
                yield problem("cost-misfiled", Level.WARNING, ("indicators", result.index, "level2"),
                              _("“{name}” ({target}) is about cost, but it is filed under {level2}").format(
                                  name=row.name, target=target.text, level2=row.level2),
                              _("file it under {cost}").format(cost=_COST_LEVEL2))


def check_form(scored: ScoredForm, body: str, config: SiteConfig, source: Path | None = None,
               profile: Profile | None = None) -> list[Finding]:
    """Every problem of one form, errors and warnings, in a stable order. `source` is the form file
    (for links relative to it); `profile` the form's (default: the site's)."""
    profile = profile or config.profile_for()
    problems: list[Finding] = list(scored.problems)
    problems += funds_problems(scored.form.funds, profile)
    problems += _structure(scored, profile)
    problems += _placeholders(scored.form, profile)
    problems += _example(scored.form, profile)
    problems += _indicators(scored, config, profile)
    # Compared even when there are errors above: a printed 总分 of 110 against a computed 100 is a fact
    # about the form whatever else is wrong, and hiding it let a clerk fix one error only to meet the next.
    problems += stated_problems(scored, profile)
    problems += _execution(scored, config, profile.labels)
    texts = narrative_texts(scored, body)  # walked by four checks below
    normal = [values.nfkc(text) for _loc, text in texts]  # and NFKC-normalised for two of them
    problems += _narrative(scored, body, texts, profile)
    problems += _links(body, source.parent if source is not None else None)
    problems += _sanitizing(body)
    problems += _images(body)
    problems += _conclusion(scored, body, profile)
    scale = _money_scale(scored, texts, profile)
    if scale is not None:
        # Every amount is off by the same factor: the text's amounts and the cost rows then disagree with the
        # table for that one reason, which this one error names.
        problems = [problem for problem in problems if problem.code not in _SCALE_FOLLOWS] + [scale]
    problems += _narrative_figures(scored, texts, normal, profile)
    if not any(problem.code in ("cost-exceeds-executed", "execution-unexplained") for problem in problems):
        problems += _cost_control(scored, profile)  # else named there: one slip, one finding
    problems += _budget_cut(scored, profile)
    problems += _template_texts(scored, body, texts, normal)
    problems += _cost_misfiled(scored, profile)
    if scored.form.status is not Status.PUBLISHED:
        return problems
    return published.kept(problems) + list(published.printed_empty_problems(scored, profile))


def check_slug(slug: str) -> Finding | None:
    """A slug (the file name) that is not safe in every URL and on every file system."""
    if len(slug) > MAX_SLUG_CHARS:
        return problem("slug-invalid", Level.ERROR, (),
                       _("the file name is {length} characters long; a form's identity (slug) has at most "
                         "{most}").format(length=len(slug), most=MAX_SLUG_CHARS),
                       _("rename the file to a shorter name, e.g. power-system-2024.md"))
    if is_slug(slug):
        return None
    return problem("slug-invalid", Level.ERROR, (),
                   _("the file name “{name}” is not a valid form identity (slug)").format(name=printable(slug)),
                   _("rename the file to lowercase letters, digits and hyphens, e.g. power-system-2024.md"))


PLACEHOLDER = "【待填写】"
"""What `formgen new` writes where a value is still to come. An error wherever it is left, so that a
half-filled form never checks, builds or exports."""


RawTexts = list[tuple[tuple[str | int, ...], str]]
"""The texts of a front matter as read, with their key paths, as `raw_texts` gives them."""


def raw_texts(data: object) -> RawTexts:
    """Every text of the raw front matter with its key path (``("indicators", 2, "name")``), in the file's order:
    walked once for the checks that read them all (placeholders, quoted texts)."""
    if isinstance(data, str):
        return [((), data)]
    texts: RawTexts = []
    if isinstance(data, (dict, list)):
        _walk_texts(data, (), texts)
    return texts


def _walk_texts(value: dict[Any, Any] | list[Any], loc: tuple[str | int, ...], texts: RawTexts) -> None:
    # A module function, not a closure calling itself: that closure is a reference cycle, which kept each
    # form's texts alive until a collection, and a build's workers pause theirs.
    for key, item in value.items() if isinstance(value, dict) else enumerate(value):
        if isinstance(item, (dict, list)):
            _walk_texts(item, (*loc, key), texts)
        elif isinstance(item, str):
            texts.append(((*loc, key), item))


def placeholder_problems(texts: RawTexts, body: str) -> Iterator[Finding]:
    """Every value of the raw front matter (`raw_texts`), and every spot of the 自评结论, that still holds
    `PLACEHOLDER`.

    Works on the data as read, before validation: a placeholder where a number belongs fails
    validation too, and the pipeline reports it once, as this."""
    for loc, text in texts:
        if PLACEHOLDER in text:
            yield problem("placeholder", Level.ERROR, loc,
                          _("still holds the placeholder {placeholder}").format(placeholder=PLACEHOLDER),
                          _("write the value: the comment beside the key says what goes there"))
    start = body.find(PLACEHOLDER)
    while start >= 0:
        yield problem("placeholder", Level.ERROR, ("body",),
                      _("the 自评结论 still holds the placeholder {placeholder}").format(placeholder=PLACEHOLDER),
                      _("write the conclusion in its place"), offset=start)
        start = body.find(PLACEHOLDER, start + len(PLACEHOLDER))


_SPACES = re.compile(r"\s+")


def normalized_text(text: str) -> str:
    """A text with white space removed and full-width forms folded, for comparing copies."""
    return _SPACES.sub("", values.normalize(text))

