"""公示 of 行政强制 decisions: a 查封扣押决定 and a 强制执行决定 each create a pending publication due in
20 working days; released by the head through publication_publish (the issued 决定书, redacted), they
are on the portal's decision page and in its list under 行政强制; left pending, the overdue alert sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxiang.cases.services import case_transition
from sanxiang.common.calendar import add_working_days
from sanxiang.compulsion.testing import grant_enforcement_power
from sanxiang.compulsion.tests.test_enforcement import reminded
from sanxiang.compulsion.tests.test_seizure import in_force
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.documents.services import document_issue
from sanxiang.testing import token_client

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_seizure_decision_is_published_through_review_onto_the_portal(cworld):
    w = cworld
    case = in_force(w)
    publication = Publication.objects.get(case=case)
    assert publication.status == PublicationStatus.PENDING
    assert publication.kind == "行政强制" and publication.title == f"{w.agency.name}扣押决定（{case.decision.number}）"
    assert publication.due_on == add_working_days(TODAY, 20, what="t")  # 20 working days (other kinds)
    assert case.data["publish_due"] == publication.due_on.isoformat()
    content = publication.content
    assert content["measure"] == "扣押" and content["things"] == ["电动三轮车1辆", "建筑垃圾清运袋20个"]
    assert content["period"]["days"] == 30 and "第二十四条" in content["basis"]
    assert "电动三轮车1辆" in content["result"] and "期限30日" in content["result"]
    assert publication.party_name.endswith("某") and content["party_uscc"] is None  # a citizen, masked
    assert Client().get(f"/decisions/{publication.pk}/").status_code == 404  # not before release

    erin, alice = token_client(w.erin), token_client(w.alice)
    refused = erin.post(f"/api/publications/{publication.pk}/publish/")
    assert refused.status_code >= 400 and refused.json()["error"]["code"] == "decision_document_missing"
    document = document_issue(case=case, kind="seizure_decision", actor=w.alice)
    assert document.number == case.decision.number and "强封〔" in document.number
    assert alice.post(f"/api/publications/{publication.pk}/publish/").status_code == 403  # heads and reviewers only
    released = erin.post(f"/api/publications/{publication.pk}/publish/")
    assert released.status_code == 200, released.json()
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PUBLISHED and publication.document == document

    page = Client().get(f"/decisions/{publication.pk}/").content.decode()
    assert publication.title in page and "电动三轮车1辆" in page and "查封扣押决定书" in page
    assert "第二十五条" in page  # the 决定书's own text, redacted
    listed = Client().get("/decisions/", {"kind": "行政强制"}).content.decode()
    assert publication.decision_number in listed
    assert "行政强制" in Client().get("/decisions/").content.decode()  # the kind filter offers it
    assert publication.decision_number not in Client().get("/decisions/", {"kind": "行政处罚"}).content.decode()


def _decided(w, decided: dt.date, method="direct"):
    grant_enforcement_power(w.agency)
    case = reminded(w, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=10))
    case_transition(case=case, action="decide_enforcement", actor=w.erin, data={
        "enforcement_decided_on": decided.isoformat(), "enforcement_method": method,
        "enforcement_reasons": "逾期不拆除"})
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_enforcement_decision_creates_its_pending_publication(cworld):
    w = cworld
    decided = TODAY - dt.timedelta(days=5)
    case = _decided(w, decided, method="substitute")
    publication = Publication.objects.get(case=case)
    assert publication.decided_on == decided and publication.due_on == add_working_days(decided, 20, what="t")
    assert publication.decision_number == case.decision.number and "强执〔" in publication.decision_number
    assert publication.content["method"] == "代履行" and "自行拆除违法建设的彩钢棚" in publication.content["result"]
    assert "强制执行决定" in publication.title
    document = document_issue(case=case, kind="enforcement_decision", actor=w.alice)
    assert document.number == publication.decision_number
    assert token_client(w.erin).post(f"/api/publications/{publication.pk}/publish/").status_code == 200


@pytest.mark.django_db
def test_a_court_application_is_no_decision_of_the_agency_and_is_not_published(cworld):
    w = cworld
    served = TODAY - dt.timedelta(days=150)
    case = reminded(w, served, served + dt.timedelta(days=10), opened_on=served)
    case_transition(case=case, action="apply_to_court", actor=w.erin, data={
        "applied_on": (TODAY - dt.timedelta(days=100)).isoformat(), "court": "河洛市西工区人民法院",
        "remedy_ended_on": (TODAY - dt.timedelta(days=130)).isoformat()})
    assert not Publication.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_overdue_release_alert_sees_a_compulsion_publication(cworld):
    from sanxiang.monitoring.models import Alert
    from sanxiang.monitoring.services import alerts_run

    w = cworld
    case = _decided(w, TODAY - dt.timedelta(days=5))
    publication = Publication.objects.get(case=case)
    alerts_run(publication.due_on, codes=["publication_overdue"])
    assert not Alert.objects.filter(rule__code="publication_overdue").exists()
    late = publication.due_on + dt.timedelta(days=1)
    alerts_run(late, codes=["publication_overdue"])
    [alert] = Alert.objects.filter(rule__code="publication_overdue", found_on=late)
    assert alert.case_id == case.pk and publication.decision_number in alert.text
    # Its basis is the guiding opinion's 20 working days, not the penalty law.
    assert "行政强制决定书" in alert.text and "国办发〔2018〕118号" in alert.text and "行政处罚法" not in alert.text


@pytest.mark.django_db
def test_documents_of_a_case_decided_before_decisions_were_recorded_keep_their_counter(cworld):
    """A seizure carried out before this change has no Decision row: its 决定书 is still numbered
    from the kind's counter (no 500, no renumbering)."""
    w = cworld
    case = in_force(w)
    Publication.objects.filter(case=case).delete()
    number = case.decision.number
    case.decision.delete()
    case.refresh_from_db()
    document = document_issue(case=case, kind="seizure_decision", actor=w.alice)
    assert "强封〔" in document.number and document.number != number
