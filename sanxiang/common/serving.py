"""`sanxiang serve`'s process model: N waitress processes sharing one listening socket.

One Python process runs Python code on one core at a time (the GIL), so one waitress process
with many threads queues every request behind the others on a machine with several cores. The
parent binds the socket, then forks `workers` children (after Django is set up, so they share its
loaded code), each a waitress server with `threads` threads on that socket: the kernel hands each
new connection to whichever child accepts it first. The parent only supervises: a child that dies
is started again, SIGINT/SIGTERM stop them all.

Balance. Each waitress process accepts greedily, so the process that wakes first takes most of a
burst of new connections (8 keep-alive connections opened at once landed 6 and 2), and one core
then serves three quarters of the load. The children publish how many connections each holds in
a small array shared through the fork (`ConnectionBalance`); a child accepts only while it holds
no more than the least-loaded one, so the others wait in the kernel's backlog for that one.
Counts read a moment stale still let a burst land within a connection or two of even (wrk's 8 over
2 processes: 4/4 or 5/3); over many short connections the spread evens out by itself.

Why waitress children rather than gunicorn: waitress refuses a body over max_request_body_size
from its Content-Length, de-chunks chunked bodies (setting CONTENT_LENGTH, which Django needs to
read them at all) and spools large ones to disk before the app sees them — the request-size
protections of common.middleware rely on all three (tests in common/tests/test_serve_limits.py);
gunicorn has no body limit and passes chunked bodies without CONTENT_LENGTH.

Background work is not here: the job worker (`sanxiang worker`, huey) is one separate process,
so periodic jobs (checkpoints, witnesses, nightly checks) never run once per web process.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable

# A child that dies this soon after its start, this many times running, is failing at start-up
# (a broken setting, an import error): the parent gives up instead of forking it forever.
QUICK_DEATH_SECONDS = 5.0
QUICK_DEATHS_ALLOWED = 5


def default_workers() -> int:
    return os.cpu_count() or 1


def listening_socket(host: str, port: int, backlog: int = 1024) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


class ConnectionBalance:
    """Per-child connection counts in shared memory (made before the fork; no lock: each child
    writes only its own slot, and a count read a moment stale only costs a little balance)."""

    def __init__(self, workers: int):
        from multiprocessing.sharedctypes import RawArray

        self.counts = RawArray("l", workers)

    def attach(self, server, slot: int) -> None:
        """Make the waitress server of child `slot` accept only while it is among the least loaded.
        waitress asks `readable()` of its listening socket on every turn of its loop, so that is
        where the count is published and the decision taken."""
        counts, accepts = self.counts, server.readable
        counts[slot] = 0

        def readable() -> bool:
            mine = len(server._map)  # this process's channels (+ the same fixed few in every child)
            counts[slot] = mine
            return accepts() and mine <= min(counts)

        server.readable = readable


def _close_inherited_connections() -> None:
    # A database or cache connection opened before the fork (system checks, key checks) must not be
    # shared by several processes: each child opens its own on first use.
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()


def _run_child(run: Callable[[int], None], slot: int) -> None:
    """In the forked child: default signal handling (SIGTERM ends it), serve, never return."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    code = 0
    try:
        run(slot)
    except KeyboardInterrupt:
        pass
    except BaseException:  # noqa: BLE001 — reported, then the parent decides whether to restart
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def supervise(run: Callable[[int], None], workers: int, log: Callable[[str], None] = print) -> int:
    """Fork `workers` children running `run(slot)` and keep that many alive until SIGINT/SIGTERM.
    Returns the exit status for the command (0 on a requested stop)."""
    _close_inherited_connections()
    children: dict[int, tuple[int, float]] = {}  # pid -> (slot, started)
    stopping = False

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            _run_child(run, slot)
        children[pid] = (slot, time.monotonic())

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    quick_deaths, status = 0, 0
    try:
        for slot in range(workers):
            spawn(slot)
        while children:
            try:
                pid, wait_status = os.wait()
            except ChildProcessError:
                break
            if pid not in children:
                continue
            slot, started = children.pop(pid)
            if stopping:
                continue
            quick_deaths = quick_deaths + 1 if time.monotonic() - started < QUICK_DEATH_SECONDS else 0
            log(f"Web 进程 {pid} 退出（{os.waitstatus_to_exitcode(wait_status)}），重新启动")
            if quick_deaths >= QUICK_DEATHS_ALLOWED:
                log("Web 进程启动后立即退出，已连续多次：停止服务")
                status = 1
                stop(signal.SIGTERM, None)
                continue
            spawn(slot)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return status
