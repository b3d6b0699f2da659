"""Users and roles. Every user (but the anonymous public) belongs to an agency and has one role.

Three administrator roles are kept apart (三权分立, GB/T 22239-2019 8.1.4.2): the system
administrator configures the registry in /admin/, the security administrator manages accounts,
the audit administrator only reads the audit trail. None of them reads case content.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from sanxiang.common.models import Recorded


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    UNIT_HEAD = "unit_head", "承办机构负责人"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    AGENCY_HEAD = "agency_head", "机关负责人"
    SUPERVISOR = "supervisor", "执法监督人员"
    ADMIN = "admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


def role_labels(roles) -> str:
    """The roles' Chinese names in the order Role declares them (a set has no stable order)."""
    wanted = {str(r) for r in roles}
    return "、".join(label for value, label in Role.choices if value in wanted)


# Administrator roles: no agency, no case content (三权分立).
ADMIN_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles allowed into /admin/ (the audit administrator reads the trail on /staff/audit/ instead).
ADMIN_SITE_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN})


class User(AbstractUser, Recorded):
    """A staff account. Supervisors and administrators see across agencies; others see only
    their agency and the agencies below it (see accounts.selectors)."""

    display_name = models.CharField("姓名", max_length=40, blank=True)
    agency = models.ForeignKey("registry.Agency", verbose_name="所属机关", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="users")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.OFFICER)
    # New accounts and accounts whose password an administrator reset must choose their own
    # password at the next login (GB/T 22239-2019 8.1.4.1 a).
    password_change_required = models.BooleanField("须修改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="agency_staff_have_agency",
                condition=models.Q(role__in=["supervisor", "admin", "security_admin", "audit_admin"])
                | models.Q(agency__isnull=False),
                violation_error_message="执法人员、负责人和法制审核人员必须属于一个执法机关",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def ledger_state(self) -> dict:
        """Role, agency and status are logged; the password hash and last login are not."""
        state = super().ledger_state()
        state.pop("password", None)
        state.pop("last_login", None)
        return state

    @property
    def is_administrator(self) -> bool:
        """One of the three administrator roles (a superuser flag does not make one)."""
        return self.role in ADMIN_ROLES

    @property
    def sees_all_agencies(self) -> bool:
        """Supervisors read every agency. Administrators, superuser or not, read no case content."""
        return self.role == Role.SUPERVISOR

    def registry_agency_ids(self) -> list[int] | None:
        """Agencies whose registry data (officers, items, lists; no case content) this user may
        manage: the system administrator configures every agency's registry."""
        if self.role == Role.ADMIN:
            return None
        return self.visible_agency_ids()

    def visible_agency_ids(self) -> list[int] | None:
        """Agencies whose records this user may see; None means all (see accounts.scoping)."""
        from sanxiang.accounts.scoping import agency_scope

        return agency_scope(self)


class PasswordHistory(models.Model):
    """A former password hash, kept so the last N cannot be chosen again (never the clear text)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """An API token: only its SHA-256 digest and an 8-character prefix are stored.

    The secret is shown once, to the caller that asked for it. A token expires, and is revoked at
    logout, password change, administrator reset and deactivation.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    digest = models.CharField("SHA-256", max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=40, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    address = models.CharField("签发地址", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

