"""Public reads. The portal sees publications (already redacted) and the public registry only."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sanxiang.disclosure.models import Publication, PublicationStatus


def published(query: str = "", agency_code: str = "") -> QuerySet[Publication]:
    qs = Publication.objects.filter(status=PublicationStatus.PUBLISHED).select_related("agency")
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(party_name__icontains=query) | Q(decision_number__icontains=query))
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return qs.order_by("-decided_on", "-pk")


def published_get(pk: int) -> Publication | None:
    return published().filter(pk=pk).first()
