"""formgen.toml: the site's settings and the scoring scheme in force.

Every number of the scoring rules is a setting here, with the reference scheme (贵州, rules.md
section 1) as the default, so a site changes a weight or a band in its ``formgen.toml`` and not in
code. ``[site] profile`` picks the site's profile (表样, `profile.py`): its scheme is the starting point,
which ``[scheme]`` adjusts key by key. Errors in the file are collected all at once, like a form's, and
name the key.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
import typing
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .errors import ProblemsFound
from .findings import Finding, Level
from .formatting import Places
from .i18n import N_, _
from .model import MAX_CONCLUSION_CHARS
from .profiles import reference_data
from .reading import ReadError, read_bytes
from .values import round_half_up

if TYPE_CHECKING:
    from .profile import Profile

__all__ = ["Band", "ConfigError", "Grade", "Level1", "Scheme", "SiteConfig", "load_config"]

CONFIG_NAME = "formgen.toml"
CONTENT_FOLDER = "content"
"""The forms' folder of a site, beside its formgen.toml: what every command reads when given no PATH."""
TEMPLATES_FOLDER = "templates"
"""The site's own templates, beside its formgen.toml."""

# Every number of the settings is bounded: a value past any sensible one is a slip, and unbounded it could
# pass here and break later (a timeout of 1e20 seconds overflows the operating system's timer).
Points = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
"""Points of the full score of 100 (weights, grade thresholds), to the hundredth as scores are written."""
Percent = Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)]
"""A threshold in percent (an execution rate, an over-completion)."""
Fraction = Annotated[Decimal, Field(ge=0, le=1, decimal_places=4)]
MAX_TIMEOUT_SECONDS = 3600
"""A form's PDF takes a second or two; an hour is a limit no real form reaches."""
MAX_BUNDLE_FORMS = 10_000
"""Volumes of a bundle are for printing and binding: a few hundred forms at most; 10,000 is no limit in use."""


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


def _pairs(value: object) -> object:
    """A TOML table ``{"数量指标" = 10}`` as (name, points) pairs: a profile is frozen and hashed, a dict is not."""
    return tuple(value.items()) if isinstance(value, dict) else value


class Level1(_Settings):
    """A first-level indicator (一级指标) and its weight."""

    name: str
    """The label, e.g. 产出指标."""
    weight: Points
    """Its points; the indicator rows under it add up to this."""
    level2: tuple[str, ...] = ()
    """The second-level indicators expected under it; others get a warning. Empty: any."""
    level2_weights: Annotated[tuple[tuple[str, Points], ...], BeforeValidator(_pairs)] = ()
    """Points of some of its second-level indicators, by name (宁夏 prints 数量指标(10分)): the rows under each
    add up to its points, as the rows of a 一级指标 add up to its weight. They add up to at most the weight,
    to exactly it where every one of `level2` has points. Empty: none has points of its own."""
    judged: bool = False
    """Its rows are scored by judgement against criteria the form does not print (宁夏's 项目决策 and 项目管理:
    指标值 “—”, the 实际值 a finding such as 目标明确): the stated 得分 is required and stands, within 0 to 分值;
    their 指标值 and 实际值 are free text, and may be empty."""


class Band(_Settings):
    """A qualitative achievement level and the share of the weight its score must lie in (rules.md S6)."""

    level: str
    """The level as written in 实际完成值, e.g. 达成预期指标."""
    aliases: tuple[str, ...] = ()
    """Other spellings of the same level (达成, 已达成)."""
    low: Fraction
    """Lowest share of the weight, inclusive (0.8 for 达成预期指标)."""
    high: Fraction
    """Highest share of the weight; inclusive only for the top band (1.0)."""


class Grade(_Settings):
    """A grade and the lowest total that earns it."""

    name: str
    minimum: Points


def _reference(key: str) -> Callable[[], Any]:
    """A default of `Scheme`: the reference profile's value (generator/profiles/reference.toml writes every key
    of its [scheme]), so that the reference scheme is written there once."""
    return lambda: getattr(_reference_scheme(), key)


