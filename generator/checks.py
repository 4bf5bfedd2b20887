"""Rules → problems: the arithmetic that must hold (errors) and the smells worth a warning.

rules.md section 2 (errors) and section 3 (warnings), plus structure: known 一级指标, rows kept
together, weights that add up. Per-form checks take one scored form; site checks look across forms
(duplicate slugs, shared 项目名称, copied texts). Every check returns `Problem`s; locating them in the
file is the pipeline's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from . import formatting, i18n, published, values
from .config import Scheme, SiteConfig
from .findings import Level, Problem
from .formatting import plain
from .model import Form, Funds, Indicator, Status, caption, short_label
from .profile import DEFAULT_PROFILE, Labels, Profile, shipped_profiles
from .reading import printable
from .render import narrative
from .scoring import Method, ScoredForm
from .values import DateValue, Quantity

__all__ = ["CROSS_FORM_FIELDS", "PLACEHOLDER", "check_form", "check_slug", "funds_problems", "narrative_texts",
           "normalized_text", "placeholder_problems", "stated_problems",
           "total_provisional"]

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_SLUG_CHARS = 120
"""The longest slug: its pages' and PDFs' file names (slug.html, slug.pdf, in bundles' parts with more)
stay far below the 255 bytes file systems allow."""
_COST_LEVEL2 = "成本指标"
_REFERENCE = shipped_profiles()[DEFAULT_PROFILE]


def _titles(model: type[object]) -> dict[str, str]:
    """The fields of a model with their labels (the funding table's rows, or its columns)."""
    return {name: info.title or name for name, info in model.model_fields.items()}  # type: ignore[attr-defined]


def funds_problems(funds: Funds, profile: Profile = _REFERENCE) -> Iterator[Problem]:
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
                yield Problem(
                    "funds-sum", Level.ERROR, ("funds", whole, column),
                    f"{rows[whole]} {label} is {money(stated)}, but {names} = {money(expected)}",
                    f"make {rows[whole]} equal to {names} in every column")
    for name in rows:
        row = getattr(funds, name)
        if row.executed > row.budget:
            yield Problem(
                "funds-over-budget", Level.ERROR, ("funds", name, "executed"),
                f"{short['executed']} {money(row.executed)} is above {short['budget']} {money(row.budget)} "
                f"({rows[name]}): spending beyond the budget",
                f"correct B, or record the budget adjustment in {short['budget']} (A)")
    if funds.total.budget == 0:
        yield Problem("funds-no-budget", Level.ERROR, ("funds", "total", "budget"),
                      f"{short['budget']} is 0: the execution rate is undefined",
                      "write the year's budget for the project")


def _label(row: Indicator, key: str) -> str:
    """A column's label in the row's profile, as messages name it (年度指标值, 偏差原因分析及改进措施)."""
    info = type(row).model_fields.get(key)
    return short_label(info.title or key) if info is not None else key


def _structure(scored: ScoredForm, profile: Profile) -> Iterator[Problem]:
    # Messages name the columns as the form's own table does.
    scheme, labels = profile.scheme, profile.labels
    form = scored.form
    written: Decimal | None = getattr(form, "budget_weight", None)
    if written is not None and written != scheme.budget_weight:
        yield Problem("budget-weight", Level.ERROR, ("budget_weight",),
                      f"{labels.funds_weight} {plain(written)} differs from the scheme's "
                      f"{plain(scheme.budget_weight)}",
                      "remove budget_weight, or change scheme.budget_weight in formgen.toml")
    known = [(index, row) for index, row in enumerate(form.indicators) if scheme.level1_named(row.level1)]
    for index, row in enumerate(form.indicators):
        level1 = scheme.level1_named(row.level1)
        if level1 is None:
            names = "、".join(item.name for item in scheme.level1)
            yield Problem("level1-unknown", Level.ERROR, ("indicators", index, "level1"),
                          f"“{row.level1}” is not a {labels.level1} of the scheme", f"write one of {names}")
        elif level1.level2 and row.level2 not in level1.level2:
            yield Problem("level2-unknown", Level.WARNING, ("indicators", index, "level2"),
                          f"“{row.level2}” is not a usual {labels.level2} of {row.level1}",
                          f"use one of {'、'.join(level1.level2)}, or add it to the scheme in formgen.toml")
    yield from _apart(known, lambda row: row.level1, "level1")
    for name in dict.fromkeys(row.level1 for _, row in known):
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


def _weights_add_up(rows: list[tuple[int, Indicator]], group: str, weight: Decimal, label: str) -> Iterator[Problem]:
    """The 分值 of a group's rows (an 一级指标's, or a 二级指标's with points of its own) against its weight; a
    group without rows does not apply (rules.md S7)."""
    points = sum((row.weight for _, row in rows), Decimal(0))
    if rows and points != weight:
        yield Problem("weights-sum", Level.ERROR, ("indicators", rows[0][0], "weight"),
                      f"the {label} of the {group} rows add up to {plain(points)}, not {plain(weight)}",
                      f"make the {group} rows' {label} add up to {plain(weight)}")


EXAMPLE_MARK = "（示例）"
"""What the 项目名称 of `formgen init`'s example form ends with (generator/scaffold/example.yaml): a form
still named so is the example, published as if it were the unit's own unless it is deleted or edited."""


def _example(form: Form, profile: Profile) -> Iterator[Problem]:
    if EXAMPLE_MARK in form.title:
        yield Problem("example-form", Level.WARNING, ("title",),
                      f"{profile.labels.title} “{form.title}” is formgen init's example form: it would be "
                      "published as the unit's own", "delete this file once your own forms are here, or write "
                      f"your project's {profile.labels.title}")


def _placeholders(form: Form, profile: Profile) -> Iterator[Problem]:
    """Empty template rows (`layout.placeholder_rows`) of a form being written: kept and printed empty, never
    scored; a published copy keeps them as printed without a word. And the budget execution row a scheme with
    a ``budget_indicator`` scores: without it, budget execution would count nowhere."""
    wanted = profile.scheme.budget_indicator
    if wanted and not any(row.name == wanted and not row.placeholder for row in form.indicators):
        yield Problem("budget-row-missing", Level.ERROR, ("indicators",),
                      f"no {profile.labels.name} row “{wanted}”: the profile scores budget execution by that row "
                      "(scheme.budget_indicator), and the funding table gives it no points",
                      f"add the row {profile.labels.name}: {wanted}, with its {profile.labels.weight}")
    if form.status is Status.PUBLISHED:
        return
    for index, row in enumerate(form.indicators):
        if row.placeholder:
            yield Problem("row-empty", Level.WARNING, ("indicators", index),
                          f"row {index + 1} ({row.level2} {row.name}) has no {profile.labels.target}, "
                          f"{profile.labels.actual} or {profile.labels.weight}: it is printed as an empty "
                          "template row and not scored",
                          "fill in its figures, or remove it if the form does not need it")


def _free_weights(form: Form, scheme: Scheme, weight: str) -> Iterator[Problem]:
    """Free weights: no 一级指标 has a fixed share, but the rows together carry the scheme's indicator points,
    so that the total is still out of the scheme's full score."""
    fixed = sum((level1.weight for level1 in scheme.level1), Decimal(0))
    total = sum((row.weight for row in form.indicators if not row.placeholder), Decimal(0))
    if form.indicators and total != fixed:
        yield Problem("weights-sum", Level.ERROR, ("indicators", 0, "weight"),
                      f"the {weight} of the indicator rows add up to {plain(total)}, not the fixed total "
                      f"{plain(fixed)} (the scheme's weights are free: each row's {weight} is the unit's choice, "
                      "their sum is not)",
                      f"make the rows' {weight} add up to {plain(fixed)}")


def _apart(rows: list[tuple[int, Indicator]], key: Callable[[Indicator], str], field: str) -> Iterator[Problem]:
    """Rows of one group that another row separates: its cell could not span them (one cell per group).

    The row in between is the one reported: it is the one to move."""
    last_seen: dict[str, int] = {}
    reported: set[int] = set()
    for position, (_, row) in enumerate(rows):
        group = key(row)
        previous = last_seen.get(group)
        if previous is not None and previous != position - 1:
            between_index, between_row = rows[previous + 1]
            if between_index not in reported:
                reported.add(between_index)
                yield Problem("rows-apart", Level.ERROR, ("indicators", between_index, field),
                              f"this {key(between_row)} row stands between rows of {group}: "
                              f"the {group} cell cannot span its rows",
                              f"keep the {group} rows together: move row {between_index + 1} after them")
        last_seen[group] = position


_UNSCORED_ROW = frozenset({"unit-mismatch", "unscorable", "score-required", "figure-invalid", "actual-fraction"})
"""Errors that leave an indicator row without a computed score (its printed 得分, or 0, stands in)."""


def total_provisional(scored: ScoredForm, profile: Profile) -> bool:
    """Whether the computed 总分 is provisional: a row has no computed score, or counts in no 一级指标
    (a misspelt one). Its difference from a printed 总分 would then vanish once that row is fixed, so it is
    not reported; every other error leaves the total computed, and the comparison stands."""
    return any(problem.code in _UNSCORED_ROW for result in scored.indicators for problem in result.problems) \
        or any(profile.scheme.level1_named(row.level1) is None for row in scored.form.indicators)


def stated_problems(scored: ScoredForm, profile: Profile = _REFERENCE) -> Iterator[Problem]:
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
            yield Problem("stated-differs", Level.ERROR, ("stated", key),
                          f"{label} is stated as {plain(given)} but computes to {show(computed)}",
                          f"write {show(computed)}, or correct the figures it is computed from")
    for name, given in stated.subtotals.items():
        level1 = profile.scheme.level1_named(name)
        loc: tuple[str | int, ...] = ("stated", "subtotals", name)
        if level1 is None:
            names = "、".join(item.name for item in profile.scheme.level1)
            yield Problem("level1-unknown", Level.ERROR, loc,
                          f"“{name}” is not a {profile.labels.level1} of the scheme", f"write one of {names}")
        elif totals and given != (computed := scored.subtotals.get(level1.name, Decimal(0))):
            yield Problem("stated-differs", Level.ERROR, loc,
                          f"{name} {labels.subtotal} is stated as {plain(given)} "
                          f"but its rows' {labels.score} add up to "
                          f"{places.show_score(computed)}",
                          f"write {places.show_score(computed)}, or correct the rows' {profile.labels.score}")
    if totals and stated.grade and stated.grade != scored.grade:
        yield Problem("stated-differs", Level.ERROR, ("stated", "grade"),
                      f"{labels.grade} is stated as {stated.grade} but the total {places.show_score(scored.total)} "
                      f"gives {scored.grade}", f"write {scored.grade}")
    yield from _stated_funds(scored, profile)


def _stated_funds(scored: ScoredForm, profile: Profile) -> Iterator[Problem]:
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
            yield Problem("stated-differs", Level.ERROR, funding.loc,
                          f"{line.label} {labels.execution_rate} is stated as {plain(given)} but its "
                          f"{short_label(labels.budget)} is 0: it has none",
                          f"remove it, or correct funds.{line.key}.budget")
            continue
        if column == "rate":
            label, shown = labels.execution_rate, places.show_rate(own)
        elif column == "score":
            label, shown = short_label(labels.budget_score), places.show_score(own)
        else:
            yield Problem("stated-differs", Level.ERROR, funding.loc,
                          f"{line.label} {short_label(getattr(labels, column))} is stated as {money.message(given)} "
                          f"but funds.{line.key}.{column} is {money.message(own)}",
                          f"write {money.exact(own)}, or correct funds.{line.key}.{column}")
            continue
        yield Problem("stated-differs", Level.ERROR, funding.loc,
                      f"{line.label} {label} is stated as {plain(given)} but computes to {shown}",
                      f"write {shown}, or correct funds.{line.key}")


def _stated_funds_misplaced(scored: ScoredForm, profile: Profile) -> Iterator[Problem]:
    """The printed funding figures the profile's table has no cell for: an unknown row or column, the total
    row's 执行率 or 得分 (written as stated.execution_rate and stated.budget_score), a per-row 执行率 where
    only the total row prints one, a 得分 of a row without a 分值 of its own."""
    funds, labels = scored.form.funds, profile.labels
    lines = {line.key: line for line in profile.funds}
    for key, given in scored.form.stated.funds.items():
        loc: tuple[str | int, ...] = ("stated", "funds", key)
        line = lines.get(key)
        if line is None:
            yield Problem("stated-unknown", Level.ERROR, loc, f"“{key}” is not a row of the {labels.funds} table",
                          f"write one of {', '.join(lines)}")
            continue
        row = getattr(funds, key)
        for column in published.AMOUNTS:
            if getattr(given, column) is not None and column not in type(row).model_fields:
                yield Problem("stated-unknown", Level.ERROR, (*loc, column),
                              f"the table has no {short_label(getattr(labels, column))} column", f"remove {column}")
        score_label, rate_label = short_label(labels.budget_score), labels.execution_rate
        if given.score is not None and line is profile.total_row:
            yield Problem("stated-unknown", Level.ERROR, (*loc, "score"), f"the {line.label} row's {score_label} "
                          "is written as stated.budget_score", f"move it to stated.budget_score: {plain(given.score)}")
        elif given.score is not None and key not in scored.fund_scores:
            yield Problem("stated-unknown", Level.ERROR, (*loc, "score"), f"the {line.label} row has no 分值 of its "
                          f"own in this profile, so no {score_label}",
                          "remove it, or give the row a weight in the profile's [[funds]]")
        if given.rate is not None and line is profile.total_row:
            yield Problem("stated-unknown", Level.ERROR, (*loc, "rate"),
                          f"the {line.label} row's {rate_label} is written as stated.execution_rate",
                          f"move it to stated.execution_rate: {plain(given.rate)}")
        elif given.rate is not None and not profile.layout.funds_row_rate:
            yield Problem("stated-unknown", Level.ERROR, (*loc, "rate"),
                          f"the {line.label} row prints no {rate_label} in this profile",
                          "remove it, or set [layout] funds_row_rate = true in the profile")


def _indicators(scored: ScoredForm, config: SiteConfig, profile: Profile) -> Iterator[Problem]:
    form = scored.form
    for result in scored.indicators:
        yield from result.problems
        row, index = result.indicator, result.index
        target, actual = result.target, result.actual
        goal, achieved = row.target_figure, row.actual_figure
        target_label, actual_label, reason_label = _label(row, "target"), _label(row, "actual"), _label(row, "reason")
        if isinstance(target, Quantity) and (target.comparison is None or not target.unit):
            missing = [what for what, absent in (("operator (≥, ≤, ＝)", target.comparison is None),
                                                  ("unit", not target.unit)) if absent]
            yield Problem("target-incomplete", Level.WARNING, ("indicators", index, "target"),
                          f"{target_label} “{goal}” has no {' and no '.join(missing)}",
                          f"fill in {_label(row, 'nature')} and {_label(row, 'unit')}, e.g. ≥ and %"
                          if profile.split_target else "write it in full, e.g. ＝62万元 or ≥95%")
        if isinstance(target, DateValue) and target.date.year != form.year:
            yield Problem("date-outside-year", Level.WARNING, ("indicators", index, "target"),
                          f"the date {row.target} is outside the form's year {form.year}",
                          f"check the year: a {form.year} target is usually due by {form.year}年12月31日")
        if isinstance(target, Quantity) and isinstance(actual, Quantity) and target.comparison \
                and target.comparison.negative and actual.number == 0:
            yield Problem("zero-actual", Level.WARNING, ("indicators", index, "actual"),
                          f"{actual_label} 0 meets “{goal}” only arithmetically: nothing was spent or delivered, "
                          "and A ÷ B is undefined",
                          f"say in {reason_label} why the indicator did not apply, or leave the row out (rules.md S7)")
        threshold = config.checks.over_completion_percent
        # Without a reason column (云南's table) there is nowhere to explain: those two warnings need one.
        explained = getattr(row, "reason", "") or "reason" not in type(row).model_fields
        if result.over_percent is not None and result.over_percent > threshold and not explained:
            yield Problem("over-completion", Level.WARNING, ("indicators", index, "reason"),
                          f"{actual_label} {achieved} exceeds {target_label} {goal} by "
                          f"{formatting.rate(values.round_half_up(result.over_percent))}% with no explanation",
                          f"explain in {reason_label} why (more than {plain(threshold)}% over target; rules.md S5)")
        # A strict target met only at its bound has its error, which asks for the reason too.
        strict = any(problem.code == "strict-bound" for problem in result.problems)
        if result.method is Method.QUANTITATIVE and result.met is False and not explained and not strict:
            yield Problem("missed-unexplained", Level.WARNING, ("indicators", index, "reason"),
                          f"the target {goal} was missed ({achieved}) with no explanation",
                          f"explain in {reason_label} why, and what will be done")
    yield from _cost_rows(scored, profile)


def _cost_rows(scored: ScoredForm, profile: Profile) -> Iterator[Problem]:
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
        yield Problem("cost-exceeds-executed", Level.WARNING, ("indicators", amounts[0][0].index, "actual"),
                      f"the 成本指标 amounts add up to {formatting.money(spent)} 元, more than {executed_label} "
                      f"{profile.money.message(executed)}, yet every one is reported as met",
                      "report the amounts actually spent, and score the rows that fell short")


def _execution(scored: ScoredForm, config: SiteConfig, labels: Labels) -> Iterator[Problem]:
    threshold = config.checks.explain_execution_below
    if scored.form.funds.total.budget and scored.execution_rate < threshold and not scored.form.execution_reason:
        yield Problem("execution-unexplained", Level.WARNING, ("funds", "total", "executed"),
                      f"{labels.execution_rate} is {scored.places.show_rate(scored.execution_rate)}% with no "
                      "explanation", f"say why in execution_reason ({labels.execution_reason}) and what will be done")
    filled, year = getattr(scored.form, "filled_on", None), scored.form.year  # a profile may not have it
    if filled is not None and filled.year <= year and (filled.month, filled.day) != (12, 31):
        yield Problem("filled-before-year-end", Level.WARNING, ("filled_on",),
                      f"{labels.filled_on} {filled.isoformat()} is before the end of the evaluated year {year}",
                      f"a self-evaluation is filled in after the year ends; check {labels.filled_on} and "
                      f"{labels.year}")
    if filled is not None and filled.year > year + 1:
        # A 2024 form is filled in early 2025; 2052 is 2025 typed backwards, 2026 a year typed for the other.
        yield Problem("filled-long-after-year", Level.WARNING, ("filled_on",),
                      i18n._("{label} {date} is more than a year after the evaluated year {year}").format(
                          label=labels.filled_on, date=filled.isoformat(), year=year),
                      i18n._("check {label} and {year_label}: a {year} form is filled in during {next}").format(
                          label=labels.filled_on, year_label=labels.year, year=year, next=year + 1))


# A figure the narrative attributes to the budget or to spending: 预算135628元, 执行数为988,000元, 6万元.
_AMOUNT = re.compile(r"(预算|执行|支出)(?:数|金额|资金|额)?(?:为|是|共|:|：)?\s*(\d[\d,，]*(?:\.\d+)?)\s*(万元|元)")
_GRADE = re.compile(r"等级\s*(?:为|是|:|：)?\s*[“\"'「]?\s*(优|良|中|差)")


CROSS_FORM_FIELDS = frozenset({"title", "expected", "actual", "execution_reason", "reason", "note"})
"""The fields cross-form checks report on (shared 项目名称, copied texts): their lines are kept."""


_ROW_TEXTS = ("reason", "note")
"""The free-text columns of an indicator row (a profile may have only the first)."""


def narrative_texts(scored: ScoredForm, body: str) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Every free text of a form with its field: goals, reasons, notes, the conclusion (``body``)."""
    form = scored.form
    yield ("goals", "expected"), form.goals.expected
    yield ("goals", "actual"), form.goals.actual
    yield ("execution_reason",), form.execution_reason
    for index, row in enumerate(form.indicators):
        for key in _ROW_TEXTS:
            if key in type(row).model_fields:
                yield ("indicators", index, key), getattr(row, key)
    yield ("body",), body


def _narrative(scored: ScoredForm, body: str, profile: Profile) -> Iterator[Problem]:
    funds = scored.form.funds
    rows, columns = _titles(type(funds)), _titles(type(funds.total))
    factor = profile.money.factor
    # Compared in 元: the text may name 元 or 万元 whatever the table's unit.
    table = {getattr(getattr(funds, row), column) * factor for row in rows for column in columns}
    for loc, text in narrative_texts(scored, body):
        for match in _AMOUNT.finditer(text):
            number = values.parse_decimal(match.group(2))
            if number is None:
                continue
            amount = number * (10_000 if match.group(3) == "万元" else 1)
            if amount in table:
                continue
            column = "budget" if match.group(1) == "预算" else "executed"
            figure = getattr(funds.total, column)
            yield Problem("narrative-amount", Level.WARNING, loc,
                          f"the text says “{match.group(0)}”, but the table's {rows['total']} {columns[column]} "
                          f"is {profile.money.message(figure)} and no cell holds "
                          f"{profile.money.message(amount / factor)}",
                          "correct the text or the table so that they agree",
                          extra={"offset": match.start()})
    for match in _GRADE.finditer(body) if scored.scored else ():  # an unscored form has no grade to contradict
        if match.group(1) != scored.grade:
            yield Problem("grade-contradiction", Level.WARNING, ("body",),
                          f"the conclusion names the grade “{match.group(1)}” but the total "
                          f"{scored.places.show_score(scored.total)} gives “{scored.grade}”",
                          f"change the conclusion to “{scored.grade}”", extra={"offset": match.start()})


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _links(body: str, folder: Path | None) -> Iterator[Problem]:
    """Links and images of the 自评结论 that would reach outside the site: published pages link only
    inside it and the PDF fetches nothing else (a mailto: link is harmless and allowed). Read from the
    HTML the conclusion becomes (narrative.links), so that no way of writing a link escapes."""
    cursor = 0
    for link in narrative.links(body):
        target = link.target
        offset = narrative.locate_link(body, link, cursor)
        cursor = offset + 1
        where: dict[str, object] = {"offset": offset}
        if target.lower().startswith("mailto:") or target.startswith("#") or not target:
            continue
        if _SCHEME.match(target) or target.startswith(("/", "\\")):
            yield Problem("link-external", Level.ERROR, ("body",),
                          f"“{target}” points outside the site: pages link only inside it and PDFs fetch "
                          "nothing from the network or other folders",
                          "remove it, or put the file beside the form and refer to it by a relative path",
                          extra=where)
            continue
        resolved = (folder / target.split("#")[0]).resolve() if folder is not None else None
        if ".." in Path(target).parts or (resolved is not None and folder is not None
                                           and not resolved.is_relative_to(folder.resolve())):
            yield Problem("link-outside", Level.ERROR, ("body",),
                          f"“{target}” leaves the form's folder (.. or a symbolic link pointing elsewhere)",
                          "put the file beside the form, or in a folder below it", extra=where)


def _sanitizing(body: str) -> Iterator[Problem]:
    """Text of the 自评结论 that publishing would lose: an element left open swallows the rest (an error:
    a published text would silently end early); any other text the sanitizer drops is a warning."""
    unclosed = narrative.unclosed_elements(body)
    for name, offset in unclosed:
        tag = "<!--" if name == "!--" else f"<{name}>"
        closing = "-->" if name == "!--" else f"</{name}>"
        yield Problem("body-unclosed", Level.ERROR, ("body",),
                      f"“{tag}” is opened here and never closed: the text after it would be dropped from the "
                      "published 自评结论",
                      f"close it with “{closing}” or remove it", extra={"offset": offset})
    dropped = None if unclosed else narrative.dropped_text(body)
    if dropped is not None:
        quote, offset = dropped
        yield Problem("body-dropped", Level.WARNING, ("body",),
                      f"the published 自评结论 would not show “{quote}” as written: HTML around it is removed "
                      "with its content, or shows as markup",
                      "write it as plain Markdown text, without that HTML", extra={"offset": offset})


def check_form(scored: ScoredForm, body: str, config: SiteConfig, source: Path | None = None,
               profile: Profile | None = None) -> list[Problem]:
    """Every problem of one form, errors and warnings, in a stable order. `source` is the form file
    (for links relative to it); `profile` the form's (default: the site's)."""
    profile = profile or config.profile_for()
    problems: list[Problem] = list(scored.problems)
    problems += funds_problems(scored.form.funds, profile)
    problems += _structure(scored, profile)
    problems += _placeholders(scored.form, profile)
    problems += _example(scored.form, profile)
    problems += _indicators(scored, config, profile)
    # Compared even when there are errors above: a printed 总分 of 110 against a computed 100 is a fact
    # about the form whatever else is wrong, and hiding it let a clerk fix one error only to meet the next.
    problems += stated_problems(scored, profile)
    problems += _execution(scored, config, profile.labels)
    problems += _narrative(scored, body, profile)
    problems += _links(body, source.parent if source is not None else None)
    problems += _sanitizing(body)
    if scored.form.status is not Status.PUBLISHED:
        return problems
    return published.kept(problems) + list(published.printed_empty_problems(scored, profile))


def check_slug(slug: str) -> Problem | None:
    """A slug (the file name) that is not safe in every URL and on every file system."""
    if len(slug) > MAX_SLUG_CHARS:
        return Problem("slug-invalid", Level.ERROR, (),
                       f"the file name is {len(slug)} characters long; a form's identity (slug) has at most "
                       f"{MAX_SLUG_CHARS}", "rename the file to a shorter name, e.g. power-system-2024.md")
    if _SLUG.fullmatch(slug):  # not match(): "$" would also accept a slug ending in a line end
        return None
    return Problem("slug-invalid", Level.ERROR, (),
                   f"the file name “{printable(slug)}” is not a valid form identity (slug)",
                   "rename the file to lowercase letters, digits and hyphens, e.g. power-system-2024.md")


PLACEHOLDER = "【待填写】"
"""What `formgen new` writes where a value is still to come. An error wherever it is left, so that a
half-filled form never checks, builds or exports."""


def placeholder_problems(data: object, body: str, loc: tuple[str | int, ...] = ()) -> Iterator[Problem]:
    """Every value of the raw front matter, and every spot of the 自评结论, that still holds `PLACEHOLDER`.

    Works on the data as read, before validation: a placeholder where a number belongs fails
    validation too, and the pipeline reports it once, as this."""
    if isinstance(data, str):
        if PLACEHOLDER in data:
            yield Problem("placeholder", Level.ERROR, loc, f"still holds the placeholder {PLACEHOLDER}",
                          "write the value: the comment beside the key says what goes there")
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from placeholder_problems(value, "", (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from placeholder_problems(value, "", (*loc, index))
    start = body.find(PLACEHOLDER)
    while start >= 0:
        yield Problem("placeholder", Level.ERROR, ("body",), f"the 自评结论 still holds the placeholder {PLACEHOLDER}",
                      "write the conclusion in its place", extra={"offset": start})
        start = body.find(PLACEHOLDER, start + len(PLACEHOLDER))


def normalized_text(text: str) -> str:
    """A text with white space removed and full-width forms folded, for comparing copies."""
    return re.sub(r"\s+", "", values.normalize(text))

