"""The account guard: session limits, then 2FA, then a due password change, on every request.

Order matters (GB/T 22239-2019 8.1.4.1): a session past its idle or absolute limit ends first;
a user whose role requires a second factor is sent to enrol, or to verify, before anything else;
only then is a forced or expired password change demanded. API requests get the JSON error
format instead of a redirect. Token-authenticated API requests carry no session and are checked
by accounts.tokens instead.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from sanxiang.accounts.context import reset_current_request, set_current_request
from sanxiang.ledger.audit import audit_record

SESSION_STARTED = "sanxiang_session_started"
SESSION_SEEN = "sanxiang_session_seen"
# The last-seen time is rewritten at most this often, not on every request.
SEEN_RESOLUTION_SECONDS = 30


def session_start(request) -> None:
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def _session_limit_passed(request) -> str:
    """'idle' or 'absolute' when the session is past a limit, else '' (and the clock is updated)."""
    now = int(time.time())
    started = request.session.get(SESSION_STARTED)
    seen = request.session.get(SESSION_SEEN)
    if started is None or seen is None:
        session_start(request)
        return ""
    if now - int(seen) > settings.SANXIANG_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - int(started) > settings.SANXIANG_SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if now - int(seen) >= SEEN_RESOLUTION_SECONDS:
        request.session[SESSION_SEEN] = now
    return ""


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error(code: str, message: str, status: int, rule: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "rule": rule}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


RULE = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.1"
EXPIRY_MESSAGES = {
    "idle": "会话空闲超过 {idle} 分钟，已自动退出，请重新登录。",
    "absolute": "会话已持续超过 {hours} 小时，已自动退出，请重新登录。",
}




class AccountGuardMiddleware:
    """See the module docstring. Paths a user needs to complete a step are let through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_request(request)
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
                response = self._guard(request, user)
                if response is not None:
                    return response
            return self.get_response(request)
        finally:
            reset_current_request(token)

    def _guard(self, request, user):
        from sanxiang.accounts.otp import has_device, otp_required
        from sanxiang.accounts.selectors import password_change_due

        reason = _session_limit_passed(request)
        if reason:
            return self._expire(request, user, reason)
        path = request.path
        if path == reverse("accounts:logout"):
            return None
        if otp_required(user) and not user.is_verified():
            step = reverse("accounts:otp_verify") if has_device(user) else reverse("accounts:otp_enrol")
            if path in (reverse("accounts:otp_verify"), reverse("accounts:otp_enrol")):
                return None
            if _is_api(request):
                return _error("otp_required", "该角色须先完成双因素认证。", 403, RULE + " d)")
            return redirect(f"{step}?{urlencode({'next': request.get_full_path()})}")
        if password_change_due(user):
            step = reverse("accounts:password_change")
            if path in (step, reverse("api-password")):
                return None
            if _is_api(request):
                return _error("password_change_required", "须先修改密码（首次登录、管理员重置或密码已过期）。",
                              403, RULE + " a)")
            return redirect(f"{step}?{urlencode({'next': request.get_full_path()})}")
        return None

    def _expire(self, request, user, reason: str):
        audit_record("session_expired", request=request, user=user,
                     summary=f"{user.get_username()} 会话超时（{'空闲' if reason == 'idle' else '超过最长时限'}）",
                     detail={"reason": reason})
        # Not auth.logout(): that would also record a "logout" the user never asked for.
        request.session.flush()
        request.user = AnonymousUser()
        message = EXPIRY_MESSAGES[reason].format(idle=settings.SANXIANG_SESSION_IDLE_MINUTES,
                                                 hours=settings.SANXIANG_SESSION_ABSOLUTE_HOURS)
        if _is_api(request):
            return _error("session_expired", message, 401, RULE + " d)")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'expired': reason, 'next': request.get_full_path()})}")