class Scheme(_Settings):
    """The scoring scheme (rules.md section 1). Defaults: the reference (贵州) scheme."""

    budget_weight: Points = Field(default_factory=_reference("budget_weight"))
    """分值 of the 年度资金总额 row (预算执行率): 10."""
    weights: Literal["fixed", "free", "none"] = Field(default_factory=_reference("weights"))
    """How the indicator rows' 分值 are bound: "fixed", the rows of each 一级指标 add up to its weight; "free",
    the unit spreads the points over its rows as it sees fit, and only their total per form is fixed: the
    level1 weights added up (90 where budget_weight is 10), as provinces that give 90 points to the
    indicators do. Free weights leave nothing to rescale: a form's rows carry the whole total. "none": the
    form is unscored — no 分值, 得分, 总分 or grade; it compares targets and actuals only, as some published
    target-completion forms (湖南's 县级专项资金绩效目标自评表) do."""
    cap_budget_score: bool = Field(default_factory=_reference("cap_budget_score"))
    """Never score the budget row above its weight (rules.md S2; B > A is an error anyway)."""
    level1: tuple[Level1, ...] = Field(default_factory=_reference("level1"))
    """The first-level indicators with their weights: 产出指标 50, 效益指标 30, 满意度指标 10."""
    bands: tuple[Band, ...] = Field(default_factory=_reference("bands"))
    """Qualitative bands: 100–80% (80% inclusive), 80–60% (60% inclusive), below 60%."""
    grades: tuple[Grade, ...] = Field(default_factory=_reference("grades"))
    """Grades by total: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below."""
    rescale_missing_level1: bool = Field(default_factory=_reference("rescale_missing_level1"))
    """A first-level indicator with no rows does not apply: the total is rescaled to 100 (rules.md S7)."""
    score_decimals: Literal[0, 1, 2] = Field(default_factory=_reference("score_decimals"))
    """Decimals of every printed score (预算执行得分, each row's 得分, 小计, 总分): 2 (7.09), 1 (7.1) or 0 (7).
    Each is rounded half up once, from unrounded inputs (rules.md S9)."""
    rate_decimals: Literal[0, 1, 2] = Field(default_factory=_reference("rate_decimals"))
    """Decimals of the printed 执行率: 2 (86.20), 1 (86.2) or 0 (86)."""
    budget_indicator: str = Field(default_factory=_reference("budget_indicator"))
    """The 三级指标 of the indicator row that scores budget execution in place of the funding table (宁夏:
    项目管理 > 投入管理 > 预算执行率), by name; its score is computed as the funding table's would be, the row's
    分值 × B ÷ A of the total row (rules.md S2), and a stated one is checked against it. It needs
    budget_weight = 0: the points are the row's. Empty (the reference): the funding table scores it."""

    @model_validator(mode="after")
    def _weights_add_up(self) -> Scheme:
        total = self.total_points
        if total != 100:
            raise ValueError(_("budget_weight and the level1 weights add up to {total}, not 100").format(total=total))
        if self.budget_indicator and self.budget_weight:
            raise ValueError(_("budget_indicator “{indicator}” scores budget execution, and budget_weight is {weight}: "
                               "the points would be counted twice; write budget_weight = 0").format(
                indicator=self.budget_indicator, weight=self.budget_weight))
        for level1 in self.level1:
            weights = dict(level1.level2_weights)
            points = sum(weights.values(), Decimal(0))
            complete = bool(level1.level2) and set(level1.level2) <= set(weights)
            unknown = [name for name in weights if level1.level2 and name not in level1.level2]
            if unknown:
                raise ValueError(_("level1 “{name}”: level2_weights names {names}, not in its level2 ({level2})")
                                 .format(name=level1.name, names="、".join(unknown), level2="、".join(level1.level2)))
            if points > level1.weight or (complete and points != level1.weight):
                message = (_("level1 “{name}”: its level2_weights add up to {points}, more than its weight {weight}")
                           if points > level1.weight else
                           _("level1 “{name}”: its level2_weights add up to {points}, not its weight {weight}"))
                raise ValueError(message.format(name=level1.name, points=points, weight=level1.weight))
        return self

    @property
    def total_points(self) -> Decimal:
        """The full score: budget weight plus the first-level weights (100, validated)."""
        return self.budget_weight + sum((item.weight for item in self.level1), Decimal(0))

    @property
    def scored(self) -> bool:
        """Whether forms of this scheme have scores, a total and a grade at all (not with ``weights = "none"``)."""
        return self.weights != "none"

    @property
    def places(self) -> Places:
        """The formatter of this scheme's scores and rates."""
        return Places(self.score_decimals, self.rate_decimals)

    def round_score(self, value: Decimal) -> Decimal:
        """A score as printed: rounded half up, once, to `score_decimals` (rules.md S9)."""
        return round_half_up(value, Decimal(1).scaleb(-self.score_decimals))

    def round_rate(self, value: Decimal) -> Decimal:
        """An execution rate (percent) as printed: rounded half up, once, to `rate_decimals`."""
        return round_half_up(value, Decimal(1).scaleb(-self.rate_decimals))

    def level1_named(self, name: str) -> Level1 | None:
        return next((item for item in self.level1 if item.name == name), None)

    def level2_weight(self, level1: str, level2: str) -> Decimal | None:
        """The points of a second-level indicator where the scheme gives it its own (数量指标(10分)), else None."""
        found = self.level1_named(level1)
        return dict(found.level2_weights).get(level2) if found is not None else None

    def judged(self, level1: str) -> bool:
        """Whether rows of this 一级指标 are scored by judgement alone (`Level1.judged`)."""
        found = self.level1_named(level1)
        return found is not None and found.judged

    @property
    def ranked_grades(self) -> list[Grade]:
        """The grades from the best down (highest minimum first): the order the lists and summaries name them
        in, and the order a total is graded in."""
        return sorted(self.grades, key=lambda grade: grade.minimum, reverse=True)

    def grade_for(self, total: Decimal) -> str:
        for grade in self.ranked_grades:
            if total >= grade.minimum:
                return grade.name
        return self.grades[-1].name



