"""Audit receivers for the authentication signals of Django and django-axes.

Logins happen in three places (staff login, /admin/ login, token API) and Django signals them
all the same way, so the audit entries are written here once rather than in each view. The
receivers only record (and, at logout, end the user's API tokens); they decide nothing.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sanxiang.ledger.audit import audit_record


def _channel(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "staff"


@receiver(user_logged_in, dispatch_uid="sanxiang_audit_login")
def audit_login(sender, request, user, **kwargs):
    from sanxiang.accounts.middleware import session_start

    # Only a session login starts the session clocks (a token issuance has no session).
    if request is not None and hasattr(request, "session") and request.session.get("_auth_user_id"):
        session_start(request)
    audit_record("login", request=request, user=user, summary=f"{user.get_username()} 登录",
                 detail={"channel": _channel(request)})


@receiver(user_login_failed, dispatch_uid="sanxiang_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record("login_failed", request=request, username=username or "anonymous",
                 summary=f"{username or '（未填用户名）'} 登录失败" + ("（已锁定）" if locked else ""),
                 detail={"channel": _channel(request), "locked": locked})


@receiver(user_locked_out, dispatch_uid="sanxiang_audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    from django.conf import settings

    audit_record("lockout", request=request, username=str(username or "")[:150] or "anonymous",
                 summary=f"{username or ip_address} 连续登录失败 {settings.AXES_FAILURE_LIMIT} 次，"
                         f"锁定 {settings.SANXIANG_LOCKOUT_MINUTES} 分钟",
                 # A refused attempt during a running lockout signals again: "new" tells them apart.
                 detail={"channel": _channel(request), "locked_address": ip_address or "",
                         "new": hasattr(request, "axes_failures_since_start"),
                         "minutes": settings.SANXIANG_LOCKOUT_MINUTES})


@receiver(user_logged_out, dispatch_uid="sanxiang_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    from sanxiang.accounts.tokens import tokens_revoke_all

    tokens_revoke_all(user=user, reason="logout", request=request)
    audit_record("logout", request=request, user=user, summary=f"{user.get_username()} 退出登录",
                 detail={"channel": _channel(request)})


def _audit_admin_log_entry(sender, instance, created, **kwargs):
    """Every change made through /admin/ (Django writes a LogEntry for each) becomes an audit entry."""
    if not created:
        return
    from sanxiang.accounts.context import current_request

    action = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag))
    model = f"{instance.content_type.app_label}.{instance.content_type.model}" if instance.content_type_id else ""
    audit_record("admin_change", request=current_request(), user=instance.user,
                 summary=f"管理后台{ {'add': '新增', 'change': '修改', 'delete': '删除'}.get(action, action) }"
                         f"{model}：{instance.object_repr}"[:300],
                 detail={"action": action, "model": model, "object_id": str(instance.object_id or ""),
                         "change": instance.get_change_message()[:500]})


def connect_admin_log() -> None:
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    post_save.connect(_audit_admin_log_entry, sender=LogEntry, dispatch_uid="sanxiang_audit_admin_log")
