"""DRF throttling for the API's public searches, with the same rates and client address as the
middleware's rate limits (settings.RATE_LIMITS, common.middleware.client_address)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

from sanxiang.common.middleware import client_address


class ScopedRateLimit(ScopedRateThrottle):
    """Throttles views that name a `throttle_scope`; the others pass untouched.

    DRF binds THROTTLE_RATES once at import; reading settings.RATE_LIMITS per request keeps one
    place for the figures (and lets a deployment or a test change them).
    """

    def get_rate(self):
        return settings.RATE_LIMITS.get(self.scope)

    def get_ident(self, request):
        return client_address(request)
