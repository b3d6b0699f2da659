"""Secret / trade-secret / privacy evidence: only the case's people and supervisors; others get 404."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from sanxiang.accounts.models import Role
from sanxiang.records.selectors import evidence_visible_to
from sanxiang.records.services import evidence_attach
from sanxiang.records.tests.conftest import JPEG_HEAD
from sanxiang.testing import officer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def attached(world, case):
    plain = evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(JPEG_HEAD + b"street", name="street.jpg"),
                            kind="photo", description="现场全景")
    private = evidence_attach(case=case, actor=world.alice, kind="photo", privacy=True, trade_secret=True,
                              uploaded=ContentFile(JPEG_HEAD + b"ledger", name="books.jpg"), description="账簿")
    oscar, _ = officer_user(world.agency, Role.OFFICER, "oscar", "奥斯卡")  # same agency, not on the case
    return plain, private, oscar


def test_flagged_evidence_is_seen_only_by_the_case_people_and_supervisors(world, case, attached, api):
    plain, private, oscar = attached
    for user in (world.alice, world.bob, world.carol, world.dave, world.erin, world.sam):
        client = api(user)
        ids = {e["id"] for e in client.get(f"/api/evidence/?case={case.pk}").json()}
        assert ids == {plain.pk, private.pk}, user.username
        assert client.get(f"/api/evidence/{private.pk}/").json()["privacy"] is True
        assert set(evidence_visible_to(user, case)) == {plain, private}
    client = api(oscar)
    assert [e["id"] for e in client.get(f"/api/evidence/?case={case.pk}").json()] == [plain.pk]
    assert client.get(f"/api/evidence/{private.pk}/").status_code == 404
    assert client.get(f"/api/evidence/{private.pk}/content/").status_code == 404
    assert client.get(f"/api/evidence/{plain.pk}/content/").status_code == 200


def test_another_agency_sees_nothing_of_the_case(world, case, attached, api):
    plain, private, _ = attached
    client = api(world.mallory)
    assert client.get(f"/api/evidence/?case={case.pk}").status_code == 404
    for evidence in (plain, private):
        assert client.get(f"/api/evidence/{evidence.pk}/").status_code == 404
        assert client.get(f"/api/evidence/{evidence.pk}/content/").status_code == 404
    assert list(evidence_visible_to(world.mallory, case)) == []


def test_download_streams_the_bytes_with_their_digest(world, case, attached, api):
    _, private, oscar = attached
    # Flagged material: a download needs a reason, and is logged (调阅监督).
    response = api(world.sam).get(f"/api/evidence/{private.pk}/content/")
    assert response.status_code == 428 and response.json()["error"]["code"] == "access_reason_required"
    response = api(world.sam).get(f"/api/evidence/{private.pk}/content/", {"reason": "监督检查"})
    assert response.status_code == 200
    from sanxiang.supervision.models import AccessLog

    logged = AccessLog.objects.get(action="download", actor=world.sam)
    assert logged.flagged and logged.reason == "监督检查" and logged.target == private.ledger_ref()
    assert b"".join(response.streaming_content) == JPEG_HEAD + b"ledger"
    assert response["ETag"] == f'"{private.file.sha256}"' and response["Repr-Digest"].startswith("sha-256=:")
    browser = Client()
    browser.force_login(oscar)
    assert browser.get(f"/staff/records/evidence/{private.pk}/download/").status_code == 404
    browser.force_login(world.bob)
    page = browser.get(f"/staff/records/evidence/{private.pk}/download/")
    assert page.status_code == 428 and "调阅事由" in page.content.decode()
    response = browser.get(f"/staff/records/evidence/{private.pk}/download/", {"reason": "核对证据"})
    assert response.status_code == 200 and "books.jpg" in response["Content-Disposition"]
