"""Accepted formats per kind of evidence, by extension and by the file's first bytes."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from sanxiang.ledger.services import ledger_size
from sanxiang.records import filetypes
from sanxiang.records.filetypes import FileTypeRefused, check_content, check_name, sniff
from sanxiang.records.models import Evidence, StoredFile
from sanxiang.records.services import FileTooLarge, evidence_attach

SAMPLES = {
    "jpeg": b"\xff\xd8\xff\xe1\x00\x18Exif",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "heif": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    "mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ",
    "avi": b"RIFF\x00\x00\x00\x00AVI LIST",
    "wav": b"RIFF\x00\x00\x00\x00WAVEfmt ",
    "mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "amr": b"#!AMR\n",
    "m4a": b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00",
    "pdf": b"%PDF-1.7\n",
    "mkv": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01",
    "ts": bytes([0x47] + [0] * 187) * 3,
}


@pytest.mark.parametrize("name, head", SAMPLES.items())
def test_formats_are_recognised(name, head):
    assert sniff(head).name == name


@pytest.mark.parametrize("kind, filename, head", [
    ("photo", "IMG_0001.JPG", SAMPLES["jpeg"]), ("photo", "IMG_0002.heic", SAMPLES["heif"]),
    ("video", "DSJ_20261120_093000.MP4", SAMPLES["mp4"]), ("video", "clip.mov", SAMPLES["mov"]),
    ("video", "cctv.ts", SAMPLES["ts"]), ("audio", "询问录音.amr", SAMPLES["amr"]),
    ("audio", "rec.m4a", SAMPLES["m4a"]), ("document", "询问笔录扫描件.pdf", SAMPLES["pdf"]),
    ("document", "scan.jpg", SAMPLES["jpeg"]), ("electronic", "chat-export.db", b"SQLite format 3\x00"),
])
def test_accepted(kind, filename, head):
    check_content(kind, filename, head)


@pytest.mark.parametrize("kind, filename, head, fragment", [
    ("photo", "scene.jpg", SAMPLES["pdf"], "application/pdf"),
    ("video", "cam.mp4", b"MZ\x90\x00", "无法识别"),
    ("video", "cam.mp4", SAMPLES["heif"], "image/heic"),
    ("audio", "rec.mp3", SAMPLES["jpeg"], "image/jpeg"),
    ("document", "scan.pdf", b"<html><script>", "无法识别"),
])
def test_content_not_matching_the_kind_is_refused(kind, filename, head, fragment):
    with pytest.raises(FileTypeRefused) as err:
        check_content(kind, filename, head)
    assert fragment in err.value.message and err.value.status == 415


def test_extension_not_of_the_kind_is_refused():
    with pytest.raises(FileTypeRefused, match="允许"):
        check_name("video", "cam.exe")
    check_name("electronic", "anything.bin")


@pytest.mark.django_db
def test_whole_file_upload_is_checked_the_same_way_and_leaves_nothing(world, case, settings):
    before = (Evidence.objects.count(), StoredFile.objects.count(), ledger_size())
    with pytest.raises(FileTypeRefused):
        evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(b"MZ\x90\x00", name="cam.mp4"),
                        kind="video")
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(FileTooLarge, match="10 字节"):
        evidence_attach(case=case, actor=world.alice, kind="photo",
                        uploaded=ContentFile(SAMPLES["jpeg"] + b"more bytes", name="a.jpg"))
    assert (Evidence.objects.count(), StoredFile.objects.count(), ledger_size()) == before


def test_sniff_window_covers_every_signature():
    assert filetypes.SNIFF_BYTES >= len(SAMPLES["ts"])
