"""Reads of the review catalogue and of reviews."""

from __future__ import annotations


def review_matches(case) -> list[str]:
    """The catalogue entries of the case's agency (or its parents) that the case falls under."""
    from sanxiang.cases.choices import PenaltyKind
    from sanxiang.cases.engine import flow_spec
    from sanxiang.cases.facts import party_penalties
    from sanxiang.reviews.models import CatalogueEntry, Criterion, PartyScope

    agency_ids, current = [], case.agency
    while current is not None:
        agency_ids.append(current.pk)
        current = current.parent
    # Each party with its own penalty (共同违法): an entry scoped to citizens or organisations
    # applies when a party of that type falls under it, and the fine threshold is measured on
    # that party's own fine, never on the case's total.
    penalties = party_penalties(case)
    matched = []
    for entry in CatalogueEntry.objects.filter(agency_id__in=agency_ids):
        in_scope = [p for p in penalties
                    if not (entry.party_scope == PartyScope.CITIZEN and not p.is_citizen)
                    and not (entry.party_scope == PartyScope.ORGANISATION and p.is_citizen)]
        if not in_scope:
            continue
        kinds = {k for p in in_scope for k in p.kinds}
        hit = {
            Criterion.FINE_AT_LEAST: entry.threshold is not None and any(
                p.fine is not None and p.fine >= entry.threshold for p in in_scope),
            Criterion.LICENCE_REVOCATION: bool(kinds & {PenaltyKind.REVOKE_LICENCE, PenaltyKind.DOWNGRADE}),
            Criterion.SUSPENSION_CLOSURE: bool(kinds & {PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.CLOSE,
                                                        PenaltyKind.RESTRICT_PRACTICE,
                                                        PenaltyKind.RESTRICT_OPERATION}),
            Criterion.HEARING_HELD: case.hearing_held_on is not None,
            Criterion.COMPLEX: case.flagged_complex,
            Criterion.MAJOR_PUBLIC_INTEREST: case.flagged_major_public_interest,
            Criterion.ALL_GENERAL: flow_spec(case.flow).procedure == "general",
        }[entry.criterion]
        if hit:
            matched.append(str(entry))
    return matched


def latest_review(case):
    return case.reviews.order_by("-submitted_at", "-pk").first()


def _agency_chain(agency) -> list:
    chain, current = [], agency
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def checklist_in_force(agency=None) -> tuple[list[tuple[str, str, str]], object | None]:
    """The 法制审核内容 for `agency`: (key, label, standard) items and the agency whose list it is.

    An agency's own active items, else its nearest parent's, else the code's defaults (agency None).
    """
    from sanxiang.reviews.models import CHECKLIST, ChecklistItem

    for current in _agency_chain(agency):
        rows = list(ChecklistItem.objects.filter(agency=current, is_active=True).order_by("order", "pk"))
        if rows:
            return [(r.key, r.label, r.standard) for r in rows], current
    return [(key, label, "") for key, label in CHECKLIST], None


def matched_entries(case) -> list:
    """The catalogue entries (rows) the case falls under; review_matches gives their texts."""
    from sanxiang.reviews.models import CatalogueEntry

    matched = set(review_matches(case))
    ids = [a.pk for a in _agency_chain(case.agency)]
    return [e for e in CatalogueEntry.objects.filter(agency_id__in=ids) if str(e) in matched]


def open_coordination(case):
    """The coordination round on the latest review that has no outcome yet, if any."""
    review = latest_review(case)
    if review is None:
        return None
    return case.review_coordinations.filter(review=review, outcome="").order_by("-opened_at", "-pk").first()


def unresolved_coordination(case):
    """The coordination on the latest review that ended unresolved (the case needs 集体讨论)."""
    review = latest_review(case)
    if review is None:
        return None
    return case.review_coordinations.filter(review=review, outcome="unresolved").order_by("-concluded_at").first()


def collective_discussion_reasons(case) -> list[str]:
    """Why the decision needs the agency head's collective discussion (empty when it does not):
    a catalogue entry marked major, or a disagreement over the review that coordination did not
    resolve (行政处罚法第五十七条第二款; 审核意见不一致的协调机制)."""
    reasons = [f"属于法制审核目录中须集体讨论的情形（{e}）" for e in matched_entries(case)
               if e.requires_collective_discussion]
    if unresolved_coordination(case) is not None:
        reasons.append("承办机构与法制审核机构对审核意见协调未果")
    return reasons


def discussion_in_force(case):
    """The latest collective discussion held after the latest review (an earlier one decided on
    other facts), or None."""
    discussion = case.collective_discussions.order_by("-recorded_at", "-pk").first()
    review = latest_review(case)
    if discussion is None or (review is not None and discussion.recorded_at < review.submitted_at):
        return None
    return discussion


def overdue_reviews(user, on):
    """Cases of the user's scope waiting in 法制审核 past their review due date (for the agency
    head's and the supervisor's workbench)."""
    from django.db.models import Q

    from sanxiang.cases.engine import flow_spec
    from sanxiang.cases.selectors import case_queryset
    from sanxiang.registry.models import Flow

    # The review steps are the steps whose period is the review period (data, not a step code).
    where = Q(pk__in=[])
    for flow in Flow.objects.all():
        for step in flow_spec(flow).steps.values():
            if step.due and step.due.get("param") == REVIEW_PERIOD_PARAM:
                where |= Q(flow_id=flow.pk, state=step.code)
    return case_queryset(user).filter(where, step_due__lt=on).order_by("step_due", "pk")


REVIEW_PERIOD_PARAM = "review_working_days"
