"""Scheme + form → execution rate, budget score, indicator scores, subtotals, total, grade.

Pure functions; no formatting, no files. The rules (``tests/fixtures/reference/rules.md`` section 1):

* S2 execution rate = B ÷ A × 100 of the 年度资金总额 row; budget score = 分值 × B ÷ A, capped at 分值.
* S3 quantitative rows: met → full 分值; a positive target (≥, >) missed → 分值 × B ÷ A; a negative
  target (≤, <) missed → 分值 × A ÷ B; never above 分值.
* S4 equal target (＝) missed → 分值 × min(A, B) ÷ max(A, B).
* S5 far over target: the author may deduct; a stated score below the computed one is accepted then.
* S6 qualitative rows (实际完成值 is an achievement level, or repeats the qualitative target): the stated
  score must lie in the level's band; an achieved row without a stated score gets its full 分值.
* S7 a first-level indicator with no rows does not apply: the total is rescaled to 100.
* S8 total = budget score + indicator scores; grade by the scheme's thresholds.
* S9 rounding: every printed figure is rounded ROUND_HALF_UP once, from unrounded inputs, to the scheme's
  ``score_decimals`` (scores) or ``rate_decimals`` (the 执行率), two unless a profile says otherwise;
  subtotals and the total add up the *printed* parts, so the printed table always adds up.

A row that cannot be scored (units that do not convert, a text where a number is needed) scores its
stated 得分 (or 0) and yields an error `Finding`; the caller decides what to do with problems.

Why one module: rules S2–S9 are one computation over one `Scheme`; its parts share the scheme's rounding and the
`_label` and `_loc` with which a row's findings name its columns, and `ScoredForm` is what every later stage reads. The
summaries of many forms (`Summary`, `summarize`, `summarize_by_year`) could move to the list pages' side; they stay, as
they round the overall 执行率 by the same scheme rules as one form's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Protocol

from . import values
from .config import Band, Scheme
from .findings import Finding, Level, problem
from .formatting import Places, decimals_of, plain
from .i18n import _
from .model import Form, Indicator, short_label
from .values import Comparison, DateValue, Quantity, Text, UnitMismatch, ValueSyntaxError

__all__ = ["IndicatorResult", "Method", "ScoredForm", "Summary", "band_for", "score_form", "score_indicator",
           "summarize", "summarize_by_year"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Method(StrEnum):
    """How a row's score was found."""

    QUANTITATIVE = "quantitative"
    """From the numbers: full when met, else the S3/S4 formula."""
    QUALITATIVE = "qualitative"
    """The author's score, checked against the band of the achievement level (S6)."""
    DEADLINE = "deadline"
    """A date target met by a date."""
    UNSCORED = "unscored"
    """Could not be scored; see the row's problems."""
    JUDGED = "judged"
    """The author's score alone, within 0 to 分值: a row of a judged 一级指标 (宁夏's 项目决策, 项目管理)."""
    BUDGET = "budget"
    """The budget execution row (the scheme's ``budget_indicator``): 分值 × B ÷ A of the funding table (S2)."""
    PLACEHOLDER = "placeholder"
    """An empty template row kept as printed (指标2:): never scored, never counted."""
    UNFILLED = "unfilled"
    """A row of a published copy printed without its 实际完成值 (an unfilled form): its 分值 counts, it is never
    scored, and the form's total cannot be computed."""


