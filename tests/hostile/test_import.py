"""Hostile input to `formgen import` (issue 10): sources that would take the machine with them, links
that lead out of the site, characters a form file cannot hold, digits of other scripts, file names that
break lines. Every PDF here is built by the test itself: small on disk, quick to refuse."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterable
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.checks import check_slug
from generator.config import Scheme, find_config, load_config
from generator.findings import Level
from generator.importing import read_source
from generator.importing.limits import Limits
from generator.reading import read_document

from .conftest import Decoy, HostileSite

TITLE = "项目支出绩效目标自评表"

# A form as pdftotext gives it, cut short: enough to be imported (with placeholders for the rest).
FORM = f"""{TITLE}
（2024年度）
项目名称 乡村道路养护专项资金
主管部门及代码 [120]平塘县人民法院 实施单位 平塘县人民法院
联系人：张三
"""
SLUG = "xiang-cun-dao-lu-yang-hu-zhuan-xiang-zi-jin-2024"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def source(folder: Path, text: str = FORM, name: str = "forms.txt") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def scheme() -> Scheme:
    """The scheme of the hostile site (the working folder)."""
    return load_config(find_config(Path.cwd())).scheme


# --- PDFs made here: a few objects, an xref, streams compressed as the test needs -----------------------------

def _pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF of `objects` (object 1 the catalog), with a correct cross-reference table."""
    data = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(data))
    return path


def _stream(pieces: Iterable[bytes], attributes: bytes = b"") -> bytes:
    """A FlateDecode stream of the pieces, compressed piece by piece (a bomb never sits in memory)."""
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(piece) for piece in pieces) + packer.flush()
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n" % (len(packed), attributes) + packed + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 1 Tf 10 10 Td (x) Tj ET\n"


def _page(contents: int, resources: bytes = b"<< /Font << /F1 4 0 R >> >>") -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources %s >>" % (
        contents, resources)


def _pages_pdf(path: Path, count: int) -> Path:
    """`count` pages that share one small content stream: a few KB for hundreds of pages."""
    kids = b" ".join(b"%d 0 R" % (5 + index) for index in range(count))
    return _pdf(path, [CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count), _stream([TEXT]), FONT,
                       *[_page(3)] * count])


