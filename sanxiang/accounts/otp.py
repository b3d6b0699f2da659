"""Two-factor authentication (双因素认证, GB/T 22239-2019 8.1.4.1 d): TOTP with recovery codes.

Built on django-otp: one confirmed TOTP device per user (otp_totp) and one static device holding
ten single-use recovery codes (otp_static). The roles named in SANXIANG_OTP_REQUIRED_ROLES must
enrol before anything else and verify at every login; the token API asks them for an `otp` field.
"""

from __future__ import annotations

import base64
import io

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanxiang.accounts.models import User
from sanxiang.common.exceptions import DomainError
from sanxiang.ledger.audit import audit_record

RECOVERY_CODES = 10
RULE = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.1 d)（双因素认证）"
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"


class OtpRejected(DomainError):
    """The one-time code is missing, wrong, reused or throttled."""

    code = "otp_invalid"
    status = 400


def _throttled_message(device) -> str | None:
    """django-otp doubles the wait after each wrong code; say so instead of 'wrong code'."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    if until is not None:
        from django.utils import timezone

        seconds = max(int((until - timezone.now()).total_seconds()) + 1, 1)
        return f"验证码错误次数过多，请 {seconds} 秒后再试。"
    return "验证码错误次数过多，请稍后再试。"


def otp_required(user) -> bool:
    """The user's role is one that must use a second factor."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.role in settings.SANXIANG_OTP_REQUIRED_ROLES or user.is_superuser)


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed, name=TOTP_NAME).order_by("-pk").first()


def has_device(user) -> bool:
    return totp_device(user) is not None


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device with a fresh secret (reused while the user has not confirmed it)."""
    pending = totp_device(user, confirmed=False)
    return pending or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def provisioning_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (no external service, no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps type it in by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def recovery_code_digest(code: str) -> str:
    """What is stored for a recovery code: a keyed hash (HMAC-SHA256 with SECRET_KEY, 16 hex
    characters, the width of django-otp's token column), so a copy of the database alone does not
    give anyone a working code."""
    import hashlib
    import hmac

    return hmac.new(settings.SECRET_KEY.encode(), code.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; earlier ones stop working. Shown once, stored hashed."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_code_digest(c)) for c in codes])
    return codes


def enrolment_confirm(*, user: User, device: TOTPDevice, code: str, request=None) -> list[str]:
    """Confirm the pending device with a first code; returns the recovery codes to show once.

    Not one transaction as a whole: a wrong code must leave its audit entry (and the throttle
    count) behind while the refusal propagates.
    """
    if device.user_id != user.pk or device.confirmed:
        raise OtpRejected("绑定请求已失效，请重新开始。", field="otp", rule=RULE)
    throttled = _throttled_message(device)
    if throttled or not device.verify_token((code or "").strip()):
        audit_record("otp_failed", request=request, user=user, summary="双因素认证绑定时验证码错误",
                     detail={"throttled": bool(throttled)})
        raise OtpRejected(throttled or "验证码不正确或已过期，请输入认证器上当前显示的 6 位数字。", field="otp", rule=RULE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_issue(user=user)
        audit_record("otp_enrolled", request=request, user=user, summary=f"{user.username} 绑定双因素认证")
    if request is not None:
        django_otp.login(request, device)
    return codes


def otp_check(*, user: User, code: str, request=None, login: bool = True):
    """Verify a TOTP code or a recovery code (used up on success); audit either way."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        raise OtpRejected("请输入双因素认证验证码。", field="otp", rule=RULE)
    device = None
    recovery = False
    totp = totp_device(user)
    throttled = _throttled_message(totp) if totp is not None else None
    if totp is not None and code.isdigit():
        device = totp if totp.verify_token(code) else None
    if device is None:
        static = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME, confirmed=True).first()
        if static is not None and static.verify_token(recovery_code_digest(code)):
            device, recovery = static, True
    if device is None:
        audit_record("otp_failed", request=request, user=user, summary=f"{user.username} 双因素认证失败",
                     detail={"throttled": bool(throttled)})
        raise OtpRejected(throttled or "验证码不正确、已使用或已过期。", field="otp", rule=RULE)
    if login and request is not None:
        django_otp.login(request, device)
    if recovery:
        left = StaticToken.objects.filter(device=device).count()
        audit_record("otp_recovery_used", request=request, user=user, summary=f"{user.username} 使用恢复码",
                     detail={"codes_left": left})
    else:
        audit_record("otp_verified", request=request, user=user, summary=f"{user.username} 双因素认证通过")
    return device