@dataclass(frozen=True)
class IndicatorResult:
    """One scored row."""

    index: int
    indicator: Indicator
    method: Method
    score: Decimal
    """The printed score: rounded half up to the scheme's ``score_decimals`` (2 by default)."""
    met: bool | None = None
    """Whether the target was met (None where the row is judged, not measured)."""
    band: Band | None = None
    target: values.Value | None = None
    actual: values.Value | None = None
    over_percent: Decimal | None = None
    """By how many percent the actual exceeds a positive target (S5), when it does."""
    problems: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ScoredForm:
    """A form with every derived figure."""

    form: Form
    budget_weight: Decimal
    execution_rate: Decimal
    """Percent, rounded to the scheme's ``rate_decimals`` (70.93; 86 with none)."""
    budget_score: Decimal
    """Rounded to the scheme's ``score_decimals`` (7.09; 9 with none)."""
    indicators: tuple[IndicatorResult, ...]
    subtotals: dict[str, Decimal]
    """Per 一级指标 of the scheme that has rows: the sum of its printed scores."""
    total: Decimal
    grade: str
    problems: tuple[Finding, ...] = field(default=())
    places: Places = field(default=Places())
    """The decimals the scheme prints its scores and rates with: whoever prints this form's figures uses
    it, so that they are printed as they were rounded."""
    fund_rates: dict[str, Decimal | None] = field(default_factory=dict)
    """Each funding row's 执行率 (B ÷ A × 100, rounded like `execution_rate`) by its key; None for a row without
    budget (A = 0), which has none. The total row's is `execution_rate`'s figure."""
    fund_scores: dict[str, Decimal] = field(default_factory=dict)
    """The 得分 of each funding row that carries its own 分值 (``[[funds]] weight``), by its key: 分值 × that row's
    B ÷ A, rounded like `budget_score`. Where rows carry them, `budget_score` is their sum."""
    scored: bool = True
    """False for an unscored form (``weights = "none"``): its budget score, subtotals, total and grade are
    figures of a notional 100 points per row, computed for the comparisons and printed nowhere."""


def band_for(text: str, scheme: Scheme) -> Band | None:
    """The qualitative band an achievement level names, if it names one."""
    wanted = values.normalize(text)
    for band in scheme.bands:
        if wanted == values.normalize(band.level) or wanted in (values.normalize(a) for a in band.aliases):
            return band
    return None


def _in_band(points: Decimal, weight: Decimal, band: Band) -> bool:
    low, high = band.low * weight, band.high * weight
    top = band.high == 1
    return low <= points <= high if top else low <= points < high


def _loc(index: int, key: str) -> tuple[str | int, ...]:
    return ("indicators", index, key)


def _label(row: Indicator, key: str) -> str:
    """A column's label in the row's profile, as messages name it (年度指标值, 偏差原因分析及改进措施)."""
    return _column_label(type(row), key)


@cache
def _column_label(row_model: type[Indicator], key: str) -> str:
    # Once per row model and column: pydantic's model_fields is slow to reach from a class, and the checks ask
    # for labels of every row of every form.
    info = row_model.model_fields.get(key)
    return short_label(info.title or key) if info is not None else key


def _quantitative(index: int, row: Indicator, target: Quantity, actual: Quantity, scheme: Scheme) -> IndicatorResult:
    weight = row.weight
    stated = row.score if row.score is not None else ZERO
    try:
        into_target, into_actual = values.factors(target, actual)
    except UnitMismatch as mismatch:
        found = problem("unit-mismatch", Level.ERROR, _loc(index, "actual"),
                        _("the unit of “{actual}” does not match the target “{target}” ({mismatch})").format(
                            actual=row.actual_figure, target=row.target_figure, mismatch=mismatch),
                        _("write the actual value in the target's unit (units with 万, 亿 or 千 convert, as 万元 "
                          "and 元 do; so do 公里 and 米)"))
        return IndicatorResult(index, row, Method.UNSCORED, scheme.round_score(stated),
                               target=target, actual=actual, problems=(found,))
    fraction = _fraction(index, row, target, actual)
    if fraction is not None:
        # Scored as written it would be 0.93%, and its score a small fraction of 分值: nothing published should
        # rest on that reading, nor on the guess of 93%, so the stated score stands in until it is written.
        return IndicatorResult(index, row, Method.UNSCORED, scheme.round_score(stated),
                               target=target, actual=actual, problems=(fraction,))
    goal, achieved = target.number * into_target, actual.number * into_actual
    upper = target.upper * into_target if target.upper is not None else None
    comparison = target.comparison or Comparison.EQUAL
    met = comparison.holds(achieved, goal, upper)
    if met:
        exact = weight
    elif comparison is Comparison.BETWEEN and upper is not None and achieved > upper:
        exact = weight * upper / achieved  # above the range: as a negative target missed (S3)
    elif comparison.positive or comparison is Comparison.BETWEEN:
        exact = weight * achieved / goal if goal else ZERO
    elif comparison.negative:
        exact = weight * goal / achieved if achieved else weight
    else:
        larger = max(goal, achieved)
        exact = weight * min(goal, achieved) / larger if larger else weight
    exact = min(exact, weight)
    problems = _actual_notes(index, row, target, actual)
    if not met and comparison.strict and achieved == goal:
        # ＞5000亩 with 5000亩: missed, yet B ÷ A is 1 and would give the full 分值. What it is worth is the
        # author's judgement: a stated score below 分值 stands, none or the full 分值 is an error.
        if row.score is not None and row.score < weight:
            exact = row.score
        else:
            problems.insert(0, _strict_bound(index, row, target, comparison))
    over = None
    if comparison.positive and goal > 0 and achieved > goal:
        over = (achieved - goal) / goal * HUNDRED
    return IndicatorResult(index, row, Method.QUANTITATIVE, scheme.round_score(exact), met=met,
                           target=target, actual=actual, over_percent=over, problems=tuple(problems))


