"""Staff sign-in pages: login, 2FA enrolment and verification, password change, lockout page.

Views translate HTTP to the services of accounts.services and accounts.otp; every rule (policy,
2FA, lockout) lives there or in django-axes. The account guard middleware decides which of these
steps a signed-in user must take next.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from sanxiang.accounts import otp as otp_services
from sanxiang.accounts.models import Role
from sanxiang.accounts.services import PasswordRejected, password_change, password_change_due
from sanxiang.common.exceptions import DomainError

LOCKOUT_RULE = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.1 b)（登录失败处理）"


def lockout_message() -> str:
    return (f"连续登录失败 {settings.AXES_FAILURE_LIMIT} 次，该账户或地址已被锁定 "
            f"{settings.SANXIANG_LOCKOUT_MINUTES} 分钟。请稍后再试，或联系安全管理员解锁。")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this for a locked account or address: JSON for the API, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "account_locked", "message": lockout_message(),
                                       "rule": LOCKOUT_RULE}}, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/locked.html", {"message": lockout_message(), "rule": LOCKOUT_RULE},
                  status=429)


def home_for(user) -> str:
    """Where a role lands after signing in: administrators never land on case pages."""
    if user.role in (Role.ADMIN, Role.SECURITY_ADMIN):
        return "/admin/"
    if user.role == Role.AUDIT_ADMIN:
        return reverse("audit:trail")
    return reverse(settings.LOGIN_REDIRECT_URL)


def _next_url(request, user) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return home_for(user)


class LoginView(auth_views.LoginView):
    """Django's login (axes watches it through the authentication backend)."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expired = self.request.GET.get("expired")
        if expired == "idle":
            context["notice"] = f"会话空闲超过 {settings.SANXIANG_SESSION_IDLE_MINUTES} 分钟，已自动退出，请重新登录。"
        elif expired == "absolute":
            context["notice"] = f"会话已持续超过 {settings.SANXIANG_SESSION_ABSOLUTE_HOURS} 小时，已自动退出，请重新登录。"
        return context

    def get_default_redirect_url(self):
        return home_for(self.request.user)


@never_cache
@login_required
def otp_verify(request):
    """The second step of a login for roles that require 2FA: a TOTP or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request, request.user))
    if not otp_services.has_device(request.user):
        return redirect(f"{reverse('accounts:otp_enrol')}?next={request.GET.get('next', '')}")
    error = None
    if request.method == "POST":
        try:
            otp_services.otp_check(user=request.user, code=request.POST.get("otp", ""), request=request)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(_next_url(request, request.user))
    return render(request, "accounts/otp_verify.html", {"error": error, "next": request.GET.get("next", "")},
                  status=400 if error else 200)


@never_cache
@login_required
def otp_enrol(request):
    """Bind an authenticator app: QR code (inline SVG data URI), first code, recovery codes once."""
    user = request.user
    if not otp_services.otp_required(user):
        # Only the roles in SANXIANG_OTP_REQUIRED_ROLES are asked for a code at login, so a device
        # bound by anyone else would give a false sense of protection.
        messages.info(request, "您的角色无需绑定双因素认证。")
        return redirect(home_for(user))
    if otp_services.has_device(user) and not user.is_verified():
        # A bound device is replaced only by a user who has just proved they hold it.
        return redirect(f"{reverse('accounts:otp_verify')}?next={reverse('accounts:otp_enrol')}")
    device = otp_services.enrolment_start(user=user)
    error = None
    if request.method == "POST":
        try:
            codes = otp_services.enrolment_confirm(user=user, device=device, code=request.POST.get("otp", ""),
                                                   request=request)
        except DomainError as exc:
            error = exc.message
        else:
            return render(request, "accounts/otp_codes.html", {"codes": codes, "next": _next_url(request, user)})
    return render(request, "accounts/otp_enrol.html", {
        "qr": otp_services.provisioning_qr_data_uri(device), "secret": otp_services.secret_base32(device),
        "error": error, "next": request.GET.get("next", ""), "required": otp_services.otp_required(user),
    }, status=400 if error else 200)


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password", "new_password2")
def password_change_view(request):
    """Self-service change; also the forced step after first login, a reset or expiry."""
    user = request.user
    errors: dict[str, str] = {}
    if request.method == "POST":
        new = request.POST.get("new_password", "")
        if new != request.POST.get("new_password2", ""):
            errors["new_password2"] = "两次输入的新密码不一致。"
        else:
            try:
                password_change(user=user, old_password=request.POST.get("old_password", ""), new_password=new,
                                request=request)
            except PasswordRejected as exc:
                errors[exc.field or "new_password"] = exc.message
            else:
                update_session_auth_hash(request, user)  # stays signed in; other sessions end
                messages.success(request, "密码已修改。")
                return redirect(_next_url(request, user))
    from django.contrib.auth.password_validation import password_validators_help_texts

    return render(request, "accounts/password_change.html", {
        "errors": errors, "forced": password_change_due(user), "next": request.GET.get("next", ""),
        "help_texts": password_validators_help_texts(),
    }, status=400 if errors else 200)
