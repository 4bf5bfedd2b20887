"""formgen serve against a hostile browser: a page from another site that rebinds its name to 127.0.0.1
(DNS rebinding) must not read the drafts, and a client that connects and sends nothing must not hold a
thread for ever. A real server on 127.0.0.1, spoken to with raw sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.serve import EVENTS_PATH, VERSION_PATH, Preview, accepted_hosts, host_accepted

from .conftest import FORMS, SECRET, Decoy, HostileSite

IDLE = 1.0
"""The idle timeout of these tests' servers, in seconds (30 by default): short, so that they run fast."""


@pytest.fixture
def preview(site: HostileSite, decoy: Decoy) -> Iterator[Preview]:
    server = Preview([Path("content")], config=site.root / "formgen.toml", site_root=site.root, port=0,
                     step_ms=50, idle_timeout=IDLE)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def port(preview: Preview) -> int:
    return int(preview.url.rstrip("/").rsplit(":", 1)[1])


def exchange(preview: Preview, request: str) -> tuple[int, bytes]:
    """Send `request` as written, read the whole answer (the server closes after it): status and body."""
    with socket.create_connection(("127.0.0.1", port(preview)), timeout=5) as connection:
        connection.sendall(request.encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def request(method: str, path: str, host: str | None) -> str:
    return f"{method} {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "") \
        + "Connection: close\r\n\r\n"


def test_only_the_bound_address_is_answered_whatever_the_path(preview: Preview, decoy: Decoy):
    bound = port(preview)
    paths = ["/", "/index.html", f"/forms/{FORMS[0]}.html", "/data/forms.json", VERSION_PATH, "/no-such-page",
             EVENTS_PATH]
    for host in (f"evil.example:{bound}", "evil.example", f"127.0.0.1.evil.example:{bound}", f"localhost:{bound + 1}",
                 "127.0.0.1", f"10.0.0.1:{bound}", "", None):
        for path in paths:
            for method in ("GET", "HEAD"):
                status, body = exchange(preview, request(method, path, host))
                assert status == 421, (host, path, method)
                assert "中央" not in body.decode() and SECRET not in body.decode()
                if method == "GET":
                    assert f"http://127.0.0.1:{bound}/" in body.decode(), "the refusal says where to go"
    status, _ = exchange(preview, request("GET", "http://evil.example/", f"127.0.0.1:{bound}"))
    assert status == 421, "an absolute request names its host too"
    status, _ = exchange(preview, request("GET", "/", f"127.0.0.1:{bound}\r\nHost: evil.example"))
    assert status == 421, "a second Host header is a host too"
    for host in (f"127.0.0.1:{bound}", f"localhost:{bound}", f"LocalHost:{bound}", f"[::1]:{bound}"):
        status, body = exchange(preview, request("GET", "/", host))
        assert status == 200 and "项目支出绩效自评表" in body.decode(), host
        assert SECRET not in body.decode()
    status, body = exchange(preview, request("GET", VERSION_PATH, f"localhost:{bound}"))
    assert status == 200 and b'"version"' in body


def test_hosts_without_the_port_only_on_port_80_and_addresses_only_when_bound_to_all():
    on_80 = accepted_hosts("127.0.0.1", 80)
    assert all(host_accepted(host, on_80, 80, False) for host in ("127.0.0.1", "localhost", "[::1]", "localhost:80"))
    on_8000 = accepted_hosts("127.0.0.1", 8000)
    assert not host_accepted("localhost", on_8000, 8000, False), "a browser sends the port unless it is 80"
    everywhere = accepted_hosts("0.0.0.0", 8000)
    assert host_accepted("192.168.1.20:8000", everywhere, 8000, True), "other machines use the address"
    assert host_accepted("[fe80::1]:8000", everywhere, 8000, True)
    for name in ("evil.example:8000", "192.168.1.20:8001", "192.168.1.20", "localhost.:8000"):
        assert not host_accepted(name, everywhere, 8000, True), name
    bound = accepted_hosts("192.168.1.20", 8000)
    assert host_accepted("192.168.1.20:8000", bound, 8000, False)
    assert host_accepted("localhost:8000", bound, 8000, False)
    assert not host_accepted("192.168.1.21:8000", bound, 8000, False)


def closed_after(connection: socket.socket) -> float:
    """Seconds until the server closes `connection` (reading whatever it sends meanwhile)."""
    started = time.monotonic()
    connection.settimeout(IDLE * 5)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        pytest.fail(f"the server kept an idle connection for {IDLE * 5:g} s")
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_idle_and_half_sent_requests_are_closed_within_the_timeout(preview: Preview, decoy: Decoy):
    with socket.create_connection(("127.0.0.1", port(preview)), timeout=5) as silent:
        assert closed_after(silent) < IDLE * 3
    with socket.create_connection(("127.0.0.1", port(preview)), timeout=5) as slow:
        slow.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port(preview)}\r\n".encode())  # no blank line: never ends
        assert closed_after(slow) < IDLE * 3
    status, _ = exchange(preview, request("GET", "/", f"127.0.0.1:{port(preview)}"))
    assert status == 200, "the server still answers"


def test_the_event_stream_outlives_the_idle_timeout(preview: Preview, decoy: Decoy):
    with socket.create_connection(("127.0.0.1", port(preview)), timeout=IDLE * 3) as stream:
        stream.sendall(request("GET", EVENTS_PATH, f"127.0.0.1:{port(preview)}").encode())
        received = b""
        deadline = time.monotonic() + IDLE * 3
        while time.monotonic() < deadline:
            chunk = stream.recv(4096)
            assert chunk, "the server closed the event stream"
            received += chunk
        assert received.startswith(b"HTTP/1.0 200") and b"data: " in received
        assert received.count(b": keep-alive") >= 3, "comments at least twice per timeout keep it alive"
