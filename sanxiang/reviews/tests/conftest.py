"""Fixtures for the legal-review tests: a case of the world's agency waiting in 法制审核."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, checklist_all, walk
from sanxiang.testing import OfficerFactory, citizen_party

TODAY = timezone.localdate()


@pytest.fixture
def cast(world):
    host = OfficerFactory(agency=world.agency, name="韩主持")
    return Cast(officer=world.alice, unit_head=world.carol, reviewer=world.dave, head=world.erin,
                hearing_host_officer_id=host.pk)


@pytest.fixture
def in_review(world, cast):
    """A case with a 20,000 yuan fine for a citizen (in the catalogue), waiting for the review."""
    def make(n: int = 7, **walk_kw):
        case = case_open(actor=world.alice, item=world.item, party=citizen_party(n), title="擅自倾倒建筑垃圾",
                         officers=[world.alice_officer, world.bob_officer], opened_on=TODAY - dt.timedelta(days=40))
        case = walk(case, cast, fine=20000, until="legal_review", **walk_kw)
        assert case.state == "legal_review"
        return case
    return make


def review(case, actor, opinion: str, text: str = "审核意见说明", checklist: dict | None = None):
    """Submit a review opinion (a failed item unless the opinion is 同意)."""
    ticks = checklist or (checklist_all(case) if opinion == "agree" else {**checklist_all(case), "crime": False})
    case_transition(case=case, action="submit_review", actor=actor,
                    data={"checklist": ticks, "opinion": opinion, "opinion_text": text})
    case.refresh_from_db()
    return case


def act(case, action: str, actor, **data):
    case_transition(case=case, action=action, actor=actor, data=data)
    case.refresh_from_db()
    return case
