"""Personas of the supervisor's platform: sam (supervisor, every agency), erin (head of the city
agency, whose tree includes a district office), hank (head of another agency: outside the tree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from sanxiang.accounts.models import Role
from sanxiang.cases.services import case_open
from sanxiang.testing import AgencyFactory, UserFactory, citizen_party, item_for, officer_user

TODAY = timezone.localdate()


@dataclass
class Scene:
    world: object
    district: object
    hank: object
    district_head: object
    overdue: object  # a city case past its decision deadline
    fresh: object  # a city case opened today
    district_case: object
    other_case: object  # a case of the other agency


def open_case(world, *, days_ago: int = 0, agency_item=None, officers=None, actor=None, title="擅自倾倒建筑垃圾",
              party=None):
    return case_open(actor=actor or world.alice, item=agency_item or world.item, party=party or citizen_party(),
                     title=title, officers=officers or [world.alice_officer, world.bob_officer],
                     opened_on=TODAY - dt.timedelta(days=days_ago))


@pytest.fixture
def scene(world):
    district = AgencyFactory(code="city-um-d1", name="测试市城市管理局一分局", doc_prefix="测城一罚", parent=world.agency)
    district_item = item_for(district, code="D001")
    d1, d1_o = officer_user(district, Role.OFFICER, "dora", "多拉")
    d2, d2_o = officer_user(district, Role.OFFICER, "dan", "丹")
    district_head = UserFactory(username="dhead", role=Role.AGENCY_HEAD, agency=district, display_name="分局长")
    other_item = item_for(world.other_agency, code="E001", name="超标排放污染物")
    m2, m2_o = officer_user(world.other_agency, Role.OFFICER, "mike", "迈克")
    hank = UserFactory(username="hank", role=Role.AGENCY_HEAD, agency=world.other_agency, display_name="汉克")
    overdue = open_case(world, days_ago=120)
    fresh = open_case(world)
    district_case = open_case(world, agency_item=district_item, officers=[d1_o, d2_o], actor=d1)
    other_case = open_case(world, agency_item=other_item, officers=[world.mallory_officer, m2_o], actor=world.mallory,
                           title="超标排放")
    return Scene(world, district, hank, district_head, overdue, fresh, district_case, other_case)
