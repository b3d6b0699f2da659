"""集中储存: every record of one party across cases, scoped to what the user may see.

Restricted evidence the user may not open is listed by hash only (`withheld`), never by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanxiang.cases.selectors import case_queryset
from sanxiang.documents.models import Document
from sanxiang.records.models import Evidence


@dataclass
class PartyRecords:
    key: str
    cases: list
    evidence: list
    withheld: list
    documents: list

    @property
    def evidence_count(self) -> int:
        return len(self.evidence) + len(self.withheld)


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
    evidence = list(Evidence.objects.visible_to(user).filter(case__in=cases).select_related("case", "file")
                    .order_by("case_id", "pk"))
    withheld = list(Evidence.objects.withheld_from(user).filter(case__in=cases).select_related("case", "file")
                    .order_by("case_id", "pk"))
    documents = list(Document.objects.visible_to(user).filter(case__in=cases).select_related("case")
                     .order_by("case_id", "issued_at", "pk"))
    return PartyRecords(key, cases, evidence, withheld, documents)
