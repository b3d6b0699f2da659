"""API tokens stored hashed: the client keeps the secret, the database only its SHA-256.

A token is 40 random URL-safe characters; its first 8 are stored as a prefix so an
administrator can tell tokens apart without ever seeing one. It expires after
SANXIANG_API_TOKEN_HOURS and dies at logout, password change or reset, and deactivation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from sanxiang.accounts.models import ApiToken, User
from sanxiang.ledger.audit import audit_record, client_address

PREFIX_LENGTH = 8


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_issue(*, user: User, request=None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the secret (shown once, never stored)."""
    secret = secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, prefix=secret[:PREFIX_LENGTH], digest=token_digest(secret),
        expires_at=timezone.now() + dt.timedelta(hours=settings.SANXIANG_API_TOKEN_HOURS),
        address=client_address(request)[:64],
    )
    audit_record("token_created", request=request, user=user, summary=f"签发接口令牌 {token.prefix}…",
                 detail={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()})
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, reason: str, request=None, actor: User | None = None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record("token_revoked", request=request, user=actor or token.user, agency=token.user.agency,
                 summary=f"吊销接口令牌 {token.prefix}…", detail={"prefix": token.prefix, "reason": reason,
                                                              "owner": token.user.username})


@transaction.atomic
def tokens_revoke_all(*, user: User, reason: str, request=None, actor: User | None = None) -> int:
    """Revoke every live token of `user` (logout, password change or reset, deactivation)."""
    live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in live:
        token_revoke(token=token, reason=reason, request=request, actor=actor)
    return len(live)


class TokenRejected(exceptions.AuthenticationFailed):
    default_code = "token_invalid"
    default_detail = "令牌无效或已吊销。"


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"
    default_detail = "令牌已过期，请重新获取（有效期见 SANXIANG_API_TOKEN_HOURS）。"


class PasswordChangeRequired(exceptions.APIException):
    status_code = 403
    default_code = "password_change_required"
    default_detail = "须先修改密码（POST /api/auth/password/），方可继续使用接口。"


# Requests a token may still make while its user has to change the password first.
PASSWORD_STEP_PATHS = ("/api/auth/password/", "/api/auth/logout/")


class HashedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <secret>`, looked up by digest; expired or revoked tokens fail."""

    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        from sanxiang.accounts.selectors import password_change_due

        if password_change_due(user) and request._request.path not in PASSWORD_STEP_PATHS:
            raise PasswordChangeRequired()
        return result

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise TokenRejected()
        if token.expires_at <= now:
            raise TokenExpired()
        if not token.user.is_active:
            raise TokenRejected("账户已停用，令牌失效。")
        # Written at most once a minute: the token's last use, without a write per request.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
