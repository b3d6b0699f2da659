"""Account services: creating users, passwords, activation and unlocking (身份鉴别).

Every write goes through record_save (the user row's new state is in the ledger) and each
security event also becomes an audit entry (ledger.audit) with the address and user agent.
Token and 2FA services live in accounts.tokens and accounts.otp.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import ADMIN_SITE_ROLES, PasswordHistory, Role, User
from sanxiang.accounts.selectors import password_change_due, password_expired  # noqa: F401 (re-exported)
from sanxiang.common.exceptions import DomainError, RoleNotAllowed, ValidationFailed
from sanxiang.common.services import record_save
from sanxiang.ledger.audit import audit_record

RULE_IDENTITY = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.1"
RULE_SEPARATION = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.2 d)（三权分立）"


class PasswordRejected(ValidationFailed):
    """The new password breaks the password policy, or the current one was wrong."""

    code = "password_rejected"


def validate_new_password(password: str, *, user: User, field: str = "new_password") -> None:
    """Run AUTH_PASSWORD_VALIDATORS; the first failing rule becomes a PasswordRejected on `field`."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        first = exc.error_list[0]
        raise PasswordRejected(first.messages[0], field=field, code=first.code or "password_rejected",
                               rule=RULE_IDENTITY + " a)") from exc


def _store_new_password(user: User, password: str) -> None:
    """Keep the old hash in the history (last N only), then set the new one."""
    if user.pk and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(settings.SANXIANG_PASSWORD_HISTORY - 1, 0)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(password)
    user.password_changed_at = timezone.now()


def staff_flag_for(role: str) -> bool:
    """Only the system and security administrators enter /admin/."""
    return role in ADMIN_SITE_ROLES


@transaction.atomic
def user_create(*, username: str, password: str, role: str, agency=None, display_name: str = "",
                actor="system", request=None, must_change: bool = True) -> User:
    """A new account; its password follows the policy and must be changed at first login."""
    user = User(username=username, role=role, agency=agency, display_name=display_name,
                is_staff=staff_flag_for(role), is_superuser=False, password_change_required=must_change)
    validate_new_password(password, user=user, field="password")
    _store_new_password(user, password)
    record_save(user, actor=actor, agency=agency, summary=f"新增用户：{username}（{user.get_role_display()}）")
    audit_record("admin_change", request=request, user=actor if isinstance(actor, User) else None,
                 username="" if isinstance(actor, User) else str(actor), agency=agency,
                 summary=f"新增用户：{username}（{user.get_role_display()}）",
                 detail={"action": "user_create", "target": username, "role": role})
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, request=None) -> User:
    """Self-service change: the current password, then the policy; every API token dies."""
    from sanxiang.accounts.tokens import tokens_revoke_all

    if not user.check_password(old_password):
        raise PasswordRejected("当前密码不正确。", field="old_password", code="old_password_wrong",
                               rule=RULE_IDENTITY + " a)")
    validate_new_password(new_password, user=user)
    _store_new_password(user, new_password)
    user.password_change_required = False
    record_save(user, actor=user, summary=f"修改密码：{user.username}")
    tokens_revoke_all(user=user, reason="password_changed", request=request)
    audit_record("password_changed", request=request, user=user, summary=f"{user.username} 修改密码")
    return user


def require_security_admin(actor) -> None:
    """Accounts are managed by the security administrator only (三权分立)."""
    if getattr(actor, "role", None) != Role.SECURITY_ADMIN:
        raise RoleNotAllowed("只有安全管理员可以管理账户（创建、重置密码、解锁、停用、分配角色）。",
                             code="role_not_allowed", rule=RULE_SEPARATION)


@transaction.atomic
def password_reset(*, user: User, new_password: str, actor: User, request=None) -> User:
    """An administrator's reset: the user must change it at the next login; every token dies."""
    from sanxiang.accounts.tokens import tokens_revoke_all

    require_security_admin(actor)
    validate_new_password(new_password, user=user, field="password1")
    _store_new_password(user, new_password)
    user.password_change_required = True
    record_save(user, actor=actor, summary=f"重置密码：{user.username}")
    tokens_revoke_all(user=user, reason="password_reset", request=request)
    audit_record("password_reset", request=request, user=actor, agency=user.agency,
                 summary=f"{actor.username} 重置 {user.username} 的密码", detail={"target": user.username})
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: User, request=None) -> User:
    """Deactivate (every token dies) or reactivate an account."""
    from sanxiang.accounts.tokens import tokens_revoke_all

    require_security_admin(actor)
    if user.pk == actor.pk and not active:
        raise DomainError("不能停用自己的账户。", code="self_deactivation", field="is_active", rule=RULE_SEPARATION)
    user.is_active = active
    record_save(user, actor=actor, summary=f"{'启用' if active else '停用'}用户：{user.username}")
    if not active:
        tokens_revoke_all(user=user, reason="deactivated", request=request)
    audit_record("admin_change", request=request, user=actor, agency=user.agency,
                 summary=f"{'启用' if active else '停用'}用户：{user.username}",
                 detail={"action": "user_activate" if active else "user_deactivate", "target": user.username})
    return user


def user_unlock(*, username: str = "", address: str = "", actor: User, request=None) -> int:
    """Lift a lockout by account or address before the cool-off ends; returns attempts cleared."""
    from axes.utils import reset

    require_security_admin(actor)
    if not username and not address:
        raise ValidationFailed("请指定要解锁的用户名或地址。", field="username")
    cleared = 0
    if username:
        cleared += reset(username=username)
    if address:
        cleared += reset(ip=address)
    audit_record("admin_change", request=request, user=actor, summary=f"解除锁定：{username or address}",
                 detail={"action": "unlock", "target": username, "target_address": address, "cleared": cleared})
    return cleared
