"""行政收费 / 行政征收 through the API: case on a fee item, 核定 against the published 收费清单,
decision by the head (征收/收费决定书 with basis, amount, objection and remedy), service,
objection, payment; publication due in 20 working days."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanxiang.common.calendar import add_working_days
from sanxiang.disclosure.models import Publication
from sanxiang.licensing.testing import build_licensing_world
from sanxiang.testing import build_world, org_party, token_client


@pytest.fixture
def worlds(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    return world, build_licensing_world(world)


def _act(client, case_id, action, data, status=200):
    response = client.post(f"/api/cases/{case_id}/actions/{action}/", data, format="json")
    assert response.status_code == status, response.content.decode()
    return response.json() if status < 400 else response.json()["error"]


def _open(lw, item):
    lina = token_client(lw.lina)
    response = lina.post("/api/cases/", {
        "item": item.code, "title": "河洛市某餐饮公司生活垃圾处理费", "party": org_party(),
        "officers": [lw.lina_officer.certificate_no, lw.mike_officer.certificate_no]}, format="json")
    assert response.status_code == 201, response.content.decode()
    return lina, response.json()["id"]


def test_fee_flow_end_to_end(worlds):
    world, lw = worlds
    today = timezone.localdate().isoformat()
    lina, case_id = _open(lw, lw.fee_item)
    base = {"assessed_on": today, "fee_item": "SF001", "quantity": "12", "assessment_facts": "2026年11月处理非居民垃圾12吨"}
    refused = _act(lina, case_id, "assess", {**base, "levy_amount": "350"}, 400)
    assert refused["code"] == "amount_not_standard" and "300.00" in refused["message"]
    refused = _act(lina, case_id, "assess", {**base, "fee_item": "ZS001", "levy_amount": "300"}, 400)
    assert refused["field"] == "fee_item"  # a levy item is not on this fee flow's list
    _act(lina, case_id, "assess", {**base, "levy_amount": "300"})
    erin = token_client(world.erin)
    case = _act(erin, case_id, "decide_levy", {"decided_on": today})
    assert case["state"] == "service"
    publication = Publication.objects.get(case_id=case_id)
    assert publication.due_on == add_working_days(timezone.localdate(), 20, what="t")  # 'other kinds'
    refused = _act(lina, case_id, "serve_levy", {"served_on": today}, 409)
    assert refused["code"] == "document_missing"
    doc = lina.post(f"/api/cases/{case_id}/documents/", {"kind": "levy_decision"}, format="json")
    assert doc.status_code == 201, doc.content.decode()
    from sanxiang.documents.content import plain_text
    from sanxiang.documents.models import Document

    text = plain_text(Document.objects.get(pk=doc.json()["id"]).content)
    assert "《城市生活垃圾管理办法》第四条" in text and "叁佰元整" in text and "行政复议" in text and "异议" in text
    _act(lina, case_id, "serve_levy", {"served_on": today})
    _act(lina, case_id, "record_objection", {"objection": "认为吨数偏多", "objection_answer": "经复核称重记录，12吨无误"})
    refused = _act(lina, case_id, "record_payment", {"paid_on": today, "paid_amount": "200", "receipt_no": "No.1"}, 400)
    assert refused["code"] == "paid_mismatch"
    case = _act(lina, case_id, "record_payment", {"paid_on": today, "paid_amount": "300", "receipt_no": "豫财0012345"})
    assert case["state"] == "paid"
    assert erin.post(f"/api/publications/{publication.pk}/publish/").status_code == 200


def test_levy_flow_without_unit_amount(worlds):
    world, lw = worlds
    today = timezone.localdate().isoformat()
    lina, case_id = _open(lw, lw.levy_item)
    _act(lina, case_id, "assess", {"assessed_on": today, "fee_item": "ZS001", "levy_amount": "1800",
                                   "assessment_facts": "占用人行道30平方米，期限60日"})
    erin = token_client(world.erin)
    _act(erin, case_id, "decide_levy", {"decided_on": today})
    publication = Publication.objects.get(case_id=case_id)
    assert "行政征收决定" in publication.title and publication.content["amount"] == "1800"
