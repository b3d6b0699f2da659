"""Security audit trail (安全审计, GB/T 22239-2019 8.1.4.3): one ledger entry per security event.

Logins, failures, lockouts, logouts, 2FA events, permission denials on scoped objects and every
administrative change are entries of kind ``audit.<event>``. Being ledger entries, they are
hash-chained and signed with the rest of the log, and have no delete path.
"""

from __future__ import annotations

from django.db import transaction

from sanxiang.ledger.services import ledger_append

# Events that name who did what to whom; the code uses these names, the audit page their labels.
AUDIT_EVENTS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "lockout": "账户锁定",
    "logout": "退出登录",
    "otp_enrolled": "绑定双因素认证",
    "otp_verified": "双因素认证通过",
    "otp_failed": "双因素认证失败",
    "otp_recovery_used": "使用恢复码",
    "password_changed": "修改密码",
    "password_reset": "管理员重置密码",
    "token_created": "签发接口令牌",
    "token_revoked": "吊销接口令牌",
    "permission_denied": "越权访问被拒绝",
    "admin_change": "管理操作",
    "session_expired": "会话超时",
    "audit_exported": "导出审计记录",
}


def client_address(request) -> str:
    """The socket address, or the one trusted proxy's view of it (the last X-Forwarded-For hop:
    the ones before it are whatever the client wrote). Audit, lockout and rate limits all use it."""
    if request is None:
        return ""
    from django.conf import settings

    if getattr(settings, "SANXIANG_TRUST_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def audit_record(event: str, *, request=None, user=None, username: str = "", agency=None,
                 summary: str = "", detail: dict | None = None):
    """Append one audit entry in its own transaction (or the caller's, when one is open).

    `user` is the account concerned when known; `username` names an attempted account that may
    not exist (failed logins). Address and user agent come from `request`.
    """
    if event not in AUDIT_EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    actor = user if user is not None and getattr(user, "is_authenticated", False) else (username or "anonymous")
    data = {
        "event": event,
        "username": username or (user.get_username() if user is not None and hasattr(user, "get_username") else ""),
        "address": client_address(request),
        "user_agent": (request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        "path": (request.path[:300] if request is not None else ""),
        **(detail or {}),
    }
    if agency is None and user is not None:
        agency = getattr(user, "agency", None)
    with transaction.atomic():
        return ledger_append(kind=f"audit.{event}", actor=actor, agency=agency,
                             summary=summary or AUDIT_EVENTS[event], data=data)
