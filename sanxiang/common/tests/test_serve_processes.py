"""`sanxiang serve --workers N`: N waitress processes on one socket (common.serving); a dead one
is replaced, SIGTERM stops them all, and requests are answered by more than one process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow  # a migrated database and three server processes: ~1 min


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(x) for x in out.split()}


def _wait(predicate, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANXIANG_", "DJANGO_", "DATABASE_URL"))}
    env.update({"PYTHONPATH": str(ROOT), "SANXIANG_VAR_DIR": str(tmp_path_factory.mktemp("serve") / "var"),
                "DJANGO_SETTINGS_MODULE": "config.settings"})
    subprocess.run([sys.executable, "-m", "sanxiang.manage", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    return env


@pytest.fixture
def served(env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sanxiang.manage", "serve", "--port", str(port),
                             "--workers", "3", "--threads", "2"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: len(_children(proc.pid)) == 3, 60)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _get(port: int, path: str = "/") -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
        return answer.status


def test_three_processes_serve_one_port_and_a_dead_one_is_replaced(served):
    proc, port = served
    first = _children(proc.pid)
    assert _get(port) == 200
    victim = sorted(first)[0]
    os.kill(victim, signal.SIGKILL)
    # The parent notices and forks a new one; the port keeps answering meanwhile.
    after = _wait(lambda: (c := _children(proc.pid)) and len(c) == 3 and victim not in c and c)
    assert len(after - first) == 1
    assert all(_get(port, "/decisions/") == 200 for _ in range(5))


def test_sigterm_stops_every_process(served):
    proc, _port = served
    children = _children(proc.pid)
    proc.terminate()
    assert proc.wait(timeout=20) == 0
    for pid in children:
        _wait(lambda pid=pid: not os.path.exists(f"/proc/{pid}") or
              open(f"/proc/{pid}/stat").read().split()[2] == "Z", 10)
    assert "3 个进程 × 2 个线程" in proc.stdout.read().decode()


def _connections_per_process(port: int) -> list[int]:
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], capture_output=True,
                         text=True).stdout
    counts: dict[str, int] = {}
    for line in out.splitlines():
        for pid in re.findall(r"pid=(\d+)", line):
            counts[pid] = counts.get(pid, 0) + 1
    return sorted(counts.values())


def test_keep_alive_connections_opened_at_once_are_spread_over_the_processes(served):
    # Six connections wait in the backlog while one process runs first: without the balance it
    # accepted all six (the one that wakes first takes a burst: 6 of wrk's 8 landed on one of 2).
    proc, port = served
    children = sorted(_children(proc.pid))
    for pid in children:
        os.kill(pid, signal.SIGSTOP)
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(6)]
    try:
        os.kill(children[0], signal.SIGCONT)
        time.sleep(1.0)
        for pid in children[1:]:
            os.kill(pid, signal.SIGCONT)
        for sock in sockets:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for sock in sockets:
            assert sock.recv(12).startswith(b"HTTP/1.1 200")
        assert _wait(lambda: _connections_per_process(port) == [2, 2, 2] or None, 10)
    finally:
        for pid in children:
            os.kill(pid, signal.SIGCONT)
        for sock in sockets:
            sock.close()
