"""Reads about accounts that both the services and the authentication layers need.

Kept apart from accounts.services so that token authentication (accounts.tokens), which the
services call to revoke tokens, can read them without importing the services back.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from sanxiang.accounts.models import User


def password_expired(user: User, *, now: dt.datetime | None = None) -> bool:
    """True when passwords expire (SANXIANG_PASSWORD_MAX_AGE_DAYS > 0) and this one is too old."""
    days = settings.SANXIANG_PASSWORD_MAX_AGE_DAYS
    if days <= 0:
        return False
    if user.password_changed_at is None:
        return True
    return (now or timezone.now()) - user.password_changed_at > dt.timedelta(days=days)


def password_change_due(user: User) -> bool:
    """The user must choose a new password before doing anything else."""
    return bool(user.password_change_required) or password_expired(user)
