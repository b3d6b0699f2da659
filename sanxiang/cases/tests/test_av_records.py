"""音像记录事项清单: steps on the agency's list cannot be completed without audio-video evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, walk
from sanxiang.common.exceptions import EvidenceMissing
from sanxiang.records.services import evidence_attach
from sanxiang.registry.services import av_list_install
from sanxiang.testing import citizen_party

TODAY = timezone.localdate()

INVESTIGATION = {"facts": "倾倒建筑垃圾", "investigation_report": "事实清楚", "proposed_penalty_kinds": ["fine"],
                 "proposed_fine": "800"}


def opened(world):
    case = case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                     officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=30))
    return walk(case, Cast(world.alice, world.carol, world.dave, world.erin), until="investigation")


@pytest.mark.django_db
def test_step_on_the_list_needs_video_evidence(world):
    av_list_install(agency=world.agency)
    case = opened(world)
    with pytest.raises(EvidenceMissing) as err:
        case_transition(case=case, action="submit_investigation", actor=world.alice, data=INVESTIGATION)
    assert err.value.code == "av_record_missing"
    assert "现场检查、抽样取证、证据先行登记保存" in err.value.message and "音像记录" in err.value.message
    # A photo is not an audio-video record.
    evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(b"\xff\xd8\xff\xe0 jpeg", name="scene.jpg"), kind="photo")
    with pytest.raises(EvidenceMissing):
        case_transition(case=case, action="submit_investigation", actor=world.alice, data=INVESTIGATION)
    evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="cam.mp4"),
                    kind="video")
    event = case_transition(case=case, action="submit_investigation", actor=world.alice, data=INVESTIGATION)
    assert event.to_state == "examination"


@pytest.mark.django_db
def test_conditional_entry_applies_only_to_its_variant(world):
    av_list_install(agency=world.agency)
    case = opened(world)
    evidence_attach(case=case, actor=world.alice, uploaded=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="cam.mp4"),
                    kind="video")
    case = walk(case, Cast(world.alice, world.carol, world.dave, world.erin), until="service")
    data = {"served_on": TODAY.isoformat(), "service_method": "lien"}
    with pytest.raises(EvidenceMissing) as err:
        case_transition(case=case, action="record_service", actor=world.alice, data=data)
    assert "留置送达、公告送达" in err.value.message
    data["service_method"] = "direct"
    assert case_transition(case=case, action="record_service", actor=world.alice, data=data).to_state == "execution"


@pytest.mark.django_db
def test_agency_without_the_list_is_not_blocked_and_list_is_public(world):
    case = opened(world)
    assert case_transition(case=case, action="submit_investigation", actor=world.alice,
                           data=INVESTIGATION).to_state == "examination"
    av_list_install(agency=world.agency)
    av_list_install(agency=world.agency)  # idempotent
    rows = APIClient().get(f"/api/public/av-list/?agency={world.agency.code}").json()
    # The standard list: the penalty flows' entries plus those other apps add (e.g. 查封扣押, 强制执行).
    from sanxiang.registry.services import AV_DEFAULTS

    assert len(rows) == len(AV_DEFAULTS)
    assert {r["step_code"] for r in rows} >= {"investigation", "hearing", "service", "on_spot"}
    assert APIClient().get(f"/api/public/av-list/?agency={world.other_agency.code}").json() == []


@pytest.mark.django_db
def test_api_reports_missing_record_in_the_error_format(world):
    av_list_install(agency=world.agency)
    case = opened(world)
    client = APIClient()
    client.force_authenticate(world.alice)
    response = client.post(f"/api/cases/{case.pk}/actions/submit_investigation/", INVESTIGATION, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "av_record_missing"
    assert response.json()["error"]["rule"] == "音像记录事项清单"


@pytest.mark.django_db
def test_portal_publishes_the_list_the_engine_enforces(world):
    from django.test import Client

    av_list_install(agency=world.agency)
    page = Client().get(f"/agencies/{world.agency.code}/").content.decode()
    assert "音像记录事项清单" in page and "留置送达、公告送达" in page and "听证" in page
