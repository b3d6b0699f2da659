"""The REST API runs the same services as the UI: a whole case through it, one error format."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.cases.walkthrough import CHECKLIST_ALL
from sanxiang.testing import citizen_party, token_client

TODAY = timezone.localdate()


def client_for(user) -> APIClient:
    return token_client(user)


def open_payload(world, **overrides):
    payload = {
        "item": world.item.code, "title": "擅自倾倒建筑垃圾", "source": "巡查发现",
        "officers": [world.alice_officer.certificate_no, world.bob_officer.certificate_no],
        "party": citizen_party(),
    }
    payload.update(overrides)
    return payload


@pytest.mark.django_db
def test_anonymous_request_gets_the_one_error_format():
    response = APIClient().get("/api/cases/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"] == "未登录或身份凭证无效"


@pytest.mark.django_db
def test_schema_is_served():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/cases/{id}/actions/{action}/" in text and "openapi" in text


@pytest.mark.django_db
def test_case_through_the_api(world):
    alice, carol, erin = client_for(world.alice), client_for(world.carol), client_for(world.erin)
    # Opened ten days ago, so that the notice served a week ago follows the filing.
    response = alice.post("/api/cases/", open_payload(world, opened_on=(TODAY - dt.timedelta(days=10)).isoformat()),
                          format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["state"] == "filing" and case["state_name"] == "立案"
    assert case["actions"] == []  # the officer has nothing to do at 立案: the unit head approves
    pk = case["id"]
    carol_view = carol.get(f"/api/cases/{pk}/").json()
    assert [a["code"] for a in carol_view["actions"]] == ["approve_filing", "reject_filing"]
    steps = [
        (carol, "approve_filing", {"filing_opinion": "同意立案"}),
        (alice, "submit_investigation", {"facts": "倾倒建筑垃圾约5立方米", "investigation_report": "事实清楚",
                                         "proposed_penalty_kinds": ["fine"], "proposed_fine": "800"}),
        (carol, "approve_proposal", {"examination_opinion": "同意"}),
        (alice, "complete_notice", {"notice_served_on": (TODAY - dt.timedelta(days=7)).isoformat(),
                                    "statement": "无异议"}),
        (erin, "decide", {"decided_on": TODAY.isoformat(), "penalty_kinds": ["fine"], "fine_amount": "800",
                          "reasons": "依据《城市市容和环境卫生管理条例》第三十四条"}),
    ]
    for client, action, data in steps:
        response = client.post(f"/api/cases/{pk}/actions/{action}/", data, format="json")
        assert response.status_code == 200, (action, response.content)
    detail = erin.get(f"/api/cases/{pk}/").json()
    assert detail["state"] == "service"
    assert detail["decision_number"] == f"测城管罚〔{TODAY.year}〕第1号"
    assert [e["action"] for e in detail["events"]][-1] == "decide"
    assert all(isinstance(e["ledger_index"], int) for e in detail["events"])
    pending = erin.get("/api/publications/pending/").json()
    assert len(pending) == 1 and pending[0]["status"] == "pending" and pending[0]["party_name"] == "张某"
    assert APIClient().get("/api/publications/").json() == []  # nothing public before release
    # No release before the 决定书 is issued: the portal publishes the document itself.
    refused = erin.post(f"/api/publications/{pending[0]['id']}/publish/", {}, format="json")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "decision_document_missing" and error["rule"] == "行政处罚法第四十八条"
    assert "第四十八条" in error["message"]
    issued = erin.post(f"/api/cases/{pk}/documents/", {"kind": "decision"}, format="json")
    assert issued.status_code == 201, issued.content
    response = erin.post(f"/api/publications/{pending[0]['id']}/publish/", {}, format="json")
    assert response.status_code == 200, response.content
    public = APIClient().get("/api/publications/").json()
    assert [p["decision_number"] for p in public] == [detail["decision_number"]]
    assert "本机关决定对你作出如下行政处罚" in public[0]["text"] and "张某" in public[0]["text"]
    assert isinstance(public[0]["ledger_index"], int) and "张三丰" not in str(public)


@pytest.mark.django_db
def test_domain_error_names_field_and_rule(world):
    alice = client_for(world.alice)
    response = alice.post("/api/cases/", open_payload(world, officers=[world.alice_officer.certificate_no]),
                          format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_few_officers" and error["field"] == "officers"
    assert "第四十二条" in error["message"] and error["rule"] == "行政处罚法第四十二条"
    bad = citizen_party()
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    response = alice.post("/api/cases/", open_payload(world, party=bad), format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "party.id_number"
    response = alice.post("/api/cases/", {"title": "x"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_failed"
    assert response.json()["error"]["field"] in {"item", "officers", "party"}


@pytest.mark.django_db
def test_wrong_step_and_role(world):
    alice, erin = client_for(world.alice), client_for(world.erin)
    pk = alice.post("/api/cases/", open_payload(world), format="json").json()["id"]
    response = erin.post(f"/api/cases/{pk}/actions/decide/", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "step_order"
    response = alice.post(f"/api/cases/{pk}/actions/approve_filing/", {"filing_opinion": "x"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "role_not_allowed"


@pytest.mark.django_db
def test_other_agency_sees_and_changes_nothing(world):
    alice, mallory = client_for(world.alice), client_for(world.mallory)
    pk = alice.post("/api/cases/", open_payload(world), format="json").json()["id"]
    assert mallory.get("/api/cases/").json() == []
    assert mallory.get(f"/api/cases/{pk}/").status_code == 404
    response = mallory.post(f"/api/cases/{pk}/actions/approve_filing/", {"filing_opinion": "x"}, format="json")
    assert response.status_code == 404
    assert mallory.get("/api/publications/pending/").json() == []
    # Mallory cannot open a case on another agency's item either.
    response = mallory.post("/api/cases/", open_payload(world, officers=[world.mallory_officer.certificate_no]),
                            format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "item"


@pytest.mark.django_db
def test_review_checklist_via_api(world):
    from sanxiang.cases.services import case_open
    from sanxiang.cases.walkthrough import Cast, walk

    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="倾倒",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=30))
    walk(case, Cast(world.alice, world.carol, world.dave, world.erin), fine=20000, until="legal_review")
    dave = client_for(world.dave)
    response = dave.post(f"/api/cases/{case.pk}/actions/submit_review/",
                         {"checklist": CHECKLIST_ALL, "opinion": "agree", "opinion_text": "同意"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "decision"
