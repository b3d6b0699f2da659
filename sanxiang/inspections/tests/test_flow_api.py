"""The inspection flow through the REST API: draw → task → on-site → 责令改正 → 复查 → 立案查处."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanxiang.cases.models import Case
from sanxiang.cases.walkthrough import SAMPLE_VIDEO, record_time
from sanxiang.inspections.models import Referral, Task
from sanxiang.inspections.testing import build_inspection_world
from sanxiang.testing import build_world, token_client

TODAY = timezone.localdate().isoformat()


def _action(client, case_id, action, data):
    return client.post(f"/api/cases/{case_id}/actions/{action}/", data, format="json")


def _document(client, case_id, kind, extra):
    return client.post(f"/api/cases/{case_id}/documents/", {"kind": kind, "extra": extra}, format="json")


@pytest.mark.django_db
def test_the_whole_inspection_flow_through_the_api(settings, tmp_path):
    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    iw = build_inspection_world(world)
    head, alice = token_client(world.erin), token_client(world.alice)

    drawn = head.post(f"/api/inspections/plans/{iw.plan.pk}/draw/", {}, format="json")
    assert drawn.status_code == 201, drawn.content
    published = drawn.json()
    assert published["commit_ledger_index"] < published["ledger_index"]
    # A: 2 entities × 0.5 → 1; B, C, D all: 1 + 2 + 1... (GRADES A A B B C D) → 1 + 2 + 1 + 1 = 5.
    assert len(published["result"]["targets"]) == 5
    assert token_client(world.carol).get(f"/api/public/draws/{published['id']}/").json() == published

    target = published["result"]["targets"][0]
    assert set(target["inspectors"]) == {world.alice_officer.certificate_no, world.bob_officer.certificate_no}
    opened = alice.post(f"/api/inspections/plans/{iw.plan.pk}/tasks/", {"uscc": target["id"]}, format="json")
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    case = Case.objects.get(pk=case_id)
    assert case.item.kind == "inspection" and case.flow.code == "inspection_general" and case.state == "task"
    assert Task.objects.get(case=case).draw_id == published["id"]
    again = alice.post(f"/api/inspections/plans/{iw.plan.pk}/tasks/", {"uscc": target["id"]}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "task_exists"

    assert _action(alice, case_id, "start_inspection", {"inspection_notice": "检查门前三包落实情况"}).status_code == 200
    onsite = {"inspected_on": TODAY, "certificates_shown": True, "party_signature": "refused",
              "refusal_note": "", "findings": "门前堆放杂物"}
    # The record, the video, the refusal noted: each refused in turn until it is there.
    refused = _action(alice, case_id, "record_onsite", onsite)
    assert refused.json()["error"]["code"] == "inspection_record_missing"
    record = _document(alice, case_id, "inspection_record", {
        "mode": "检查", "started_at": record_time(timezone.localdate(), 9), "place": "中州路1号", "record": "门前堆放杂物"})
    assert record.status_code == 201, record.content
    refused = _action(alice, case_id, "record_onsite", onsite)
    assert refused.json()["error"]["code"] == "refusal_not_noted"
    onsite["refusal_note"] = "负责人拒绝签名，邻近商户王某见证，全程录像"
    refused = _action(alice, case_id, "record_onsite", onsite)
    assert refused.json()["error"]["code"] in {"onsite_video_missing", "av_record_missing"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    video = SimpleUploadedFile("现场检查.mp4", SAMPLE_VIDEO + b"x", content_type="video/mp4")
    assert alice.post(f"/api/cases/{case_id}/evidence/", {"file": video, "kind": "video"}).status_code == 201
    assert _action(alice, case_id, "record_onsite", {**onsite, "certificates_shown": False}).json()["error"]["code"] \
        == "certificate_not_shown"
    ok = _action(alice, case_id, "record_onsite", onsite)
    assert ok.status_code == 200, ok.content

    refused = _action(alice, case_id, "record_result", {"result": "rectify", "result_note": "责令改正"})
    assert refused.json()["error"]["code"] == "rectification_notice_missing"
    notice = _document(alice, case_id, "rectification_notice", {"deadline": TODAY, "requirements": "清理门前杂物"})
    assert notice.status_code == 201, notice.content
    assert _action(alice, case_id, "record_result", {"result": "rectify", "result_note": "责令改正"}).status_code == 200
    case.refresh_from_db()
    assert case.state == "rectification" and case.data["rectify_deadline"] == TODAY

    recheck = {"rechecked_on": TODAY, "rectified": "no", "recheck_note": "逾期未改正"}
    assert _action(alice, case_id, "record_recheck", recheck).json()["error"]["code"] == "recheck_opinion_missing"
    assert _document(alice, case_id, "recheck_opinion", {"rechecked_on": TODAY, "situation": "杂物仍在",
                                                          "opinion": "未改正"}).status_code == 201
    assert _action(alice, case_id, "record_recheck", recheck).status_code == 200
    case.refresh_from_db()
    assert case.state == "result" and case.closed_on is None

    refused = _action(alice, case_id, "record_result", {"result": "violation", "result_note": "移送立案"})
    assert refused.json()["error"]["code"] == "penalty_item_required"
    done = _action(alice, case_id, "record_result", {"result": "violation", "result_note": "移送立案",
                                                      "penalty_item": str(world.item.pk),
                                                      "violation_facts": "拒不清理门前堆放的杂物"})
    assert done.status_code == 200, done.content
    case.refresh_from_db()
    assert case.state == "referred" and case.closed_on is not None
    referral = Referral.objects.get(inspection_case=case)
    penalty = referral.penalty_case
    assert penalty.item == world.item and penalty.state == "filing"
    assert set(penalty.officers.all()) == set(case.officers.all())
    assert penalty.party == case.party
    # The video and the three documents' PDFs, the same stored files.
    assert referral.evidence_count == 4
    assert set(penalty.evidence.values_list("file__sha256", flat=True)) >= set(
        case.evidence.values_list("file__sha256", flat=True))
    assert case.data["penalty_case"] == penalty.number
    # The penalty case runs on the penalty flow as usual.
    assert token_client(world.alice).get(f"/api/cases/{penalty.pk}/").status_code == 200
    # Every row written on the way (draw, task, referral, carried evidence) matches the ledger.
    from sanxiang.ledger.verification import verify_all

    report = verify_all()
    assert report.ok, report.problems[:5]


@pytest.mark.django_db
def test_a_passed_inspection_is_closed(settings, tmp_path):
    from sanxiang.inspections import services, walkthrough

    settings.EVIDENCE_UPLOAD_DIR = str(tmp_path / "uploads")
    world = build_world()
    iw = build_inspection_world(world)
    draw = services.plan_draw(actor=world.erin, plan=iw.plan)
    case = services.task_open_from_draw(actor=world.alice, plan=iw.plan, uscc=draw.result["targets"][0]["id"])
    case = walkthrough.onsite(walkthrough.start(case, world.alice), world.alice)
    case = walkthrough.conclude(case, world.alice, "pass")
    assert case.state == "closed" and case.closed_on == timezone.localdate()
