"""Legal review services."""

from __future__ import annotations

from django.utils import timezone

from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DeadlineError
from sanxiang.registry.params import param_int
from sanxiang.reviews.models import LegalReview


def review_due_on(case, started_on):
    """5 working days (parameter review_working_days) from the day the case was sent for review."""
    return add_working_days(started_on, param_int("review_working_days", case.agency), what="法制审核期限")


def review_record(*, case, reviewer, values: dict, today) -> LegalReview:
    """Record a review opinion; called by the flow engine inside the case transition (logged there)."""
    from sanxiang.reviews.selectors import review_matches

    started_on = timezone.localtime(case.step_entered_at).date()
    due_on = case.step_due
    if due_on is None:
        try:
            due_on = review_due_on(case, started_on)
        except DeadlineError:
            due_on = None  # the case carries the note asking for the calendar year
    return LegalReview.objects.create(
        case=case, reviewer=reviewer, started_on=started_on, due_on=due_on, submitted_at=timezone.now(),
        checklist=values["checklist"], opinion=values["opinion"], opinion_text=values["opinion_text"],
        matched=review_matches(case), overdue=due_on is not None and today > due_on,
    )
