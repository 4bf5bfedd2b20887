"""Readable names: a unit's page and bundle named in pinyin, unique in the site however its units read,
and the names PDFs download under, which every system accepts. The expected pinyin was read off the
characters by hand, not copied from the code's output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import build_site
from generator.config import SiteConfig
from generator.slugs import SLUG_CHARS, download_name, form_slug, slug, unit_slugs

from .conftest import CONTENT, ROOT
from .htmltools import parse

FORM_1, FORM_2 = "power-system-renovation", "trial-support-services"
UNIT = "平塘县人民法院"


def test_a_name_is_its_pinyin_a_syllable_a_word():
    assert slug(UNIT) == "ping-tang-xian-ren-min-fa-yuan"
    assert slug("示例县第二中学") == "shi-li-xian-di-er-zhong-xue"
    assert slug("重庆市教育委员会（本级）") == "chong-qing-shi-jiao-yu-wei-yuan-hui-ben-ji"  # 重 of 重庆 is chong
    assert slug("绿化Ｂ区２号") == "lv-hua-b-qu-2-hao"  # ü as v; full-width letters and digits as ASCII


def test_names_are_spelled_in_one_place():
    # Pages, bundles, `new` and `import` name things alike only if they spell them with the same code.
    spelling = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "generator").rglob("*.py")
                      if "pypinyin" in path.read_text(encoding="utf-8"))
    assert spelling == ["generator/slugs.py"]


def test_a_long_name_is_cut_after_a_whole_syllable():
    name = "贵州省黔南布依族苗族自治州平塘县人民法院"
    cut = slug(name)
    assert len(cut) <= SLUG_CHARS and cut.startswith("gui-zhou-sheng-qian-nan-bu-yi-zu-miao-zu-zi-zhi-zhou")
    assert "-".join(slug(name, most=200).split("-")[:len(cut.split("-"))]) == cut  # whole syllables only
    assert len(form_slug(name * 3, 2024)) <= SLUG_CHARS + len("-2024")


def test_each_unit_has_its_own_page_name_even_where_names_read_alike():
    changan, chang_an = "长安县财政局", "常安县财政局"  # both chang-an-xian-cai-zheng-ju
    names = unit_slugs([changan, chang_an, UNIT])
    assert names[UNIT] == "ping-tang-xian-ren-min-fa-yuan", "a name that reads like no other stays bare"
    assert names[changan] != names[chang_an]
    for name in (changan, chang_an):
        base, suffix = names[name].rsplit("-", 1)
        assert base == "chang-an-xian-cai-zheng-ju" and len(suffix) == 4 and int(suffix, 16) >= 0
    # Stable: neither the order of the units nor another unit that reads otherwise changes a name.
    assert unit_slugs([UNIT, "示例县第二中学", chang_an, changan]) | names == unit_slugs([UNIT, "示例县第二中学",
                                                                                       chang_an, changan])
    # Names alike over the first 60 characters of pinyin differ in their pages too.
    prefix = "贵州省黔南布依族苗族自治州平塘县"
    long_names = unit_slugs([prefix + UNIT, prefix + "财政局"])
    assert len(set(long_names.values())) == 2
    assert all(len(name) <= SLUG_CHARS + 5 for name in long_names.values())


def test_a_name_with_nothing_to_spell_still_gets_a_page():
    names = unit_slugs(["※※", "（）"])
    assert len(set(names.values())) == 2 and all(name.startswith("u-") for name in names.values())


@pytest.mark.parametrize(("title", "saved"), [
    ("电力系统维修改造专项资金", "电力系统维修改造专项资金.pdf"),
    ('办公楼维修:一期/二期 "A"? *<>|\\', "办公楼维修：一期／二期 ＂A＂？ ＊＜＞｜＼.pdf"),  # Windows refuses these
    ("  两端\t空白 ..", "两端 空白.pdf"),  # no trailing dot or space (Windows drops them), one space
    ("控制\x07字符\u200b", "控制字符.pdf"),
    ("CON", "_CON.pdf"),  # a device name on Windows
    ("", "formgen.pdf"),
])
def test_a_download_name_is_one_every_system_accepts(title, saved):
    assert download_name(title) == saved


def test_a_very_long_title_downloads_under_a_name_of_at_most_80_characters():
    assert download_name("很" * 200) == "很" * 80 + ".pdf"


def _site(tmp_path: Path, units: dict[str, str]) -> Path:
    """Forms of the reference site, each under the 实施单位 given for its slug."""
    content = tmp_path / "content" / "2024"
    content.mkdir(parents=True)
    for name, unit in units.items():
        text = (CONTENT / "2024" / f"{name}.md").read_text(encoding="utf-8")
        (content / f"{name}.md").write_text(text.replace(f"implementer: {UNIT}", f"implementer: {unit}", 1),
                                            encoding="utf-8")
    return content.parent


def _unit_link(page: Path) -> tuple[str, str]:
    """The form page's link to its unit's page, and the heading of that page."""
    [href] = [value for _, name, value in parse(page.read_text(encoding="utf-8")).links
              if name == "href" and "/units/" in value]
    target = (page.parent / href).resolve()
    heading = target.read_text(encoding="utf-8").split("<h1>", 1)[1].split("</h1>", 1)[0]
    return href, heading


def test_units_that_read_alike_get_pages_of_their_own(tmp_path):
    content = _site(tmp_path, {FORM_1: "长安县人民法院", FORM_2: "常安县人民法院"})
    out = build_site([content], SiteConfig(), tmp_path / "out").out
    pages = sorted(path.name for path in (out / "units").iterdir())
    assert len(pages) == 2 and all(name.startswith("chang-an-xian-ren-min-fa-yuan-") for name in pages)
    assert _unit_link(out / "forms" / f"{FORM_1}.html")[1] == "长安县人民法院"
    assert _unit_link(out / "forms" / f"{FORM_2}.html")[1] == "常安县人民法院"


def test_a_unit_that_comes_to_read_like_another_renames_both_on_the_next_build(tmp_path):
    # The second build reuses unchanged pages: the form of the unit already there must not keep a link
    # to the page that is gone.
    content = _site(tmp_path, {FORM_1: "长安县人民法院"})
    out = build_site([content], SiteConfig(), tmp_path / "out").out
    assert _unit_link(out / "forms" / f"{FORM_1}.html")[0] == "../units/chang-an-xian-ren-min-fa-yuan.html"
    shutil.copy(_site(tmp_path / "more", {FORM_2: "常安县人民法院"}) / "2024" / f"{FORM_2}.md", content / "2024")
    out = build_site([content], SiteConfig(), tmp_path / "out").out
    href, heading = _unit_link(out / "forms" / f"{FORM_1}.html")
    assert href != "../units/chang-an-xian-ren-min-fa-yuan.html" and heading == "长安县人民法院"
    assert _unit_link(out / "forms" / f"{FORM_2}.html")[1] == "常安县人民法院"
    assert len(list((out / "units").iterdir())) == 2
