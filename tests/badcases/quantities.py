"""Slips in targets and actuals (issue 12, point 2): figures, units and operators as clerks write them.

Each file is content/2024/power-system-renovation.md made clean first — spent in full (全年执行数 =
全年预算数, so no 执行率 to explain and no 成本指标 above what was spent), its deadline in 2024, its 总分
stated as 100 — then given one slip in one indicator row. Errors where the published figure would change
(a fraction read as a percentage, full marks for a strict target missed at its bound, a row that cannot
be scored); warnings where it might (no unit, an operator or a level where the figure achieved belongs).
"""

from __future__ import annotations

from generator.findings import Level

from . import Slip

SLIPS: list[Slip] = [
    # A fraction of 1 against a percentage: read as written it is 0.93%.
    ("fraction-quality-rate.md", 23, Level.ERROR, "actual-fraction", "0.93 looks like 93%"),
    ("fraction-satisfaction.md", 31, Level.ERROR, "actual-fraction", "0.95 looks like 95%"),
    ("fraction-cost-rate.md", 27, Level.ERROR, "actual-fraction", "1 looks like 100%"),
    # No unit: read in the target's.
    ("unitless-percent.md", 31, Level.WARNING, "actual-unit-missing", "it is read as 100%"),
    ("unitless-area.md", 21, Level.WARNING, "actual-unit-missing", "it is read as 5000平方米"),
    ("unitless-money.md", 25, Level.WARNING, "actual-unit-missing", "it is read as 215000元"),
    # A strict target (＞, >, 大于, 超过, （不含）; ＜, 小于) met only at its bound, scored in full.
    ("strict-fullwidth-greater.md", 21, Level.ERROR, "strict-bound", "＞5000平方米 but does not exceed it"),
    ("strict-ascii-greater.md", 21, Level.ERROR, "strict-bound", ">5000平方米 but does not exceed it"),
    ("strict-word-greater.md", 23, Level.ERROR, "strict-bound", "大于90% but does not exceed it"),
    ("strict-exceeding.md", 23, Level.ERROR, "strict-bound", "超过90% but does not exceed it"),
    ("strict-excluded-bound.md", 31, Level.ERROR, "strict-bound", "95%以上（不含） but does not exceed it"),
    ("strict-fullwidth-less.md", 29, Level.ERROR, "strict-bound", "＜243313.19元 but does not stay below it"),
    ("strict-word-less.md", 29, Level.ERROR, "strict-bound", "小于243313.19元 but does not stay below it"),
    # An operator or a range where the figure achieved belongs (≥266米 on a published 四川 form).
    ("actual-operator-area.md", 21, Level.WARNING, "actual-operator", "“≥5000平方米” holds an operator"),
    ("actual-operator-percent.md", 31, Level.WARNING, "actual-operator", "“≥95%” holds an operator"),
    ("actual-operator-suffix.md", 23, Level.WARNING, "actual-operator", "“90%以上” holds an operator"),
    ("actual-range.md", 31, Level.WARNING, "actual-operator", "“95%-100%” holds an operator"),
    # Words where a figure is wanted: an achievement level is scored as one, other words cannot be.
    ("word-level-against-area.md", 21, Level.WARNING, "actual-word", "“完成” is an achievement level"),
    ("word-level-against-percent.md", 31, Level.WARNING, "actual-word", "“达成预期指标” is an achievement level"),
    ("word-done.md", 22, Level.ERROR, "unscorable", "“已完成” cannot be scored"),
    ("word-up-to-standard.md", 23, Level.ERROR, "unscorable", "“达标” cannot be scored"),
    ("word-chinese-numerals.md", 31, Level.ERROR, "unscorable", "“百分之九十五” cannot be scored"),
    # Units that do not convert (亩 and 平方米: 666.66…; a 百分点 is not a %).
    ("unit-mu-against-square-metres.md", 21, Level.ERROR, "unit-mismatch", "平方米 cannot be compared with 亩"),
    ("unit-percentage-points.md", 23, Level.ERROR, "unit-mismatch", "% cannot be compared with 百分点"),
]
