"""Reads of publications. The portal sees released publications only (already redacted); staff
see those of their agency scope (Publication.objects.visible_to)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from sanxiang.disclosure import search_index
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


_WHOLE_NUMBER = re.compile(r"\S+〔\d{4}〕第?\d+号")


def _matching(qs: QuerySet[Publication], query: str) -> QuerySet[Publication]:
    """A substring of the title, party name or 文号. On SQLite, from the FTS5 trigram index when the
    query has a trigram (same answer, no table scan); PostgreSQL's trigram indexes serve icontains
    as it is (see search_index).

    A whole 文号 (「…〔2025〕12号」) is looked up exactly first (index pub_decision_number): its
    trigrams include 「〔2025〕」, which a third of all rows share, and at a million rows
    PostgreSQL's GIN intersection of those posting lists took ~100 ms for the one row it found.
    Only when no decision has that exact number is it searched as a substring."""
    if _WHOLE_NUMBER.fullmatch(query) and qs.filter(decision_number=query).exists():
        return qs.filter(decision_number=query)
    if connection.vendor == "sqlite" and len(query) >= search_index.MIN_TRIGRAM:
        return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {search_index.FTS} WHERE {search_index.FTS} MATCH %s",
                                       [search_index.fts_phrase(query)]))
    return qs.filter(Q(title__icontains=query) | Q(party_name__icontains=query) | Q(decision_number__icontains=query))


def published(query: str = "", agency_code: str = "", *, kind: str = "", penalty: str = "",
              date_from: str = "", date_to: str = "") -> QuerySet[Publication]:
    """Released publications, filtered: 文号/当事人/标题 (`query`), agency, kind (类别 label, e.g.
    行政处罚), penalty kind (label, e.g. 罚款) and decision date range (ISO dates; bad ones ignored)."""
    # Lists show the agency's name only: the issued 决定书 (its whole content JSON) and the PDF row
    # are joined for one decision's page (published_get), not for 200 list rows.
    qs = Publication.objects.released().select_related("agency")
    query = (query or "").strip()
    if query:
        qs = _matching(qs, query)
    if agency_code:
        # A scalar subquery, not a join on registry_agency: the planner then reads the
        # (agency, status, decided_on, id) index from its newest row for that one agency, where with
        # the join PostgreSQL walked the whole list filtering by agency.
        from sanxiang.registry.models import Agency

        qs = qs.filter(agency_id=Subquery(Agency.objects.filter(code=agency_code).values("id")[:1]))
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


PAGE_SIZE = 20


class BadCursor(ValueError):
    """A 翻页 cursor that is not `<YYYY-MM-DD>.<id>`; the view names the field and shows page one."""


def _cursor(value: str) -> tuple[dt.date, int] | None:
    if not value:
        return None
    day, _, pk = value.partition(".")
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        raise BadCursor(value) from None


def cursor_of(publication: Publication) -> str:
    return f"{publication.decided_on.isoformat()}.{publication.pk}"


@dataclass(frozen=True)
class DecisionPage:
    """One page of a list ordered newest first on (decided_on, id), and the cursors of its
    neighbours ("" when there is none)."""

    rows: list[Publication]
    next_cursor: str
    prev_cursor: str


def _newer(qs: QuerySet[Publication], day: dt.date, pk: int) -> QuerySet[Publication]:
    # (decided_on, id) > (day, pk), written so that the range on decided_on seeks in the
    # (…, decided_on, id) index and the id only filters the rows of that one day.
    return qs.filter(decided_on__gte=day).filter(Q(decided_on__gt=day) | Q(pk__gt=pk))


def _older(qs: QuerySet[Publication], day: dt.date, pk: int) -> QuerySet[Publication]:
    return qs.filter(decided_on__lte=day).filter(Q(decided_on__lt=day) | Q(pk__lt=pk))


def decision_page(qs: QuerySet[Publication], *, after: str = "", before: str = "",
                  size: int = PAGE_SIZE) -> DecisionPage:
    """Keyset pagination of `published(...)`: the `size` rows older than `after` (下一页) or newer
    than `before` (上一页), or the newest. A deep page costs what the first does: the index is
    entered at the cursor, never read past OFFSET rows. Raises BadCursor on a malformed cursor."""
    newest_first = qs.order_by("-decided_on", "-pk")
    before_key, after_key = _cursor(before), _cursor(after)
    if before_key:
        rows = list(_newer(qs, *before_key).order_by("decided_on", "pk")[:size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        more_older = bool(rows) and _older(qs, rows[-1].decided_on, rows[-1].pk).exists()
    else:
        base = _older(newest_first, *after_key) if after_key else newest_first
        rows = list(base[:size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        more_newer = bool(rows) and after_key is not None and _newer(qs, rows[0].decided_on, rows[0].pk).exists()
    return DecisionPage(rows=rows, next_cursor=cursor_of(rows[-1]) if more_older else "",
                        prev_cursor=cursor_of(rows[0]) if more_newer else "")


PUBLISHED_COUNT_SECONDS = 60


def published_count() -> int:
    """How many decisions are public, for the portal's home page. Counting a million rows reads a
    million index entries on every visit; the figure is kept for a minute (README 门户性能)."""
    return portal_figures()["decisions"]


def portal_figures() -> dict[str, int]:
    """The home page's four counts (agencies, officers with a certificate, active items, public
    decisions): the same for every visitor, so counted once a minute for all the web processes
    (the cache is shared), not four COUNT queries per visit."""
    from django.core.cache import cache

    from sanxiang.registry import selectors as registry

    figures = cache.get("portal:figures")
    if figures is None:
        figures = {"agencies": registry.public_agencies().count(), "officers": registry.public_officers().count(),
                   "items": registry.public_items().count(), "decisions": Publication.objects.released().count()}
        cache.set("portal:figures", figures, PUBLISHED_COUNT_SECONDS)
    return figures


def published_get(pk: int) -> Publication | None:
    return published().select_related("pdf", "document").filter(pk=pk).first()


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
