"""A preview server for authors: build the site into a private folder, serve it on this machine, rebuild on change.

`Preview` builds once with `build.build_site` into a temporary folder of its own (never the user's
output/), serves that folder over HTTP, and watches the content, the site's templates/ and
formgen.toml. On a change it builds again into the same folder, so the build can reuse what did not
change, and every open page reloads itself: HTML responses get a small script at serve time (the
files on disk stay exactly what `formgen build` writes) that listens to `/__formgen__/events`
(Server-Sent Events) and reloads when the build version changes.

A build that fails does not stop anything: every HTML page becomes an error page that lists each
finding with its file and line, until a save fixes it.

Why one module: it is the preview server, and its parts share one `Preview` whose version and failure, guarded by one
condition, the watcher thread writes and the request threads read. The error page (`Failure`, `error_page` and its
template, ~130 lines) and the request checks (`locate`, `accepted_hosts`, `host_accepted`) could move out as they are;
they stay because only the preview uses them, and its tests import them from here.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import socket
import socketserver
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jinja2

from . import i18n
from .build import PdfsFailed, build_site
from .config import TEMPLATES_FOLDER, load_config
from .errors import FormgenError, UsageError
from .findings import Finding, Level
from .i18n import N_, _, ngettext
from .render import html as render_html

__all__ = ["EVENTS_PATH", "IDLE_TIMEOUT_SECONDS", "VERSION_PATH", "Failure", "Preview", "accepted_hosts", "error_page",
           "host_accepted", "locate", "with_reload_script"]

EVENTS_PATH = "/__formgen__/events"
VERSION_PATH = "/__formgen__/version"
_RESERVED = "/__formgen__/"
KEEPALIVE_SECONDS = 15
"""A comment line on idle event streams: a closed page is noticed, and proxies do not time the stream out.
Sent at least twice per idle timeout, so that the stream itself is never an idle connection."""
IDLE_TIMEOUT_SECONDS = 30.0
"""A connection that sends nothing (no request, or half of one) for this long is closed: each holds a
thread, and a browser reconnects when it needs to."""
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_ANY_ADDRESS = ("", "0.0.0.0", "::")
WATCHER_RETRY_SECONDS = 0.5
WATCH_TICK_MS = 100
"""How often the watcher wakes without changes: to pay a build it owes (the first one, too)."""
RESCAN_SECONDS = 1.0
"""How often, without changes, the folders are listed again: one made just while the watcher was being
replaced has had no watch yet."""

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
}

# EventSource reconnects by itself (after `retry:` ms), so a restarted server, whose versions differ,
# also reloads the page. `loaded` is the version the page was served at: a build that finished between
# the response and the stream's first message still reloads it.
_RELOAD_SCRIPT = """<script>
(() => {{
  const loaded = "{version}";
  if (!window.EventSource) return;
  const events = new EventSource("{events}");
  events.onmessage = (event) => {{ if (event.data !== loaded) {{ events.close(); location.reload(); }} }};
}})();
</script>
"""

_ERROR_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="formgen">
<title>{{ heading }} · {{ preview }}</title>
<style>
body { margin: 0; color: #111; background: #f3f2ef; line-height: 1.6;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
header { background: #8c1c13; color: #fff; padding: .6rem 1.5rem; font-weight: 600; }
header a { color: #fff; text-decoration: none; }
main { padding: 1.5rem; max-width: 1000px; margin: 0 auto; }
h1 { font-size: 1.4rem; }
ol { padding-left: 1.4rem; }
li { background: #fff; border: 1px solid #ddd; margin: 0 0 .6rem; padding: .5rem .9rem; }
li.error { border-left: 4px solid #b00020; }
li.warning { border-left: 4px solid #e0c36a; }
li p { margin: .15rem 0; overflow-wrap: anywhere; }
li.error strong { color: #b00020; }
code { font-family: ui-monospace, "Noto Sans Mono CJK SC", monospace; }
.fix, .note { color: #555; }
</style>
</head>
<body>
<header><a href="/">{{ preview }}</a></header>
<main>
{% from "_finding.html" import item as finding_item %}
<h1>{{ heading }}</h1>
<p>{{ lead }}</p>
{% if findings %}
<ol class="findings">
{% for finding in findings %}
{% set where %}{% if finding.place %}<code class="where">{{ finding.place }}</code>{% endif %}
{%- if finding.field %} · {{ finding.field }}{% endif %}{% endset %}
{{ finding_item(finding, levels[finding.level.value], where) }}
{% endfor %}
</ol>
{% endif %}
<p class="note">{{ note }}</p>
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class Failure:
    """Why the last build made no site: what every HTML page shows until the next build succeeds."""

    summary: str
    """One line, as the terminal shows it."""
    findings: tuple[Finding, ...] = ()
    """What is wrong, each at its place: the content's findings, or the build's own failure as findings (a
    template that does not compile, a PDF not made, an unexpected error)."""
    content: bool = True
    """Whether the findings are the content's (the page counts them; the log lists them above the summary)."""