def _fraction(index: int, row: Indicator, target: Quantity, actual: Quantity) -> Finding | None:
    """An actual written as a fraction of 1 against a percentage (0.93 against ≥90%): read as written it would
    be 0.93%. Only where the target itself is above 1%, so that 0.5 against ≤1% stays a percentage."""
    bound = target.upper if target.upper is not None else target.number
    if not target.is_percent or actual.unit or not 0 < actual.number <= 1 or bound <= 1:
        return None
    percent = plain(actual.number * HUNDRED)
    return problem("actual-fraction", Level.ERROR, _loc(index, "actual"),
                   _("{actual_label} {actual} looks like {percent}%: a fraction of 1 against {target_label} {target} "
                     "would be read as {actual}%").format(actual_label=_label(row, "actual"), actual=row.actual_figure,
                                                         percent=percent, target_label=_label(row, "target"),
                                                         target=row.target_figure),
                   _("write {percent}%").format(percent=percent))


def _strict_bound(index: int, row: Indicator, target: Quantity, comparison: Comparison) -> Finding:
    """The error of a strict target (＞, ＜) met only at its bound, scored in full."""
    inclusive = "≥" if comparison is Comparison.MORE_THAN else "≤"
    bound = _figure_example(target)
    message = (_("{actual_label} {actual} equals the bound of {target_label} {target} but does not exceed it: the "
                 "target is not met, although B ÷ A gives the full {weight_label}")
               if comparison is Comparison.MORE_THAN else
               _("{actual_label} {actual} equals the bound of {target_label} {target} but does not stay below it: the "
                 "target is not met, although A ÷ B gives the full {weight_label}"))
    return problem("strict-bound", Level.ERROR, _loc(index, "score"),
                   message.format(actual_label=_label(row, "actual"), actual=row.actual_figure,
                                  target_label=_label(row, "target"), target=row.target_figure,
                                  weight_label=_label(row, "weight")),
                   _("write score: a value below {weight_label} {weight}, and say why in {reason_label}; or, if "
                     "reaching the bound was the target, write {target_label} {operator}{bound}").format(
                       weight_label=_label(row, "weight"), weight=plain(row.weight), reason_label=_label(row, "reason"),
                       target_label=_label(row, "target"), operator=inclusive, bound=bound))


def _actual_notes(index: int, row: Indicator, target: values.Value, actual: values.Value) -> list[Finding]:
    """Warnings about an actual that is scored, but maybe not as the author meant: an operator in it (≥266米
    states a target, not what was achieved), or no unit where the target has one (read in the target's)."""
    problems: list[Finding] = []
    actual_label, target_label = _label(row, "actual"), _label(row, "target")
    if isinstance(actual, Quantity | DateValue) and actual.comparison is not None:
        achieved = _achieved_example(actual)
        problems.append(problem(
            "actual-operator", Level.WARNING, _loc(index, "actual"),
            _("{actual_label} “{actual}” holds an operator: it says what was aimed at, not what was achieved; it is "
              "scored as {achieved}").format(actual_label=actual_label, actual=row.actual_figure, achieved=achieved),
            _("write the figure achieved, e.g. {achieved}").format(achieved=achieved)))
    if isinstance(actual, Quantity) and isinstance(target, Quantity) and not actual.unit and target.unit:
        read = f"{row.actual_figure}{target.unit}"
        problems.append(problem(
            "actual-unit-missing", Level.WARNING, _loc(index, "actual"),
            _("{actual_label} {actual} has no unit: it is read as {read}, in the unit of {target_label} "
              "{target}").format(actual_label=actual_label, actual=row.actual_figure, read=read,
                                 target_label=target_label, target=row.target_figure),
            _("write the unit: {read}, or the figure in the unit it was counted in").format(read=read)))
    return problems


