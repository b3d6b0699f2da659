"""Reads of the review catalogue and of reviews."""

from __future__ import annotations


def review_matches(case) -> list[str]:
    """The catalogue entries of the case's agency (or its parents) that the case falls under."""
    from sanxiang.cases.choices import PenaltyKind
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
            Criterion.ALL_GENERAL: case.flow.code == "penalty_general",
        }[entry.criterion]
        if hit:
            matched.append(str(entry))
    return matched


def latest_review(case):
    return case.reviews.order_by("-submitted_at", "-pk").first()