_LEVELS = {Level.ERROR.value: N_("error"), Level.WARNING.value: N_("warning"),
           Level.DISCREPANCY.value: N_("discrepancy")}
"""The word before each finding on the error page, by its level."""


def _failed(path: str, line: int, code: str, message: str, fix: str = "") -> Finding:
    """The build's own failure (not the content's) as a finding."""
    return Finding(path, line, Level.ERROR, code, "", "", message, fix)


def _failure(error: BaseException) -> Failure:
    findings = tuple(getattr(error, "findings", ()))  # BuildFailed and ConfigError carry them
    if findings:
        errors = sum(1 for finding in findings if finding.level is Level.ERROR)
        return Failure(ngettext("build failed: {count} error", "build failed: {count} errors", errors)
                       .format(count=errors), findings)
    if isinstance(error, FormgenError):
        failed = [_failed(path, 1, "pdf-failed", _("the PDF could not be made"), reason)
                  for path, reason in (error.failures if isinstance(error, PdfsFailed) else [])]
        return Failure(str(error), (*failed, _failed("", 0, "build-failed", str(error))), content=False)
    if isinstance(error, jinja2.TemplateSyntaxError):  # a site template that does not compile
        template = error.filename or error.name or "?"
        return Failure(_("template error at {where}: {message}").format(where=f"{template}:{error.lineno}",
                                                                         message=error.message),
                       (_failed(template, error.lineno, "template-error", error.message or ""),), content=False)
    return Failure(_("the build failed: {kind}: {message}").format(kind=type(error).__name__, message=error),
                   (_failed("", 0, "build-failed", f"{type(error).__name__}: {error}"),), content=False)


def error_page(failure: Failure | None, *, missing: str | None = None) -> str:
    """The page shown instead of the site while a build fails (or for a page that does not exist).

    Autoescaped like every page of the site: findings quote the authors' own text. In the language of the
    messages, which its lang attribute names (zh-CN, en)."""
    if failure is None:
        heading = _("Page not found")
        lead = (_("The site has no page {page}.").format(page=missing) if missing
                else _("The site has no such page."))
        note = _("This page reloads by itself once the file is there.")
        findings: tuple[Finding, ...] = ()
    else:
        findings = failure.findings
        errors = sum(1 for finding in findings if finding.level is Level.ERROR)
        warnings = len(findings) - errors
        heading = _("The build failed")
        if failure.content:
            counted = ngettext("{count} error", "{count} errors", errors).format(count=errors)
            if warnings:
                counted = _("{errors} and {warnings}").format(
                    errors=counted, warnings=ngettext("{count} warning", "{count} warnings", warnings)
                    .format(count=warnings))
            lead = _("The content has {counted}: the site could not be built. Fix each at the file and line shown "
                     "below.").format(counted=counted)
        else:
            lead = _("The site could not be built:")
        note = _("This page reloads by itself once you save the fix.")
    return _error_template().render(heading=heading, lead=lead, findings=findings, note=note,
                                    lang=i18n.language().replace("_", "-"), preview=_("formgen preview"),
                                    levels={level: _(word) for level, word in _LEVELS.items()})


