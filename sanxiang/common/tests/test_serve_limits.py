"""The finding end to end: `sanxiang serve` (waitress) on loopback, an anonymous POST to
/api/auth/token/ announcing 4 GiB. Before: 1 GiB spooled to disk in 1.6 s. Now: refused from the
header, nothing received, the connection closed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANXIANG_", "DJANGO_"))}
    env.update({"PYTHONPATH": str(ROOT), "SANXIANG_VAR_DIR": str(tmp_path / "var"),
                "DJANGO_SETTINGS_MODULE": "config.settings"})
    proc = subprocess.Popen([sys.executable, "-m", "sanxiang.manage", "serve", "--port", str(port), "--threads", "2"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode()) from None
            time.sleep(0.2)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _request(port: int, head: str, body: bytes = b"", *, send_body_for: float = 0.0) -> tuple[bytes, float]:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        if body:
            sock.sendall(body)
        elif send_body_for:
            # Keep pushing body bytes as an attacker would, until the server answers or closes.
            sock.setblocking(False)
            block = b"\0" * 65536
            end = time.monotonic() + send_body_for
            while time.monotonic() < end:
                try:
                    sock.send(block)
                except BlockingIOError:
                    time.sleep(0.01)
                except OSError:
                    break
                try:
                    if sock.recv(1, socket.MSG_PEEK):
                        break
                except BlockingIOError:
                    pass
                except OSError:
                    break
            sock.setblocking(True)
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks), time.monotonic() - started


def test_4_gib_content_length_is_refused_by_waitress_before_the_body(server):
    port = server
    head = ("POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 4294967296\r\n\r\n")
    # Waitress with the old 1 TiB cap answered nothing until the whole body had arrived (spooling
    # it to an unlinked temporary file); with the largest cap it answers 413 from the header.
    answer, elapsed = _request(port, head, send_body_for=2.0)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert elapsed < 5


def test_body_over_the_json_cap_gets_the_json_413_from_the_app(server):
    port = server
    body = b'{"username": "' + b"a" * (2 << 20) + b'"}'
    head = (f"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    answer, _elapsed = _request(port, head, body)
    status, _, rest = answer.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413"), answer[:300]
    body = rest.split(b"\r\n\r\n", 1)[1]
    payload = json.loads(body[body.index(b"{"):body.rindex(b"}") + 1])  # one chunk of a chunked body
    assert payload["error"]["code"] == "request_too_large" and payload["error"]["rule"] == "REQUEST_MAX_BYTES_JSON"


def test_chunked_body_over_the_largest_cap_is_refused_on_the_bytes_received(server):
    # No Content-Length: waitress counts the de-chunked bytes against max_request_body_size.
    port = server
    head = ("POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    block = b"\0" * (1 << 20)
    chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode())
        answer = b""
        try:
            for _ in range(64):  # up to 64 MiB, well over the 33 MiB cap
                sock.sendall(chunk)
        except OSError:
            pass  # the server closed the connection after its answer
        try:
            while data := sock.recv(65536):
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 20


def test_django_reads_no_body_without_content_length():
    # The other half of the argument in RequestSizeLimitMiddleware: under any WSGI server that
    # passes a chunked body without CONTENT_LENGTH, Django's request body is empty, not unbounded.
    import io

    from django.core.handlers.wsgi import WSGIRequest

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/auth/token/", "wsgi.input": io.BytesIO(b"x" * (8 << 20)),
               "HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_TYPE": "application/json", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    assert WSGIRequest(environ).body == b""
