"""formgen diff: what changed in the forms between two git revisions, told in the form's own figures.

Each side is read, validated, scored and checked by the same pipeline as ``formgen check``, and what is
compared are the feed records (`generator.feed.form_record`): every computed figure is the one the site
publishes, formatted as the form prints it, and nothing is scored twice. A revision is written into a
temporary folder with git's plumbing (``ls-tree``, ``cat-file --batch``: two processes whatever the number
of forms); the working tree is read from disk as ``check`` and ``build`` see it, untracked forms included.

Forms are matched by slug (the file name), so a form moved to another folder is the same form. Findings
are matched by code, field and message, never by line: a line above that grew or shrank moves every
finding below it without changing it.

Why one module: it is `formgen diff`, which nothing else uses, and its sections (git, the request, loading both sides,
the differences, printing) hand `Request`, `Side` and `FormDiff` from one to the next. The git plumbing and the reading
of the command line (up to `_config_candidates`, ~270 lines) could be a module of revisions; it has not been made, as
no other command reads git revisions.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from pydantic import BaseModel

from . import formatting
from .config import CONFIG_NAME, CONTENT_FOLDER, ConfigError, SiteConfig, load_config
from .errors import FormgenError, UsageError
from .feed import form_record
from .findings import Finding, Level
from .i18n import N_, _, ngettext
from .model import Form, FundRow, Stated, inner_model, label_for
from .pipeline import Entry, Site, load_site
from .profile import PROFILES_FOLDER, MoneyFormat, Profile

__all__ = ["Change", "FormDiff", "Request", "RowChange", "Side", "SiteDiff", "Status", "compare", "diff",
           "parse_request", "render_markdown", "render_text"]

WORKING_TREE = N_("working tree")
"""The side of the files on disk, as printed (translated where it is: `_working_tree`)."""


def _working_tree() -> str:
    return _(WORKING_TREE)


# --- git ------------------------------------------------------------------------------------------

class _GitFailed(Exception):
    """git exited with an error; the message is git's own."""


