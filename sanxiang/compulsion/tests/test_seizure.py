"""查封、扣押 (《行政强制法》第十八条至第二十八条): the whole flow through the API, and each rule's refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanxiang.cases.services import case_open, case_transition
from sanxiang.common.exceptions import DomainError, EvidenceMissing
from sanxiang.compulsion.testing import THINGS, minute, video
from sanxiang.testing import citizen_party, token_client

TODAY = timezone.localdate()


def seizure_values(at: dt.datetime, **extra) -> dict:
    return {"seized_at": minute(at), "seized_on": timezone.localtime(at).date().isoformat(), "seizure_measure": "detain",
            "seizure_place": "河洛市西工区中州路与九都路交叉口", "seizure_facts": "涉嫌未经核准擅自运输建筑垃圾，车辆系违法工具。",
            "things": THINGS, "party_present": "当事人到场并签名", **extra}


def opened(w, officers=None):
    return case_open(actor=w.alice, item=w.seizure_item, party=citizen_party(), title="未经核准运输建筑垃圾",
                     officers=officers or [w.alice_officer, w.bob_officer], opened_on=TODAY - dt.timedelta(days=1))


def in_force(w):
    case = opened(w)
    case_transition(case=case, action="approve_seizure", actor=w.erin, data={"approval_opinion": "同意扣押"})
    case.refresh_from_db()
    video(case, w.alice)
    case_transition(case=case, action="carry_out_seizure", actor=w.alice, data=seizure_values(timezone.now()))
    case.refresh_from_db()
    return case


def on_day(monkeypatch, day: dt.date):
    monkeypatch.setattr("sanxiang.cases.services.today", lambda: day)


@pytest.mark.django_db
def test_seizure_walked_whole_through_the_api(cworld):
    w = cworld
    alice, erin = token_client(w.alice), token_client(w.erin)
    response = alice.post("/api/cases/", {
        "item": w.seizure_item.code, "title": "未经核准运输建筑垃圾", "party": citizen_party(),
        "officers": [w.alice_officer.certificate_no, w.bob_officer.certificate_no]}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "application"

    def act(client, action, data):
        r = client.post(f"/api/cases/{pk}/actions/{action}/", data, format="json")
        assert r.status_code == 200, r.json()
        return r.json()

    act(erin, "approve_seizure", {"approval_opinion": "情况属实，同意扣押。"})
    # Video is mandatory: 查封扣押 is on the audio-video list whatever the agency chose.
    r = alice.post(f"/api/cases/{pk}/actions/carry_out_seizure/", seizure_values(timezone.now()), format="json")
    assert r.status_code == 422 or r.status_code >= 400
    assert r.json()["error"]["code"] == "av_record_missing"
    upload = alice.post(f"/api/cases/{pk}/evidence/", {
        "file": _video_file(), "kind": "video", "description": "扣押全程"}, format="multipart")
    assert upload.status_code == 201, upload.json()
    body = act(alice, "carry_out_seizure", seizure_values(timezone.now()))
    assert body["state"] == "in_force"
    assert body["step_due"] == (TODAY + dt.timedelta(days=30)).isoformat()
    for kind in ("seizure_decision", "seizure_list"):
        doc = alice.post(f"/api/cases/{pk}/documents/", {"kind": kind}, format="json")
        assert doc.status_code == 201, doc.json()
    decision = alice.get(f"/api/cases/{pk}/documents/").json()
    texts = {d["kind"]: str(d["content"]) for d in decision}
    assert "电动三轮车" in texts["seizure_list"] and "八成新" in texts["seizure_list"]
    assert "强封〔" in next(d["number"] for d in decision if d["kind"] == "seizure_decision")
    assert "第二十五条" in texts["seizure_decision"]

    body = act(erin, "extend_seizure", {"extension_reasons": "案情复杂，需对车辆来源进一步核查"})
    assert body["step_due"] == (TODAY + dt.timedelta(days=60)).isoformat()
    assert alice.post(f"/api/cases/{pk}/documents/", {"kind": "seizure_extension"}, format="json").status_code == 201
    body = act(erin, "release_seizure", {"release_ground": "handled", "release_reasons": "已作出行政处罚决定"})
    assert body["state"] == "return_things"
    assert alice.post(f"/api/cases/{pk}/documents/", {"kind": "seizure_release"}, format="json").status_code == 201
    body = act(alice, "record_return", {"returned_on": TODAY.isoformat(), "return_note": "车辆已退还，当事人签收"})
    assert body["state"] == "released"
    kinds = sorted(d["kind"] for d in alice.get(f"/api/cases/{pk}/documents/").json())
    assert kinds == ["seizure_decision", "seizure_extension", "seizure_list", "seizure_release"]
    from sanxiang.compulsion.models import SeizedThing

    assert SeizedThing.objects.filter(case_id=pk).count() == 2


def _video_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanxiang.compulsion.testing import VIDEO

    return SimpleUploadedFile("执法记录仪.mp4", VIDEO, content_type="video/mp4")


@pytest.mark.django_db
def test_one_officer_only_is_refused(cworld):
    w = cworld
    with pytest.raises(DomainError) as err:
        opened(w, officers=[w.alice_officer])
    assert err.value.code == "too_few_officers" and "不得少于2人" in err.value.message


@pytest.mark.django_db
def test_officer_without_compulsion_certificate_is_refused(cworld):
    from sanxiang.common.services import record_save

    w = cworld
    w.bob_officer.enforcement_kinds = ["penalty"]
    record_save(w.bob_officer, actor="factory")
    with pytest.raises(DomainError) as err:
        opened(w)
    assert err.value.code == "certificate_invalid" and "行政强制" in err.value.message


@pytest.mark.django_db
def test_seizure_before_approval_is_refused(cworld):
    w = cworld
    case = opened(w)
    case_transition(case=case, action="approve_seizure", actor=w.erin, data={"approval_opinion": "同意"})
    video(case, w.alice)
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="carry_out_seizure", actor=w.alice,
                        data=seizure_values(timezone.now() - dt.timedelta(hours=2)))
    assert err.value.code == "seized_before_approval" and "第十八条" in err.value.message


@pytest.mark.django_db
def test_urgent_seizure_needs_video_and_approval_within_24_hours(cworld, monkeypatch):
    w = cworld
    case = opened(w)
    values = seizure_values(timezone.now() - dt.timedelta(hours=2), urgent=True, urgent_reasons="车辆正欲驶离")
    with pytest.raises(EvidenceMissing):
        case_transition(case=case, action="seize_urgently", actor=w.alice, data=values)
    video(case, w.alice)
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="seize_urgently", actor=w.alice, data={**values, "urgent": False})
    assert err.value.code == "urgent_not_flagged"
    case_transition(case=case, action="seize_urgently", actor=w.alice, data=values)
    # 25 hours after the act: too late to approve; the head may only release.
    later = timezone.now() + dt.timedelta(hours=23)
    monkeypatch.setattr("sanxiang.compulsion.rules._now", lambda: later)
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="approve_afterwards", actor=w.erin, data={"approval_opinion": "同意"})
    assert err.value.code == "approval_too_late" and "24小时" in err.value.message and "第十九条" in err.value.message
    event = case_transition(case=case, action="disapprove_afterwards", actor=w.erin,
                            data={"release_reasons": "逾期未补办批准手续，立即解除"})
    assert event.to_state == "return_things"


@pytest.mark.django_db
def test_urgent_seizure_approved_within_24_hours(cworld):
    w = cworld
    case = opened(w)
    video(case, w.alice)
    case_transition(case=case, action="seize_urgently", actor=w.alice,
                    data=seizure_values(timezone.now() - dt.timedelta(hours=20), urgent=True, urgent_reasons="车辆正欲驶离"))
    event = case_transition(case=case, action="approve_afterwards", actor=w.erin, data={"approval_opinion": "同意"})
    assert event.to_state == "in_force"


@pytest.mark.django_db
def test_day_31_without_extension_is_refused(cworld, monkeypatch):
    w = cworld
    case = in_force(w)
    on_day(monkeypatch, TODAY + dt.timedelta(days=31))
    for action, data in (("confiscate", {"outcome_basis": "依法没收"}),
                         ("extend_seizure", {"extension_reasons": "情况复杂"}),
                         ("release_seizure", {"release_ground": "handled", "release_reasons": "已处理"})):
        with pytest.raises(DomainError) as err:
            case_transition(case=case, action=action, actor=w.erin, data=data)
        assert err.value.code == "seizure_expired", action
        assert "第二十五条" in err.value.message and "第31日" in err.value.message
    # The period has run: the seizure is released on that ground (第二十八条第一款第四项).
    event = case_transition(case=case, action="release_seizure", actor=w.erin,
                            data={"release_ground": "expired", "release_reasons": "期限届满"})
    assert event.to_state == "return_things"


@pytest.mark.django_db
def test_day_30_is_within_the_period(cworld, monkeypatch):
    w = cworld
    case = in_force(w)
    on_day(monkeypatch, TODAY + dt.timedelta(days=30))
    assert case_transition(case=case, action="confiscate", actor=w.erin,
                           data={"outcome_basis": "依法没收"}).to_state == "confiscated"


@pytest.mark.django_db
def test_extension_once_then_refused_and_period_runs_to_day_60(cworld, monkeypatch):
    w = cworld
    case = in_force(w)
    on_day(monkeypatch, TODAY + dt.timedelta(days=20))
    case_transition(case=case, action="extend_seizure", actor=w.erin, data={"extension_reasons": "情况复杂"})
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="extend_seizure", actor=w.erin, data={"extension_reasons": "再延长"})
    assert err.value.code == "second_extension" and "第二十五条" in err.value.message
    on_day(monkeypatch, TODAY + dt.timedelta(days=61))
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="confiscate", actor=w.erin, data={"outcome_basis": "没收"})
    assert err.value.code == "seizure_expired" and "已延长一次" in err.value.message
    on_day(monkeypatch, TODAY + dt.timedelta(days=60))
    assert case_transition(case=case, action="transfer_seizure", actor=w.erin,
                           data={"receiving_organ": "河洛市公安局", "outcome_basis": "涉嫌犯罪"}).to_state == "transferred"


@pytest.mark.django_db
def test_things_list_needs_quantity_and_condition(cworld):
    w = cworld
    case = opened(w)
    case_transition(case=case, action="approve_seizure", actor=w.erin, data={"approval_opinion": "同意"})
    video(case, w.alice)
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="carry_out_seizure", actor=w.alice,
                        data=seizure_values(timezone.now(), things="电动三轮车|一辆|辆|旧"))
    assert err.value.code == "thing_quantity_invalid" and "第二十四条" in err.value.message
    with pytest.raises(DomainError) as err:
        case_transition(case=case, action="carry_out_seizure", actor=w.alice,
                        data=seizure_values(timezone.now(), things="电动三轮车|1|辆|"))
    assert err.value.code == "thing_condition_missing"


@pytest.mark.django_db
def test_seizure_expiring_alert(cworld):
    from sanxiang.common.alerts import ALERT_RULES

    w = cworld
    case = in_force(w)
    rule = ALERT_RULES["seizure_expiring"]
    assert list(rule.find(5, TODAY)) == []
    findings = list(rule.find(5, TODAY + dt.timedelta(days=27)))
    assert [f.case_id for f in findings] == [case.pk]
    assert "3日后届满" in findings[0].text and "第二十五条" in findings[0].text
