"""formgen import as a user runs it: published forms in, form files out, their export equal to the hand-made ones.

Round trips compare `formgen export` records (docs/feed.md): figures exactly, texts with white space
removed, records matched by 项目名称 and 全年预算数 (the reference has three pairs of forms of one name).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from generator.__main__ import main

from .conftest import CONTENT, REFERENCE, ROOT
from .reference import FORM_TITLE, published_forms, squash

REFERENCE_TEXT = REFERENCE / "pingtang-court-2024.txt"


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export(capsys, folder: Path) -> list[dict]:
    code, out, err = run(capsys, "export", "--format", "json", folder)
    assert code == 0, err
    return json.loads(out)["forms"]


def _squashed(value):
    """Every text without white space ('whitespace aside'); figures are strings too, and have none."""
    if isinstance(value, str):
        return squash(value)
    if isinstance(value, dict):
        return {key: _squashed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_squashed(item) for item in value]
    return value


def _key(record: dict) -> tuple[str, str]:
    return record["title"], record["funds"]["total"]["budget"]


def _without_identity(record: dict) -> dict:
    # slug, path and line name the file, not the form; a finding's message may name the other file of a pair.
    return {key: value for key, value in record.items() if key not in ("slug", "findings")}


def _findings(records: list[dict]) -> Counter:
    return Counter((finding["level"], finding["code"], finding["field"]) for record in records
                   for finding in record["findings"])


def assert_same_forms(imported: list[dict], expected: list[dict]) -> None:
    assert sorted(map(_key, imported)) == sorted(map(_key, expected))
    by_key = {_key(record): record for record in expected}
    for record in imported:
        want = by_key[_key(record)]
        assert _squashed(_without_identity(record)) == _squashed(_without_identity(want)), record["title"]
    assert _findings(imported) == _findings(expected)


@pytest.fixture
def site(tmp_path: Path, project_root: Path) -> Path:
    """A folder to import into, read with the project's formgen.toml (the working folder is the root)."""
    return tmp_path / "imported"


# --- text -------------------------------------------------------------------------------------------------

def test_the_published_text_imports_to_the_hand_made_forms(capsys, site):
    code, out, _ = run(capsys, "import", REFERENCE_TEXT, "--out", site / "2024")
    assert code == 0, out
    published = published_forms(REFERENCE_TEXT)
    assert len(list((site / "2024").glob("*.md"))) == len(published) == 10
    assert_same_forms(export(capsys, site), export(capsys, CONTENT / "2024"))


def test_the_report_names_each_form_with_the_line_it_starts_on(capsys, site):
    _, out, _ = run(capsys, "import", REFERENCE_TEXT, "--out", site)
    source = REFERENCE_TEXT.read_text(encoding="utf-8").splitlines()
    starts = [number for number, line in enumerate(source, start=1) if line.strip() == FORM_TITLE]
    reported = re.findall(r"^\S*pingtang-court-2024\.txt:(\d+): form (\d+) “([^”]+)” → (\S+)", out, flags=re.M)
    assert [int(line) for line, *_ in reported] == starts
    assert [title for *_, title, _ in reported] == [form.title for form in published_forms(REFERENCE_TEXT)]
    assert all(Path(path).is_file() for *_, path in reported)
    assert out.splitlines()[-2] == "10 forms imported from 1 file: 0 errors, 0 warnings — ok"


def test_slugs_are_readable_ascii_and_stable(capsys, site, tmp_path):
    run(capsys, "import", REFERENCE_TEXT, "--out", site)
    run(capsys, "import", REFERENCE_TEXT, "--out", tmp_path / "again")
    names = sorted(path.name for path in site.glob("*.md"))
    assert names == sorted(path.name for path in (tmp_path / "again").glob("*.md"))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*-2024\.md", name) for name in names), names
    assert "dian-li-xi-tong-wei-xiu-gai-zao-zhuan-xiang-zi-jin-2024.md" in names  # 电力系统维修改造专项资金
    # Two forms of one name get -2; two names alike for 60 characters still differ in their slugs.
    assert len(set(names)) == 10 and any(re.search(r"-2-2024\.md$", name) for name in names)


def test_an_existing_file_is_kept_unless_force(capsys, site):
    run(capsys, "import", REFERENCE_TEXT, "--out", site)
    target = sorted(site.glob("*.md"))[0]
    target.write_text("mine\n", encoding="utf-8")
    code, _, err = run(capsys, "import", REFERENCE_TEXT, "--out", site)
    assert code == 2
    assert target.as_posix() in err and "--force" in err and "nothing was written" in err
    assert target.read_text(encoding="utf-8") == "mine\n"
    code, _, _ = run(capsys, "import", REFERENCE_TEXT, "--out", site, "--force")
    assert code == 0 and target.read_text(encoding="utf-8") != "mine\n"


