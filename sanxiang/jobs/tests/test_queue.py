"""The job queue for real: `sanxiang worker` consuming the SQLite queue under var/, and the Redis
queue (REDIS_URL) against a real redis-server this test starts on a free loopback port.

Each scenario runs the worker and a producer as separate processes on a throwaway var/ directory
(its own SQLite database, keys, checkpoint file and queue), the way `make demo` runs them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SANXIANG = [sys.executable, "-m", "sanxiang.manage"]


def _env(var: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SANXIANG_JOBS_IMMEDIATE"}}
    env.update(PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="config.settings", SANXIANG_VAR_DIR=str(var),
               SANXIANG_CHECKPOINT_EVERY="0", **extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run([*SANXIANG, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A var/ directory with a migrated SQLite database and a few ledger entries (made once)."""
    var = tmp_path_factory.mktemp("var")
    env = _env(var)
    _run(["migrate", "--noinput", "-v0"], env)
    _run(["setup_defaults"], env)
    return var


@pytest.fixture
def var(migrated, tmp_path) -> Path:
    copy = tmp_path / "var"
    shutil.copytree(migrated, copy)
    return copy


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen([*SANXIANG, "worker", "--workers", "1"], env=env, cwd=ROOT,
                                        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text()


def _produce_checkpoint(env: dict[str, str]) -> str:
    """Enqueue the checkpoint job from another process and wait for the worker's result."""
    code = ("from sanxiang.jobs.tasks import checkpoint_job, ping\n"
            "print(ping('x').get(blocking=True, timeout=60))\n"
            "print(checkpoint_job().get(blocking=True, timeout=60))\n")
    return _run(["shell", "--no-imports", "-c", code], env, timeout=120)


def _checkpoints(var: Path) -> list[int]:
    with sqlite3.connect(var / "sanxiang.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT tree_size FROM ledger_checkpoint ORDER BY tree_size")]


def _entries(var: Path) -> int:
    with sqlite3.connect(var / "sanxiang.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM ledger_entry").fetchone()[0]


def test_sqlite_consumer_runs_a_task_from_another_process(var, tmp_path):
    env = _env(var)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        out = _produce_checkpoint(env)
    finally:
        log = worker.stop()
    assert "SqliteStorage" in log, log
    assert out.split() == ["pong:x", str(_entries(var))]
    assert _checkpoints(var) == [_entries(var)] and (var / "jobs.sqlite3").exists()
    assert (var / "checkpoints" / "checkpoints.jsonl").read_text().count("\n") == 1


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server on a free loopback port, stopped afterwards. Skipped only outside CI
    when the binary is absent; in CI (CI=true) a missing redis-server fails the test."""
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if binary is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("redis-server is not installed (run scripts/ensure_system_packages.sh)")
        pytest.skip("redis-server is not installed (scripts/ensure_system_packages.sh installs it)")
    port = _free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_redis_consumer_runs_a_task_from_another_process(var, tmp_path, redis_url):
    (var / "jobs.sqlite3").unlink(missing_ok=True)
    env = _env(var, REDIS_URL=redis_url)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        out = _produce_checkpoint(env)
    finally:
        log = worker.stop()
    assert "RedisStorage" in log, log
    assert out.split() == ["pong:x", str(_entries(var))]
    assert _checkpoints(var) == [_entries(var)]
    # The SQLite queue was not used on this path.
    assert not (var / "jobs.sqlite3").exists()


def test_redis_queue_in_process(redis_url):
    """Enqueue, dequeue and execute through huey's Redis storage in this process."""
    from huey import RedisHuey

    huey = RedisHuey("sanxiang-test", url=redis_url)

    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())
    assert result.get() == 5 and huey.pending_count() == 0
