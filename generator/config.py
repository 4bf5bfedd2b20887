"""formgen.toml: the site's settings and the scoring scheme in force.

Every number of the scoring rules is a setting here, with the reference scheme (贵州, rules.md
section 1) as the default, so a site changes a weight or a band in its ``formgen.toml`` and not in
code. Errors in the file are collected all at once, like a form's, and name the key.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ProblemsFound
from .findings import Finding, Level

__all__ = ["Band", "ConfigError", "Grade", "Level1", "Scheme", "SiteConfig", "load_config"]

CONFIG_NAME = "formgen.toml"

Points = Annotated[Decimal, Field(ge=0)]
Fraction = Annotated[Decimal, Field(ge=0, le=1)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Level1(_Settings):
    """A first-level indicator (一级指标) and its weight."""

    name: str
    """The label, e.g. 产出指标."""
    weight: Points
    """Its points; the indicator rows under it add up to this."""
    level2: tuple[str, ...] = ()
    """The second-level indicators expected under it; others get a warning. Empty: any."""


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


def _default_level1() -> tuple[Level1, ...]:
    return (
        Level1(name="产出指标", weight=Decimal(50), level2=("数量指标", "质量指标", "时效指标", "成本指标")),
        Level1(name="效益指标", weight=Decimal(30),
               level2=("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标")),
        Level1(name="满意度指标", weight=Decimal(10), level2=("满意度指标", "服务对象满意度指标")),
    )


def _default_bands() -> tuple[Band, ...]:
    return (
        Band(level="达成预期指标", aliases=("达成", "已达成", "达到预期指标", "完成"),
             low=Decimal("0.8"), high=Decimal(1)),
        Band(level="部分达成预期指标并具有一定效果", aliases=("部分达成", "部分达成预期指标"),
             low=Decimal("0.6"), high=Decimal("0.8")),
        Band(level="未达成预期指标且效果较差", aliases=("未达成", "未达成预期指标"),
             low=Decimal(0), high=Decimal("0.6")),
    )


def _default_grades() -> tuple[Grade, ...]:
    return (Grade(name="优", minimum=Decimal(90)), Grade(name="良", minimum=Decimal(80)),
            Grade(name="中", minimum=Decimal(60)), Grade(name="差", minimum=Decimal(0)))


class Scheme(_Settings):
    """The scoring scheme (rules.md section 1). Defaults: the reference (贵州) scheme."""

    budget_weight: Points = Decimal(10)
    """分值 of the 年度资金总额 row (预算执行率): 10."""
    cap_budget_score: bool = True
    """Never score the budget row above its weight (rules.md S2; B > A is an error anyway)."""
    level1: tuple[Level1, ...] = Field(default_factory=_default_level1)
    """The first-level indicators with their weights: 产出指标 50, 效益指标 30, 满意度指标 10."""
    bands: tuple[Band, ...] = Field(default_factory=_default_bands)
    """Qualitative bands: 100–80% (80% inclusive), 80–60% (60% inclusive), below 60%."""
    grades: tuple[Grade, ...] = Field(default_factory=_default_grades)
    """Grades by total: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below."""
    rescale_missing_level1: bool = True
    """A first-level indicator with no rows does not apply: the total is rescaled to 100 (rules.md S7)."""

    @model_validator(mode="after")
    def _weights_add_up(self) -> Scheme:
        total = self.total_points
        if total != 100:
            raise ValueError(f"budget_weight and the level1 weights add up to {total}, not 100")
        return self

    @property
    def total_points(self) -> Decimal:
        """The full score: budget weight plus the first-level weights (100, validated)."""
        return self.budget_weight + sum((item.weight for item in self.level1), Decimal(0))

    def level1_named(self, name: str) -> Level1 | None:
        return next((item for item in self.level1 if item.name == name), None)

    def grade_for(self, total: Decimal) -> str:
        for grade in sorted(self.grades, key=lambda grade: grade.minimum, reverse=True):
            if total >= grade.minimum:
                return grade.name
        return self.grades[-1].name


class Checks(_Settings):
    """Thresholds of the warnings (rules.md section 3)."""

    over_completion_percent: Points = Decimal(20)
    """Warn when an actual exceeds its target by more than this percentage and no reason is given (S5)."""
    explain_execution_below: Points = Decimal(100)
    """Warn when the execution rate is below this percentage and ``execution_reason`` is empty."""
    copied_text_min_chars: int = Field(default=60, ge=1)
    """Texts at least this long that appear word for word in two forms are reported as copied."""


class Site(_Settings):
    """The site as a whole."""

    title: str = "项目支出绩效自评表"
    """Shown on the index page and the bundle covers."""
    base_url: str = ""
    """The public address of the site, for sitemap.xml; empty: no sitemap."""


class Pdf(_Settings):
    """The PDFs."""

    fonts: tuple[str, ...] = ("Noto Serif CJK SC", "Noto Sans CJK SC")
    """Font families, found through fontconfig, in order of preference (an office that has licensed
    仿宋_GB2312 names it here). The default is Debian's fonts-noto-cjk."""
    variant: Literal["pdf/a-3b", "pdf/ua-1"] | None = None
    """None, "pdf/a-3b" (archival) or "pdf/ua-1" (tagged, for screen readers)."""
    timeout_seconds: int = Field(default=120, ge=1)
    """A form whose PDF takes longer fails (the others are still written)."""
    bundles: bool = True
    """Make the bundles (合订本) per year and unit."""
    bundle_max_forms: int | None = Field(default=None, ge=1)
    """A bundle of more forms is split into volumes (第1册, 第2册…), for printing and binding. None: one
    file of any size (it is made in parts, so memory stays bounded). With an archival variant a bundle
    is one WeasyPrint document, so volumes hold at most 100 forms (ARCHIVAL_VOLUME_FORMS)."""


class SiteConfig(_Settings):
    """The whole formgen.toml."""

    site: Site = Field(default_factory=Site)
    pdf: Pdf = Field(default_factory=Pdf)
    scheme: Scheme = Field(default_factory=Scheme)
    checks: Checks = Field(default_factory=Checks)


class ConfigError(ProblemsFound):
    """formgen.toml cannot be used; carries every finding."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings = findings


def _line_of_key(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith((f"{key} ", f"{key}=", f"[{key}]", f"[[{key}]]")):
            return number
    return 1


def load_config(path: Path | None) -> SiteConfig:
    """Read a formgen.toml; with no file, the defaults. Raises ConfigError listing every problem."""
    if path is None or not path.exists():
        return SiteConfig()
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text, parse_float=Decimal)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        line = getattr(error, "lineno", None) or 1
        raise ConfigError([Finding(shown, line, Level.ERROR, "config-syntax", "", "",
                                   f"not valid TOML: {error}", "fix the syntax (https://toml.io)")]) from None
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as error:
        findings = []
        for item in error.errors():
            loc = tuple(str(part) for part in item["loc"])
            key = next((part for part in reversed(loc) if not part.isdigit()), "")
            findings.append(Finding(shown, _line_of_key(text, key), Level.ERROR, "config-invalid",
                                    ".".join(loc), "设置", item["msg"], "see docs/config.md for the allowed values"))
        raise ConfigError(findings) from None


def find_config(start: Path) -> Path | None:
    """formgen.toml in `start` or the nearest folder above it."""
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None
