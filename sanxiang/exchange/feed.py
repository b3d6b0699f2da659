"""The incremental feed for the higher-level platform (数据交换): changes since a cursor.

The cursor is the ledger index. Every change to a publication — release, correction (the new
version and the one it replaces), withdrawal, take-down at the end of its display period, credit
repair — is a `publication.*` ledger entry naming the publication rows it wrote, so a later state
change of a publication is a later entry and appears as a new feed item after the original. A
consumer keeps the `next_cursor` of the last page and asks again with it; nothing is missed and
nothing is repeated, whatever the consumer's clock.

Each item says what happened (`event`, the ledger entry kind), what the consumer should do with
the record (`action`: "upsert" while the publication is released, "delete" once it has left the
public view — corrected, withdrawn, expired), and carries the 双公示 rows of the publication as it
stands now (only redacted public data, the same rows as the export). Publications outside the
caller's scope are skipped, but the cursor still moves past them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.exchange.export import EXPORT_SOURCES
from sanxiang.ledger.models import Entry

EVENT_PREFIX = "publication."
PUBLICATION_REF = "disclosure.publication:"
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class FeedPage:
    items: list[dict]
    cursor: int
    next_cursor: int
    has_more: bool

    def as_dict(self) -> dict:
        return {"cursor": self.cursor, "next_cursor": self.next_cursor, "has_more": self.has_more,
                "items": self.items}


def parse_cursor(value, *, field: str = "cursor") -> int:
    """The cursor from a query string: -1 (the start) when absent."""
    if value in (None, ""):
        return -1
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("游标须为整数（上一页返回的 next_cursor，首次请求不填）", field=field,
                               code="cursor_invalid") from None
    if cursor < -1:
        raise ValidationFailed("游标不能小于 -1", field=field, code="cursor_invalid")
    return cursor


def parse_limit(value) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("limit 须为整数", field="limit", code="limit_invalid") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit 须在 1 至 {MAX_LIMIT} 之间", field="limit", code="limit_invalid")
    return limit


def _publication_ids(entry: Entry) -> list[int]:
    """The publications an entry wrote (its committed subjects), in the entry's order."""
    body = json.loads(bytes(entry.body))
    ids = []
    for ref in body.get("subjects", {}):
        if ref.startswith(PUBLICATION_REF):
            ids.append(int(ref.removeprefix(PUBLICATION_REF)))
    if not ids and entry.subject.startswith(PUBLICATION_REF):
        ids.append(int(entry.subject.removeprefix(PUBLICATION_REF)))
    return ids


def _kind_of(publication: Publication) -> str:
    kind = getattr(publication.case.item, "kind", "")
    return kind if kind in EXPORT_SOURCES else ""


def _item(entry: Entry, publication: Publication) -> dict:
    released = publication.status == PublicationStatus.PUBLISHED
    kind = _kind_of(publication)
    records = EXPORT_SOURCES[kind].rows(publication) if released and kind else []
    return {
        "cursor": entry.index,
        "event": entry.kind,
        "at": entry.created_at.isoformat(),
        "publication_id": publication.pk,
        "action": "upsert" if released else "delete",
        "status": publication.status,
        "kind": kind,
        "decision_number": publication.decision_number,
        "agency": publication.agency.code,
        "version": getattr(publication, "version", 1),
        "supersedes": getattr(publication, "supersedes_id", None),
        "reason": publication.withdrawn_reason or getattr(publication, "correction_reason", "") or "",
        "content_sha256": publication.content_sha256 if released else "",
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "records": records,
    }


def feed_page(*, cursor: int = -1, limit: int = DEFAULT_LIMIT, user=None, agency_ids=None) -> FeedPage:
    """The publication changes after `cursor`, at most `limit` entries' worth.

    Scope: `user`'s (API callers) or `agency_ids` (a push endpoint limited to an agency tree);
    neither means every agency (the deployment's own push)."""
    entries = list(Entry.objects.filter(index__gt=cursor, kind__startswith=EVENT_PREFIX)
                   .order_by("index").only("index", "kind", "subject", "body", "created_at", "leaf_hash")[:limit + 1])
    has_more = len(entries) > limit
    entries = entries[:limit]
    wanted = {pk for entry in entries for pk in _publication_ids(entry)}
    qs = Publication.objects.filter(pk__in=wanted)
    if user is not None:
        qs = qs.visible_to(user)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    publications = {p.pk: p for p in qs.select_related("agency", "case__item", "case__decision")}
    items = [_item(entry, publications[pk]) for entry in entries for pk in _publication_ids(entry)
             if pk in publications]
    next_cursor = entries[-1].index if entries else cursor
    return FeedPage(items=items, cursor=cursor, next_cursor=next_cursor, has_more=has_more)
