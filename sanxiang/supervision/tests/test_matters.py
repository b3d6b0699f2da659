"""监督案件: open, assign, transfer, answer, remind, escalate, close; documents; scoping; refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.accounts.models import Role
from sanxiang.accounts.scoping import OutOfScope
from sanxiang.cases.services import case_open
from sanxiang.common.exceptions import DomainError, RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.tracking import progress_lookup
from sanxiang.documents.kinds import KINDS
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.supervision import matter_services as s
from sanxiang.supervision.complaints import complaint_submit
from sanxiang.supervision.matter_documents import matter_document_issue
from sanxiang.supervision.matters import Matter, MatterStatus
from sanxiang.supervision.testing import due_in, ensure_calendar_years
from sanxiang.testing import AgencyFactory, UserFactory, citizen_party


@pytest.fixture
def setting(world):
    """The world plus: olga (head of an agency outside the tree), a sub-agency with its head sid."""
    ensure_calendar_years()
    olga = UserFactory(username="olga", role=Role.AGENCY_HEAD, agency=world.other_agency, display_name="奥尔加")
    sub = AgencyFactory(code="city-um-east", name="测试市城市管理局东区分局", parent=world.agency)
    sid = UserFactory(username="sid", role=Role.AGENCY_HEAD, agency=sub, display_name="希德")
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer])
    return world, olga, sub, sid, case


def open_on_case(world, case, **kw):
    return s.matter_open(actor=world.sam, source="inspection", title="超期未作出决定",
                         description="案件超过决定期限仍未作出决定。", case=case, **kw)


@pytest.mark.django_db
def test_full_life_of_a_matter_is_in_the_ledger(setting):
    world, *_ , case = setting
    matter = open_on_case(world, case)
    assert matter.status == MatterStatus.OPEN and matter.agency == world.agency
    assert not Matter.objects.visible_to(world.erin).exists()  # not addressed to the agency yet
    matter = s.matter_assign(matter=matter, actor=world.sam, due_on=due_in())
    assert list(Matter.objects.visible_to(world.erin)) == [matter]
    matter = s.matter_answer(matter=matter, actor=world.erin, text="已于本周作出决定并送达。",
                             files=[SimpleUploadedFile("决定书.txt", "证明".encode())])
    answer = matter.steps.get(action="answer")
    body = bytes(Entry.objects.get(index=answer.ledger_index).body).decode()
    assert answer.files[0]["name"] == "决定书.txt" and answer.files[0]["sha256"] in body
    matter = s.matter_close(matter=matter, actor=world.sam, conclusion="问题已整改，予以办结。")
    assert matter.status == MatterStatus.CLOSED
    kinds = list(Entry.objects.filter(subject=matter.ledger_ref()).values_list("kind", flat=True))
    assert kinds == ["matter.open", "matter.assign", "matter.answer", "matter.close"]
    assert verify_all().ok


@pytest.mark.django_db
def test_refusals(setting):
    world, olga, sub, sid, case = setting
    with pytest.raises(RoleNotAllowed):
        s.matter_open(actor=world.erin, source="inspection", title="x", description="y", case=case)
    with pytest.raises(ValidationFailed) as no_agency:
        s.matter_open(actor=world.sam, source="inspection", title="x", description="y")
    assert no_agency.value.code == "matter_agency_required"
    with pytest.raises(ValidationFailed) as no_complaint:
        s.matter_open(actor=world.sam, source="complaint", title="x", description="y", agency=world.agency)
    assert no_complaint.value.code == "matter_complaint_required"
    matter = open_on_case(world, case)
    with pytest.raises(ValidationFailed) as past:
        s.matter_assign(matter=matter, actor=world.sam, due_on=timezone.localdate())
    assert past.value.code == "matter_due_past"
    matter = s.matter_assign(matter=matter, actor=world.sam, due_on=due_in())
    # Answer by a wrong agency: outside the tree it is not even visible; above it, not its own.
    with pytest.raises(OutOfScope):
        s.matter_answer(matter=matter, actor=olga, text="已处理")
    with pytest.raises(RoleNotAllowed) as officer:  # an officer does not answer for the agency
        s.matter_answer(matter=matter, actor=world.alice, text="已处理")
    assert officer.value.code == "matter_wrong_agency"
    with pytest.raises(ValidationFailed) as empty:
        s.matter_answer(matter=matter, actor=world.carol, text="")
    assert empty.value.code == "matter_answer_required"
    # Close without an answer, and without a conclusion.
    with pytest.raises(TransitionNotAllowed):
        s.matter_close(matter=matter, actor=world.sam, conclusion="结论")
    s.matter_answer(matter=matter, actor=world.carol, text="已整改")
    with pytest.raises(ValidationFailed) as no_conclusion:
        s.matter_close(matter=matter, actor=world.sam, conclusion="  ")
    assert no_conclusion.value.code == "matter_conclusion_required" and no_conclusion.value.rule
    with pytest.raises(RoleNotAllowed):
        s.matter_close(matter=matter, actor=world.erin, conclusion="自己办结")


@pytest.mark.django_db
def test_transfer_needs_a_reason_and_moves_the_matter(setting):
    world, olga, sub, sid, _ = setting
    matter = s.matter_open(actor=world.sam, source="inspection", title="执法检查", description="未公示执法人员信息",
                           agency=world.agency, due_on=due_in())
    with pytest.raises(ValidationFailed) as no_reason:
        s.matter_transfer(matter=matter, actor=world.sam, agency=world.other_agency, reason="")
    assert no_reason.value.code == "matter_transfer_reason"
    with pytest.raises(ValidationFailed) as same:
        s.matter_transfer(matter=matter, actor=world.sam, agency=world.agency, reason="x")
    assert same.value.code == "matter_transfer_same"
    matter = s.matter_transfer(matter=matter, actor=world.sam, agency=world.other_agency, reason="属生态环境局职责")
    assert matter.agency == world.other_agency and matter.due_on > timezone.localdate()
    assert not Matter.objects.visible_to(world.erin).exists()
    assert list(Matter.objects.visible_to(olga)) == [matter]
    s.matter_answer(matter=matter, actor=olga, text="已公示")
    with pytest.raises(TransitionNotAllowed) as answered:  # answered: no transfer any more
        s.matter_transfer(matter=matter, actor=world.sam, agency=world.agency, reason="退回原机关")
    assert answered.value.code == "matter_not_transferable"


@pytest.mark.django_db
def test_a_matter_on_a_case_cannot_be_transferred(setting):
    world, *_, case = setting
    matter = open_on_case(world, case, due_on=due_in())
    with pytest.raises(ValidationFailed) as refused:
        s.matter_transfer(matter=matter, actor=world.sam, agency=world.other_agency, reason="x")
    assert refused.value.code == "matter_transfer_case"


@pytest.mark.django_db
def test_subtree_sees_but_only_the_addressed_agency_answers(setting):
    world, olga, sub, sid, _ = setting
    matter = s.matter_open(actor=world.sam, source="inspection", title="分局执法检查", description="问题",
                           agency=sub, due_on=due_in())
    assert list(Matter.objects.visible_to(world.erin)) == [matter]  # the parent agency sees it
    assert not Matter.objects.visible_to(olga).exists()
    assert not Matter.objects.visible_to(world.alice).exists()  # officers: nothing
    with pytest.raises(RoleNotAllowed) as parent:
        s.matter_answer(matter=matter, actor=world.erin, text="代为反馈")
    assert parent.value.code == "matter_wrong_agency"
    s.matter_answer(matter=matter, actor=sid, text="已整改")


@pytest.mark.django_db
def test_reminders_and_escalation_by_the_job_and_by_hand(setting):
    world, *_, case = setting
    matter = open_on_case(world, case, due_on=due_in(3))
    with pytest.raises(TransitionNotAllowed):
        s.matter_remind(matter=matter)  # the job does not chase a matter before its deadline
    later = matter.due_on + dt.timedelta(days=1)
    assert s.matters_remind_overdue(later) == {"reminded": 1, "escalated": 0}
    matter.refresh_from_db()
    assert matter.escalation == 1 and matter.steps.filter(action="remind", actor=None).exists()
    assert s.matters_remind_overdue(later) == {"reminded": 0, "escalated": 0}  # not twice the same day
    much_later = later + dt.timedelta(days=30)
    assert s.matters_remind_overdue(much_later)["escalated"] == 1
    matter.refresh_from_db()
    assert matter.escalation == 2 and matter.due_on > timezone.localdate()
    with pytest.raises(RoleNotAllowed):
        s.matter_remind(matter=matter, actor=world.erin)
    s.matter_remind(matter=matter, actor=world.sam, note="请尽快反馈")
    s.matter_escalate(matter=matter, actor=world.sam, due_on=due_in(10))
    assert verify_all().ok


def test_periodic_task_is_registered_with_the_worker_and_runs_the_daily_pass(monkeypatch):
    import datetime as _dt

    from huey.contrib.djhuey import HUEY

    from sanxiang.supervision import tasks

    assert "supervision.matter_reminders" in {t.name for t in HUEY._registry.periodic_tasks}
    calls = []
    monkeypatch.setattr(s, "matters_remind_overdue", lambda: calls.append(1) or {"reminded": 0, "escalated": 0})
    assert tasks.matter_reminders.call_local() == {"reminded": 0, "escalated": 0} and calls == [1]
    # 07:00 Asia/Shanghai is 23:00 UTC (huey hands the validator naive UTC times).
    assert tasks.morning(_dt.datetime(2026, 12, 1, 23, 0)) and not tasks.morning(_dt.datetime(2026, 12, 1, 22, 0))


@pytest.mark.django_db
def test_documents_are_numbered_rendered_and_frozen(setting):
    world, *_, case = setting
    matter = open_on_case(world, case, due_on=due_in())
    assert {"supervision_notice", "supervision_opinion", "supervision_suggestion"} <= set(KINDS)
    notice = matter_document_issue(matter=matter, kind="supervision_notice", actor=world.sam)
    assert "监通〔" in notice.number and notice.content["blocks"] and notice.pdf.size > 1000
    with pytest.raises(ValidationFailed) as missing:
        matter_document_issue(matter=matter, kind="supervision_opinion", actor=world.sam)
    assert missing.value.field == "opinion"
    opinion = matter_document_issue(matter=matter, kind="supervision_opinion", actor=world.sam,
                                    extra={"opinion": "应在法定期限内作出决定。"})
    assert opinion.number != notice.number and "监意〔" in opinion.number
    with pytest.raises(RoleNotAllowed):
        matter_document_issue(matter=matter, kind="supervision_suggestion", actor=world.erin,
                              extra={"suggestion": "x"})
    entry = Entry.objects.get(index=opinion.ledger_index)
    assert entry.kind == "matter.document"
    # A case's own document panel refuses these kinds.
    from sanxiang.documents.services import document_issue

    with pytest.raises(DomainError) as through_case:
        document_issue(case=case, kind="supervision_opinion", actor=world.erin)
    assert "监督" in str(through_case.value) or "须由" in str(through_case.value)
    assert verify_all().ok


@pytest.mark.django_db
def test_complainant_sees_the_outcome_through_progress(setting):
    world, *_, case = setting
    complaint, code = complaint_submit(content="该案超期未处理，当事人多次询问无果。", category="inaction",
                                       agency=world.agency)
    matter = s.matter_open(actor=world.sam, source="complaint", title="投诉超期未处理", description=complaint.content,
                           complaint=complaint, case=case, due_on=due_in())
    progress = progress_lookup(complaint.number, code)
    assert "监督案件办理中" in progress.status
    s.matter_answer(matter=matter, actor=world.erin, text="已作出决定")
    s.matter_close(matter=matter, actor=world.sam, conclusion="经督办，该局已依法作出处理决定。")
    progress = progress_lookup(complaint.number, code)
    assert progress.outcome == "经督办，该局已依法作出处理决定。" and progress.status.startswith("已办结")
    texts = [step.text for step in progress.steps]
    assert "已转为行政执法监督案件办理" in texts and "监督案件办结" in texts
    with pytest.raises(TransitionNotAllowed):  # one complaint, one matter
        s.matter_open(actor=world.sam, source="complaint", title="再次", description="x", complaint=complaint,
                      agency=world.agency)


@pytest.mark.django_db
def test_pages_open_assign_answer_close(setting):
    world, olga, sub, sid, case = setting
    sam, erin = Client(), Client()
    sam.force_login(world.sam)
    erin.force_login(world.erin)
    assert sam.get(f"/staff/supervision/matters/new/?case={case.pk}").status_code == 200
    response = sam.post("/staff/supervision/matters/new/", {
        "case": case.pk, "source": "inspection", "title": "超期", "description": "超期未决定",
        "due_on": due_in().isoformat()})
    assert response.status_code == 302
    matter = Matter.objects.get()
    assert matter.status == MatterStatus.ASSIGNED
    page = erin.get(f"/staff/supervision/matters/{matter.pk}/")
    assert page.status_code == 200 and "提交反馈" in page.content.decode()
    answered = erin.post(f"/staff/supervision/matters/{matter.pk}/actions/answer/", {"text": "已处理"})
    assert answered.status_code == 302
    refused = sam.post(f"/staff/supervision/matters/{matter.pk}/actions/close/", {"conclusion": ""})
    assert refused.status_code == 400 and "监督结论" in refused.content.decode()
    assert sam.post(f"/staff/supervision/matters/{matter.pk}/actions/close/",
                    {"conclusion": "已整改"}).status_code == 302
    olga_client = Client()
    olga_client.force_login(olga)
    assert olga_client.get(f"/staff/supervision/matters/{matter.pk}/").status_code == 404
    assert erin.get("/staff/").content.decode().count("监督案件") >= 1  # menu entry


@pytest.mark.django_db
def test_api_open_and_act(setting):
    world, olga, *_ , case = setting
    sam = APIClient()
    sam.force_authenticate(world.sam)
    created = sam.post("/api/matters/", {"source": "inspection", "title": "超期", "description": "超期未决定",
                                         "case": case.pk, "due_on": due_in().isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    erin = APIClient()
    erin.force_authenticate(world.erin)
    assert erin.post(f"/api/matters/{pk}/actions/answer/", {"text": "已处理"}, format="json").json()["status"] == \
        "answered"
    refused = sam.post(f"/api/matters/{pk}/actions/close/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "matter_conclusion_required"
    closed = sam.post(f"/api/matters/{pk}/actions/close/", {"conclusion": "办结"}, format="json")
    assert closed.json()["status"] == "closed" and [st["action"] for st in closed.json()["steps"]] == [
        "open", "assign", "answer", "close"]
    other = APIClient()
    other.force_authenticate(olga)
    assert other.get(f"/api/matters/{pk}/").status_code == 404


@pytest.mark.django_db
def test_alert_rules_find_late_matters_and_complaints(setting):
    from sanxiang.common.alerts import ALERT_RULES

    world, *_, case = setting
    matter = open_on_case(world, case, due_on=due_in(3))
    complaint, _ = complaint_submit(content="执法人员不作为，多次反映无人处理。", category="inaction", agency=world.agency)
    later = matter.due_on + dt.timedelta(days=1)
    found = list(ALERT_RULES["matter_deadline"].find(0, later))
    assert [f.subject for f in found] == [matter] and "已逾期" in found[0].text
    assert list(ALERT_RULES["matter_deadline"].find(0, timezone.localdate())) == []
    late = list(ALERT_RULES["complaint_deadline"].find(0, complaint.handle_due + dt.timedelta(days=1)))
    assert {f.key for f in late} == {"accept", "handle"} and all(f.agency_id == world.agency.pk for f in late)
