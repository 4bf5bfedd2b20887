"""Header and footer fields per profile (``[fields]``): 填报日期 and 联系人 required, optional or absent,
and the fields only some provinces print (单位名称, 项目负责人, 项目类别, 项目属性, 财政审核评分). The fixture
profile tests/fixtures/fields makes 联系人 and 填报日期 optional and turns on 单位名称, 项目负责人, 项目属性 and
财政审核评分, as most published forms print them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator import formatting
from generator.__main__ import main
from generator.config import ConfigError, load_config
from generator.pipeline import load_site
from generator.profile import Fields, form_model, shipped_profiles

from .conftest import ROOT
from .fixturesites import build_fixture, site_config
from .htmltools import sheet_text
from .pdftools import NO_PDF, pdf_text

SITE = ROOT / "tests" / "fixtures" / "fields"
FORM = SITE / "content" / "2024" / "judicial-aid.md"


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(start))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture site, built with its PDF where this machine can make one."""
    return build_fixture(SITE, tmp_path_factory)


def test_every_shipped_profile_keeps_todays_fields():
    """Every shipped profile keeps the fields it had before [fields], but those reproducing a published form
    that prints other fields: 中央, 河北, 安徽 and 上海 (no 填报日期 and no 联系人), 湖南 and 四川, 湖北, and 云南,
    which was written with them."""
    for name, profile in shipped_profiles().items():
        if name in ("central", "hebei", "anhui", "shanghai"):
            assert (profile.fields.filled_on, profile.fields.contact) == ("optional", "optional")
            continue
        if name in ("hunan", "sichuan"):  # their published forms print 负责人及电话, and neither 填报日期 nor 联系人
            assert (profile.fields.filled_on, profile.fields.contact, profile.fields.extra) == \
                ("absent", "absent", ("project_lead",))
            continue
        if name == "sichuan-dept":  # its published form prints 报表编号, 项目实施内容及过程概述, 存在问题, 改进措施,
            # 项目负责人 and 财务负责人 (on one line under the table), and neither 填报日期 nor 联系人
            assert (profile.fields.filled_on, profile.fields.contact, profile.fields.extra) == \
                ("absent", "absent", ("report_number", "project_lead", "project_overview", "problems",
                                      "improvements", "finance_lead"))
            continue
        if name == "ningxia":  # its published form prints 自评得分 and 财政审核评分, and neither 填报日期 nor 联系人
            assert (profile.fields.filled_on, profile.fields.contact, profile.fields.extra, profile.fields.footer) == \
                ("absent", "absent", (), ("review_score",))
            continue
        if name == "hubei":  # its form prints 填报日期 (left empty), 项目类别 and 项目属性, and no 联系人
            assert (profile.fields.filled_on, profile.fields.contact, profile.fields.extra) == \
                ("optional", "absent", ("project_category", "project_attribute"))
            continue
        if name == "yunnan":  # its published form prints 单位名称, 项目类别 and 项目属性, and no 联系人
            assert (profile.fields.filled_on, profile.fields.contact, profile.fields.extra) == \
                ("required", "optional", ("unit_name", "project_category", "project_attribute"))
            continue
        assert profile.fields == Fields(), name
        assert (profile.fields.filled_on, profile.fields.contact, profile.fields.extra, profile.fields.footer) == \
            ("required", "required", (), ()), name


def test_a_form_without_contact_and_date_checks_under_a_profile_that_makes_them_optional():
    config = site_config(SITE)
    site = load_site([FORM], config, root=ROOT)
    assert not site.findings, [str(finding) for finding in site.findings]
    [entry] = site.forms
    form = entry.scored.form
    assert (form.filled_on, form.contact) == (None, "")
    assert (form.unit_name, form.project_lead, form.project_attribute) == ("平塘县人民法院", "王某某", "延续项目")
    assert formatting.score(form.review_score) == "92" and formatting.score(entry.scored.total) == "100"


