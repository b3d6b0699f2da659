"""The S3 path end to end, against an S3-compatible server (moto_server) on loopback.

The bucket has Object Lock enabled and STORAGE_URL asks for it (object_lock=1): every stored
object must come out under a COMPLIANCE retention, verify_evidence and the ledger verification
read the objects back through the storage, and an object replaced or deleted behind the
application's back is reported.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

from sanxiang.ledger.verification import verify_all
from sanxiang.records.models import Evidence, StoredFile
from sanxiang.records.services import evidence_attach
from sanxiang.records.storage import EvidenceS3Storage
from sanxiang.records.tests.conftest import JPEG_HEAD, body

MB = 1 << 20
pytestmark = pytest.mark.django_db


def verify_evidence() -> str:
    out = io.StringIO()
    call_command("verify_evidence", stdout=out, stderr=out)
    return out.getvalue()


def test_chunked_upload_verify_and_ledger_against_s3(world, case, uploader, s3_storage, upload_dir):
    assert isinstance(storages["default"], EvidenceS3Storage)
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    data = body(12 * MB + 5)  # above the 8 MiB multipart threshold: a multipart upload
    response = uploader(world.alice).upload(case, data, chunk=4 * MB)
    assert response.status_code == 201, response.content
    sha = hashlib.sha256(data).hexdigest()
    evidence = Evidence.objects.get(pk=response.json()["evidence"]["id"])
    key = evidence.file.storage_name
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(data) and head["ContentType"] == "video/mp4"
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"]
    assert list(upload_dir.glob("*.part")) == []
    # A small file goes up in one PUT, also locked; the same bytes again are stored once.
    photo = evidence_attach(case=case, actor=world.bob, uploaded=ContentFile(JPEG_HEAD + b"x", name="a.jpg"),
                            kind="photo")
    evidence_attach(case=case, actor=world.bob, uploaded=ContentFile(JPEG_HEAD + b"x", name="b.jpg"), kind="photo")
    assert StoredFile.objects.count() == 2
    assert client.head_object(Bucket=bucket, Key=photo.file.storage_name)["ObjectLockMode"] == "COMPLIANCE"
    # Reads stream from the object store.
    download = uploader(world.bob).client.get(f"/api/evidence/{evidence.pk}/content/")
    digest = hashlib.sha256()
    for part in download.streaming_content:
        digest.update(part)
    assert digest.hexdigest() == sha
    assert "校验通过" in verify_evidence()
    assert verify_all().ok
    # The locked version cannot be deleted, even with the application's credentials.
    version = client.head_object(Bucket=bucket, Key=key)["VersionId"]
    with pytest.raises(client.exceptions.ClientError):
        client.delete_object(Bucket=bucket, Key=key, VersionId=version)
    # Behind the application's back: a new version replaces one object, a delete marker hides the other.
    client.put_object(Bucket=bucket, Key=key, Body=b"forged", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=head["ObjectLockRetainUntilDate"])
    client.delete_object(Bucket=bucket, Key=photo.file.storage_name)
    with pytest.raises(CommandError):
        call_command("verify_evidence", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    text = err.getvalue()
    assert f"[日志条目 {evidence.ledger_index}] 文件 {sha} 的内容已被修改" in text
    assert f"[日志条目 {photo.ledger_index}] 文件 {photo.file.sha256} 已从存储中丢失" in text
    report = verify_all()
    assert not report.ok and any("丢失" in p.message or "修改" in p.message for p in report.problems)
    # The original bytes are still there as the locked older version (what Object Lock is for).
    versions = client.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    original = next(v for v in versions if v["VersionId"] == version)
    body_back = client.get_object(Bucket=bucket, Key=key, VersionId=original["VersionId"])["Body"].read()
    assert hashlib.sha256(body_back).hexdigest() == sha


def test_unlocked_object_is_reported(world, case, s3_storage):
    photo = evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(JPEG_HEAD + b"y", name="a.jpg"),
                            kind="photo")
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    # Someone replaced the object with a version without retention (possible in a bucket whose
    # default retention is off): verify_evidence points it out even though the bytes match.
    client.put_object(Bucket=bucket, Key=photo.file.storage_name, Body=JPEG_HEAD + b"y")
    with pytest.raises(CommandError):
        call_command("verify_evidence", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "未设置保留锁定" in err.getvalue()