def _dense_page_pdf(path: Path, size: int) -> Path:
    """One page whose content stream inflates to `size` bytes of text drawing (77 KB for 30 MB)."""
    repeat = size // len(TEXT)
    return _pdf(path, [CATALOG, b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
                       _stream(TEXT * min(repeat, 10_000) for _ in range(max(1, repeat // 10_000))), FONT, _page(3)])


# --- 1. resource limits ------------------------------------------------------------------------------------

def test_a_pdf_of_too_many_pages_is_refused_before_any_is_read(capsys, site: HostileSite, decoy: Decoy):
    pdf = _pages_pdf(site.root / "many.pdf", 60)
    started = time.monotonic()
    code, out, err = run(capsys, "import", pdf, "--out", site.root / "imported", "--max-pages", 50)
    assert code == 1 and not err, err
    assert "many.pdf: error: the PDF has more than 50 pages" in out and "--max-pages" in out
    assert "[import-too-large]" in out and not (site.root / "imported").exists()
    assert time.monotonic() - started < 5


def test_a_page_whose_content_inflates_past_the_limit_is_refused(site: HostileSite, decoy: Decoy):
    pdf = _dense_page_pdf(site.root / "dense.pdf", 300_000)
    assert pdf.stat().st_size < 10_000
    found = read_source(pdf, scheme(), limits=Limits(page_content_bytes=200_000))
    assert not found.drafts
    [note] = found.notes
    assert (note.code, note.level is Level.ERROR, note.path) == ("import-too-large", True, "dense.pdf:page 1")
    assert "the page's content is more than 0.1907 MB decoded" in note.message


def test_the_content_limit_stops_the_30_mb_page_with_the_defaults(capsys, site: HostileSite, decoy: Decoy):
    """The case of the issue: 77 KB that inflate to 30 MB took 71 s and 2.7 GB."""
    pdf = _dense_page_pdf(site.root / "bomb.pdf", 30_000_000)
    assert pdf.stat().st_size < 100_000
    started = time.monotonic()
    code, out, err = run(capsys, "import", pdf)
    assert code == 1 and not err
    assert "bomb.pdf:page 1: error: the page's content is more than 2 MB decoded" in out and "[import-too-large]" in out
    assert time.monotonic() - started < 5


def test_a_stream_that_inflates_to_gigabytes_is_refused_before_any_library_reads_it(capsys, site: HostileSite,
                                                                                  decoy: Decoy):
    """An embedded font of 100 KB that inflates to 100 MB of zeros: pdfminer would hold all of it."""
    zeros = bytes(1024 * 1024)
    font = b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FontDescriptor 6 0 R >>"
    pdf = _pdf(site.root / "font.pdf", [CATALOG, b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", _stream([TEXT]), font,
                                        _page(3), b"<< /Type /FontDescriptor /FontName /Bomb /FontFile2 7 0 R >>",
                                        _stream(zeros for _ in range(100))])
    assert pdf.stat().st_size < 200_000
    code, out, err = run(capsys, "import", pdf)
    assert code == 1 and not err
    assert "font.pdf: error: a stream of the PDF (at byte " in out and "inflates to more than 64 MB" in out
    assert "[import-too-large]" in out


def _fan_out_pdf(path: Path, width: int = 200, depth: int = 3) -> Path:
    """A page that draws a form that draws another `width` times, `depth` deep: 8 million glyphs from
    a few hundred bytes — nothing is large, it only never ends."""
    def resources(level: int) -> bytes:
        return b"<< /Font << /F1 4 0 R >> /XObject << /X%d %d 0 R >> >>" % (level, 6 + level)

    forms = []
    for level in range(depth):
        last = level == depth - 1
        forms.append(_stream([TEXT if last else b"/X%d Do\n" % (level + 1) * width],
                             b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources "
                             + (b"<< /Font << /F1 4 0 R >> >>" if last else resources(level + 1))))
    return _pdf(path, [CATALOG, b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", _stream([b"/X0 Do\n" * width]), FONT,
                       _page(3, resources(0)), *forms])


def test_a_pdf_that_never_ends_is_stopped_at_the_time_limit(capsys, site: HostileSite, decoy: Decoy):
    pdf = _fan_out_pdf(site.root / "endless.pdf")
    assert pdf.stat().st_size < 5_000
    started = time.monotonic()
    code, out, err = run(capsys, "import", pdf, "--time-limit", 1)
    assert code == 1 and not err
    assert "endless.pdf: error: reading the file took longer than 1 s" in out and "--time-limit" in out
    assert "[import-too-slow]" in out
    assert time.monotonic() - started < 5


def _signal_blocked_and_memory_capped() -> None:
    """In the child, before formgen starts: as some CI runners start their jobs, with the timer signal
    blocked; and with 2 GB of memory at most, so that a limit that fails fails here, not the machine."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_the_time_limit_holds_where_the_system_s_timer_signal_never_arrives(site: HostileSite, decoy: Decoy):
    """A process started with SIGALRM blocked never receives a timer's signal; the limit holds anyway."""
    pdf = _fan_out_pdf(site.root / "endless.pdf")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "generator", "import", pdf.name, "--time-limit", "1"],
                          cwd=site.root, capture_output=True, text=True, timeout=60, check=False,
                          preexec_fn=_signal_blocked_and_memory_capped)
    assert done.returncode == 1 and not done.stderr
    assert "endless.pdf: error: reading the file took longer than 1 s" in done.stdout
    assert time.monotonic() - started < 15


def test_outside_the_main_thread_the_time_limit_holds_between_pages(site: HostileSite, decoy: Decoy):
    """Signals reach only the main thread: elsewhere the budget is checked page by page."""
    pdf = _pages_pdf(site.root / "pages.pdf", 400)
    found = []
    worker = threading.Thread(target=lambda: found.append(read_source(pdf, scheme(), limits=Limits(seconds=0.05))))
    worker.start()
    worker.join(timeout=30)
    [note] = found[0].notes
    assert note.code == "import-too-slow" and "longer than 0.05 s" in note.message


@pytest.mark.parametrize(("name", "data", "limit"), [
    ("big.txt", FORM.encode() + b"x" * 2000, Limits(text_bytes=1000)),
    ("big.pdf", b"%PDF-1.7\n" + b" " * 2000, Limits(pdf_bytes=1000)),
])
def test_a_file_over_the_size_limit_is_not_read(site: HostileSite, decoy: Decoy, name, data, limit):
    path = site.root / name
    path.write_bytes(data)
    found = read_source(path, scheme(), limits=limit)
    [note] = found.notes
    assert note.code == "import-too-large" and note.level is Level.ERROR and not found.drafts
    assert "file is larger than 0.0009537 MB" in note.message and "split it" in note.message


def test_the_limits_are_options_that_must_be_positive(capsys, site: HostileSite, decoy: Decoy):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "import", source(site.root), "--max-pages", 0)
    assert exit_.value.code == 2 and "0 is not a number above 0" in capsys.readouterr().err


# --- 2. links: nothing read or written outside the site ------------------------------------------------------

def test_force_never_writes_through_a_file_that_links_outside(capsys, site: HostileSite, decoy: Decoy):
    target = site.content / "2024" / f"{SLUG}.md"
    target.symlink_to(decoy.secret)
    code, out, err = run(capsys, "import", source(site.root), "--force")
    assert code == 2 and not out
    assert f"1 of the files to write are links: content/2024/{SLUG}.md — nothing was written" in err
    assert target.is_symlink()  # left as it was; the decoy's secret is checked at teardown


def test_force_never_creates_a_file_through_a_dangling_link(capsys, site: HostileSite, decoy: Decoy):
    out = site.root / "imported"
    out.mkdir()
    (out / f"{SLUG}.md").symlink_to(decoy.path / "planted.md")
    code, _, err = run(capsys, "import", source(site.root), "--out", out, "--force")
    assert code == 2 and "are links" in err
    assert not (decoy.path / "planted.md").exists()


def test_an_out_folder_that_links_outside_the_site_is_refused(capsys, site: HostileSite, decoy: Decoy):
    (site.root / "imported").symlink_to(decoy.path / "nested", target_is_directory=True)
    code, out, err = run(capsys, "import", source(site.root), "--out", "imported")
    assert code == 2 and not out
    assert f"imported leads outside the site (to {decoy.path / 'nested'}) through a link — nothing was written" in err
    code, _, err = run(capsys, "import", source(site.root), "--out", "imported/2024")  # a folder to make in it
    assert code == 2 and "leads outside the site" in err


def test_a_year_folder_that_links_outside_the_site_is_refused(capsys, site: HostileSite, decoy: Decoy):
    (site.content / "2023").symlink_to(decoy.path, target_is_directory=True)
    code, _, err = run(capsys, "import", source(site.root, FORM.replace("2024年度", "2023年度")))
    assert code == 2 and "content/2023 leads outside the site" in err


def test_a_link_inside_the_site_that_stays_inside_is_written_into(capsys, site: HostileSite, decoy: Decoy):
    (site.root / "imported").symlink_to(site.content / "2024", target_is_directory=True)
    code, _, err = run(capsys, "import", source(site.root), "--out", "imported")
    assert code == 1 and not err  # incomplete: placeholders
    assert (site.content / "2024" / f"{SLUG}.md").is_file()


def test_a_named_source_that_links_outside_the_site_is_not_read(capsys, site: HostileSite, decoy: Decoy):
    (site.root / "forms.txt").symlink_to(source(decoy.path.parent, name="outside.txt"))
    code, out, err = run(capsys, "import", "forms.txt")
    assert code == 2 and not out
    assert "forms.txt is a link out of the site (to " in err and "nothing was read" in err
    # Named as it is, outside the site, it is the user's own choice.
    code, out, _ = run(capsys, "import", decoy.path.parent / "outside.txt", "--out", "imported")
    assert code == 1 and "1 form imported" in out


# --- 3, 4. characters a form file cannot hold ----------------------------------------------------------------

def _written(site: HostileSite) -> Path:
    [path] = (site.root / "imported").glob("*.md")
    return path


def test_control_characters_are_removed_and_reported_with_their_place(capsys, site: HostileSite, decoy: Decoy):
    text = FORM.replace("乡村道路", "乡村\x7f道路").replace("张三", "张\x08三\x1b")
    code, out, err = run(capsys, "import", source(site.root, text), "--out", "imported")
    assert code == 1 and not err
    assert "forms.txt:3: warning: U+007F DELETE at column 8 removed" in out and "[import-character]" in out
    assert "forms.txt:5: warning: U+0008 control character at column 6 removed, U+001B control character at " \
           "column 8 removed" in out
    written = _written(site)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", written.read_text(encoding="utf-8"))
    document = read_document(written)  # before, check stopped at “control characters are not allowed”
    assert document.data["title"] == "乡村道路养护专项资金" and document.data["contact"] == "张三"
    code, out, _ = run(capsys, "check", written)
    assert "yaml" not in out.lower()


def test_a_control_character_between_figures_never_joins_them(site: HostileSite, decoy: Decoy):
    """Word writes its manual line break as a vertical tab: removed, 100 and 10 would read 10010."""
    row = "产出指标 数量指标 道路长度 ≥100 100\x0b10 10"
    text = FORM + f"一级指标 二级指标 三级指标 年度指标值(A) 实际完成值(B) 分值 得分\n{row}\n"
    found = read_source(source(site.root, text), scheme())
    [indicator] = found.drafts[0].values["indicators"]
    assert [indicator[key] for key in ("name", "target", "actual", "weight", "score")] == \
        ["道路长度", "≥100", "100", "10", "10"]
    note = next(note for note in found.notes if note.code == "import-character")
    assert "U+000B control character at column 24 replaced by a space" in note.message


def test_line_separators_become_spaces_with_a_note_never_silently(capsys, site: HostileSite, decoy: Decoy):
    text = FORM.replace("联系人：张三", "联系人：张三\u2028李四\u2029王五\x85赵六")
    code, out, err = run(capsys, "import", source(site.root, text), "--out", "imported")
    assert code == 1 and not err
    note = next(line for line in out.splitlines() if "[import-character]" in line)
    assert note.startswith("forms.txt:5: warning: U+2028 LINE SEPARATOR at column 7 replaced by a space, U+2029 "
                           "PARAGRAPH SEPARATOR at column 10 replaced by a space, U+0085 NEXT LINE at column 13 "
                           "replaced by a space")
    written = _written(site)
    assert not {"\u2028", "\u2029", "\x85"} & set(written.read_text(encoding="utf-8"))
    assert read_document(written).data["contact"] == "张三 李四 王五 赵六"  # as imported, read back unchanged


def test_a_pdf_page_with_control_characters_is_reported_by_page(site: HostileSite, decoy: Decoy):
    """A font whose ToUnicode table maps B to DEL and C to BEL: the text layer says A, DEL, BEL, A."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Odd def "
            b"1 begincodespacerange <00> <FF> endcodespacerange 3 beginbfchar <41> <0041> <42> <007F> <43> <0007> "
            b"endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
    drawn = b"BT /F1 12 Tf 50 700 Td (ABCA) Tj ET\n"
    pdf = _pdf(site.root / "control.pdf", [CATALOG, b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", _stream([drawn]),
                                           font, _page(3), _stream([cmap])])
    found = read_source(pdf, scheme())
    note = next(note for note in found.notes if note.code == "import-character")
    assert note.path == "control.pdf:page 1" and "U+007F DELETE" in note.message and "U+0007" in note.message


# --- 5. digits of other scripts ----------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["٢٠٢٤", "２０２４", "۲۰۲۴", "२०२४"])
def test_a_year_in_other_digits_gives_a_valid_slug_and_an_ascii_year(capsys, site: HostileSite, decoy: Decoy,
                                                                      year):
    text = FORM.replace("2024年度", f"{year}年度").replace("乡村道路", "第٣期乡村道路")
    code, out, err = run(capsys, "import", source(site.root, text), "--out", "imported")
    assert code == 1 and not err
    written = _written(site)
    assert written.name == "di-3-qi-xiang-cun-dao-lu-yang-hu-zhuan-xiang-zi-jin-2024.md"
    assert check_slug(written.stem) is None and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", written.stem)
    assert read_document(written).data["year"] == "2024"
    _, out, _ = run(capsys, "check", written)
    assert "slug-invalid" not in out and "not a valid form identity" not in out


def test_figures_in_other_digits_are_written_in_ascii(site: HostileSite, decoy: Decoy):
    from generator.importing.draft import money_text, score_text
    from generator.importing.text import filled_on_text

    assert money_text("٨٤٥,٣٧١.٥٩") == "845371.59"
    assert score_text("٩٧.٠٩") == "97.09"
    assert filled_on_text("٢٠٢٥٠١٢٣") == "2025-01-23"


# --- 6. file names that break lines ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["evil\nname.txt", "evil\rname.txt", "evil\u2028name.txt", "evil\x1b[31mname.txt",
                                  "evil\x85---\nname.txt"])
def test_a_source_name_with_a_line_break_stays_in_the_comment(capsys, site: HostileSite, decoy: Decoy, name):
    path = source(site.root, name=name)
    code, out, err = run(capsys, "import", path, "--out", "imported")
    assert code == 1 and not err
    written = _written(site)
    lines = written.read_text(encoding="utf-8").split("\n")
    # The header comment, wrapped to the file's width: every line of it a comment, the name escaped in it.
    end = next(index for index, line in enumerate(lines[1:], start=1) if not line.startswith("# "))
    header = " ".join(line[2:] for line in lines[1:end])
    assert lines[0] == "---" and header.startswith("Imported by formgen import from evil\\")
    assert "What the source lacked is written as" in header
    assert lines[end].startswith("year: 2024")
    assert not {"\r", "\x1b", "\u2028", "\x85"} & set(written.read_text(encoding="utf-8"))
    assert read_document(written).data["year"] == "2024"  # before, the name's second half broke the YAML
    report = out.splitlines()[0]
    assert report.startswith("evil\\") and "\x1b" not in out and "\r" not in out


@pytest.mark.skipif(os.name != "posix", reason="file names that are not UTF-8 are a POSIX matter")
def test_a_source_name_that_is_not_utf8_is_escaped(capsys, site: HostileSite, decoy: Decoy):
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 on a UTF-8 system: a lone surrogate in Python
    source(site.root, name=name)
    code, out, err = run(capsys, "import", name, "--out", "imported")
    assert code == 1 and not err
    assert "caf\\udce9.txt:1: form 1" in out
    assert "caf\\udce9.txt" in _written(site).read_text(encoding="utf-8")


# --- and a long form reads in linear time -------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "lines"), [
    ("一级指标 二级指标 三级指标 年度指标值(A) 实际完成值(B) 分值 得分\n产出指标 数量指标 道路 1 1 1 1", 10_000),
    ("预期目标 实际完成情况", 30_000),
], ids=["reason", "goal"])
def test_a_long_form_reads_in_seconds(capsys, site: HostileSite, decoy: Decoy, zone, lines):
    """A reason or goal of thousands of lines: each line used to be compared with all after it (minutes).
    The bound is wide (a second or two here, on a loaded CI machine several): it tells linear from quadratic."""
    text = f"{TITLE}\n项目名称 测试\n{zone}\n" + "某某某某某某\n" * lines
    started = time.monotonic()
    code, out, err = run(capsys, "import", source(site.root, text), "--out", "imported", "--time-limit", 40)
    assert code == 1 and not err and "[import-too-slow]" not in out and "1 form imported" in out
    assert time.monotonic() - started < 40


def test_a_library_message_that_quotes_the_file_is_escaped(site: HostileSite, decoy: Decoy, monkeypatch):
    """A parser's error may quote the bytes it choked on: they reach the report escaped, never raw."""
    import generator.importing.text as text_reader

    def choke(*args, **kwargs):
        raise ValueError("bad token b'\x1b[2J'\nforged: ok")

    monkeypatch.setattr(text_reader, "read_text_forms", choke)
    [note] = read_source(source(site.root), scheme()).notes
    assert note.code == "import-unreadable" and "\x1b" not in note.message and "\n" not in note.message
    assert "bad token b'\\u001b[2J'\\u000aforged: ok" in note.message
