"""PDFs: fonts, metadata, variants, reproducibility, safe fetching, fidelity — read back from the files."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.build import build_site
from generator.config import SiteConfig
from generator.render import pdf as render_pdf

from .conftest import CONTENT, REFERENCE, ROOT
from .htmltools import squash
from .listening import recording_server
from .reference import published_forms

ARTIFACTS = ROOT / "test-artifacts" / "pdf"
FORM_1 = "power-system-renovation"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_site([CONTENT], SiteConfig(), tmp_path_factory.mktemp("pdf") / "out", pdf=True, jobs=2)


def test_one_pdf_per_form_linked_from_page_and_index(built):
    assert built.pdfs == 10
    for page in (built.out / "forms").glob("*.html"):
        assert (built.out / "pdf" / f"{page.stem}.pdf").is_file()
        assert f'href="../pdf/{page.stem}.pdf"' in page.read_text(encoding="utf-8")
    assert f'href="pdf/{FORM_1}.pdf"' in (built.out / "index.html").read_text(encoding="utf-8")


def test_a_pdf_downloads_under_its_project_name(built):
    # The file keeps its ASCII slug; the browser saves it under the 项目名称 (the download attribute).
    saved = 'download="电力系统维修改造专项资金.pdf"'  # power-system-renovation.md's title
    assert f'href="../pdf/{FORM_1}.pdf" {saved}' in (built.out / "forms" / f"{FORM_1}.html").read_text("utf-8")
    index = (built.out / "index.html").read_text(encoding="utf-8")
    assert f'href="pdf/{FORM_1}.pdf" {saved}' in index
    # Two forms share a 项目名称: each saves under the name the lists show, with its amount.
    assert 'download="中央政法纪检监察转移支付资金（办案费）-上级一般转移支付收入（160,000元）.pdf"' in index
    assert ('href="pdf/bundles/2024-ping-tang-xian-ren-min-fa-yuan.pdf" download="2024年 平塘县人民法院 合订本.pdf"'
            in index)


def test_metadata_fonts_and_pages(built):
    reader = PdfReader(built.out / "pdf" / f"{FORM_1}.pdf")
    info = reader.metadata
    assert info.title == "电力系统维修改造专项资金（2024年度）"
    assert info.author == "平塘县人民法院"
    assert "总分97.09" in info.subject and "等级优" in info.subject
    assert "2024年度" in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:20250123")  # the 填报日期, never the clock
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile3" in descriptor or "/FontFile2" in descriptor  # embedded
            fonts.add(str(font["/BaseFont"]).split("+", 1)[1])  # subset prefix XXXXXX+
    assert fonts == {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"}  # as few faces as the layout needs
    text = "".join(page.extract_text() for page in reader.pages)
    assert f"第 1 页 共 {len(reader.pages)} 页" in text.replace("\n", " ") or "第1页共" in squash(text)


def test_builds_are_byte_identical(built, tmp_path):
    again = build_site([CONTENT], SiteConfig(), tmp_path / "again", pdf=True, jobs=1)
    for pdf in (built.out / "pdf").glob("*.pdf"):
        assert (again.out / "pdf" / pdf.name).read_bytes() == pdf.read_bytes(), pdf.name


@pytest.mark.parametrize(("variant", "part"), [("pdf/a-3b", "pdfaid:part"), ("pdf/ua-1", "pdfuaid:part")])
def test_archival_and_tagged_variants(tmp_path, variant, part):
    config = SiteConfig.model_validate({"pdf": {"variant": variant}})
    out = build_site([CONTENT / "2024" / f"{FORM_1}.md"], config, tmp_path / "out", pdf=True).out
    reader = PdfReader(out / "pdf" / f"{FORM_1}.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert part in xmp
    if variant == "pdf/a-3b":
        assert 'pdfaid:part="3"' in xmp or "<pdfaid:part>3</pdfaid:part>" in xmp
        assert "/OutputIntents" in reader.trailer["/Root"]
    else:
        assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_nothing_is_fetched_outside_the_site(tmp_path):
    """http(s) (loopback included), file:///etc/passwd, ../ out of the site and symlinks pointing outside
    are refused, and a local HTTP server proves it receives no request."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', "utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (site / "link.svg").symlink_to(tmp_path / "secret.txt")
    environment = render_pdf.check_environment()
    with recording_server() as (address, requests):
        for url in (f"http://{address}/x.png", f"https://{address}/x.png", "file:///etc/passwd",
                    "../secret.txt", "link.svg"):
            html = f'<html lang="zh-CN"><body><p>图</p><img src="{url}"></body></html>'
            with pytest.raises(render_pdf.FetchRefused, match="refused to fetch"):
                render_pdf.render_pdf(html, site, [site], environment)
        allowed = '<html><body><img src="logo.svg"><img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E"></body></html>'
        assert render_pdf.render_pdf(allowed, site, [site], environment).startswith(b"%PDF")
    assert requests == []


