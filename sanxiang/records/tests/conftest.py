"""Fixtures of the evidence-store tests: API clients per persona, an open case, sample files, and
an S3-compatible server (moto_server) started on loopback once per test session."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.cases.services import case_open
from sanxiang.testing import citizen_party, token_client

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def blocks(size: int, *, head: bytes = MP4_HEAD, chunk: int = 1 << 20):
    """`size` bytes starting like the format of `head`, generated chunk by chunk (never all in memory)."""
    for i, offset in enumerate(range(0, size, chunk)):
        n = min(chunk, size - offset)
        piece = (hashlib.sha256(i.to_bytes(8, "big")).digest() * (n // 32 + 1))[:n]
        yield (head + piece[len(head):])[:n] if i == 0 else piece


def body(size: int, head: bytes = MP4_HEAD) -> bytes:
    return b"".join(blocks(size, head=head))


@pytest.fixture(autouse=True)
def _records_urls(settings):
    # config/urls.py includes these routes too; this keeps the tests independent of that wiring.
    settings.ROOT_URLCONF = "sanxiang.records.tests.urls"


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated with the user's token."""

    return token_client


@pytest.fixture
def case(world):
    return case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=30))


@pytest.fixture
def upload_dir(settings, tmp_path) -> Path:
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


class Uploader:
    """Drives the chunked upload API the way a client does."""

    def __init__(self, client: APIClient) -> None:
        self.client = client

    def create(self, case, *, size: int, filename: str = "cam.mp4", kind: str = "video", **extra):
        payload = {"case": case.pk, "filename": filename, "size": size, "kind": kind, **extra}
        return self.client.post("/api/evidence/uploads/", payload, format="json")

    def patch(self, url: str, offset: int, data: bytes):
        return self.client.generic("PATCH", url, data, content_type="application/offset+octet-stream",
                                   HTTP_UPLOAD_OFFSET=str(offset))

    def put(self, url: str, start: int, data: bytes, total: int):
        return self.client.generic("PUT", url, data, content_type="application/octet-stream",
                                   HTTP_CONTENT_RANGE=f"bytes {start}-{start + len(data) - 1}/{total}")

    def upload(self, case, data: bytes, *, chunk: int = 1 << 20, **create):
        response = self.create(case, size=len(data), **create)
        assert response.status_code == 201, response.content
        url = response.json()["url"]
        for offset in range(0, len(data), chunk):
            response = self.patch(url, offset, data[offset:offset + chunk])
            assert response.status_code in (200, 201), response.content
        return response


@pytest.fixture
def uploader(api, upload_dir):
    """uploader(user) → Uploader."""
    return lambda user: Uploader(api(user))


# --------------------------------------------------------------------------------------------
# S3-compatible server
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A moto_server on 127.0.0.1 (an S3-compatible HTTP server) for the whole test session."""
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    assert executable, "moto_server not installed: pip install -e '.[test]' (moto[server] is a test dependency)"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    for _attempt in range(3):
        port = _free_port()
        with open(log, "ab") as out:
            process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                       stderr=subprocess.STDOUT)
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urlopen(endpoint + "/", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        if process.poll() is None:
            break
    else:
        pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
    try:
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch, upload_dir):
    """Default storage pointed at a new Object-Lock bucket on the moto server, as STORAGE_URL would."""
    import boto3

    from sanxiang.records.storage_url import storage_from_url

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sanxiang-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sanxiang-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="sanxiang-test", aws_secret_access_key="sanxiang-test-secret")
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    url = f"s3://{bucket}?endpoint_url={s3_endpoint}&region=us-east-1&object_lock=1&retention_days=1"
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(url, default_location=Path("/nonexistent"))}
    return {"client": client, "bucket": bucket, "url": url}
