"""集中储存: every record of one party across cases, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from sanxiang.cases.models import Case
from sanxiang.cases.selectors import case_queryset


@dataclass
class PartyRecords:
    key: str
    cases: list
    evidence: list
    documents: list


def party_records(user, key: str) -> PartyRecords | None:
    """Cases, evidence and documents of the party whose ID number or USCC is `key` (exact match),
    or whose name is `key` when no number matches. Only cases the user may see are included."""
    key = (key or "").strip().upper()
    if not key:
        return None
    cases = case_queryset(user).filter(party__id_number=key) | case_queryset(user).filter(party__uscc=key)
    if not cases.exists():
        cases = case_queryset(user).filter(party__name=key.strip())
    cases = list(cases.select_related("party", "agency").order_by("-opened_on", "-pk").distinct())
    evidence, documents = [], []
    for case in cases:
        evidence.extend(case.evidence.select_related("file").order_by("pk"))
        manager = getattr(case, "documents", None)
        if manager is not None:
            documents.extend(manager.order_by("issued_at", "pk"))
    return PartyRecords(key, cases, evidence, documents)


__all__ = ["party_records", "PartyRecords", "Case"]