def test_a_character_the_fonts_cannot_draw_fails_the_build(tmp_path, capsys, monkeypatch):
    """Every PDF is tried, so that every failing form is named in one run; then nothing is published:
    pages linking a PDF that is not there (or a stale one) would be worse than the previous site."""
    from generator.__main__ import main

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "content", "--no-pdf"]) == 0
    form = content / "2024" / f"{FORM_1}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("莫路路", "莫𠀀路"), "utf-8")
    capsys.readouterr()
    assert main(["build", "content"]) == 1
    out = capsys.readouterr().out
    assert f"content/2024/{FORM_1}.md:1: the PDF could not be made" in out
    assert "cannot draw 𠀀 (U+20000): no configured font has it — replace the character" in out
    assert "install fonts-noto-cjk" not in out  # it is installed: the message says what helps
    assert "pdf/bundles/2024-" in out and "a bundle of record holds every one of its forms" in out
    assert "build failed: 2 PDFs could not be made; the output folder was left unchanged" in out
    assert not (tmp_path / "output" / "pdf").exists()  # the previous site, untouched


def test_refuses_without_harfbuzz_subset_or_fonts(monkeypatch):
    import weasyprint.text.ffi as ffi

    render_pdf.check_environment.cache_clear()
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    with pytest.raises(render_pdf.PdfUnavailable, match="libharfbuzz-subset0"):
        render_pdf.check_environment()
    monkeypatch.undo()
    render_pdf.check_environment.cache_clear()
    with pytest.raises(render_pdf.PdfUnavailable, match="fonts-noto-cjk"):
        render_pdf.check_environment(("No Such Font XYZ",))


THRESHOLD = 0.975
"""Lowest share of a published form's characters that `pdftotext -raw` finds in order in our PDF.
Measured 0.9806–0.9957 (`pytest tests/test_pdf.py -s`). `-raw` reads text in the order the PDF draws
it, the table's order; `-layout` interleaves a row's columns line by line where cells wrap (0.79–0.89)."""


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")
def test_pdf_text_fidelity_and_page_images(built):
    published = published_forms(REFERENCE / "pingtang-court-2024.txt")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shares = {}
    for pdf in sorted((built.out / "pdf").glob("*.pdf")):
        text = squash(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                                     check=True).stdout)
        matches = [form for form in published if squash(form.title) in text
                   and f"年度资金总额：{form.initial}{form.budget}{form.executed}" in text]
        assert len(matches) == 1, pdf.name
        reference = "项目支出绩效目标自评表" + squash(matches[0].text)
        matcher = difflib.SequenceMatcher(None, reference, text, autojunk=False)
        shares[pdf.stem] = sum(block.size for block in matcher.get_matching_blocks()) / len(reference)
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                        str(ARTIFACTS / pdf.stem)], check=True)
    print("\n".join(f"{share:.4f} {slug}" for slug, share in sorted(shares.items(), key=lambda item: item[1])))
    assert min(shares.values()) >= THRESHOLD, shares
    assert len(list(ARTIFACTS.glob("*.png"))) >= 10



