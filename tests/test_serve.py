"""formgen serve against a real server on this machine: pages, rebuilds, the error page, reloads, traversal."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import generator.serve
from generator.build import PdfsFailed
from generator.findings import Finding, Level
from generator.serve import EVENTS_PATH, VERSION_PATH, Failure, Preview, error_page

from .conftest import CONTENT, ROOT
from .serving import serve_process

FORM = "judicial-aid-one-case"
OTHER = "central-equipment"
TOTAL_ROW = "total:    {initial: 0, budget: 70000, executed: 70000}"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two published forms and formgen.toml, with the site as the working folder, as an author has it."""
    (tmp_path / "content" / "2024").mkdir(parents=True)
    for slug in (FORM, OTHER):
        shutil.copy(CONTENT / "2024" / f"{slug}.md", tmp_path / "content" / "2024")
    shutil.copy(ROOT / "formgen.toml", tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def logs() -> list[str]:
    """What the preview told the terminal."""
    return []


@pytest.fixture
def preview(site: Path, logs: list[str]) -> Iterator[Preview]:
    server = Preview([Path("content")], config=site / "formgen.toml", site_root=site, port=0, log=logs.append,
                     step_ms=50)
    server.start()
    folder = server.out.parent
    try:
        yield server
    finally:
        server.stop()
    assert not folder.exists(), "stop() removes the private output folder"


def get(preview: Preview, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(preview.url.rstrip("/") + path, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def raw_status(preview: Preview, path: str) -> int:
    """The status for a path sent exactly as written (urllib would not send some of these)."""
    address = urlsplit(preview.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def version(preview: Preview) -> str:
    status, text = get(preview, VERSION_PATH)
    assert status == 200
    return json.loads(text)["version"]


def until(condition: Callable[[], object], what: str, timeout: float = 6) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_serves_the_site_shows_errors_with_file_and_line_and_recovers(preview: Preview, site: Path):
    status, index = get(preview, "/")
    assert status == 200 and "平塘县人民法院" in index and "中央政法转移支付办案业务费" in index
    status, page = get(preview, f"/forms/{FORM}.html")
    assert status == 200 and "司法救助" in page and "项目名称" in page
    assert EVENTS_PATH in page, "HTML responses carry the reload script"
    assert EVENTS_PATH not in (preview.out / "forms" / f"{FORM}.html").read_text(encoding="utf-8"), \
        "the script is added when serving, never written to the output"
    status, css = get(preview, "/assets/formgen.css")
    assert status == 200 and EVENTS_PATH not in css
    first = version(preview)

    path = site / "content" / "2024" / f"{FORM}.md"
    good = path.read_text(encoding="utf-8")
    line = good.splitlines().index(next(row for row in good.splitlines() if TOTAL_ROW in row)) + 1
    path.write_text(good.replace(TOTAL_ROW, TOTAL_ROW.replace("executed: 70000", "executed: 90000")), encoding="utf-8")
    until(lambda: get(preview, f"/forms/{FORM}.html")[0] == 500, "the error page")
    status, page = get(preview, f"/forms/{FORM}.html")
    assert f"{FORM}.md:{line}" in page and "The build failed" in page
    assert "全年执行数 90,000 is above 全年预算数 70,000" in page
    assert EVENTS_PATH in page, "the error page reloads itself too"
    assert get(preview, "/")[0] == 500, "every HTML page shows the error"
    broken = version(preview)
    assert broken != first
    assert json.loads(get(preview, VERSION_PATH)[1])["ok"] is False

    path.write_text(good, encoding="utf-8")
    until(lambda: get(preview, f"/forms/{FORM}.html")[0] == 200, "the site to come back")
    assert "司法救助" in get(preview, f"/forms/{FORM}.html")[1]
    assert version(preview) not in (first, broken)


def test_broken_yaml_in_a_new_folder_is_shown_then_the_site_comes_back(preview: Preview, site: Path):
    (site / "content" / "2025").mkdir()
    bad = site / "content" / "2025" / "broken.md"
    bad.write_text("---\nyear: 2025\ntitle: [未闭合\n---\n", encoding="utf-8")
    until(lambda: "broken.md:" in get(preview, "/")[1], "the YAML error")
    status, page = get(preview, "/")
    assert status == 500 and re.search(r"content/2025/broken\.md:\d+</code>", page)
    bad.unlink()
    until(lambda: get(preview, "/")[0] == 200, "the site to come back")


def test_template_and_config_changes_rebuild(preview: Preview, site: Path):
    before = version(preview)
    config = site / "formgen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('title = "平塘县人民法院 项目支出绩效自评表"',
                                                                 'title = "改过的站点标题"'), encoding="utf-8")
    until(lambda: "改过的站点标题" in get(preview, "/")[1], "the new title from formgen.toml")
    (site / "templates").mkdir()
    (site / "templates" / "site.html").write_text(
        '{% extends "base.html" %}{% block footer %}<p>本单位页脚</p>{% endblock %}', encoding="utf-8")
    until(lambda: "本单位页脚" in get(preview, "/")[1], "the site's own template")
    (site / "templates" / "site.html").write_text('{% extends "base.html" %}{% block footer %}', encoding="utf-8")
    until(lambda: get(preview, "/")[0] == 500, "the template error")
    assert "site.html" in get(preview, "/")[1]
    assert version(preview) != before


def test_event_stream_sends_the_new_version_after_a_change(preview: Preview, site: Path):
    address = urlsplit(preview.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.request("GET", EVENTS_PATH)
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")

        def next_version() -> str:
            while True:
                line = response.fp.readline().decode()
                if line.startswith("data: "):
                    return line.removeprefix("data: ").strip()

        assert next_version() == version(preview)
        form = site / "content" / "2024" / f"{OTHER}.md"
        form.write_text(form.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
        changed = next_version()
        assert changed != "" and changed == version(preview)
    finally:
        connection.close()


def test_only_files_inside_the_output_are_served(preview: Preview):
    secret = preview.out.parent / "secret.txt"  # beside the output folder: one `..` away
    secret.write_text("secret", encoding="utf-8")
    (preview.out / "link.txt").symlink_to(secret)
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/forms/..%2f..%2fsecret.txt",
                 "/forms/%2e%2e/%2e%2e/secret.txt", "/..\\secret.txt", "/link.txt", "/.formgen-output",
                 "/%00", "/%ff", "/forms/", "/__formgen__/other", "//etc/passwd", "//secret.txt",
                 "http://example.org/../secret.txt"):
        assert raw_status(preview, path) in (403, 404, 421), path  # 421: the absolute form names another host
    assert raw_status(preview, "/data/forms.json") == 200
    assert raw_status(preview, "//data/forms.json") == 200, "empty segments are skipped, not read as a host"


def test_a_crash_in_the_build_or_the_watcher_does_not_stop_the_server(preview: Preview, site: Path, logs: list[str],
                                                                      monkeypatch: pytest.MonkeyPatch):
    form = site / "content" / "2024" / f"{OTHER}.md"
    text = form.read_text(encoding="utf-8")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("无法构建 <b>boom</b>")

    with monkeypatch.context() as patch:
        patch.setattr(generator.serve, "build_site", explode)
        form.write_text(text + "\n一\n", encoding="utf-8")
        until(lambda: get(preview, "/")[0] == 500, "the error page")
        page = get(preview, "/")[1]
        assert "RuntimeError: 无法构建 &lt;b&gt;boom&lt;/b&gt;" in page and "<b>boom" not in page

    failed = threading.Event()

    def broken_filter(path: str) -> bool:
        failed.set()
        raise OSError("the watcher broke")

    with monkeypatch.context() as patch:
        patch.setattr(preview, "_relevant", broken_filter)
        form.write_text(text + "\n二\n", encoding="utf-8")
        until(failed.is_set, "the watcher to fail")
    until(lambda: any("the file watcher failed" in line for line in logs), "the failure to be logged")
    assert get(preview, "/assets/formgen.css")[0] == 200, "the server still answers"
    form.write_text(text, encoding="utf-8")
    until(lambda: get(preview, "/")[0] == 200, "the restarted watcher to rebuild")


@pytest.mark.chinese
def test_error_page_escapes_what_findings_quote():
    finding = Finding("content/2024/x.md", 7, Level.ERROR, "some-code", "title", "项目名称",
                      "the text says <script>alert(1)</script>", "write <b>it</b> again")
    page = error_page(Failure("build failed: 1 errors", (finding,)))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "content/2024/x.md:7" in page and "1 个错误" in page and 'lang="zh-CN"' in page


def test_the_command_serves_and_stops_cleanly_on_ctrl_c(site: Path):
    with serve_process(site) as (process, lines):
        url = re.search(r"http://\S+", lines[-1]).group(0)  # type: ignore[union-attr]
        folder = Path(re.search(r"→ (\S+)", "".join(lines)).group(1))  # type: ignore[union-attr]
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200
        assert folder.is_dir()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 130, output  # interrupted, as every command is by Ctrl-C
    assert "stopped" in output and "Traceback" not in output
    assert output.rstrip().splitlines()[-1] == "formgen: interrupted"
    assert not folder.exists() and not folder.parent.exists()


def test_error_page_shows_a_failure_of_the_build_as_findings_at_their_place():
    # Not the content's: each PDF not made at its form file, and what the build says, as findings.
    page = error_page(generator.serve._failure(PdfsFailed([("content/2024/x.md", "WeasyPrint ran out of time")])))
    assert "The site could not be built" in page and "The content has" not in page
    assert '<code class="where">content/2024/x.md:1</code>' in page
    assert "the PDF could not be made" in page and "WeasyPrint ran out of time" in page
    assert "1 PDF could not be made" in page and "<pre>" not in page
