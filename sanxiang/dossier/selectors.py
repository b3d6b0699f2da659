"""集中储存: every record of one party across cases, scoped to what the user may see.

Keyed on the party record: one record per ID number / USCC (cases.parties), so the page shows
every case of that one record, under whatever name each case was opened (renames included).
Restricted evidence the user may not open is listed by hash only (`withheld`), never by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanxiang.cases.models import Case, Party
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
    parties: list = field(default_factory=list)  # the records found (one for a number)
    names: list = field(default_factory=list)  # their rename history

    @property
    def evidence_count(self) -> int:
        return len(self.evidence) + len(self.withheld)


def _parties_for(user, key: str) -> list[Party]:
    """The party records for `key`: the record of that number, else those of that name (current
    or earlier), limited to parties of cases the user may see."""
    visible = Party.objects.filter(case_links__case__in=case_queryset(user)).distinct()
    number = key.upper()
    by_number = list(visible.filter(merged_into__isnull=True).filter(id_number=number)) or list(
        visible.filter(merged_into__isnull=True).filter(uscc=number))
    if by_number:
        return by_number
    name = key.strip()
    return list(visible.filter(name=name)) or list(visible.filter(names__old_name=name))


def party_records(user, key: str) -> PartyRecords | None:
    """Cases, evidence and documents of the party whose ID number or USCC is `key` (exact match),
    or whose name is `key` when no number matches. Only cases the user may see are included."""
    key = (key or "").strip()
    if not key:
        return None
    parties = _parties_for(user, key)
    # Rows merged into a record (registered twice before numbers were unique) belong to it.
    ids = [p.pk for p in parties] + list(Party.objects.filter(merged_into__in=parties).values_list("pk", flat=True))
    cases = list(case_queryset(user).filter(case_parties__party_id__in=ids).order_by("-opened_on", "-pk").distinct())
    evidence = list(Evidence.objects.visible_to(user).filter(case__in=cases).select_related("case", "file")
                    .order_by("case_id", "pk"))
    withheld = list(Evidence.objects.withheld_from(user).filter(case__in=cases).select_related("case", "file")
                    .order_by("case_id", "pk"))
    documents = list(Document.objects.visible_to(user).filter(case__in=cases).select_related("case")
                     .order_by("case_id", "issued_at", "pk"))
    names = [n for p in parties for n in p.names.order_by("recorded_at", "pk")]
    return PartyRecords(key, cases, evidence, withheld, documents, parties, names)


__all__ = ["party_records", "PartyRecords", "Case"]
