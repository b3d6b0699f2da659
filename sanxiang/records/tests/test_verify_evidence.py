"""`sanxiang verify_evidence` re-hashes every stored file and names the ledger entry of each problem."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from sanxiang.records.services import evidence_attach
from sanxiang.records.tests.conftest import JPEG_HEAD, MP4_HEAD

pytestmark = pytest.mark.django_db


def run() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_evidence", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_changed_and_missing_files_are_reported_with_their_ledger_entry(world, case):
    photo = evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(JPEG_HEAD + b"p", name="p.jpg"),
                            kind="photo")
    video = evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(MP4_HEAD + b"v", name="v.mp4"),
                            kind="video")
    out, _ = run()
    assert "已校验文件 2 个" in out and "校验通过" in out
    with open(default_storage.path(photo.file.storage_name), "r+b") as handle:
        handle.write(b"\x00")  # one byte changed
    os.remove(default_storage.path(video.file.storage_name))
    with pytest.raises(CommandError) as err:
        run()
    assert "2 个问题" in str(err.value)
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_evidence", stdout=io.StringIO(), stderr=stderr)
    text = stderr.getvalue()
    assert f"[日志条目 {photo.ledger_index}] 文件 {photo.file.sha256} 的内容已被修改" in text
    assert f"[日志条目 {video.ledger_index}] 文件 {video.file.sha256} 已从存储中丢失" in text
