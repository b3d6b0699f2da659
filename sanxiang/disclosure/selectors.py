"""Reads of publications. The portal sees released publications only (already redacted); staff
see those of their agency scope (Publication.objects.visible_to)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from sanxiang.disclosure import search_index
from sanxiang.disclosure.models import Publication, PublicationStatus


def _matching(qs: QuerySet[Publication], query: str) -> QuerySet[Publication]:
    """A substring of the title, party name or 文号. On SQLite, from the FTS5 trigram index when the
    query has a trigram (same answer, no table scan); PostgreSQL's trigram indexes serve icontains
    as it is (see search_index)."""
    if connection.vendor == "sqlite" and len(query) >= search_index.MIN_TRIGRAM:
        return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {search_index.FTS} WHERE {search_index.FTS} MATCH %s",
                                       [search_index.fts_phrase(query)]))
    return qs.filter(Q(title__icontains=query) | Q(party_name__icontains=query) | Q(decision_number__icontains=query))


def published(query: str = "", agency_code: str = "") -> QuerySet[Publication]:
    # Lists show the agency's name only: the issued 决定书 (its whole content JSON) and the PDF row
    # are joined for one decision's page (published_get), not for 200 list rows.
    qs = Publication.objects.released().select_related("agency")
    if query:
        qs = _matching(qs, query)
    if agency_code:
        # A scalar subquery, not a join on registry_agency: the planner then reads the
        # (agency, status, decided_on, id) index from its newest row for that one agency, where with
        # the join PostgreSQL walked the whole list filtering by agency.
        from sanxiang.registry.models import Agency

        qs = qs.filter(agency_id=Subquery(Agency.objects.filter(code=agency_code).values("id")[:1]))
    return qs.order_by("-decided_on", "-pk")


PUBLISHED_COUNT_SECONDS = 60


def published_count() -> int:
    """How many decisions are public, for the portal's home page. Counting a million rows reads a
    million index entries on every visit; the figure is kept for a minute (README 门户性能)."""
    from django.core.cache import cache

    count = cache.get("portal:published_count")
    if count is None:
        count = Publication.objects.released().count()
        cache.set("portal:published_count", count, PUBLISHED_COUNT_SECONDS)
    return count


def published_get(pk: int) -> Publication | None:
    return published().select_related("pdf", "document").filter(pk=pk).first()


def pending_for(user) -> QuerySet[Publication]:
    """Publications awaiting release, scoped to the agencies the user may see."""
    qs = Publication.objects.visible_to(user).filter(status=PublicationStatus.PENDING)
    return qs.select_related("agency", "case").order_by("due_on", "pk")


def publication_get(user, pk: int) -> Publication:
    """A publication of the user's scope (staff side, any status), or NotFound."""
    return Publication.objects.select_related("agency").get_visible(user, pk=pk, message="公示信息不存在或无权查看")
