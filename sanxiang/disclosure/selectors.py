"""Reads of publications. The portal sees released publications only (already redacted); staff
see those of their agency scope (Publication.objects.visible_to)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from sanxiang.disclosure.models import (
    CreditRepair,
    ErrorReport,
    Publication,
    PublicationStatus,
    RepairStatus,
    ReportStatus,
)

# What a decision page may still show once the publication is no longer current: a corrected
# version points at its replacement, a withdrawn one shows the withdrawal and its reason.
NOTICE_STATES = (PublicationStatus.CORRECTED, PublicationStatus.WITHDRAWN)
GONE_STATES = (PublicationStatus.EXPIRED, PublicationStatus.REPAIRED)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def published(query: str = "", agency_code: str = "", *, kind: str = "", penalty: str = "",
              date_from: str = "", date_to: str = "") -> QuerySet[Publication]:
    """Released publications, filtered: 文号/当事人/标题 (`query`), agency, kind (类别 label, e.g.
    行政处罚), penalty kind (label, e.g. 罚款) and decision date range (ISO dates; bad ones ignored)."""
    qs = Publication.objects.released().select_related("agency", "pdf", "document")
    if query:
        query = query.strip()
        qs = qs.filter(Q(title__icontains=query) | Q(party_name__icontains=query) | Q(decision_number__icontains=query))
    if agency_code:
        qs = qs.filter(agency__code=agency_code)
    if kind:
        qs = qs.filter(kind=kind)
    if penalty:
        qs = qs.filter(content__penalty__icontains=penalty)
    start, end = _date(date_from), _date(date_to)
    if start:
        qs = qs.filter(decided_on__gte=start)
    if end:
        qs = qs.filter(decided_on__lte=end)
    return qs.order_by("-decided_on", "-pk")


def published_get(pk: int) -> Publication | None:
    return published().filter(pk=pk).first()


def public_get(pk: int) -> Publication | None:
    """A publication the portal may name at all: released, or corrected/withdrawn/taken down (the
    page then shows the notice, not the old text). Pending ones do not exist for the public."""
    return (Publication.objects.exclude(status=PublicationStatus.PENDING)
            .select_related("agency", "pdf", "document").filter(pk=pk).first())


def public_events(publication: Publication) -> list:
    return list(publication.events.select_related("replacement").order_by("at", "pk"))


def version_history(publication: Publication) -> list[Publication]:
    """The earlier versions this one corrects, newest first (their text is no longer shown)."""
    out, current = [], publication.supersedes
    while current is not None:
        out.append(current)
        current = current.supersedes
    return out


def pending_for(user) -> QuerySet[Publication]:
    """Publications awaiting release, scoped to the agencies the user may see."""
    qs = Publication.objects.visible_to(user).filter(status=PublicationStatus.PENDING)
    return qs.select_related("agency", "case").order_by("due_on", "pk")


def publication_get(user, pk: int) -> Publication:
    """A publication of the user's scope (staff side, any status), or NotFound."""
    return Publication.objects.select_related("agency").get_visible(user, pk=pk, message="公示信息不存在或无权查看")


def released_for(user) -> QuerySet[Publication]:
    return (Publication.objects.visible_to(user).filter(status=PublicationStatus.PUBLISHED)
            .select_related("agency").order_by("-published_at", "-pk"))


def reports_for(user, status: str = "") -> QuerySet[ErrorReport]:
    qs = ErrorReport.objects.visible_to(user).select_related("publication", "agency", "correction")
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "due_on", "-pk")


def report_get(user, pk: int) -> ErrorReport:
    return (ErrorReport.objects.select_related("publication", "agency")
            .get_visible(user, pk=pk, message="纠错报告不存在或无权查看"))


def repairs_for(user) -> QuerySet[CreditRepair]:
    return (CreditRepair.objects.visible_to(user).select_related("publication", "agency")
            .order_by("status", "-pk"))


def repair_get(user, pk: int) -> CreditRepair:
    return (CreditRepair.objects.select_related("publication", "agency")
            .get_visible(user, pk=pk, message="信用修复申请不存在或无权查看"))


__all__ = ["RepairStatus"]
