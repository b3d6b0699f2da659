"""The licensing flow walked through the API: online application, registration, 补正, 受理, 审查,
准予, certificate, publication, and the applicant's progress lookup with the query code."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.common.calendar import add_working_days
from sanxiang.disclosure.models import Publication
from sanxiang.licensing.models import Application, Licence
from sanxiang.licensing.testing import applicant, build_licensing_world, files, multipart
from sanxiang.testing import build_world, token_client


@pytest.fixture
def worlds(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    return world, build_licensing_world(world)


def _act(client, case_id, action, data, status=200):
    response = client.post(f"/api/cases/{case_id}/actions/{action}/", data, format="json")
    assert response.status_code == status, response.content.decode()
    body = response.json()
    return body["error"] if status >= 400 else body


def _issue(client, case_id, kind, status=201):
    response = client.post(f"/api/cases/{case_id}/documents/", {"kind": kind}, format="json")
    assert response.status_code == status, response.content.decode()
    return response.json()


def apply_online(lw, keys=("form", "id")):
    response = Client().post(f"/api/public/licensing/items/{lw.item.pk}/apply/", multipart(applicant(), keys=keys))
    assert response.status_code == 201, response.content.decode()
    return response.json()


def register(lw, number):
    application = Application.objects.get(number=number)
    client = token_client(lw.lina)
    response = client.post(f"/api/licensing/applications/{application.pk}/register/",
                           {"officers": [lw.lina_officer.pk, lw.mike_officer.pk]}, format="json")
    assert response.status_code == 201, response.content.decode()
    return client, response.json()["case"]


def test_licensing_flow_end_to_end(worlds):
    world, lw = worlds
    today = timezone.localdate()
    filed = apply_online(lw)  # 设置方案 missing: 补正 follows
    assert filed["number"].startswith("XK") and len(filed["query_code"]) == 8
    application = Application.objects.get(number=filed["number"])
    assert application.materials.count() == 2 and len(application.materials.first().file.sha256) == 64
    assert application.query_code_hash != filed["query_code"]  # stored hashed
    lina, case_id = register(lw, filed["number"])

    refused = _act(lina, case_id, "accept", {"accepted_on": today.isoformat()}, 400)
    assert refused["code"] == "materials_incomplete" and "设置方案及效果图" in refused["message"]
    _act(lina, case_id, "request_supplement", {"supplement_on": today.isoformat(), "missing_materials": ["plan"]})
    refused = _act(lina, case_id, "record_supplement", {"supplemented_on": today.isoformat()}, 409)
    assert refused["code"] == "document_missing"
    _issue(lina, case_id, "supplement_notice")
    refused = _act(lina, case_id, "record_supplement", {"supplemented_on": today.isoformat()}, 400)
    assert refused["code"] == "supplement_missing"
    upload = lina.post(f"/api/licensing/applications/{application.pk}/materials/",
                       {"material_plan": files("plan")["plan"]}, format="multipart")
    assert upload.status_code == 201, upload.content.decode()
    assert any(m["supplement"] for m in upload.json()["materials"])
    _act(lina, case_id, "record_supplement", {"supplemented_on": today.isoformat()})

    case = _act(lina, case_id, "accept", {"accepted_on": today.isoformat()})
    assert case["state"] == "examination"
    assert case["decision_due"] == add_working_days(today, 20, what="t").isoformat()
    _issue(lina, case_id, "acceptance_notice")
    _act(lina, case_id, "record_examination", {
        "examined_on": today.isoformat(), "onsite_checked": True, "onsite_record": "两名工作人员现场核查，位置与方案一致",
        "examination_opinion": "申请材料齐全，符合设置规划", "recommendation": "grant"})

    erin = token_client(world.erin)
    case = _act(erin, case_id, "grant", {"decided_on": today.isoformat(), "licence_scope": "中州路12号楼顶广告牌一块，6米×3米",
                                         "valid_until": "三年", "decision_reasons": "符合《城市市容和环境卫生管理条例》第十一条"})
    assert case["state"] == "certificate"
    publication = Publication.objects.get(case_id=case_id)
    assert publication.due_on == add_working_days(today, 7, what="t")
    assert "行政许可决定" in publication.title
    _issue(lina, case_id, "licence_grant_decision")
    _issue(lina, case_id, "licence_certificate")
    case = _act(lina, case_id, "issue_licence", {"certificate_on": today.isoformat()})
    assert case["state"] == "granted"
    licence = Licence.objects.get(case_id=case_id)
    assert licence.holder == "钱多多" and "许证" in licence.number

    progress = Client().post("/api/public/progress/", {"number": filed["number"], "code": filed["query_code"]})
    assert progress.status_code == 200
    body = progress.json()
    assert body["status"] == "已准予许可并颁发证件" and "准予行政许可" in body["outcome"] and body["links"] == []
    assert [s["text"] for s in body["steps"]][-1] == "许可证件已颁发、送达"
    # Released for publication: the applicant sees the link.
    published = erin.post(f"/api/publications/{publication.pk}/publish/")
    assert published.status_code == 200, published.content.decode()
    body = Client().post("/api/public/progress/", {"number": filed["number"], "code": filed["query_code"]}).json()
    assert body["links"][0]["url"] == f"/decisions/{publication.pk}/"
    wrong = Client().post("/api/public/progress/", {"number": filed["number"], "code": "AAAAAAAA"})
    assert wrong.status_code == 404
    page = Client().get(f"/decisions/{publication.pk}/")
    assert "准予行政许可" in page.content.decode()


def test_refusal_and_not_accepted_paths(worlds):
    world, lw = worlds
    today = timezone.localdate().isoformat()
    filed = apply_online(lw, keys=("form", "id", "plan"))
    lina, case_id = register(lw, filed["number"])
    _act(lina, case_id, "accept", {"accepted_on": today})
    _issue(lina, case_id, "acceptance_notice")
    _act(lina, case_id, "record_examination", {"examined_on": today, "examination_opinion": "不符合设置规划",
                                               "recommendation": "refuse"})
    erin = token_client(world.erin)
    _act(erin, case_id, "refuse", {"decided_on": today, "decision_reasons": "拟设置位置位于规划禁设区域"})
    _issue(lina, case_id, "licence_refusal_decision")
    assert _act(lina, case_id, "serve_refusal", {"served_on": today})["state"] == "refused"
    text = Publication.objects.get(case_id=case_id).content["result"]
    assert text == "不予行政许可"

    filed = apply_online(lw)
    lina, case_id = register(lw, filed["number"])
    _act(lina, case_id, "not_accept", {"not_accepted_on": today, "refusal_reason": "申请事项不属于本机关职权范围",
                                       "refer_to": "河洛市自然资源和规划局"})
    _issue(lina, case_id, "non_acceptance_notice")
    assert _act(lina, case_id, "serve_non_acceptance", {"served_on": today})["state"] == "not_accepted"


def test_counter_application_and_guide_api(worlds):
    world, lw = worlds
    lina = token_client(lw.lina)
    data = multipart(applicant())
    data["item"] = str(lw.item.pk)
    response = lina.post("/api/licensing/applications/", data, format="multipart")
    assert response.status_code == 201, response.content.decode()
    assert response.json()["channel"] == "counter"
    listed = lina.get("/api/licensing/applications/?waiting=1").json()
    assert [a["number"] for a in listed] == [response.json()["number"]]
    guide = Client().get(f"/api/public/licensing/items/{lw.item.pk}/guide/").json()
    assert [m["key"] for m in guide["materials"]] == ["form", "id", "plan", "consent"]
    fees = Client().get("/api/public/fees/").json()
    assert {f["code"] for f in fees} == {"SF001", "ZS001"}
    # The mallory agency sees none of them.
    assert token_client(world.mallory).get("/api/licensing/applications/").json() == []
