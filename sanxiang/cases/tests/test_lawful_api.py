"""One case through the API, trying every unlawful move of issue 7 §1–3 on the way: each is refused
with its code and a Chinese message naming the rule, and leaves the case row and the ledger as
they were; the lawful move that follows goes through."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.accounts.models import Role
from sanxiang.cases.models import Case
from sanxiang.ledger.models import Entry
from sanxiang.ledger.services import ledger_size
from sanxiang.testing import citizen_party, officer_user

TODAY = timezone.localdate()
OPENED = TODAY - dt.timedelta(days=30)
NOTICE = OPENED + dt.timedelta(days=10)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def state(pk: int) -> tuple:
    case = Case.objects.get(pk=pk)
    # A refusal by role or separation is itself recorded (audit.permission_denied); nothing else is.
    case_entries = ledger_size() - Entry.objects.filter(kind__startswith="audit.").count()
    return model_to_dict(case), case_entries, case.events.count(), case.documents.count(), case.evidence.count()


class Walk:
    def __init__(self, pk: int):
        self.pk = pk
        self.refusals: list[str] = []

    def refuse(self, client, path: str, payload, code: str, says: str, fmt="json"):
        before = state(self.pk)
        response = client.post(f"/api/cases/{self.pk}/{path}", payload, format=fmt)
        assert response.status_code in (400, 403, 409), (code, response.status_code, response.content)
        error = response.json()["error"]
        assert error["code"] == code, (code, error)
        assert says in error["message"], (says, error["message"])
        assert state(self.pk) == before, f"{code} changed the case"
        self.refusals.append(code)
        return error

    def act(self, client, action: str, data: dict):
        response = client.post(f"/api/cases/{self.pk}/actions/{action}/", data, format="json")
        assert response.status_code == 200, (action, response.content)
        return response.json()


def test_every_refusal_of_periods_chronology_documents_and_separation_in_a_row(world):
    hank, hank_officer = officer_user(world.agency, Role.UNIT_HEAD, "hank", "韩科长")
    harry, harry_officer = officer_user(world.agency, Role.AGENCY_HEAD, "harry", "何局长")
    alice, carol, dave, erin = api(world.alice), api(world.carol), api(world.dave), api(world.erin)
    response = alice.post("/api/cases/", {
        "item": world.item.code, "title": "擅自倾倒建筑垃圾", "opened_on": OPENED.isoformat(),
        "officers": [world.alice_officer.certificate_no, hank_officer.certificate_no,
                     harry_officer.certificate_no], "party": citizen_party()}, format="json")
    assert response.status_code == 201, response.content
    walk = Walk(response.json()["id"])

    # §3 an approver who handles the case does not approve it.
    err = walk.refuse(api(hank), "actions/approve_filing/", {"filing_opinion": "同意"}, "approver_is_handler",
                      "第五十七条")
    assert err["rule"] and err["field"] == "actor"
    walk.act(carol, "approve_filing", {"filing_opinion": "同意立案"})

    # §3 the legal reviewer neither makes investigation documents nor uploads evidence.
    inquiry = {"started_at": f"{OPENED + dt.timedelta(days=1)} 09:30", "place": "询问室", "interviewee": "张三丰",
               "qa": "问：是否属实？\n答：属实。"}
    walk.refuse(dave, "documents/", {"kind": "inquiry_record", "extra": inquiry}, "reviewer_investigating",
                "第五十八条")
    photo = SimpleUploadedFile("scene.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    walk.refuse(dave, "evidence/", {"file": photo, "kind": "photo"}, "reviewer_investigating", "上传证据",
                fmt="multipart")
    assert alice.post(f"/api/cases/{walk.pk}/documents/", {"kind": "inquiry_record", "extra": inquiry},
                      format="json").status_code == 201

    # §2 a document of a step not reached yet.
    walk.refuse(alice, "documents/", {"kind": "prior_notice"}, "document_step_not_reached", "事先告知")
    walk.act(alice, "submit_investigation", {"facts": "倾倒建筑垃圾", "investigation_report": "事实清楚",
                                             "proposed_penalty_kinds": ["fine"], "proposed_fine": "800"})
    walk.refuse(api(hank), "actions/approve_proposal/", {"examination_opinion": "同意"}, "approver_is_handler",
                "承办人员")
    walk.act(carol, "approve_proposal", {"examination_opinion": "同意"})

    # §2 after its step, a document only as a 补正 with a reason.
    walk.refuse(alice, "documents/", {"kind": "inquiry_record", "extra": inquiry}, "document_correction_required",
                "补正")

    # §2 chronology: before the filing, in the future; §1 a waiver needs the signed statement.
    notice = {"statement": "当事人未提出陈述申辩意见。"}
    walk.refuse(alice, "actions/complete_notice/", {**notice, "notice_served_on": str(OPENED - dt.timedelta(days=1))},
                "date_out_of_order", "立案日期")
    walk.refuse(alice, "actions/complete_notice/", {**notice, "notice_served_on": str(TODAY + dt.timedelta(days=1))},
                "date_in_future", "不能晚于今天")
    walk.refuse(alice, "actions/complete_notice/", {**notice, "notice_served_on": str(NOTICE), "rights_waived": True},
                "waiver_not_attached", "第四十四条")
    walk.act(alice, "complete_notice", {**notice, "notice_served_on": str(NOTICE)})

    # §1 the decision on the day the notice was served; §3 only the head, and not his own case.
    decision = {"penalty_kinds": ["fine"], "fine_amount": "800", "reasons": "依据……"}
    walk.refuse(erin, "actions/decide/", {**decision, "decided_on": str(NOTICE)}, "statement_period_running",
                "陈述申辩期限")
    walk.refuse(api(harry), "actions/decide/", {**decision, "decided_on": str(NOTICE + dt.timedelta(days=5))},
                "decider_is_handler", "第五十七条")
    decided_on = NOTICE + dt.timedelta(days=5)
    walk.act(erin, "decide", {**decision, "decided_on": str(decided_on)})

    # §2 service before the decision, execution before service.
    walk.refuse(alice, "actions/record_service/", {"served_on": str(decided_on - dt.timedelta(days=1)),
                                                   "service_method": "direct"}, "date_out_of_order", "决定日期")
    served_on = decided_on + dt.timedelta(days=2)
    walk.act(alice, "record_service", {"served_on": str(served_on), "service_method": "direct"})
    walk.refuse(alice, "actions/record_execution/", {"executed_on": str(served_on - dt.timedelta(days=1)),
                                                     "execution_note": "已缴纳"}, "date_out_of_order", "送达日期")
    walk.act(alice, "record_execution", {"executed_on": str(served_on + dt.timedelta(days=3)),
                                         "execution_note": "已缴纳"})
    walk.refuse(api(hank), "actions/approve_closing/", {"closing_opinion": "同意结案"}, "approver_is_handler",
                "承办人员")
    walk.act(carol, "approve_closing", {"closing_opinion": "同意结案"})

    # §2 after 结案: nothing but a 补正, and only with the head's approval.
    walk.refuse(alice, "documents/", {"kind": "filing_approval"}, "document_after_closing", "结案")
    walk.refuse(alice, "documents/", {"kind": "filing_approval", "correction_reason": "补制"}, "correction_needs_head",
                "负责人")
    made = erin.post(f"/api/cases/{walk.pk}/documents/", {"kind": "filing_approval", "correction_reason": "补制"},
                     format="json")
    assert made.status_code == 201 and made.json()["content"]["correction"]["reason"] == "补制"
    assert len(walk.refusals) == 16
