"""法制审核期限: 5 working days, +5 once with the agency head's approval; overdue reviews flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from sanxiang.cases.models import Case
from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DomainError, RoleNotAllowed, ValidationFailed
from sanxiang.reviews.models import ReviewExtension
from sanxiang.reviews.tests.conftest import TODAY, act, review

pytestmark = pytest.mark.django_db


def test_head_extends_the_review_once_by_the_extension_parameter(world, in_review):
    case = in_review()
    original = case.step_due
    assert original == add_working_days(TODAY, 5, what="法制审核期限")
    with pytest.raises(RoleNotAllowed):
        act(case, "extend_review", world.dave, extension_reason="案情复杂")
    with pytest.raises(ValidationFailed) as err:
        act(case, "extend_review", world.erin, extension_reason="")
    assert err.value.field == "extension_reason"
    case = act(case, "extend_review", world.erin, extension_reason="涉及多个法律关系，需征求法律顾问意见。")
    assert case.state == "legal_review"
    assert case.step_due == add_working_days(original, 5, what="延长后的法制审核期限")
    extension = ReviewExtension.objects.get(case=case)
    assert (extension.old_due, extension.new_due, extension.approved_by) == (original, case.step_due, world.erin)
    assert "延长5个工作日" in case.step_due_note
    with pytest.raises(DomainError) as err:
        act(case, "extend_review", world.erin, extension_reason="再延长")
    assert err.value.code == "review_extended_already"
    # The review made after the extension runs against the extended period.
    case = review(case, world.dave, "agree", "同意")
    made = case.reviews.get()
    assert made.due_on == extension.new_due and not made.overdue


def test_extension_after_the_period_ran_out_is_refused(world, in_review):
    case = in_review()
    Case.objects.filter(pk=case.pk).update(step_due=TODAY - dt.timedelta(days=1))
    case.refresh_from_db()
    with pytest.raises(DomainError) as err:
        act(case, "extend_review", world.erin, extension_reason="案情复杂")
    assert err.value.code == "review_overdue" and "届满" in err.value.message
    assert not ReviewExtension.objects.exists()


def test_extension_parameter_is_data(world, in_review):
    from decimal import Decimal

    from sanxiang.common.services import record_save
    from sanxiang.registry.models import Parameter

    record_save(Parameter(agency=world.agency, key="review_extension_working_days", value=Decimal(3), unit="工作日",
                          label="法制审核延长期限", source="本省规定"), actor="test")
    case = in_review()
    original = case.step_due
    case = act(case, "extend_review", world.erin, extension_reason="案情复杂")
    assert case.step_due == add_working_days(original, 3, what="x")


def test_overdue_review_is_flagged_on_the_heads_and_the_supervisors_workbench(world, in_review, client):
    late, on_time = in_review(7), in_review(8)
    Case.objects.filter(pk=late.pk).update(step_due=TODAY - dt.timedelta(days=2))
    for user, shown in ((world.erin, True), (world.sam, True), (world.alice, False)):
        client.force_login(user)
        page = client.get("/staff/").content.decode()
        assert ('id="overdue-reviews"' in page) is shown, user.username
        if shown:
            section = page.split('id="overdue-reviews"')[1].split("</section>")[0]
            assert late.number in section and on_time.number not in section
            assert "超期" in section
    client.force_login(world.mallory)  # another agency's staff see nothing of it
    assert late.number not in client.get("/staff/").content.decode()


def test_a_case_in_review_is_not_in_the_heads_queue_just_because_he_may_extend_it(world, in_review):
    from sanxiang.cases.selectors import work_queue

    case = in_review()
    assert case not in work_queue(world.erin) and case in work_queue(world.dave)