def _achieved_example(actual: Quantity | DateValue) -> str:
    """The figure an actual with an operator states, without it (≥266米 → 266米)."""
    if isinstance(actual, DateValue):
        return f"{actual.date.year}年{actual.date.month}月{actual.date.day}日"
    return f"{plain(actual.number)}{actual.unit}"


def _figure_example(target: Quantity) -> str:
    """A figure in the target's unit, to show what an actual looks like (≥5000平方米 → 5000平方米)."""
    return f"{plain(target.number)}{target.unit}"


def _qualitative(index: int, row: Indicator, band: Band, target: values.Value,
                 actual: values.Value, scheme: Scheme) -> IndicatorResult:
    weight = row.weight
    low, high = band.low * weight, band.high * weight
    span = f"{plain(low)}–{plain(high)}"
    score_label, weight_label = _label(row, "score"), _label(row, "weight")
    problems: list[Finding] = []
    if row.score is None:
        if band.high == 1:
            exact = weight
        else:
            exact = low
            problems.append(problem(
                "score-required", Level.ERROR, _loc(index, "score"),
                _("{score_label} is missing: “{level}” is scored by judgement within {span} of {weight_label} "
                  "{weight}").format(score_label=score_label, level=band.level, span=span, weight_label=weight_label,
                                     weight=plain(weight)),
                _("write score: a value from {span}").format(span=span)))
    else:
        exact = row.score
        if not _in_band(row.score, weight, band) and row.score <= weight:
            message = (_("{score_label} {score} lies outside the band of “{level}”: {span} ({low}–{high} of "
                         "{weight_label} {weight}, upper bound inclusive)") if band.high == 1 else
                       _("{score_label} {score} lies outside the band of “{level}”: {span} ({low}–{high} of "
                         "{weight_label} {weight}, upper bound exclusive)"))
            problems.append(problem(
                "qualitative-band", Level.ERROR, _loc(index, "score"),
                message.format(score_label=score_label, score=plain(row.score), level=band.level, span=span,
                               low=f"{band.low:.0%}", high=f"{band.high:.0%}", weight_label=weight_label,
                               weight=plain(weight)),
                _("write a score from {span}, or change {actual_label} to the level achieved").format(
                    span=span, actual_label=_label(row, "actual"))))
    return IndicatorResult(index, row, Method.QUALITATIVE, scheme.round_score(exact), band=band,
                           target=target, actual=actual, problems=tuple(problems))


def _deadline(index: int, row: Indicator, target: DateValue, actual: DateValue, scheme: Scheme) -> IndicatorResult:
    comparison = target.comparison or Comparison.AT_MOST
    met = comparison.holds(actual.date, target.date)  # type: ignore[arg-type]
    notes = tuple(_actual_notes(index, row, target, actual))
    if met:
        return IndicatorResult(index, row, Method.DEADLINE, scheme.round_score(row.weight), met=True,
                               target=target, actual=actual, problems=notes)
    problems: tuple[Finding, ...] = ()
    if row.score is None:
        problems = (problem("score-required", Level.ERROR, _loc(index, "score"),
                            _("the deadline {target} was missed ({actual}): {score_label} is the author's "
                              "judgement").format(target=target.text, actual=actual.text,
                                                  score_label=_label(row, "score")),
                            _("write score: a value below {weight_label} {weight}, and the reason").format(
                                weight_label=_label(row, "weight"), weight=plain(row.weight))),)
    exact = row.score if row.score is not None else ZERO
    return IndicatorResult(index, row, Method.QUALITATIVE, scheme.round_score(exact), met=False,
                           target=target, actual=actual, problems=problems + notes)