@functools.cache
def _reference_scheme() -> Scheme:
    """The reference profile's scheme, as reference.toml writes it (every key: a key missing there would
    make its default ask for itself)."""
    return Scheme.model_validate(reference_data()["scheme"])

class Checks(_Settings):
    """Thresholds of the warnings (rules.md section 3)."""

    over_completion_percent: Percent = Decimal(20)
    """Warn when an actual exceeds its target by more than this percentage and no reason is given (S5)."""
    explain_execution_below: Percent = Decimal(100)
    """Warn when the execution rate is below this percentage and ``execution_reason`` is empty."""
    copied_text_min_chars: int = Field(default=60, ge=1, le=MAX_CONCLUSION_CHARS)
    """Texts at least this long that appear word for word in two forms are reported as copied."""


class Site(_Settings):
    """The site as a whole."""

    title: str = "项目支出绩效自评表"
    """Shown on the index page and the bundle covers."""
    base_url: str = ""
    """The public address of the site, for sitemap.xml; empty: no sitemap."""
    profile: str = "reference"
    """The profile (表样) of the site's forms: reference (贵州, the default), central, a province's (``formgen
    profiles`` lists them), or a file profiles/<name>.toml beside formgen.toml (docs/profiles.md). A form's
    ``profile:`` overrides it."""


class Pdf(_Settings):
    """The PDFs."""

    fonts: tuple[str, ...] = ("Noto Serif CJK SC", "Noto Sans CJK SC")
    """Font families, found through fontconfig, in order of preference (an office that has licensed
    仿宋_GB2312 names it here). The default is Debian's fonts-noto-cjk."""
    variant: Literal["pdf/a-3b", "pdf/ua-1"] | None = None
    """None, "pdf/a-3b" (archival) or "pdf/ua-1" (tagged, for screen readers)."""
    timeout_seconds: int = Field(default=120, ge=1, le=MAX_TIMEOUT_SECONDS)
    """A form whose PDF takes longer fails (the others are still written)."""
    bundles: bool = True
    """Make the bundles (合订本) per year and unit."""
    bundle_max_forms: int | None = Field(default=None, ge=1, le=MAX_BUNDLE_FORMS)
    """A bundle of more forms is split into volumes (第1册, 第2册…), for printing and binding. None: one
    file of any size (it is made in parts, so memory stays bounded). With an archival variant a bundle
    is one WeasyPrint document, so volumes hold at most 100 forms (ARCHIVAL_VOLUME_FORMS)."""