def test_stated_figures_are_kept_so_that_check_shows_where_they_differ(capsys, site, tmp_path):
    text = REFERENCE_TEXT.read_text(encoding="utf-8")
    total_line = next(line for line in text.splitlines() if re.match(r"总\s+分\s+100\s+97\.09$", line))
    changed = tmp_path / "changed.txt"
    changed.write_text(text.replace(total_line, total_line.replace("97.09", "98.09")), encoding="utf-8")
    code, _, _ = run(capsys, "import", changed, "--out", site)
    assert code == 0
    code, out, _ = run(capsys, "check", site)
    assert code == 1
    errors = [line for line in out.splitlines() if "stated.total" in line]
    assert len(errors) == 1 and "98.09" in errors[0] and "97.09" in errors[0]


def test_text_that_fits_no_cell_is_reported_with_its_line(capsys, site, tmp_path):
    lines = REFERENCE_TEXT.read_text(encoding="utf-8").splitlines()
    at = next(number for number, line in enumerate(lines) if line.startswith("  财政拨款")) + 1
    lines.insert(at, "资金说明：另有结余")
    source = tmp_path / "extra.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--out", site)
    assert code == 0  # a warning: the form is complete
    warning = next(line for line in out.splitlines() if "资金说明" in line)
    assert f"extra.txt:{at + 1}: warning:" in warning and "[import-unplaced]" in warning


def test_printed_weights_and_money_units_unlike_the_scheme_are_reported(capsys, site, tmp_path):
    lines = REFERENCE_TEXT.read_text(encoding="utf-8").splitlines()
    weight = lines.index("(50分)")
    unit = next(number for number, line in enumerate(lines) if line.strip() == "（元）")
    lines[weight], lines[unit] = "(40分)", "（万元）"
    source = tmp_path / "variant.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--out", site)
    assert code == 0
    differs = next(line for line in out.splitlines() if "[import-differs]" in line)
    assert "产出指标 is printed with 40分, the scheme gives it 50" in differs
    assert f"variant.txt:{weight + 1}:" in differs
    assert "[import-unit]" in out
    form = next(site.glob("dian-li-*.md")).read_text(encoding="utf-8")
    assert "initial: 8453715900" in form  # 845,371.59 万元, in 元


# --- damaged input ------------------------------------------------------------------------------------------

def test_a_truncated_text_writes_what_it_has_and_fails_clearly(capsys, site, tmp_path):
    lines = REFERENCE_TEXT.read_text(encoding="utf-8").splitlines()
    third = [number for number, line in enumerate(lines) if line.strip() == FORM_TITLE][2]
    cut = next(number for number in range(third, len(lines)) if lines[number].startswith("卷宗管理中心服务费"))
    source = tmp_path / "truncated.txt"
    source.write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", source, "--out", site)
    assert code == 1 and not err
    assert out.count(", complete,") == 2 and out.count(", incomplete,") == 1
    missing = next(line for line in out.splitlines() if "[import-missing]" in line)
    assert missing.strip().startswith(f"{source}:{third + 1}: error: form 3 has no ")
    assert "联系人" in missing and "自评结论" in missing, "named by their labels, as the printed form does"
    written = sorted(site.glob("*.md"))
    assert len(written) == 3
    code, out, _ = run(capsys, "check", site)
    assert code == 1 and "【待填写】" in out  # the placeholders, each with its line