def score_indicator(index: int, row: Indicator, scheme: Scheme) -> IndicatorResult:
    """Score one row by the scheme (S3–S6), and compare a stated score with the computed one."""
    if row.placeholder:
        return IndicatorResult(index, row, Method.PLACEHOLDER, ZERO)
    if not row.actual_figure:  # only a published copy reads an empty 实际完成值 (model.published_context)
        return IndicatorResult(index, row, Method.UNFILLED, ZERO)
    if scheme.judged(row.level1):
        return _judged(index, row, scheme)
    try:
        target = values.parse_value(row.target_figure)
        actual = values.parse_value(row.actual_figure)
    except ValueSyntaxError as error:
        # Only a three-cell target (指标性质, 指标值, 度量单位) gets here: each cell is valid, not their union.
        found = problem("figure-invalid", Level.ERROR, _loc(index, "target"),
                        _("{nature_label}, {target_label} and {unit_label} do not make a target: {error}").format(
                            nature_label=_label(row, "nature"), target_label=_label(row, "target"),
                            unit_label=_label(row, "unit"), error=error),
                        _("write a number or a date in {target_label} (a level only with 定性)").format(
                            target_label=_label(row, "target")))
        stated = row.score if row.score is not None else ZERO
        return _compare_stated(IndicatorResult(index, row, Method.UNSCORED, scheme.round_score(stated),
                                               problems=(found,)), scheme)
    band = band_for(actual.text, scheme) if isinstance(actual, Text) else None
    if band is None and isinstance(actual, Text) and isinstance(target, Text) \
            and values.normalize(actual.text) == values.normalize(target.text):
        band = max(scheme.bands, key=lambda candidate: candidate.high)  # the target itself was reached
    if band is not None:
        result = _qualitative(index, row, band, target, actual, scheme)
        if isinstance(target, Quantity) and (target.comparison is not None or target.unit):
            result = dataclasses.replace(result, problems=(*result.problems, _level_for_figure(index, row, target)))
    elif isinstance(target, Quantity) and isinstance(actual, Quantity):
        result = _quantitative(index, row, target, actual, scheme)
    elif isinstance(target, DateValue) and isinstance(actual, DateValue):
        result = _deadline(index, row, target, actual, scheme)
    else:
        if isinstance(target, Quantity):  # 完成, 达标, 百分之九十五: words where a figure is wanted
            fix = _("write the figure achieved, in figures and in the target's unit, e.g. {example}").format(
                example=_figure_example(target))
        else:
            fix = _("write a number with the target's unit, a date, or an achievement level ({levels})").format(
                levels=", ".join(band.level for band in scheme.bands))
        found = problem(
            "unscorable", Level.ERROR, _loc(index, "actual"),
            _("{actual_label} “{actual}” cannot be scored against {target_label} “{target}”").format(
                actual_label=_label(row, "actual"), actual=row.actual_figure, target_label=_label(row, "target"),
                target=row.target_figure),
            fix)
        stated = row.score if row.score is not None else ZERO
        result = IndicatorResult(index, row, Method.UNSCORED, scheme.round_score(stated),
                                 target=target, actual=actual, problems=(found,))
    result = _compare_stated(result, scheme)
    return result if scheme.scored else _unscored(result)


def _level_for_figure(index: int, row: Indicator, target: Quantity) -> Finding:
    """The warning of an achievement level (达成预期指标, 完成) written against a figure (≥5000平方米): scored as that
    level, the row says nothing of how much was achieved, and a shortfall would have lowered its score."""
    return problem(
        "actual-word", Level.WARNING, _loc(index, "actual"),
        _("{actual_label} “{actual}” is an achievement level, but {target_label} {target} is a figure: the row is "
          "scored as that level, and does not say how much was achieved").format(
            actual_label=_label(row, "actual"), actual=row.actual_figure, target_label=_label(row, "target"),
            target=row.target_figure),
        _("write the figure achieved, e.g. {example}").format(example=_figure_example(target)))


def _judged(index: int, row: Indicator, scheme: Scheme) -> IndicatorResult:
    """A row scored by judgement against criteria the form does not print: its stated score stands."""
    problems: tuple[Finding, ...] = ()
    if row.score is None:
        problems = (problem("score-required", Level.ERROR, _loc(index, "score"),
                            _("{score_label} is missing: a {level1} row is scored by judgement").format(
                                score_label=_label(row, "score"), level1=row.level1),
                            _("write score: a value from 0 to {weight_label} {weight}").format(
                                weight_label=_label(row, "weight"), weight=plain(row.weight))),)
    stated = row.score if row.score is not None else ZERO
    return _compare_stated(IndicatorResult(index, row, Method.JUDGED, scheme.round_score(stated),
                                           problems=problems), scheme)


