"""Reads of publications. The portal sees released publications only (already redacted); staff
see those of their agency scope (Publication.objects.visible_to)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sanxiang.disclosure.models import Publication, PublicationStatus


def published(query: str = "", agency_code: str = "") -> QuerySet[Publication]:
    qs = Publication.objects.released().select_related("agency", "pdf", "document")
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(party_name__icontains=query) | Q(decision_number__icontains=query))
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    return qs.order_by("-decided_on", "-pk")


def published_get(pk: int) -> Publication | None:
    return published().filter(pk=pk).first()


def pending_for(user) -> QuerySet[Publication]:
    """Publications awaiting release, scoped to the agencies the user may see."""
    qs = Publication.objects.visible_to(user).filter(status=PublicationStatus.PENDING)
    return qs.select_related("agency", "case").order_by("due_on", "pk")


def publication_get(user, pk: int) -> Publication:
    """A publication of the user's scope (staff side, any status), or NotFound."""
    return Publication.objects.select_related("agency").get_visible(user, pk=pk, message="公示信息不存在或无权查看")