def test_a_text_that_is_no_form_fails_clearly(capsys, site, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("会议纪要\n今天讨论了预算。\n", encoding="utf-8")
    code, out, err = run(capsys, "import", source, "--out", site)
    assert code == 1 and not err
    assert "notes.txt: error: no form found" in out and "[import-no-form]" in out
    assert not site.exists()


@pytest.mark.chinese
def test_import_speaks_chinese(capsys, site, tmp_path):
    from .chinese import chinese_share

    source = tmp_path / "partial.txt"
    source.write_text(f"会议纪要\n{FORM_TITLE}\n项目名称 测试项目\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", source, "--out", site)
    assert code == 1
    notes = [re.sub(r"^\S+:\d+[:：] ?(?:警告：|错误： ?)?", "", line.strip()) for line in out.splitlines()
             if "[import-" in line]
    assert notes[0] == "“会议纪要”位于第一张表之前：未导入 [import-unplaced]"
    assert notes[1].startswith("原表中第 1 张表缺少 年度、填报日期、") and "联系人、自评结论" in notes[1]
    assert all(chinese_share(note.rsplit(" [", 1)[0]) >= 0.8 for note in notes), notes  # the code aside
    [written] = site.glob("*.md")
    lines = written.read_text(encoding="utf-8").splitlines()[1:]
    header = "".join(line[2:] for line in lines[:next(n for n, line in enumerate(lines) if line[0] != "#")])
    expected = (f"由 formgen import 从 {source}:2 导入（第 1 张表）：请与原表核对。"
                "原表中缺少的内容写作“【待填写】”，formgen check 会逐项列出。")
    assert header.replace(" ", "") == expected.replace(" ", ""), "wrapped to the file's width"
    code, _, err = run(capsys, "import", source, "--out", site)
    assert code == 2 and "要写入的文件中有 1 个已经存在" in err and "--force" in err


def test_a_gbk_text_names_the_conversion(capsys, site, tmp_path):
    source = tmp_path / "gbk.txt"
    source.write_bytes(f"{FORM_TITLE}\n项目名称 测试\n".encode("gb18030"))
    code, out, _ = run(capsys, "import", source, "--out", site)
    assert code == 1
    assert "gbk.txt:1: error:" in out and "iconv" in out and "[import-unreadable]" in out


def test_a_missing_file_is_a_usage_error(capsys, site):
    code, _, err = run(capsys, "import", site / "nowhere.pdf")
    assert code == 2 and "nowhere.pdf: no such file" in err


# --- PDF ------------------------------------------------------------------------------------------------------

def _pdf_or_skip() -> None:
    from generator.render.pdf import PdfUnavailable, check_environment

    try:
        check_environment()
    except PdfUnavailable as error:
        pytest.skip(f"PDF rendering is unavailable here: {error}")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """formgen's own PDFs of content/, one per form and a bundle of all."""
    _pdf_or_skip()
    from generator.build import build_site
    from generator.config import find_config, load_config

    out = tmp_path_factory.mktemp("built") / "site"
    build_site([CONTENT], load_config(find_config(ROOT)), out, pdf=True)
    return out / "pdf"


def test_formgen_pdfs_import_to_the_same_forms(capsys, site, built):
    pdfs = sorted(built.glob("*.pdf"))
    assert len(pdfs) == 10
    code, out, _ = run(capsys, "import", *pdfs, "--out", site / "2024")
    assert code == 0, out
    assert "0 errors, 0 warnings — ok" in out
    assert_same_forms(export(capsys, site), export(capsys, CONTENT / "2024"))


def test_a_bundle_of_all_forms_imports_as_one_file_of_ten(capsys, site, built):
    bundle = next((built / "bundles").glob("*.pdf"))
    code, out, _ = run(capsys, "import", bundle, "--out", site / "2024")
    assert code == 0, out
    # The cover and its table of contents come before the first form: one note, not ten forms' worth.
    assert len(re.findall(r"\[import-unplaced\]", out)) == 1 and "before the first form" in out
    assert_same_forms(export(capsys, site), export(capsys, CONTENT / "2024"))


def _pdf_from_html(html: str, path: Path) -> Path:
    _pdf_or_skip()
    import weasyprint

    weasyprint.HTML(string=html).write_pdf(path)
    return path


def test_a_pdf_without_a_table_fails_clearly(capsys, site, tmp_path):
    pdf = _pdf_from_html(f"<p>{FORM_TITLE}</p><p>项目名称 测试项目</p><p>联系人：某某</p>", tmp_path / "plain.pdf")
    code, out, err = run(capsys, "import", pdf, "--out", site)
    assert code == 1 and not err
    assert "plain.pdf:page 1: error:" in out and "no table" in out and "[import-no-table]" in out


def test_an_encrypted_pdf_fails_clearly(capsys, site, tmp_path, built):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=next(built.glob("*.pdf")))
    writer.encrypt("secret", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    code, out, err = run(capsys, "import", locked, "--out", site)
    assert code == 1 and not err
    assert "locked.pdf: error: the PDF is encrypted" in out and "[import-encrypted]" in out


def test_a_cut_pdf_fails_clearly(capsys, site, tmp_path, built):
    data = next(built.glob("*.pdf")).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 3])
    code, out, err = run(capsys, "import", cut, "--out", site)
    assert code == 1 and not err
    assert "cut.pdf: error: not a readable PDF" in out and "[import-unreadable]" in out


# --- documentation ------------------------------------------------------------------------------------------

def test_every_import_code_is_documented():
    codes = set()
    for path in (ROOT / "generator" / "importing").glob("*.py"):
        codes |= set(re.findall(r'"(import-[a-z-]+)"', path.read_text(encoding="utf-8")))
    documented = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    assert len(codes) >= 7
    assert not sorted(code for code in codes if f"`{code}`" not in documented)


def test_a_pdf_note_names_the_page_and_where_on_it_the_cell_lies():
    """A clerk finds the cell a note is about with a ruler on the printed page: millimetres from the left and
    top edges (a PDF's points are 1/72 inch), besides the page."""
    from generator.config import load_config
    from generator.importing.grid import Block, TextLine, read_blocks
    from generator.importing.labels import LabelTable

    def block(text: str, x0: float, top: float, x1: float, in_table: bool = True) -> Block:
        return Block(2, x0, top, x1, top + 20, [TextLine(text, x0, x1, top, 10)], in_table=in_table)

    title = block("项目支出绩效目标自评表", 200, 60, 400, in_table=False)
    stray = block("一行无法归入任何栏目的文字", 85.04, 141.73, 300)  # 30 mm, 50 mm
    [draft], _notes = read_blocks([title, block("项目名称", 40, 100, 120), block("乡村道路", 120, 100, 500), stray],
                                  "forms.pdf", load_config(ROOT / "formgen.toml").scheme, LabelTable())
    [note] = [note for note in draft.notes if note.code == "import-unplaced"]
    assert note.path == "forms.pdf:page 2 (30 mm from the left, 50 mm from the top)"