def _budget_row(index: int, row: Indicator, form: Form, scheme: Scheme) -> IndicatorResult:
    """The indicator row that scores budget execution (`Scheme.budget_indicator`): 分值 × B ÷ A of the funding
    table's total row, as the funding table would score it (S2). A 实际值 written as a percentage is the
    执行率, and is compared with the table's."""
    rate, score = execution(form, row.weight, scheme)
    problems: list[Finding] = []
    try:
        actual = values.parse_value(row.actual_figure)
    except ValueSyntaxError:
        actual = None
    if isinstance(actual, Quantity) and actual.unit == "%" and form.funds.total.budget \
            and scheme.round_rate(actual.number) != rate:
        executed = short_label(type(form.funds.total).model_fields["executed"].title or "executed")
        budget = short_label(type(form.funds.total).model_fields["budget"].title or "budget")
        problems.append(problem(
            "stated-differs", Level.ERROR, _loc(index, "actual"),
            _("{actual_label} {actual} is not the 执行率 of the funding table, {rate}% ({executed} ÷ {budget})").format(
                actual_label=_label(row, "actual"), actual=row.actual_figure, rate=plain(rate), executed=executed,
                budget=budget),
            _("write {rate}%, or correct the funding table").format(rate=plain(rate))))
    result = IndicatorResult(index, row, Method.BUDGET, score,
                             actual=actual, problems=tuple(problems))
    return _compare_stated(result, scheme)


def _compare_stated(result: IndicatorResult, scheme: Scheme) -> IndicatorResult:
    row = result.indicator
    problems = list(result.problems)
    if row.score is not None and row.score > row.weight:
        problems.append(problem("score-above-weight", Level.ERROR, _loc(result.index, "score"),
                                _("{score_label} {score} is above {weight_label} {weight}").format(
                                    score_label=_label(row, "score"), score=plain(row.score),
                                    weight_label=_label(row, "weight"), weight=plain(row.weight)),
                                _("a score never exceeds its row's {weight_label}").format(
                                    weight_label=_label(row, "weight"))))
    elif row.score is not None and decimals_of(row.score.normalize()) > scheme.score_decimals:
        # Printed rounded, a judged score would not be the author's, and its band was checked unrounded.
        places = scheme.score_decimals
        computed = result.method in _COMPUTED
        wanted = result.score if computed else scheme.round_score(row.score)
        problems.append(problem(
            "score-decimals", Level.ERROR, _loc(result.index, "score"),
            _("{score_label} {score} has more decimals than the scheme's scores (score_decimals = {places}): it would "
              "be printed as {wanted}").format(score_label=_label(row, "score"), score=plain(row.score),
                                               places=places, wanted=plain(wanted)),
            (_("write score: {wanted}") if computed else
             _("write score: {wanted}, or another score with at most {places} decimals")).format(
                wanted=plain(wanted), places=places)))
    elif row.score is not None and result.method in _COMPUTED and row.score != result.score:
        if result.over_percent is not None and row.score < result.score:
            # S5: a target set too low may be marked down by the author; the stated score stands.
            return IndicatorResult(**{**result.__dict__, "score": scheme.round_score(row.score),
                                      "problems": tuple(problems)})
        problems.append(problem(
            "score-mismatch", Level.ERROR, _loc(result.index, "score"),
            _("{score_label} {score} differs from the computed {computed} ({target_label} {target}, {actual_label} "
              "{actual}, {weight_label} {weight})").format(
                score_label=_label(row, "score"), score=plain(row.score), computed=plain(result.score),
                target_label=_label(row, "target"), target=row.target_figure, actual_label=_label(row, "actual"),
                actual=row.actual_figure, weight_label=_label(row, "weight"), weight=plain(row.weight)),
            _("write score: {computed}, or correct {actual_label}").format(computed=plain(result.score),
                                                                          actual_label=_label(row, "actual"))))
    if problems == list(result.problems):
        return result
    return IndicatorResult(**{**result.__dict__, "problems": tuple(problems)})


