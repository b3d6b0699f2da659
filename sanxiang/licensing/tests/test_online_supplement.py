"""网上补正: the applicant uploads the materials a 补正材料通知书 listed, with the application number
and query code (portal page and public API); the officer records the 补正 and accepts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.ledger.models import Entry
from sanxiang.licensing.models import Application
from sanxiang.licensing.testing import build_licensing_world, files
from sanxiang.licensing.tests.test_licensing_api import _act, _issue, apply_online, register
from sanxiang.testing import build_world

URL = "/licensing/supplement/"
API = "/api/public/licensing/supplement/"


@pytest.fixture
def waiting(db, settings, tmp_path):
    """An online application registered, with 补正 of 设置方案 requested and its notice issued."""
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    lw = build_licensing_world(world)
    filed = apply_online(lw)  # 设置方案 (plan) missing
    lina, case_id = register(lw, filed["number"])
    today = timezone.localdate().isoformat()
    _act(lina, case_id, "request_supplement", {"supplement_on": today, "missing_materials": ["plan"]})
    _issue(lina, case_id, "supplement_notice")
    return lw, filed, lina, case_id


def _progress(filed) -> dict:
    return Client().post("/api/public/progress/", {"number": filed["number"], "code": filed["query_code"]}).json()


def test_the_progress_result_leads_to_the_supplement_page_only_while_waiting(waiting):
    lw, filed, lina, case_id = waiting
    links = _progress(filed)["links"]
    assert {"label": "在线补正材料", "url": f"{URL}?number={filed['number']}"} in links
    page = Client().get(links[0]["url"]).content.decode()
    assert f'value="{filed["number"]}"' in page  # the number carried over; the code is typed again


def test_the_applicant_uploads_online_and_the_officer_records_it_and_accepts(waiting):
    lw, filed, lina, case_id = waiting
    client = Client()
    opened = client.post(URL, {"number": filed["number"], "query_code": filed["query_code"], "step": "open"})
    page = opened.content.decode()
    assert opened.status_code == 200 and "设置方案及效果图" in page and 'name="material_plan"' in page
    assert 'name="material_form"' not in page  # only what the notice listed
    sent = client.post(URL, {"number": filed["number"], "query_code": filed["query_code"].lower(), "step": "upload",
                             "material_plan": files("plan")["plan"]})
    assert sent.status_code == 201, sent.content.decode()
    assert "已收到补正材料1份" in sent.content.decode()
    application = Application.objects.get(number=filed["number"])
    row = application.materials.get(key="plan")
    assert row.supplement and len(row.file.sha256) == 64
    entry = Entry.objects.filter(kind="licensing.materials").latest("index")
    assert entry.actor == "public:online-supplement" and "网上补正材料1份" in bytes(entry.body).decode()
    # The officer sees it on the staff list, records the 补正 and the case goes on to 受理.
    staff = Client()
    staff.force_login(lw.lina)
    assert "设置方案及效果图（补正）" in staff.get("/staff/licensing/applications/").content.decode()
    _act(lina, case_id, "record_supplement", {"supplemented_on": timezone.localdate().isoformat()})
    case = _act(lina, case_id, "accept", {"accepted_on": timezone.localdate().isoformat()})
    assert case["state"] == "examination"
    assert "补正材料已收到" in [s["text"] for s in _progress(filed)["steps"]]
    # No longer waiting for 补正: refused, and the link is gone.
    late = client.post(URL, {"number": filed["number"], "query_code": filed["query_code"], "step": "open"})
    assert late.status_code == 409 and "不在补正环节" in late.content.decode()
    assert all(link["label"] != "在线补正材料" for link in _progress(filed)["links"])


def test_a_wrong_code_and_an_unknown_number_get_the_same_refusal(waiting):
    lw, filed, lina, case_id = waiting
    wrong = Client().post(URL, {"number": filed["number"], "query_code": "AAAAAAAA", "step": "upload",
                                "material_plan": files("plan")["plan"]})
    unknown = Client().post(URL, {"number": "XK000", "query_code": filed["query_code"], "step": "open"})
    for answer in (wrong, unknown):
        page = answer.content.decode()
        assert answer.status_code == 400 and 'id="query_code-error"' in page and "申请编号或查询码不正确" in page
        assert "设置方案及效果图" not in page
    assert f'value="{filed["number"]}"' in wrong.content.decode()  # the input is kept
    assert not Application.objects.get(number=filed["number"]).materials.filter(key="plan").exists()


def test_a_material_not_listed_and_an_empty_upload_are_refused(waiting):
    lw, filed, lina, case_id = waiting
    other = Client().post(URL, {"number": filed["number"], "query_code": filed["query_code"], "step": "upload",
                                "material_consent": files("consent")["consent"]})
    assert other.status_code == 400 and "不在补正材料通知书所列" in other.content.decode()
    empty = Client().post(URL, {"number": filed["number"], "query_code": filed["query_code"], "step": "upload"})
    assert empty.status_code == 400 and 'id="materials-error"' in empty.content.decode()
    assert Application.objects.get(number=filed["number"]).materials.filter(supplement=True).count() == 0


def test_an_application_not_waiting_for_supplement_is_refused(db, settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    lw = build_licensing_world(build_world())
    filed = apply_online(lw)  # not registered yet: no 补正材料通知书
    answer = Client().post(API, {"number": filed["number"], "query_code": filed["query_code"],
                                 "material_plan": files("plan")["plan"]})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "not_in_supplement"


def test_the_public_api_takes_the_listed_materials(waiting):
    lw, filed, lina, case_id = waiting
    wrong = Client().post(API, {"number": filed["number"], "query_code": "AAAAAAAA",
                                "material_plan": files("plan")["plan"]})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "query_code"
    other = Client().post(API, {"number": filed["number"], "query_code": filed["query_code"],
                                "material_form": files("form")["form"]})
    assert other.status_code == 400 and other.json()["error"]["code"] == "material_not_requested"
    sent = Client().post(API, {"number": filed["number"], "query_code": filed["query_code"],
                               "material_plan": files("plan")["plan"]})
    assert sent.status_code == 201, sent.content.decode()
    assert [m["key"] for m in sent.json()["materials"]] == ["plan"]
    _act(lina, case_id, "record_supplement", {"supplemented_on": timezone.localdate().isoformat()})


def test_the_supplement_form_is_rate_limited_like_the_progress_lookup(waiting, settings):
    lw, filed, lina, case_id = waiting
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "progress_lookup": "2/minute"}
    client = Client(REMOTE_ADDR="127.0.9.9")
    for _ in range(2):
        assert client.post(URL, {"number": filed["number"], "query_code": "AAAAAAAA"}).status_code == 400
    assert client.post(URL, {"number": filed["number"], "query_code": filed["query_code"]}).status_code == 429
    assert Client(REMOTE_ADDR="127.0.9.9").post(API, {"number": "x", "query_code": "y"}).status_code == 400
