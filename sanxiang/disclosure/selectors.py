"""Public reads. The portal sees publications (already redacted) and the public registry only."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sanxiang.disclosure.models import Publication, PublicationStatus


def published(query: str = "", agency_code: str = "") -> QuerySet[Publication]:
    qs = Publication.objects.filter(status=PublicationStatus.PUBLISHED).select_related("agency", "pdf", "document")
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(party_name__icontains=query) | Q(decision_number__icontains=query))
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return qs.order_by("-decided_on", "-pk")


def published_get(pk: int) -> Publication | None:
    return published().filter(pk=pk).first()


def pending_for(user) -> QuerySet[Publication]:
    """Publications awaiting release, scoped to the agencies the user may see."""
    qs = Publication.objects.filter(status=PublicationStatus.PENDING).select_related("agency")
    visible = user.visible_agency_ids()
    if visible is not None:
        qs = qs.filter(agency_id__in=visible)
    return qs.order_by("due_on", "pk")
