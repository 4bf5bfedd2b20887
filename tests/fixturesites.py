"""What the tests of profiles need of their fixture sites and of the published forms they copy, defined once:
where they are, a site's configuration, a transcription as data, a site built (with its PDFs where this
machine can make them) and a published figure as the page prints it beside formgen's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build import BuildResult, build_site
from generator.config import SiteConfig, load_config

from .conftest import ROOT
from .pdftools import pdf_available

FIXTURES = ROOT / "tests" / "fixtures" / "profiles"
"""The fixture sites, one folder per profile (its formgen.toml, content/ and any profiles/)."""
PUBLISHED = ROOT / "tests" / "fixtures" / "published"
"""The transcriptions of published forms, one YAML file each."""


def site_config(site: Path) -> SiteConfig:
    """The site's formgen.toml, or the defaults where the site has none (as `formgen build` reads it)."""
    path = site / "formgen.toml"
    return load_config(path if path.exists() else None)


def published(path: Path) -> dict[str, Any]:
    """A transcription of a published form, as data (a mapping, or the file is not a transcription)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    return data


def printed_rows(source: Path, weight: int, score: int) -> list[tuple[str, Decimal, Decimal]]:
    """The published form's filled indicator rows as printed: (三级指标, 分值, 得分), 分值 and 得分 read from the
    columns `weight` and `score` of the transcription (tables order them differently). The rows the published
    table keeps without a name (an empty 经济效益指标 row, a row of "……") are not rows of the copy."""
    rows = published(source)["form"]["indicators"]
    return [(row[2], Decimal(row[weight]), Decimal(row[score])) for row in rows if row[2]]


def build_fixture(site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, bool]:
    """The fixture site built with its configuration, with its PDFs where this machine can make them, and
    whether it made them."""
    pdf = pdf_available()
    out = tmp_path_factory.mktemp(site.name) / "out"
    return build_site([site / "content"], site_config(site), out, pdf=pdf), pdf


def computed(printed: str, computed: str) -> str:
    """A published figure as the page prints it: the printed one, formgen's beside it."""
    return (f'{printed}<span class="computed" title="formgen 按规则计算为 {computed}，表上填写为 {printed}">'
            f"计算值 {computed}</span>")
