"""Reads of the review catalogue and of reviews."""

from __future__ import annotations


def review_matches(case) -> list[str]:
    """The catalogue entries of the case's agency (or its parents) that the case falls under."""
    from sanxiang.cases.choices import PenaltyKind
    from sanxiang.cases.engine import flow_spec
    from sanxiang.cases.facts import effective_fine, effective_kinds, party_is_citizen
    from sanxiang.reviews.models import CatalogueEntry, Criterion, PartyScope

    agency_ids, current = [], case.agency
    while current is not None:
        agency_ids.append(current.pk)
        current = current.parent
    kinds = set(effective_kinds(case))
    fine = effective_fine(case)
    citizen = party_is_citizen(case)
    matched = []
    for entry in CatalogueEntry.objects.filter(agency_id__in=agency_ids):
        if entry.party_scope == PartyScope.CITIZEN and not citizen:
            continue
        if entry.party_scope == PartyScope.ORGANISATION and citizen:
            continue
        hit = {
            Criterion.FINE_AT_LEAST: fine is not None and entry.threshold is not None and fine >= entry.threshold,
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
