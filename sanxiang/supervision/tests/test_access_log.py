"""调阅监督: every staff look at a case record is logged with who, when, what and why."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sanxiang.cases.services import case_open
from sanxiang.common.services import record_save
from sanxiang.ledger.models import Entry
from sanxiang.ledger.verification import verify_all
from sanxiang.registry.models import Parameter
from sanxiang.supervision.models import AccessLog
from sanxiang.supervision.selectors import access_log_list, case_access_log
from sanxiang.supervision.services import ReasonRequired, access_record
from sanxiang.testing import citizen_party


def new_case(world):
    return case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_every_api_view_of_a_case_is_logged_in_the_ledger(world):
    case = new_case(world)
    assert api(world.bob).get(f"/api/cases/{case.pk}/").status_code == 200
    row = AccessLog.objects.get()
    assert (row.actor, row.case, row.action, row.target) == (world.bob, case, "view", case.ledger_ref())
    body = json.loads(bytes(Entry.objects.get(index=row.ledger_index).body))
    assert body["kind"] == "access.view" and body["actor"] == "bob"
    assert list(case_access_log(world.bob, case)) == [row]
    assert verify_all().ok


@pytest.mark.django_db
def test_other_agency_view_is_refused_and_not_logged_as_a_look(world):
    case = new_case(world)
    assert api(world.mallory).get(f"/api/cases/{case.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_reason_required_when_the_agency_configures_it(world):
    case = new_case(world)
    record_save(Parameter(agency=world.agency, key="access_reason_required", value=1, unit="是/否",
                          label="须填写调阅事由", source="本机关调阅监督规定"), actor="admin")
    response = api(world.bob).get(f"/api/cases/{case.pk}/")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "access_reason_required"
    assert response.json()["error"]["field"] == "reason"
    assert not AccessLog.objects.exists()
    response = api(world.bob).get(f"/api/cases/{case.pk}/", {"reason": "准备听证材料"})
    assert response.status_code == 200
    assert AccessLog.objects.get().reason == "准备听证材料"


@pytest.mark.django_db
def test_flagged_material_always_needs_a_reason(world):
    case = new_case(world)
    with pytest.raises(ReasonRequired) as err:
        access_record(actor=world.bob, case=case, target=case, action="download", flagged=True)
    assert "涉密" in err.value.message
    row = access_record(actor=world.bob, case=case, target=case, action="download", flagged=True, reason="复核证据")
    assert row.flagged and row.ledger_index is not None


@pytest.mark.django_db
def test_supervisor_filters_and_other_roles_are_refused(world):
    case = new_case(world)
    access_record(actor=world.alice, case=case, target=case)
    access_record(actor=world.bob, case=case, target=case, action="download", reason="核对")
    assert access_log_list(world.sam).count() == 2
    assert [r.actor for r in access_log_list(world.sam, username="bob")] == [world.bob]
    assert access_log_list(world.sam, action="download").count() == 1
    assert access_log_list(world.alice).count() == 0  # an officer does not oversee
    assert access_log_list(world.mallory).count() == 0
    rows = api(world.sam).get("/api/access-log/", {"user": "alice"}).json()
    assert [r["actor"] for r in rows] == ["alice"] and rows[0]["case"] == case.number
    response = api(world.alice).get("/api/access-log/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "role_not_allowed"
    client = Client()
    client.force_login(world.sam)
    page = client.get("/staff/supervision/access-log/", {"case": case.number})
    assert page.status_code == 200 and "核对" in page.content.decode()
    client.force_login(world.alice)
    assert client.get("/staff/supervision/access-log/").status_code == 403


@pytest.mark.django_db
def test_case_page_logs_the_look_and_shows_who_looked(world):
    case = new_case(world)
    client = Client()
    client.force_login(world.bob)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "调阅记录" in page and "案件 " + case.number in page
    assert AccessLog.objects.filter(case=case, actor=world.bob, action="view").count() == 1
    record_save(Parameter(agency=world.agency, key="access_reason_required", value=1, unit="是/否",
                          label="须填写调阅事由", source="本机关调阅监督规定"), actor="admin")
    response = client.get(f"/staff/cases/{case.pk}/")
    assert response.status_code == 428 and "调阅事由" in response.content.decode()
    assert AccessLog.objects.filter(case=case).count() == 1
    response = client.get(f"/staff/cases/{case.pk}/", {"reason": "办理本案"})
    assert response.status_code == 200 and "办理本案" in response.content.decode()