class _Memo(dict[str, Any]):
    """Derived data a config keeps (the profiles it resolved, one lookup per form otherwise): it never
    makes two configs with the same settings differ."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Memo)

    __hash__ = None  # type: ignore[assignment]


class SiteConfig(_Settings):
    """The whole formgen.toml."""

    site: Site = Field(default_factory=Site)
    pdf: Pdf = Field(default_factory=Pdf)
    scheme: Scheme = Field(default_factory=Scheme)
    checks: Checks = Field(default_factory=Checks)
    _local_profiles: dict[str, Profile] = PrivateAttr(default_factory=dict)
    """The site's own profiles (profiles/*.toml beside formgen.toml), read with the file."""
    _resolved: _Memo = PrivateAttr(default_factory=_Memo)

    def profile_names(self) -> list[str]:
        """Every profile a form may name: the shipped ones and the site's own."""
        from .profile import shipped_profiles  # here: profile.py builds on this module

        return sorted({*shipped_profiles(), *self._local_profiles})

    def site_profiles(self) -> dict[str, Profile]:
        """The site's own profiles, by name: those in place of a shipped one of the same name included."""
        return dict(self._local_profiles)

    def profile_for(self, name: str | None = None) -> Profile:
        """The profile a form uses: `name` (its ``profile:``), or the site's. The site's profile scores by
        ``[scheme]`` (its scheme as adjusted by formgen.toml); another profile by its own file's scheme.
        Raises KeyError for a name that is no profile."""
        from .profile import shipped_profiles

        wanted = name or self.site.profile
        resolved = self._resolved.get(wanted)
        if resolved is None:
            found = self._local_profiles.get(wanted) or shipped_profiles()[wanted]
            if wanted == self.site.profile and found.scheme != self.scheme:
                found = found.model_copy(update={"scheme": self.scheme})
            resolved = self._resolved[wanted] = found
        return resolved


