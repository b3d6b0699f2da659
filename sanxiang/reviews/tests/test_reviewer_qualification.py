"""行政处罚法第五十八条第二款: the reviewer holds the legal qualification recorded on the officer (a number)."""

from __future__ import annotations

import pytest

from sanxiang.cases.models import Case
from sanxiang.common.exceptions import DomainError, ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.registry.models import Officer, legal_qualification_problem
from sanxiang.reviews.tests.conftest import review

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value,ok", [
    ("A20151100000001", True), ("C20214103000012", True), ("A2015110000001", False), ("D20151100000001", False),
    ("A19991100000001", False), ("a20151100000001", False), ("", False), ("20151100000001A", False),
])
def test_qualification_number_format(value, ok):
    assert (legal_qualification_problem(value) is None) is ok


def test_officer_with_a_malformed_number_or_a_reviewer_without_one_is_refused(world):
    officer = world.dave_officer
    officer.legal_qualification_no = "法考123"
    with pytest.raises(ValidationFailed) as err:
        record_save(officer, actor="test")
    assert err.value.field == "legal_qualification_no"
    officer.legal_qualification_no = ""
    with pytest.raises(ValidationFailed) as err:
        record_save(officer, actor="test")
    assert err.value.field == "legal_qualification_no" and "第五十八条第二款" in err.value.message
    assert Officer.objects.get(pk=officer.pk).legal_qualification_no == "A20151100000001"


@pytest.mark.parametrize("stored,code", [("", "reviewer_not_qualified"), ("X123", "reviewer_not_qualified")])
def test_review_by_a_reviewer_without_a_valid_number_is_refused(world, in_review, stored, code):
    case = in_review()
    # A row written before the format check (or by a bulk load): the guard still refuses it.
    Officer.objects.filter(pk=world.dave_officer.pk).update(legal_qualification_no=stored)
    world.dave.refresh_from_db()
    with pytest.raises(DomainError) as err:
        review(case, world.dave, "agree", "同意")
    assert err.value.code == code and err.value.rule == "行政处罚法第五十八条第二款"
    assert "国家统一法律职业资格考试" in err.value.message and "第五十八条第二款" in err.value.message
    assert Case.objects.get(pk=case.pk).state == "legal_review" and not case.reviews.exists()


def test_review_by_staff_not_registered_as_reviewer_is_refused(world, in_review):
    case = in_review()
    Officer.objects.filter(pk=world.dave_officer.pk).update(is_legal_reviewer=False)
    world.dave.refresh_from_db()
    with pytest.raises(DomainError) as err:
        review(case, world.dave, "agree", "同意")
    assert err.value.code == "reviewer_not_registered"


def test_a_reviewer_cannot_be_an_officer_of_the_case_so_cannot_review_his_own(world, cast):
    """Separation is enforced at the first point: a legal reviewer is never assigned to a case
    (审核与调查相分离), so reviewer_independent is a second line that the flow keeps."""
    import datetime as dt

    from sanxiang.cases.services import case_open
    from sanxiang.reviews.tests.conftest import TODAY
    from sanxiang.testing import citizen_party

    with pytest.raises(DomainError) as err:
        case_open(actor=world.alice, item=world.item, party=citizen_party(), title="擅自倾倒建筑垃圾",
                  officers=[world.alice_officer, world.dave_officer], opened_on=TODAY - dt.timedelta(days=40))
    assert err.value.code == "reviewer_investigating"
