"""Corrections are new evidence pointing at what they correct; the old row and its file stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from sanxiang.cases.services import case_open
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import DomainError, ValidationFailed
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.records.models import Evidence
from sanxiang.records.services import evidence_attach, evidence_correct
from sanxiang.records.tests.conftest import JPEG_HEAD
from sanxiang.testing import citizen_party

pytestmark = pytest.mark.django_db


def photo(text: bytes, name: str = "scene.jpg") -> ContentFile:
    return ContentFile(JPEG_HEAD + text, name=name)


def test_correction_supersedes_and_keeps_the_original(world, case):
    original = evidence_attach(case=case, actor=world.alice, uploaded=photo(b"blurred"), kind="photo",
                               description="现场照片")
    corrected = evidence_correct(evidence=original, actor=world.bob, uploaded=photo(b"sharp", "scene-2.jpg"),
                                 reason="原照片模糊，补拍清晰照片")
    assert corrected.supersedes == original and corrected.kind == "photo"
    assert list(original.superseded_by.all()) == [corrected]
    original.refresh_from_db()
    assert default_storage.exists(original.file.storage_name) and original.file != corrected.file
    entry = Entry.objects.get(index=corrected.ledger_index)
    assert entry.kind == "evidence.correct" and f'"supersedes":{original.ledger_index}'.encode() in bytes(entry.body)
    assert Evidence.objects.count() == 2 and verify_all().ok


def test_correction_needs_a_reason_and_the_latest_version(world, case):
    original = evidence_attach(case=case, actor=world.alice, uploaded=photo(b"a"), kind="photo")
    with pytest.raises(ValidationFailed) as err:
        evidence_correct(evidence=original, actor=world.alice, uploaded=photo(b"b"), reason="")
    assert err.value.code == "reason_required"
    evidence_correct(evidence=original, actor=world.alice, uploaded=photo(b"b"), reason="更正拍摄时间")
    with pytest.raises(ValidationFailed) as err:
        evidence_correct(evidence=original, actor=world.alice, uploaded=photo(b"c"), reason="再次更正")
    assert err.value.code == "already_superseded"


def test_closed_case_takes_corrections_but_no_new_evidence(world):
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer],
                     opened_on=timezone.localdate() - dt.timedelta(days=60))
    original = evidence_attach(case=case, actor=world.alice, uploaded=photo(b"a"), kind="photo")
    case = walk(case, Cast(world.alice, world.carol, world.dave, world.erin), start=case.opened_on + dt.timedelta(days=2))
    assert case.state == "archived"
    with pytest.raises(DomainError) as err:
        evidence_attach(case=case, actor=world.alice, uploaded=photo(b"new"), kind="photo")
    assert err.value.code == "case_final"
    corrected = evidence_correct(evidence=original, actor=world.alice, uploaded=photo(b"fixed"),
                                 reason="归档后发现照片拍错对象，予以更正")
    assert corrected.step == "archived" and corrected.supersedes == original


def test_correction_through_the_chunked_api(world, case, uploader):
    original = evidence_attach(case=case, actor=world.alice, uploaded=photo(b"a"), kind="photo")
    up = uploader(world.alice)
    data = JPEG_HEAD + b"corrected" * 1000
    response = up.create(case, size=len(data), filename="fixed.jpg", kind="photo", supersedes=original.pk)
    assert response.status_code == 400 and response.json()["error"]["code"] == "reason_required"
    response = up.upload(case, data, filename="fixed.jpg", kind="photo", supersedes=original.pk,
                         description="原照片拍错对象")
    assert response.status_code == 201
    assert response.json()["evidence"]["supersedes"] == original.pk
    assert Entry.objects.filter(kind="evidence.correct").count() == 1
