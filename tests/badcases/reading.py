"""Slips of reading a form (issue 12): what a Chinese input method types in place of YAML's half-width
characters, keys written as the form's labels, dates without a day, units and quotation marks in figures,
an empty or odd 部门代码."""

from __future__ import annotations

from generator.findings import Level

SLIPS = [
    # Full-width characters where YAML needs half-width ones: an error at the line itself, the form still read.
    ("fullwidth-colon-weight.md", 21, Level.ERROR, "yaml-full-width", "the colon after `weight` is the full-width"),
    ("fullwidth-colon-score.md", 22, Level.ERROR, "yaml-full-width", "the colon after `score` is the full-width “：”"),
    ("fullwidth-colon-title.md", 6, Level.ERROR, "yaml-full-width", "the colon after `title` is the full-width “：”"),
    ("fullwidth-colon-name.md", 9, Level.ERROR, "yaml-full-width", "the colon after `name` is the full-width “：”"),
    ("fullwidth-colon-funds.md", 12, Level.ERROR, "yaml-full-width", "the colon after `total` is the full-width “：”"),
    ("fullwidth-space-after-colon.md", 6, Level.ERROR, "yaml-full-width", "`title:` is followed by a full-width space"),
    ("fullwidth-indent.md", 9, Level.ERROR, "yaml-full-width", "indented with full-width spaces"),
    ("fullwidth-braces.md", 21, Level.ERROR, "yaml-full-width", "full-width braces “｛ ｝”"),
    ("fullwidth-comma.md", 21, Level.ERROR, "yaml-full-width", "a full-width comma “，” stands before `level2`"),
    ("fullwidth-dash.md", 21, Level.ERROR, "yaml-full-width", "starts with a full-width dash “－”"),
    ("colon-without-space.md", 6, Level.ERROR, "yaml-colon-space", "no space after the colon of `title:`"),
    # A Chinese key with a full-width colon: YAML cannot read the line; named at it, not at the next one.
    ("chinese-key-fullwidth-colon.md", 6, Level.ERROR, "yaml-syntax", "this line is not “name: value”"),
    # The form's label written as the key: one error naming the field meant.
    ("label-as-key-row.md", 21, Level.ERROR, "field-label-as-key", "“分值” is the label printed on the form"),
    ("label-as-key-contact.md", 34, Level.ERROR, "field-label-as-key", "the field's name is `contact`"),
    # Dates and years.
    ("filled-on-month-only.md", 5, Level.ERROR, "field-date-no-day", "“2025年1月” names a month, not a day"),
    ("filled-on-long-after.md", 5, Level.WARNING, "filled-long-after-year",
     "2052-01-23 is more than a year after the evaluated year 2024"),
    ("year-with-nian.md", 4, Level.ERROR, "field-year-invalid", "the year is a number alone"),
    # 部门代码: empty prints “[]”; a word or brackets print “[无]”, “[[120]]”.
    ("department-code-empty.md", 8, Level.ERROR, "department-code-empty", "would print “[]”"),
    ("department-code-made-up.md", 8, Level.WARNING, "department-code-shape", "“无” does not look like a budget code"),
    ("department-code-brackets.md", 8, Level.WARNING, "department-code-shape", "“[120]” is written with brackets"),
    # Units and quotation marks in figures.
    ("money-with-yuan.md", 16, Level.ERROR, "field-money-unit", "“0元” is written with a unit"),
    ("money-in-wanyuan.md", 15, Level.ERROR, "field-money-unit", "“0万元” is written with a unit"),
    ("target-in-chinese-quotes.md", 23, Level.ERROR, "field-value-quoted", "“≥90%” is written in Chinese quotation"),
    ("title-in-chinese-quotes.md", 6, Level.WARNING, "text-quoted", "which the form would print"),
]
