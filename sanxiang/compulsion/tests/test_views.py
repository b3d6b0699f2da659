"""The staff page 行政强制: seizures with their periods, enforcement cases, and carrying an unpaid fine over."""

from __future__ import annotations

import pytest
from django.test import Client

from sanxiang.compulsion.models import EnforcementOrigin
from sanxiang.compulsion.tests.test_enforcement import unpaid_penalty
from sanxiang.compulsion.tests.test_seizure import in_force


@pytest.mark.django_db
def test_page_lists_seizures_and_unpaid_fines_and_carries_one_over(cworld):
    w = cworld
    seizure = in_force(w)
    penalty = unpaid_penalty(w)
    client = Client()
    client.force_login(w.alice)
    page = client.get("/staff/compulsion/")
    assert page.status_code == 200
    html = page.content.decode()
    assert seizure.number in html and "剩30日" in html and "查封扣押期间" in html
    assert penalty.number in html and "移送强制执行" in html
    assert 'href="/staff/compulsion/"' in html  # the menu entry
    response = client.post(f"/staff/compulsion/from-penalty/{penalty.pk}/")
    origin = EnforcementOrigin.objects.get(penalty_case=penalty)
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{origin.case_id}/"
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "送达催告书" in detail.content.decode()
    # Carried over once: the fine leaves the list, a second attempt is refused with the rule.
    assert penalty.number not in client.get("/staff/compulsion/").content.decode().split("逾期未缴纳的罚款")[1]
    again = client.post(f"/staff/compulsion/from-penalty/{penalty.pk}/", follow=True)
    assert "不能重复立案" in again.content.decode()


@pytest.mark.django_db
def test_unit_head_sees_the_page_but_cannot_carry_a_fine_over(cworld):
    w = cworld
    penalty = unpaid_penalty(w)
    client = Client()
    client.force_login(w.carol)
    assert client.get("/staff/compulsion/").status_code == 200
    assert client.post(f"/staff/compulsion/from-penalty/{penalty.pk}/").status_code == 403
    assert not EnforcementOrigin.objects.exists()


@pytest.mark.django_db
def test_portal_flowchart_prints_the_compulsion_rules(cworld):
    client = Client()
    seizure = client.get("/flows/compulsion_seizure/")
    assert seizure.status_code == 200
    html = seizure.content.decode()
    assert "查封扣押期间" in html and "第二十五条" in html and "第十九条" in html
    enforcement = client.get("/flows/compulsion_enforcement/").content.decode()
    assert "第四十三条" in enforcement and "第五十四条" in enforcement