_COMPUTED = (Method.QUANTITATIVE, Method.DEADLINE, Method.BUDGET)
"""Rows whose score formgen computes: a stated one must be the computed one."""


def execution(form: Form, weight: Decimal, scheme: Scheme) -> tuple[Decimal, Decimal]:
    """(rate printed, budget score printed) of the 年度资金总额 row (S2)."""
    budget, executed = form.funds.total.budget, form.funds.total.executed
    if budget == 0:
        return ZERO, ZERO
    return scheme.round_rate(executed / budget * HUNDRED), scheme.round_score(_budget_exact(form, weight, scheme))


def _budget_exact(form: Form, weight: Decimal, scheme: Scheme) -> Decimal:
    """分值 × B ÷ A of the 年度资金总额 row, unrounded, capped at 分值 where the scheme caps it (S2); 0 without A."""
    return _row_exact(form.funds.total.budget, form.funds.total.executed, weight, scheme)


def _row_exact(budget: Decimal, executed: Decimal, weight: Decimal, scheme: Scheme) -> Decimal:
    """分值 × B ÷ A of one funding row, unrounded, capped at 分值 where the scheme caps it (S2); 0 without A."""
    if budget == 0:
        return ZERO
    exact = weight * executed / budget
    return min(exact, weight) if scheme.cap_budget_score else exact


def fund_scores(form: Form, weights: Mapping[str, Decimal], scheme: Scheme) -> dict[str, Decimal]:
    """The printed 得分 of each funding row that carries its own 分值 (`weights`, by row key): S2 on that row,
    rounded once like the total's."""
    return {key: scheme.round_score(_row_exact(row.budget, row.executed, weight, scheme))
            for key, weight in weights.items() if (row := getattr(form.funds, key, None)) is not None}


def fund_rates(form: Form, scheme: Scheme) -> dict[str, Decimal | None]:
    """The 执行率 of every funding row, by its key (S2 on each row): None where A is 0."""
    rows = {key: getattr(form.funds, key) for key in type(form.funds).model_fields}
    return {key: scheme.round_rate(row.executed / row.budget * HUNDRED) if row.budget else None
            for key, row in rows.items()}


def score_form(form: Form, scheme: Scheme, fund_weights: Mapping[str, Decimal] | None = None) -> ScoredForm:
    """Every derived figure of a form (S2–S9). `fund_weights`: the 分值 of the funding rows that carry their own
    (the profile's ``[[funds]] weight``, by row key); they share the budget weight, and the budget score is the
    sum of their scores, each row scored on its own 执行率."""
    stated_weight = getattr(form, "budget_weight", None)  # an unscored form's model has no such key
    weight = stated_weight if stated_weight is not None else scheme.budget_weight
    rate, budget_score = execution(form, weight, scheme)
    row_scores = fund_scores(form, fund_weights or {}, scheme)
    if row_scores:  # the printed parts add up: the 年度资金总额 row's 得分 is its rows' 得分, never re-rounded
        budget_score = sum(row_scores.values(), ZERO)
    results = tuple(_budget_row(index, row, form, scheme) if _is_budget_row(row, scheme)
                    else score_indicator(index, row, scheme) for index, row in enumerate(form.indicators))
    subtotals: dict[str, Decimal] = {}
    for level1 in scheme.level1:
        rows = [result.score for result in results
                if result.indicator.level1 == level1.name and result.method is not Method.PLACEHOLDER]
        if rows:
            subtotals[level1.name] = sum(rows, ZERO)
    # Rows under an unknown 一级指标 are reported by the checks; they count in no subtotal.
    parts = budget_score + sum(subtotals.values(), ZERO)
    available = weight + sum((level1.weight for level1 in scheme.level1 if level1.name in subtotals), ZERO)
    total = parts
    problems: list[Finding] = []
    misfiled = any(scheme.level1_named(row.level1) is None for row in form.indicators)
    # A misspelt 一级指标 is reported by the checks; it is not a missing one, so nothing is rescaled.
    # Free weights have nothing to rescale: the rows carry the whole indicator total whatever their 一级指标.
    rescale = scheme.rescale_missing_level1 and scheme.weights == "fixed"
    if rescale and not misfiled and 0 < available < HUNDRED:
        total = scheme.round_score(parts * HUNDRED / available)
        missing = [level1.name for level1 in scheme.level1 if level1.name not in subtotals]
        problems.append(problem("level1-missing", Level.WARNING, ("indicators",),
                                _("no rows for {missing}: the total is rescaled to 100 ({parts} of {available} "
                                  "points)").format(missing="、".join(missing), parts=plain(parts),
                                                    available=plain(available)),
                                _("add the missing indicators, or confirm that they do not apply")))
    return ScoredForm(form=form, budget_weight=weight, execution_rate=rate, budget_score=budget_score,
                      indicators=results, subtotals=subtotals, total=total, grade=scheme.grade_for(total),
                      problems=tuple(problems), places=scheme.places, fund_rates=fund_rates(form, scheme),
                      fund_scores=row_scores,
                      scored=scheme.scored)


