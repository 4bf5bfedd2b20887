"""Published forms (``status: published``): archival copies, kept as printed.

A form already published is a fact: its printed 执行率, 得分 and 总分 stand even where the arithmetic is
wrong or formgen computes otherwise. Its discrepancies are the findings that, in a form being written,
are errors of arithmetic against what is printed; here they become ``Level.DISCREPANCY`` (reported,
never failing a run), and the page shows each printed figure with formgen's beside it. Everything else
(an unreadable file, a missing field, an unknown key, a value that cannot be read) blocks as for a draft.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import formatting
from .config import Scheme
from .findings import Finding, Level, problem
from .formatting import Places
from .i18n import N_, _, ngettext
from .model import Form, Status, field_name, label_for
from .profile import FundLine, Profile
from .scoring import Method, ScoredForm

__all__ = ["AMOUNTS", "DISCREPANCIES", "Difference", "Printed", "StatedFunding", "kept", "printed",
           "printed_empty_problems", "stated_funding"]

DISCREPANCIES = frozenset({
    "stated-differs",      # a printed 执行率, 预算执行得分, 总分 or 等级 that formgen computes otherwise
    "score-mismatch",      # a printed quantitative 得分 that formgen computes otherwise
    "score-decimals",      # a printed 得分 with more decimals than the scheme prints
    "score-above-weight",  # a printed 得分 above its printed 分值
    "qualitative-band",    # a printed qualitative 得分 outside its achievement level's band
    "strict-bound",        # a printed full 得分 for a strict target (＞5000亩) met only at its bound
    "actual-fraction",     # a printed 实际完成值 written as a fraction against a percentage (0.93 for 93%)
    "funds-sum",           # printed funding rows that do not add up
    "funds-over-budget",   # a printed 全年执行数 above its printed 全年预算数
    "weights-sum",         # printed 分值 that do not add up to their 一级指标's weight
    "budget-weight",       # a printed 预算执行率分值 other than the scheme's
    "printed-empty",       # a figure the copy printed empty (an unfilled form): kept empty, never scored
    "money-scale",         # a printed table in 万元 under a 元 heading (or the other way round), as its own
                           # texts or cost rows show: kept as printed, the page lists it under the table
    "rows-apart",          # printed rows of one 一级/二级指标 that another row stands between: the copy keeps
                           # the printed order, and its page repeats the group's cell where the rows part
})
"""The codes that compare printed figures with each other or with formgen's computation, or the printed
order of the rows with the grouping a form being written keeps (docs/checks.md)."""

_KEPT_FIX = N_("kept as printed (status: published), with formgen's figure beside it; correct the file only where "
             "it differs from the published form")


def kept(problems: list[Finding]) -> list[Finding]:
    """The problems of a published form: its discrepancies reported as such, with a fix that keeps the copy
    faithful (the draft's fix, "write 97.09", would make it differ from what was published)."""
    return [replace(problem, level=Level.DISCREPANCY, fix=_(_KEPT_FIX)) if problem.code in DISCREPANCIES
            and problem.level is Level.ERROR else problem for problem in problems]


@dataclass(frozen=True)
class Difference:
    """A printed figure that formgen computes otherwise."""

    key: str
    """The field as authors write it: ``stated.total``, ``indicators[3].score``."""
    label: str
    """Its Chinese label: ``表上填写的结果 总分``."""
    stated: str
    """As printed, formatted as formgen prints that figure."""
    computed: str
    """formgen's."""


@dataclass(frozen=True)
class Printed:
    """The figures a published form's table shows: the printed ones, and formgen's where they differ."""

    figures: dict[str, str]
    """Each figure of the table by key (``execution_rate``, ``budget_score``, ``total``, ``indicators[3].score``),
    as printed where the form states it, else as computed."""
    differences: dict[str, Difference]
    """By the same keys, the figures whose printed value differs from formgen's."""
    amounts: dict[str, Decimal] = field(default_factory=dict)
    """The printed funding amounts (``stated.funds``) by the same keys (``funds.total.budget``), in the profile's
    unit: the feed converts them to 元 like every amount."""

    def computed(self, key: str) -> str | None:
        """formgen's figure where it differs from the printed one, else None."""
        difference = self.differences.get(key)
        return difference.computed if difference is not None else None


AMOUNTS = ("initial", "budget", "executed")


@dataclass(frozen=True)
class StatedFunding:
    """One printed funding figure (``stated.funds.<row>.<column>``) that the profile's table has a cell for,
    with formgen's figure for that cell."""

    line: FundLine
    column: str
    """An amount (``initial``, ``budget``, ``executed``), the row's ``rate`` or its ``score``."""
    printed: Decimal
    own: Decimal | None
    """The row's own amount, or formgen's rate or score; None for the rate of a row without budget, which
    the table prints blank (`layout.funds_blank`)."""

    @property
    def key(self) -> str:
        return f"funds.{self.line.key}.{self.column}"

    @property
    def loc(self) -> tuple[str, ...]:
        return ("stated", "funds", self.line.key, self.column)


def stated_funding(scored: ScoredForm, profile: Profile) -> Iterator[StatedFunding]:
    """The printed funding figures of `stated.funds` against formgen's, in the order written: the one
    comparison behind both the checks' discrepancies and the page's figures. A figure the table has no cell
    for (an unknown row or column, the total row's rate or score, written elsewhere) is left out: the checks
    name it as an error."""
    lines = {line.key: line for line in profile.funds}
    for key, given in scored.form.stated.funds.items():
        line = lines.get(key)
        if line is None:
            continue
        row = getattr(scored.form.funds, key)
        for column in AMOUNTS:
            amount = getattr(given, column)
            if amount is not None and column in type(row).model_fields:
                yield StatedFunding(line, column, amount, getattr(row, column))
        if line is profile.total_row:
            continue
        if given.score is not None and key in scored.fund_scores:
            yield StatedFunding(line, "score", given.score, scored.fund_scores[key])
        if given.rate is not None and profile.layout.funds_row_rate:
            yield StatedFunding(line, "rate", given.rate, profile.layout.row_rate(scored.fund_rates.get(key)))


_Pair = tuple[str, tuple[str | int, ...], Decimal | None, Decimal, str]
"""A score or rate of the form: its key, its place in the form, as printed (None: not stated), formgen's,
and formgen's as the sheet shows it."""


def printed(scored: ScoredForm, profile: Profile) -> Printed | None:
    """The figures of a published form as printed, with formgen's where they differ; None for a draft,
    whose table shows formgen's figures only. The profile's scheme grades a printed 总分 where the form
    states no 等级 (lists and the feed then agree with the total they show); its money format prints the
    funding amounts as its sheet does."""
    scheme = profile.scheme
    form = scored.form
    if form.status is not Status.PUBLISHED:
        return None
    model = type(form)
    stated = form.stated
    pairs = _score_pairs(scored, scheme)
    figures: dict[str, str] = {}
    differences: dict[str, Difference] = {}
    _compare_scores(pairs, scored.places, model, figures, differences)
    amounts = _compare_funding(scored, profile, figures, differences)
    complete = _complete(scored)
    figures["grade"] = stated.grade or (scheme.grade_for(stated.total) if stated.total is not None else
                                        scored.grade if complete else "")
    _printed_empty(scored, {key: shown for key, _, _, _, shown in pairs}, complete, figures, differences)
    _not_printed(scored, complete, figures, differences)
    if stated.grade and stated.grade != scored.grade and complete:
        loc = ("stated", "grade")
        differences["grade"] = Difference(field_name(loc), label_for(loc, model), stated.grade, scored.grade)
    return Printed(figures, differences, amounts)


def _score_pairs(scored: ScoredForm, scheme: Scheme) -> list[_Pair]:
    """The rate, the scores and the subtotals the form may state, each with formgen's."""
    stated, places = scored.form.stated, scored.places
    pairs: list[_Pair] = [
        ("execution_rate", ("stated", "execution_rate"), stated.execution_rate, scored.execution_rate,
         places.show_rate(scored.execution_rate)),
        ("budget_score", ("stated", "budget_score"), stated.budget_score, scored.budget_score,
         places.show_score(scored.budget_score)),
        ("total", ("stated", "total"), stated.total, scored.total, places.show_score(scored.total)),
    ]
    for result in scored.indicators:
        if result.method in (Method.PLACEHOLDER, Method.UNFILLED):  # an empty row prints no 得分
            continue
        loc: tuple[str | int, ...] = ("indicators", result.index, "score")
        pairs.append((field_name(loc), loc, result.indicator.score, result.score, places.show_score(result.score)))
    for name, printed_subtotal in stated.subtotals.items():
        level1 = scheme.level1_named(name)  # scored.subtotals are keyed by the scheme's names
        subtotal = scored.subtotals.get(level1.name if level1 is not None else name, Decimal(0))
        pairs.append((f"subtotals.{name}", ("stated", "subtotals", name), printed_subtotal, subtotal,
                      places.show_score(subtotal)))
    return pairs


def _compare_scores(pairs: list[_Pair], places: Places, model: type[Form], figures: dict[str, str],
                    differences: dict[str, Difference]) -> None:
    for key, loc, given, computed, shown in pairs:
        show = formatting.rate if key == "execution_rate" else formatting.score
        # A printed figure is shown with the scheme's decimals, or with its own where it was printed with
        # more (86.20 in a whole-number scheme): a published copy never loses what was printed.
        wanted = places.rate if key == "execution_rate" else places.score
        figures[key] = show(given, max(wanted, formatting.decimals_of(given))) if given is not None else shown
        if given is not None and given != computed:
            differences[key] = Difference(field_name(loc), label_for(loc, model), figures[key], shown)


def _compare_funding(scored: ScoredForm, profile: Profile, figures: dict[str, str],
                     differences: dict[str, Difference]) -> dict[str, Decimal]:
    """The funding table's printed figures against formgen's; returns the printed amounts."""
    money, places, model = profile.money.show, scored.places, type(scored.form)
    amounts: dict[str, Decimal] = {}
    for funding in stated_funding(scored, profile):
        given, own, key = funding.printed, funding.own, funding.key
        if funding.column in AMOUNTS:
            amounts[key], figures[key] = given, money(given)
            shown_own = money(own) if own is not None else ""
        else:
            # Kept with its own decimals where it was printed with more than the scheme's (as above).
            show = formatting.rate if funding.column == "rate" else formatting.score
            wanted = places.rate if funding.column == "rate" else places.score
            figures[key] = show(given, max(wanted, formatting.decimals_of(given)))
            shown_own = profile.layout.funds_blank if own is None else \
                places.show_rate(own) if funding.column == "rate" else places.show_score(own)
        if given != own:
            differences[key] = Difference(field_name(funding.loc), label_for(funding.loc, model), figures[key],
                                          shown_own)
    return amounts


def _printed_empty(scored: ScoredForm, computed: dict[str, str], complete: bool, figures: dict[str, str],
                   differences: dict[str, Difference]) -> None:
    """A figure the published copy prints empty is shown empty, with formgen's beside it where it has one."""
    form = scored.form
    for loc in sorted(form.printed_empty, key=str):
        key = field_name(loc).removeprefix("stated.")
        figures[key] = ""
        if loc[0] == "funds" or key.endswith(".actual"):
            continue  # an amount or an actual printed empty: nothing of formgen's to set beside it
        computed_figure = computed.get(key)
        if computed_figure is not None and (key != "total" or complete):
            differences[key] = Difference(field_name(loc), label_for(loc, type(form)), "", computed_figure)


def _not_printed(scored: ScoredForm, complete: bool, figures: dict[str, str],
                 differences: dict[str, Difference]) -> None:
    """What a copy printed unfilled cannot show: an unfilled row's 得分, the total without all rows, the
    执行率 of a funding row printed empty."""
    form, places, stated = scored.form, scored.places, scored.form.stated
    for result in scored.indicators:  # an unfilled row's 得分: as printed, or empty, written so or left out
        if result.method is Method.UNFILLED:
            given = result.indicator.score
            figures[field_name(("indicators", result.index, "score"))] = "" if given is None else \
                formatting.score(given, max(places.score, formatting.decimals_of(given)))
    if not complete and stated.total is None:
        figures["total"] = ""  # the rows' 得分 are not all there: no total to show
        differences.pop("total", None)
    for row_key in type(form.funds).model_fields:  # a row printed empty prints no 执行率 either
        if all(("funds", row_key, column) in form.printed_empty for column in ("budget", "executed")):
            figures[f"funds.{row_key}.rate"] = ""
            differences.pop(f"funds.{row_key}.rate", None)


def _complete(scored: ScoredForm) -> bool:
    """Whether every row that counts was scored: a published copy printed unfilled (empty 实际完成值) has no
    total formgen could compute."""
    return not any(result.method is Method.UNFILLED for result in scored.indicators)


_EMPTY_FIX = N_("kept empty as printed (status: published); write the figure only where the published form "
              "prints one")


def printed_empty_problems(scored: ScoredForm, profile: Profile) -> Iterator[Finding]:
    """Each figure a published copy printed empty (`Form.printed_empty`), as a discrepancy: the cell is kept
    empty, and formgen's figure is named where it can compute one."""
    form, places = scored.form, scored.places
    unfilled = [result for result in scored.indicators if result.method is Method.UNFILLED]
    computed = {"execution_rate": places.show_rate(scored.execution_rate),
                "budget_score": places.show_score(scored.budget_score)}
    for loc in sorted(form.printed_empty, key=str):
        if loc[0] == "funds":
            message = _("printed empty: read as 0 in the sums")
        elif loc[0] == "indicators" and loc[2] == "actual":
            message = _("printed empty: the row is not scored")
        elif loc[0] == "indicators":
            row = scored.indicators[int(loc[1])]
            message = (_("printed empty") if row.method is Method.UNFILLED
                       else _("printed empty; formgen computes {figure}").format(figure=places.show_score(row.score)))
        elif loc[1] == "total":
            message = (ngettext("printed empty; formgen cannot compute it: {count} row is not scored",
                                "printed empty; formgen cannot compute it: {count} rows are not scored",
                                len(unfilled)).format(count=len(unfilled))
                       if unfilled else _("printed empty; formgen computes {figure}").format(
                           figure=places.show_score(scored.total)))
        else:
            message = _("printed empty; formgen computes {figure}").format(figure=computed[str(loc[1])])
        yield problem("printed-empty", Level.DISCREPANCY, loc, message, _(_EMPTY_FIX))
