"""The pipeline up to the model: read every file, validate every form, score, check, locate.

Everything is read into memory first (the Pelican way), so that checks can look across forms and
nothing is written until the whole site is known to be good. Every problem of every file is
collected; one bad file never stops the others from being checked.

Why one module: every part serves one path, a file to an `Entry` (read, its profile chosen, validated, scored, checked,
located), and all of them name fields through `locate` and the document's lines. Two parts could move out as they are:
pydantic's errors told as findings (`_validation_findings` to `_absent`) and the cross-form keys and checks (`FormKeys`,
`cross_form_findings`); they have not, as each has its callers on this path (and build/check.py, for the second).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError, create_model
from pydantic_core import ErrorDetails

from . import checks, published
from .config import SiteConfig
from .findings import Finding, Level, problem
from .i18n import N_, _
from .model import (
    MAX_CONCLUSION_CHARS,
    Form,
    Status,
    caption,
    chinese_quoted,
    field_name,
    field_titles,
    inner_model,
    known_fields,
    label_for,
    published_context,
    suggest,
)
from .profile import Fields, Profile, form_model
from .reading import Document, ReadError, discover, display_path, read_document
from .scoring import ScoredForm, score_form, score_indicator
from .values import excerpt, normalize

__all__ = ["Entry", "FormKeys", "Site", "cross_form_findings", "display_path", "form_keys", "load_entry", "load_site",
           "locate"]


@dataclass
class Entry:
    """One form file and everything known about it."""

    document: Document
    scored: ScoredForm | None = None
    """None when the file could not be read or validated: its findings say why."""
    findings: list[Finding] = field(default_factory=list)
    profile: Profile | None = None
    """The profile (表样) the form was read by: its own ``profile:``, else the site's. None when the file
    could not be read, or names no profile."""

    @property
    def slug(self) -> str:
        return self.document.slug


@dataclass
class Site:
    """All forms of a site, validated and scored, with every finding."""

    config: SiteConfig
    entries: list[Entry]

    @property
    def forms(self) -> list[Entry]:
        """The entries that could be scored, in file order."""
        return [entry for entry in self.entries if entry.scored is not None]

    @property
    def findings(self) -> list[Finding]:
        return sorted(finding for entry in self.entries for finding in entry.findings)

    def errors(self, strict: bool = False) -> list[Finding]:
        """The findings that fail a check: errors, and warnings too when `strict`."""
        return [f for f in self.findings if f.level.fails(strict)]


_BODY_LABEL = "自评结论"


def line_of(document: Document, loc: tuple[str | int, ...], offset: int = 0) -> int:
    """The line of a field in the file; for the body (the 自评结论), of the character at `offset` in it."""
    if loc == ("body",):
        return document.body_line + document.body[:offset].count("\n")
    return document.line_of(loc) if loc else 1


def locate(found: Finding, document: Document, model: type[BaseModel] = Form,
           body_label: str = _BODY_LABEL) -> Finding:
    """Give a finding of a field (`findings.problem`) its file, line, field name and Chinese label (the labels of
    the form's profile: `model` is its form model, `body_label` its name for the 自评结论)."""
    line = line_of(document, found.loc, found.offset)
    if not found.loc:  # the file as a whole (its name, its identity)
        field, label = "", ""
    else:
        field = field_name(found.loc)
        label = body_label if found.loc == ("body",) else label_for(found.loc, model)
    return replace(found, path=document.display, line=line, field=field, label=label, loc=(), offset=0)


_GENERIC_FIXES = {
    "dict_type": (N_("must be a set of fields (key: value lines)"), N_("indent the fields under this key")),
    "model_type": (N_("must be a set of fields (key: value lines)"), N_("indent the fields under this key")),
    "list_type": (N_("must be a list of rows (lines starting with '- ')"), N_("write each row as '- {…}'")),
    "too_short": (N_("has no rows"), N_("add at least one row")),
    "bool_type": (N_("must be true or false"), N_("write true or false")),
    "string_type": (N_("must be text"), N_("write plain text")),
}
_PROFILES_COMMAND = "`formgen profiles`"
_SCHEMA_COMMAND = "`formgen schema`"


def _labelled_keys(error: ValidationError, model: type[BaseModel]) -> dict[tuple[str | int, ...], str]:
    """Unknown keys written as a field's Chinese label (``分值: 5`` for ``weight: 5``) where that field is missing:
    the key written → the field meant. Reported as one finding at the key written, not as two."""
    missing = {tuple(item["loc"]) for item in error.errors(include_url=False) if item["type"] == "missing"}
    found: dict[tuple[str | int, ...], str] = {}
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        if item["type"] != "extra_forbidden" or str(loc[-1]).isascii():
            continue
        meant = field_titles(loc[:-1], model).get(_bare_label(str(loc[-1])))
        if meant is not None and (*loc[:-1], meant) in missing:
            found[loc] = meant
    return found


def _bare_label(text: str) -> str:
    return caption(text).rstrip(":：")


def _validation_findings(error: ValidationError, document: Document, model: type[BaseModel] = Form,
                         profile: Profile | None = None) -> list[Finding]:
    labelled = _labelled_keys(error, model)
    meant = {(*loc[:-1], key) for loc, key in labelled.items()}
    findings = []
    for item in error.errors(include_url=False):
        loc, kind = tuple(item["loc"]), item["type"]
        if kind == "missing" and loc in meant:
            continue  # reported at the key written with its label (`_label_as_key`)
        if kind == "missing":
            finding = _missing(loc, document, model, profile)
        elif kind == "extra_forbidden":
            finding = _unknown_key(loc, document, model, profile, labelled)
        else:
            finding = _invalid(item, loc, document, model)
        findings.append(finding)
    return findings


def _field_finding(document: Document, line: int, code: str, loc: tuple[str | int, ...], label: str, message: str,
                   fix: str) -> Finding:
    return Finding(document.display, line, Level.ERROR, code, field_name(loc), label, message, fix)


def _missing(loc: tuple[str | int, ...], document: Document, model: type[BaseModel],
             profile: Profile | None) -> Finding:
    """A required field not written: reported at the line of the fields it belongs to."""
    key = str(loc[-1])
    fix = _("add “{key}:” ({label}); `formgen schema` lists the fields").format(key=key, label=label_for(loc, model))
    if profile is not None and len(loc) == 1 and key in Fields.model_fields:
        # Most published forms lack 联系人 and 填报日期: say where the profile decides that.
        fix += _("; or, where your forms do not print it, use a profile with [fields] {key} = \"optional\" "
                 "(a site's own profile may extend “{profile}”: {command} lists the profiles)").format(
            key=key, profile=profile.name, command=_PROFILES_COMMAND)
    return _field_finding(document, document.line_of(loc[:-1]), "field-missing", loc, label_for(loc, model),
                          _("is missing"), fix)


def _unknown_key(loc: tuple[str | int, ...], document: Document, model: type[BaseModel], profile: Profile | None,
                 labelled: dict[tuple[str | int, ...], str]) -> Finding:
    """A key the form's model does not have: a label written as the key, a field the profile leaves out, or a
    word that is no field (with the field it is closest to)."""
    line, code = document.line_of(loc), "field-extra-forbidden"
    if loc in labelled:
        written, key = str(loc[-1]), labelled[loc]
        return _field_finding(
            document, line, "field-label-as-key", (*loc[:-1], key), label_for((*loc[:-1], key), model),
            _("“{written}” is the label printed on the form; the field's name is `{key}`").format(written=written,
                                                                                                  key=key),
            _("write `{key}:` in place of “{written}:” (field names are English words)").format(key=key,
                                                                                               written=written))
    if profile is not None and len(loc) == 1 and _absent(profile, str(loc[0])):
        key = str(loc[0])
        return _field_finding(
            document, line, code, loc, getattr(profile.labels, key),  # the field meant, by its name on the form
            _("is not a field of the form of profile “{profile}” ({key}: absent in its [fields])").format(
                profile=profile.name, key=key),
            _("remove it, or use a profile whose [fields] has {key} = \"optional\" or \"required\" ({command} "
              "lists the profiles)").format(key=key, command=_PROFILES_COMMAND))
    key = str(loc[-1])
    close = suggest(key, known_fields(loc[:-1], model))
    as_label = field_titles(loc[:-1], model).get(_bare_label(key)) if not key.isascii() else None
    if as_label is not None:  # a label written as the key, of a field that is written too (or optional)
        fix = _("“{written}” is the label printed on the form: the field's name is `{key}`").format(
            written=key, key=as_label)
    elif close:
        fix = _("did you mean “{close}”?").format(close=close)
    else:
        fix = _("remove it ({command} lists the fields)").format(command=_SCHEMA_COMMAND)
    # 未知字段 is a label, Chinese in every language as the form's labels are.
    return _field_finding(document, line, code, loc, "未知字段", _("is not a field of the form"), fix)


def _invalid(item: ErrorDetails, loc: tuple[str | int, ...], document: Document, model: type[BaseModel]) -> Finding:
    """A value of the wrong kind: the model's own message and fix where it gives them, else a generic one."""
    kind = item["type"]
    context: dict[str, Any] = item.get("ctx") or {}
    if kind in ("model_type", "dict_type") and len(loc) == 2 and loc[0] == "indicators":
        message = _("must be a row of fields, not a single value")
        fix = _("write the row as {row}").format(
            row="{level1: 产出指标, level2: 数量指标, name: …, target: …, actual: …, weight: …}")
    elif "fix" in context:
        message, fix = str(context["message"]), str(context["fix"])
    else:
        generic = _GENERIC_FIXES.get(kind)
        message, fix = ((_(generic[0]), _(generic[1])) if generic is not None else
                        (item["msg"], _("{command} lists the fields and what each holds").format(
                            command=_SCHEMA_COMMAND)))
    return _field_finding(document, document.line_of(loc), f"field-{kind.replace('_', '-')}", loc,
                          label_for(loc, model), message, fix)


def _absent(profile: Profile, key: str) -> bool:
    """Whether `key` is a header or footer field that the profile's form does not have."""
    return key in Fields.model_fields and not profile.fields.present(key)


def _load_entry(path: Path, config: SiteConfig, cwd: Path, raw: bytes | None) -> Entry:
    shown = display_path(path, cwd)
    try:
        document = read_document(path, shown, cwd, raw)
    except ReadError as error:
        stub = Document(path=path, display=shown, slug=path.stem, data={})
        return Entry(stub, findings=[error.at(shown)])
    except OSError as error:
        stub = Document(path=path, display=shown, slug=path.stem, data={})
        return Entry(stub, findings=[Finding(shown, 1, Level.ERROR, "file-unreadable", "", "",
                                             _("cannot read the file: {reason}").format(reason=error.strerror),
                                             _("check the path"))])
    entry = _checked_entry(document, config)
    entry.findings[:0] = [error.at(shown) for error in document.read_errors]
    return entry


def _checked_entry(document: Document, config: SiteConfig) -> Entry:
    """Validate, score and check a form that could be read."""
    slug_problem = checks.check_slug(document.slug)
    extra = [slug_problem] if slug_problem else []
    if len(document.body) > MAX_CONCLUSION_CHARS:
        extra.append(problem("conclusion-too-long", Level.ERROR, ("body",),
                             _("is {length} characters long; it may be at most {limit}").format(
                                 length=f"{len(document.body):,}", limit=f"{MAX_CONCLUSION_CHARS:,}"),
                             _("shorten it to the evaluation itself: attachments and pasted documents do not belong "
                               "in the form")))
    profile, unknown = _profile_of(document, config)
    if profile is None:
        assert unknown is not None
        return Entry(document, findings=[locate(unknown, document)] + [locate(item, document) for item in extra])
    texts = checks.raw_texts(document.data)
    extra += _department_code_problems(document.data, profile) + list(_quoted_texts(texts))
    model = form_model(profile)
    body_label = profile.labels.conclusion

    def located(problem: Finding) -> Finding:
        return locate(problem, document, model, body_label)

    unfilled = [located(problem) for problem in checks.placeholder_problems(texts, document.body)]
    try:
        form = model.model_validate(document.data, context=published_context(document.data))
    except ValidationError as error:
        partial = [located(problem) for problem in _partial_problems(document.data, profile, model) + extra]
        findings = _validation_findings(error, document, model, profile) + partial
        return Entry(document, findings=_unfilled(findings, unfilled), profile=profile)
    scored = score_form(form, profile.scheme, profile.fund_weights)
    problems = checks.check_form(scored, document.body, config, document.path, profile) + extra
    entry = Entry(document, scored, _unfilled([located(problem) for problem in problems], unfilled), profile)
    document.release(checks.CROSS_FORM_FIELDS)
    return entry


def _profile_of(document: Document, config: SiteConfig) -> tuple[Profile | None, Finding | None]:
    """The profile a form names in ``profile:``, else the site's; or the problem with the name."""
    named = document.data.get("profile")
    name = named.strip() if isinstance(named, str) else ""
    if named is not None and not isinstance(named, str):
        return None, problem("profile-unknown", Level.ERROR, ("profile",), _("must be the name of a profile"),
                             _("write one of {names}, or leave it out").format(names=", ".join(config.profile_names())))
    try:
        return config.profile_for(name or None), None
    except KeyError:
        return None, problem("profile-unknown", Level.ERROR, ("profile",),
                             _("“{name}” is not a profile").format(name=name),
                             _("write one of {names}, or leave it out to use formgen.toml's ({profile}); "
                               "`formgen profiles` lists them").format(names=", ".join(config.profile_names()),
                                                                       profile=config.site.profile))


_CODE = re.compile(r"[0-9]{2,15}")
"""A budget code as the forms print it between brackets: digits (``120``, ``219``; a unit's code, ``120001``)."""
_BRACKETS = "[]【】［］()（）〔〕"


def _department_code_problems(data: dict[str, Any], profile: Profile) -> list[Finding]:
    """An empty 部门代码 prints ``[]平塘县人民法院`` (an error, in a profile that prints the code); one that is no
    code (a name, a word, its own brackets) prints ``[无]…`` or ``[[120]]…`` (a warning: a code is the budget
    system's, and formgen cannot know every shape). A published copy is kept as printed."""
    department = data.get("department")
    code = department.get("code") if isinstance(department, dict) else None
    status = data.get("status")
    if (not profile.layout.department_code or not isinstance(code, str) or not isinstance(department, dict)
            or "name" not in department or (isinstance(status, str) and status.strip().lower() == "published")):
        return []
    label, written = profile.labels.department, normalize(code)
    if not written or written in ("~", "null"):
        return [problem("department-code-empty", Level.ERROR, ("department", "code"), _("is empty: the form would "
                        "print “[]” before the department's name"),
                        _("write the department's budget code, as the budget system gives it, e.g. code: \"120\" "
                          "(quoted, so that a leading 0 stays)"))]
    if _CODE.fullmatch(written):
        return []
    bare = written.strip(_BRACKETS)
    if _CODE.fullmatch(bare):
        return [problem("department-code-shape", Level.WARNING, ("department", "code"),
                        _("“{code}” is written with brackets; the form prints them itself: [{code}]").format(code=code),
                        _("write the code alone: code: \"{bare}\"").format(bare=bare))]
    return [problem("department-code-shape", Level.WARNING, ("department", "code"),
                    _("“{code}” does not look like a budget code (digits, such as 120); {label} would print "
                      "“[{code}]”").format(code=excerpt(code), label=label),
                    _("write the department's code from the budget system, digits only; the department's name goes "
                      "in department.name"))]


def _quoted_texts(texts: checks.RawTexts) -> Iterator[Finding]:
    """Texts written wholly in Chinese quotation marks (``title: “电力系统维修改造专项资金”``): YAML keeps the marks,
    and the form would print them. A warning: a text may be a quotation. (A figure so written is an error of
    its own field: the marks would make it no figure.)"""
    for loc, text in texts:
        if not loc or loc[-1] in _FIGURE_KEYS or not (inner := chinese_quoted(text)):
            continue
        yield problem("text-quoted", Level.WARNING, loc,
                      _("{value} is written in Chinese quotation marks, which the form would print").format(
                          value=excerpt(text.strip())),
                      _("write {inner} without them; to quote a whole value, use half-width quotation marks: "
                        "'{inner}'").format(inner=excerpt(inner)))


_FIGURE_KEYS = frozenset({"target", "actual", "weight", "score", "initial", "budget", "executed", "year",
                          "filled_on", "code"})
"""Keys whose values are figures (validated, a quoted one an error there) or codes (`_department_code_problems`)."""


def _unfilled(findings: list[Finding], placeholders: list[Finding]) -> list[Finding]:
    """The findings with the placeholders of a form still being filled in (`formgen new`) in place of
    what they cause: "“【待填写】” is not a number" beside "still holds the placeholder" says nothing
    more, so a field that holds one reports only that; so does an indicator row whose target or actual
    does, as its score cannot be judged yet."""
    if not placeholders:
        return findings
    fields = {finding.field for finding in placeholders if finding.field != "body"}
    rows = {field.split(".")[0] for field in fields if field.startswith("indicators[")
            and field.endswith((".target", ".actual"))}
    return [finding for finding in findings
            if finding.field not in fields and finding.field.split(".")[0] not in rows] + placeholders


def _partial_problems(data: dict[str, Any], profile: Profile, model: type[BaseModel]) -> list[Finding]:
    """The checks that still apply to the valid parts of a form that failed validation.

    So that one run shows a clerk the funding sums and the row scores too, not only the missing field."""
    problems: list[Finding] = []
    funds_model = inner_model(model.model_fields["funds"].annotation)
    indicator_model = inner_model(model.model_fields["indicators"].annotation)
    try:
        funds = funds_model.model_validate(data.get("funds"), context=published_context(data))
    except ValidationError:
        pass
    else:
        problems += checks.funds_problems(funds, profile)
    rows = data.get("indicators")
    for index, raw in enumerate(rows if isinstance(rows, list) else []):
        try:
            row = indicator_model.model_validate(raw, context=published_context(data))
        except ValidationError:
            continue
        problems += score_indicator(index, row, profile.scheme).problems
    problems += _partial_stated(data, profile, model)
    status = data.get("status")
    is_published = isinstance(status, str) and status.strip().lower() == Status.PUBLISHED.value
    return published.kept(problems) if is_published else problems


_SCORED_KEYS = ("funds", "budget_weight", "indicators", "stated")
"""The keys formgen computes the printed figures from, and those figures (``stated:``)."""


@cache
def _scored_part(model: type[BaseModel]) -> type[BaseModel]:
    """The part of a form model that scoring reads: its other keys may be missing or wrong."""
    fields: dict[str, Any] = {name: (model.model_fields[name].annotation, model.model_fields[name])
                              for name in _SCORED_KEYS if name in model.model_fields}  # unscored: no budget_weight
    return create_model("ScoredPart", **fields)


def _partial_stated(data: dict[str, Any], profile: Profile, model: type[BaseModel]) -> list[Finding]:
    """The printed 执行率, 得分 and 总分 compared with formgen's, for a form whose other keys fail validation
    (a missing 联系人, an unknown key): a printed total of 110 against a computed 100 is reported with them,
    not after they are fixed. Only when every key scoring reads is valid: otherwise there is nothing to compare."""
    try:
        part = _scored_part(model).model_validate({key: data[key] for key in _SCORED_KEYS if key in data},
                                                  context=published_context(data))
    except ValidationError:
        return []
    form = model.model_construct(**dict(part))  # only scoring reads it, and only the keys validated above
    scored = score_form(form, profile.scheme, profile.fund_weights)  # type: ignore[arg-type]
    return list(checks.stated_problems(scored, profile))


@dataclass(frozen=True)
class FormKeys:
    """What the cross-form checks need of one form: small, so that worker processes can send it."""

    slug: str
    display: str
    title: str | None
    """项目名称; None for a form that could not be validated."""
    title_line: int
    texts: tuple[tuple[tuple[str | int, ...], str, int], ...]
    """Each long narrative text as (field, digest of its normalised text, line)."""
    labels: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    """(field, label) of the title and the texts, in the form's profile."""

    def label(self, loc: tuple[str | int, ...]) -> str:
        found = next((label for key, label in self.labels if key == loc), "")
        return found or (_BODY_LABEL if loc == ("body",) else label_for(loc))


def form_keys(entry: Entry, minimum: int) -> FormKeys:
    """The keys of one checked form (texts shorter than `minimum` characters are not compared)."""
    document, scored = entry.document, entry.scored
    if scored is None:
        return FormKeys(entry.slug, document.display, None, 1, ())
    texts = []
    model = type(scored.form)
    labels: list[tuple[tuple[str | int, ...], str]] = [(("title",), label_for(("title",), model))]
    for loc, text in checks.narrative_texts(scored, document.body):
        key = checks.normalized_text(text)
        if len(key) >= minimum:
            digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()
            texts.append((loc, digest, line_of(document, loc)))
            body = entry.profile.labels.conclusion if entry.profile is not None else _BODY_LABEL
            labels.append((loc, body if loc == ("body",) else label_for(loc, model)))
    return FormKeys(entry.slug, document.display, scored.form.title, document.line_of(("title",)), tuple(texts),
                    tuple(labels))


def _finding(keys: FormKeys, line: int, level: Level, code: str, loc: tuple[str | int, ...], message: str,
             fix: str) -> Finding:
    if not loc:
        return Finding(keys.display, line, level, code, "", "", message, fix)
    return Finding(keys.display, line, level, code, field_name(loc), keys.label(loc), message, fix)


def cross_form_findings(forms: list[FormKeys]) -> list[list[Finding]]:
    """Findings that need every form at once, per form: shared identities, shared names, copied texts."""
    found: list[list[Finding]] = [[] for _ in forms]
    by_slug: dict[str, FormKeys] = {}
    by_title: dict[str, FormKeys] = {}
    by_text: dict[str, tuple[FormKeys, tuple[str | int, ...]]] = {}
    for keys, findings in zip(forms, found, strict=True):
        first = by_slug.setdefault(keys.slug, keys)
        if first is not keys:
            findings.append(_finding(keys, 1, Level.ERROR, "slug-duplicate", (),
                                     _("the slug “{slug}” is also the slug of {path}").format(slug=keys.slug,
                                                                                            path=first.display),
                                     _("rename one of the files: the file name is the form's identity")))
        if keys.title is None:
            continue
        first = by_title.setdefault(keys.title, keys)
        if first is not keys:
            findings.append(_finding(keys, keys.title_line, Level.WARNING, "title-duplicate", ("title",),
                                     _("{path} has the same 项目名称; lists tell them apart by slug and amount").format(
                                         path=first.display),
                                     _("nothing to do if they are separate projects; otherwise merge them")))
        for loc, digest, line in keys.texts:
            first, first_loc = by_text.setdefault(digest, (keys, loc))
            if first is not keys:
                where = first.label(first_loc)
                findings.append(_finding(
                    keys, line, Level.WARNING, "text-copied", loc,
                    _("the same text as {label} of {path}").format(label=where, path=first.display),
                    _("write what this project achieved; copied text is a sign the form was not filled in for it")))
    return found


def load_entry(path: Path, config: SiteConfig, cwd: Path, raw: bytes | None = None) -> Entry:
    """Read, validate, score and check one file (or, given `raw`, the bytes read from it before), with a
    last line of defence: a bug of ours on one file becomes a finding and never hides the other files'
    findings."""
    try:
        return _load_entry(path, config, cwd, raw)
    except Exception as error:  # reported as a finding, never a traceback
        shown = display_path(path, cwd)
        stub = Document(path=path, display=shown, slug=path.stem, data={})
        return Entry(stub, findings=[Finding(shown, 1, Level.ERROR, "internal-error", "", "",
                                             _("formgen failed on this file ({error})").format(
                                                 error=f"{type(error).__name__}: {error}"),
                                             _("please report it with the file attached"))])


def load_site(paths: Iterable[Path], config: SiteConfig, root: Path | None = None) -> Site:
    """Read, validate, score and check every form under `paths`. Findings name files relative to `root`
    (default: the working folder); the commands pass the site's folder, so that a form is named alike from
    wherever formgen runs, and `formgen diff` a revision's folder, so both sides read alike."""
    cwd = (root or Path.cwd()).resolve()
    entries = [load_entry(path, config, cwd) for path in discover(list(paths), cwd)]
    minimum = config.checks.copied_text_min_chars
    for entry, findings in zip(entries, cross_form_findings([form_keys(e, minimum) for e in entries]), strict=True):
        entry.findings.extend(findings)
    return Site(config, entries)
