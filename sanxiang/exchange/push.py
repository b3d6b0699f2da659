"""Push of the feed to the configured endpoints (上级平台), run by the job runner.

Each tick, an endpoint gets the feed after its cursor — the `cursor_to` of its last successful
delivery, so the delivery log itself is the state — as one JSON POST per batch. Every attempt is
a Delivery row with a ledger entry. A failed attempt is retried after an exponential backoff
(EXCHANGE_PUSH_BACKOFF_SECONDS × 2^(attempt-1), at most EXCHANGE_PUSH_BACKOFF_MAX_SECONDS); until
then the endpoint is skipped. The same batch is sent again on retry, with the same
`Idempotency-Key`, so a receiver that stored it before answering badly can drop the repeat.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanxiang.exchange.feed import feed_page
from sanxiang.exchange.models import Delivery, DeliveryStatus, Endpoint
from sanxiang.ledger.services import ledger_append

MAX_BATCHES_PER_TICK = 20


def backoff_seconds(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th consecutive failure: base × 2^(attempt-1), capped."""
    base = int(getattr(settings, "EXCHANGE_PUSH_BACKOFF_SECONDS", 60))
    cap = int(getattr(settings, "EXCHANGE_PUSH_BACKOFF_MAX_SECONDS", 6 * 3600))
    return min(base * 2 ** max(attempt - 1, 0), cap)


def endpoint_cursor(endpoint: Endpoint) -> int:
    """Where the endpoint stands: the end of its last successful delivery (-1: nothing sent yet)."""
    last_ok = endpoint.deliveries.filter(status=DeliveryStatus.OK).order_by("-pk").first()
    return last_ok.cursor_to if last_ok else -1


@transaction.atomic
def delivery_record(*, endpoint: Endpoint, attempt: int, cursor_from: int, cursor_to: int, items: int, ok: bool,
                    http_status: int | None, error: str, started_at: dt.datetime, duration_ms: int) -> Delivery:
    """Log one push attempt (a row and a ledger entry)."""
    delivery = Delivery.objects.create(
        endpoint=endpoint, attempt=attempt, cursor_from=cursor_from, cursor_to=cursor_to, items=items,
        status=DeliveryStatus.OK if ok else DeliveryStatus.FAILED, http_status=http_status, error=error[:500],
        started_at=started_at, duration_ms=duration_ms,
        next_attempt_at=None if ok else started_at + dt.timedelta(seconds=backoff_seconds(attempt)),
    )
    outcome = "成功" if ok else f"失败（第{attempt}次，{error[:80]}）"
    ledger_append(kind="exchange.delivery", agency=endpoint.agency, subjects=[delivery],
                  summary=f"向{endpoint.name}推送 {items} 条（游标 {cursor_from}→{cursor_to}）{outcome}")
    return delivery


def _post(endpoint: Endpoint, body: bytes, key: str, timeout: float) -> tuple[bool, int | None, str]:
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key,
        "User-Agent": "sanxiang-exchange/1", **({"Authorization": endpoint.auth_header} if endpoint.auth_header else {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - admin-configured URL
            return 200 <= response.status < 300, response.status, ""
    except urllib.error.HTTPError as exc:
        return False, exc.code, f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def push_endpoint(endpoint: Endpoint, *, now: dt.datetime | None = None, timeout: float = 10.0) -> list[Delivery]:
    """Send what the endpoint has not received yet; returns the attempts made (none while backing off
    or when there is nothing new)."""
    now = now or timezone.now()
    made: list[Delivery] = []
    agency_ids = endpoint.agency.descendant_ids() if endpoint.agency_id else None
    for _ in range(MAX_BATCHES_PER_TICK):
        last = endpoint.deliveries.order_by("-pk").first()
        if last is not None and last.status == DeliveryStatus.FAILED and last.next_attempt_at > now:
            break  # backing off
        attempt = last.attempt + 1 if last is not None and last.status == DeliveryStatus.FAILED else 1
        cursor = endpoint_cursor(endpoint)
        page = feed_page(cursor=cursor, limit=endpoint.batch_size, agency_ids=agency_ids)
        if page.next_cursor == cursor:
            break  # nothing new
        key = f"{endpoint.pk}:{cursor}:{page.next_cursor}"
        body = json.dumps({"endpoint": endpoint.name, "idempotency_key": key, **page.as_dict()},
                          ensure_ascii=False).encode()
        started, clock = now, time.monotonic()
        ok, status, error = (True, None, "") if not page.items else _post(endpoint, body, key, timeout)
        made.append(delivery_record(endpoint=endpoint, attempt=attempt, cursor_from=cursor, cursor_to=page.next_cursor,
                                    items=len(page.items), ok=ok, http_status=status, error=error,
                                    started_at=started, duration_ms=int((time.monotonic() - clock) * 1000)))
        if not ok or not page.has_more:
            break
    return made


def push_all(*, now: dt.datetime | None = None) -> list[Delivery]:
    """One tick of the push job: every active endpoint."""
    made: list[Delivery] = []
    for endpoint in Endpoint.objects.filter(is_active=True).select_related("agency").order_by("pk"):
        made += push_endpoint(endpoint, now=now)
    return made
