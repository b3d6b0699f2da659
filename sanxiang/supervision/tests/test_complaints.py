"""投诉举报: public intake (anonymous, rate-limited), routing, deadlines, handling, progress, counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.accounts.models import Role
from sanxiang.common.exceptions import RoleNotAllowed, TransitionNotAllowed, ValidationFailed
from sanxiang.common.tracking import progress_lookup, query_code_matches
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.supervision.complaints import (
    complaint_accept,
    complaint_counts,
    complaint_reject,
    complaint_reply,
    complaint_submit,
)
from sanxiang.supervision.matters import Complaint
from sanxiang.supervision.testing import ensure_calendar_years
from sanxiang.testing import UserFactory

TEXT = "执法人员在检查时未出示执法证件，且拒绝告知执法依据。"


@pytest.fixture
def people(world):
    ensure_calendar_years()
    olga = UserFactory(username="olga", role=Role.AGENCY_HEAD, agency=world.other_agency, display_name="奥尔加")
    return world, olga


def submit(agency=None, **kw):
    return complaint_submit(content=kw.pop("content", TEXT), category=kw.pop("category", "procedure"), agency=agency,
                            **kw)


@pytest.mark.django_db
def test_anonymous_complaint_is_routed_numbered_and_dated(people):
    world, _ = people
    complaint, code = submit(world.agency)
    assert complaint.number.startswith(f"TS{timezone.localdate().year}")
    assert complaint.anonymous and not complaint.complainant_name
    assert query_code_matches(code, complaint.query_code_hash) and code not in complaint.query_code_hash
    assert complaint.accept_due > timezone.localdate() and complaint.handle_due > complaint.accept_due
    entry = Entry.objects.get(index=complaint.ledger_index)
    assert entry.kind == "complaint.submit" and entry.agency_code == world.agency.code
    assert verify_all().ok


@pytest.mark.django_db
def test_complaint_without_agency_goes_to_the_justice_bureau(people):
    world, _ = people
    complaint, _ = submit()
    assert complaint.agency is None and "司法行政部门" in complaint.handler_label
    assert list(Complaint.objects.visible_to(world.sam)) == [complaint]
    assert not Complaint.objects.visible_to(world.erin).exists()


@pytest.mark.django_db
def test_decision_number_links_the_case_and_its_agency(people):
    from sanxiang.testing import build_records_world

    w = build_records_world(people[0])
    complaint, _ = submit(decision_number=w.publication.decision_number)
    assert complaint.case == w.case and complaint.agency == w.world.agency


@pytest.mark.django_db
def test_intake_refusals(people):
    with pytest.raises(ValidationFailed) as short:
        submit(content="太短")
    assert short.value.code == "complaint_content_short" and short.value.field == "content"
    with pytest.raises(ValidationFailed) as named:
        submit(anonymous=False, name="张三")
    assert named.value.code == "complaint_name_required"
    with pytest.raises(ValidationFailed) as category:
        submit(category="nonsense")
    assert category.value.field == "category"
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_accept_and_reply_by_the_agency_then_the_complainant_sees_the_reply(people):
    world, _ = people
    complaint, code = submit(world.agency)
    complaint = complaint_accept(complaint=complaint, actor=world.carol)
    progress = progress_lookup(complaint.number, code)
    assert progress.status == "已受理" and "办结" in progress.due
    with pytest.raises(ValidationFailed) as empty:
        complaint_reply(complaint=complaint, actor=world.erin, reply=" ")
    assert empty.value.code == "complaint_reply_required"
    complaint_reply(complaint=complaint, actor=world.erin, reply="经核查，执法人员已出示证件；已对其进行提醒谈话。")
    progress = progress_lookup(complaint.number, code)
    assert progress.status == "已办结" and "提醒谈话" in progress.outcome
    assert [s.text for s in progress.steps][-1] == "已答复办结"
    assert "erin" not in str(progress.as_dict()) and "艾琳" not in str(progress.as_dict())
    assert progress_lookup(complaint.number, "WRONGCODE") is None
    assert verify_all().ok


@pytest.mark.django_db
def test_handling_refusals(people):
    world, olga = people
    complaint, _ = submit(world.agency)
    with pytest.raises(TransitionNotAllowed):
        complaint_reply(complaint=complaint, actor=world.erin, reply="答复")  # not accepted yet
    with pytest.raises(RoleNotAllowed):
        complaint_accept(complaint=complaint, actor=world.alice)  # an officer does not handle complaints
    from sanxiang.accounts.scoping import OutOfScope

    with pytest.raises(OutOfScope):
        complaint_accept(complaint=complaint, actor=olga)  # another agency does not even see it
    with pytest.raises(ValidationFailed) as no_reason:
        complaint_reject(complaint=complaint, actor=world.sam, reason="")
    assert no_reason.value.code == "complaint_reason_required"
    complaint_reject(complaint=complaint, actor=world.sam, reason="不属于行政执法监督范围，请向人民法院起诉。")
    with pytest.raises(TransitionNotAllowed):
        complaint_accept(complaint=complaint, actor=world.erin)


@pytest.mark.django_db
def test_complaint_counts_for_dashboard_and_annual_report(people):
    world, _ = people
    a, _ = submit(world.agency)
    submit(world.other_agency, category="conduct")
    submit()
    complaint_accept(complaint=a, actor=world.erin)
    everything = complaint_counts(since=timezone.localdate(), until=timezone.localdate())
    assert everything["total"] == 3 and everything["to_bureau"] == 1
    assert everything["by_status"]["accepted"] == 1 and everything["by_category"]["conduct"] == 1
    assert complaint_counts(world.erin)["total"] == 1
    assert complaint_counts(world.sam)["total"] == 3
    assert complaint_counts(agency_ids=[world.other_agency.pk])["total"] == 1
    assert complaint_counts(until=timezone.localdate() - dt.timedelta(days=1))["total"] == 0
    Complaint.objects.filter(pk=a.pk).update(handle_due=timezone.localdate() - dt.timedelta(days=1))
    assert complaint_counts(world.sam)["late"] == 1


@pytest.mark.django_db
def test_portal_form_and_progress_page(people):
    world, _ = people
    client = Client()
    assert client.get("/complaints/").status_code == 200
    response = client.post("/complaints/", {"category": "abuse", "agency": world.agency.pk, "content": TEXT,
                                            "anonymous": "1"})
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    body = response.content.decode()
    assert complaint.number in body
    code = body.split('id="complaint-code">')[1].split("<")[0]
    page = client.post("/progress/", {"number": complaint.number, "code": code})
    assert page.status_code == 200 and "待受理" in page.content.decode()
    refused = client.post("/complaints/", {"category": "abuse", "content": "短", "anonymous": "1"})
    assert refused.status_code == 400 and "不少于10个字" in refused.content.decode()


@pytest.mark.django_db
def test_public_api_and_rate_limit(people, settings):
    world, _ = people
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "complaint_submit": "2/minute"}
    client = APIClient(REMOTE_ADDR="10.9.9.9")
    body = {"content": TEXT, "category": "inaction", "agency": world.agency.code}
    first = client.post("/api/public/complaints/", body, format="json")
    assert first.status_code == 201 and first.json()["number"].startswith("TS")
    lookup = client.post("/api/public/progress/", {"number": first.json()["number"], "code": first.json()["code"]},
                         format="json")
    assert lookup.status_code == 200 and lookup.json()["kind"] == "complaint"
    bad = client.post("/api/public/complaints/", {**body, "agency": "no-such"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "agency"
    throttled = client.post("/api/public/complaints/", body, format="json")
    assert throttled.status_code == 429 and throttled.has_header("Retry-After")


@pytest.mark.django_db
def test_staff_api_handles_complaints(people):
    world, olga = people
    complaint, _ = submit(world.agency)
    carol = APIClient()
    carol.force_authenticate(world.carol)
    assert [c["number"] for c in carol.get("/api/complaints/").json()] == [complaint.number]
    accepted = carol.post(f"/api/complaints/{complaint.pk}/actions/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    other = APIClient()
    other.force_authenticate(olga)
    assert other.get(f"/api/complaints/{complaint.pk}/").status_code == 404
    assert other.get("/api/complaints/").json() == []