def _git(folder: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise FormgenError(_("git is not installed: formgen diff reads revisions with git "
                             "(on Debian: apt-get install git)")) from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


def _toplevel(folder: Path) -> Path | None:
    """The top folder of the git repository `folder` is in; None outside any repository."""
    try:
        text = _git(folder, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip()
    except _GitFailed as failure:
        if "not a git repository" in str(failure):
            return None
        raise UsageError(_("{folder}: git cannot read the repository: {failure}")
                         .format(folder=folder, failure=failure)) from None
    return Path(text).resolve() if text else None  # empty inside .git itself


def _commit(root: Path, name: str) -> str | None:
    """The commit a revision names (HEAD, main, v1.0, HEAD~2, a hash); None if it names none."""
    if not name or name.startswith("-"):
        return None  # never let a word become an option of git
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}").decode().strip()
    except _GitFailed:
        return None


def _tree_has(root: Path, commit: str, path: str) -> bool:
    return bool(_git(root, "ls-tree", commit, "--", path).strip())


def _blobs(root: Path, objects: list[bytes]) -> list[bytes]:
    """The contents of many blobs from one ``git cat-file --batch``."""
    if not objects:
        return []
    out = _git(root, "cat-file", "--batch", stdin=b"".join(name + b"\n" for name in objects))
    contents, position = [], 0
    for name in objects:
        end = out.index(b"\n", position)
        header = out[position:end].split(b" ")
        if len(header) != 3:
            raise FormgenError(_("git cannot read object {name}: {answer}")
                               .format(name=name.decode(), answer=out[position:end].decode("replace")))
        start = end + 1
        size = int(header[2])
        contents.append(out[start:start + size])
        position = start + size + 1  # the blob is followed by a newline
    return contents


def _materialize(root: Path, commit: str, paths: Sequence[str], folder: Path) -> None:
    """Write the form files (and the named files) under `paths` at `commit` into `folder`, at their paths
    in the repository. Only ``*.md`` files are needed under a folder (all the pipeline reads there), and the
    ``*.toml`` right in a named folder (a site's profiles/)."""
    listing = _git(root, "ls-tree", "-r", "-z", commit, "--", *paths)
    named = set(paths)
    wanted: list[tuple[bytes, PurePosixPath]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_name = record.partition(b"\t")
        mode, kind, name = meta.split(b" ")
        path = PurePosixPath(raw_name.decode("utf-8", "surrogateescape"))
        # Symbolic links (120000) and submodules are not forms; git never stores '..' or absolute names,
        # but the temporary folder must not be left whatever the tree says.
        if kind != b"blob" or mode == b"120000" or path.is_absolute() or ".." in path.parts:
            continue
        if path.suffix == ".md" or str(path) in named or (path.suffix == ".toml" and str(path.parent) in named):
            wanted.append((name, path))
    for (_, path), content in zip(wanted, _blobs(root, [name for name, _ in wanted]), strict=True):
        target = folder.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


# --- what to compare ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One side of the comparison: a commit, or the working tree."""

    label: str
    """As printed: ``HEAD (945edce)``, ``working tree``."""
    commit: str | None = None
    """None: the files on disk."""
    name: str = ""
    """What git calls it (``HEAD``, or the merge base's hash), to name its files: ``HEAD:formgen.toml``."""


@dataclass(frozen=True)
class Request:
    """A parsed ``formgen diff`` command line."""

    root: Path
    """The repository's top folder."""
    before: Side
    after: Side
    paths: tuple[str, ...]
    """The folders and files compared, relative to `root` (POSIX, ``.`` for all of it)."""
    configs: tuple[str, ...]
    """formgen.toml candidates relative to `root`, nearest first: each side uses the first it has."""
    config_file: Path | None = None
    """A --config outside the repository: the same file for both sides."""


def _side(name: str, commit: str) -> Side:
    return Side(f"{name} ({commit[:7]})", commit, name)


def _revisions(root: Path, word: str) -> list[Side] | None:
    """The sides a word names: one revision, two for ``A..B``, or the merge base and B for ``A...B``
    (what a pull request changes, as in git diff). None if it names no revision."""
    for separator in ("...", ".."):
        if separator in word:
            first, _separator, second = word.partition(separator)
            a, b = _commit(root, first or "HEAD"), _commit(root, second or "HEAD")
            if a is None or b is None:
                return None
            if separator == "...":
                try:
                    base = _git(root, "merge-base", a, b).decode().strip()
                except _GitFailed:
                    raise UsageError(_("“{word}”: {first} and {second} have no common ancestor")
                                     .format(word=word, first=first or "HEAD", second=second or "HEAD")) from None
                label = _("merge base of {first} and {second} ({commit})").format(
                    first=first or "HEAD", second=second or "HEAD", commit=base[:7])
                return [Side(label, base, base[:7]), _side(second or "HEAD", b)]
            return [_side(first or "HEAD", a), _side(second or "HEAD", b)]
    commit = _commit(root, word)
    return None if commit is None else [_side(word, commit)]


def _repository(cwd: Path, words: Iterable[str]) -> Path:
    """The repository compared: that of the first word naming something on disk, else the working folder's."""
    for word in words:
        path = cwd / word
        if path.exists():
            top = _toplevel(path if path.is_dir() else path.parent)
            if top is None:
                raise UsageError(_("{path}: not in a git repository (formgen diff compares git revisions)")
                                 .format(path=word))
            return top
    top = _toplevel(cwd)
    if top is None:
        raise UsageError(_("{path}: not in a git repository (formgen diff compares git revisions; run it inside "
                           "the site's repository or name a path in one)").format(path=cwd))
    return top


def _relative(root: Path, cwd: Path, word: str) -> str:
    path = (cwd / word).resolve()
    if not path.is_relative_to(root):
        if path.exists():
            top = _toplevel(path if path.is_dir() else path.parent)
            if top is None:
                raise UsageError(_("{path}: not in a git repository (formgen diff compares git revisions)")
                                 .format(path=word))
            raise UsageError(_("{path}: in another git repository ({other}) than {root}: compare one at a time")
                             .format(path=word, other=top, root=root))
        raise UsageError(_("{path}: outside the git repository {root}").format(path=word, root=root))
    return path.relative_to(root).as_posix() or "."


def parse_request(words: Sequence[str], cwd: Path, config: Path | None = None,
                  content: Path = Path(CONTENT_FOLDER)) -> Request:
    """``[REV_A [REV_B]] [PATH…]`` as git diff reads it: leading words that name revisions are revisions,
    the rest are paths; ``--`` (when argparse leaves it) separates them explicitly. A word naming both a
    revision and a path is refused, as git does: write ``./content`` for the path. Without a path, the
    site's `content` folder (as the other commands find it, relative to `cwd`)."""
    cwd = cwd.resolve()
    root = _repository(cwd, [word for word in words if word != "--"])
    unsure: set[str] = set()
    if "--" in words:
        sides, paths = _split_at_dashes(root, words)
    else:
        sides, paths, unsure = _split_as_git_does(root, cwd, words)
    before, after = _before_and_after(root, sides)
    relative = [_compared_path(root, cwd, word, (before, after), word in unsure)
                for word in paths or [content.as_posix()]]
    return Request(root, before, after, tuple(relative), *_config_candidates(root, cwd, config))


def _split_at_dashes(root: Path, words: Sequence[str]) -> tuple[list[Side], list[str]]:
    """``REV… -- PATH…``: every word before ``--`` must be a revision."""
    split = list(words).index("--")
    sides: list[Side] = []
    for word in words[:split]:
        found = _revisions(root, word)
        if found is None:
            raise UsageError(_("unknown revision “{word}”").format(word=word))
        sides += found
    return sides, [word for word in words[split + 1:] if word != "--"]


def _split_as_git_does(root: Path, cwd: Path, words: Sequence[str]) -> tuple[list[Side], list[str], set[str]]:
    """Revisions while the words name them (two at most), then paths; and the words that name neither, which
    may be a mistyped revision: named in the error if they are no path either."""
    sides: list[Side] = []
    paths: list[str] = []
    unsure: set[str] = set()
    for word in words:
        if not paths and len(sides) < 2:
            found = _revisions(root, word)
            if found is not None:
                if (cwd / word).exists():
                    raise UsageError(_("“{word}” is both a revision and a path: write ./{word} for the path, "
                                       "or the revision's full name (refs/heads/{word}, refs/tags/{word})")
                                     .format(word=word))
                sides += found
                continue
            if not (cwd / word).exists():
                unsure.add(word)
        paths.append(word)
    return sides, paths, unsure


def _before_and_after(root: Path, sides: list[Side]) -> tuple[Side, Side]:
    """Two revisions compare with each other, one with the working tree, none: HEAD with the working tree."""
    if len(sides) > 2:
        raise UsageError(_("at most two revisions: formgen diff [REV_A [REV_B]] [PATH…]"))
    if not sides:
        head = _commit(root, "HEAD")
        if head is None:
            raise UsageError(_("unknown revision “HEAD”: the repository has no commit yet"))
        sides = [_side("HEAD", head)]
    return sides[0], sides[1] if len(sides) == 2 else Side(_working_tree())


def _compared_path(root: Path, cwd: Path, word: str, sides: tuple[Side, Side], unsure: bool) -> str:
    """A path word relative to the repository's top, refused unless one side has it."""
    rel = _relative(root, cwd, word)
    if not (root / rel).exists() and not any(side.commit and _tree_has(root, side.commit, rel) for side in sides):
        if unsure:
            raise UsageError(_("unknown revision or path not in the working tree: “{word}”").format(word=word))
        where = _(" or ").join(_where(side.label) for side in sides)
        raise UsageError(_("{path}: no such file or folder {where}").format(path=word, where=where))
    return rel


def _config_candidates(root: Path, cwd: Path, config: Path | None) -> tuple[tuple[str, ...], Path | None]:
    """The formgen.toml each side uses: --config (at each revision, when it is in the repository), else the
    nearest from the working folder up to the repository's top, as the other commands find it. `config` is
    checked by the command, as every command's (`commands.common.config_file`)."""
    if config is not None:
        path = (cwd / config).resolve()
        if path.is_relative_to(root):
            return (path.relative_to(root).as_posix(),), None
        return (), path
    if not cwd.is_relative_to(root):
        return (CONFIG_NAME,), None
    here = PurePosixPath(cwd.relative_to(root).as_posix())
    folders = [here, *here.parents] if str(here) != "." else [here]
    return tuple(str(folder / CONFIG_NAME) if str(folder) != "." else CONFIG_NAME for folder in folders), None


# --- loading both sides -----------------------------------------------------------------------------

def _load_config(path: Path | None, shown: str) -> SiteConfig:
    try:
        return load_config(path)
    except ConfigError as error:  # name the file as the user knows it, not the temporary copy
        raise ConfigError([replace(finding, path=shown) for finding in error.findings]) from None


def _side_config(request: Request, side: Side, base: Path) -> SiteConfig:
    if request.config_file is not None:
        return _load_config(request.config_file, str(request.config_file))
    for candidate in request.configs:
        if (base / candidate).is_file():
            shown = f"{side.name}:{candidate}" if side.commit else candidate
            return _load_config(base / candidate, shown)
    return SiteConfig()


def _load_side(request: Request, side: Side, scratch: Path) -> Site:
    """One side, checked by the pipeline; findings name files relative to the repository on both sides,
    so that the messages naming another form (copied texts, same 项目名称) compare equal."""
    base = request.root
    if side.commit is not None:
        base = scratch
        base.mkdir(parents=True)
        # The site's own profiles (profiles/*.toml beside each formgen.toml) too: a form that names one is
        # read and labelled by it at that revision, as `check` reads it in the working tree.
        profiles = [str(PurePosixPath(candidate).parent / PROFILES_FOLDER) for candidate in request.configs]
        _materialize(request.root, side.commit, [*request.paths, *request.configs, *profiles], base)
    config = _side_config(request, side, base)
    paths = [base / rel for rel in request.paths if (base / rel).exists()]
    return load_site(paths, config, root=base)


# --- the differences ------------------------------------------------------------------------------

class Status(StrEnum):
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"

    @property
    def shown(self) -> str:
        """The word as printed, in the active language."""
        return _(_STATUS_WORDS[self][0])

    @property
    def heading(self) -> str:
        """The word as a Markdown heading starts with it."""
        return _(_STATUS_WORDS[self][1])


_STATUS_WORDS = {Status.CHANGED: (N_("changed"), N_("Changed")), Status.ADDED: (N_("added"), N_("Added")),
                 Status.REMOVED: (N_("removed"), N_("Removed"))}


@dataclass(frozen=True)
class Change:
    """One figure or field. Equal before and after: shown for context (an added form's figures, a
    changed row's 得分); None: the side has no value."""

    label: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before == self.after:
            return f"{self.label} {self.after}"
        return f"{self.label} {self.before or '—'} → {self.after or '—'}"


@dataclass(frozen=True)
class RowChange:
    """One row of the 绩效指标 table added, removed or changed."""

    status: Status
    position: int
    """第N项 in the form that has the row (the newer one when both do)."""
    name: str
    """三级指标, with the 一级 and 二级指标 for an added or removed row."""
    changes: tuple[Change, ...]
    texts: tuple[str, ...] = ()
    table: str = field(kw_only=True)
    """The table's label in the form's profile (绩效指标)."""

    def __str__(self) -> str:
        details = "; ".join([*map(str, self.changes), *self.texts])
        return _("{table} {status} 第{position}项 {name}: {details}").format(
            table=self.table, status=self.status.shown, position=self.position, name=self.name, details=details)


@dataclass(frozen=True)
class FormDiff:
    """What differs in one form."""

    slug: str
    title: str
    path: str
    status: Status
    figures: tuple[Change, ...] = ()
    rows: tuple[RowChange, ...] = ()
    texts: tuple[str, ...] = ()
    """Long texts, summarized: ``自评结论 changed``."""
    new: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()
    """What else happened: a moved file, a side that cannot be computed."""

    def __bool__(self) -> bool:
        return self.status is not Status.CHANGED or any((self.figures, self.rows, self.texts, self.new,
                                                         self.resolved, self.notes))


@dataclass(frozen=True)
class SiteDiff:
    before: str
    after: str
    forms: tuple[FormDiff, ...]
    unchanged: int
    config_changed: bool = False
    """The two sides are scored or checked with different settings (formgen.toml's scheme or checks)."""


def _money(text: str, money: MoneyFormat) -> str:
    """An amount of the feed (always 元) in the form's money unit, exact, as messages write it: ``845,371.59``;
    in 万元 ``84.537159万元``."""
    return money.message(Decimal(text) / money.factor)


class _Labels(NamedTuple):
    """The models of a form's profile, whose fields carry that profile's labels: a form is named in the words
    of its own table, whatever the profile of the form it is compared with."""

    form: type[Form]
    funds: type[BaseModel]
    indicator: type[BaseModel]
    stated: type[BaseModel]
    """The model of ``stated:``, the printed figures, with the profile's names of them (预算执行得分, 等级)."""
    profile: Profile
    """The form's profile: its labels (自评结论, 绩效指标, 小计 are no key of the model), money and layout."""

    @property
    def conclusion(self) -> str:
        """The Markdown body's label (自评结论)."""
        return self.profile.labels.conclusion

    @property
    def table(self) -> str:
        """The 绩效指标 table's label."""
        return self.profile.labels.indicators


def _labels(entry: Entry) -> _Labels:
    assert entry.scored is not None and entry.profile is not None
    form = type(entry.scored.form)  # the profile's model (profile.form_model), its titles the profile's labels
    return _Labels(form, inner_model(form.model_fields["funds"].annotation),
                   inner_model(form.model_fields["indicators"].annotation),
                   inner_model(form.model_fields["stated"].annotation), entry.profile)


def _fields(record: dict[str, Any], labels: _Labels) -> list[tuple[str, str]]:
    """The short fields of the table's head, as printed."""
    department = record["department"]

    def label(key: str) -> str:
        return label_for((key,), labels.form)

    # As the sheet prints 主管部门: with its code where the profile's layout has one.
    coded = labels.profile.layout.department_code
    return [(label("title"), record["title"]), (label("year"), str(record["year"])),
            (label("filled_on"), record.get("filled_on", "").replace("-", "")),
            (label("department"), f"[{department['code']}]{department['name']}" if coded else department["name"]),
            (label("implementer"), record["unit"]), (label("contact"), record.get("contact", ""))]


def _money_figures(record: dict[str, Any], labels: _Labels) -> list[tuple[str, str]]:
    """Every cell of the funding table, in the form's money unit, named by the form's profile (a profile may
    have other rows than another's: figures are matched by these labels)."""
    money = labels.profile.money
    return [(label_for((row, column), labels.funds), _money(record["funds"][row][column], money))
            for row in record["funds"] for column in FundRow.model_fields if column in record["funds"][row]]


def _keyed_pairs(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> list[Change]:
    """Changes between figures matched by label (a form whose profile changed has other funding rows)."""
    old, new = dict(before), dict(after)
    return [Change(label, old.get(label), new.get(label)) for label in dict.fromkeys([*old, *new])
            if old.get(label) != new.get(label)]


def _computed(record: dict[str, Any], level1: Iterable[str], labels: _Labels) -> list[tuple[str, str | None]]:
    """The computed figures: the feed already holds them formatted as printed."""
    subtotals, stated = record["subtotals"], labels.stated
    return [(label_for(("budget_weight",), labels.form), record["budget_weight"]),
            (label_for(("execution_rate",), stated), record["execution_rate"]),
            (label_for(("budget_score",), stated), record["budget_score"]),
            *((f"{name} {labels.profile.labels.subtotal}", subtotals.get(name)) for name in level1),
            (label_for(("total",), stated), record["total"]), (label_for(("grade",), stated), record["grade"])]


def _stated(entry: Entry) -> list[tuple[str, str | None]]:
    """The figures the author copied from the published form (``stated:``), as printed."""
    assert entry.scored is not None
    stated = entry.scored.form.stated
    places = entry.scored.places
    printed = {"execution_rate": (formatting.rate, places.rate), "budget_score": (formatting.score, places.score),
               "total": (formatting.score, places.score)}
    values: list[tuple[str, str | None]] = []
    for key in Stated.model_fields:
        value = getattr(stated, key)
        if key in printed and value is not None:
            # With the form's decimals, or the figure's own where it was written with more: as printed.
            show, wanted = printed[key]
            text: str | None = show(value, max(wanted, formatting.decimals_of(value)))
        else:
            text = value or None
        values.append((label_for(("stated", key), type(entry.scored.form)), text))
    return values


def _text_change(label: str, before: str, after: str) -> str | None:
    if before == after:
        return None
    status = Status.ADDED if not before else Status.REMOVED if not after else Status.CHANGED
    return _("{label} {status}").format(label=label, status=status.shown)


def _texts(before: dict[str, Any], after: dict[str, Any], labels: _Labels) -> list[str]:
    form = labels.form
    pairs = [(label_for(("execution_reason",), form), before["execution_reason"], after["execution_reason"]),
             (label_for(("goals", "expected"), form), before["goals"]["expected"], after["goals"]["expected"]),
             (label_for(("goals", "actual"), form), before["goals"]["actual"], after["goals"]["actual"]),
             (labels.conclusion, before["conclusion"], after["conclusion"])]
    return [change for change in (_text_change(*pair) for pair in pairs) if change]


_ROW_FIGURES = ("target", "actual", "weight", "score")
_ROW_TEXTS = ("reason", "note")


def _keyed_rows(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str, int], tuple[int, dict[str, Any]]]:
    """Rows by their identity (一级, 二级, 三级指标, and which of equal names), with their 第N项."""
    seen: Counter[tuple[str, str, str]] = Counter()
    keyed = {}
    for position, row in enumerate(rows, start=1):
        identity = (row["level1"], row["level2"], row["name"])
        keyed[(*identity, seen[identity])] = (position, row)
        seen[identity] += 1
    return keyed


def _row_summary(row: dict[str, Any], labels: _Labels) -> tuple[Change, ...]:
    return tuple(Change(label_for((key,), labels.indicator), row[key], row[key]) for key in _ROW_FIGURES)


def _rows(before: list[dict[str, Any]], after: list[dict[str, Any]], labels: tuple[_Labels, _Labels]
          ) -> tuple[list[RowChange], bool]:
    """The rows added, removed and changed, and whether the rows both sides have were reordered."""
    old, new = _keyed_rows(before), _keyed_rows(after)
    changes: list[RowChange] = []
    for key, (position, row) in new.items():
        if key not in old:
            changes.append(RowChange(Status.ADDED, position, f"{row['name']} ({row['level1']} {row['level2']})",
                                     _row_summary(row, labels[1]), table=labels[1].table))
            continue
        previous = old[key][1]
        indicator = labels[1].indicator
        figures = [Change(label_for((name,), indicator), previous[name], row[name])
                   for name in _ROW_FIGURES if previous[name] != row[name]]
        texts = [text for text in (_text_change(label_for((name,), indicator), previous[name], row[name])
                                   for name in _ROW_TEXTS) if text]
        if figures or texts:
            if not any(change.label == label_for(("score",), indicator) for change in figures):
                figures.append(Change(label_for(("score",), indicator), row["score"], row["score"]))
            changes.append(RowChange(Status.CHANGED, position, row["name"], tuple(figures), tuple(texts),
                                     table=labels[1].table))
    for key, (position, row) in old.items():
        if key not in new:
            changes.append(RowChange(Status.REMOVED, position, f"{row['name']} ({row['level1']} {row['level2']})",
                                     _row_summary(row, labels[0]), table=labels[0].table))
    common = [key for key in old if key in new]
    reordered = common != [key for key in new if key in old]
    return changes, reordered


def _key(finding: Finding) -> tuple[str, str, str]:
    return finding.code, finding.field, finding.message


def _findings(before: list[Finding], after: list[Finding]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(new, resolved): compared by code, field and message, as many times as each occurs; lines shift."""
    old, new = Counter(map(_key, before)), Counter(map(_key, after))
    added, gone = new - old, old - new
    fresh, resolved = [], []
    for finding in after:
        if added[_key(finding)] > 0:
            added[_key(finding)] -= 1
            fresh.append(finding)
    for finding in before:
        if gone[_key(finding)] > 0:
            gone[_key(finding)] -= 1
            resolved.append(finding)
    return tuple(sorted(fresh)), tuple(sorted(resolved))


def _title(entry: Entry) -> str:
    if entry.scored is not None:
        return entry.scored.form.title
    title = entry.document.data.get("title")
    return title.strip() if isinstance(title, str) else ""


def _pairs(before: Sequence[tuple[str, str | None]], after: Sequence[tuple[str, str | None]]) -> list[Change]:
    return [Change(label, old, new) for (_, old), (label, new) in zip(before, after, strict=True) if old != new]


def _summary(entry: Entry) -> tuple[Change, ...]:
    """An added or removed form in a few figures (none when it has errors: `_blocking`)."""
    if not _computable(entry):
        return ()
    record = form_record(entry)
    total = record["funds"]["total"]
    labels = _labels(entry)
    funds, stated, money = labels.funds, labels.stated, labels.profile.money
    figures = [(label_for(("total", "budget"), funds), _money(total["budget"], money)),
               (label_for(("total", "executed"), funds), _money(total["executed"], money)),
               (label_for(("execution_rate",), stated), record["execution_rate"]),
               (label_for(("total",), stated), record["total"]), (label_for(("grade",), stated), record["grade"])]
    return tuple(Change(label, value, value) for label, value in figures)


def _blocking(entry: Entry) -> list[Finding]:
    """The errors that leave a form without figures: `check` fails on them and `build` publishes none, so
    there is no figure of the site to show. An error about the ``stated:`` figures (the printed copy
    disagreeing with formgen's computation) is not one: the computation stands, and the error compares it."""
    return [finding for finding in entry.findings
            if finding.level is Level.ERROR and not finding.field.startswith("stated.")]


def _computable(entry: Entry) -> bool:
    return entry.scored is not None and not _blocking(entry)


def _why(entry: Entry, where: str, listed: Iterable[Finding] = ()) -> list[str]:
    """Why a side has no figures: a note, and the errors that say why (those not listed already as new)."""
    errors = _blocking(entry)
    shown = set(listed)
    note = ngettext("its figures cannot be computed {where}: the form has {count} error",
                    "its figures cannot be computed {where}: the form has {count} errors",
                    len(errors)).format(where=where, count=len(errors))
    if not errors:  # not validated at all: its findings (new, or on both sides) are the reason
        note = _("its figures cannot be computed {where}: the form has errors").format(where=where)
    return [note, *(_("error {where}: {finding}").format(where=where, finding=finding.terminal(level=False))
                    for finding in errors if finding not in shown)]


def _where(side: str) -> str:
    return _("in the {side}").format(side=side) if side == _working_tree() else _("at {side}").format(side=side)


def _content(entry: Entry) -> object:
    """What a form says, to tell whether it changed when its figures are not shown: its feed record once
    validated (the raw data is released by then), else its raw data and body."""
    return form_record(entry) if entry.scored is not None else (entry.document.data, entry.document.body)


def _changed(before: Entry, after: Entry, labels: tuple[str, str]) -> FormDiff:
    notes = []
    if before.document.display != after.document.display:
        notes.append(_("moved: {before} → {after}").format(before=before.document.display,
                                                            after=after.document.display))
    figures: list[Change] = []
    rows: list[RowChange] = []
    texts: list[str] = []
    new_findings, resolved = _findings(before.findings, after.findings)
    computable = _computable(before) and _computable(after)
    if before.scored is not None and after.scored is not None:
        old, new = form_record(before), form_record(after)
        level1 = list(dict.fromkeys([*new["subtotals"], *old["subtotals"]]))
        # Each side in its own profile's words; a change is named as the form now prints it (the later side).
        was, now = _labels(before), _labels(after)
        # What the author wrote is shown whatever the errors; what formgen computes only when both sides
        # have figures (`_blocking`): a 总分 from figures that do not add up is no figure of the site.
        figures = (_pairs(_fields(old, was), _fields(new, now))
                   + _keyed_pairs(_money_figures(old, was), _money_figures(new, now))
                   + (_pairs(_computed(old, level1, was), _computed(new, level1, now)) if computable else [])
                   + _pairs(_stated(before), _stated(after)))
        texts = _texts(old, new, now)
        if computable:
            rows, reordered = _rows(old["indicators"], new["indicators"], (was, now))
            if reordered:
                texts.append(_("{table} reordered").format(table=label_for(("indicators",), now.form)))
    if not computable:
        if not _computable(before) and not _computable(after) and _content(before) == _content(after):
            return FormDiff(after.slug, _title(after), after.document.display, Status.CHANGED, notes=tuple(notes))
        for entry, side in ((before, labels[0]), (after, labels[1])):
            if not _computable(entry):
                notes += _why(entry, _where(side), (*new_findings, *resolved))
    return FormDiff(after.slug, _title(after), after.document.display, Status.CHANGED, tuple(figures), tuple(rows),
                    tuple(texts), new_findings, resolved, tuple(notes))


def _by_slug(site: Site) -> dict[str, Entry]:
    """Entries by slug; a slug two files share (an error of its own) keys each by its path instead."""
    counts = Counter(entry.slug for entry in site.entries)
    return {entry.slug if counts[entry.slug] == 1 else entry.document.display: entry for entry in site.entries}


def compare(before: Site, after: Site, labels: tuple[str, str] = ("before", "after")) -> tuple[list[FormDiff], int]:
    """The forms that differ, by path, and how many are the same on both sides."""
    old, new = _by_slug(before), _by_slug(after)
    forms: list[FormDiff] = []
    unchanged = 0
    for key, entry in new.items():
        if key in old:
            found = _changed(old[key], entry, labels)
            if found:
                forms.append(found)
            else:
                unchanged += 1
        else:
            notes = () if _computable(entry) else tuple(_why(entry, _where(labels[1]), entry.findings))
            forms.append(FormDiff(entry.slug, _title(entry), entry.document.display, Status.ADDED, _summary(entry),
                                  new=tuple(entry.findings), notes=notes))
    for key, entry in old.items():
        if key not in new:  # its findings go with it: listing them as resolved would only be noise
            notes = () if _computable(entry) else tuple(_why(entry, _where(labels[0]), entry.findings))[:1]
            forms.append(FormDiff(entry.slug, _title(entry), entry.document.display, Status.REMOVED,
                                  _summary(entry), notes=notes))
    forms.sort(key=lambda form: form.path)
    return forms, unchanged


def diff(request: Request) -> SiteDiff:
    """Load both sides of a request and compare them."""
    with tempfile.TemporaryDirectory(prefix="formgen-diff-") as scratch:
        before = _load_side(request, request.before, Path(scratch) / "before")
        after = _load_side(request, request.after, Path(scratch) / "after")
    if not before.entries and not after.entries:
        raise UsageError(_("no form files (*.md) under {paths} {before} or {after}").format(
            paths=_(", ").join(request.paths), before=_where(request.before.label), after=_where(request.after.label)))
    forms, unchanged = compare(before, after, (request.before.label, request.after.label))
    scoring = (before.config.scheme, before.config.checks) != (after.config.scheme, after.config.checks)
    return SiteDiff(request.before.label, request.after.label, tuple(forms), unchanged, scoring)


# --- printing -------------------------------------------------------------------------------------

_NEW = {Level.ERROR: N_("new error: {finding}"), Level.WARNING: N_("new warning: {finding}"),
        Level.DISCREPANCY: N_("new discrepancy: {finding}")}
_RESOLVED = {Level.ERROR: N_("resolved error: {finding}"), Level.WARNING: N_("resolved warning: {finding}"),
             Level.DISCREPANCY: N_("resolved discrepancy: {finding}")}


def _new(finding: Finding) -> str:
    """A new finding where it is now."""
    return _(_NEW[finding.level]).format(finding=finding.terminal(level=False))


def _resolved(finding: Finding) -> str:
    return _(_RESOLVED[finding.level]).format(finding=f"{finding.subject()}{finding.message}")


def _verdict(diff: SiteDiff) -> str:
    if not diff.forms:
        return _("no changes to forms")
    counts = Counter(form.status for form in diff.forms)
    parts = _(", ").join(_("{count} {status}").format(count=counts[status], status=status.shown)
                         for status in Status if counts[status])
    return ngettext("{count} form differs ({parts}), {unchanged} unchanged",
                    "{count} forms differ ({parts}), {unchanged} unchanged",
                    len(diff.forms)).format(count=len(diff.forms), parts=parts, unchanged=diff.unchanged)


def _config_note(diff: SiteDiff) -> str:
    return _("{config} differs: the two sides are scored and checked with different settings").format(
        config=CONFIG_NAME)


def render_text(diff: SiteDiff) -> str:
    """One block per form (its status, slug and title, then what changed, indented), and a verdict."""
    lines = [_config_note(diff)] if diff.config_changed else []
    for form in diff.forms:
        lines.append(f"{form.status.shown} {form.slug} {form.title}".rstrip())
        details = [*form.notes, "; ".join(map(str, form.figures)), *map(str, form.rows), *form.texts,
                   *map(_resolved, form.resolved), *map(_new, form.new)]
        lines += [f"  {detail}" for detail in details if detail]
    lines.append(_("{before} → {after}: {verdict}").format(before=diff.before, after=diff.after,
                                                           verdict=_verdict(diff)))
    return "\n".join(lines) + "\n"


_MARKDOWN_SPECIAL = str.maketrans({character: f"\\{character}" for character in "\\`*_[]<>|~#"})


def _md(text: str) -> str:
    """Text that Markdown shows as written, in a table cell or a list item."""
    return " ".join(text.translate(_MARKDOWN_SPECIAL).split("\n"))


def _table(form: FormDiff, before: str, after: str) -> list[str]:
    if not form.figures:
        return []
    if form.status is Status.CHANGED:
        lines = [f"| | {_md(before)} | {_md(after)} |", "|---|---:|---:|"]
        lines += [f"| {_md(change.label)} | {_md(change.before or '—')} | {_md(change.after or '—')} |"
                  for change in form.figures]
    else:
        side = after if form.status is Status.ADDED else before
        lines = [f"| | {_md(side)} |", "|---|---:|"]
        lines += [f"| {_md(change.label)} | {_md(change.after or '—')} |" for change in form.figures]
    return [*lines, ""]


def render_markdown(diff: SiteDiff) -> str:
    """A pull-request comment: a heading, the verdict, then per form a heading, a table of its figures
    and a list of its rows, texts and findings."""
    lines = [f"### formgen diff: {_md(diff.before)} → {_md(diff.after)}", ""]
    if not diff.forms:
        return "\n".join([*lines, _("no changes to forms"), ""])
    lines += [_("{sentence}.").format(sentence=_md(_verdict(diff))), ""]
    if diff.config_changed:
        lines += [_("{sentence}.").format(sentence=_md(_config_note(diff))), ""]
    for form in diff.forms:
        lines += [_("#### {status}: {slug} {title}").format(status=form.status.heading, slug=_md(form.slug),
                                                           title=_md(form.title)).rstrip(), ""]
        lines += _table(form, diff.before, diff.after)
        items = [*form.notes, *map(str, form.rows), *form.texts, *map(_resolved, form.resolved),
                 *map(_new, form.new)]
        if items:
            lines += [*(f"- {_md(item)}" for item in items), ""]
    return "\n".join(lines)
