"""Legal review services.

The writes made inside a case transition (review, extension, coordination, collective discussion)
are called by the engine's effects: the transition logs them in its own ledger entry, in the same
transaction. The checklist writes behind the admin go through record_save (logged there).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DeadlineError, DomainError
from sanxiang.common.services import record_save
from sanxiang.registry.params import param_int
from sanxiang.reviews.models import (
    CHECKLIST,
    ChecklistItem,
    CollectiveDiscussion,
    CoordinationOutcome,
    LegalReview,
    ReviewCoordination,
    ReviewExtension,
)


def review_due_on(case, started_on):
    """5 working days (parameter review_working_days) from the day the case was sent for review."""
    return add_working_days(started_on, param_int("review_working_days", case.agency), what="法制审核期限")


def review_record(*, case, reviewer, values: dict, today) -> LegalReview:
    """Record a review opinion; called by the flow engine inside the case transition (logged there)."""
    from sanxiang.reviews.selectors import checklist_in_force, review_matches

    started_on = timezone.localtime(case.step_entered_at).date()
    due_on = case.step_due  # the review period in force, extended when the head approved it
    if due_on is None:
        try:
            due_on = review_due_on(case, started_on)
        except DeadlineError:
            due_on = None  # the case carries the note asking for the calendar year
    items, _ = checklist_in_force(case.agency)
    return LegalReview.objects.create(
        case=case, reviewer=reviewer, started_on=started_on, due_on=due_on, submitted_at=timezone.now(),
        checklist=values["checklist"], checklist_items=[[key, label] for key, label, _ in items],
        opinion=values["opinion"], opinion_text=values["opinion_text"],
        matched=review_matches(case), overdue=due_on is not None and today > due_on,
    )


def review_extend(*, case, actor, reason: str) -> ReviewExtension:
    """延长审核期限: the review period runs on by review_extension_working_days from its current end."""
    days = param_int("review_extension_working_days", case.agency)
    old_due = case.step_due
    new_due = add_working_days(old_due, days, what="延长后的法制审核期限")
    case.step_due = new_due
    case.step_due_note = f"经机关负责人批准延长{days}个工作日（原期限{old_due}）"
    return ReviewExtension.objects.create(case=case, approved_by=actor, approved_at=timezone.now(), reason=reason,
                                          old_due=old_due, new_due=new_due)


def coordination_open(*, case, actor, reasons: str) -> ReviewCoordination:
    """The handling unit declines a 建议纠正 opinion: a coordination round on that review."""
    from sanxiang.reviews.selectors import latest_review

    review = latest_review(case)
    if review is None:
        raise DomainError("本案尚无法制审核意见，无需协调", code="no_review")
    return ReviewCoordination.objects.create(case=case, review=review, opened_at=timezone.now(), unit_head=actor,
                                             unit_reasons=reasons)


def _open_round(case) -> ReviewCoordination:
    from sanxiang.reviews.selectors import open_coordination

    coordination = open_coordination(case)
    if coordination is None:
        raise DomainError("本案没有进行中的审核意见协调", code="no_coordination")
    return coordination


def coordination_reviewer_position(*, case, actor, position: str, stance: str) -> ReviewCoordination:
    """The legal-affairs unit states whether its opinion stands (or that it will issue a new one)."""
    coordination = _open_round(case)
    coordination.reviewer, coordination.reviewer_position, coordination.reviewer_stance = actor, position, stance
    if stance == "revise":
        # The reviewer withdraws the opinion and reviews again: the round ends without a dispute.
        coordination.outcome = CoordinationOutcome.ACCEPTED
        coordination.concluded_at = timezone.now()
    coordination.save()
    return coordination


def coordination_conclude(*, case, actor, position: str, outcome: str) -> ReviewCoordination:
    """The unit head records its final position and the outcome of the round."""
    coordination = _open_round(case)
    coordination.unit_position, coordination.outcome, coordination.concluded_at = position, outcome, timezone.now()
    coordination.save()
    return coordination


def discussion_record(*, case, actor, values: dict) -> list:
    """集体讨论: the record (presided by the acting agency head) and its 集体讨论笔录 in the dossier."""
    from sanxiang.documents.services import document_issue
    from sanxiang.registry.models import Officer
    from sanxiang.reviews.selectors import collective_discussion_reasons

    names = dict(Officer.objects.filter(pk__in=values["participants"]).values_list("pk", "name"))
    discussion = CollectiveDiscussion.objects.create(
        case=case, held_on=values["discussed_on"], place=values["discussion_place"], presided_by=actor,
        participants=[{"id": pk, "name": names[pk]} for pk in values["participants"]],
        reasons=collective_discussion_reasons(case), discussion=values["discussion"],
        conclusion=values["conclusion"], conclusion_text=values["conclusion_text"], recorded_at=timezone.now(),
    )
    document = document_issue(case=case, kind="collective_discussion", actor=actor)
    return [discussion, document]


@transaction.atomic
def checklist_install_defaults(*, agency, actor) -> list[ChecklistItem]:
    """Give an agency its own editable copy of the default checklist (items it has are kept)."""
    created = []
    for order, (key, label) in enumerate(CHECKLIST, start=1):
        if ChecklistItem.objects.filter(agency=agency, key=key).exists():
            continue
        created.append(record_save(ChecklistItem(agency=agency, key=key, label=label, order=order * 10),
                                   actor=actor, agency=agency))
    return created