def test_bundle_per_year_and_unit(built):
    """Cover with the summary, contents whose page numbers are right, a bookmark per form, the form's name
    in the running header, page numbers across the bundle, fonts embedded once."""
    bundles = list((built.out / "pdf" / "bundles").glob("*.pdf"))
    assert built.bundles == 1 and len(bundles) == 1
    reader = PdfReader(bundles[0])
    assert reader.metadata.title == "平塘县人民法院 2024年度 项目支出绩效自评表（合订本）"
    assert reader.metadata["/CreationDate"].startswith("D:20250212")  # the latest 填报日期 of its forms
    titles = [item.title for item in reader.outline]
    assert titles[1] == "目\u3000录"
    forms = titles[2:]  # after the cover and the contents: one bookmark per form
    assert len(forms) == 10 and "电力系统维修改造专项资金" in forms
    pages = [squash(page.extract_text()) for page in reader.pages]
    assert all(f"第{number}页" in text for number, text in enumerate(pages[1:], start=2))
    assert "第1页" not in pages[0] and not any("共" in text[-8:] for text in pages)  # no total while parts are made
    assert "共10张" in pages[0] and "97.09" in pages[0]  # the cover's summary table
    # The contents' page numbers (after each title and its dot leaders) are where the outline goes.
    entries = [re.fullmatch(r"(\d+)\.(.+?)\.{3,}(\d+)", squash(line))
               for line in reader.pages[1].extract_text().splitlines()[1:-1]]
    assert all(entries), entries
    printed = [int(entry[3]) for entry in entries if entry]
    starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline[2:]]
    assert printed == starts and len(starts) == 10
    assert [(int(entry[1]), entry[2]) for entry in entries if entry] == [
        (number, squash(title)) for number, title in enumerate(forms, start=1)]
    for start, title in zip(starts, forms, strict=True):
        assert squash(title) in pages[start - 1], (title, start)  # the running header names the form
        assert pages[start - 1].startswith("项目支出绩效目标自评表（")  # the form begins there, on a page of its own
    fonts = {str(font.get_object()["/BaseFont"]).split("+", 1)[1]
             for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts == {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"}
    size = bundles[0].stat().st_size
    assert size < 0.25 * sum(pdf.stat().st_size for pdf in (built.out / "pdf").glob("*.pdf"))
    index = (built.out / "index.html").read_text(encoding="utf-8")
    assert f'href="pdf/bundles/{bundles[0].name}"' in index


def _page_texts(path):
    return [squash(page.extract_text()) for page in PdfReader(path).pages]


def _contents_targets(reader):
    """The pages the contents' links go to (each entry links its title and its number), and {title: page
    index} of the outline's entries."""
    links = {}
    for page in reader.pages[:3]:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                links[tuple(annotation["/Rect"])] = reader.get_page_number(annotation["/Dest"][0].get_object())
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    return sorted(set(links.values())), outline


def test_a_bundle_made_in_parts_is_the_bundle_made_whole(built, tmp_path, monkeypatch):
    """A large bundle is composed in parts of a bounded number of forms (memory), in several processes,
    each part numbering its pages after the earlier ones, and joined: the result reads exactly like a
    bundle made in one piece — same pages, page numbers, running headers, contents, outline and links."""
    from generator.build import bundles

    monkeypatch.setattr(bundles, "PART_FORMS", 3)
    result = build_site([CONTENT], SiteConfig(), tmp_path / "out", pdf=True, jobs=2)
    assert result.bundles == 1
    whole = next((built.out / "pdf" / "bundles").glob("*.pdf"))
    parts = result.out / "pdf" / "bundles" / whole.name
    assert _page_texts(parts) == _page_texts(whole)
    assert _contents_targets(PdfReader(parts)) == _contents_targets(PdfReader(whole))
    links, outline = _contents_targets(PdfReader(parts))
    assert len(links) == 10 and sorted(outline.values())[2:] == links  # every entry links to its form's page
    for title, index in outline.items():
        assert "目" in title or squash(title) in _page_texts(parts)[index]  # running header names the form
    reader = PdfReader(parts)
    embedded = {font.idnum for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert len(embedded) == 2 + 1 + 3 * 2  # the cover (2 faces), the contents (1), three parts of 4 + 4 + 2 forms
    # Nine embedded faces for ten forms (parts of 25 to 49 forms in real builds): still well below their PDFs.
    assert parts.stat().st_size < 0.6 * sum(pdf.stat().st_size for pdf in (result.out / "pdf").glob("*.pdf"))
    assert len(list((tmp_path / ".formgen-cache" / "out" / "parts").glob("*.pdf"))) == 3  # kept for later builds


class _Seen:
    """A list of what was laid out, kept in a file: the PDF stage lays out in worker processes, which append
    to it (each line written whole, O_APPEND)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clear()

    def append(self, kind: str) -> None:
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(kind + "\n")

    def clear(self) -> None:
        self.path.write_text("", encoding="utf-8")

    def __iter__(self):
        return iter(self.path.read_text(encoding="utf-8").split())

    def count(self, kind: str) -> int:
        return list(self).count(kind)


@pytest.fixture
def laid_out(monkeypatch, tmp_path):
    """What each build lays out from here on: "frame" (a bundle part's decorations), "front", "form" (a
    layout of a form), and "fitted" once for each form fitted to its pages (render_pdf.fit_form, which lays
    it out once, or more where it needs other widths, spacing or continued labels)."""
    seen = _Seen(tmp_path / "laid-out.log")
    original, fitting = render_pdf.layout_pdf, render_pdf.fit_form

    def counting(html, *args, **kwargs):
        seen.append("form" if '<body class="pdf">' in html else "frame" if "bundle-frame" in html else "front")
        return original(html, *args, **kwargs)

    def fitted(*args, **kwargs):
        seen.append("fitted")
        return fitting(*args, **kwargs)

    monkeypatch.setattr(render_pdf, "layout_pdf", counting)
    monkeypatch.setattr(render_pdf, "fit_form", fitted)
    return seen


def _besides_forms(seen: list[str]) -> list[str]:
    """What was laid out besides the forms' own layouts, and the forms fitted: ["fitted", ..., "frame", ...]."""
    return sorted(kind for kind in seen if kind != "form")


def test_a_change_to_one_form_composes_its_part_only(tmp_path, monkeypatch, laid_out):
    """Parts whose forms and first page are unchanged come from the cache: a change to one form lays out
    that form's part only, and the bundle is byte for byte the one a fresh build makes."""
    from generator.build import bundles

    monkeypatch.setattr(bundles, "PART_FORMS", 3)
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    build_site([content], SiteConfig(), tmp_path / "out", pdf=True, jobs=2)
    form = content / "2024" / f"{FORM_1}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("contact: 莫路路", "contact: 张三"), encoding="utf-8")
    laid_out.clear()
    again = build_site([content], SiteConfig(), tmp_path / "out", pdf=True, jobs=1)
    # its part of four forms, the cover, and the contents twice (placeholder numbers first, to learn their length)
    assert _besides_forms(laid_out) == ["fitted"] * 4 + ["frame"] + ["front"] * 3
    fresh = build_site([content], SiteConfig(), tmp_path / "fresh", pdf=True, jobs=2, cache=tmp_path / "empty")
    bundle = next((fresh.out / "pdf" / "bundles").glob("*.pdf")).relative_to(fresh.out)
    assert (again.out / bundle).read_bytes() == (fresh.out / bundle).read_bytes()


def test_each_form_is_laid_out_once(tmp_path, laid_out):
    """The form's PDF and its bundle come from one layout (fitted to its pages once): besides the forms,
    only the bundle's front (once, where it takes the two pages expected) and one empty frame per part are
    laid out."""
    result = build_site([CONTENT], SiteConfig(), tmp_path / "out", pdf=True, jobs=1)
    assert result.pdfs == 10 and result.bundles == 1
    assert _besides_forms(laid_out) == ["fitted"] * 10 + ["frame"] + ["front"]
    assert laid_out.count("form") < 2 * 10  # most forms are laid out once or twice, none more than four times


def test_a_front_longer_or_shorter_than_expected_is_laid_out_again_with_the_right_numbers(built, tmp_path,
                                                                                          monkeypatch, laid_out):
    """A bundle's contents give each form's first page, which depends on how long the cover and contents
    are: expected wrongly, the front is laid out a second time, and the bundle is byte for byte the one made
    when it was expected rightly (whose contents test_bundle_per_year_and_unit checks page by page)."""
    from generator.build import pdfs

    for expected in (1, 5):
        monkeypatch.setattr(pdfs, "FRONT_PAGES", expected)
        laid_out.clear()
        result = build_site([CONTENT], SiteConfig(), tmp_path / f"out-{expected}", pdf=True, jobs=1)
        assert laid_out.count("front") == 2, expected
        right = next((built.out / "pdf" / "bundles").glob("*.pdf"))
        assert (result.out / "pdf" / "bundles" / right.name).read_bytes() == right.read_bytes(), expected


def _long_form(path):
    """Form 1 with 40 indicator rows under 产出指标 (four 二级指标 of ten rows, 1.25 points each)."""
    text = (CONTENT / "2024" / f"{FORM_1}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("indicators:"))
    end = next(i for i, line in enumerate(lines) if line.startswith("stated:"))
    rows = [line for line in lines[start + 1:end] if "level1: 产出指标" not in line]
    long_rows = [f"  - {{level1: 产出指标, level2: {level2}, name: 第{number:02d}项{level2}的三级指标名称较长需要换行, "
                 f"target: ≥{number}件, actual: {number}件, weight: 1.25, reason: 第{number}项说明文字。}}"
                 for level2 in ("数量指标", "质量指标", "时效指标", "成本指标") for number in range(1, 11)]
    body = "\n".join(lines[:start + 1] + long_rows + rows + [line for line in lines[end:]
                                                              if not line.startswith("  total:")])
    path.write_text(body.replace("stated:", "stated: {}", 1) + "\n", encoding="utf-8")


def test_forty_indicators_break_across_pages_with_the_header_repeated(tmp_path):
    """The indicator table runs over several pages: its header row repeats on each, no row is split,
    and the spanning 一级/二级 cells go on across the breaks. Page images in test-artifacts/pdf/long-*."""
    content = tmp_path / "content"
    content.mkdir()
    _long_form(content / "long-form.md")
    result = build_site([content], SiteConfig(), tmp_path / "out", pdf=True)
    assert result.pdfs == 1
    pdf = result.out / "pdf" / "long-form.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3
    pages = [squash(page.extract_text()) for page in reader.pages]
    with_rows = [i for i, text in enumerate(pages) if "的三级指标名称较长需要换行" in text]
    assert len(with_rows) >= 2
    for index in with_rows:  # the header repeats wherever indicator rows are
        assert "一级指标二级指标三级指标年度指标值(A)实际完成值(B)分值得分未完成原因分析备注" in pages[index], index
    for number in range(1, 11):  # no row split: each row's cells are on one page
        for level2 in ("数量指标", "质量指标", "时效指标", "成本指标"):
            name = f"第{number:02d}项{level2}的三级指标名称较长需要换行"
            holders = [i for i, text in enumerate(pages) if name in text]
            assert len(holders) == 1 and f"第{number}项说明文字。" in pages[holders[0]], name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(ARTIFACTS / "long")], check=True)


def test_unchanged_pdfs_are_not_rendered_again(tmp_path, monkeypatch):
    """Keys are hashes of what a PDF depends on (its HTML with content, templates, CSS and settings; the
    variant; WeasyPrint and the fonts), never timestamps: a no-change build renders nothing, a changed
    form renders that form and its bundle only."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out"
    first = build_site([content], SiteConfig(), out, pdf=True, jobs=2)
    before = {pdf.name: pdf.read_bytes() for pdf in out.rglob("*.pdf")}
    rendered: list[object] = []
    original = render_pdf.write_pdf

    def counting(document, *args, **kwargs):
        rendered.append(document)
        return original(document, *args, **kwargs)

    monkeypatch.setattr(render_pdf, "write_pdf", counting)
    again = build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    assert (first.reused, again.reused, rendered) == (0, 11, [])
    assert {pdf.name: pdf.read_bytes() for pdf in out.rglob("*.pdf")} == before
    form = content / "2024" / f"{FORM_1}.md"
    form.write_text(form.read_text(encoding="utf-8").replace("contact: 莫路路", "contact: 张三"), encoding="utf-8")
    changed = build_site([content], SiteConfig(), out, pdf=True, jobs=1)
    assert changed.reused == 9 and len(rendered) == 2  # the form and its bundle
    after = {pdf.name: pdf.read_bytes() for pdf in out.rglob("*.pdf")}
    assert [name for name in after if after[name] != before[name]] == sorted(
        [f"{FORM_1}.pdf", next(name for name in after if name.startswith("2024-"))], key=list(after).index)
    variant = SiteConfig.model_validate({"pdf": {"variant": "pdf/a-3b"}})
    assert build_site([content], variant, out, pdf=True, jobs=1).reused == 0  # settings are in the key


def test_progress_is_reported_from_the_workers(tmp_path, capsys, monkeypatch):
    from generator.progress import console_reporter

    seen: list[tuple[int, int]] = []
    build_site([CONTENT], SiteConfig(), tmp_path / "out", pdf=True, jobs=2,
               progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (10, 10) and all(total == 10 for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # never goes back
    monkeypatch.setenv("CI", "true")
    report, close = console_reporter("PDF")
    for done in range(0, 21):
        report(done, 20)
    close()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"PDF: {tenth * 10}% ({tenth * 2}/20)" for tenth in range(11)]  # one line per tenth


def test_large_bundles_are_split_into_volumes_and_linked(tmp_path):
    """Laying out a bundle holds about 3.6 MiB per form: bundles of more than bundle_max_forms are volumes."""
    from .htmltools import parse

    config = SiteConfig.model_validate({"pdf": {"bundle_max_forms": 4}})
    out = build_site([CONTENT], config, tmp_path / "out", pdf=True, jobs=2).out
    volumes = sorted(path.name for path in (out / "pdf" / "bundles").glob("*.pdf"))
    assert volumes == [f"2024-ping-tang-xian-ren-min-fa-yuan-di-{number}-ce.pdf" for number in (1, 2, 3)]
    pages = [len(PdfReader(out / "pdf" / "bundles" / name).outline) - 2 for name in volumes]
    assert pages == [4, 4, 2]  # forms per volume (outline less cover and contents)
    assert PdfReader(out / "pdf" / "bundles" / volumes[1]).metadata.title.endswith("（合订本第2册）")
    index = (out / "index.html").read_text(encoding="utf-8")
    for number, name in enumerate(volumes, start=1):  # every volume is linked, and every link resolves
        assert f'href="pdf/bundles/{name}" download="2024年 平塘县人民法院 合订本（第{number}册）.pdf"' in index
    for _, _, value in parse(index).links:
        assert value.startswith(("#", "?")) or (out / value.split("#")[0]).exists(), value


def test_a_form_whose_layout_never_ends_is_stopped_even_where_timer_signals_never_arrive(tmp_path, capsys,
                                                                                          monkeypatch):
    """[pdf] timeout_seconds holds in a process whose timer signal is blocked (as some CI runners start
    their jobs): that form is named with the setting to raise, the others are made, nothing is published."""
    import signal
    import time

    from generator.__main__ import main

    # Two forms: the endless one and another, which is made well within the limit even on a loaded
    # machine (the limit is generous for it: a form takes about half a second).
    (tmp_path / "content" / "2024").mkdir(parents=True)
    for name in (FORM_1, "central-case-funds-court"):
        shutil.copy(CONTENT / "2024" / f"{name}.md", tmp_path / "content" / "2024")
    (tmp_path / "formgen.toml").write_text("[pdf]\ntimeout_seconds = 5\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    layout = render_pdf.layout_pdf

    def endless_for_one_form(html: str, base: object, roots: object) -> object:
        while "电力系统维修改造专项资金" in html:  # that form's 项目名称: its layout never ends
            pass
        return layout(html, base, roots)

    monkeypatch.setattr(render_pdf, "layout_pdf", endless_for_one_form)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        started = time.monotonic()
        code = main(["build", "content", "--jobs", "1"])
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    out = capsys.readouterr().out
    assert code == 1
    assert f"content/2024/{FORM_1}.md:1: the PDF could not be made" in out
    assert "took longer than 5 s: raise [pdf] timeout_seconds in formgen.toml, or shorten the form" in out
    assert out.count("took longer than") == 1  # the other form was made
    assert "build failed: 2 PDFs could not be made" in out  # that form's, and its bundle's, which needs it
    assert not (tmp_path / "output").exists()
    assert time.monotonic() - started < 60