class ConfigError(ProblemsFound):
    """formgen.toml cannot be used; carries every finding."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings = findings


_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


def toml_line(text: str, loc: tuple[str | int, ...]) -> int:
    """The line of a key of a TOML file (``("funds", 2, "parts")``: the third ``[[funds]]``'s ``parts``),
    or of its nearest enclosing table; 1 when none is found."""
    table: tuple[str | int, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    best, best_depth = 1, 0
    wanted = tuple(loc)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header:
            names = tuple(part.strip().strip('"') for part in header.group(2).split("."))
            if header.group(1) == "[[":
                counts[names] = counts.get(names, -1) + 1
                table = (*names, counts[names])
            else:
                table = names
            here = table
        else:
            key = _KEY.match(line)
            if key is None:
                continue
            here = (*table, key.group(1).strip('"'))
        # Index paths of nested arrays count per parent: compare with the indices the header gives.
        depth = len(here) if wanted[:len(here)] == here else 0
        if depth > best_depth:
            best, best_depth = number, depth
            if depth == len(wanted):
                break
    return best


def _known_keys(model: Any, loc: tuple[str | int, ...]) -> list[str]:
    """The keys a settings table at `loc` allows (for 'did you mean' hints)."""
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        annotation = info.annotation if info is not None else None
        model = None
        for candidate in (annotation, *typing.get_args(annotation)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


_SETTING_MESSAGES = {
    "less_than_equal": N_("must be at most {le}"),
    "less_than": N_("must be less than {lt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "greater_than": N_("must be more than {gt}"),
    "literal_error": N_("must be one of {expected}"),
    "enum": N_("must be one of {expected}"),
    "decimal_parsing": N_("must be a number"),
    "decimal_type": N_("must be a number"),
    "decimal_max_places": N_("must have at most {decimal_places} decimals"),
    "decimal_max_digits": N_("must have at most {max_digits} digits"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "bool_parsing": N_("must be true or false"),
    "bool_type": N_("must be true or false"),
    "string_type": N_("must be a text in quotes"),
    "missing": N_("is missing"),
    "list_type": N_("must be a list: [ … ]"),
    "tuple_type": N_("must be a list: [ … ]"),
    "dict_type": N_("must be a table"),
    "model_type": N_("must be a table"),
    "too_short": N_("has too few items"),
    "too_long": N_("has too many items"),
}
"""pydantic's messages for a settings file's values, as the settings' users read them (others are shown as
pydantic says them)."""


def _setting_message(item: Any) -> str:
    known = _SETTING_MESSAGES.get(item["type"])
    context = {key: str(value) for key, value in (item.get("ctx") or {}).items()}
    if "expected" in context:  # pydantic's "'元' or '万元'", "0, 1 or 2": the choices listed in the language
        context["expected"] = _(", ").join(re.split(r", | or ", context["expected"]))
    if known is None:
        return str(item["msg"]).removeprefix("Value error, ")
    try:
        return _(known).format(**context)
    except (KeyError, IndexError):
        return str(item["msg"])


def settings_findings(error: ValidationError, shown: str, text: str, model: type[BaseModel], code: str, label: str,
                      fix: str) -> list[Finding]:
    """Every error of a settings file (formgen.toml, a profile) with its line, key and fix."""
    findings = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        message, advice = _setting_message(item), fix
        context = item.get("ctx") or {}
        if item["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _known_keys(model, loc[:-1]), n=1, cutoff=0.6)
            message = _("is not a key here")
            advice = (_("did you mean “{close}”?").format(close=close[0]) if close
                      else _("remove it ({fix})").format(fix=fix))
        elif "fix" in context:
            message, advice = str(context["message"]), str(context["fix"])
        findings.append(Finding(shown, toml_line(text, loc), Level.ERROR, code, ".".join(map(str, loc)), label,
                                message, advice))
    return findings


def load_config(path: Path | None) -> SiteConfig:
    """Read a formgen.toml; with no file, the defaults. Raises ConfigError listing every problem.

    The profiles of the site (profiles/*.toml beside the file) are read too, and named in the same error."""
    from .profile import PROFILES_FOLDER, ProfileError, local_profiles, shipped_profiles

    if path is None or not path.exists():
        return SiteConfig()
    shown = str(path)
    try:
        # As a form file is read: inside the site (the file's folder) whatever links say, regular, bounded.
        text = read_bytes(path, path.parent).decode("utf-8-sig")
        data = tomllib.loads(text, parse_float=Decimal)
    except ReadError as error:
        raise ConfigError([error.at(shown)]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        line = getattr(error, "lineno", None) or 1
        raise ConfigError([Finding(shown, line, Level.ERROR, "config-syntax", "", "",
                                   _("not valid TOML: {error}").format(error=error),
                                   _("fix the syntax (https://toml.io)"))]) from None
    findings: list[Finding] = []
    try:
        local = local_profiles(path.parent / PROFILES_FOLDER)
    except ProfileError as error:
        findings += error.findings
        local = {}
    site = data.get("site")
    name = site.get("profile", "reference") if isinstance(site, dict) else "reference"
    profiles = {**shipped_profiles(), **local}
    invalid = isinstance(name, str) and (path.parent / PROFILES_FOLDER / f"{name}.toml").is_file()
    if isinstance(name, str) and name not in profiles and not invalid:  # an invalid file is reported above
        findings.append(Finding(shown, toml_line(text, ("site", "profile")), Level.ERROR, "config-invalid",
                                "site.profile", "设置", _("“{name}” is not a profile").format(name=name),
                                _("write one of {names}, or add {file} beside formgen.toml (`formgen profiles` lists "
                                  "them)").format(names=", ".join(sorted(profiles)),
                                                  file=f"{PROFILES_FOLDER}/{name}.toml")))
    profile = profiles.get(name) if isinstance(name, str) else None
    if (profile is not None and profile.name != "reference") or isinstance(data.get("scheme"), dict):
        # The site's profile's scheme, with formgen.toml's [scheme] keys in place of its own.
        base = (profile or profiles["reference"]).scheme.model_dump()
        scheme = data.get("scheme")
        data = {**data, "scheme": {**base, **scheme} if isinstance(scheme, dict) else scheme or base}
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as error:
        findings += settings_findings(error, shown, text, SiteConfig, "config-invalid", "设置",
                                      _("the comments of the formgen.toml that `formgen init` writes show the "
                                        "allowed values"))
    if findings:
        files = list(dict.fromkeys(finding.path for finding in findings))  # the profiles', then formgen.toml's
        raise ConfigError(sorted(findings, key=lambda finding: (files.index(finding.path), finding.line)))
    config._local_profiles.update(local)
    return config


def find_config(start: Path) -> Path | None:
    """formgen.toml in `start` or the nearest folder above it."""
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None