def _is_budget_row(row: Indicator, scheme: Scheme) -> bool:
    return bool(scheme.budget_indicator) and row.name == scheme.budget_indicator and not row.placeholder


def _unscored(result: IndicatorResult) -> IndicatorResult:
    """A row of an unscored form: it writes no 得分, so nothing about one is reported; and an actual that cannot
    be compared with its target (“无” against 100%) leaves no score wrong, so it is a warning to read, not an
    error that would stop the form."""
    problems = tuple(dataclasses.replace(problem, level=Level.WARNING) if problem.code in _NO_SCORE_WRONG else problem
                     for problem in result.problems if problem.code not in _SCORE_CODES)
    return dataclasses.replace(result, problems=problems)


_NO_SCORE_WRONG = frozenset({"unscorable", "actual-fraction"})
"""Errors of a row whose figures cannot be scored: in an unscored form they leave no printed figure wrong."""

_SCORE_CODES = frozenset({"score-required", "qualitative-band", "score-above-weight", "score-decimals",
                          "score-mismatch", "strict-bound"})
"""Findings about a stated 得分: an unscored form has none to state."""



@dataclass(frozen=True)
class Summary:
    """Figures of a set of forms, for an index page or a bundle cover."""

    forms: int
    budget: Decimal
    """Σ 全年预算数 (A) of the 年度资金总额 rows."""
    executed: Decimal
    """Σ 全年执行数 (B)."""
    execution_rate: Decimal
    """Σ B ÷ Σ A × 100, rounded half up to the scheme's ``rate_decimals`` (0 without budget)."""
    grades: dict[str, int]
    """How many forms have each grade, in the scheme's order (zeros included)."""
    places: Places = field(default=Places())
    """The decimals of the scheme the rate was rounded with, to print it so."""


class Summable(Protocol):
    """What a summary needs of a form (a list row has it)."""

    # Read-only properties: a frozen dataclass (the list row) has them as such.
    @property
    def budget(self) -> Decimal: ...
    @property
    def executed(self) -> Decimal: ...
    @property
    def grade(self) -> str | None:
        """None for an unscored form: it counts in the sums of A and B, and under no grade."""


def summarize(forms: Sequence[Summable], scheme: Scheme) -> Summary:
    """The summary of several forms: sums of A and B, the overall rate, the count per grade."""
    budget = sum((form.budget for form in forms), ZERO)
    executed = sum((form.executed for form in forms), ZERO)
    rate = scheme.round_rate(executed / budget * HUNDRED) if budget else ZERO
    grades = {grade.name: 0 for grade in scheme.ranked_grades}
    for form in forms:
        if form.grade is not None:
            grades[form.grade] = grades.get(form.grade, 0) + 1
    return Summary(len(forms), budget, executed, rate, grades, scheme.places)


class YearSummable(Summable, Protocol):
    """A form that can be summed with the others of its year (a list row)."""

    @property
    def year(self) -> int: ...


def summarize_by_year(forms: Sequence[YearSummable], scheme: Scheme) -> list[tuple[int, Summary]]:
    """The summary of each year of `forms`, newest year first. Budgets of different years are never added
    together: a 全年预算数 is a year's appropriation, and a sum over years is no figure any report uses."""
    years: dict[int, list[YearSummable]] = {}
    for form in forms:
        years.setdefault(form.year, []).append(form)
    return [(year, summarize(years[year], scheme)) for year in sorted(years, reverse=True)]
