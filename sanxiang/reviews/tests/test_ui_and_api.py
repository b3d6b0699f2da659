"""The same refusals in the staff UI (beside the field) and the API (code, message, field, rule)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sanxiang.cases.models import Case
from sanxiang.common.services import record_save
from sanxiang.registry.models import Officer
from sanxiang.reviews.models import CatalogueEntry
from sanxiang.reviews.tests.conftest import TODAY, review

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    from sanxiang.accounts.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))  # a fresh row, as each request loads it
    return client


def test_unqualified_reviewer_is_refused_through_the_api_and_the_case_is_unchanged(world, in_review):
    case = in_review()
    Officer.objects.filter(pk=world.dave_officer.pk).update(legal_qualification_no="")
    from sanxiang.cases.walkthrough import checklist_all

    response = api(world.dave).post(f"/api/cases/{case.pk}/actions/submit_review/", {
        "checklist": checklist_all(case), "opinion": "agree", "opinion_text": "同意"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "reviewer_not_qualified" and error["rule"] == "行政处罚法第五十八条第二款"
    assert error["field"] == "reviewer" and "国家统一法律职业资格考试" in error["message"]
    assert Case.objects.get(pk=case.pk).state == "legal_review" and not case.reviews.exists()


def test_collective_discussion_through_the_staff_page(world, in_review, client):
    entry = CatalogueEntry.objects.get(agency=world.agency, criterion="fine_at_least", party_scope="citizen")
    entry.requires_collective_discussion = True
    record_save(entry, actor="test")
    case = review(in_review(), world.dave, "agree", "同意")
    client.force_login(world.erin)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "登记集体讨论" in page and f'name="participants" value="{world.dave_officer.pk}"' in page
    form = {"discussed_on": TODAY.isoformat(), "discussion_place": "会议室", "discussion": "讨论",
            "conclusion": "penalise", "conclusion_text": "同意处罚", "participants": [world.dave_officer.pk]}
    refused = client.post(f"/staff/cases/{case.pk}/actions/record_discussion/", form)
    body = refused.content.decode()
    assert refused.status_code == 400 and "不得少于3人" in body and "第五十七条第二款" in body
    assert Case.objects.get(pk=case.pk).state == "collective_discussion"
    form["participants"] = [world.dave_officer.pk, world.alice_officer.pk]
    done = client.post(f"/staff/cases/{case.pk}/actions/record_discussion/", form)
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == "decision" and case.collective_discussions.get().participant_names() == "戴维、艾丽"
    history = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "戴维、艾丽" in history