_TEMPLATE: list[jinja2.Template] = []


def _error_template() -> jinja2.Template:
    # The site's Jinja environment (autoescape on), but only the default templates: the site's own may be
    # the very thing that is broken.
    if not _TEMPLATE:
        _TEMPLATE.append(render_html.environment(None).from_string(_ERROR_TEMPLATE))
    return _TEMPLATE[0]


def with_reload_script(html: bytes, version: str) -> bytes:
    """The page with the reload script before its last ``</body>`` (or at the end)."""
    script = _RELOAD_SCRIPT.format(version=version, events=EVENTS_PATH).encode()
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


def locate(root: Path, url_path: str) -> Path | None:
    """The file inside `root` that a URL path names, or None.

    Refused: any segment starting with ``.`` (``..``, ``.``, the output's own dotfiles), also when
    percent-encoded, backslashes and NUL; and, after resolving links, anything outside `root`. A folder
    gives its index.html; there are no listings."""
    text = urllib.parse.unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\x00" in text or "\\" in text:
        return None
    parts = [part for part in text.split("/") if part]
    if any(part.startswith(".") for part in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    if candidate.is_dir():
        candidate = candidate / "index.html"
    base = os.path.realpath(root)
    real = os.path.realpath(candidate)
    if not real.startswith(base + os.sep) or not os.path.isfile(real):
        return None
    return Path(real)


def accepted_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers a server bound to `host`:`port` answers: this machine's loopback names and the
    bound address, each with the port, and without it on port 80 (where browsers leave it out)."""
    names = {*_LOOPBACK_NAMES}
    if host not in _ANY_ADDRESS:
        names.add(f"[{host.lower()}]" if ":" in host else host.lower())
    return frozenset({f"{name}:{port}" for name in names} | (names if port == 80 else set()))


def host_accepted(value: str | None, accepted: frozenset[str], port: int, any_address: bool) -> bool:
    """Whether a request's Host header names this server. A page from another site that rebinds its own
    name to 127.0.0.1 (DNS rebinding) sends that name: refused, so it cannot read the unpublished drafts.
    Bound to every address (0.0.0.0, ::), any IP address is accepted too, never a name."""
    host = (value or "").strip().lower()
    if host in accepted:
        return True
    if not any_address:
        return False
    if host.endswith("]") or ":" not in host:
        name, given_port = host, "80"  # browsers leave the default port out
    else:
        name, _, given_port = host.rpartition(":")
    if given_port != str(port):
        return False
    try:
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _wants_html(url_path: str, accept: str) -> bool:
    last = url_path.rsplit("/", 1)[-1]
    return last == "" or last.endswith((".html", ".htm")) or "." not in last or "text/html" in accept


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], preview: Preview) -> None:
        self.preview = preview
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up in DNS (getfqdn) only to name itself: skipped, it can
        # take seconds on a machine without a resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])
        self.any_address = self.preview.host in _ANY_ADDRESS
        self.accepted_hosts = accepted_hosts(self.preview.host, self.server_port)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "formgen"

    def setup(self) -> None:
        self.timeout = self.server.preview.idle_timeout  # type: ignore[misc]  # the socket's timeout, set by StreamRequestHandler
        super().setup()

    def parse_request(self) -> bool:
        """The request line and headers, refused with 421 unless they name this server (every method and
        path, the event stream too); then the do_ method answers."""
        if not super().parse_request():
            return False
        target = urllib.parse.urlsplit(self.path) if not self.path.startswith("/") else None
        hosts: list[str | None] = [*(self.headers.get_all("Host") or [None])]  # type: ignore[list-item]  # two: each must name this server
        hosts += [target.netloc] if target is not None and target.netloc else []
        server = self.server
        if all(host_accepted(host, server.accepted_hosts, server.server_port, server.any_address) for host in hosts):
            return True
        self.close_connection = True
        text = "421 " + _("this preview answers only at {url} (or localhost): open that address").format(
            url=f"http://127.0.0.1:{server.server_port}/") + "\n"
        self._send(421, _TYPES[".txt"], text.encode(), body=self.command != "HEAD")
        return False

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build results, not one line per request

    def _send(self, status: int, content_type: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _respond(self, body: bool) -> None:
        preview = self.server.preview
        url_path = self.path.partition("?")[0].partition("#")[0]
        if not url_path.startswith("/"):  # the absolute form, GET http://host/path (a path of `//x` is no host)
            url_path = urllib.parse.urlsplit(url_path).path or "/"
        if url_path == EVENTS_PATH:
            if body:
                self._events(preview)
            else:
                self._send(200, "text/event-stream; charset=utf-8", b"", body)
            return
        version = preview.version
        if url_path == VERSION_PATH:
            state = {"version": version, "ok": preview.failure is None}
            self._send(200, "application/json", json.dumps(state).encode(), body)
            return
        html = _wants_html(url_path, self.headers.get("Accept", ""))
        failure = preview.failure
        if failure is not None and html and not url_path.startswith(_RESERVED):
            page = error_page(failure).encode()
            self._send(500, _TYPES[".html"], with_reload_script(page, version), body)
            return
        file = None
        if not url_path.startswith(_RESERVED):
            with contextlib.suppress(UnicodeDecodeError):  # %-escapes that are not UTF-8 name no file
                file = locate(preview.out, url_path)
        data = preview.read(file) if file is not None else None
        if file is None or data is None:
            if html:
                page = error_page(None, missing=url_path).encode()
                self._send(404, _TYPES[".html"], with_reload_script(page, version), body)
            else:
                self._send(404, _TYPES[".txt"], ("404 " + _("not found") + "\n").encode(), body)
            return
        content_type = _TYPES.get(file.suffix.lower(), "application/octet-stream")
        if content_type == _TYPES[".html"]:
            data = with_reload_script(data, version)
        self._send(200, content_type, data, body)

    def _events(self, preview: Preview) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        sent = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                version = preview.wait_for_version(sent, min(KEEPALIVE_SECONDS, preview.idle_timeout / 2))
                if version is None:
                    return  # stopping
                self.wfile.write(f"data: {version}\n\n".encode() if version != sent else b": keep-alive\n\n")
                self.wfile.flush()
                sent = version
        except OSError:
            return  # the page was closed


class Preview:
    """The preview of one site: start(), then `url` serves it, rebuilt on every change, until stop().

    `paths` are the content paths as `formgen build` takes them; `config` is the formgen.toml in force
    (it need not exist: then the defaults, until it is created); `site_root` holds templates/. Messages
    for the terminal go to `log`."""

    def __init__(self, paths: list[Path], *, config: Path | None, site_root: Path, host: str = "127.0.0.1",
                 port: int = 8000, pdf: bool = False, log: Callable[[str], None] = lambda text: None,
                 step_ms: int = 100, debounce_ms: int = 1600, idle_timeout: float = IDLE_TIMEOUT_SECONDS) -> None:
        if not 0 <= port <= 65535:
            raise UsageError(_("--port {port}: not a port number (0–65535; 0 picks a free one)").format(port=port))
        self.idle_timeout = idle_timeout
        self.paths, self.pdf, self.log = paths, pdf, log
        self.config = config
        self.site_root = site_root.resolve()
        self.templates = self.site_root / TEMPLATES_FOLDER
        self.host, self.port = host, port
        self.step_ms, self.debounce_ms = step_ms, debounce_ms
        self._watched_content = [path.resolve() for path in paths]
        self._config_file = config.resolve() if config is not None else None
        self._folder: Path | None = None
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._state = threading.Condition()
        self._boot = os.urandom(4).hex()  # a restarted server's versions differ: open pages reload
        self._builds = 0
        self._building = False
        self._failure: Failure | None = None
        self._watching: tuple[str, ...] = ()

    # -- the state the handlers read --------------------------------------------------------------

    @property
    def out(self) -> Path:
        """The private output folder (inside a temporary folder that stop() removes)."""
        if self._folder is None:
            raise RuntimeError("the preview is not started")
        return self._folder / "site"

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the preview is not started")
        host = self.host if self.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._server.server_port}/"

    @property
    def version(self) -> str:
        """Changes with every build, failed or not, and from one server to the next."""
        with self._state:
            return f"{self._boot}-{self._builds}"

    @property
    def failure(self) -> Failure | None:
        with self._state:
            return self._failure

    def wait_for_version(self, seen: str | None, timeout: float) -> str | None:
        """The version once it differs from `seen` (or after `timeout`); None when stopping."""
        with self._state:
            self._state.wait_for(lambda: self._stop.is_set() or f"{self._boot}-{self._builds}" != seen, timeout)
            return None if self._stop.is_set() else f"{self._boot}-{self._builds}"

    def read(self, file: Path) -> bytes | None:
        """A file of the output; during a build's swap of folders it may be gone for an instant: then
        after the build."""
        for _attempt in range(2):
            try:
                return file.read_bytes()
            except OSError:
                with self._state:
                    self._state.wait_for(lambda: not self._building or self._stop.is_set(), 30)
        return None

    # -- building -----------------------------------------------------------------------------------

    def build(self) -> None:
        """Build into the private folder; any failure becomes the error page, never an exception."""
        with self._state:
            self._building = True
        failure: Failure | None = None
        try:
            config = load_config(self.config)
            result = build_site(self.paths, config, self.out, site_templates=self.templates, pdf=self.pdf,
                                root=self.site_root)
        except Exception as error:  # bad content, a bad template, a bug: the server goes on and shows it
            failure = _failure(error)
            if not isinstance(error, FormgenError | jinja2.TemplateSyntaxError):
                self.log(traceback.format_exc().rstrip())
            self.log("\n".join([*map(str, failure.findings if failure.content else ()), time.strftime("%H:%M:%S ") + _(
                "formgen serve: {summary} — every page shows this until it is fixed").format(summary=failure.summary)]))
        else:
            for line in result.noted():
                self.log(line)
            self.log(f"{time.strftime('%H:%M:%S')} {result.summary()}")
        finally:
            with self._state:
                self._building = False
                self._builds += 1
                self._failure = failure
                self._state.notify_all()

    # -- watching -----------------------------------------------------------------------------------

    def _folders(self) -> tuple[str, ...]:
        """Every folder to watch, each without its subfolders: the content's folders and the folders that
        hold it (so a removed and re-created one is seen), the site's folder (formgen.toml, and templates/
        when it appears) and templates/ with its subfolders. Only folders, never files: editors save by
        replacing a file, which would end a watch on the file itself."""
        folders: set[Path] = {self.site_root}
        if self._config_file is not None:
            folders.add(self._config_file.parent)
        for root in [*self._watched_content, self.templates]:
            folders.add(root.parent)
            if root.is_dir():
                for folder, subfolders, _ in os.walk(root):
                    subfolders[:] = [name for name in subfolders if not name.startswith((".", "_"))]
                    folders.add(Path(folder))
        return tuple(sorted(str(folder) for folder in folders if folder.is_dir()))

    def _relevant(self, path: str) -> bool:
        """Whether a change at `path` can change the site (editors' backup and swap files cannot)."""
        path = os.path.normpath(path)
        name = os.path.basename(path)
        if self._config_file is not None and path == str(self._config_file):
            return True
        if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return False
        templates = str(self.templates)
        if path == templates or path.startswith(templates + os.sep):
            return True
        for root in map(str, self._watched_content):
            if path == root:
                return True
            if path.startswith(root + os.sep):
                inside = path[len(root) + 1:].split(os.sep)
                if any(part.startswith(("_", ".")) for part in inside):
                    return False  # formgen skips these (drafts)
                return path.endswith(".md") or os.path.isdir(path) or path in self._watching
        return False

    def _watch(self, watchfiles: Any) -> None:
        """Watch and build, until stop(). Every build happens with a watcher up, so that nothing saved
        while it runs goes unseen; the first one too."""
        owed = True  # a build is due as soon as a watcher is up: the first, or one after changes went unseen
        while not self._stop.is_set():
            try:
                self._watching = folders = self._folders()
                listed = time.monotonic()
                # With yield_on_timeout an empty batch comes every WATCH_TICK_MS: the watcher is up then.
                for changes in watchfiles.watch(*folders, watch_filter=lambda _, path: self._relevant(path),
                                                stop_event=self._stop, step=self.step_ms, debounce=self.debounce_ms,
                                                recursive=False, raise_interrupt=False, rust_timeout=WATCH_TICK_MS,
                                                yield_on_timeout=True, ignore_permission_denied=True):
                    shown = sorted({os.path.relpath(path) for _, path in changes})
                    if shown:
                        named = ", ".join(shown[:5])
                        self.log(_("changed: {files}").format(files=named) if len(shown) <= 5 else
                                 _("changed: {files} and {count} more").format(files=named, count=len(shown) - 5))
                    if changes or time.monotonic() - listed > RESCAN_SECONDS:
                        listed = time.monotonic()
                        if self._folders() != folders:  # a folder came or went: watch the new set, then build
                            owed = True
                            break
                    if changes or owed:
                        owed = False
                        self.build()  # what changes meanwhile, the watcher keeps for the next batch
            except Exception:  # the watcher must not take the server down: report, and watch again
                self.log(_("formgen serve: the file watcher failed, restarting it") + "\n"
                         + traceback.format_exc().rstrip())
                owed = True
                with self._state:
                    first = self._builds == 0
                if first:
                    self.build()  # no watcher yet, but start() waits for a site
                self._stop.wait(WATCHER_RETRY_SECONDS)

    # -- starting and stopping ---------------------------------------------------------------------

    def start(self) -> None:
        """Bind the port, start watching, build once, then serve; the threads run until stop(). Raises
        UsageError if the port cannot be had; a failing build does not raise (its pages show why)."""
        import watchfiles  # here, not at the top: its import would cost every other verb 40 ms

        if self._folder is not None:
            raise RuntimeError("the preview is already started")
        self._stop.clear()
        self._folder = Path(tempfile.mkdtemp(prefix="formgen-serve-"))
        try:
            server_class = _Server6 if ":" in self.host else _Server
            try:
                self._server = server_class((self.host, self.port), self)
            except OSError as error:
                raise UsageError(_("cannot serve on {host}:{port}: {reason}; choose another --port (0 picks a free "
                                   "one) or --host").format(host=self.host, port=self.port,
                                                            reason=error.strerror or error)) from None
            self.log(_("building…"))
            watcher = threading.Thread(target=self._watch, args=(watchfiles,), name="formgen-serve-watch", daemon=True)
            self._threads.append(watcher)
            watcher.start()
            with self._state:  # the first build, made by the watcher
                while not self._state.wait_for(lambda: self._builds > 0 or self._stop.is_set(), 0.5):
                    pass  # in steps, so that Ctrl-C is not held up by the wait
            server = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name="formgen-serve-http", daemon=True)
            self._threads.append(server)
            server.start()
        except BaseException:
            self.stop()
            raise

    def wait(self) -> None:
        """Block until stop() (from another thread); Ctrl-C raises KeyboardInterrupt here."""
        while not self._stop.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop serving and watching, end the event streams, and remove the private folder. Idempotent."""
        self._stop.set()
        with self._state:
            self._state.notify_all()  # event streams and waiting reads return
        if self._server is not None:
            if any(thread.name == "formgen-serve-http" for thread in self._threads):
                self._server.shutdown()  # waits for serve_forever: only once it runs
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
            if thread.is_alive():  # a build (with PDFs, it can be long): removing its folder under it would not work
                self.log(_("formgen serve: waiting for the build to finish (Ctrl-C again to leave now)…"))
                thread.join()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._server, self._threads, self._folder = None, [], None

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