def test_optional_fields_may_be_written_empty_but_not_wrong(tmp_path):
    """As `formgen new` writes them (``filled_on:`` with nothing after it), and checked when written."""
    config = site_config(SITE)
    text = FORM.read_text(encoding="utf-8")
    empty = tmp_path / "empty.md"
    empty.write_text(text.replace("implementer:", "filled_on:\ncontact:\nimplementer:"), encoding="utf-8")
    site = load_site([empty], config, root=tmp_path)
    assert not site.findings, [str(finding) for finding in site.findings]
    assert (site.forms[0].scored.form.filled_on, site.forms[0].scored.form.contact) == (None, "")
    wrong = tmp_path / "wrong.md"
    wrong.write_text(text.replace("implementer:", "filled_on: 2025-13-45\nimplementer:"), encoding="utf-8")
    [finding] = load_site([wrong], config, root=tmp_path).findings
    assert (finding.field, finding.label, finding.line) == ("filled_on", "填报日期", _line_of(wrong, "filled_on:"))
    assert finding.code.startswith("field-")


def test_the_page_shows_the_profiles_header_and_footer_fields(built):
    result, _ = built
    html = (result.out / "forms" / "judicial-aid.html").read_text(encoding="utf-8")
    text = sheet_text(html)
    # The header rows, each with its label, under 主管部门 and 实施单位; 项目类别 is not in the profile.
    assert "实施单位平塘县人民法院单位名称平塘县人民法院项目负责人王某某项目属性延续项目" in text
    assert "项目类别" not in text
    # 财政审核评分 under the 总分, in the score column; the total is formgen's.
    assert "总分100100财政审核评分92" in "".join(text.split())
    # Optional and left out: not printed at all, as the published forms without them print none.
    assert "填报日期" not in html and "联系人" not in text
    assert '<span class="seal">单位（盖章）：</span></p>' in html


