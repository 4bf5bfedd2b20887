"""What 云南's published table prints that the reference's does not: each block's points after its title
(预算执行情况(万元)(20分), 年度绩效目标(80分): `[layout] block_points`), 项目类别 / 项目属性 as check-box lines
that print every choice, the chosen one ticked (`[choices]`, `[layout] choice_format`), and 填报日期 as
2023年4月15日 (`[layout] filled_on_format`). The expected lines are read from the transcription of the
published form, not from formgen's output."""

from __future__ import annotations

import datetime
import html as html_module
import re
import shutil

import pytest

from generator.build import build_site
from generator.pipeline import load_site
from generator.profile import ProfileError, form_model, parse_profile, shipped_profiles
from generator.render.html import grid
from generator.schema import form_schema

from .fixturesites import FIXTURES, PUBLISHED, published, site_config
from .htmltools import sheet_text

YUNNAN = FIXTURES / "yunnan"
FORM = YUNNAN / "content" / "2022" / "pig-farm.md"
SOURCE = PUBLISHED / "yunnan-2022-pig-farm.yaml"


def _published_header() -> dict[str, str]:
    return published(SOURCE)["form"]["header"]


def _header_cell(page: str, label: str) -> str:
    """The text of the header row's value cell headed `label`, as printed."""
    match = re.search(rf"<th scope=\"row\" colspan=\"3\">{label}</th><td[^>]*>(.*?)</td>", page)
    assert match, label
    return html_module.unescape(match.group(1))


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("yunnan-blocks") / "out"
    build_site([YUNNAN / "content"], site_config(YUNNAN), out, pdf=False)
    return (out / "forms" / "pig-farm.html").read_text(encoding="utf-8")


def test_the_blocks_print_their_points_after_their_titles(page):
    text = sheet_text(page)
    # Published: "预算执行情况(万元)(20分)" and "年度绩效目标(80分)", the side labels of the two blocks, written
    # here a few characters a line: 预算 / 执行 / 情况 / （万元） / (20分), and one character a line.
    assert "预算<br>执行<br>情况<br>（万元）<br>(20分)" in page
    assert "得分年度绩效目标(80分)产出指标(40分)数量指标公猪舍" in text
    assert "绩效指标" not in text.replace("CSV（绩效指标）", "")


def test_category_and_attribute_print_as_the_published_check_box_lines(page):
    published = _published_header()
    for label in ("项目类别", "项目属性"):
        assert _header_cell(page, label) == published[label]
    assert _header_cell(page, "项目属性") == "1、持续性项目 ☑ 2、新增性项目 □"


def test_unit_name_and_date_are_printed_above_the_table_as_published(page):
    # Published above the table: 单位名称 and 填报日期 2023年4月15日 (the form writes 2023-04-15); the reference
    # prints 单位（盖章）： and 20230415 there.
    header = _published_header()
    assert (f'<p class="form-meta"><span class="seal">单位名称：{header["单位名称"]}</span>'
            f'<span class="filled">填报日期：{header["填报日期"]}</span></p>') in page
    assert '<th scope="row" colspan="3">单位名称</th>' not in page  # not a row of the table as well
    assert shipped_profiles()["reference"].layout.date(datetime.date(2023, 4, 15)) == "20230415"


def test_the_reference_prints_no_block_points_and_takes_free_text():
    reference = shipped_profiles()["reference"]
    assert not reference.layout.block_points
    assert reference.checkbox_line("project_attribute", "延续项目") == "延续项目"


def test_the_default_choice_format_ticks_the_box_before_the_chosen_one():
    profile = parse_profile('[fields]\nproject_attribute = "optional"\n\n[choices]\n'
                            'project_attribute = ["新增项目", "延续项目"]\n', "mine.toml", "mine")
    assert profile.checkbox_line("project_attribute", "延续项目") == "□新增项目 ☑延续项目"
    assert profile.checkbox_line("project_attribute", "") == "□新增项目 □延续项目"  # optional, left empty


def test_a_value_outside_the_choices_is_named_with_the_choices_and_the_closest(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(YUNNAN, site)
    form = site / "content" / "2022" / "pig-farm.md"
    form.write_text(form.read_text(encoding="utf-8").replace("project_attribute: 持续性项目",
                                                             "project_attribute: 持续项目"), encoding="utf-8")
    [entry] = load_site([form], site_config(site), root=site).entries
    [finding] = [finding for finding in entry.findings if finding.code == "field-choice"]
    assert (finding.line, finding.label) == (18, "项目属性")
    assert "“持续项目”" in finding.message and "持续性项目、新增性项目" in finding.message
    assert finding.fix.startswith("did you mean “持续性项目”?")


def test_the_json_schema_lists_the_choices():
    schema = form_schema(form_model(shipped_profiles()["yunnan"]), "yunnan")
    assert schema["properties"]["project_category"]["enum"] == ["", "部门预算项目", "县直专项", "省市对下转移支付项目"]
    assert schema["properties"]["project_attribute"]["enum"] == ["", "持续性项目", "新增性项目"]
    assert "enum" not in schema["properties"]["unit_name"]
    # The field reference says how the date is printed on this profile's sheet.
    assert "(printed ``2025年1月23日``)" in schema["properties"]["filled_on"]["description"]


@pytest.mark.parametrize(("text", "expected"), [
    ('[layout]\nchoice_format = "{choice}"\n', "is not a choice format"),
    ('[layout]\nchoice_format = "{box}{choice}{name}"\n', "is not a choice format"),
    ('[choices]\nproject_category = ["县直专项", "县直专项"]\n', "“县直专项” is listed twice"),
    ('[layout]\nfilled_on_format = "{year}/{m}"\n', "is not a date format"),
])
def test_a_bad_choice_setting_is_named_in_the_profile(text: str, expected: str):
    with pytest.raises(ProfileError) as raised:
        parse_profile(text, "mine.toml", "mine")
    assert any(expected in finding.message for finding in raised.value.findings), \
        [str(finding) for finding in raised.value.findings]


def test_the_points_follow_the_scheme_in_a_site_profile():
    """block_points on the reference's layout: 项目资金（元）(10分) and 绩效指标(90分)."""
    profile = parse_profile("[layout]\nblock_points = true\n", "mine.toml", "mine")
    assert str(grid(profile).funds_side).endswith("（元）<br>(10分)")
    assert grid(profile).indicators_points == "90"
