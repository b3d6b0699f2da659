"""Resumable uploads: chunks in order, resume after a broken connection, refusals leave nothing."""

from __future__ import annotations

import fcntl
import hashlib
import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import ledger_size
from sanxiang.ledger.verification import verify_all
from sanxiang.records import chunked
from sanxiang.records.models import Evidence, StoredFile, UploadSession, UploadStatus
from sanxiang.records.tests.conftest import JPEG_HEAD, body

MB = 1 << 20

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Evidence.objects.count(), StoredFile.objects.count(), ledger_size()


class BrokenStream:
    """A request body whose connection resets after `fail_after` bytes."""

    def __init__(self, data: bytes, fail_after: int) -> None:
        self.data = io.BytesIO(data[:fail_after])

    def read(self, size: int = -1) -> bytes:
        block = self.data.read(size)
        if not block:
            raise ConnectionResetError("connection reset by peer")
        return block

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def test_multi_chunk_upload_becomes_evidence_with_one_ledger_entry(world, case, uploader, upload_dir):
    data = body(5 * MB + 123)
    up = uploader(world.alice)  # signing in is audited in the ledger: count from here
    before = ledger_size()
    created = up.create(case, size=len(data), description="执法记录仪视频", device_no="DSJ-0042",
                        location="幸福路8号工地门口", captured_at="2026-11-20T09:30:00+08:00")
    assert created.status_code == 201, created.content
    session = created.json()
    assert session["offset"] == 0 and session["status"] == "receiving" and created["Upload-Offset"] == "0"
    url = session["url"]
    for offset in range(0, len(data), MB):
        response = up.patch(url, offset, data[offset:offset + MB])
        if offset + MB < len(data):
            assert response.status_code == 200, response.content
            assert response.json()["offset"] == offset + MB and response["Upload-Offset"] == str(offset + MB)
    assert response.status_code == 201, response.content
    result = response.json()
    sha = hashlib.sha256(data).hexdigest()
    assert result["status"] == "complete" and result["sha256"] == sha
    evidence = Evidence.objects.get(pk=result["evidence"]["id"])
    assert response["Location"].endswith(f"/api/evidence/{evidence.pk}/")
    assert (evidence.file.sha256, evidence.file.size, evidence.kind, evidence.step) == (sha, len(data), "video",
                                                                                       case.state)
    assert (evidence.device_no, evidence.location, evidence.officer, evidence.content_type) == (
        "DSJ-0042", "幸福路8号工地门口", world.alice_officer, "video/mp4")
    assert evidence.captured_at.isoformat() == "2026-11-20T01:30:00+00:00"
    with default_storage.open(evidence.file.storage_name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == sha
    assert ledger_size() == before + 1
    entry = Entry.objects.get(index=evidence.ledger_index)
    assert entry.kind == "evidence.attach" and sha.encode() in bytes(entry.body)
    assert evidence.file.ledger_index == entry.index
    assert list(upload_dir.iterdir()) == []  # the temporary file is gone
    assert verify_all().ok


def test_put_with_content_range_works_too(world, case, uploader):
    data = body(3 * MB)
    up = uploader(world.alice)
    url = up.create(case, size=len(data)).json()["url"]
    assert up.put(url, 0, data[:2 * MB], len(data)).status_code == 200
    response = up.put(url, 2 * MB, data[2 * MB:], len(data))
    assert response.status_code == 201 and response.json()["sha256"] == hashlib.sha256(data).hexdigest()


def test_resume_after_a_broken_connection(world, case, uploader):
    data = body(3 * MB + 17)
    up = uploader(world.alice)
    url = up.create(case, size=len(data)).json()["url"]
    assert up.patch(url, 0, data[:MB]).status_code == 200
    # The second chunk's connection drops after 300 KB: what arrived is kept.
    response = up.client.generic("PATCH", url, **{
        "wsgi.input": BrokenStream(data[MB:2 * MB], 300_000), "CONTENT_LENGTH": str(MB),
        "CONTENT_TYPE": "application/offset+octet-stream", "HTTP_UPLOAD_OFFSET": str(MB)})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upload_interrupted"
    assert response.json()["error"]["expected_offset"] == MB + 300_000
    # The client asks where to go on, and goes on from there.
    head = up.client.head(url)
    assert head.status_code == 200 and head["Upload-Offset"] == str(MB + 300_000)
    assert head["Upload-Length"] == str(len(data))
    offset = int(head["Upload-Offset"])
    assert up.client.get(url).json()["offset"] == offset
    response = up.patch(url, offset, data[offset:])
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(data).hexdigest()


def test_resume_after_a_server_restart_rehashes_the_partial_file(world, case, uploader):
    data = body(4 * MB)
    up = uploader(world.alice)
    url = up.create(case, size=len(data)).json()["url"]
    for offset in range(0, len(data), MB):
        chunked._hashers = chunked._Hashers()  # a new process: no running hash in memory
        response = up.patch(url, offset, data[offset:offset + MB])
    assert response.status_code == 201
    assert Evidence.objects.get().file.sha256 == hashlib.sha256(data).hexdigest()


def test_bytes_written_past_the_recorded_offset_are_discarded(world, case, uploader, upload_dir):
    """A crash between writing a chunk and recording its offset leaves stray bytes: they are dropped."""
    data = body(2 * MB)
    up = uploader(world.alice)
    session = up.create(case, size=len(data)).json()
    up.patch(session["url"], 0, data[:MB])
    with open(upload_dir / f"{session['id']}.part", "ab") as part:
        part.write(b"garbage from a chunk whose offset was never recorded")
    assert up.client.head(session["url"])["Upload-Offset"] == str(MB)
    response = up.patch(session["url"], MB, data[MB:])
    assert response.status_code == 201 and response.json()["sha256"] == hashlib.sha256(data).hexdigest()


def test_chunk_not_at_the_received_offset_is_refused_409(world, case, uploader):
    data = body(3 * MB)
    up = uploader(world.alice)
    url = up.create(case, size=len(data)).json()["url"]
    up.patch(url, 0, data[:MB])
    for wrong in (2 * MB, 0):  # a gap, and a chunk already received
        response = up.patch(url, wrong, data[wrong:wrong + MB])
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "offset_mismatch" and error["expected_offset"] == MB
        assert "应为第 1048576 字节" in error["message"] and response["Upload-Offset"] == str(MB)
    response = up.put(url, MB, data[MB:] + b"x", len(data) + 1)
    assert response.status_code == 400 and "总长" in response.json()["error"]["message"]
    response = up.patch(url, MB, data[MB:] + b"too long")
    assert response.status_code == 400 and response.json()["error"]["code"] == "chunk_range"
    assert up.client.head(url)["Upload-Offset"] == str(MB)


def test_concurrent_request_on_one_session_is_refused_not_interleaved(world, case, uploader, upload_dir):
    data = body(2 * MB)
    up = uploader(world.alice)
    session = up.create(case, size=len(data)).json()
    fd = os.open(upload_dir / f"{session['id']}.part", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another worker is writing a chunk of this upload
        response = up.patch(session["url"], 0, data[:MB])
        assert response.status_code == 409 and response.json()["error"]["code"] == "upload_busy"
    finally:
        os.close(fd)
    assert up.patch(session["url"], 0, data[:MB]).status_code == 200


def test_wrong_extension_is_refused_at_creation(world, case, uploader, upload_dir):
    up = uploader(world.alice)
    response = up.create(case, size=1000, filename="setup.exe", kind="photo")
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "file_type_refused" and "setup.exe" in error["message"] and "jpg" in error["message"]
    assert not UploadSession.objects.exists() and not any(upload_dir.glob("*.part"))


def test_wrong_content_is_refused_at_the_first_chunk_and_nothing_is_kept(world, case, uploader, upload_dir):
    stored = uploader(world.alice).upload(case, body(MB, head=JPEG_HEAD), filename="scene.jpg", kind="photo")
    earlier = Evidence.objects.get(pk=stored.json()["evidence"]["id"])
    up = uploader(world.alice)
    before = counts()
    data = b"MZ\x90\x00\x03\x00\x00\x00" + body(2 * MB, head=b"")[8:]  # a Windows executable named .mp4
    url = up.create(case, size=len(data), filename="cam.mp4").json()["url"]
    response = up.patch(url, 0, data[:MB])
    assert response.status_code == 415
    assert "cam.mp4" in response.json()["error"]["message"] and "视频" in response.json()["error"]["message"]
    assert counts() == before and list(upload_dir.iterdir()) == []
    response = up.patch(url, 0, data[:MB])
    assert response.status_code == 410 and response.json()["error"]["code"] == "upload_rejected"
    assert up.client.get(url).json()["status"] == "rejected"
    # What was stored before is untouched.
    assert default_storage.exists(earlier.file.storage_name) and verify_all().ok


def test_type_is_checked_even_when_the_first_chunks_are_tiny(world, case, uploader):
    up = uploader(world.alice)
    data = b"%PDF-1.7" + bytes(9000)
    url = up.create(case, size=len(data), filename="cam.mp4").json()["url"]
    assert up.patch(url, 0, data[:100]).status_code == 200  # too few bytes to tell yet
    assert up.patch(url, 100, data[100:5000]).status_code == 415


def test_over_limit_size_is_refused_at_creation_naming_the_limit(world, case, uploader, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * MB
    response = uploader(world.alice).create(case, size=10 * MB + 1)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large" and "10 MB" in error["message"] and "10485760" in error["message"]
    assert not UploadSession.objects.exists()


def test_interrupted_or_cancelled_upload_leaves_no_half_record(world, case, uploader, upload_dir):
    up = uploader(world.alice)
    before = counts()
    data = body(3 * MB)
    first = up.create(case, size=len(data)).json()
    up.patch(first["url"], 0, data[:MB])
    second = up.create(case, size=len(data)).json()
    up.patch(second["url"], 0, data[:2 * MB])
    assert counts() == before  # nothing is evidence until the last byte is in
    assert up.client.delete(first["url"]).status_code == 204
    assert up.client.get(first["url"]).json()["status"] == "cancelled"
    assert up.patch(first["url"], MB, data[MB:2 * MB]).status_code == 410
    # The second one is abandoned: cleanup_uploads expires it and deletes its temporary file.
    call_command("cleanup_uploads", "--idle-hours", "0", stdout=io.StringIO())
    assert UploadSession.objects.get(pk=second["id"]).status == UploadStatus.EXPIRED
    assert list(upload_dir.iterdir()) == [] and counts() == before
    assert verify_all().ok


def test_cleanup_removes_orphan_files_and_keeps_live_sessions(world, case, uploader, upload_dir):
    up = uploader(world.alice)
    live = up.create(case, size=2 * MB).json()
    orphan = upload_dir / "0b6f8b5e-7f67-4c7e-9b7f-3f0f1f3a0a11.part"
    orphan.write_bytes(b"left by a crashed process")
    os.utime(orphan, (0, 0))
    stats = chunked.uploads_cleanup()
    assert stats["orphans"] == 1 and not orphan.exists()
    assert (upload_dir / f"{live['id']}.part").exists()
    assert UploadSession.objects.get(pk=live["id"]).status == UploadStatus.RECEIVING


def test_declared_checksum_mismatch_is_refused_and_nothing_is_kept(world, case, uploader, upload_dir):
    up = uploader(world.alice)
    before = counts()
    data = body(2 * MB)
    response = up.create(case, size=len(data), sha256="0" * 64)
    url = response.json()["url"]
    up.patch(url, 0, data[:MB])
    response = up.patch(url, MB, data[MB:])
    assert response.status_code == 422 and response.json()["error"]["code"] == "checksum_mismatch"
    assert counts() == before and list(upload_dir.iterdir()) == []


def test_duplicate_content_is_stored_once(world, case, uploader):
    data = body(2 * MB)
    first = uploader(world.alice).upload(case, data).json()
    second = uploader(world.bob).upload(case, data, filename="copy.mp4").json()
    assert first["evidence"]["id"] != second["evidence"]["id"]
    assert Evidence.objects.count() == 2 and StoredFile.objects.count() == 1
    entries = Entry.objects.filter(kind="evidence.attach").order_by("index")
    assert entries.count() == 2
    sha = hashlib.sha256(data).hexdigest().encode()
    assert all(sha in bytes(e.body) for e in entries)
    assert b"records.storedfile:" in bytes(entries[0].body) and b"records.storedfile:" not in bytes(entries[1].body)
    assert verify_all().ok


def test_only_the_case_officers_may_upload_and_only_the_uploader_sees_the_session(world, case, uploader):
    data = body(MB)
    url = uploader(world.alice).create(case, size=len(data)).json()["url"]
    bob = uploader(world.bob)
    assert bob.client.head(url).status_code == 404
    assert bob.patch(url, 0, data).status_code == 404
    assert uploader(world.mallory).create(case, size=len(data)).status_code == 404
    response = uploader(world.carol).create(case, size=len(data))  # unit head: not an officer of the case
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_assigned"


def test_capture_time_in_the_future_is_refused(world, case, uploader):
    response = uploader(world.alice).create(case, size=MB, captured_at="2999-01-01T00:00:00+08:00")
    assert response.status_code == 400 and response.json()["error"]["field"] == "captured_at"


def test_session_list_lets_a_client_find_its_unfinished_uploads(world, case, uploader):
    up = uploader(world.alice)
    session = up.create(case, size=2 * MB).json()
    listed = up.client.get(f"/api/evidence/uploads/?case={case.pk}").json()
    assert [s["id"] for s in listed] == [session["id"]]
    assert uploader(world.bob).client.get("/api/evidence/uploads/").json() == []


def test_failed_finalization_can_be_retried(world, case, uploader, monkeypatch):
    """The object store was down when the last chunk came in: nothing recorded, and the client
    finishes the upload later without sending the bytes again."""
    data = body(2 * MB)
    up = uploader(world.alice)
    up.client.raise_request_exception = False
    url = up.create(case, size=len(data)).json()["url"]
    up.patch(url, 0, data[:MB])

    def storage_down(content, sha256):
        raise ConnectionError("object store unreachable")

    monkeypatch.setattr(chunked, "blob_put", storage_down)
    assert up.patch(url, MB, data[MB:]).status_code == 500
    assert counts()[:2] == (0, 0)
    state = up.client.get(url).json()
    assert state["status"] == "receiving" and state["offset"] == len(data)
    monkeypatch.undo()
    response = up.client.post(url + "complete/")
    assert response.status_code == 201 and response.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert up.client.post(url + "complete/").status_code == 201  # idempotent
    assert Evidence.objects.count() == 1 and verify_all().ok


def test_uploader_form_renders_for_the_case_page(world, case):
    from django.template.loader import render_to_string

    from sanxiang.records.models import EvidenceKind

    html = render_to_string("records/_evidence_uploader.html", {"case": case, "evidence_kinds": EvidenceKind.choices})
    assert 'data-uploads-url="/api/evidence/uploads/"' in html and f'data-case="{case.pk}"' in html
    assert "records/uploader.js" in html and "涉及个人隐私" in html
