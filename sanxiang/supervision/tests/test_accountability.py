"""责任追究: who did each act of a case, when, with the ledger entry and a verified inclusion proof."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sanxiang.accounts.models import Role
from sanxiang.ledger import merkle
from sanxiang.ledger.models import Entry
from sanxiang.supervision.accountability import responsibility
from sanxiang.supervision.models import AccessLog
from sanxiang.testing import UserFactory, build_records_world


@pytest.fixture
def archived(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    return build_records_world()


@pytest.mark.django_db
def test_every_stage_names_its_actor_with_a_proof_that_verifies(archived):
    w = archived
    report = responsibility(w.case)
    stages = {code: acts for code, _, acts in report.stages}
    assert {a.actor.split("（")[1].rstrip("）") for a in stages["filed"]} >= {"alice", "carol"}
    assert any("erin" in a.actor for a in stages["decided"])
    assert any("carol" in a.actor for a in stages["approved"])
    # An 800-yuan fine is below the review catalogue's threshold: no review, shown as a gap.
    assert stages["reviewed"] == [] and "法制审核" in report.missing
    assert stages["served"] and stages["archived"] and stages["investigated"]
    assert report.all_verified and report.acts
    cp = report.checkpoint
    for act in report.acts:
        leaf = bytes(Entry.objects.get(index=act.index).leaf_hash)
        merkle.verify_inclusion(leaf, act.index, cp.tree_size, [bytes.fromhex(h) for h in act.proof],
                                bytes(cp.root_hash))
    # A forged leaf does not verify against the same path.
    act = report.acts[0]
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(b"\0" * 32, act.index, cp.tree_size, [bytes.fromhex(h) for h in act.proof],
                                bytes(cp.root_hash))


@pytest.mark.django_db
def test_page_pdf_and_api_for_supervisor_and_head_only(archived):
    w = archived
    sam = Client()
    sam.force_login(w.world.sam)
    page = sam.get(f"/staff/supervision/cases/{w.case.pk}/accountability/")
    body = page.content.decode()
    assert page.status_code == 200 and "全部已验证" in body and "立案" in body and "归档" in body
    assert AccessLog.objects.filter(actor=w.world.sam, case=w.case, target_label__startswith="责任追溯").exists()
    pdf = sam.get(f"/staff/supervision/cases/{w.case.pk}/accountability/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    case_page = sam.get(f"/staff/cases/{w.case.pk}/").content.decode()
    assert "责任追溯表" in case_page and "对本案监督立案" in case_page
    alice = Client()
    alice.force_login(w.world.alice)
    assert alice.get(f"/staff/supervision/cases/{w.case.pk}/accountability/").status_code == 403
    assert "责任追溯表" not in alice.get(f"/staff/cases/{w.case.pk}/").content.decode()
    olga = UserFactory(username="olga", role=Role.AGENCY_HEAD, agency=w.world.other_agency)
    other = Client()
    other.force_login(olga)
    assert other.get(f"/staff/supervision/cases/{w.case.pk}/accountability/").status_code == 404
    api = APIClient()
    api.force_authenticate(w.world.erin)
    data = api.get(f"/api/cases/{w.case.pk}/accountability/").json()
    assert data["all_verified"] and data["checkpoint"]["tree_size"] > 0
    filed = next(s for s in data["stages"] if s["stage"] == "filed")
    assert filed["acts"][0]["ledger_index"] is not None and filed["acts"][0]["audit_path"] is not None


@pytest.mark.django_db
def test_reason_asked_when_the_agency_requires_one_and_the_form_comes_back_here(archived):
    from sanxiang.common.services import record_save
    from sanxiang.registry.models import Parameter

    w = archived
    record_save(Parameter(agency=w.world.agency, key="access_reason_required", value=1, unit="是/否",
                          label="须填写调阅事由", source="本机关调阅监督规定"), actor="admin")
    sam = Client()
    sam.force_login(w.world.sam)
    url = f"/staff/supervision/cases/{w.case.pk}/accountability/"
    asked = sam.get(url)
    assert asked.status_code == 428 and f'action="{url}"' in asked.content.decode()
    assert sam.get(url, {"reason": "责任追究调查"}).status_code == 200
    assert AccessLog.objects.filter(case=w.case, reason="责任追究调查").exists()
