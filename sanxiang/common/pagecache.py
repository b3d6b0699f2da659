"""Rendered public pages, kept for readers who are not signed in until anything is written.

Every write is a service that appends to the ledger in its own transaction (the ledger's head row
counts the entries), so the ledger's size is a version of everything the portal shows: a page kept
under size N is served only while the size is still N, and a page rendered after a write is kept
under the new size. The key also holds the date (certificate validity, display periods and
"尚未施行" change at midnight without a write) and the page is kept at most
PUBLIC_PAGE_CACHE_SECONDS (as the home page's counts, disclosure.selectors.portal_figures, are).

Kept in Django's cache, which every web process shares (the SQLite file, or Redis): a page one
process rendered answers the others.

What is never kept: anything for a signed-in user, any request carrying a session or a pending
message (the page would show them), any answer but a plain 200 page, any answer that sets a
cookie. The one per-visitor value of a public page is the CSRF token (base.html's hx-headers and
the forms' hidden field): it is kept as a placeholder and each answer gets the visitor's own token,
so one visitor's token never reaches another.
"""

from __future__ import annotations

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

#: The token as base.html writes it once per page; every other occurrence is the same string.
_TOKEN = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{64})"')
_PLACEHOLDER = "@@sanxiang-csrf-token@@"
HIT_HEADER = "X-Sanxiang-Page-Cache"


def _keepable_request(request) -> bool:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not request.user.is_authenticated


def page_key(request) -> str:
    from sanxiang.ledger.services import ledger_size

    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"page:{ledger_size()}:{timezone.localdate().isoformat()}:{getattr(request, 'LANGUAGE_CODE', '')}:{path}"


def _kept_form(response) -> dict | None:
    """The answer as it may be kept, or None when it may not."""
    if (response.status_code != 200 or response.streaming or response.cookies
            or not response.get("Content-Type", "").startswith("text/html")):
        return None
    text = response.content.decode(response.charset)
    found = _TOKEN.search(text)
    if found:
        text = text.replace(found.group(1), _PLACEHOLDER)
    elif "csrfmiddlewaretoken" in text:
        return None  # a form whose token this module cannot find: not kept
    return {"content": text, "content_type": response["Content-Type"]}


def public_page(view):
    """Serve the view's page from the shared cache for visitors who are not signed in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _keepable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        kept = cache.get(key)
        if kept is None:
            response = view(request, *args, **kwargs)
            kept = _kept_form(response)
            if kept is not None:
                cache.set(key, kept, settings.PUBLIC_PAGE_CACHE_SECONDS)
                response[HIT_HEADER] = "miss"
            return response
        text = kept["content"]
        if _PLACEHOLDER in text:
            text = text.replace(_PLACEHOLDER, get_token(request))
        response = HttpResponse(text, content_type=kept["content_type"])
        response[HIT_HEADER] = "hit"
        return response

    return wrapper