def test_the_feed_and_csv_carry_the_profiles_fields(built):
    result, _ = built
    record = json.loads((result.out / "data" / "forms" / "judicial-aid.json").read_text(encoding="utf-8"))
    assert (record["filled_on"], record["contact"]) == ("", "")
    assert (record["unit_name"], record["project_lead"], record["project_attribute"], record["review_score"]) == \
        ("平塘县人民法院", "王某某", "延续项目", "92")
    assert "project_category" not in record
    rows = list(csv.DictReader(io.StringIO((result.out / "data" / "forms.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 and "" in rows[0].values()


def test_the_pdf_shows_the_fields_and_is_dated_by_its_year(built):
    result, pdf = built
    if not pdf:
        pytest.skip(NO_PDF)
    pdf_file = result.out / "pdf" / "judicial-aid.pdf"
    text = pdf_text(pdf_file)
    assert "单位名称平塘县人民法院" in text and "项目负责人王某某" in text and "项目属性延续项目" in text
    assert "财政审核评分92" in text and "联系人" not in text and "填报日期" not in text
    # No 填报日期 to date it by: the end of the evaluated year, never the clock (the same form, the same PDF).
    assert PdfReader(pdf_file).metadata.creation_date.date().isoformat() == "2024-12-31"


def test_the_same_form_under_the_reference_profile_names_each_missing_and_absent_field(tmp_path):
    shutil.copy(FORM, tmp_path / "judicial-aid.md")
    path = tmp_path / "judicial-aid.md"
    site = load_site([path], load_config(None), root=tmp_path)
    found = {(finding.field, finding.label, finding.code): finding for finding in site.findings}
    missing_line = found["contact", "联系人", "field-missing"].line
    assert found["filled_on", "填报日期", "field-missing"].line == missing_line
    shown = str(found["contact", "联系人", "field-missing"])
    assert shown.startswith(f"judicial-aid.md:{missing_line}: contact (联系人): is missing — add “contact:” (联系人)")
    assert shown.endswith('use a profile with [fields] contact = "optional" (a site\'s own profile may extend '
                          '“reference”: `formgen profiles` lists the profiles)')
    for key, label in (("unit_name", "单位名称"), ("project_lead", "项目负责人"), ("project_attribute", "项目属性"),
                       ("review_score", "财政审核评分")):
        finding = found[key, label, "field-extra-forbidden"]
        assert finding.line == _line_of(path, f"{key}:")
        assert "profile “reference”" in finding.message and f"{key}: absent" in finding.message
        assert f'[fields] has {key} = "optional"' in finding.fix
    assert len(site.findings) == 6, [str(finding) for finding in site.findings]


ABSENT = """extends = "reference"

[fields]
filled_on = "absent"
contact = "absent"
project_category = "required"
"""


def _absent_site(root: Path) -> Path:
    (root / "profiles").mkdir()
    (root / "profiles" / "bare.toml").write_text(ABSENT, encoding="utf-8")
    (root / "formgen.toml").write_text('[site]\nprofile = "bare"\n', encoding="utf-8")
    (root / "content" / "2024").mkdir(parents=True)
    text = FORM.read_text(encoding="utf-8")
    for key in ("unit_name", "project_lead", "project_attribute", "review_score"):
        text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(f"{key}:"))
    text = text.replace("implementer: 平塘县人民法院", "implementer: 平塘县人民法院\nproject_category: 法院业务")
    (root / "content" / "2024" / "bare.md").write_text(text, encoding="utf-8")
    return root


def test_an_absent_field_leaves_the_model_schema_skeleton_sheet_and_feed(tmp_path, capsys, monkeypatch):
    root = _absent_site(tmp_path)
    profile = load_config(root / "formgen.toml").profile_for()
    model = form_model(profile)
    assert "contact" not in model.model_fields and "filled_on" not in model.model_fields
    assert model.model_fields["project_category"].is_required()
    monkeypatch.chdir(root)
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "contact" not in schema["properties"] and "filled_on" not in schema["properties"]
    assert "project_category" in schema["required"]
    assert main(["new", "新项目", "--year", "2024", "--slug", "fresh"]) == 0
    skeleton = (root / "content" / "2024" / "fresh.md").read_text(encoding="utf-8")
    assert "contact:" not in skeleton and "filled_on:" not in skeleton
    assert "project_category: 【待填写】" in skeleton and "# 项目类别 (required)" in skeleton  # tests run in English
    (root / "content" / "2024" / "fresh.md").unlink()
    capsys.readouterr()
    assert main(["build", "--no-pdf", "--out", "out"]) == 0
    html = (root / "out" / "forms" / "bare.html").read_text(encoding="utf-8")
    assert "填报日期" not in html and "联系人" not in html and "项目类别" in sheet_text(html)
    record = json.loads((root / "out" / "data" / "forms" / "bare.json").read_text(encoding="utf-8"))
    assert "contact" not in record and "filled_on" not in record and record["project_category"] == "法院业务"


def test_an_absent_field_written_in_a_form_is_an_unknown_key_with_its_label(tmp_path, capsys, monkeypatch):
    root = _absent_site(tmp_path)
    path = root / "content" / "2024" / "bare.md"
    path.write_text(path.read_text(encoding="utf-8").replace("implementer:", "contact: 张三\nimplementer:"),
                    encoding="utf-8")
    monkeypatch.chdir(root)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    line = _line_of(path, "contact:")
    assert (f"content/2024/bare.md:{line}: contact (联系人): is not a field of the form of profile “bare” "
            f"(contact: absent in its [fields])") in out
    assert 'remove it, or use a profile whose [fields] has contact = "optional" or "required"' in out


def test_a_bad_presence_names_the_profile_file_line_and_key(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "mine.toml").write_text('[fields]\ncontact = "maybe"\n', encoding="utf-8")
    (tmp_path / "formgen.toml").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "formgen.toml")
    [finding] = raised.value.findings
    assert (Path(finding.path).name, finding.line, finding.field, finding.code) == \
        ("mine.toml", 2, "fields.contact", "profile-invalid")
    assert "'required', 'optional', 'absent'" in finding.message


def test_profiles_lists_the_fields_a_profile_changes(capsys, monkeypatch):
    monkeypatch.chdir(SITE)
    assert main(["profiles", "--format", "json"]) == 0
    listing = {item["name"]: item for item in json.loads(capsys.readouterr().out)["profiles"]}
    assert listing["header-fields"]["differs"] == ["fields.filled_on", "fields.contact", "fields.unit_name",
                                                   "fields.project_lead", "fields.project_attribute",
                                                   "fields.review_score"]
