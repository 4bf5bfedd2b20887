"""A finding: one problem in one place, as data.

Produced by reading, validation, scoring and checks; printed by the CLI, exported in the data feed.
Policy (docs/checks.md): an **error** is something that makes a figure wrong or the form unreadable
(arithmetic that does not hold, a missing or mistyped field, a stated score that differs from the
computed one); a **warning** is a smell a reviewer should look at (a missing explanation, a target
without a unit, copy-pasted text). ``--strict`` treats warnings as errors. A **discrepancy** is what would
be an error of arithmetic in a form being written, found in the copy of a form already published
(``status: published``): reported, published beside formgen's figure, and never failing a run, since the
copy must stay as printed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .i18n import N_, _

__all__ = ["Finding", "Level", "Reported", "problem"]


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    DISCREPANCY = "discrepancy"
    """A printed figure of a published form that differs from formgen's or does not add up: kept as printed."""

    def fails(self, strict: bool = False) -> bool:
        """Whether a finding of this level fails check, export and build (warnings only with --strict).

        A discrepancy never does: no edit can make an archival copy agree without making it unfaithful."""
        return self is Level.ERROR or (strict and self is Level.WARNING)


_LEVEL_PREFIX = {Level.WARNING: N_("warning: "), Level.DISCREPANCY: N_("discrepancy: ")}
"""How a finding of each level but an error starts, after its place. The spaces are part of the text:
Chinese puts none after a full-width colon."""
_TAGGED_PREFIX = {**_LEVEL_PREFIX, Level.ERROR: N_("error: ")}
"""The same for import's notes, which name errors too."""


@dataclass(frozen=True, order=True)
class Finding:
    """A problem located in a file: ``path:line: field (标签): message — fix``."""

    path: str
    line: int
    level: Level
    code: str
    """A stable identifier of the rule (``funds-over-budget``), for documentation and filtering."""
    field: str
    """The key path as authors write it: ``funds.total.executed``, ``indicators[4].weight``; ``""`` for the file."""
    label: str
    """The field's Chinese label on the form: ``项目资金（元） 年度资金总额 全年执行数（B）``."""
    message: str
    fix: str
    loc: tuple[str | int, ...] = ()
    """The field as a key path (``("indicators", 3, "weight")``) while the finding is not located yet: scoring and
    checks know the field, the reader knows the file and the line, and `pipeline.locate` gives it `path`,
    `line`, `field` and `label` (and empties `loc`). Empty for a finding of the file as a whole."""
    offset: int = 0
    """In the body (the 自评结论): the character the finding is at, which gives its line."""

    @property
    def place(self) -> str:
        """Where it is: ``path:line``, or the path alone where there is no line (an import note's place)."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def subject(self) -> str:
        """The field it is about, as the terminal names it: ``title (项目名称): ``; nothing for the file."""
        return _("{field} ({label}): ").format(field=self.field, label=self.label) if self.field else ""

    def terminal(self, *, level: bool = True) -> str:
        """The finding as the terminal shows it, for an editor to jump to: ``path:line: warning: field (标签):
        message — fix``; `level`: with the word of its level (errors have none), which `formgen diff` says in
        its own words. The one formatter of findings for the terminal (`__str__`, check, build, export, serve's
        log, diff), with `tagged` for import's notes."""
        prefix = _(_LEVEL_PREFIX[self.level]) if level and self.level is not Level.ERROR else ""
        separator = _(" — ")  # between what is wrong and what to do
        return f"{self.place}: {prefix}{self.subject()}{self.message}{separator}{self.fix}"

    def tagged(self) -> str:
        """As `formgen import` reports what it could not place: ``place: error: message [code]``, the code last,
        to look up in docs/import.md."""
        return f"{self.place}: {_(_TAGGED_PREFIX[self.level])}{self.message} [{self.code}]"

    def __str__(self) -> str:
        return self.terminal()

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "level": self.level.value, "code": self.code,
                "field": self.field, "label": self.label, "message": self.message, "fix": self.fix}


def problem(code: str, level: Level, loc: tuple[str | int, ...], message: str, fix: str, *, offset: int = 0) -> Finding:
    """A finding of a field before it is located: at `loc` (and `offset` in the body), in no file yet. What
    scoring and the checks report; `pipeline.locate` gives it its file, line, field name and label."""
    return Finding("", 0, level, code, "", "", message, fix, loc, offset)


class Reported(Exception):
    """An exception that carries the finding that says why, raised where the file it is in is not known yet
    (reading a form's YAML, opening a workbook or a PDF): who catches it names the place, `at`."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding

    def at(self, path: str) -> Finding:
        """The finding, at `path` (a file, or a place in an imported source, as findings print it)."""
        return replace(self.finding, path=path)
