"""集中储存: every record of one party across cases, scoped to what the user may see.

Keyed on the party record: one record per ID number / USCC (cases.parties), so the page shows
every case of that one record, under whatever name each case was opened (renames included).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanxiang.cases.models import Case, Party
from sanxiang.cases.selectors import case_queryset


@dataclass
class PartyRecords:
    key: str
    cases: list
    evidence: list
    documents: list
    parties: list = field(default_factory=list)  # the records found (one for a number)
    names: list = field(default_factory=list)  # their rename history


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
    evidence, documents = [], []
    for case in cases:
        evidence.extend(case.evidence.select_related("file").order_by("pk"))
        manager = getattr(case, "documents", None)
        if manager is not None:
            documents.extend(manager.order_by("issued_at", "pk"))
    names = [n for p in parties for n in p.names.order_by("recorded_at", "pk")]
    return PartyRecords(key, cases, evidence, documents, parties, names)


__all__ = ["party_records", "PartyRecords", "Case"]
