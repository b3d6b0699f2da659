"""Evidence upload benchmark: a 2 GB file over HTTP to the running app, beside `sha256sum`.

    .venv/bin/python bench/upload.py [--size-mb 2048] [--chunk-mb 32] [--threads 8] [--keep]
    scripts/with_s3.sh .venv/bin/python bench/upload.py      # the same against S3 (moto_server)

1. writes a file of random-looking bytes under /tmp (a 1 MiB block of os.urandom, with a counter
   in each copy so no two MiB are equal) starting with an MP4 header, so it passes as a video;
2. times `sha256sum` on it (the baseline: read + hash, from the page cache like the upload);
3. starts `sanxiang serve` (waitress) on a free port with a throwaway SQLite database and var/
   directory (migrated, with an agency, officers and a case), and samples the server's resident
   memory (/proc/<pid>/status VmRSS) every 20 ms;
4. logs in (POST /api/auth/token/) and uploads the file through the chunked API with http.client,
   streaming each chunk from the file in 1 MiB pieces, until the evidence is recorded;
5. prints the upload rate beside the sha256sum rate, their ratio, the server's peak memory, and
   checks that the server's SHA-256 equals sha256sum's. The file and the work directory are deleted.

Targets (the issue): upload >= 0.7x the sha256sum rate; server memory under 150 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.7
TARGET_RSS_MB = 150
MIB = 1 << 20
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Sanxiang evidence upload benchmark")
    parser.add_argument("--size-mb", type=int, default=2048, help="file size in MiB (default 2048 = 2 GiB)")
    parser.add_argument("--chunk-mb", type=int, default=32, help="chunk size in MiB (the size the API suggests)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (not the big file)")
    args = parser.parse_args(argv)
    if args.size_mb < 1 or args.chunk_mb < 1:
        parser.error("sizes must be >= 1")
    return args


def make_file(path: Path, size: int) -> float:
    base = bytearray(os.urandom(MIB))
    started = time.perf_counter()
    with open(path, "wb") as handle:
        for i in range(0, (size + MIB - 1) // MIB):
            base[:8] = i.to_bytes(8, "big")
            block = bytes(MP4_HEAD) + base[len(MP4_HEAD):] if i == 0 else base
            handle.write(block[:min(MIB, size - i * MIB)])
    return time.perf_counter() - started


def sha256sum(path: Path) -> tuple[str, float]:
    started = time.perf_counter()
    out = subprocess.run(["sha256sum", str(path)], check=True, capture_output=True, text=True).stdout
    return out.split()[0], time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(workdir: Path) -> dict:
    """Migrate a throwaway database and create an agency, officers and a case; returns names."""
    from bench.env import configure

    configure(workdir)
    from django.utils import timezone

    from sanxiang.cases.services import case_open
    from sanxiang.testing import build_world, citizen_party

    world = build_world()
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾（上传基准）",
                     officers=[world.alice_officer, world.bob_officer], opened_on=timezone.localdate())
    try:
        from django.urls import reverse

        reverse("api-evidence-uploads")
        urlconf = None
    except Exception:  # noqa: BLE001 — routes not wired into config/api_urls.py yet
        urlconf = "sanxiang.records.tests.urls"
    return {"case": case.pk, "username": "alice", "password": "pass12345", "urlconf": urlconf}


class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.running = True

    @staticmethod
    def read(pid: int, field: str) -> int:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def run(self) -> None:
        while self.running:
            try:
                self.peak_kb = max(self.peak_kb, self.read(self.pid, "VmRSS"))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(self.interval)


def start_server(workdir: Path, port: int, threads: int, urlconf: str | None) -> subprocess.Popen:
    env = dict(os.environ)
    if urlconf:
        # The evidence routes are not in config/urls.py yet: serve them through a settings module
        # that only swaps the URL configuration.
        (workdir / "bench_upload_settings.py").write_text(
            f"from config.settings import *  # noqa: F403\nROOT_URLCONF = {urlconf!r}\n")
        env["DJANGO_SETTINGS_MODULE"] = "bench_upload_settings"
        env["PYTHONPATH"] = os.pathsep.join([str(workdir), str(ROOT), env.get("PYTHONPATH", "")])
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "sanxiang"), "serve", "--port", str(port),
                               "--threads", str(threads)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(workdir / "server.log", "wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {(workdir / 'server.log').read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start within 60 s")


def call(conn: http.client.HTTPConnection, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else {}


def upload(port: int, info: dict, path: Path, size: int, chunk: int) -> tuple[dict, float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.connect()
    # As curl and browsers do: no Nagle delay on the last small segment of each chunk.
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    status, body = call(conn, "POST", "/api/auth/token/",
                        json.dumps({"username": info["username"], "password": info["password"]}),
                        {"Content-Type": "application/json"})
    assert status == 200, body
    auth = {"Authorization": f"Token {body['token']}"}
    started = time.perf_counter()
    status, session = call(conn, "POST", "/api/evidence/uploads/", json.dumps(
        {"case": info["case"], "filename": "DSJ-0042_20261120_093000.mp4", "size": size, "kind": "video",
         "content_type": "video/mp4", "device_no": "DSJ-0042", "description": "上传基准"}),
        {"Content-Type": "application/json", **auth})
    assert status == 201, session
    buffer = bytearray(MIB)
    view = memoryview(buffer)
    offset = 0
    with open(path, "rb", buffering=0) as handle:
        while True:
            length = min(chunk, size - offset)
            conn.putrequest("PATCH", session["url"])
            for name, value in {**auth, "Upload-Offset": str(offset), "Content-Length": str(length),
                                "Content-Type": "application/offset+octet-stream"}.items():
                conn.putheader(name, value)
            conn.endheaders()
            handle.seek(offset)
            chunk_started = time.perf_counter()
            sent = 0
            while sent < length:
                n = handle.readinto(view[:min(MIB, length - sent)])
                conn.send(view[:n])
                sent += n
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status not in (200, 201):
                raise SystemExit(f"chunk at {offset} refused: {response.status} {body}")
            offset = body["offset"]
            if body["status"] == "complete":
                now = time.perf_counter()
                return body, now - started, now - chunk_started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    size, chunk = args.size_mb * MIB, args.chunk_mb * MIB
    workdir = Path(tempfile.mkdtemp(prefix="sanxiang-bench-upload-"))
    big = Path(tempfile.mkstemp(prefix="sanxiang-bench-", suffix=".mp4", dir="/tmp")[1])
    server = None
    try:
        seconds = make_file(big, size)
        print(f"file: {size / 1e6:,.0f} MB in /tmp, written in {seconds:.1f} s", flush=True)
        expected, sum_seconds = sha256sum(big)
        sum_rate = size / 1e6 / sum_seconds
        print(f"sha256sum: {sum_seconds:.2f} s = {sum_rate:,.0f} MB/s", flush=True)
        info = prepare_database(workdir)
        port = free_port()
        server = start_server(workdir, port, args.threads, info["urlconf"])
        time.sleep(0.5)
        baseline_kb = RssSampler.read(server.pid, "VmRSS")
        sampler = RssSampler(server.pid)
        sampler.start()
        storage = os.environ.get("STORAGE_URL", "").split("?")[0] or "local directory"
        print(f"server: sanxiang serve (waitress, {args.threads} threads) pid {server.pid}, storage {storage}, "
              f"RSS before upload {baseline_kb / 1024:.0f} MB", flush=True)
        result, up_seconds, last_seconds = upload(port, info, big, size, chunk)
        sampler.running = False
        sampler.join()
        hwm_kb = RssSampler.read(server.pid, "VmHWM")
        up_rate = size / 1e6 / up_seconds
        ratio = up_rate / sum_rate
        peak_mb = max(sampler.peak_kb, hwm_kb) / 1024
        same = result["sha256"] == expected
        print(f"upload: {up_seconds:.2f} s = {up_rate:,.0f} MB/s over HTTP in {args.chunk_mb} MiB chunks "
              f"(create, all chunks, hash, store, evidence + ledger entry; the last chunk with fsync, "
              f"store and ledger took {last_seconds:.2f} s)", flush=True)
        print(f"  ratio upload / sha256sum: {ratio:.2f}x   (target >= {TARGET_RATIO}x: "
              f"{'met' if ratio >= TARGET_RATIO else 'MISSED'})")
        print(f"  server peak RSS: {peak_mb:.0f} MB (sampled max {sampler.peak_kb / 1024:.0f} MB, VmHWM "
              f"{hwm_kb / 1024:.0f} MB)   (target < {TARGET_RSS_MB} MB: "
              f"{'met' if peak_mb < TARGET_RSS_MB else 'MISSED'})")
        print(f"  server SHA-256 {'equals' if same else 'DIFFERS FROM'} sha256sum: {result['sha256']}")
        return 0 if same and ratio >= TARGET_RATIO and peak_mb < TARGET_RSS_MB else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        big.unlink(missing_ok=True)
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
